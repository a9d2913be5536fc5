//! The shared ID-check verdict over issued documents: each rule has a case
//! that fails when the rule is broken.

#![cfg(feature = "virtual-chip")]
#![allow(clippy::unwrap_used)]

use aktiver_emrtd::auth::ActiveAuthEvidence;
use aktiver_emrtd::issuer::{
    ActiveAuthenticationKey, DocumentSpec, IssuedDocument, KeyAlgorithm, PkiConfig, TestPki, issue,
};
use aktiver_emrtd::lds::DataGroup;
use aktiver_emrtd::verdict::{
    ChipAuthenticationClaim, ChipRead, IdCheckInput, IdCheckVerdict, StepKind, StepResult,
    verify_id_check,
};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 2026-06-01, inside the test PKI's validity.
fn at() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_780_272_000)
}

/// The ICAO specimen passport with its expiry moved to 2034-04-15 (check
/// digits recomputed), so it is valid at `at()`.
fn mrz() -> String {
    let line1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
    let mut l2: Vec<u8> = b"L898902C36UTO7408122F3404159ZE184226B<<<<<10".to_vec();
    let cd = |d: &[u8]| b'0' + aktiver_mrz::check_digit(d);
    l2[27] = cd(&l2[21..27]);
    let composite: Vec<u8> = [&l2[0..10], &l2[13..20], &l2[21..43]].concat();
    l2[43] = cd(&composite);
    format!("{line1}{}", String::from_utf8(l2).unwrap())
}

struct Fixture {
    pki: TestPki,
    doc: IssuedDocument,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let pki = TestPki::generate(PkiConfig::default()).unwrap();
        let mut spec = DocumentSpec::passport(&mrz());
        spec.portrait_bytes = 2_000;
        spec.active_authentication = Some(KeyAlgorithm::RsaPkcs1 { bits: 1024 });
        let doc = issue(&pki, &spec).unwrap();
        Fixture { pki, doc }
    })
}

const CHALLENGE: [u8; 8] = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];

/// The chip's answer to INTERNAL AUTHENTICATE over `challenge`.
fn aa_signature(challenge: [u8; 8]) -> ActiveAuthEvidence {
    let Some(ActiveAuthenticationKey::Rsa(k)) = &fixture().doc.keys.active_authentication else {
        panic!("an RSA AA key was issued");
    };
    let n = k.n().to_be_bytes();
    let d = k.d().to_be_bytes();
    let signature = aktiver_emrtd::reader::aa::sign_iso9796_2(&n, &d, 0x5A, &challenge).unwrap();
    ActiveAuthEvidence {
        challenge,
        signature,
    }
}

