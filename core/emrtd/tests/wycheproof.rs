//! Wycheproof ECDSA vectors (C2SP/wycheproof, Apache-2.0; see
//! tests/fixtures/wycheproof) for the curves verified by this crate's own
//! generic code (brainpoolP224r1/P320r1/P512r1, P-224) and by the p521
//! crate: every "valid" vector verifies, every "invalid" one is refused
//! ("acceptable" ones may go either way).

#![allow(clippy::unwrap_used)]

use aktiver_emrtd::lds::{AlgorithmIdentifier, PublicKeyInfo, oid};
use aktiver_emrtd::pki::verify;
use serde_json::Value;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

fn run(file: &str, plain: bool) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/wycheproof")
        .join(file);
    let j: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let mut failures = Vec::new();
    let mut checked = 0;
    for g in j["testGroups"].as_array().unwrap() {
        let key = match PublicKeyInfo::parse(&unhex(g["publicKeyDer"].as_str().unwrap())) {
            Ok(k) => k,
            // A key the parser refuses cannot verify anything: only invalid
            // vectors may follow.
            Err(_) => {
                for t in g["tests"].as_array().unwrap() {
                    if t["result"] == "valid" {
                        failures.push(format!("tc {} (key refused)", t["tcId"]));
                    }
                }
                continue;
            }
        };
        let sig_oid = match (g["sha"].as_str().unwrap(), plain) {
            ("SHA-224", false) => oid::ECDSA_SHA224,
            ("SHA-256", false) => oid::ECDSA_SHA256,
            ("SHA-384", false) => oid::ECDSA_SHA384,
            ("SHA-512", false) => oid::ECDSA_SHA512,
            ("SHA-224", true) => oid::ECDSA_PLAIN_SHA224,
            ("SHA-256", true) => oid::ECDSA_PLAIN_SHA256,
            ("SHA-384", true) => oid::ECDSA_PLAIN_SHA384,
            ("SHA-512", true) => oid::ECDSA_PLAIN_SHA512,
            (h, _) => panic!("hash {h}"),
        };
        let alg = AlgorithmIdentifier {
            oid: sig_oid,
            parameters: None,
        };
        for t in g["tests"].as_array().unwrap() {
            let msg = unhex(t["msg"].as_str().unwrap());
            let sig = unhex(t["sig"].as_str().unwrap());
            let ok = verify(&key, &alg, None, &msg, &sig).is_ok();
            checked += 1;
            match t["result"].as_str().unwrap() {
                "valid" if !ok => failures.push(format!("tc {} valid but refused", t["tcId"])),
                "invalid" if ok => failures.push(format!("tc {} invalid but accepted", t["tcId"])),
                _ => {}
            }
        }
    }
    assert!(checked > 300, "{file}: {checked}");
    assert!(failures.is_empty(), "{file}: {}", failures.join("; "));
}

#[test]
fn brainpool_p224r1() {
    run("ecdsa_brainpoolP224r1_sha224_test.json", false);
}

#[test]
fn brainpool_p320r1() {
    run("ecdsa_brainpoolP320r1_sha384_test.json", false);
}

#[test]
fn brainpool_p512r1() {
    run("ecdsa_brainpoolP512r1_sha512_test.json", false);
}

#[test]
fn brainpool_p512r1_plain() {
    run("ecdsa_brainpoolP512r1_sha512_p1363_test.json", true);
}

#[test]
fn nist_p224() {
    run("ecdsa_secp224r1_sha224_test.json", false);
}

#[test]
fn nist_p521() {
    run("ecdsa_secp521r1_sha512_test.json", false);
}
