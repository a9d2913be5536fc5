//! ID-check evidence over loopback TLS: one test per outcome, with documents
//! issued by the sandbox's test PKI (and a rogue one) for population persons.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use aktiver_emrtd::issuer::{self, DocumentFault, DocumentSpec, IssuedDocument};
use aktiver_emrtd::lds::{DataGroup, fid};
use aktiver_protocol::endpoints::{self as ep, with_session};
use aktiver_protocol::{decode_b64, encode_b64};
use common::*;
use p256::ecdsa::Signature;
use p256::ecdsa::signature::Signer;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Person 3 of the default population: ID check only, face check configured to fail.
const NIN3: &str = "24117510081";
const PHONE3: &str = "+4791234569";
const DOC_NO: &str = "SB0000001";

fn cd(s: &str) -> char {
    char::from(b'0' + aktiver_mrz::check_digit(s.as_bytes()))
}

/// A TD3 MRZ (88 characters, no line break) with `nin` in the personal number.
fn td3(state: &str, doc_no: &str, nin: &str, expiry: &str) -> String {
    let l1 = format!("P<{state}NORDMANN<<KARI");
    let l1 = format!("{l1:<<44}");
    let doc = format!("{doc_no:<<9}");
    let birth = "900515";
    let personal = format!("{nin:<<14}");
    let a = format!("{doc}{}", cd(&doc));
    let b = format!("{birth}{}", cd(birth));
    let c = format!("{expiry}{}", cd(expiry));
    let d = format!("{personal}{}", cd(&personal));
    let composite = cd(&format!("{a}{b}{c}{d}"));
    let l2 = format!("{a}NOR{b}F{c}{d}{composite}");
    assert_eq!((l1.len(), l2.len()), (44, 44));
    format!("{l1}{l2}")
}

fn valid_mrz(nin: &str) -> String {
    td3("NOR", DOC_NO, nin, "310514")
}

fn issue(mrz: &str, faults: &[DocumentFault]) -> IssuedDocument {
    issue_by(
        &aktiver_emrtd::issuer::TestPki::generate(Default::default()).unwrap(),
        mrz,
        faults,
    )
}

fn issue_by(pki: &issuer::TestPki, mrz: &str, faults: &[DocumentFault]) -> IssuedDocument {
    let mut spec = DocumentSpec::passport(mrz);
    spec.portrait_bytes = 2048;
    for f in faults {
        spec = spec.with_fault(*f);
    }
    issuer::issue(pki, &spec).unwrap()
}

fn scanned(mrz: &str) -> String {
    format!("{}\n{}", &mrz[..44], &mrz[44..])
}

fn portrait_hash(doc: &IssuedDocument) -> String {
    encode_b64(&Sha256::digest(doc.file(fid::DG2).unwrap()))
}

/// Session → phone → SMS → method `id_check`.
async fn to_id_check(sb: &Sandbox, nin: &str, phone: &str) -> String {
    let sid = sb.to_method(nin, phone).await;
    let r = sb
        .call(ep::CHOOSE_METHOD, &sid, json!({ "method": "id_check" }))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["step"], "id_check");
    sid
}

