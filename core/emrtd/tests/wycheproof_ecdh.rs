//! Wycheproof ECDH vectors (C2SP/wycheproof, Apache-2.0; see
//! tests/fixtures/wycheproof) for chip authentication and PACE key agreement
//! on the curves computed by this crate's own generic arithmetic
//! (brainpoolP224r1/P320r1/P512r1, P-224, P-521): every "valid" vector gives
//! the expected shared secret, every "invalid" one (points off the curve, on
//! the twist, on another curve, explicit parameters with another order or
//! cofactor) is refused; "acceptable" ones may go either way. One deviation:
//! explicit parameters without a cofactor (`NoCofactor`) are accepted when
//! the rest names the curve, as SEC 1 makes the cofactor OPTIONAL and DG14
//! keys are read that way.

#![cfg(feature = "reader")]
#![allow(clippy::unwrap_used)]

use aktiver_emrtd::lds::{EcCurve, PublicKeyInfo, SubjectPublicKey};
use aktiver_emrtd::pace::Curve;
use serde_json::Value;

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

/// The point of a public key: raw for `ecpoint` files, else parsed from the
/// SubjectPublicKeyInfo (`None` when refused or on another curve).
fn point(public: &[u8], curve: EcCurve, raw: bool) -> Option<Vec<u8>> {
    if raw {
        return Some(public.to_vec());
    }
    match PublicKeyInfo::parse(public).ok()?.key {
        SubjectPublicKey::Ec {
            curve: Some(c),
            point,
        } if c == curve => Some(point),
        _ => None,
    }
}

fn run(file: &str, curve: EcCurve) -> usize {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/wycheproof")
        .join(file);
    let j: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let raw = j["encoding"] == "ecpoint";
    let c = Curve::from_ec_curve(curve);
    let n = c.field_len();
    let mut failures = Vec::new();
    let mut valid = 0;
    for g in j["testGroups"].as_array().unwrap() {
        for t in g["tests"].as_array().unwrap() {
            let id = &t["tcId"];
            let private = unhex(t["private"].as_str().unwrap());
            let private = aktiver_emrtd::lds::ber::strip_leading_zeros(&private);
            let mut k = vec![0u8; n.saturating_sub(private.len())];
            k.extend_from_slice(private);
            let shared = point(&unhex(t["public"].as_str().unwrap()), curve, raw)
                .and_then(|p| c.shared_secret(&p, &k).ok());
            let no_cofactor = t["flags"]
                .as_array()
                .unwrap()
                .iter()
                .any(|f| f == "NoCofactor");
            match (t["result"].as_str().unwrap(), shared) {
                ("invalid", Some(_)) if no_cofactor => {}
                ("valid", Some(s)) => {
                    valid += 1;
                    if s.as_slice() != unhex(t["shared"].as_str().unwrap()).as_slice() {
                        failures.push(format!("tc {id}: wrong secret"));
                    }
                }
                ("valid", None) => failures.push(format!("tc {id}: refused")),
                ("invalid", Some(_)) => failures.push(format!("tc {id}: accepted")),
                _ => {}
            }
        }
    }
    assert!(failures.is_empty(), "{file}: {failures:?}");
    valid
}

#[test]
fn brainpool_p224r1() {
    assert!(run("ecdh_brainpoolP224r1_test.json", EcCurve::BrainpoolP224r1) > 150);
}

#[test]
fn brainpool_p320r1() {
    assert!(run("ecdh_brainpoolP320r1_test.json", EcCurve::BrainpoolP320r1) > 150);
}

#[test]
fn brainpool_p512r1() {
    assert!(run("ecdh_brainpoolP512r1_test.json", EcCurve::BrainpoolP512r1) > 150);
}

#[test]
fn p224() {
    assert!(run("ecdh_secp224r1_ecpoint_test.json", EcCurve::P224) > 150);
}

#[test]
fn p521() {
    assert!(run("ecdh_secp521r1_ecpoint_test.json", EcCurve::P521) > 250);
}
