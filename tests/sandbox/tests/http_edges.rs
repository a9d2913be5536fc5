//! The HTTP layer under abuse, byte by byte over plain TCP (the same
//! connection loop serves TLS): slow or unfinished requests are cut off, the
//! connections a client may hold are limited, and every error is the
//! documented JSON body, hyper's own 400/431 included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use aktiver_sandbox::{ManualClock, Rules, RunningServer, ServerOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn plain(rules: Rules) -> RunningServer {
    aktiver_sandbox::start(ServerOptions {
        http: true,
        rules,
        clock: Arc::new(ManualClock::new(1_800_000_000)),
        ..Default::default()
    })
    .await
    .unwrap()
}

/// Sends `bytes`, reads to the end (the server closes), within 5 s.
async fn exchange(s: &RunningServer, bytes: &[u8]) -> String {
    let mut c = TcpStream::connect(s.addr).await.unwrap();
    c.write_all(bytes).await.unwrap();
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), c.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

fn status_and_code(answer: &str) -> (u16, String) {
    let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("content-type: application/json"),
        "not JSON: {answer}"
    );
    (status, v["code"].as_str().unwrap_or("").to_owned())
}

#[tokio::test]
async fn every_error_is_the_documented_json() {
    let s = plain(Rules::for_tests()).await;
    let big = format!(
        "GET /v1/agreement HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(64 * 1024)
    );
    let body = "x".repeat(aktiver_protocol::MAX_BODY_BYTES + 1);
    let too_long = format!(
        "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: k-0000000001\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let cases: Vec<(Vec<u8>, u16, &str)> = vec![
        (b"GARBAGE\r\n\r\n".to_vec(), 400, "malformed_request"),
        (b"GET /v1/agreement HTTP/1.1\r\nBad Header\r\n\r\n".to_vec(), 400, "malformed_request"),
        (big.into_bytes(), 431, "headers_too_large"),
        (
            b"GET /v1/agreement HTTP/1.1\r\nConnection: close\r\n\r\n".to_vec(),
            400,
            "malformed_request",
        ),
        (
            b"POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nIdempotency-Key: k-0000000001\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}".to_vec(),
            415,
            "unsupported_media_type",
        ),
        (too_long.into_bytes(), 413, "body_too_large"),
        (
            b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
            404,
            "not_found",
        ),
        (
            b"PUT /v1/agreement HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".to_vec(),
            405,
            "method_not_allowed",
        ),
    ];
    for (req, status, code) in cases {
        let answer = exchange(&s, &req).await;
        assert_eq!(
            status_and_code(&answer),
            (status, code.to_owned()),
            "{}",
            answer.get(..300).unwrap_or(&answer)
        );
    }
    // A well-formed request still works.
    let ok = exchange(
        &s,
        b"GET /v1/agreement HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(ok.starts_with("HTTP/1.1 200"), "{ok}");
    s.stop().await;
}

/// Issue 14: 100 connections holding an unfinished header or body were all
/// still open after 45 s.
#[tokio::test]
async fn unfinished_requests_are_cut_off() {
    let s = plain(Rules {
        header_timeout_ms: 300,
        body_timeout_ms: 300,
        ..Rules::for_tests()
    })
    .await;
    // An unfinished header: the connection is closed.
    let mut c = TcpStream::connect(s.addr).await.unwrap();
    c.write_all(b"GET /v1/agreement HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(3), c.read_to_end(&mut buf)).await;
    assert!(closed.is_ok(), "the connection stayed open");
    // An unfinished body: 408 with the JSON error.
    let mut c = TcpStream::connect(s.addr).await.unwrap();
    c.write_all(b"POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: k-0000000001\r\nContent-Length: 100\r\n\r\n{\"nat")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(3), c.read(&mut buf))
        .await
        .expect("answered in time")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]).into_owned();
    assert_eq!(
        status_and_code(&answer),
        (408, "request_timeout".to_owned()),
        "{answer}"
    );
    s.stop().await;
}

/// Second adversarial pass: a declared Content-Length over the limit waited
/// for the body timeout (10 s) and answered 408, holding the connection.
#[tokio::test]
async fn an_oversized_declared_body_is_refused_at_once() {
    let s = plain(Rules::for_tests()).await;
    let mut c = TcpStream::connect(s.addr).await.unwrap();
    c.write_all(b"POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: k-0000000002\r\nContent-Length: 99999999\r\n\r\n{}")
        .await
        .unwrap();
    let mut buf = vec![0u8; 4096];
    let n = tokio::time::timeout(Duration::from_secs(3), c.read(&mut buf))
        .await
        .expect("answered before the body timeout")
        .unwrap();
    let answer = String::from_utf8_lossy(&buf[..n]).into_owned();
    assert_eq!(
        status_and_code(&answer),
        (413, "body_too_large".to_owned()),
        "{answer}"
    );
    s.stop().await;
}

#[tokio::test]
async fn a_client_may_hold_a_limited_number_of_connections() {
    let s = plain(Rules {
        max_connections_per_client: 4,
        ..Rules::for_tests()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..4 {
        let mut c = TcpStream::connect(s.addr).await.unwrap();
        c.write_all(b"GET /v1/agreement HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut buf = vec![0u8; 8192];
        let n = c.read(&mut buf).await.unwrap();
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
        held.push(c);
    }
    let answer = exchange(&s, b"GET /v1/agreement HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_eq!(
        status_and_code(&answer),
        (503, "server_busy".to_owned()),
        "{answer}"
    );
    drop(held);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let answer = exchange(
        &s,
        b"GET /v1/agreement HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    s.stop().await;
}

#[tokio::test]
async fn the_api_documents_itself() {
    let s = plain(Rules::for_tests()).await;
    let a = exchange(
        &s,
        b"GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    let body = a.split("\r\n\r\n").nth(1).unwrap_or("");
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(v["info"]["title"], "aktiver activation API");
    let d = exchange(
        &s,
        b"GET /docs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(d.starts_with("HTTP/1.1 200") && d.contains("text/html"));
    assert!(d.contains("/v1/sessions/{session_id}/id-check"));
    s.stop().await;
}
