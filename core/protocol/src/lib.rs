//! The activation protocol (in progress, issue 5).
