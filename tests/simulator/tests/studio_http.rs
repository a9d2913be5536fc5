//! `aktiver-sim studio` over plain HTTP, without a browser: it answers on
//! loopback names only, serves the embedded page and its state, and refuses
//! actions and faults that do not fit the screen.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::net::TcpStream;

mod common;
use common::start_studio;

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
    let (_studio, url) = start_studio(&["--lang", "nn"]);
    let port: u16 = url
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches('/')
        .parse()
        .unwrap_or_else(|_| panic!("no port in {url:?}"));
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
