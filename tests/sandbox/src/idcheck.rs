//! ID-check evidence, re-verified by the service with the same verdict
//! function the phone runs (`aktiver_emrtd::verdict::verify_id_check`), so
//! server and phone cannot disagree: passive authentication against the CSCA
//! trust store, every submitted data group's hash, DG15 required whenever the
//! SOD lists it and then active authentication over the 8-byte challenge this
//! service issued (single use), DG1 against the scanned MRZ, expiry. On top
//! of it, the service's own rules: a chip without DG15 needs a well-formed
//! chip-authentication claim (the claim cannot be re-verified remotely: its
//! proof is secure-messaging keys that stay in the reader), Norwegian
//! passports and ID cards only, the session's identity number in DG1, and the
//! face-check verdict's signature and binding (session, SHA-256 of DG2, age).
//!
//! The evidence is checked in memory and never stored; the buffers holding it
//! are zeroized when dropped.
use std::time::{Duration, UNIX_EPOCH};

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use aktiver_emrtd::auth::ActiveAuthEvidence;
use aktiver_emrtd::lds::{DataGroup, Dg1};
use aktiver_emrtd::verdict::{
    ChipAuthenticationClaim, ChipRead, IdCheckInput, Step as VerdictStep, StepKind, verify_id_check,
};
use aktiver_nin::Policy;
use aktiver_protocol::{self as proto, DocumentKind, ErrorCode, decode_b64};

use crate::app::{ApiError, App};
use crate::db::IdCheckRec;

fn reject(code: ErrorCode, msg: impl Into<String>) -> ApiError {
    ApiError::new(code, msg)
}

fn malformed(field: &str, msg: &str) -> ApiError {
    let field = field.to_owned();
    ApiError::new(ErrorCode::EvidenceRejected, msg).map(|b| b.with_field(field))
}

/// The open active-authentication challenge of the session, if any (already
/// taken from the session: single use).
pub struct Inputs<'a> {
    pub app: &'a App,
    pub now: i64,
    pub session_id: &'a str,
    pub nin: &'a str,
    pub challenge: Option<Vec<u8>>,
}