fn check(
    groups: &[(DataGroup, &[u8])],
    edit: impl FnOnce(&mut IdCheckInput<'_>),
) -> IdCheckVerdict {
    let f = fixture();
    let scanned = mrz();
    let mut input = IdCheckInput::new(at());
    input.scanned_mrz = Some(&scanned);
    input.expected_challenge = Some(CHALLENGE);
    input.active_authentication = Some(aa_signature(CHALLENGE));
    edit(&mut input);
    let read = ChipRead {
        sod: f.doc.file(aktiver_emrtd::lds::fid::EF_SOD).unwrap(),
        data_groups: groups,
        document_signers: &[],
    };
    verify_id_check(&read, &f.pki.trust_store(), &input)
}

fn result(v: &IdCheckVerdict, k: StepKind) -> StepResult {
    v.step(k).unwrap().result
}

#[test]
fn a_genuine_read_passes_every_step() {
    let groups = fixture().doc.data_groups();
    let v = check(&groups, |_| {});
    assert!(v.passed, "{}", v.to_json());
    assert_eq!(
        result(&v, StepKind::ActiveAuthentication),
        StepResult::Passed
    );
    assert_eq!(result(&v, StepKind::MrzMatch), StepResult::Passed);
    assert_eq!(result(&v, StepKind::DocumentExpiry), StepResult::Passed);
    let json: serde_json::Value = serde_json::from_str(&v.to_json()).unwrap();
    assert_eq!(json["passed"], true);
    assert!(
        json["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["reason"].is_string())
    );
}

#[test]
fn active_authentication_is_required_when_the_sod_lists_dg15() {
    let groups = fixture().doc.data_groups();
    // No signature: fails, and a chip-authentication claim does not help.
    let v = check(&groups, |i| {
        i.active_authentication = None;
        i.chip_authentication = ChipAuthenticationClaim::Passed;
    });
    assert!(!v.passed);
    assert_eq!(
        result(&v, StepKind::ActiveAuthentication),
        StepResult::Failed
    );
    // A signature over another challenge (a replay) fails.
    let v = check(&groups, |i| {
        i.active_authentication = Some(aa_signature([9; 8]))
    });
    assert_eq!(
        result(&v, StepKind::ActiveAuthentication),
        StepResult::Failed
    );
    // A forged signature fails.
    let v = check(&groups, |i| {
        let mut ev = aa_signature(CHALLENGE);
        ev.signature[5] ^= 1;
        i.active_authentication = Some(ev);
    });
    assert_eq!(
        result(&v, StepKind::ActiveAuthentication),
        StepResult::Failed
    );
}

#[test]
fn dg15_cannot_be_left_out_when_the_sod_lists_it() {
    let groups: Vec<(DataGroup, &[u8])> = fixture()
        .doc
        .data_groups()
        .into_iter()
        .filter(|(d, _)| *d != DataGroup::DG15)
        .collect();
    let v = check(&groups, |_| {});
    assert!(!v.passed);
    assert_eq!(result(&v, StepKind::RequiredDataGroups), StepResult::Failed);
    assert_eq!(
        result(&v, StepKind::ActiveAuthentication),
        StepResult::Failed
    );
}

#[test]
fn nothing_of_dg15_is_used_before_passive_authentication_vouched_for_it() {
    // A DG15 that does not match the SOD is never used to verify AA.
    let f = fixture();
    let mut dg15 = f.doc.file(aktiver_emrtd::lds::fid::DG15).unwrap().to_vec();
    let n = dg15.len();
    dg15[n - 1] ^= 1;
    let groups: Vec<(DataGroup, &[u8])> = f
        .doc
        .data_groups()
        .into_iter()
        .map(|(d, b)| {
            if d == DataGroup::DG15 {
                (d, dg15.as_slice())
            } else {
                (d, b)
            }
        })
        .collect();
    let v = check(&groups, |_| {});
    assert!(!v.passed);
    assert_ne!(
        result(&v, StepKind::ActiveAuthentication),
        StepResult::Passed
    );
    let dg15_step = v
        .steps
        .iter()
        .find(|s| s.step == StepKind::DataGroupHash && s.data_group == Some(15))
        .unwrap();
    assert_eq!(dg15_step.result, StepResult::Failed);
}

#[test]
fn a_chip_authentication_claim_needs_a_vouched_dg14() {
    let groups: Vec<(DataGroup, &[u8])> = fixture()
        .doc
        .data_groups()
        .into_iter()
        .filter(|(d, _)| *d != DataGroup::DG14)
        .collect();
    let v = check(&groups, |i| {
        i.chip_authentication = ChipAuthenticationClaim::Passed
    });
    assert_eq!(result(&v, StepKind::ChipAuthentication), StepResult::Failed);
    let all = fixture().doc.data_groups();
    let v = check(&all, |i| {
        i.chip_authentication = ChipAuthenticationClaim::Passed
    });
    assert_eq!(result(&v, StepKind::ChipAuthentication), StepResult::Passed);
    assert!(v.passed);
}

#[test]
fn dg1_must_match_the_scanned_mrz() {
    let groups = fixture().doc.data_groups();
    let other = mrz().replace("ANNA", "ANNE");
    let v = check(&groups, |i| {
        i.scanned_mrz = Some(Box::leak(other.into_boxed_str()))
    });
    assert!(!v.passed);
    assert_eq!(result(&v, StepKind::MrzMatch), StepResult::Failed);
    // The reason never quotes the MRZ.
    assert!(!v.to_json().contains("ERIKSSON"));
}

#[test]
fn an_expired_document_fails() {
    let groups = fixture().doc.data_groups();
    // 2034-04-16: the day after expiry.
    let later = UNIX_EPOCH + Duration::from_secs(2_028_844_800 + 86_400);
    let v = check(&groups, |i| i.at = later);
    assert_eq!(result(&v, StepKind::DocumentExpiry), StepResult::Failed);
    assert!(!v.passed);
}

#[test]
fn a_csca_without_ca_rights_fails_the_whole_check() {
    let f = fixture();
    let groups = f.doc.data_groups();
    let not_ca = f.pki.csca_without_ca_rights().unwrap();
    let mut trust = aktiver_emrtd::pki::TrustStore::new();
    trust.add_der(&not_ca.der).unwrap();
    let scanned = mrz();
    let mut input = IdCheckInput::new(at());
    input.scanned_mrz = Some(&scanned);
    input.expected_challenge = Some(CHALLENGE);
    input.active_authentication = Some(aa_signature(CHALLENGE));
    let read = ChipRead {
        sod: f.doc.file(aktiver_emrtd::lds::fid::EF_SOD).unwrap(),
        data_groups: &groups,
        document_signers: &[],
    };
    let v = verify_id_check(&read, &trust, &input);
    assert!(!v.passed, "{}", v.to_json());
    assert_eq!(result(&v, StepKind::CertificateChain), StepResult::Failed);
    assert!(
        v.step(StepKind::CertificateChain)
            .unwrap()
            .reason
            .contains("not a certificate authority"),
        "{}",
        v.to_json()
    );
    // Everything else about the read is genuine.
    assert_eq!(result(&v, StepKind::SodSignature), StepResult::Passed);
    assert!(check(&groups, |_| {}).passed);
}
