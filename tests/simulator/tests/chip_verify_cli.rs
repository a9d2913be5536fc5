//! `aktiver-sim chip verify` end to end: the built binary on files written
//! as a phone or a backend would have them (raw, hex, base64), real
//! documents' SODs and master lists, and its exit status.
#![allow(clippy::unwrap_used)]

use aktiver_emrtd::issuer::{
    ActiveAuthenticationKey, DocumentSpec, IssuedDocument, KeyAlgorithm, PkiConfig, TestPki, issue,
};
use aktiver_emrtd::lds::fid;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn real(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../core/emrtd/tests/fixtures/real")
        .join(name)
}

fn verify(args: &[&str]) -> (Value, i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_aktiver-sim"))
        .args(["chip", "verify"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (json, out.status.code().unwrap(), stderr)
}

fn step<'a>(v: &'a Value, name: &str, dg: Option<u64>) -> &'a Value {
    v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == name && s["data_group"].as_u64() == dg)
        .unwrap_or_else(|| panic!("no step {name} {dg:?} in {v}"))
}

/// The ICAO specimen passport with its expiry moved to 2034-04-15.
fn mrz() -> String {
    let line1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
    let mut l2: Vec<u8> = b"L898902C36UTO7408122F3404159ZE184226B<<<<<10".to_vec();
    let cd = |d: &[u8]| b'0' + aktiver_mrz::check_digit(d);
    l2[27] = cd(&l2[21..27]);
    let composite: Vec<u8> = [&l2[0..10], &l2[13..20], &l2[21..43]].concat();
    l2[43] = cd(&composite);
    format!("{line1}\n{}", String::from_utf8(l2).unwrap())
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("aktiver-chip-verify-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn base64(b: &[u8]) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut s = String::new();
    for c in b.chunks(3) {
        let x = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(x[0]) << 16) | (u32::from(x[1]) << 8) | u32::from(x[2]);
        for i in 0..4 {
            s.push(if i <= c.len() {
                T[((n >> (18 - 6 * i)) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    s
}

/// An issued passport with an RSA active-authentication key, written out:
/// EF.SOD as hex, DG1 as base64, the others raw; the CSCA as DER in a
/// folder with a file that is no certificate.
fn written(dir: &Path) -> (TestPki, IssuedDocument) {
    let pki = TestPki::generate(PkiConfig::default()).unwrap();
    let mut spec = DocumentSpec::passport(&mrz().replace('\n', ""));
    spec.portrait_bytes = 2_000;
    spec.active_authentication = Some(KeyAlgorithm::RsaPkcs1 { bits: 1024 });
    let doc = issue(&pki, &spec).unwrap();
    std::fs::write(dir.join("sod.hex"), hex(doc.file(fid::EF_SOD).unwrap())).unwrap();
    for (dg, bytes) in doc.data_groups() {
        let n = dg.number();
        if n == 1 {
            std::fs::write(dir.join("dg1.b64"), base64(bytes)).unwrap();
        } else {
            std::fs::write(dir.join(format!("dg{n}.bin")), bytes).unwrap();
        }
    }
    let trust = dir.join("trust");
    std::fs::create_dir_all(&trust).unwrap();
    std::fs::write(trust.join("csca.cer"), &pki.csca().der).unwrap();
    std::fs::write(trust.join("notes.txt"), b"not a certificate").unwrap();
    (pki, doc)
}

#[test]
fn a_genuine_read_passes_and_a_tampered_one_fails() {
    let dir = tempdir("genuine");
    let (_pki, doc) = written(&dir);
    let Some(ActiveAuthenticationKey::Rsa(k)) = &doc.keys.active_authentication else {
        panic!("RSA AA key");
    };
    let challenge = [1u8, 2, 3, 4, 5, 6, 7, 8];
    let sig = aktiver_emrtd::reader::aa::sign_iso9796_2(
        &k.n().to_be_bytes(),
        &k.d().to_be_bytes(),
        0x5A,
        &challenge,
    )
    .unwrap();
    std::fs::write(dir.join("aa.bin"), &sig).unwrap();
    let p = |n: &str| dir.join(n).display().to_string();
    let mrz = mrz();
    let mut args: Vec<String> = vec!["--sod".into(), p("sod.hex")];
    for dg in ["1=dg1.b64", "2=dg2.bin", "14=dg14.bin", "15=dg15.bin"] {
        let (n, f) = dg.split_once('=').unwrap();
        args.extend(["--dg".into(), format!("{n}={}", p(f))]);
    }
    args.extend([
        "--trust".into(),
        p("trust"),
        "--at".into(),
        "2026-06-01".into(),
        "--mrz".into(),
        mrz.clone(),
        "--challenge".into(),
        hex(&challenge),
        "--aa-signature".into(),
        p("aa.bin"),
    ]);
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let (v, code, err) = verify(&argv);
    assert_eq!(code, 0, "{v}\n{err}");
    assert_eq!(v["passed"], true);
    assert_eq!(step(&v, "active_authentication", None)["result"], "passed");
    assert_eq!(step(&v, "data_group_hash", Some(1))["result"], "passed");
    assert_eq!(v["trust"]["unloadable_files"].as_array().unwrap().len(), 1);

    // Without the AA signature the SOD's DG15 makes the check fail.
    let short: Vec<&str> = argv[..argv.len() - 4].to_vec();
    let (v, code, _) = verify(&short);
    assert_eq!(code, 1, "{v}");
    assert_eq!(step(&v, "active_authentication", None)["result"], "failed");

    // A tampered DG2 fails its hash step.
    let mut dg2 = std::fs::read(dir.join("dg2.bin")).unwrap();
    let n = dg2.len();
    dg2[n - 1] ^= 1;
    std::fs::write(dir.join("dg2.bin"), &dg2).unwrap();
    let (v, code, _) = verify(&argv);
    assert_eq!(code, 1);
    assert_eq!(v["passed"], false);
    assert_eq!(step(&v, "data_group_hash", Some(2))["result"], "failed");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_real_finnish_sod_chains_to_its_csca_from_a_master_list() {
    // The German master list, trusted through Germany's CSCA, carries the
    // Finnish CSCA (brainpoolP512r1). No data groups: DG1 is missing, so the
    // check as a whole fails, but every passive-authentication step passes.
    let (v, code, err) = verify(&[
        "--sod",
        real("FI.sod").to_str().unwrap(),
        "--trust",
        real("masterlists/DE_ML_2026-05-28.ml").to_str().unwrap(),
        "--trust",
        real("masterlists/DE_ROOT_CA_CSCA07.cer").to_str().unwrap(),
        "--at",
        "2023-08-01",
    ]);
    assert_eq!(code, 1, "{v}\n{err}");
    for s in [
        "sod",
        "signed_attributes",
        "sod_signature",
        "certificate_chain",
    ] {
        assert_eq!(step(&v, s, None)["result"], "passed", "{s}: {v}");
    }
    assert_eq!(step(&v, "required_data_groups", None)["result"], "failed");
    assert!(v["csca"].as_str().unwrap().contains("Finland"));
    assert!(v["trust"]["cscas"].as_u64().unwrap() > 100);

    // Without Germany's CSCA the list vouches only for itself: nothing loads.
    let (v, code, _) = verify(&[
        "--sod",
        real("FI.sod").to_str().unwrap(),
        "--trust",
        real("masterlists/DE_ML_2026-05-28.ml").to_str().unwrap(),
        "--at",
        "2023-08-01",
    ]);
    assert_eq!(code, 1);
    assert_eq!(v["trust"]["cscas"], 0);
    assert_eq!(step(&v, "certificate_chain", None)["result"], "failed");
}

#[test]
fn unreadable_input_is_exit_2() {
    let (_, code, err) = verify(&["--sod", "/nonexistent/sod.bin", "--trust", "/nonexistent"]);
    assert_eq!(code, 2);
    assert!(err.contains("/nonexistent"), "{err}");
    let sod = real("FI.sod");
    let (_, code, err) = verify(&[
        "--sod",
        sod.to_str().unwrap(),
        "--dg",
        "17=x",
        "--trust",
        real("FI.csca.der").to_str().unwrap(),
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("1 to 16"), "{err}");
}
