//! eMRTD chip access (ICAO 9303 parts 10-12), sans-IO.
//!
//! Module ownership while two engineers build this crate in parallel:
//! protocol side (apdu, tlv, crypto, sm, bac, pace, reader, virtual_chip) and
//! document side (lds, pki, auth, verdict, issuer). The document side never
//! depends on the protocol side, so a server links it without the reader.

pub mod apdu;
pub mod auth;
pub mod bac;
pub mod crypto;
pub mod lds;
pub mod pace;
pub mod pki;
pub mod reader;
pub mod sm;
pub mod tlv;
pub mod verdict;

#[cfg(feature = "virtual-chip")]
pub mod issuer;
#[cfg(feature = "virtual-chip")]
pub mod virtual_chip;
