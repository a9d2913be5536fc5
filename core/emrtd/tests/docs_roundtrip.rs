//! Issue documents with the test PKI, parse every file, and run passive
//! authentication, including each fault variant.
#![cfg(feature = "issuer")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

use aktiver_emrtd::issuer::{
    ActiveAuthenticationKey, DocumentFault, DocumentSpec, KeyAlgorithm, PkiConfig,
    PortraitEncoding, SPECIMEN_TD1, SPECIMEN_TD3, TestPki, issue,
};
use aktiver_emrtd::lds::{
    DataGroup, Dg1, Dg2, Dg11, Dg15, EcCurve, EfCom, FaceEncoding, ImageFormat, MrzFormat,
    SecurityInfos, Sod, SubjectPublicKey, fid,
};
use aktiver_emrtd::pki::{
    Certificate, ChainError, CmsError, MasterListTrust, PassiveAuthFailure, TrustStore,
    TrustStoreError, ValidityError, passive_authentication,
};
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 2026-06-01: inside the valid Document Signer's validity.
fn at() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_780_272_000)
}

fn pki() -> &'static TestPki {
    static PKI: OnceLock<TestPki> = OnceLock::new();
    PKI.get_or_init(|| TestPki::generate(PkiConfig::default()).unwrap())
}

#[test]
fn passport_files_parse() {
    let doc = issue(pki(), &DocumentSpec::passport(SPECIMEN_TD3)).unwrap();

    let com = EfCom::parse(doc.file(fid::EF_COM).unwrap()).unwrap();
    assert_eq!(com.lds_version, "0107");
    assert_eq!(
        com.data_groups,
        vec![
            DataGroup::DG1,
            DataGroup::DG2,
            DataGroup::DG14,
            DataGroup::DG15
        ]
    );

    let dg1 = Dg1::parse(doc.file(fid::DG1).unwrap()).unwrap();
    assert_eq!(dg1.mrz(), SPECIMEN_TD3);
    assert_eq!(dg1.format(), MrzFormat::Td3);

    let dg2_bytes = doc.file(fid::DG2).unwrap();
    assert!(
        (17_600..17_800).contains(&dg2_bytes.len()),
        "DG2 is {} bytes",
        dg2_bytes.len()
    );
    let dg2 = Dg2::parse(dg2_bytes).unwrap();
    let face = dg2.portrait().unwrap();
    assert_eq!(face.format, ImageFormat::Jpeg);
    assert_eq!(face.image().len(), 17_600);
    assert_eq!((face.width, face.height), (240, 320));
    assert_eq!(
        (face.format_owner, face.format_type),
        (Some(0x0101), Some(0x0008))
    );

    let ca = SecurityInfos::parse_card_access(doc.file(fid::EF_CARD_ACCESS).unwrap()).unwrap();
    let pace: Vec<_> = ca.pace_infos().collect();
    assert_eq!(pace.len(), 1);
    assert_eq!(pace[0].parameter_id, Some(13));

    let dg14 = SecurityInfos::parse_dg14(doc.file(fid::DG14).unwrap()).unwrap();
    let key = dg14.chip_authentication_public_keys().next().unwrap();
    let chip_key = doc.keys.chip_authentication.as_ref().unwrap();
    match &key.public_key.key {
        SubjectPublicKey::Ec { curve, point } => {
            assert_eq!(*curve, Some(EcCurve::BrainpoolP256r1));
            assert_eq!(point, &chip_key.public_point);
        }
        other => panic!("unexpected key {other:?}"),
    }
    assert_eq!(dg14.chip_authentication_infos().count(), 1);
    assert!(dg14.active_authentication().is_some());
    assert_eq!(dg14.pace_infos().count(), 1);

    let dg15 = Dg15::parse(doc.file(fid::DG15).unwrap()).unwrap();
    assert!(matches!(
        dg15.public_key.key,
        SubjectPublicKey::Ec {
            curve: Some(EcCurve::P256),
            ..
        }
    ));

    let sod = Sod::parse(doc.file(fid::EF_SOD).unwrap()).unwrap();
    let listed: Vec<u8> = sod
        .lds_security_object
        .hashes
        .iter()
        .map(|h| h.data_group.number())
        .collect();
    assert_eq!(listed, vec![1, 2, 14, 15]);

    // The certificates the test PKI makes are strict X.509 DER.
    let ds = Certificate::from_der(sod.document_signer_certificate().unwrap()).unwrap();
    ds.x509().expect("DS certificate decodes with x509-cert");
    Certificate::from_der(&pki().csca().der)
        .unwrap()
        .x509()
        .expect("CSCA decodes with x509-cert");
    assert!(format!("{ds:?}").contains("Document Signer UT"));

    // Secrets stay out of Debug.
    let dbg = format!("{:?} {:?}", doc.keys, dg1);
    assert!(!dbg.contains("ERIKSSON"));
}

