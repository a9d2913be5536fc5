//! Document-side authentication checks that need no reader: active
//! authentication (ICAO 9303-11 §6.1) verified over a challenge the verifier
//! chose. A server links this without the protocol code; the reader only
//! collects the chip's signature and calls in here.
//!
//! Nothing here may depend on `crate::reader`, `crate::sm`, `crate::pace` or
//! `crate::crypto`: the document side is meant to move to its own crate.

mod active;

pub use active::{
    AaError, ActiveAuthEvidence, MAX_AA_RSA_BITS, MAX_AA_RSA_EXPONENT, MIN_AA_RSA_BITS,
    verify_active_authentication, verify_iso9796_2,
};
