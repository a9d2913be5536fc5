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
use aktiver_emrtd::lds::DataGroup;
use aktiver_emrtd::pki::TrustStore;
use aktiver_emrtd::reader::{
    ActiveAuthEvidence, AuthOutcome, ReadOutcome, Reader, ReaderError, Step,
};
use aktiver_emrtd::verdict::{
    ChipAuthenticationClaim, ChipRead, IdCheckInput, StepKind, verify_id_check,
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
                // Files done of files known: the bytes expected are not
                // known before each file's header is read, files are.
                let p = reader.progress();
                let pct = (p.files_done * 100)
                    .checked_div(p.files_total)
                    .map_or(0, |v| v.min(99) as u8);
                if pct > last {
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

/// The phone's verdict on a read, with the verdict function the server
/// uses too (`aktiver_emrtd::verdict`): passive authentication against the
/// trust anchors, active authentication on the server's challenge (required
/// when the SOD lists DG15), the chip's MRZ against the scanned one, expiry.
/// The first failed step gives the failure code the server would answer.
pub fn verdict(
    trust: &TrustStore,
    outcome: ReadOutcome,
    scanned_mrz: &str,
    challenge: Option<[u8; 8]>,
    now: SystemTime,
) -> Result<ChipData, Failure> {
    let sod = outcome.files.get(&0x011D).map(Vec::as_slice).unwrap_or(&[]);
    let groups: Vec<(DataGroup, &[u8])> = outcome
        .files
        .iter()
        .filter_map(|(&fid, v)| DataGroup::from_fid(fid).map(|dg| (dg, v.as_slice())))
        .collect();
    let read = ChipRead {
        sod,
        data_groups: &groups,
        document_signers: &[],
    };
    let mut input = IdCheckInput::new(now);
    input.scanned_mrz = Some(scanned_mrz);
    input.active_authentication = outcome.active_auth_evidence.clone();
    input.expected_challenge = challenge;
    input.chip_authentication = match outcome.chip_authentication {
        AuthOutcome::Passed => ChipAuthenticationClaim::Passed,
        _ => ChipAuthenticationClaim::NotPerformed,
    };
    // The portrait is what the face check compares.
    let required = [DataGroup::DG2];
    input.required = &required;
    let v = verify_id_check(&read, trust, &input);
    if let Some(step) = v.first_failure() {
        return Err(Failure::from_code(match step.step {
            StepKind::CertificateChain
            | StepKind::DocumentSignerValidity
            | StepKind::DocumentSignerValidityAtSigning
            | StepKind::CscaValidity => ErrorCode::DocumentSignerUntrusted,
            StepKind::ChipAuthentication | StepKind::ActiveAuthentication => {
                ErrorCode::ChipAuthenticationFailed
            }
            StepKind::MrzMatch => ErrorCode::MrzMismatch,
            StepKind::DocumentExpiry => ErrorCode::DocumentExpired,
            _ => ErrorCode::DocumentNotAuthentic,
        }));
    }
    if !v.passed {
        return Err(Failure::from_code(ErrorCode::DocumentNotAuthentic));
    }
    Ok(ChipData {
        chip_authentication: outcome.chip_authentication == AuthOutcome::Passed,
        active_authentication: outcome.active_auth_evidence,
        files: outcome
            .files
            .into_iter()
            .map(|(k, v)| (k, Zeroizing::new(v)))
            .collect(),
    })
}
