//! Malformed input, idempotency, certificate pinning, restarts.
#![allow(clippy::unwrap_used)]
mod common;

use aktiver_protocol::endpoints as ep;
use common::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn malformed_input_is_a_typed_json_error_never_a_500() {
    let sb = start().await;
    let sid = sb.new_session(NIN).await;
    let phone = ep::with_session(ep::SUBMIT_PHONE, &sid);
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        (
            ep::START_SESSION.path,
            b"{".to_vec(),
            400,
            "malformed_request",
        ),
        (
            ep::START_SESSION.path,
            b"".to_vec(),
            400,
            "malformed_request",
        ),
        (
            ep::START_SESSION.path,
            br#"{"national_id": 15859010099}"#.to_vec(),
            400,
            "malformed_request",
        ),
        (
            ep::START_SESSION.path,
            br#"{"national_id": "x", "extra": 1}"#.to_vec(),
            400,
            "malformed_request",
        ),
        (
            ep::START_SESSION.path,
            br#"[1,2,3]"#.to_vec(),
            400,
            "malformed_request",
        ),
        (
            ep::START_SESSION.path,
            vec![0xff, 0xfe, 0x00],
            400,
            "malformed_request",
        ),
        (
            ep::START_SESSION.path,
            br#"{"national_id": "abc"}"#.to_vec(),
            400,
            "invalid_national_id",
        ),
        (
            &phone,
            br#"{"phone": null}"#.to_vec(),
            400,
            "malformed_request",
        ),
        (
            &phone,
            vec![b'a'; aktiver_protocol::MAX_BODY_BYTES + 10],
            413,
            "body_too_large",
        ),
        (
            "/v1/sessions/nope/phone",
            br#"{"phone": "91234567"}"#.to_vec(),
            404,
            "session_not_found",
        ),
        ("/v1/nothing", b"{}".to_vec(), 404, "not_found"),
    ];
    for (path, body, status, code) in cases {
        let r = sb
            .raw(Method::POST, path, Some(&sb.key()), Some(body))
            .await;
        assert_eq!((r.status, r.code()), (status, code), "{path}: {}", r.body);
        assert!(r.body["remedy"].as_str().unwrap().starts_with("remedy."));
        assert!(!r.body.to_string().contains("15859010099"));
    }
    let r = sb
        .raw(
            Method::PUT,
            ep::START_SESSION.path,
            Some(&sb.key()),
            Some(b"{}".to_vec()),
        )
        .await;
    assert_eq!((r.status, r.code()), (405, "method_not_allowed"));
    let r = sb.get("/v1/sandbox/sms?phone=123").await;
    assert_eq!((r.status, r.code()), (400, "invalid_phone"));
}

#[tokio::test]
async fn idempotency_keys_replay_and_refuse_reuse() {
    let sb = start().await;
    let body = json!({ "national_id": NIN });
    let r = sb
        .raw(
            Method::POST,
            ep::START_SESSION.path,
            None,
            Some(body.to_string().into_bytes()),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "idempotency_key_missing"));
    let r = sb
        .post_key(ep::START_SESSION.path, "short", body.clone())
        .await;
    assert_eq!(r.code(), "idempotency_key_missing");
    let first = sb
        .post_key(ep::START_SESSION.path, "key-start-0001", body.clone())
        .await;
    assert_eq!(first.status, 201);
    let again = sb
        .post_key(ep::START_SESSION.path, "key-start-0001", body.clone())
        .await;
    assert_eq!((again.status, &again.body), (201, &first.body));
    let other = sb
        .post_key(
            ep::START_SESSION.path,
            "key-start-0001",
            json!({ "national_id": NIN2 }),
        )
        .await;
    assert_eq!(
        (other.status, other.code()),
        (422, "idempotency_key_reused")
    );
    // A replayed SMS submission sends no second code; a replayed wrong code costs no second attempt.
    let sid = first.body["session_id"].as_str().unwrap();
    let path = ep::with_session(ep::SUBMIT_PHONE, sid);
    sb.post_key(&path, "key-phone-0001", json!({ "phone": PHONE }))
        .await;
    let r = sb
        .post_key(&path, "key-phone-0001", json!({ "phone": PHONE }))
        .await;
    assert_eq!(r.status, 200);
    let inbox = aktiver_sandbox::client::fetch_inbox(
        &sb.url,
        sb.server.as_ref().unwrap().pin.as_deref(),
        Some(PHONE),
    )
    .await
    .unwrap();
    assert_eq!(inbox.messages.len(), 1);
    let code = inbox.messages[0].code.expose().to_owned();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let verify = ep::with_session(ep::VERIFY_SMS, sid);
    for _ in 0..3 {
        let r = sb
            .post_key(&verify, "key-verify-0001", json!({ "code": wrong }))
            .await;
        assert_eq!(r.body["attempts_left"], 2);
    }
    // Concurrent replays of one key produce one session.
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let (http, url) = (sb.http.clone(), sb.url.clone());
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(format!("{url}{}", ep::START_SESSION.path))
                .header(
                    aktiver_protocol::IDEMPOTENCY_KEY_HEADER,
                    "key-concurrent-0001",
                )
                .json(&json!({ "national_id": NIN2 }))
                .send()
                .await
                .unwrap();
            let v: serde_json::Value = r.json().await.unwrap();
            v["session_id"].as_str().unwrap_or("").to_owned()
        }));
    }
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        ids.insert(t.await.unwrap());
    }
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert!(!ids.contains(""));
}

