//! Issue 14's attacks, each reproduced against the server: a client that
//! lies, replays and reads the database. Each test failed before its fix.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use aktiver_protocol::endpoints::{self as ep, with_session};
use common::*;
use serde_json::json;
use sha2::{Digest, Sha256};

const NEW_PASSWORD: &str = "Myr4Tjern8";

/// Every text and blob in every table, and the raw bytes of the database files.
fn everything_stored(db: &std::path::Path) -> (String, Vec<u8>) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut text = String::new();
    for t in &tables {
        let mut st = conn.prepare(&format!("SELECT * FROM {t}")).unwrap();
        let n = st.column_count();
        let mut rows = st.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..n {
                match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => {
                        text.push_str(&String::from_utf8_lossy(b));
                        text.push('\n');
                    }
                    v => text.push_str(&format!("{v:?}\n")),
                }
            }
        }
    }
    let mut raw = Vec::new();
    for suffix in ["", "-wal"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        raw.extend(std::fs::read(std::path::Path::new(&p)).unwrap_or_default());
    }
    (text, raw)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The replay check used to store base64(SHA-256(method, path, body)): with
/// the password in the body, one hash per dictionary word recovered it.
fn old_request_hash(path: &str, body: &serde_json::Value) -> [String; 2] {
    let mut h = Sha256::new();
    h.update(b"POST\0");
    h.update(path.as_bytes());
    h.update([0]);
    h.update(body.to_string().as_bytes());
    let d = h.finalize();
    [
        aktiver_protocol::encode_b64(&d),
        d.iter().map(|b| format!("{b:02x}")).collect(),
    ]
}

/// Issue 14: "a dictionary of 130k guesses recovered three users' passwords
/// in under a second"; and the identity numbers, SMS codes, TOTP seeds,
/// activation codes and the face provider's key sat in clear in 0644 files.
#[tokio::test]
async fn the_database_gives_away_no_password_code_or_number() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sandbox.sqlite");
    let clock = aktiver_sandbox::ManualClock::new(T0);
    let mut sb = start_with(Some(db.clone()), aktiver_sandbox::Rules::for_tests(), clock).await;
    let (sid, key) = sb.to_finish(NIN, PHONE, PASSWORD).await;
    let body = json!({ "new_password": NEW_PASSWORD, "current_password": PASSWORD });
    let path = with_session(ep::SET_PASSWORD, &sid);
    let r = sb.post_key(&path, "set-password-key-1", body.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // A replay with the same key still answers the first answer.
    let again = sb.post_key(&path, "set-password-key-1", body.clone()).await;
    assert_eq!(again.body, r.body);
    let r = sb.sign_agreement(&sid, &key, NEW_PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // An open activation code and an SMS code still inside their lifetime.
    let code = sb
        .post(
            ep::SANDBOX_ACTIVATION_CODE.path,
            json!({ "national_id": NIN }),
        )
        .await;
    let activation_code = code.body["code"].as_str().unwrap().to_owned();
    let sid2 = sb.new_session(NIN2).await;
    sb.call(ep::SUBMIT_PHONE, &sid2, json!({ "phone": PHONE2 }))
        .await;
    let sms = sb.sms_code(PHONE2).await;
    let sb_url = sb.url.clone();
    sb.stop().await;

    // PHONE2 is in the open session at its SMS step: the session keeps only
    // keyed hashes and the masked form of it.
    let (text, raw) = everything_stored(&db);
    for secret in [
        PASSWORD,
        NEW_PASSWORD,
        "Skog7Hytte2",
        NIN,
        NIN2,
        PHONE,
        &PHONE[3..],
        PHONE2,
        &PHONE2[3..],
        "3132333435363738393031323334353637383930",
        "12345678901234567890",
        activation_code.as_str(),
    ] {
        assert!(!text.contains(secret), "stored in clear: {secret}");
        assert!(!contains(&raw, secret.as_bytes()), "in the file: {secret}");
    }
    assert!(!text.contains(&format!("\"{sms}\"")), "SMS code stored");
    for guess in [PASSWORD, NEW_PASSWORD, "Fjord9Lyng5"] {
        let b = json!({ "new_password": guess, "current_password": PASSWORD });
        for h in old_request_hash(&path, &b) {
            assert!(!text.contains(&h), "an unkeyed hash of the body");
        }
    }
    // Of a password, only its Argon2id hash.
    assert!(text.contains("$argon2id$"));
    // No private key in the database.
    assert!(!text.contains("PRIVATE KEY") && !text.to_lowercase().contains("face-provider-key"));
    #[cfg(unix)]
    for f in ["sandbox.sqlite", "sandbox.secret", "sandbox.key.pem"] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(f))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{f} is readable by others: {mode:o}");
    }
    let _ = sb_url;
}

