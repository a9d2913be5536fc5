//! `aktiver-sim mrz parse` end to end: the built binary, its JSON lines and
//! its exit status.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

const TD3: &str =
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
const TD1: &str = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";

fn parse(stdin: &[u8], args: &[&str]) -> (Vec<Value>, i32) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aktiver-sim"))
        .args(["mrz", "parse"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let docs = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (docs, out.status.code().unwrap())
}

#[test]
fn one_valid_document() {
    let (docs, status) = parse(TD3.as_bytes(), &[]);
    assert_eq!(status, 0);
    let d = &docs[0];
    for (key, want) in [
        ("format", "td3"),
        ("document_code", "P"),
        ("issuing_state", "UTO"),
        ("document_number", "L898902C3"),
        ("birth_date", "740812"),
        ("birth_date_iso", "1974-08-12"),
        ("expiry_date", "120415"),
        ("expiry_date_iso", "2012-04-15"),
        ("sex", "F"),
        ("nationality", "UTO"),
        ("surname", "ERIKSSON"),
        ("given_names", "ANNA MARIA"),
        ("optional_data", "ZE184226B"),
    ] {
        assert_eq!(d[key], want, "{key}");
    }
    assert_eq!(d["valid"], true);
    assert_eq!(d["states_known"], true);
    assert_eq!(d["checks"]["composite"], true);
    assert_eq!(d["checks"].as_object().unwrap().len(), 5);
    assert_eq!(d["repairs"].as_array().unwrap().len(), 0);
    assert_eq!(d["personal_number"], Value::Null);
}

#[test]
fn several_documents_and_one_invalid() {
    let bad = TD1.replace("7408122F", "7408121F");
    let input = format!("{TD3}\n\n{bad}\n\n\n{TD1}\n");
    let (docs, status) = parse(input.as_bytes(), &[]);
    assert_eq!(docs.len(), 3);
    assert_eq!(status, 1);
    assert_eq!(docs[1]["valid"], false);
    assert_eq!(docs[1]["checks"]["birth_date"], false);
    assert_eq!(docs[2]["valid"], true);
}

#[test]
fn repair_is_reported() {
    let ocr = TD3.replace("F1204159", "F12O4159");
    let (docs, status) = parse(ocr.as_bytes(), &[]);
    assert_eq!(status, 1);
    assert_eq!(docs[0]["valid"], false);
    let (docs, status) = parse(ocr.as_bytes(), &["--repair"]);
    assert_eq!(status, 0);
    assert_eq!(docs[0]["repair_status"], "repaired");
    let r = &docs[0]["repairs"][0];
    assert_eq!(
        (r["line"].as_u64(), r["column"].as_u64()),
        (Some(2), Some(24))
    );
    assert_eq!(
        (r["from"].as_str(), r["to"].as_str()),
        (Some("O"), Some("0"))
    );
    let ambiguous = TD3.replace("L898902C3", "LB98902C3");
    let (docs, status) = parse(ambiguous.as_bytes(), &["--repair"]);
    assert_eq!(status, 1);
    assert_eq!(docs[0]["repair_status"], "ambiguous");
}

#[test]
fn garbage_is_a_clear_error() {
    for input in [
        &b""[..],
        b"\n\n",
        b"hello",
        b"\xff\xfe\x00",
        &[b'<'; 10_000],
    ] {
        let (docs, status) = parse(input, &[]);
        assert_eq!(status, 2, "{input:?}");
        for d in docs {
            assert!(d["error"]["code"].is_string());
        }
    }
    let (docs, status) = parse(TD3.replace('L', "l").as_bytes(), &[]);
    assert_eq!(status, 2);
    assert_eq!(docs[0]["error"]["code"], "illegal_character");
    assert_eq!(
        docs[0]["error"]["message"],
        "line 2, column 1: character not allowed in an MRZ"
    );
}