#[test]
fn iso39794_portrait_round_trips() {
    let mut spec = DocumentSpec::passport(SPECIMEN_TD3);
    spec.portrait_encoding = PortraitEncoding::Iso39794_5;
    spec.portrait_bytes = 3_000;
    let doc = issue(pki(), &spec).unwrap();
    let dg2 = Dg2::parse(doc.file(fid::DG2).unwrap()).unwrap();
    let face = dg2.portrait().unwrap();
    assert_eq!(face.encoding, FaceEncoding::Iso39794_5);
    assert_eq!(face.format, ImageFormat::Jpeg);
    assert_eq!(face.image().len(), 3_000);
    assert_eq!(
        (face.width, face.height, face.image_data_type),
        (240, 320, Some(2))
    );
    assert!(
        passive_authentication(
            &pki().trust_store(),
            doc.file(fid::EF_SOD).unwrap(),
            &doc.data_groups(),
            at()
        )
        .passed()
    );
}

#[test]
fn active_authentication_key_signs() {
    let doc = issue(pki(), &DocumentSpec::passport(SPECIMEN_TD3)).unwrap();
    let aa = doc.keys.active_authentication.as_ref().unwrap();
    let sig = aa.sign_ecdsa_plain(b"12345678").unwrap();
    assert_eq!(sig.len(), 64);
    let dg15 = Dg15::parse(doc.file(fid::DG15).unwrap()).unwrap();
    let alg = aktiver_emrtd::lds::AlgorithmIdentifier {
        oid: aktiver_emrtd::lds::oid::ECDSA_PLAIN_SHA256,
        parameters: None,
    };
    aktiver_emrtd::pki::verify(&dg15.public_key, &alg, None, b"12345678", &sig).unwrap();
    assert!(matches!(aa, ActiveAuthenticationKey::Ecdsa { .. }));
}

#[test]
fn passive_authentication_passes() {
    let doc = issue(pki(), &DocumentSpec::passport(SPECIMEN_TD3)).unwrap();
    let report = passive_authentication(
        &pki().trust_store(),
        doc.file(fid::EF_SOD).unwrap(),
        &doc.data_groups(),
        at(),
    );
    assert!(report.passed(), "{report:?}");
    assert_eq!(report.verified_data_groups().len(), 4);
    assert!(report.not_read.is_empty());
    assert!(report.csca.is_some());
    let by_fid =
        aktiver_emrtd::pki::passive_authentication_files(&pki().trust_store(), &doc.files, at());
    assert_eq!(by_fid, report);
    let dg1 = Dg1::parse(doc.file(fid::DG1).unwrap()).unwrap();
    assert!(dg1.matches_scanned(&format!("{}\n{}", &SPECIMEN_TD3[..44], &SPECIMEN_TD3[44..])));
}

#[test]
fn id_card_bac_only_with_dg11() {
    let mut spec = DocumentSpec::id_card(SPECIMEN_TD1);
    spec.pace.clear();
    spec.chip_authentication = None;
    spec.active_authentication = None;
    spec.portrait_bytes = 6_000;
    spec.dg11 = vec![
        (0x5F0E, "ERIKSSON<<ANNA<MARIA".into()),
        (0x5F2B, "19740812".into()),
    ];
    let doc = issue(pki(), &spec).unwrap();
    assert!(doc.file(fid::EF_CARD_ACCESS).is_none());
    assert!(doc.file(fid::DG14).is_none());
    assert_eq!(
        Dg1::parse(doc.file(fid::DG1).unwrap()).unwrap().format(),
        MrzFormat::Td1
    );
    let dg11 = Dg11::parse(doc.file(fid::DG11).unwrap()).unwrap();
    assert_eq!(dg11.full_date_of_birth().as_deref(), Some("19740812"));
    let report = passive_authentication(
        &pki().trust_store(),
        doc.file(fid::EF_SOD).unwrap(),
        &doc.data_groups(),
        at(),
    );
    assert!(report.passed(), "{report:?}");
}

