//! `aktiver-sim nin check` end to end: run the built binary and read its JSON
//! lines and exit status.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::process::Command;

const ORDINARY: &str = "01019000083";
const FH: &str = "81234567802";
const RULE_2032: &str = "30108299939";
const TENOR: &str = "01819000049";

fn run(args: &[&str]) -> (Vec<Value>, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_aktiver-sim"))
        .arg("nin")
        .arg("check")
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (lines, stdout, out.status.code().unwrap())
}

#[test]
fn valid_numbers() {
    let (lines, stdout, status) = run(&[ORDINARY, FH, RULE_2032, "010190 00083"]);
    assert_eq!(status, 0);
    assert_eq!(lines.len(), 4);
    let o = &lines[0];
    assert_eq!(o["valid"], true);
    assert_eq!(o["kind"], "ordinary");
    assert_eq!(o["synthetic"], false);
    assert_eq!(o["birth_date"], "1990-01-01");
    assert_eq!(o["gender"], "female");
    assert_eq!(o["masked"], "010190*****");
    assert_eq!(o["error"], Value::Null);
    assert_eq!(lines[1]["kind"], "fh_number");
    assert_eq!(lines[1]["birth_date"], Value::Null);
    assert_eq!(lines[1]["masked"], "***********");
    // Valid only under the 2032 rule: no century, no gender.
    assert_eq!(lines[2]["valid"], true);
    assert_eq!(lines[2]["birth_date"], Value::Null);
    assert_eq!(lines[2]["gender"], Value::Null);
    assert_eq!(lines[3], lines[0]);
    for n in [ORDINARY, FH, RULE_2032] {
        assert!(!stdout.contains(n), "output leaks a number");
    }
}

#[test]
fn invalid_number_is_reported_and_masked() {
    let (lines, stdout, status) = run(&[ORDINARY, "01019000013"]);
    assert_eq!(status, 1);
    assert_eq!(lines[0]["valid"], true);
    let bad = &lines[1];
    assert_eq!(bad["valid"], false);
    assert_eq!(bad["error"], "control_digit_1");
    assert_eq!(bad["kind"], Value::Null);
    assert_eq!(bad["masked"], "***********");
    assert!(!stdout.contains("0101900001"));
}

#[test]
fn synthetic_needs_the_flag() {
    let (lines, _, status) = run(&[TENOR]);
    assert_eq!(status, 1);
    assert_eq!(lines[0]["valid"], false);
    assert_eq!(lines[0]["synthetic"], true);
    assert_eq!(lines[0]["error"], "synthetic_not_allowed");

    let (lines, stdout, status) = run(&["--allow-synthetic", TENOR]);
    assert_eq!(status, 0);
    assert_eq!(lines[0]["valid"], true);
    assert_eq!(lines[0]["synthetic"], true);
    assert_eq!(lines[0]["kind"], "ordinary");
    assert_eq!(lines[0]["birth_date"], "1990-01-01");
    assert!(!stdout.contains(TENOR));
}

#[test]
fn garbage() {
    let (lines, _, status) = run(&["hello", "0101900008x", ""]);
    assert_eq!(status, 1);
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["error"], "length");
    assert_eq!(lines[0]["masked"], "*****");
    assert_eq!(lines[1]["error"], "non_digit");
    assert_eq!(lines[2]["error"], "length");
    assert!(lines.iter().all(|l| l["valid"] == false));
}

#[test]
fn no_numbers_is_misuse() {
    let (lines, _, status) = run(&[]);
    assert_eq!(status, 2);
    assert!(lines.is_empty());
}
