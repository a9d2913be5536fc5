//! Writes seed corpora for the document-side fuzz targets:
//! `AKTIVER_FUZZ_SEEDS=core/emrtd/fuzz/corpus cargo test -p aktiver-emrtd --features virtual-chip --test docs_fuzz_seeds -- --ignored`
#![cfg(feature = "issuer")]
#![allow(clippy::unwrap_used)]

use aktiver_emrtd::issuer::{
    DocumentSpec, KeyAlgorithm, PkiConfig, SPECIMEN_TD1, SPECIMEN_TD3, TestPki, issue,
};
use aktiver_emrtd::lds::{EcCurve, fid};

#[test]
#[ignore = "writes files; run on demand"]
fn write_fuzz_seeds() {
    let Ok(root) = std::env::var("AKTIVER_FUZZ_SEEDS") else {
        return;
    };
    let root = std::path::Path::new(&root);
    let write = |target: &str, name: &str, bytes: &[u8]| {
        let dir = root.join(target);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), bytes).unwrap();
    };
    let configs = [
        ("ec", PkiConfig::default()),
        (
            "rsa",
            PkiConfig {
                csca_algorithm: KeyAlgorithm::RsaPss { bits: 1024 },
                ds_algorithm: KeyAlgorithm::RsaPkcs1 { bits: 1024 },
                ..PkiConfig::default()
            },
        ),
        (
            "p384",
            PkiConfig {
                csca_algorithm: KeyAlgorithm::Ecdsa(EcCurve::P384),
                ds_algorithm: KeyAlgorithm::Ecdsa(EcCurve::BrainpoolP384r1),
                ..PkiConfig::default()
            },
        ),
    ];
    for (label, config) in configs {
        let pki = TestPki::generate(config).unwrap();
        for (kind, mrz) in [("td3", SPECIMEN_TD3), ("td1", SPECIMEN_TD1)] {
            let mut spec = DocumentSpec::passport(mrz);
            spec.portrait_bytes = 1_200;
            spec.dg11 = vec![(0x5F0E, "X<<Y".into()), (0x5F2B, "19700101".into())];
            if kind == "td1" {
                spec.portrait_encoding = aktiver_emrtd::issuer::PortraitEncoding::Iso39794_5;
            }
            let doc = issue(&pki, &spec).unwrap();
            for (f, bytes) in &doc.files {
                let name = format!("{label}-{kind}-{f:04X}");
                if *f == fid::EF_SOD {
                    write("sod_passive_auth", &name, bytes);
                } else {
                    write("lds_files", &name, bytes);
                }
            }
        }
        write(
            "masterlist_load",
            &format!("{label}-ml"),
            &pki.master_list(&[]).unwrap(),
        );
        write("masterlist_load", &format!("{label}-csca"), &pki.csca().der);
    }
}
