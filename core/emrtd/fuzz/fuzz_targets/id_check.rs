#![no_main]
//! The shared ID-check verdict and the document-side checks it rests on, on
//! hostile bytes: EF.SOD, data groups, EF.CardSecurity, signatures and
//! active-authentication answers. None may panic or run unbounded.

use aktiver_emrtd::auth::{ActiveAuthEvidence, verify_active_authentication, verify_iso9796_2};
use aktiver_emrtd::lds::{AlgorithmIdentifier, CardSecurity, DataGroup, PublicKeyInfo, oid};
use aktiver_emrtd::pki::{TrustStore, verify, verify_card_security};
use aktiver_emrtd::verdict::{ChipRead, IdCheckInput, verify_id_check};
use libfuzzer_sys::fuzz_target;
use std::time::{Duration, UNIX_EPOCH};

fuzz_target!(|data: &[u8]| {
    // Split at 0xFF 0xFE markers: SOD, DG1, DG15, AA signature.
    let mut parts = data.split(|&b| b == 0xFE);
    let sod = parts.next().unwrap_or(&[]);
    let dg1 = parts.next().unwrap_or(&[]);
    let dg15 = parts.next().unwrap_or(&[]);
    let sig = parts.next().unwrap_or(&[]);
    let at = UNIX_EPOCH + Duration::from_secs(1_780_272_000);
    let store = TrustStore::new();
    let groups = [(DataGroup::DG1, dg1), (DataGroup::DG15, dg15)];
    let mut input = IdCheckInput::new(at);
    input.scanned_mrz = core::str::from_utf8(dg1).ok();
    input.active_authentication = Some(ActiveAuthEvidence {
        challenge: [1; 8],
        signature: sig.to_vec(),
    });
    let read = ChipRead {
        sod,
        data_groups: &groups,
        document_signers: &[],
    };
    let v = verify_id_check(&read, &store, &input);
    let _ = v.to_json();

    let _ = CardSecurity::parse(data);
    let _ = verify_card_security(&store, data, at);
    let evidence = ActiveAuthEvidence {
        challenge: [2; 8],
        signature: sig.to_vec(),
    };
    let _ = verify_active_authentication(dg15, None, &evidence);
    if dg15.len() >= 4 {
        let (n, e) = dg15.split_at(dg15.len() - 3);
        let _ = verify_iso9796_2(n, e, &[3; 8], sig);
    }
    // Any key the SPKI parser accepts, with every ECDSA and RSA scheme.
    if let Ok(key) = PublicKeyInfo::parse(dg1) {
        for o in [
            oid::ECDSA_SHA256,
            oid::ECDSA_PLAIN_SHA512,
            oid::SHA256_WITH_RSA,
            oid::RSASSA_PSS,
        ] {
            let alg = AlgorithmIdentifier {
                oid: o,
                parameters: None,
            };
            let _ = verify(&key, &alg, None, dg15, sig);
        }
    }
});