#[tokio::test]
async fn a_wrong_pin_is_refused() {
    let sb = start().await;
    let wrong = aktiver_protocol::encode_b64(&[7u8; 32]);
    let client = aktiver_sandbox::client::pinned_client(Some(&wrong)).unwrap();
    let r = client
        .get(format!("{}{}", sb.url, ep::GET_AGREEMENT.path))
        .send()
        .await;
    assert!(r.is_err());
    // The right pin works, and the pin is the SPKI hash (32 bytes).
    let pin = sb.server.as_ref().unwrap().pin.clone().unwrap();
    assert_eq!(aktiver_protocol::decode_b64("pin", &pin).unwrap().len(), 32);
    assert_eq!(sb.get(ep::GET_AGREEMENT.path).await.status, 200);
}

#[tokio::test]
async fn restart_continues_the_session_with_the_same_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.sqlite");
    let clock = aktiver_sandbox::ManualClock::new(T0);
    let mut sb = start_with(
        Some(db.clone()),
        aktiver_sandbox::Rules::for_tests(),
        clock.clone(),
    )
    .await;
    let pin = sb.server.as_ref().unwrap().pin.clone();
    let sid = sb.new_session(NIN).await;
    assert_eq!(
        sb.call(ep::SUBMIT_PHONE, &sid, json!({ "phone": PHONE }))
            .await
            .status,
        200
    );
    let code = sb.sms_code(PHONE).await;
    sb.stop().await;
    assert!(dir.path().join("sandbox.cert.pem").exists());

    let sb = start_with(Some(db), aktiver_sandbox::Rules::for_tests(), clock).await;
    assert_eq!(
        sb.server.as_ref().unwrap().pin,
        pin,
        "the certificate is kept next to the DB"
    );
    let r = sb.get(&ep::with_session(ep::GET_SESSION, &sid)).await;
    assert_eq!(r.body["step"], "sms_code");
    let r = sb.call(ep::VERIFY_SMS, &sid, json!({ "code": code })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["step"], "method");
}

#[tokio::test]
async fn every_endpoint_answers_garbage_with_a_typed_4xx() {
    let sb = start().await;
    let sid = sb.new_session(NIN).await;
    let bodies: [&[u8]; 5] = [b"", b"{", b"null", br#"{"x":1}"#, &[0xc3, 0x28]];
    for e in aktiver_protocol::endpoints::ALL {
        let path = ep::with_session(*e, &sid);
        let method = match e.verb {
            aktiver_protocol::endpoints::Verb::Get => Method::GET,
            aktiver_protocol::endpoints::Verb::Post => Method::POST,
            aktiver_protocol::endpoints::Verb::Delete => continue,
        };
        for body in bodies {
            let r = sb
                .raw(method.clone(), &path, Some(&sb.key()), Some(body.to_vec()))
                .await;
            assert!(r.status < 500, "{path}: {} {}", r.status, r.body);
            assert!(!r.code().is_empty() || r.status < 300, "{path}: {}", r.body);
        }
    }
}
