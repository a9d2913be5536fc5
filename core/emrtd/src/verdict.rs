//! The one ID-check verdict that the phone and the server share: what was
//! read from the chip, the trust store, the scanned MRZ, a time and the
//! verifier's active-authentication challenge in; one typed verdict out,
//! step by step. Document side only: no reader, no secure messaging, so a
//! server links it without the protocol code.
//!
//! Order and rules (ICAO 9303-11, and what a remote verifier can check):
//! passive authentication first (chain, SOD signature, validity, every data
//! group's hash); nothing of DG14/DG15 is used before it vouched for them;
//! DG15 must be read when the SOD lists it, and then active authentication
//! on the verifier's own challenge is required; a chip-authentication claim
//! is only the reader's word and never replaces active authentication;
//! DG1 must match the scanned MRZ; the document must not have expired.

use crate::auth::{ActiveAuthEvidence, verify_active_authentication};
use crate::lds::{DataGroup, Dg1};
use crate::pki::{
    Certificate, DataGroupVerdict, PassiveAuthentication, TrustStore, Verdict,
    passive_authentication_with,
};
use serde::Serialize;
use std::time::SystemTime;

/// What was read from the chip, as read (raw file bytes).
#[derive(Debug, Clone, Copy)]
pub struct ChipRead<'a> {
    pub sod: &'a [u8],
    pub data_groups: &'a [(DataGroup, &'a [u8])],
    /// Document Signer certificates for a SOD that carries none.
    pub document_signers: &'a [Certificate],
}

/// What the reader says about chip authentication (CA or PACE-CAM). A
/// remote verifier cannot check it: it is recorded, never proof.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChipAuthenticationClaim {
    #[default]
    NotPerformed,
    Passed,
    Failed,
}

/// The verifier's side of the check.
#[derive(Debug, Clone)]
pub struct IdCheckInput<'a> {
    /// The MRZ as scanned from the document's page (lines separated by
    /// newlines or not at all); `None` skips the comparison.
    pub scanned_mrz: Option<&'a str>,
    /// The time of the check ("now").
    pub at: SystemTime,
    /// The verifier's challenge and the chip's INTERNAL AUTHENTICATE answer.
    pub active_authentication: Option<ActiveAuthEvidence>,
    /// The challenge the verifier issued; evidence over another challenge
    /// is refused (a replayed signature).
    pub expected_challenge: Option<[u8; 8]>,
    pub chip_authentication: ChipAuthenticationClaim,
    /// Data groups that must be read (DG1 always is; DG15 is added when the
    /// SOD lists it).
    pub required: &'a [DataGroup],
}

impl<'a> IdCheckInput<'a> {
    pub fn new(at: SystemTime) -> Self {
        Self {
            scanned_mrz: None,
            at,
            active_authentication: None,
            expected_challenge: None,
            chip_authentication: ChipAuthenticationClaim::NotPerformed,
            required: &[],
        }
    }
}

/// One step's result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepResult {
    Passed,
    Failed,
    /// An earlier step failed, so this one could not be judged.
    Skipped,
    /// Nothing to judge (e.g. no signing time stated, no MRZ scanned).
    NotApplicable,
}

/// Which step; stable identifiers for JSON and error mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    Sod,
    SignedAttributes,
    SodSignature,
    CertificateChain,
    DocumentSignerValidity,
    DocumentSignerValidityAtSigning,
    CscaValidity,
    DataGroupHash,
    RequiredDataGroups,
    ChipAuthentication,
    ActiveAuthentication,
    MrzMatch,
    DocumentExpiry,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    pub step: StepKind,
    /// The data group for per-group steps.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_group: Option<u8>,
    pub result: StepResult,
    /// Why, in words; never document content.
    pub reason: String,
}

/// The verdict of one ID check.
#[derive(Debug, Clone, Serialize)]
pub struct IdCheckVerdict {
    pub passed: bool,
    pub steps: Vec<Step>,
    /// Subjects of the certificates used (authorities, not people).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document_signer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csca: Option<String>,
    /// Data groups passive authentication vouched for.
    pub verified_data_groups: Vec<u8>,
    /// The whole passive-authentication report, for callers that want it.
    #[serde(skip)]
    pub passive: PassiveAuthentication,
}

impl IdCheckVerdict {
    /// The first failed step.
    pub fn first_failure(&self) -> Option<&Step> {
        self.steps.iter().find(|s| s.result == StepResult::Failed)
    }

    pub fn step(&self, kind: StepKind) -> Option<&Step> {
        self.steps.iter().find(|s| s.step == kind)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|_| String::from("{}"))
    }
}

