//! `aktiver-sim demo` end to end: the README's first command walks every
//! screen of the happy path against the sandbox it starts, for both
//! documents, and `--json` gives one object per screen and a summary.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use std::process::Command;

/// Every screen of the ID-check happy path with the password updated and
/// notifications and biometrics enabled.
const HAPPY_PATH: &[&str] = &[
    "welcome",
    "national_id",
    "phone",
    "sms_code",
    "activation_method",
    "id_check_intro",
    "id_check_steps",
    "camera_access",
    "permission_prompt",
    "choose_document",
    "scan_info",
    "mrz_location",
    "mrz_scan",
    "chip_info",
    "chip_scan",
    "face_info",
    "face_scan",
    "activating",
    "password_offer",
    "new_password",
    "password_updated",
    "notifications_offer",
    "biometrics_offer",
    "biometrics_info",
    "biometrics_steps",
    "biometrics_security",
    "biometrics_terms",
    "agreement",
    "sign_agreement",
    "complete",
];

/// Personal data the demo must never print: the identity number, the phone
/// number, and the document's MRZ (whole lines, the document number, the
/// name); nor a debug dump of the screen data.
fn assert_no_personal_data(out: &str, kind: aktiver_protocol::DocumentKind) {
    let lines =
        aktiver_testkit::document::mrz_lines("15859010099", kind, &Default::default()).unwrap();
    let doc_number: &str = match kind {
        aktiver_protocol::DocumentKind::IdCard => &lines[0][5..14],
        aktiver_protocol::DocumentKind::Passport => &lines[1][0..9],
    };
    let mut secrets: Vec<&str> = vec![
        "15859010099",
        "158590",
        "91234567",
        "912 34 567",
        doc_number,
    ];
    secrets.extend(lines.iter().map(String::as_str));
    // Every run of 12 MRZ characters: no part of a line, masked or not.
    for l in &lines {
        for w in 0..l.len().saturating_sub(12) {
            let part = &l[w..w + 12];
            assert!(!out.contains(part), "MRZ part {part} printed:\n{out}");
        }
    }
    for s in secrets {
        assert!(!out.contains(s), "{s} printed:\n{out}");
    }
    for dump in [
        "Some(",
        "None",
        "IdCheck",
        "KeepStill",
        "PlacePhone",
        "TagLost",
    ] {
        assert!(!out.contains(dump), "debug formatting {dump}:\n{out}");
    }
}

#[test]
fn demo_walks_every_screen_of_the_happy_path() {
    let out = Command::new(env!("CARGO_BIN_EXE_aktiver-sim"))
        .arg("demo")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{text}");
    let shown: Vec<&str> = text
        .lines()
        .filter_map(|l| l.split_whitespace().nth(2))
        .collect();
    let mut at = 0;
    for name in HAPPY_PATH {
        let found = shown[at..].iter().position(|s| s == name);
        assert!(
            found.is_some(),
            "{name} missing after position {at}:\n{text}"
        );
        at += found.unwrap_or(0) + 1;
    }
    assert!(text.contains("Activated: "), "{text}");
    assert!(text.contains("Peak RSS"), "{text}");
    // No personal data on screen beyond the masked phone, words not dumps.
    assert_no_personal_data(&text, aktiver_protocol::DocumentKind::IdCard);
    assert!(text.contains("[Passport or national ID card | "), "{text}");
}

#[test]
fn demo_json_passport_in_nynorsk() {
    let out = Command::new(env!("CARGO_BIN_EXE_aktiver-sim"))
        .args(["demo", "--json", "--doc", "passport", "--lang", "nn"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_no_personal_data(&text, aktiver_protocol::DocumentKind::Passport);
    let objs: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let screens: Vec<&str> = objs.iter().filter_map(|o| o["screen"].as_str()).collect();
    for name in HAPPY_PATH {
        assert!(screens.contains(name), "{name} missing: {screens:?}");
    }
    let chip = objs.iter().find(|o| o["screen"] == "chip_info").unwrap();
    assert_eq!(chip["document"], "passport");
    assert_eq!(chip["texts"]["title"]["text"], "Les brikka");
    assert_eq!(chip["texts"]["title"]["id"], "chip_info-title");
    let summary = &objs.last().unwrap()["summary"];
    assert_eq!(summary["ok"], true);
    assert_eq!(summary["document"], "passport");
    assert!(summary["wall_ms"].as_f64().unwrap() > 0.0);
    assert!(summary["excluded"]["simulated_nfc_ms"].as_f64().unwrap() > 0.0);
    assert!(summary["peak_rss_mib"].as_f64().unwrap() > 0.0);
}

/// `aktiver-sim demo | head -1`: the pipe closes after the first line; the
/// demo ends quietly (status 0, no panic message) instead of panicking.
#[test]
fn demo_into_a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_aktiver-sim"))
        .arg("demo")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("aktiver-sim demo:"), "{first}");
    // The reader is dropped: the pipe is closed.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(0), "{err}");
}
