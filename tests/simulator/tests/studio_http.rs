//! `aktiver-sim studio` over plain HTTP, without a browser: it answers on
//! loopback names only, serves the embedded page and its state, and refuses
//! actions and faults that do not fit the screen.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

struct Killed(Child);
impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One request with this Host header; the status code and the body.
fn request(port: u16, method: &str, path: &str, host: &str, body: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = out
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn studio_answers_loopback_only_and_refuses_what_does_not_fit() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aktiver-sim"))
        .args(["studio", "--port", "0", "--lang", "nn"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let _studio = Killed(child);
    let port: u16 = first
        .split("http://127.0.0.1:")
        .nth(1)
        .map(|rest| {
            rest.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {first:?}"));
    let local = format!("127.0.0.1:{port}");

    let (status, page) = request(port, "GET", "/", &local, "");
    assert_eq!(status, 200);
    assert!(page.contains("<label for=\"lang\">"), "the embedded page");
    // A name rebound to loopback by someone else's page gets nothing.
    let (status, _) = request(port, "GET", "/api/state", "evil.example:8377", "");
    assert_eq!(status, 403);
    let (status, _) = request(port, "GET", "/api/state", &format!("localhost:{port}"), "");
    assert_eq!(status, 200);

    let (_, state) = request(port, "GET", "/api/state", &local, "");
    let v: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(v["view"]["name"], "welcome");
    assert_eq!(v["lang"], "nn");
    assert_eq!(v["labels"]["cancel"], "Avbryt");
    // A fault that does not apply on this screen, and an unknown one.
    let (status, body) = request(
        port,
        "POST",
        "/api/fault",
        &local,
        r#"{"fault":"tampered_chip"}"#,
    );
    assert_eq!(status, 422, "{body}");
    let (status, _) = request(port, "POST", "/api/fault", &local, r#"{"fault":"meteor"}"#);
    assert_eq!(status, 422);
    // An action the screen does not take: refused by the flow, reported in the state.
    let (status, _) = request(port, "POST", "/api/act", &local, r#"{"action":"retry"}"#);
    assert_eq!(status, 200);
    let (_, state) = request(port, "GET", "/api/state", &local, "");
    let v: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(v["view"]["name"], "welcome");
    assert!(
        v["error"].as_str().is_some_and(|e| !e.is_empty()),
        "{}",
        v["error"]
    );
    // Switching the language re-renders the same screen's texts.
    let (status, _) = request(port, "POST", "/api/lang", &local, r#"{"lang":"nb"}"#);
    assert_eq!(status, 200);
    let (_, state) = request(port, "GET", "/api/state", &local, "");
    let v: serde_json::Value = serde_json::from_str(&state).unwrap();
    assert_eq!(v["view"]["texts"]["title"]["text"], "Velkommen til BankID");
}
