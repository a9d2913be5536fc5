//! eMRTD chip access (ICAO 9303 parts 10-12), sans-IO.
//!
//! Three seams, each behind its own cargo feature:
//! - the document side, always compiled: LDS parsers (`lds`), passive
//!   authentication and trust (`pki`), active-authentication evidence
//!   (`auth`) and the ID-check verdict (`verdict`). This is what a server
//!   links (tests/sandbox depends with `default-features = false`);
//! - the protocol side, feature `reader` (default): APDUs, BAC/PACE, secure
//!   messaging, the chip/active authentication machines and the reader;
//! - test documents, feature `issuer` (the test PKI and document issuer) and
//!   `virtual-chip` (the virtual applet serving them; implies both).
//!
//! The document side never depends on the protocol side.

pub mod auth;
pub mod lds;
pub mod pki;
pub mod verdict;

#[cfg(feature = "reader")]
pub mod apdu;
#[cfg(feature = "reader")]
pub mod bac;
#[cfg(feature = "reader")]
pub mod crypto;
#[cfg(feature = "reader")]
pub mod pace;
#[cfg(feature = "reader")]
pub mod reader;
#[cfg(feature = "reader")]
pub mod sm;
#[cfg(feature = "reader")]
pub mod tlv;

#[cfg(feature = "issuer")]
pub mod issuer;
#[cfg(feature = "virtual-chip")]
pub mod virtual_chip;