/// Issue 14: a new password took effect before the activation completed.
#[tokio::test]
async fn a_new_password_takes_effect_with_the_activation_only() {
    let sb = start().await;
    let (sid, _) = sb.to_finish(NIN, PHONE, PASSWORD).await;
    let r = sb
        .call(
            ep::SET_PASSWORD,
            &sid,
            json!({ "new_password": NEW_PASSWORD, "current_password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = sb
        .raw(
            reqwest::Method::DELETE,
            &with_session(ep::CANCEL_SESSION, &sid),
            Some(&sb.key()),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The cancelled activation changed nothing: the old password still holds.
    sb.clock.advance(30);
    let (sid, key) = sb.to_finish(NIN, PHONE, PASSWORD).await;
    let r = sb.sign_agreement(&sid, &key, NEW_PASSWORD).await;
    assert_eq!(r.code(), "password_wrong", "{}", r.body);
    let r = sb.sign_agreement(&sid, &key, PASSWORD).await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn password_changes_per_session_are_limited() {
    let sb = start().await;
    let (sid, _) = sb.to_finish(NIN, PHONE, PASSWORD).await;
    for (i, pw) in ["Myr4Tjern8", "Lyng5Fjell2", "Bre6Vidde3", "Hav7Skjaer9"]
        .iter()
        .enumerate()
    {
        let r = sb
            .call(
                ep::SET_PASSWORD,
                &sid,
                json!({ "new_password": pw, "current_password": PASSWORD }),
            )
            .await;
        if i < 3 {
            assert_eq!(r.status, 200, "{}", r.body);
        } else {
            assert_eq!((r.status, r.code()), (429, "rate_limited"), "{}", r.body);
        }
    }
}

/// Issue 14: another client sending a victim's key with the same body got the
/// victim's session id (and could cancel it); a used key answered differently
/// from an unused one.
#[tokio::test]
async fn idempotency_keys_belong_to_their_caller() {
    let sb = start().await;
    let body = json!({ "national_id": NIN });
    let victim = sb
        .post_key(ep::START_SESSION.path, "victims-key-0001", body.clone())
        .await;
    assert_eq!(victim.status, 201);
    // The same key and body from another address: a session of its own.
    let other = sb.client_from([127, 0, 0, 2]);
    let r = other
        .post(format!("{}{}", sb.url, ep::START_SESSION.path))
        .header(aktiver_protocol::IDEMPOTENCY_KEY_HEADER, "victims-key-0001")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_ne!(v["session_id"], victim.body["session_id"]);
    // A key used in one session is unknown in another: no replay, no refusal.
    let a = sb.new_session(NIN2).await;
    let b = sb.new_session(NIN2).await;
    let ra = sb
        .post_key(
            &with_session(ep::SUBMIT_PHONE, &a),
            "shared-key-0001",
            json!({ "phone": "+4790000000" }),
        )
        .await;
    let rb = sb
        .post_key(
            &with_session(ep::SUBMIT_PHONE, &b),
            "shared-key-0001",
            json!({ "phone": "+4790000000" }),
        )
        .await;
    assert_eq!(
        (ra.status, rb.status),
        (200, 200),
        "{} {}",
        ra.body,
        rb.body
    );
    assert_eq!(rb.body["session_id"], json!(b));
}

/// Issue 14: a code-unit code was accepted again in a second session seconds later.
#[tokio::test]
async fn a_code_unit_code_is_used_once() {
    let sb = start().await;
    let otp = sb.otp_for(NIN2);
    let sid = sb.to_method(NIN2, PHONE2).await;
    sb.call(ep::CHOOSE_METHOD, &sid, json!({ "method": "code_unit" }))
        .await;
    let r = sb
        .call(
            ep::CODE_UNIT,
            &sid,
            json!({ "otp": otp, "password": "Skog7Hytte2" }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    sb.raw(
        reqwest::Method::DELETE,
        &with_session(ep::CANCEL_SESSION, &sid),
        Some(&sb.key()),
        None,
    )
    .await;
    sb.clock.advance(5);
    let sid = sb.to_method(NIN2, PHONE2).await;
    sb.call(ep::CHOOSE_METHOD, &sid, json!({ "method": "code_unit" }))
        .await;
    let r = sb
        .call(
            ep::CODE_UNIT,
            &sid,
            json!({ "otp": otp, "password": "Skog7Hytte2" }),
        )
        .await;
    assert_eq!(r.code(), "otp_wrong", "{}", r.body);
}

/// Issue 14: the 8-byte active-authentication challenge was accepted as the
/// device-binding challenge.
#[tokio::test]
async fn a_challenge_serves_its_one_purpose() {
    let sb = start().await;
    let sid = sb.to_method(NIN, PHONE).await;
    sb.call(ep::CHOOSE_METHOD, &sid, json!({ "method": "id_check" }))
        .await;
    let r = sb.call(ep::CHALLENGE, &sid, json!({})).await;
    let aa = aktiver_protocol::decode_b64("c", r.body["challenge_b64"].as_str().unwrap()).unwrap();
    assert_eq!(aa.len(), 8);
    sb.call(ep::CHOOSE_METHOD, &sid, json!({ "method": "code_unit" }))
        .await;
    let r = sb
        .call(
            ep::CODE_UNIT,
            &sid,
            json!({ "otp": sb.otp(), "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.body["step"], "device", "{}", r.body);
    let key = new_key();
    let r = sb
        .call(ep::REGISTER_DEVICE, &sid, key_registration(&key, &aa))
        .await;
    assert_eq!(r.code(), "challenge_missing", "{}", r.body);
}

/// Issue 14: the SMS inbox and the online bank answered anyone who reached the port.
#[tokio::test]
async fn sandbox_endpoints_need_loopback_or_the_token() {
    for token in [None, Some("let-me-in-0001")] {
        let clock = aktiver_sandbox::ManualClock::new(T0);
        let opts = aktiver_sandbox::ServerOptions {
            addr: std::net::SocketAddr::from(([0, 0, 0, 0], 0)),
            rules: aktiver_sandbox::Rules::for_tests(),
            clock: std::sync::Arc::new(clock),
            sandbox_token: token.map(str::to_owned),
            ..Default::default()
        };
        let server = aktiver_sandbox::start(opts).await.unwrap();
        let http = aktiver_sandbox::client::pinned_client(server.pin.as_deref()).unwrap();
        let url = format!(
            "https://127.0.0.1:{}{}",
            server.addr.port(),
            ep::SANDBOX_SMS.path
        );
        let r = http.get(&url).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["code"], "sandbox_forbidden");
        let r = http
            .get(&url)
            .header(aktiver_sandbox::SANDBOX_TOKEN_HEADER, "wrong-token")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        if let Some(t) = token {
            let r = http
                .get(&url)
                .header(aktiver_sandbox::SANDBOX_TOKEN_HEADER, t)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200);
        }
        // The activation API itself is not affected.
        let r = http
            .get(format!(
                "https://127.0.0.1:{}{}",
                server.addr.port(),
                ep::GET_AGREEMENT.path
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        server.stop().await;
    }
}

/// Second adversarial pass: a code-unit call with a wrong one-time code (or
/// a replay, or a bad agreement signature) made the server run Argon2id
/// before any cheap check, so one client looping invalid calls queued the
/// slowest work in front of everyone (a legitimate call 0.9 s -> 17 s).
#[tokio::test]
async fn calls_that_fail_cheap_checks_run_no_password_work() {
    let sb = start().await;
    let app = sb.server.as_ref().unwrap().app.clone();
    let otp = sb.otp_for(NIN2);
    let wrong = if otp == "000000" { "111111" } else { "000000" };
    let sid = sb.to_method(NIN2, PHONE2).await;
    sb.call(ep::CHOOSE_METHOD, &sid, json!({ "method": "code_unit" }))
        .await;
    let before = app.kdf.runs();
    for otp in ["x", wrong] {
        let body = json!({ "otp": otp, "password": "Skog7Hytte2" });
        let r = sb.call(ep::CODE_UNIT, &sid, body).await;
        assert!(r.status >= 400, "{}", r.body);
    }
    assert_eq!(
        app.kdf.runs(),
        before,
        "Argon2id ran for a refused one-time code"
    );
    // The right code runs it once; its replay is answered from the store.
    let path = with_session(ep::CODE_UNIT, &sid);
    let body = json!({ "otp": otp, "password": "Skog7Hytte2" });
    let r = sb.post_key(&path, "code-unit-key-01", body.clone()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(app.kdf.runs(), before + 1);
    let again = sb.post_key(&path, "code-unit-key-01", body).await;
    assert_eq!(again.body, r.body);
    assert_eq!(app.kdf.runs(), before + 1, "a replay ran Argon2id again");
}

/// Password work is budgeted per client: past it, an immediate 429.
#[tokio::test]
async fn password_work_is_budgeted_per_client() {
    let rules = aktiver_sandbox::Rules {
        client_password_work_per_min: 1.0,
        client_password_work_burst: 2.0,
        ..aktiver_sandbox::Rules::for_tests()
    };
    let sb = start_with(None, rules, aktiver_sandbox::ManualClock::new(T0)).await;
    let (sid, _key) = sb.to_finish(NIN, PHONE, PASSWORD).await;
    // to_finish used the code unit's password check: one of the two left.
    let body = |n: u32| json!({ "new_password": format!("Breen7Tind{n}Vidde"), "current_password": "Wrong1Guess" });
    let r = sb.call(ep::SET_PASSWORD, &sid, body(1)).await;
    assert_eq!(r.code(), "password_wrong", "{}", r.body);
    let r = sb.call(ep::SET_PASSWORD, &sid, body(2)).await;
    assert_eq!((r.status, r.code()), (429, "rate_limited"), "{}", r.body);
    assert!(r.body["retry_after_s"].as_u64().is_some_and(|s| s >= 1));
}

/// Second adversarial pass: a stranger who knows the identity number and the
/// registered phone used up the owner's SMS quota from another address (the
/// owner got `rate_limited` for an hour, repeatably). Quotas count per
/// client; the cap on one phone across all clients stays.
#[tokio::test]
async fn a_strangers_sms_sends_do_not_use_up_the_owners_quota() {
    let rules = aktiver_sandbox::Rules {
        sms_per_phone_all_clients: 7,
        ..aktiver_sandbox::Rules::for_tests()
    };
    let sb = start_with(None, rules, aktiver_sandbox::ManualClock::new(T0)).await;
    let stranger = sb.client_from([127, 0, 0, 3]);
    let post = |path: String, body: serde_json::Value| {
        let stranger = stranger.clone();
        let key = sb.key();
        let url = format!("{}{path}", sb.url);
        async move {
            let r = stranger
                .post(url)
                .header(aktiver_protocol::IDEMPOTENCY_KEY_HEADER, key)
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (status, r.json::<serde_json::Value>().await.unwrap())
        }
    };
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let (_, s) = post(
            ep::START_SESSION.path.to_owned(),
            json!({ "national_id": NIN }),
        )
        .await;
        let sid = s["session_id"].as_str().unwrap().to_owned();
        let (status, _) = post(
            with_session(ep::SUBMIT_PHONE, &sid),
            json!({ "phone": PHONE }),
        )
        .await;
        statuses.push(status);
    }
    // The stranger's own quota (5 per pair per hour) ends his sends...
    assert_eq!(statuses, [200, 200, 200, 200, 200, 429]);
    // ...and the owner, from her own address, still gets her code.
    let sid = sb.new_session(NIN).await;
    let r = sb
        .call(ep::SUBMIT_PHONE, &sid, json!({ "phone": PHONE }))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let code = sb.sms_code(PHONE).await;
    let r = sb.call(ep::VERIFY_SMS, &sid, json!({ "code": code })).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The phone's cap across all clients (7 here) still holds.
    let sid = sb.new_session(NIN).await;
    sb.call(ep::SUBMIT_PHONE, &sid, json!({ "phone": PHONE }))
        .await;
    sb.clock.advance(30);
    let r = sb.call(ep::RESEND_SMS, &sid, json!({})).await;
    assert_eq!((r.status, r.code()), (429, "rate_limited"), "{}", r.body);
}