#[test]
fn tampered_data_group_fails_its_hash() {
    let spec = DocumentSpec::passport(SPECIMEN_TD3)
        .with_fault(DocumentFault::TamperedDataGroup(DataGroup::DG2));
    let doc = issue(pki(), &spec).unwrap();
    let report = passive_authentication(
        &pki().trust_store(),
        doc.file(fid::EF_SOD).unwrap(),
        &doc.data_groups(),
        at(),
    );
    assert_eq!(
        report.failure(),
        Some(PassiveAuthFailure::DataGroupHashMismatch(DataGroup::DG2))
    );
    assert!(
        report.sod_signature.is_pass() && report.ds_chain.is_pass() && report.ds_validity.is_pass()
    );
    assert_eq!(
        report.verified_data_groups(),
        vec![DataGroup::DG1, DataGroup::DG14, DataGroup::DG15]
    );
    let line = report.to_string();
    assert!(
        line.contains("sod signature: pass") && line.contains("DG2: MISMATCH"),
        "{line}"
    );
}

#[test]
fn expired_document_signer_fails_validity() {
    let doc = issue(
        pki(),
        &DocumentSpec::passport(SPECIMEN_TD3).with_fault(DocumentFault::ExpiredDocumentSigner),
    )
    .unwrap();
    let report = passive_authentication(
        &pki().trust_store(),
        doc.file(fid::EF_SOD).unwrap(),
        &doc.data_groups(),
        at(),
    );
    assert!(matches!(
        report.failure(),
        Some(PassiveAuthFailure::DocumentSignerValidity(
            ValidityError::Expired { .. }
        ))
    ));
    assert!(report.ds_chain.is_pass());
}

#[test]
fn untrusted_document_signer_fails_the_chain() {
    let doc = issue(
        pki(),
        &DocumentSpec::passport(SPECIMEN_TD3).with_fault(DocumentFault::UntrustedDocumentSigner),
    )
    .unwrap();
    let report = passive_authentication(
        &pki().trust_store(),
        doc.file(fid::EF_SOD).unwrap(),
        &doc.data_groups(),
        at(),
    );
    assert!(matches!(
        report.failure(),
        Some(PassiveAuthFailure::UntrustedDocumentSigner(
            ChainError::SignatureByNoTrustedCsca { .. }
        ))
    ));
    // The SOD itself is consistently signed; only the trust is missing.
    assert!(report.sod_signature.is_pass());
    assert_eq!(report.verified_data_groups().len(), 4);
}

#[test]
fn csca_that_is_not_a_certificate_authority_fails_the_chain() {
    let doc = issue(pki(), &DocumentSpec::passport(SPECIMEN_TD3)).unwrap();
    // Same name and key as the real CSCA (so the Document Signer's signature
    // verifies with it), but without basicConstraints cA and keyCertSign.
    let not_ca = pki().csca_without_ca_rights().unwrap();
    let cert = Certificate::from_der(&not_ca.der).unwrap();
    assert!(!cert.is_certificate_authority());
    let mut store = TrustStore::new();
    assert!(store.add(cert));
    let report = passive_authentication(
        &store,
        doc.file(fid::EF_SOD).unwrap(),
        &doc.data_groups(),
        at(),
    );
    assert!(
        matches!(
            report.failure(),
            Some(PassiveAuthFailure::UntrustedDocumentSigner(
                ChainError::CscaNotCertificateAuthority { .. }
            ))
        ),
        "{:?}",
        report.failure()
    );
    assert!(!report.passed());
    // The same document against the real CSCA passes: only the CA rights differ.
    let ok = passive_authentication(
        &pki().trust_store(),
        doc.file(fid::EF_SOD).unwrap(),
        &doc.data_groups(),
        at(),
    );
    assert_eq!(ok.failure(), None);
}

