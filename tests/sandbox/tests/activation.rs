//! The whole activation over pinned loopback TLS, and what it leaves behind.
#![allow(clippy::unwrap_used)]
mod common;

use aktiver_protocol::endpoints as ep;
use common::*;
use serde_json::json;

#[tokio::test]
async fn code_unit_activation_completes_and_logs_no_personal_data() {
    let sb = start().await;
    let (sid, key) = sb.to_finish(NIN, PHONE, PASSWORD).await;
    let r = sb
        .call(
            ep::SET_PASSWORD,
            &sid,
            json!({ "new_password": "Myr4Tjern8", "current_password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["password_set"], true);
    let r = sb
        .call(
            ep::PUSH_TOKEN,
            &sid,
            json!({ "platform": "fcm", "token": "fcm-token-abc" }),
        )
        .await;
    assert_eq!(
        (r.status, r.body["push_token_set"].as_bool()),
        (200, Some(true))
    );
    let bio = new_key();
    let r = sb.register_key(ep::BIOMETRIC_KEY, &sid, &bio).await;
    assert_eq!(
        (r.status, r.body["biometric_key_set"].as_bool()),
        (200, Some(true)),
        "{}",
        r.body
    );
    let r = sb.sign_agreement(&sid, &key, "Myr4Tjern8").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["step"], "complete");
    assert_eq!(r.body["replaced_previous_device"], false);
    let r = sb.get(&ep::with_session(ep::GET_SESSION, &sid)).await;
    assert_eq!(r.body["step"], "complete");
    // Calls after completion are refused as out of step.
    let r = sb
        .call(
            ep::PUSH_TOKEN,
            &sid,
            json!({ "platform": "fcm", "token": "x" }),
        )
        .await;
    assert_eq!(r.code(), "wrong_step");

    let log = sb.log();
    assert!(log.iter().any(|l| l.contains("complete")));
    for line in &log {
        for secret in [
            NIN,
            PHONE,
            "91234567",
            PASSWORD,
            "Myr4Tjern8",
            "fcm-token-abc",
        ] {
            assert!(!line.contains(secret), "log line leaks data: {line}");
        }
    }
}

#[tokio::test]
async fn one_device_at_a_time() {
    let sb = start().await;
    let (sid, key) = sb.to_finish(NIN2, PHONE2, "Skog7Hytte2").await;
    assert_eq!(
        sb.sign_agreement(&sid, &key, "Skog7Hytte2").await.body["replaced_previous_device"],
        false
    );
    // A code-unit code is used once: the next activation waits for the next one.
    sb.clock.advance(30);
    let (sid, key) = sb.to_finish(NIN2, PHONE2, "Skog7Hytte2").await;
    let r = sb.sign_agreement(&sid, &key, "Skog7Hytte2").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["replaced_previous_device"], true);
    let app = &sb.server.as_ref().unwrap().app;
    let active =
        aktiver_sandbox::db::active_devices(&app.db.lock().unwrap(), &app.secret.nin(NIN2))
            .unwrap();
    assert_eq!(
        active,
        vec![r.body["device_id"].as_str().unwrap().to_owned()]
    );
}

#[tokio::test]
async fn agreement_needs_the_device_signature_and_the_current_id() {
    let sb = start().await;
    let (sid, _key) = sb.to_finish(NIN, PHONE, PASSWORD).await;
    let r = sb.sign_agreement(&sid, &new_key(), PASSWORD).await;
    assert_eq!((r.status, r.code()), (422, "signature_invalid"));
    let r = sb
        .call(
            ep::SIGN_AGREEMENT,
            &sid,
            json!({ "agreement_id": "old", "signature_b64": "AA==", "password": PASSWORD }),
        )
        .await;
    assert_eq!((r.status, r.code()), (409, "agreement_outdated"));
    let a = sb.get(ep::GET_AGREEMENT.path).await;
    assert_eq!(a.body["id"], aktiver_sandbox::AGREEMENT_ID);
    assert!(a.body["text"].as_str().unwrap().contains("one device"));
}

#[tokio::test]
async fn device_key_must_prove_possession() {
    let sb = start().await;
    let sid = sb.to_method(NIN, PHONE).await;
    sb.call(ep::CHOOSE_METHOD, &sid, json!({ "method": "code_unit" }))
        .await;
    let r = sb
        .call(
            ep::CODE_UNIT,
            &sid,
            json!({ "otp": sb.otp(), "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.body["step"], "device");
    // No challenge yet.
    let r = sb
        .call(
            ep::REGISTER_DEVICE,
            &sid,
            key_registration(&new_key(), b"x"),
        )
        .await;
    assert_eq!((r.status, r.code()), (409, "challenge_missing"));
    // Signature over something else.
    sb.call(ep::CHALLENGE, &sid, json!({})).await;
    let r = sb
        .call(
            ep::REGISTER_DEVICE,
            &sid,
            key_registration(&new_key(), b"not the challenge"),
        )
        .await;
    assert_eq!((r.status, r.code()), (422, "signature_invalid"));
    // The challenge is single use: the failed attempt consumed it.
    let r = sb
        .call(
            ep::REGISTER_DEVICE,
            &sid,
            key_registration(&new_key(), b"x"),
        )
        .await;
    assert_eq!(r.code(), "challenge_missing");
    // Not a P-256 key.
    sb.call(ep::CHALLENGE, &sid, json!({})).await;
    let r = sb
        .call(
            ep::REGISTER_DEVICE,
            &sid,
            json!({ "public_key_spki_b64": "AAAA", "signature_b64": "AAAA" }),
        )
        .await;
    assert_eq!((r.status, r.code()), (400, "public_key_invalid"));
    // Challenge expiry.
    let key = new_key();
    let c = sb.call(ep::CHALLENGE, &sid, json!({})).await;
    let ch = aktiver_protocol::decode_b64("c", c.body["challenge_b64"].as_str().unwrap()).unwrap();
    sb.clock.advance(121);
    let r = sb
        .call(ep::REGISTER_DEVICE, &sid, key_registration(&key, &ch))
        .await;
    assert_eq!(r.code(), "challenge_missing");
    let r = sb.register_key(ep::REGISTER_DEVICE, &sid, &key).await;
    assert_eq!(r.status, 200, "{}", r.body);
}