fn step<E: core::fmt::Display>(kind: StepKind, v: &Verdict<E>, pass_reason: &str) -> Step {
    let (result, reason) = match v {
        Verdict::Pass => (StepResult::Passed, pass_reason.to_owned()),
        Verdict::Fail(e) => (StepResult::Failed, e.to_string()),
        Verdict::Skipped => (StepResult::Skipped, "an earlier step failed".to_owned()),
        Verdict::NotApplicable(why) => (StepResult::NotApplicable, (*why).to_owned()),
    };
    Step {
        step: kind,
        data_group: None,
        result,
        reason,
    }
}

fn plain(kind: StepKind, result: StepResult, reason: impl Into<String>) -> Step {
    Step {
        step: kind,
        data_group: None,
        result,
        reason: reason.into(),
    }
}

/// Runs the whole ID check. See the module documentation for the rules.
pub fn verify_id_check(
    read: &ChipRead<'_>,
    trust: &TrustStore,
    input: &IdCheckInput<'_>,
) -> IdCheckVerdict {
    let pa = passive_authentication_with(
        trust,
        read.sod,
        read.data_groups,
        read.document_signers,
        input.at,
    );
    let mut steps = vec![
        step(
            StepKind::Sod,
            &pa.sod,
            "EF.SOD holds an LDS security object",
        ),
        step(
            StepKind::SignedAttributes,
            &pa.signed_attributes,
            "contentType and messageDigest bind the content; hashes agree",
        ),
        step(
            StepKind::SodSignature,
            &pa.sod_signature,
            "the Document Signer's signature verifies",
        ),
        step(
            StepKind::CertificateChain,
            &pa.ds_chain,
            "the Document Signer is issued by a trusted CSCA",
        ),
        step(
            StepKind::DocumentSignerValidity,
            &pa.ds_validity,
            "valid at the time of the check",
        ),
        step(
            StepKind::DocumentSignerValidityAtSigning,
            &pa.ds_validity_at_signing,
            "valid when the SOD was signed",
        ),
        step(
            StepKind::CscaValidity,
            &pa.csca_validity,
            "the CSCA was valid when it issued the Document Signer",
        ),
    ];
    for c in &pa.data_groups {
        let (result, reason) = match c.verdict {
            DataGroupVerdict::Match => (StepResult::Passed, "hash matches the SOD"),
            DataGroupVerdict::Mismatch => (StepResult::Failed, "hash differs from the SOD"),
            DataGroupVerdict::NotInSod => {
                (StepResult::Failed, "read, but the SOD does not list it")
            }
            DataGroupVerdict::Skipped => (StepResult::Skipped, "the SOD could not be read"),
        };
        steps.push(Step {
            step: StepKind::DataGroupHash,
            data_group: Some(c.data_group.number()),
            result,
            reason: reason.to_owned(),
        });
    }

    let sod_ok = pa.passed();
    let vouched = |dg: DataGroup| pa.vouches_for(dg);
    let bytes = |dg: DataGroup| {
        read.data_groups
            .iter()
            .find(|(d, _)| *d == dg)
            .map(|(_, b)| *b)
    };
    let listed = pa.listed_data_groups();
    let dg15_listed = listed.contains(&DataGroup::DG15);

    // Required data groups: DG1, the caller's, and DG15 when listed.
    let mut required = vec![DataGroup::DG1];
    required.extend_from_slice(input.required);
    if dg15_listed {
        required.push(DataGroup::DG15);
    }
    required.sort();
    required.dedup();
    let missing: Vec<String> = required
        .iter()
        .filter(|dg| bytes(**dg).is_none())
        .map(ToString::to_string)
        .collect();
    steps.push(if !sod_ok {
        plain(
            StepKind::RequiredDataGroups,
            StepResult::Skipped,
            "passive authentication failed",
        )
    } else if missing.is_empty() {
        plain(
            StepKind::RequiredDataGroups,
            StepResult::Passed,
            format!(
                "read: {}",
                required
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
    } else {
        plain(
            StepKind::RequiredDataGroups,
            StepResult::Failed,
            format!("not read: {}", missing.join(", ")),
        )
    });

    // Chip authentication: the reader's claim, resting on a vouched DG14.
    steps.push(match input.chip_authentication {
        ChipAuthenticationClaim::NotPerformed => plain(
            StepKind::ChipAuthentication,
            StepResult::NotApplicable,
            "not performed",
        ),
        ChipAuthenticationClaim::Failed => plain(
            StepKind::ChipAuthentication,
            StepResult::Failed,
            "the reader reports that chip authentication failed",
        ),
        ChipAuthenticationClaim::Passed if !sod_ok => plain(
            StepKind::ChipAuthentication,
            StepResult::Skipped,
            "passive authentication failed",
        ),
        ChipAuthenticationClaim::Passed if vouched(DataGroup::DG14) => plain(
            StepKind::ChipAuthentication,
            StepResult::Passed,
            "the reader's claim (not provable to a remote verifier), with DG14 vouched for",
        ),
        ChipAuthenticationClaim::Passed => plain(
            StepKind::ChipAuthentication,
            StepResult::Failed,
            "claimed, but DG14 (the chip's key) was not read or not vouched for",
        ),
    });

    // Active authentication on the verifier's challenge, required when the
    // SOD lists DG15.
    steps.push(active_authentication_step(
        input,
        sod_ok,
        dg15_listed,
        bytes(DataGroup::DG15).filter(|_| vouched(DataGroup::DG15)),
        bytes(DataGroup::DG14).filter(|_| vouched(DataGroup::DG14)),
    ));

    // DG1 against the scanned MRZ, and expiry.
    let dg1 = bytes(DataGroup::DG1)
        .filter(|_| vouched(DataGroup::DG1))
        .and_then(|b| Dg1::parse(b).ok());
    steps.push(match (input.scanned_mrz, &dg1) {
        (None, _) => plain(
            StepKind::MrzMatch,
            StepResult::NotApplicable,
            "no MRZ scanned",
        ),
        (Some(_), None) => plain(
            StepKind::MrzMatch,
            StepResult::Skipped,
            "DG1 was not read, not vouched for or malformed",
        ),
        (Some(scanned), Some(dg1)) => {
            let flat: String = scanned
                .chars()
                .filter(|c| !c.is_whitespace())
                .map(|c| c.to_ascii_uppercase())
                .collect();
            if flat == dg1.mrz() {
                plain(
                    StepKind::MrzMatch,
                    StepResult::Passed,
                    "DG1 equals the scanned MRZ",
                )
            } else {
                plain(
                    StepKind::MrzMatch,
                    StepResult::Failed,
                    "DG1 differs from the scanned MRZ",
                )
            }
        }
    });
    steps.push(expiry_step(dg1.as_ref(), input.at));

    let passed = steps
        .iter()
        .all(|s| matches!(s.result, StepResult::Passed | StepResult::NotApplicable));
    IdCheckVerdict {
        passed,
        steps,
        document_signer: pa.document_signer.as_ref().map(Certificate::subject_string),
        csca: pa.csca.as_ref().map(Certificate::subject_string),
        verified_data_groups: pa
            .verified_data_groups()
            .iter()
            .map(|d| d.number())
            .collect(),
        passive: pa,
    }
}

fn active_authentication_step(
    input: &IdCheckInput<'_>,
    sod_ok: bool,
    dg15_listed: bool,
    dg15: Option<&[u8]>,
    dg14: Option<&[u8]>,
) -> Step {
    let k = StepKind::ActiveAuthentication;
    if !dg15_listed {
        return plain(k, StepResult::NotApplicable, "the SOD lists no DG15");
    }
    if !sod_ok {
        return plain(k, StepResult::Skipped, "passive authentication failed");
    }
    let Some(dg15) = dg15 else {
        return plain(k, StepResult::Failed, "DG15 is listed but was not read");
    };
    let Some(ev) = &input.active_authentication else {
        return plain(
            k,
            StepResult::Failed,
            "required (the SOD lists DG15) but no signature over the verifier's challenge was given",
        );
    };
    if let Some(expected) = input.expected_challenge
        && expected != ev.challenge
    {
        return plain(
            k,
            StepResult::Failed,
            "the signature is over another challenge",
        );
    }
    match verify_active_authentication(dg15, dg14, ev) {
        Ok(()) => plain(
            k,
            StepResult::Passed,
            "the chip signed the verifier's challenge",
        ),
        Err(e) => plain(k, StepResult::Failed, e.to_string()),
    }
}

fn expiry_step(dg1: Option<&Dg1>, at: SystemTime) -> Step {
    let k = StepKind::DocumentExpiry;
    let Some(dg1) = dg1 else {
        return plain(
            k,
            StepResult::Skipped,
            "DG1 was not read, not vouched for or malformed",
        );
    };
    let today = time::OffsetDateTime::from(at).date();
    let Ok(mrz) = aktiver_mrz::parse_at(&dg1.lines().join("\n"), today) else {
        return plain(k, StepResult::Failed, "DG1's MRZ does not parse");
    };
    match mrz.expiry_date.date {
        None => plain(k, StepResult::Failed, "DG1's expiry date is not a date"),
        Some(d) if d < today => plain(k, StepResult::Failed, "the document has expired"),
        Some(_) => plain(
            k,
            StepResult::Passed,
            "not expired at the time of the check",
        ),
    }
}