#[test]
fn empty_trust_store_names_the_problem() {
    let doc = issue(pki(), &DocumentSpec::passport(SPECIMEN_TD3)).unwrap();
    let report = passive_authentication(
        &TrustStore::new(),
        doc.file(fid::EF_SOD).unwrap(),
        &doc.data_groups(),
        at(),
    );
    assert_eq!(
        report.failure(),
        Some(PassiveAuthFailure::UntrustedDocumentSigner(
            ChainError::NoCscaWithIssuerName
        ))
    );
}

#[test]
fn unprotected_and_unread_data_groups_are_reported() {
    let doc = issue(pki(), &DocumentSpec::passport(SPECIMEN_TD3)).unwrap();
    let mut groups: Vec<_> = doc
        .data_groups()
        .into_iter()
        .filter(|(dg, _)| *dg != DataGroup::DG15)
        .collect();
    let dg3 = [0x63, 0x00];
    groups.push((DataGroup::new(3).unwrap(), &dg3));
    let report = passive_authentication(
        &pki().trust_store(),
        doc.file(fid::EF_SOD).unwrap(),
        &groups,
        at(),
    );
    assert_eq!(report.not_read, vec![DataGroup::DG15]);
    assert_eq!(
        report.failure(),
        Some(PassiveAuthFailure::DataGroupNotInSod(
            DataGroup::new(3).unwrap()
        ))
    );
}

#[test]
fn corrupted_sod_signature_fails_the_signature_step() {
    let doc = issue(pki(), &DocumentSpec::passport(SPECIMEN_TD3)).unwrap();
    let mut sod = doc.file(fid::EF_SOD).unwrap().to_vec();
    // The SignerInfo signature is the last element: flip a byte inside it.
    let n = sod.len();
    sod[n - 10] ^= 0x55;
    let report = passive_authentication(&pki().trust_store(), &sod, &doc.data_groups(), at());
    assert!(
        matches!(
            report.failure(),
            Some(PassiveAuthFailure::SodSignature(CmsError::Signature(_)))
        ),
        "{:?}",
        report.failure()
    );
}

#[test]
fn malformed_sod_is_a_typed_failure() {
    let doc = issue(pki(), &DocumentSpec::passport(SPECIMEN_TD3)).unwrap();
    let report = passive_authentication(
        &pki().trust_store(),
        &[0x77, 0x01],
        &doc.data_groups(),
        at(),
    );
    assert!(matches!(
        report.failure(),
        Some(PassiveAuthFailure::MalformedSod(_))
    ));
}

#[test]
fn master_list_and_pem_load_the_csca() {
    let ml = pki().master_list(&[]).unwrap();
    // A list that only vouches for itself loads nothing unless the caller
    // says so.
    let mut store = TrustStore::new();
    assert!(matches!(
        store.add_master_list(&ml),
        Err(TrustStoreError::MasterListSignerUntrusted { .. })
    ));
    assert!(store.is_empty());
    let r = store
        .add_master_list_with(&ml, MasterListTrust::AcceptListThatVouchesForItself)
        .unwrap();
    assert_eq!((r.added, r.duplicates, r.rejected), (1, 0, 0));
    assert!(r.signer_chains_to_listed_csca);
    assert!(!r.signer_chains_to_trusted_csca);
    // Once its CSCA is trusted, the list loads under the strict policy.
    let mut strict = pki().trust_store();
    let r = strict.add_master_list(&ml).unwrap();
    assert!(r.signer_chains_to_trusted_csca);
    let doc = issue(pki(), &DocumentSpec::passport(SPECIMEN_TD3)).unwrap();
    assert!(
        passive_authentication(
            &store,
            doc.file(fid::EF_SOD).unwrap(),
            &doc.data_groups(),
            at()
        )
        .passed()
    );

    // A tampered master list is refused.
    let mut bad = ml.clone();
    let n = bad.len();
    bad[n - 5] ^= 1;
    assert!(TrustStore::new().add_master_list(&bad).is_err());

    let pem = x509_pem(&pki().csca().der);
    let mut store = TrustStore::new();
    assert_eq!(store.load(pem.as_bytes()).unwrap().cscas_added, 1);
    assert_eq!(store.load(&pki().csca().der).unwrap().duplicates, 1);
    assert_eq!(store.len(), 1);
}

