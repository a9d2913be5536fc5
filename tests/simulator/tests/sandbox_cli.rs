//! `aktiver-sim serve`, `sms`, `otp`, `chip evidence`, `sandbox reset` and the
//! command line's manners (closed pipes, checked flags), run as the built binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

fn sim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_aktiver-sim"))
}

/// A running `serve`, stopped (by its own pid) when dropped.
struct Served {
    child: Child,
    url: String,
    _dir: tempfile::TempDir,
    db: std::path::PathBuf,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(extra: &[&str]) -> Served {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let mut child = sim()
        .args(["serve", "--addr", "127.0.0.1:0", "--db"])
        .arg(&db)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first.rsplit(' ').next().unwrap().to_owned();
    // Keep reading in the background so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    Served {
        child,
        url,
        _dir: dir,
        db,
    }
}

/// Issue 14: `aktiver-sim sms --server http://...` panicked with "No provider set".
#[test]
fn sms_over_plain_http_answers() {
    let s = serve(&["--http"]);
    let out = sim().args(["sms", "--server", &s.url]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "(no messages)");
}

#[test]
fn sms_over_pinned_tls_takes_the_pin_from_the_state_file() {
    let s = serve(&[]);
    let out = sim()
        .args(["sms", "--server", &s.url, "--db"])
        .arg(&s.db)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Issue 14: piping into `head` panicked with a backtrace.
#[test]
fn a_closed_pipe_ends_output_quietly() {
    for args in [
        &["chip", "keys", "--mrz-info", "L898902C3/740812/120415"][..],
        &["otp", "--person", "15859010099"][..],
        &[
            "chip",
            "evidence",
            "--person",
            "15859010099",
            "--portrait-hash",
        ][..],
    ] {
        let mut child = sim()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
    }
}

/// Issue 14: these flags were accepted (or panicked) instead of a clear error.
#[test]
fn bad_flags_are_refused_with_exit_2() {
    for (args, says) in [
        (&["chip", "read", "--bit-rate", "0"][..], "--bit-rate"),
        (&["chip", "read", "--fault", "tag-lost=0"][..], "tag-lost"),
        (
            &["chip", "read", "--fault", "tampered=DG99"][..],
            "tampered",
        ),
        (
            &["chip", "keys", "--mrz-info", "L898902C3/741399/120415"][..],
            "BIRTH",
        ),
        (&["mrz", "parse", "--max-changes", "2"][..], "--repair"),
        (&["mrz", "bench", "--bursts", "0"][..], "--bursts"),
        (&["otp", "--person", "24117510081"][..], "no code unit"),
        (
            &[
                "chip",
                "evidence",
                "--person",
                "15859010099",
                "--challenge",
                "AAAA",
                "--face-verdict",
                "-",
            ][..],
            "--challenge",
        ),
    ] {
        let out = sim().args(args).stdin(Stdio::null()).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

#[test]
fn otp_is_the_code_units_code() {
    let out = sim()
        .args(["otp", "--person", "15859010099", "--at", "59"])
        .output()
        .unwrap();
    // RFC 6238's SHA-1 vector: the first person's seed is "12345678901234567890".
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "287082");
}

#[test]
fn reset_forgets_a_person() {
    let s = serve(&["--http"]);
    let out = sim()
        .args(["sandbox", "reset", "--person", "15859010099", "--db"])
        .arg(&s.db)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("records removed"));
    let out = sim()
        .args(["sandbox", "reset", "--person", "15859010098", "--db"])
        .arg(&s.db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
