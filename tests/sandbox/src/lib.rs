//! The sandbox server (in progress, issue 5).