fn x509_pem(der: &[u8]) -> String {
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for chunk in der.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    let body: Vec<String> = s
        .as_bytes()
        .chunks(64)
        .map(|c| String::from_utf8(c.to_vec()).unwrap())
        .collect();
    format!(
        "-----BEGIN CERTIFICATE-----\n{}\n-----END CERTIFICATE-----\n",
        body.join("\n")
    )
}

#[test]
fn other_curves_verify() {
    for (csca, ds) in [
        (EcCurve::P384, EcCurve::BrainpoolP384r1),
        (EcCurve::P256, EcCurve::BrainpoolP256r1),
    ] {
        let pki = TestPki::generate(PkiConfig {
            csca_algorithm: KeyAlgorithm::Ecdsa(csca),
            ds_algorithm: KeyAlgorithm::Ecdsa(ds),
            ..PkiConfig::default()
        })
        .unwrap();
        let mut spec = DocumentSpec::passport(SPECIMEN_TD3);
        spec.portrait_bytes = 2_000;
        let doc = issue(&pki, &spec).unwrap();
        let report = passive_authentication(
            &pki.trust_store(),
            doc.file(fid::EF_SOD).unwrap(),
            &doc.data_groups(),
            at(),
        );
        assert!(report.passed(), "{csca:?}/{ds:?}: {report:?}");
    }
}

#[test]
fn rsa_pss_csca_and_pkcs1_document_signer() {
    let pki = TestPki::generate(PkiConfig {
        csca_algorithm: KeyAlgorithm::RsaPss { bits: 1024 },
        ds_algorithm: KeyAlgorithm::RsaPkcs1 { bits: 1024 },
        ..PkiConfig::default()
    })
    .unwrap();
    let mut spec = DocumentSpec::passport(SPECIMEN_TD3);
    spec.portrait_bytes = 2_000;
    spec.active_authentication = Some(KeyAlgorithm::RsaPkcs1 { bits: 1024 });
    let doc = issue(&pki, &spec).unwrap();
    let dg15 = Dg15::parse(doc.file(fid::DG15).unwrap()).unwrap();
    assert!(matches!(dg15.public_key.key, SubjectPublicKey::Rsa { .. }));
    let report = passive_authentication(
        &pki.trust_store(),
        doc.file(fid::EF_SOD).unwrap(),
        &doc.data_groups(),
        at(),
    );
    assert!(report.passed(), "{report:?}");
}

/// The `cms` crate, an independent DER decoder, reads what the issuer writes.
#[test]
fn sod_and_master_list_decode_with_the_cms_crate() {
    use cms::content_info::ContentInfo;
    use cms::der::{Decode, Encode};
    use cms::signed_data::SignedData;

    let doc = issue(pki(), &DocumentSpec::passport(SPECIMEN_TD3)).unwrap();
    let sod = doc.file(fid::EF_SOD).unwrap();
    let outer = aktiver_emrtd::lds::ber::parse_one(sod).unwrap();
    assert_eq!(outer.tag, 0x77);
    for der in [outer.value.to_vec(), pki().master_list(&[]).unwrap()] {
        let ci = ContentInfo::from_der(&der).expect("ContentInfo");
        let sd: SignedData = ci.content.decode_as().expect("SignedData");
        assert_eq!(sd.signer_infos.0.len(), 1);
        assert_eq!(sd.certificates.as_ref().map(|c| c.0.len()), Some(1));
        let si = sd.signer_infos.0.get(0).unwrap();
        let attrs = si.signed_attrs.as_ref().unwrap();
        assert_eq!(attrs.len(), 2);
        assert!(attrs.to_der().unwrap().starts_with(&[0x31]));
    }
    // What our parser hands to the signature check is exactly the DER SET OF
    // the cms crate re-encodes.
    let ci = ContentInfo::from_der(outer.value).unwrap();
    let sd: SignedData = ci.content.decode_as().unwrap();
    let theirs = sd
        .signer_infos
        .0
        .get(0)
        .unwrap()
        .signed_attrs
        .as_ref()
        .unwrap()
        .to_der()
        .unwrap();
    let ours = Sod::parse(sod)
        .unwrap()
        .signer_info()
        .unwrap()
        .signed_attributes
        .clone()
        .unwrap();
    assert_eq!(ours, theirs);
}
