//! What a read produces: the outcome, its counters and progress, the next
//! step, and why a read failed.

use std::collections::BTreeMap;

use crate::apdu::StatusWord;
use crate::bac::BacError;
use crate::pace::{PaceError, PaceSuite};
use crate::sm::SmError;
use thiserror::Error;

use super::FileError;

/// Why a read failed. A chip that fails chip or active authentication is a failed read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ReaderError {
    #[error("the chip has no eMRTD application")]
    NoApplication,
    #[error("access control failed: the document number, dates or CAN do not match the chip")]
    AccessDenied,
    #[error("PACE: {0}")]
    Pace(#[from] PaceError),
    #[error("BAC: {0}")]
    Bac(#[from] BacError),
    #[error("secure messaging: {0}")]
    Sm(#[from] SmError),
    #[error("reading: {0}")]
    File(#[from] FileError),
    #[error("{step}: the chip answered {sw}")]
    Refused { step: &'static str, sw: StatusWord },
    #[error("the chip's answer to {step} is malformed")]
    Malformed { step: &'static str },
    #[error("chip authentication failed: {0}")]
    ChipAuthenticationFailed(&'static str),
    #[error("active authentication failed: {0}")]
    ActiveAuthenticationFailed(&'static str),
    #[error("PACE is required but the chip does not offer a supported suite")]
    PaceUnavailable,
    #[error(
        "the chip offers PACE only with parameters this reader does not implement; BAC is not used in its place"
    )]
    PaceNotSupported,
    #[error("the read was resumed {0} times; giving up")]
    TooManyResumptions(u32),
    #[error("the chip made no progress in {0} APDUs; giving up")]
    Stalled(u32),
    #[error("the reader is not waiting for a response")]
    NotWaiting,
    #[error("the random source failed")]
    Random,
    #[error("APDU: {0}")]
    Apdu(#[from] crate::apdu::ApduError),
}

/// The access control a read used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessProtocol {
    Bac,
    Pace(PaceSuite),
}

impl AccessProtocol {
    pub fn name(&self) -> String {
        match self {
            AccessProtocol::Bac => "BAC".into(),
            AccessProtocol::Pace(s) => format!("PACE {}", s.name()),
        }
    }
}

/// Outcome of chip or active authentication.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuthOutcome {
    /// The document does not support it (no DG14/DG15) or it was not asked for.
    NotPerformed,
    /// The chip proved possession of the key (chip authentication: secure
    /// messaging under the new keys verified).
    Passed,
    /// Challenge and signature collected but not verified here (a key type
    /// this crate cannot check); see [`aa::verify`].
    Collected(ActiveAuthEvidence),
}

/// Active authentication's challenge and the chip's signature over it. The
/// challenge is the caller's ([`ReaderConfig::aa_challenge`]) when one was
/// given, so a verifier can check the signature over its own challenge.
/// Defined on the document side, where it is verified.
pub use crate::auth::ActiveAuthEvidence;

/// Counters of one read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadStats {
    pub apdus: u32,
    pub bytes_sent: u64,
    pub bytes_received: u64,
    pub resumptions: u32,
    pub chunk_fallbacks: u32,
    /// The plaintext read size in use at the end.
    pub final_read_size: usize,
    pub extended_length_used: bool,
}

/// Everything a complete read produced. File contents are the raw bytes read
/// (passive authentication hashes exactly these).
#[derive(Clone)]
pub struct ReadOutcome {
    pub access: AccessProtocol,
    pub card_access: Option<Vec<u8>>,
    pub files: BTreeMap<u16, Vec<u8>>,
    pub chip_authentication: AuthOutcome,
    pub active_authentication: AuthOutcome,
    /// The challenge and signature of active authentication whenever it ran
    /// (also when it passed here): what a remote verifier checks.
    pub active_auth_evidence: Option<ActiveAuthEvidence>,
    pub stats: ReadStats,
}

impl ReadOutcome {
    /// How the chip proved its key, when it did: `"pace_cam"` when PACE's
    /// chip-authentication mapping did it, `"ca"` for chip authentication
    /// (the names of the sandbox's `chip_auth.protocol`).
    pub fn chip_authentication_protocol(&self) -> Option<&'static str> {
        if self.chip_authentication != AuthOutcome::Passed {
            return None;
        }
        Some(match self.access {
            AccessProtocol::Pace(s) if s.mapping == crate::pace::Mapping::ChipAuthentication => {
                "pace_cam"
            }
            _ => "ca",
        })
    }
}

impl core::fmt::Debug for ReadOutcome {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let sizes: BTreeMap<String, usize> = self
            .files
            .iter()
            .map(|(k, v)| (format!("{k:04X}"), v.len()))
            .collect();
        f.debug_struct("ReadOutcome")
            .field("access", &self.access)
            .field("file_sizes", &sizes)
            .field("chip_authentication", &self.chip_authentication)
            .field("active_authentication", &self.active_authentication)
            .field("stats", &self.stats)
            .finish()
    }
}

/// Bytes read out of bytes expected (expected grows as file headers are read).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub bytes_read: usize,
    pub bytes_expected: usize,
    pub files_done: usize,
    pub files_total: usize,
}

/// What the caller does next.
#[derive(Debug)]
pub enum Step {
    /// Transmit these bytes and pass the answer to [`Reader::on_response`].
    Transmit(Vec<u8>),
    /// The read is complete.
    Done(Box<ReadOutcome>),
}