async fn aa_challenge(sb: &Sandbox, sid: &str) -> Vec<u8> {
    let r = sb.call(ep::CHALLENGE, sid, json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let ch = decode_b64("c", r.body["challenge_b64"].as_str().unwrap()).unwrap();
    assert_eq!(ch.len(), 8);
    ch
}

async fn face_verdict(sb: &Sandbox, sid: &str, doc: &IssuedDocument) -> Value {
    let r = sb
        .post(
            ep::SANDBOX_FACE_CHECK.path,
            json!({ "session_id": sid, "portrait_sha256_b64": portrait_hash(doc) }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    r.body
}

fn evidence(
    doc: &IssuedDocument,
    scanned_mrz: &str,
    aa: Option<(&[u8], Vec<u8>)>,
    verdict: Value,
) -> Value {
    let dgs: Vec<Value> = doc
        .data_groups()
        .iter()
        .map(|(dg, bytes)| json!({ "number": dg.number(), "content_b64": encode_b64(bytes) }))
        .collect();
    let mut ev = json!({
        "document": "passport",
        "sod_b64": encode_b64(doc.file(fid::EF_SOD).unwrap()),
        "data_groups": dgs,
        "scanned_mrz": scanned_mrz,
        "face_verdict": verdict,
    });
    if let Some((challenge, signature)) = aa {
        ev["active_auth"] = json!({
            "challenge_b64": encode_b64(challenge),
            "signature_b64": encode_b64(&signature),
        });
    }
    ev
}

fn aa_sign(doc: &IssuedDocument, challenge: &[u8]) -> Vec<u8> {
    doc.keys
        .active_authentication
        .as_ref()
        .unwrap()
        .sign_ecdsa_plain(challenge)
        .unwrap()
}

/// Runs the whole ID check for `doc` in a fresh session of `nin`, with the
/// scanned MRZ and a correct AA signature and face verdict unless overridden.
async fn submit(
    sb: &Sandbox,
    nin: &str,
    phone: &str,
    doc: &IssuedDocument,
    scanned_mrz: &str,
) -> (String, common::Reply) {
    let sid = to_id_check(sb, nin, phone).await;
    let ch = aa_challenge(sb, &sid).await;
    let verdict = face_verdict(sb, &sid, doc).await;
    let ev = evidence(doc, scanned_mrz, Some((&ch, aa_sign(doc, &ch))), verdict);
    let r = sb.call(ep::ID_CHECK, &sid, ev).await;
    (sid, r)
}

/// A rejected check: the typed code with its remedy, the session back at
/// `method` without its phone number, and no stored answer of the session
/// left but the rejection itself.
async fn assert_rejected(sb: &Sandbox, sid: &str, r: &common::Reply, code: &str) {
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(r.code(), code, "{}", r.body);
    assert!(r.body["remedy"].as_str().unwrap().starts_with("remedy."));
    let s = sb.get(&with_session(ep::GET_SESSION, sid)).await;
    assert_eq!(s.body["step"], "method", "{}", s.body);
    let app = sb.server.as_ref().unwrap().app.clone();
    let conn = app.db.lock().unwrap();
    let rec = aktiver_sandbox::db::get_session(&conn, sid)
        .unwrap()
        .unwrap();
    assert!(rec.sms_to.is_none() && rec.id_check.is_none() && rec.challenge.is_none());
    let kept: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM idempotency WHERE session_id = ?1",
            [sid],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(kept, 1, "only the rejection's own answer is kept");
}

#[tokio::test]
async fn valid_evidence_qualifies_and_the_activation_completes() {
    let sb = start().await;
    let mrz = valid_mrz(NIN);
    let doc = issue(&mrz, &[]);
    let (sid, r) = submit(&sb, NIN, PHONE, &doc, &scanned(&mrz)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["step"], "device");
    let key = new_key();
    let r = sb.register_key(ep::REGISTER_DEVICE, &sid, &key).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = sb.sign_agreement(&sid, &key, PASSWORD).await;
    assert_eq!(
        (r.status, r.body["step"].as_str()),
        (200, Some("complete")),
        "{}",
        r.body
    );
    let conn = sb.server.as_ref().unwrap().app.db.lock().unwrap();
    let rec = aktiver_sandbox::db::get_session(&conn, &sid)
        .unwrap()
        .unwrap();
    let idc = rec.id_check.unwrap();
    assert!(idc.active_authentication && idc.chip_authentication_claim.is_none());
}

/// The attack of issue 14: a copy of the victim's data groups (no AA key), a
/// chip-authentication claim and the victim's SMS code. Every variant of the
/// claim is refused while the SOD lists DG15.
#[tokio::test]
async fn a_cloned_chip_with_a_chip_authentication_claim_is_refused() {
    let sb = start().await;
    let mrz = valid_mrz(NIN);
    let doc = issue(&mrz, &[]);
    let ca_key = doc.keys.chip_authentication.as_ref().unwrap();
    for transcript in [
        String::new(),
        "not base64!".to_owned(),
        encode_b64(&ca_key.public_point),
    ] {
        let sid = to_id_check(&sb, NIN, PHONE).await;
        let verdict = face_verdict(&sb, &sid, &doc).await;
        let mut ev = evidence(&doc, &scanned(&mrz), None, verdict);
        ev["chip_auth"] = json!({ "protocol": "ca", "transcript_b64": transcript });
        let r = sb.call(ep::ID_CHECK, &sid, ev).await;
        assert_rejected(&sb, &sid, &r, "chip_authentication_failed").await;
        assert_eq!(r.body["field"], "active_auth", "{}", r.body);
        sb.raw(
            reqwest::Method::DELETE,
            &with_session(ep::CANCEL_SESSION, &sid),
            Some(&sb.key()),
            None,
        )
        .await;
    }
}

#[tokio::test]
async fn dg15_cannot_be_left_out_when_the_sod_lists_it() {
    let sb = start().await;
    let mrz = valid_mrz(NIN);
    let doc = issue(&mrz, &[]);
    let sid = to_id_check(&sb, NIN, PHONE).await;
    let ch = aa_challenge(&sb, &sid).await;
    let verdict = face_verdict(&sb, &sid, &doc).await;
    let mut ev = evidence(
        &doc,
        &scanned(&mrz),
        Some((&ch, aa_sign(&doc, &ch))),
        verdict,
    );
    ev["data_groups"]
        .as_array_mut()
        .unwrap()
        .retain(|g| g["number"] != 15);
    ev["chip_auth"] = json!({ "protocol": "ca", "transcript_b64": encode_b64(&[1u8; 65]) });
    let r = sb.call(ep::ID_CHECK, &sid, ev).await;
    assert_rejected(&sb, &sid, &r, "chip_authentication_failed").await;
    assert_eq!(r.body["field"], "data_groups", "{}", r.body);
}

/// A chip without active authentication (no DG15 in its SOD) cannot be told
/// from a clone: refused by default, even with a chip-authentication claim
/// (second adversarial pass: a made-up claim passed).
#[tokio::test]
async fn a_chip_without_active_authentication_is_refused_by_default() {
    let sb = start().await;
    let mrz = valid_mrz(NIN);
    let doc = document_without_dg15(&mrz);
    let sid = to_id_check(&sb, NIN, PHONE).await;
    let verdict = face_verdict(&sb, &sid, &doc).await;
    let mut ev = evidence(&doc, &scanned(&mrz), None, verdict);
    ev["chip_auth"] = json!({ "protocol": "ca", "transcript_b64": encode_b64(&[4u8; 65]) });
    let r = sb.call(ep::ID_CHECK, &sid, ev).await;
    assert_rejected(&sb, &sid, &r, "chip_authentication_failed").await;
}

fn document_without_dg15(mrz: &str) -> IssuedDocument {
    let mut spec = DocumentSpec::passport(mrz);
    spec.portrait_bytes = 2048;
    spec.active_authentication = None;
    let doc = issuer::issue(
        &aktiver_emrtd::issuer::TestPki::generate(Default::default()).unwrap(),
        &spec,
    )
    .unwrap();
    assert!(doc.file(fid::DG15).is_none());
    doc
}

/// With `accept_chip_authentication_claims` (a tester's opt-in), the
/// reader's chip-authentication claim is all there is, and only a
/// well-formed one counts.
#[tokio::test]
async fn a_chip_without_active_authentication_needs_a_well_formed_claim() {
    let rules = aktiver_sandbox::Rules {
        accept_chip_authentication_claims: true,
        ..aktiver_sandbox::Rules::for_tests()
    };
    let sb = start_opts(None, rules).await;
    let mrz = valid_mrz(NIN);
    let doc = document_without_dg15(&mrz);
    let good = encode_b64(&[4u8; 65]);
    let cases: [(&str, String, bool, &str); 4] = [
        ("ca", String::new(), true, "evidence_rejected"),
        ("ca", "%%%%".to_owned(), true, "evidence_rejected"),
        ("ca", good.clone(), false, "chip_authentication_failed"),
        ("tls", good.clone(), true, "evidence_rejected"),
    ];
    for (protocol, transcript, with_dg14, code) in cases {
        let sid = to_id_check(&sb, NIN, PHONE).await;
        let verdict = face_verdict(&sb, &sid, &doc).await;
        let mut ev = evidence(&doc, &scanned(&mrz), None, verdict);
        if !with_dg14 {
            ev["data_groups"]
                .as_array_mut()
                .unwrap()
                .retain(|g| g["number"] != 14);
        }
        ev["chip_auth"] = json!({ "protocol": protocol, "transcript_b64": transcript });
        let r = sb.call(ep::ID_CHECK, &sid, ev).await;
        assert_rejected(&sb, &sid, &r, code).await;
        sb.raw(
            reqwest::Method::DELETE,
            &with_session(ep::CANCEL_SESSION, &sid),
            Some(&sb.key()),
            None,
        )
        .await;
    }
    let sid = to_id_check(&sb, NIN, PHONE).await;
    let verdict = face_verdict(&sb, &sid, &doc).await;
    let mut ev = evidence(&doc, &scanned(&mrz), None, verdict);
    ev["chip_auth"] = json!({ "protocol": "ca", "transcript_b64": good });
    let r = sb.call(ep::ID_CHECK, &sid, ev).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let conn = sb.server.as_ref().unwrap().app.db.lock().unwrap();
    let rec = aktiver_sandbox::db::get_session(&conn, &sid)
        .unwrap()
        .unwrap();
    let idc = rec.id_check.unwrap();
    assert_eq!(
        (
            idc.active_authentication,
            idc.chip_authentication_claim.as_deref()
        ),
        (false, Some("ca"))
    );
}

#[tokio::test]
async fn no_chip_proof_is_rejected() {
    let sb = start().await;
    let mrz = valid_mrz(NIN);
    let doc = issue(&mrz, &[]);
    let sid = to_id_check(&sb, NIN, PHONE).await;
    let verdict = face_verdict(&sb, &sid, &doc).await;
    let ev = evidence(&doc, &scanned(&mrz), None, verdict);
    let r = sb.call(ep::ID_CHECK, &sid, ev).await;
    assert_rejected(&sb, &sid, &r, "chip_authentication_failed").await;
}

#[tokio::test]
async fn tampered_data_group_is_not_authentic() {
    let sb = start().await;
    let mrz = valid_mrz(NIN);
    let doc = issue(
        &mrz,
        &[DocumentFault::TamperedDataGroup(DataGroup::new(2).unwrap())],
    );
    let (sid, r) = submit(&sb, NIN, PHONE, &doc, &scanned(&mrz)).await;
    assert_rejected(&sb, &sid, &r, "document_not_authentic").await;
}

#[tokio::test]
async fn untrusted_document_signer_is_rejected() {
    let sb = start().await;
    let mrz = valid_mrz(NIN);
    let doc = issue(&mrz, &[DocumentFault::UntrustedDocumentSigner]);
    let (sid, r) = submit(&sb, NIN, PHONE, &doc, &scanned(&mrz)).await;
    assert_rejected(&sb, &sid, &r, "document_signer_untrusted").await;
}

#[tokio::test]
async fn chip_mrz_differing_from_the_scanned_mrz_is_rejected() {
    let sb = start().await;
    let mrz = valid_mrz(NIN);
    let doc = issue(&mrz, &[]);
    let other = td3("NOR", "SB0000009", NIN, "310514");
    let (sid, r) = submit(&sb, NIN, PHONE, &doc, &scanned(&other)).await;
    assert_rejected(&sb, &sid, &r, "mrz_mismatch").await;
}

#[tokio::test]
async fn another_persons_document_is_rejected() {
    let sb = start().await;
    let mrz = valid_mrz(NIN3);
    let doc = issue(&mrz, &[]);
    let (sid, r) = submit(&sb, NIN, PHONE, &doc, &scanned(&mrz)).await;
    assert_rejected(&sb, &sid, &r, "identity_mismatch").await;
}

#[tokio::test]
async fn expired_document_is_rejected() {
    let sb = start().await;
    // The tests' clock is 2027-01-15.
    let mrz = td3("NOR", DOC_NO, NIN, "260101");
    let doc = issue(&mrz, &[]);
    let (sid, r) = submit(&sb, NIN, PHONE, &doc, &scanned(&mrz)).await;
    assert_rejected(&sb, &sid, &r, "document_expired").await;
}

#[tokio::test]
async fn foreign_document_is_not_accepted() {
    let sb = start().await;
    let mrz = td3("SWE", DOC_NO, NIN, "310514");
    let doc = issue(&mrz, &[]);
    let (sid, r) = submit(&sb, NIN, PHONE, &doc, &scanned(&mrz)).await;
    assert_rejected(&sb, &sid, &r, "document_not_accepted").await;
}

#[tokio::test]
async fn failed_face_check_is_rejected_and_deletes_the_sessions_data() {
    let sb = start().await;
    let mrz = valid_mrz(NIN3);
    let doc = issue(&mrz, &[]);
    let (sid, r) = submit(&sb, NIN3, PHONE3, &doc, &scanned(&mrz)).await;
    assert_rejected(&sb, &sid, &r, "face_check_failed").await;
    // Nothing the check saw survives anywhere in the state: not the portrait
    // hash the verdict carried, not the document number, not the phone in the session.
    let hash = portrait_hash(&doc);
    let conn = sb.server.as_ref().unwrap().app.db.lock().unwrap();
    let mut all = String::new();
    for (table, col) in [
        ("idempotency", "body"),
        ("sessions", "data"),
        ("persons", "data"),
    ] {
        let mut st = conn.prepare(&format!("SELECT {col} FROM {table}")).unwrap();
        let rows = st.query_map([], |r| r.get::<_, String>(0)).unwrap();
        for row in rows {
            all.push_str(&row.unwrap());
        }
    }
    assert!(!all.contains(&hash));
    assert!(!all.contains(DOC_NO));
    assert!(!all.contains("NORDMANN"));
    let session_json: String = conn
        .query_row("SELECT data FROM sessions WHERE id = ?1", [&sid], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(!session_json.contains(&PHONE3[3..]));
}

#[tokio::test]
async fn forged_face_verdict_is_rejected() {
    let sb = start().await;
    let mrz = valid_mrz(NIN);
    let doc = issue(&mrz, &[]);
    let sid = to_id_check(&sb, NIN, PHONE).await;
    let ch = aa_challenge(&sb, &sid).await;
    let payload = serde_json::to_vec(&json!({
        "provider": "sandbox-face", "session_id": sid,
        "portrait_sha256_b64": portrait_hash(&doc), "outcome": "pass", "issued_at": T0,
    }))
    .unwrap();
    let sig: Signature = new_key().sign(&payload);
    let verdict = json!({
        "provider": "sandbox-face",
        "payload_b64": encode_b64(&payload),
        "signature_b64": encode_b64(sig.to_der().as_bytes()),
    });
    let ev = evidence(
        &doc,
        &scanned(&mrz),
        Some((&ch, aa_sign(&doc, &ch))),
        verdict,
    );
    let r = sb.call(ep::ID_CHECK, &sid, ev).await;
    assert_rejected(&sb, &sid, &r, "face_verdict_invalid").await;
}

#[tokio::test]
async fn face_verdict_for_another_portrait_is_rejected() {
    let sb = start().await;
    let mrz = valid_mrz(NIN);
    let doc = issue(&mrz, &[]);
    let sid = to_id_check(&sb, NIN, PHONE).await;
    let ch = aa_challenge(&sb, &sid).await;
    let r = sb
        .post(
            ep::SANDBOX_FACE_CHECK.path,
            json!({ "session_id": sid, "portrait_sha256_b64": encode_b64(&[7u8; 32]) }),
        )
        .await;
    let ev = evidence(
        &doc,
        &scanned(&mrz),
        Some((&ch, aa_sign(&doc, &ch))),
        r.body,
    );
    let r = sb.call(ep::ID_CHECK, &sid, ev).await;
    assert_rejected(&sb, &sid, &r, "face_verdict_invalid").await;
}

#[tokio::test]
async fn bad_active_authentication_signature_is_rejected() {
    let sb = start().await;
    let mrz = valid_mrz(NIN);
    let doc = issue(&mrz, &[]);
    let sid = to_id_check(&sb, NIN, PHONE).await;
    let ch = aa_challenge(&sb, &sid).await;
    let verdict = face_verdict(&sb, &sid, &doc).await;
    // Signed over another challenge.
    let ev = evidence(
        &doc,
        &scanned(&mrz),
        Some((&ch, aa_sign(&doc, b"12345678"))),
        verdict,
    );
    let r = sb.call(ep::ID_CHECK, &sid, ev).await;
    assert_rejected(&sb, &sid, &r, "chip_authentication_failed").await;
    // A replayed challenge is refused too: it was single use.
    let r = sb
        .call(ep::CHOOSE_METHOD, &sid, json!({ "method": "id_check" }))
        .await;
    assert_eq!(r.status, 200);
    let verdict = face_verdict(&sb, &sid, &doc).await;
    let ev = evidence(
        &doc,
        &scanned(&mrz),
        Some((&ch, aa_sign(&doc, &ch))),
        verdict,
    );
    let r = sb.call(ep::ID_CHECK, &sid, ev).await;
    assert_rejected(&sb, &sid, &r, "chip_authentication_failed").await;
}

#[tokio::test]
async fn repeated_failures_suspend_the_session() {
    let sb = start().await;
    let mrz = valid_mrz(NIN3);
    let doc = issue(&mrz, &[]);
    let (sid, _) = submit(&sb, NIN3, PHONE3, &doc, &scanned(&mrz)).await;
    let mut last = None;
    for _ in 0..2 {
        sb.call(ep::CHOOSE_METHOD, &sid, json!({ "method": "id_check" }))
            .await;
        let ch = aa_challenge(&sb, &sid).await;
        let verdict = face_verdict(&sb, &sid, &doc).await;
        let ev = evidence(
            &doc,
            &scanned(&mrz),
            Some((&ch, aa_sign(&doc, &ch))),
            verdict,
        );
        last = Some(sb.call(ep::ID_CHECK, &sid, ev).await);
    }
    let r = last.unwrap();
    assert_eq!(
        (r.status, r.code()),
        (423, "session_suspended"),
        "{}",
        r.body
    );
}

#[tokio::test]
async fn a_configured_master_list_adds_trusted_cscas() {
    let other = issuer::TestPki::generate(issuer::PkiConfig {
        seed: b"another country's CSCA".to_vec(),
        country: "NO".into(),
        ..Default::default()
    })
    .unwrap();
    let mrz = valid_mrz(NIN);
    let doc = issue_by(&other, &mrz, &[]);
    // Not trusted by default ...
    let sb = start().await;
    let (sid, r) = submit(&sb, NIN, PHONE, &doc, &scanned(&mrz)).await;
    assert_rejected(&sb, &sid, &r, "document_signer_untrusted").await;
    // ... trusted once its master list is configured.
    let sb = start_trusting(vec![other.master_list(&[]).unwrap()]).await;
    let (_, r) = submit(&sb, NIN, PHONE, &doc, &scanned(&mrz)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // A file that is no trust anchor stops the start.
    let bad = aktiver_sandbox::start(aktiver_sandbox::ServerOptions {
        trust: vec![b"garbage".to_vec()],
        ..Default::default()
    })
    .await;
    assert!(matches!(bad, Err(aktiver_sandbox::ServerError::Trust(_))));
}
