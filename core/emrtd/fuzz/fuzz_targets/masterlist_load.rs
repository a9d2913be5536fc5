#![no_main]
//! Trust-store loading: master lists (CMS), DER and PEM certificates.

use aktiver_emrtd::pki::{Certificate, TrustStore};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut store = TrustStore::new();
    let _ = store.add_master_list(data);
    let _ = store.load(data);
    if let Ok(c) = Certificate::from_der(data) {
        let _ = c.subject_string();
        let _ = c.verify_signed_by(&c);
    }
    let _ = Certificate::from_pem(data);
});