/// Verifies everything; the record of a passed check holds no document data.
pub fn verify(i: &Inputs<'_>, ev: &proto::IdCheckEvidence) -> Result<IdCheckRec, ApiError> {
    let sod = Zeroizing::new(
        decode_b64("sod_b64", ev.sod_b64.expose())
            .map_err(|_| malformed("sod_b64", "sod_b64: not base64"))?,
    );
    let mut groups: Vec<(DataGroup, Zeroizing<Vec<u8>>)> = Vec::new();
    for (n, g) in ev.data_groups.iter().enumerate() {
        let field = format!("data_groups[{n}]");
        let dg = DataGroup::new(g.number)
            .ok_or_else(|| malformed(&field, "data group number must be 1 to 16"))?;
        if groups.iter().any(|(d, _)| *d == dg) {
            return Err(malformed(&field, "data group submitted twice"));
        }
        let bytes = decode_b64("content_b64", g.content_b64.expose())
            .map_err(|_| malformed(&field, "content_b64: not base64"))?;
        groups.push((dg, Zeroizing::new(bytes)));
    }
    let get = |n: u8| {
        groups
            .iter()
            .find(|(d, _)| d.number() == n)
            .map(|(_, b)| b.as_slice())
    };
    let (Some(dg1), Some(dg2)) = (get(1), get(2)) else {
        return Err(malformed("data_groups", "DG1 and DG2 are required"));
    };

    // 1. The verdict the phone computes too (core/emrtd's verify_id_check):
    // passive authentication, the data groups the SOD makes required (DG15
    // when listed), active authentication over this server's own challenge
    // whenever the SOD lists DG15, DG1 against the scanned MRZ, expiry.
    let refs: Vec<(DataGroup, &[u8])> = groups.iter().map(|(d, b)| (*d, b.as_slice())).collect();
    let at = UNIX_EPOCH + Duration::from_secs(u64::try_from(i.now).unwrap_or(0));
    let aa = match &ev.active_auth {
        Some(t) => Some(active_authentication_evidence(i, t)?),
        None => None,
    };
    let mut input = IdCheckInput::new(at);
    input.scanned_mrz = Some(ev.scanned_mrz.expose());
    input.expected_challenge = aa.as_ref().map(|e| e.challenge);
    input.active_authentication = aa;
    input.required = &[DataGroup::DG1, DataGroup::DG2];
    input.chip_authentication = if ev.chip_auth.is_some() {
        ChipAuthenticationClaim::Passed
    } else {
        ChipAuthenticationClaim::NotPerformed
    };
    let verdict = verify_id_check(
        &ChipRead {
            sod: &sod,
            data_groups: &refs,
            document_signers: &[],
        },
        &i.app.trust,
        &input,
    );
    if let Some(f) = verdict.first_failure() {
        return Err(verdict_error(f));
    }

    // 2. Clone detection beyond the verdict. A chip whose SOD lists DG15 has
    // just proved itself by active authentication (a chip-authentication
    // claim never replaces it). A chip without DG15 can only offer the
    // reader's chip-authentication claim, taken only when well formed; one
    // with neither proves nothing and is refused.
    let listed = verdict.passive.listed_data_groups();
    let (active, ca_claim) = if listed.contains(&DataGroup::DG15) {
        (true, None)
    } else {
        if ev.active_auth.is_some() {
            return Err(reject(
                ErrorCode::ChipAuthenticationFailed,
                "active authentication submitted but the SOD lists no DG15 (no key to check it with)",
            )
            .map(|b| b.with_field("active_auth")));
        }
        // Without DG15 the server can check the data but not that the chip
        // holding it is the original: a clone passes passive authentication,
        // and a chip-authentication claim is the reader's word (its proof is
        // keys that stay in the reader). Refused unless a tester opts in.
        if !i.app.rules.accept_chip_authentication_claims {
            return Err(reject(
                ErrorCode::ChipAuthenticationFailed,
                "the chip offers no active authentication (no DG15 in its SOD): this server cannot tell it from a clone",
            )
            .map(|b| b.with_field("data_groups")));
        }
        let dg14 = get(14).filter(|_| listed.contains(&DataGroup::DG14));
        (false, Some(chip_authentication_claim(ev, dg14)?))
    };

    // 3. DG1 against the scanned MRZ, then the document rules and the identity number.
    let dg1 = Dg1::parse(dg1).map_err(|_| malformed("data_groups", "DG1 is malformed"))?;
    let today = time::OffsetDateTime::from_unix_timestamp(i.now)
        .map(|t| t.date())
        .map_err(|_| ApiError::new(ErrorCode::Internal, "clock out of range"))?;
    let text = Zeroizing::new(dg1.lines().join("\n"));
    let mrz = aktiver_mrz::parse_at(&text, today)
        .map_err(|_| malformed("data_groups", "DG1 holds no parsable MRZ"))?;
    let kind = match mrz.kind() {
        aktiver_mrz::DocumentKind::Passport => Some(DocumentKind::Passport),
        aktiver_mrz::DocumentKind::IdCard => Some(DocumentKind::IdCard),
        _ => None,
    };
    mrz.check_rules(&aktiver_mrz::DocumentRules::norwegian(today))
        .map_err(|v| {
            use aktiver_mrz::RuleViolation as R;
            match v {
                R::Expired => reject(ErrorCode::DocumentExpired, "the document has expired"),
                R::WrongKind { .. } | R::IssuingStateNotAllowed { .. } => reject(
                    ErrorCode::DocumentNotAccepted,
                    "only Norwegian passports and national ID cards are accepted",
                ),
                R::Invalid | R::ExpiryUnknown => {
                    malformed("data_groups", "DG1's MRZ fails its check digits")
                }
            }
        })?;
    if kind != Some(ev.document) {
        return Err(malformed(
            "document",
            "document: does not match the document code in DG1",
        ));
    }
    let same_person = mrz
        .national_identity_number(Policy::SANDBOX)
        .is_some_and(|n| crate::ct_eq(n.as_str().as_bytes(), i.nin.as_bytes()));
    if !same_person {
        return Err(reject(
            ErrorCode::IdentityMismatch,
            "the document does not carry the session's identity number",
        ));
    }

    // 4. The face-check provider's signed verdict, bound to this session and portrait.
    let v = i.app.face.verify(&ev.face_verdict).map_err(|e| {
        reject(ErrorCode::FaceVerdictInvalid, e.to_string()).map(|b| b.with_field("face_verdict"))
    })?;
    let portrait = proto::encode_b64(&Sha256::digest(dg2));
    let fresh = v.issued_at <= i.now + 60 && i.now - v.issued_at <= i.app.rules.face_verdict_ttl_s;
    if v.session_id != i.session_id || v.portrait_sha256_b64.expose() != portrait || !fresh {
        return Err(reject(
            ErrorCode::FaceVerdictInvalid,
            "face_verdict: issued for another session, portrait or time",
        )
        .map(|b| b.with_field("face_verdict")));
    }
    if v.outcome != "pass" {
        return Err(reject(
            ErrorCode::FaceCheckFailed,
            "the face does not match the document's portrait",
        ));
    }
    Ok(IdCheckRec {
        verified_at: i.now,
        active_authentication: active,
        chip_authentication_claim: ca_claim,
    })
}

