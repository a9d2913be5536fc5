//! The document-side parsers never panic, whatever the chip sends: arbitrary
//! bytes, and mutations of well-formed files.
#![allow(clippy::unwrap_used)]

use aktiver_emrtd::lds::{
    Dg1, Dg2, Dg11, Dg12, Dg15, EfCom, PublicKeyInfo, SecurityInfos, Sod, ber,
};
use aktiver_emrtd::pki::{Certificate, TrustStore, passive_authentication};
use proptest::prelude::*;
use std::time::UNIX_EPOCH;

fn parse_all(data: &[u8]) {
    let _ = EfCom::parse(data);
    let _ = Dg1::parse(data);
    let _ = Dg2::parse(data);
    let _ = Dg11::parse(data);
    let _ = Dg12::parse(data);
    let _ = Dg15::parse(data);
    let _ = SecurityInfos::parse_card_access(data);
    let _ = SecurityInfos::parse_dg14(data);
    let _ = Sod::parse(data);
    let _ = PublicKeyInfo::parse(data);
    let _ = Certificate::from_der(data);
    let _ = Certificate::from_pem(data);
    let _ = ber::parse_one(data);
    let _ = TrustStore::new().load(data);
    let _ = passive_authentication(&TrustStore::new(), data, &[], UNIX_EPOCH);
}

/// A tag byte from the LDS vocabulary, so random inputs reach deep code.
fn tlv_soup() -> impl Strategy<Value = Vec<u8>> {
    let tags = prop::sample::select(vec![
        0x30u8, 0x31, 0x02, 0x04, 0x06, 0x03, 0xA0, 0xA1, 0x60, 0x61, 0x75, 0x7F, 0x5F, 0x6E, 0x6F,
        0x77, 0x80, 0x81, 0x82, 0x00,
    ]);
    prop::collection::vec(prop_oneof![tags, any::<u8>()], 0..600)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_bytes_never_panic(data in prop::collection::vec(any::<u8>(), 0..2048)) {
        parse_all(&data);
    }

    #[test]
    fn tlv_shaped_bytes_never_panic(data in tlv_soup()) {
        parse_all(&data);
    }
}

#[cfg(feature = "issuer")]
mod mutations {
    use super::*;
    use aktiver_emrtd::issuer::{DocumentSpec, PkiConfig, SPECIMEN_TD3, TestPki, issue};
    use std::sync::OnceLock;

    fn files() -> &'static Vec<Vec<u8>> {
        static FILES: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
        FILES.get_or_init(|| {
            let pki = TestPki::generate(PkiConfig::default()).unwrap();
            let mut spec = DocumentSpec::passport(SPECIMEN_TD3);
            spec.portrait_bytes = 1_500;
            spec.dg11 = vec![(0x5F0E, "X<<Y".into())];
            let doc = issue(&pki, &spec).unwrap();
            let mut v: Vec<Vec<u8>> = doc.files.values().cloned().collect();
            v.push(pki.master_list(&[]).unwrap());
            v.push(pki.csca().der.clone());
            v
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]

        #[test]
        fn mutated_files_never_panic(
            which in any::<prop::sample::Index>(),
            edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..8),
            cut in any::<prop::sample::Index>(),
        ) {
            let files = files();
            let mut data = which.get(files).clone();
            for (at, byte) in edits {
                let i = at.index(data.len());
                data[i] = byte;
            }
            parse_all(&data);
            let n = cut.index(data.len() + 1);
            parse_all(&data[..n]);
        }
    }
}
