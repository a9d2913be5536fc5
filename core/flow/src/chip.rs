//! The chip read over the shell's NFC transport, and the phone's own check
//! of what was read before anything goes to the server.
//!
//! The read runs on a blocking thread (NFC calls block); it checks the stop
//! flag between APDUs, so Cancel and Back end it, and a lost tag hands the
//! reader back with its progress for `Continue` to resume.
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

use zeroize::Zeroizing;

use aktiver_emrtd::apdu::TransportLimits;
use aktiver_emrtd::lds::Dg1;
use aktiver_emrtd::pki::{PassiveAuthFailure, TrustStore, passive_authentication_files};
use aktiver_emrtd::reader::{
    ActiveAuthEvidence, AuthOutcome, ReadOutcome, Reader, ReaderError, Step,
};
use aktiver_protocol::ErrorCode;

use crate::caps::{CapabilityError, NfcTransport};
use crate::error::Failure;

/// Why a read stopped without an outcome.
#[derive(Debug)]
pub enum ReadStop {
    /// The tag left the field: pause, then resume with the same reader.
    TagLost,
    /// Cancel or Back.
    Stopped,
    Failed(Failure),
}

fn reader_failure(e: &ReaderError) -> Failure {
    match e {
        ReaderError::AccessDenied => Failure::CHIP_ACCESS_DENIED,
        ReaderError::ChipAuthenticationFailed(_) | ReaderError::ActiveAuthenticationFailed(_) => {
            Failure::from_code(ErrorCode::ChipAuthenticationFailed)
        }
        _ => Failure::CHIP_READ_FAILED,
    }
}

/// Runs (or, with `resume`, continues) a read to its end. `progress` gets
/// the percentage read whenever it changes.
pub fn read(
    nfc: &dyn NfcTransport,
    reader: &mut Reader,
    resume: bool,
    stop: &AtomicBool,
    mut progress: impl FnMut(u8),
) -> Result<ReadOutcome, ReadStop> {
    let cap = |e: CapabilityError| match e {
        CapabilityError::TagLost => ReadStop::TagLost,
        CapabilityError::Unavailable(_) => ReadStop::Failed(Failure::NFC_UNAVAILABLE),
        _ => ReadStop::Failed(Failure::CHIP_READ_FAILED),
    };
    nfc.connect().map_err(cap)?;
    let l = nfc.limits();
    reader.set_limits(TransportLimits {
        max_transceive: l.max_transceive,
        extended_length: l.extended_length,
    });
    let first = if resume {
        reader.resume()
    } else {
        reader.start()
    };
    let mut step = first.map_err(|e| ReadStop::Failed(reader_failure(&e)))?;
    let mut last = 0u8;
    loop {
        if stop.load(Ordering::Relaxed) {
            return Err(ReadStop::Stopped);
        }
        match step {
            Step::Done(o) => return Ok(*o),
            Step::Transmit(apdu) => {
                let answer = nfc.transceive(&apdu).map_err(cap)?;
                step = reader
                    .on_response(&answer)
                    .map_err(|e| ReadStop::Failed(reader_failure(&e)))?;
                let p = reader.progress();
                let pct = (p.bytes_read * 100)
                    .checked_div(p.bytes_expected)
                    .map_or(0, |v| v.min(99) as u8);
                if pct >= last.saturating_add(10) {
                    last = pct;
                    progress(pct);
                }
            }
        }
    }
}

/// What the chip gave, kept in memory until the evidence is sent.
pub struct ChipData {
    pub files: BTreeMap<u16, Zeroizing<Vec<u8>>>,
    pub chip_authentication: bool,
    /// The chip's signature over the server's challenge.
    pub active_authentication: Option<ActiveAuthEvidence>,
}

impl std::fmt::Debug for ChipData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChipData")
            .field("files", &self.files.len())
            .finish_non_exhaustive()
    }
}

/// The phone's verdict on a read: passive authentication against the trust
/// anchors, the chip's MRZ against the scanned one, and proof the chip is
/// not a clone (chip authentication, or active authentication, which signed
/// the server's own challenge so the server can check it too). The server
/// repeats all of it.
pub fn verdict(
    trust: &TrustStore,
    outcome: ReadOutcome,
    scanned_mrz: &str,
    now: SystemTime,
) -> Result<ChipData, Failure> {
    let pa = passive_authentication_files(trust, &outcome.files, now);
    if let Some(f) = pa.failure() {
        return Err(Failure::from_code(match f {
            PassiveAuthFailure::UntrustedDocumentSigner(_)
            | PassiveAuthFailure::DocumentSignerValidity(_) => ErrorCode::DocumentSignerUntrusted,
            _ => ErrorCode::DocumentNotAuthentic,
        }));
    }
    let dg1_matches = outcome
        .files
        .get(&0x0101)
        .and_then(|d| Dg1::parse(d).ok())
        .is_some_and(|d| d.matches_scanned(scanned_mrz));
    if !dg1_matches {
        return Err(Failure::from_code(ErrorCode::MrzMismatch));
    }
    let ca = outcome.chip_authentication == AuthOutcome::Passed;
    let aa = outcome.active_authentication != AuthOutcome::NotPerformed
        && outcome.active_auth_evidence.is_some();
    if !ca && !aa {
        return Err(Failure::from_code(ErrorCode::ChipAuthenticationFailed));
    }
    Ok(ChipData {
        files: outcome
            .files
            .into_iter()
            .map(|(k, v)| (k, Zeroizing::new(v)))
            .collect(),
        chip_authentication: ca,
        active_authentication: outcome.active_auth_evidence,
    })
}