/// The chip's answer over the server's open 8-byte challenge; a challenge
/// the server did not issue (or that is used up) is refused here.
fn active_authentication_evidence(
    i: &Inputs<'_>,
    t: &proto::ActiveAuthTranscript,
) -> Result<ActiveAuthEvidence, ApiError> {
    let not_open = || {
        reject(
            ErrorCode::ChipAuthenticationFailed,
            "active_auth.challenge_b64: not the server's open challenge",
        )
        .map(|b| b.with_field("active_auth.challenge_b64"))
    };
    let challenge = decode_b64("challenge_b64", &t.challenge_b64).map_err(|_| not_open())?;
    let signature = decode_b64("signature_b64", &t.signature_b64).map_err(|_| {
        malformed(
            "active_auth.signature_b64",
            "active_auth.signature_b64: not base64",
        )
    })?;
    let open = i.challenge.as_deref().unwrap_or_default();
    match <[u8; 8]>::try_from(challenge.as_slice()) {
        Ok(c) if !open.is_empty() && crate::ct_eq(&c, open) => Ok(ActiveAuthEvidence {
            challenge: c,
            signature,
        }),
        _ => Err(not_open()),
    }
}

/// The typed error for the verdict's first failed step (its reason names
/// steps and data groups, never document content).
fn verdict_error(f: &VerdictStep) -> ApiError {
    let (code, field) = match f.step {
        StepKind::Sod
        | StepKind::SignedAttributes
        | StepKind::SodSignature
        | StepKind::DataGroupHash => (ErrorCode::DocumentNotAuthentic, None),
        StepKind::CertificateChain
        | StepKind::DocumentSignerValidity
        | StepKind::DocumentSignerValidityAtSigning
        | StepKind::CscaValidity => (ErrorCode::DocumentSignerUntrusted, None),
        StepKind::RequiredDataGroups => (ErrorCode::ChipAuthenticationFailed, Some("data_groups")),
        StepKind::ChipAuthentication => (ErrorCode::ChipAuthenticationFailed, Some("chip_auth")),
        StepKind::ActiveAuthentication => {
            (ErrorCode::ChipAuthenticationFailed, Some("active_auth"))
        }
        StepKind::MrzMatch => (ErrorCode::MrzMismatch, Some("scanned_mrz")),
        StepKind::DocumentExpiry => (ErrorCode::DocumentExpired, None),
    };
    let what = match f.data_group {
        Some(n) => format!("DG{n}: {}", f.reason),
        None => f.reason.clone(),
    };
    let e = reject(code, format!("ID check: {what}"));
    match field {
        Some(field) => e.map(|b| b.with_field(field)),
        None => e,
    }
}

/// Largest chip-authentication transcript accepted (a few public keys and APDUs).
const CA_TRANSCRIPT_MAX: usize = 4096;
/// Smallest: an ephemeral P-256 public key alone is 65 bytes.
const CA_TRANSCRIPT_MIN: usize = 32;

/// A chip without active authentication can only be vouched for by the
/// reader's chip-authentication claim, which this service cannot re-verify
/// (its proof is secure-messaging keys that stay in the reader). The claim is
/// taken only when it is well formed: a known protocol, DG14 listed in the SOD
/// and submitted (so its hash was checked), a chip-authentication key in it,
/// and a transcript that decodes to a plausible size.
fn chip_authentication_claim(
    ev: &proto::IdCheckEvidence,
    dg14: Option<&[u8]>,
) -> Result<String, ApiError> {
    let Some(c) = &ev.chip_auth else {
        return Err(reject(
            ErrorCode::ChipAuthenticationFailed,
            "the chip did not prove it is genuine: no DG15 in the SOD and no chip authentication",
        )
        .map(|b| b.with_field("chip_auth")));
    };
    if !matches!(c.protocol.as_str(), "ca" | "pace_cam") {
        return Err(malformed(
            "chip_auth.protocol",
            "chip_auth.protocol: ca or pace_cam",
        ));
    }
    let Some(dg14) = dg14 else {
        return Err(reject(
            ErrorCode::ChipAuthenticationFailed,
            "chip authentication claimed but DG14 (its key) is not listed in the SOD and submitted",
        )
        .map(|b| b.with_field("chip_auth")));
    };
    let has_key = aktiver_emrtd::lds::SecurityInfos::parse_dg14(dg14)
        .is_ok_and(|s| s.chip_authentication_public_keys().next().is_some());
    if !has_key {
        return Err(reject(
            ErrorCode::ChipAuthenticationFailed,
            "chip authentication claimed but DG14 holds no chip-authentication key",
        )
        .map(|b| b.with_field("chip_auth")));
    }
    let transcript = decode_b64("transcript_b64", &c.transcript_b64).ok();
    if !transcript.is_some_and(|t| (CA_TRANSCRIPT_MIN..=CA_TRANSCRIPT_MAX).contains(&t.len())) {
        return Err(malformed(
            "chip_auth.transcript_b64",
            "chip_auth.transcript_b64: base64 of 32 to 4096 bytes expected",
        ));
    }
    Ok(c.protocol.clone())
}
