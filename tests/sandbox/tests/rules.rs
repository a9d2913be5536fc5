//! The session, phone, SMS, code-unit and password rules.
#![allow(clippy::unwrap_used)]
mod common;

use aktiver_protocol::endpoints as ep;
use common::*;
use serde_json::json;

#[tokio::test]
async fn one_proven_session_per_person_and_the_two_hour_window() {
    let sb = start().await;
    let sid = sb.to_method(NIN, PHONE).await;
    // A second session starts like any other, and learns of the first one
    // only when its SMS code proves the phone; then it ends.
    let r = sb.start_session(NIN).await;
    assert_eq!(r.status, 201);
    let second = r.body["session_id"].as_str().unwrap().to_owned();
    sb.clock.advance(30);
    sb.call(ep::SUBMIT_PHONE, &second, json!({ "phone": PHONE }))
        .await;
    let code = sb.sms_code(PHONE).await;
    let r = sb
        .call(ep::VERIFY_SMS, &second, json!({ "code": code }))
        .await;
    assert_eq!(
        (r.status, r.code()),
        (409, "session_in_progress"),
        "{}",
        r.body
    );
    // Another person is not affected.
    sb.to_method(NIN2, PHONE2).await;
    sb.clock.advance(2 * 3600 - 31);
    assert_eq!(
        sb.get(&ep::with_session(ep::GET_SESSION, &sid))
            .await
            .status,
        200
    );
    sb.clock.advance(1);
    let r = sb.get(&ep::with_session(ep::GET_SESSION, &sid)).await;
    assert_eq!((r.status, r.code()), (410, "session_expired"));
    let r = sb
        .call(ep::CHOOSE_METHOD, &sid, json!({ "method": "code_unit" }))
        .await;
    assert_eq!(r.code(), "session_expired");
    sb.to_method(NIN, PHONE).await;
}

#[tokio::test]
async fn cancel_frees_the_person() {
    let sb = start().await;
    let sid = sb.new_session(NIN).await;
    let path = ep::with_session(ep::CANCEL_SESSION, &sid);
    let r = sb
        .raw(reqwest::Method::DELETE, &path, Some(&sb.key()), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(sb.start_session(NIN).await.status, 201);
}

/// The answers a caller gets before proving the phone, with what differs
/// between any two sessions (ids, times) taken out.
fn shape(mut v: serde_json::Value) -> serde_json::Value {
    for k in ["session_id", "expires_at"] {
        v[k] = json!(null);
    }
    v
}

/// Issue 14: `no_bankid` for unknown numbers and `step=phone` for known ones
/// was an oracle of who has a BankID; so was `phone_mismatch`.
#[tokio::test]
async fn unknown_and_known_numbers_answer_alike_until_the_phone_is_proved() {
    let sb = start().await;
    let r = sb.start_session("15859010098").await;
    assert_eq!(
        (r.status, r.code(), r.body["field"].as_str()),
        (400, "invalid_national_id", Some("national_id"))
    );
    assert!(!r.body.to_string().contains("15859010098"));
    let unknown = "07090310180";
    let mut answers = Vec::new();
    for (nin, phone) in [
        (unknown, "+4790000000"),
        (NIN, "+4790000000"),
        (NIN2, "+4790000000"),
    ] {
        let r = sb.start_session(nin).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let sid = r.body["session_id"].as_str().unwrap().to_owned();
        let started = shape(r.body);
        let r = sb
            .call(ep::SUBMIT_PHONE, &sid, json!({ "phone": phone }))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let submitted = shape(r.body);
        let r = sb
            .call(ep::VERIFY_SMS, &sid, json!({ "code": "123456" }))
            .await;
        answers.push((started, submitted, r.status, r.body));
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:#?}");
    assert_eq!(answers[0].3["code"], "sms_code_wrong");
    // No code went anywhere: the number was not the registered one.
    let inbox = aktiver_sandbox::client::fetch_inbox(
        &sb.url,
        sb.server.as_ref().unwrap().pin.as_deref(),
        None,
    )
    .await
    .unwrap();
    assert!(inbox.messages.is_empty());
}

#[tokio::test]
async fn session_starts_are_rate_limited_per_client() {
    let rules = aktiver_sandbox::Rules {
        client_session_starts_per_min: 5.0,
        ..aktiver_sandbox::Rules::for_tests()
    };
    let sb = start_opts(None, rules).await;
    for i in 0..5 {
        let nin = if i % 2 == 0 { NIN } else { "07090310180" };
        let r = sb.start_session(nin).await;
        assert_eq!(r.status, 201, "{}", r.body);
    }
    for nin in [NIN, "07090310180"] {
        let r = sb.start_session(nin).await;
        assert_eq!((r.status, r.code()), (429, "rate_limited"), "{}", r.body);
        assert!(r.body["retry_after_s"].as_u64().unwrap() >= 1);
    }
}

/// Issue 14: a stranger who knows only the identity number blocked the owner
/// (an open session for 2 hours, three wrong phones for 30 minutes).
#[tokio::test]
async fn a_strangers_sessions_do_not_lock_the_owner_out() {
    let sb = start().await;
    // One stranger's session left open, another pushed into suspension.
    let open = sb.new_session(NIN).await;
    let sid = sb.new_session(NIN).await;
    let r = sb
        .call(ep::SUBMIT_PHONE, &sid, json!({ "phone": "90000000" }))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mut last = String::new();
    for code in ["000001", "000002", "000003"] {
        last = sb
            .call(ep::VERIFY_SMS, &sid, json!({ "code": code }))
            .await
            .code()
            .to_owned();
    }
    assert_eq!(last, "sms_code_invalidated");
    sb.clock.advance(30);
    let r = sb.call(ep::RESEND_SMS, &sid, json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    for code in ["000004", "000005", "000006"] {
        last = sb
            .call(ep::VERIFY_SMS, &sid, json!({ "code": code }))
            .await
            .code()
            .to_owned();
    }
    assert_eq!(last, "session_suspended");
    // The owner is not blocked by either, and her proof ends the open one.
    let owner = sb.to_method(NIN, PHONE).await;
    let r = sb.get(&ep::with_session(ep::GET_SESSION, &owner)).await;
    assert_eq!(r.body["step"], "method");
    let r = sb
        .call(ep::SUBMIT_PHONE, &open, json!({ "phone": PHONE }))
        .await;
    assert_eq!(r.code(), "session_expired", "{}", r.body);
}

#[tokio::test]
async fn a_wrong_phone_gets_the_right_phones_answer_and_no_sms() {
    let sb = start().await;
    let sid = sb.new_session(NIN).await;
    let r = sb
        .call(ep::SUBMIT_PHONE, &sid, json!({ "phone": "12345678" }))
        .await;
    assert_eq!((r.status, r.code()), (400, "invalid_phone"));
    let r = sb
        .call(ep::SUBMIT_PHONE, &sid, json!({ "phone": "+47 900 00 000" }))
        .await;
    assert_eq!((r.status, r.body["step"].as_str()), (200, Some("sms_code")));
    assert_eq!(r.body["sms"]["masked_phone"], "+47 ••• •• 000");
    assert!(!r.body.to_string().contains("567"), "{}", r.body);
    let pin = sb.server.as_ref().unwrap().pin.clone();
    for phone in ["+4790000000", PHONE] {
        let inbox = aktiver_sandbox::client::fetch_inbox(&sb.url, pin.as_deref(), Some(phone))
            .await
            .unwrap();
        assert!(inbox.messages.is_empty());
    }
    // National format with spaces matches the registered E.164 number.
    let sid = sb.new_session(NIN).await;
    let r = sb
        .call(ep::SUBMIT_PHONE, &sid, json!({ "phone": "912 34 567" }))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["sms"]["masked_phone"], "+47 ••• •• 567");
    assert_eq!(r.body["sms"]["attempts_left"], 3);
    assert_eq!(r.body["sms"]["resend_after_s"], 30);
    assert_eq!(r.body["sms"]["expires_in_s"], 300);
    assert_eq!(sb.sms_code(PHONE).await.len(), 6);
}

async fn at_sms(sb: &Sandbox) -> String {
    let sid = sb.new_session(NIN).await;
    assert_eq!(
        sb.call(ep::SUBMIT_PHONE, &sid, json!({ "phone": PHONE }))
            .await
            .status,
        200
    );
    sid
}

#[tokio::test]
async fn sms_code_goes_to_the_inbox_only() {
    let sb = start().await;
    let sid = at_sms(&sb).await;
    let code = sb.sms_code(PHONE).await;
    assert_eq!(code.len(), 6);
    assert!(code.bytes().all(|b| b.is_ascii_digit()));
    let view = sb.get(&ep::with_session(ep::GET_SESSION, &sid)).await;
    assert!(!view.body.to_string().contains(&code));
    // The inbox also answers for the national form of the number.
    let other = aktiver_sandbox::client::fetch_inbox(
        &sb.url,
        sb.server.as_ref().unwrap().pin.as_deref(),
        Some("91234567"),
    )
    .await
    .unwrap();
    assert_eq!(other.messages.len(), 1);
    for line in sb.log() {
        assert!(
            !line.contains(&code) && !line.contains("91234567"),
            "{line}"
        );
    }
}

#[tokio::test]
async fn sms_code_expires_after_five_minutes() {
    let sb = start().await;
    let sid = at_sms(&sb).await;
    let code = sb.sms_code(PHONE).await;
    sb.clock.advance(300);
    let r = sb.call(ep::VERIFY_SMS, &sid, json!({ "code": code })).await;
    assert_eq!((r.status, r.code()), (410, "sms_code_expired"));
    assert_eq!(sb.call(ep::RESEND_SMS, &sid, json!({})).await.status, 200);
    let r = sb
        .call(
            ep::VERIFY_SMS,
            &sid,
            json!({ "code": sb.sms_code(PHONE).await }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn resend_has_a_thirty_second_cooldown() {
    let sb = start().await;
    let sid = at_sms(&sb).await;
    sb.clock.advance(10);
    let r = sb.call(ep::RESEND_SMS, &sid, json!({})).await;
    assert_eq!(
        (r.status, r.code(), r.body["retry_after_s"].as_u64()),
        (429, "resend_too_soon", Some(20))
    );
    let first = sb.sms_code(PHONE).await;
    sb.clock.advance(20);
    let r = sb.call(ep::RESEND_SMS, &sid, json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["sms"]["resend_after_s"], 30);
    // The resent code reaches the registered phone (the session keeps no
    // number: it comes from the bank's record) and is the one that counts.
    let second = sb.sms_code(PHONE).await;
    if second != first {
        let r = sb
            .call(ep::VERIFY_SMS, &sid, json!({ "code": first }))
            .await;
        assert_eq!(r.code(), "sms_code_wrong", "{}", r.body);
    }
    let r = sb
        .call(ep::VERIFY_SMS, &sid, json!({ "code": second }))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn three_wrong_codes_invalidate_and_six_suspend() {
    let sb = start().await;
    let sid = at_sms(&sb).await;
    let code = sb.sms_code(PHONE).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    // A malformed code costs no attempt.
    let r = sb
        .call(ep::VERIFY_SMS, &sid, json!({ "code": "12ab" }))
        .await;
    assert_eq!((r.status, r.code()), (400, "invalid_field"));
    let r = sb
        .call(ep::VERIFY_SMS, &sid, json!({ "code": wrong }))
        .await;
    assert_eq!(
        (r.code(), r.body["attempts_left"].as_u64()),
        ("sms_code_wrong", Some(2))
    );
    let r = sb
        .call(ep::VERIFY_SMS, &sid, json!({ "code": wrong }))
        .await;
    assert_eq!(r.body["attempts_left"], 1);
    let r = sb
        .call(ep::VERIFY_SMS, &sid, json!({ "code": wrong }))
        .await;
    assert_eq!((r.status, r.code()), (410, "sms_code_invalidated"));
    // Even the right code is dead now.
    assert_eq!(
        sb.call(ep::VERIFY_SMS, &sid, json!({ "code": code }))
            .await
            .code(),
        "sms_code_invalidated"
    );
    sb.clock.advance(30);
    assert_eq!(sb.call(ep::RESEND_SMS, &sid, json!({})).await.status, 200);
    let code = sb.sms_code(PHONE).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    sb.call(ep::VERIFY_SMS, &sid, json!({ "code": wrong }))
        .await;
    sb.call(ep::VERIFY_SMS, &sid, json!({ "code": wrong }))
        .await;
    let r = sb
        .call(ep::VERIFY_SMS, &sid, json!({ "code": wrong }))
        .await;
    assert_eq!((r.status, r.code()), (423, "session_suspended"));
    assert_eq!(
        sb.call(ep::VERIFY_SMS, &sid, json!({ "code": code }))
            .await
            .code(),
        "session_suspended"
    );
}

#[tokio::test]
async fn sms_rate_limit_per_person() {
    let rules = aktiver_sandbox::Rules {
        sms_per_phone: 100,
        ..aktiver_sandbox::Rules::for_tests()
    };
    let sb = start_opts(None, rules).await;
    let sid = at_sms(&sb).await;
    for _ in 0..4 {
        sb.clock.advance(30);
        assert_eq!(sb.call(ep::RESEND_SMS, &sid, json!({})).await.status, 200);
    }
    sb.clock.advance(30);
    let r = sb.call(ep::RESEND_SMS, &sid, json!({})).await;
    assert_eq!((r.status, r.code()), (429, "rate_limited"));
    assert!(
        r.body["message"]
            .as_str()
            .unwrap()
            .contains("identity number")
    );
    assert!(r.body["retry_after_s"].as_u64().unwrap() > 3000);
    sb.clock.advance(3600);
    assert_eq!(sb.call(ep::RESEND_SMS, &sid, json!({})).await.status, 200);
}

#[tokio::test]
async fn per_phone_limit_spans_people() {
    // Two people sharing one phone: the phone's limit counts both.
    let population = format!(
        "[[person]]\nnational_id = \"{NIN}\"\nphone = \"{PHONE}\"\n[[person]]\nnational_id = \"{NIN2}\"\nphone = \"{PHONE}\"\n"
    );
    let rules = aktiver_sandbox::Rules {
        sms_per_phone: 2,
        ..aktiver_sandbox::Rules::for_tests()
    };
    let sb = start_opts(Some(population), rules).await;
    let a = sb.new_session(NIN).await;
    assert_eq!(
        sb.call(ep::SUBMIT_PHONE, &a, json!({ "phone": PHONE }))
            .await
            .status,
        200
    );
    let b = sb.new_session(NIN2).await;
    assert_eq!(
        sb.call(ep::SUBMIT_PHONE, &b, json!({ "phone": PHONE }))
            .await
            .status,
        200
    );
    sb.clock.advance(30);
    let r = sb.call(ep::RESEND_SMS, &a, json!({})).await;
    assert_eq!((r.status, r.code()), (429, "rate_limited"));
    assert!(r.body["message"].as_str().unwrap().contains("phone number"));
}

#[tokio::test]
async fn wrong_one_time_codes_and_passwords_suspend_the_bankid() {
    let sb = start().await;
    let sid = sb.to_method(NIN, PHONE).await;
    sb.call(ep::CHOOSE_METHOD, &sid, json!({ "method": "code_unit" }))
        .await;
    let r = sb
        .call(
            ep::CODE_UNIT,
            &sid,
            json!({ "otp": "000000", "password": PASSWORD }),
        )
        .await;
    assert_eq!(
        (r.code(), r.body["attempts_left"].as_u64()),
        ("otp_wrong", Some(2))
    );
    sb.clock.advance(30);
    let r = sb
        .call(
            ep::CODE_UNIT,
            &sid,
            json!({ "otp": sb.otp(), "password": "Wrong1pass" }),
        )
        .await;
    assert_eq!(
        (r.code(), r.body["attempts_left"].as_u64()),
        ("password_wrong", Some(2))
    );
    sb.clock.advance(30);
    let r = sb
        .call(
            ep::CODE_UNIT,
            &sid,
            json!({ "otp": sb.otp(), "password": "Wrong2pass" }),
        )
        .await;
    assert_eq!(r.body["attempts_left"], 1);
    sb.clock.advance(30);
    let r = sb
        .call(
            ep::CODE_UNIT,
            &sid,
            json!({ "otp": sb.otp(), "password": "Wrong3pass" }),
        )
        .await;
    assert_eq!((r.status, r.code()), (423, "bankid_suspended"));
    // The right password no longer helps, and no new session starts.
    let r = sb
        .call(
            ep::CODE_UNIT,
            &sid,
            json!({ "otp": sb.otp(), "password": PASSWORD }),
        )
        .await;
    assert_eq!(r.code(), "bankid_suspended");
    // A new session learns it only once the SMS code proves the phone.
    sb.clock.advance(3 * 3600);
    let sid = sb.new_session(NIN).await;
    sb.call(ep::SUBMIT_PHONE, &sid, json!({ "phone": PHONE }))
        .await;
    let code = sb.sms_code(PHONE).await;
    let r = sb.call(ep::VERIFY_SMS, &sid, json!({ "code": code })).await;
    assert_eq!((r.status, r.code()), (423, "bankid_suspended"));
}

#[tokio::test]
async fn method_must_be_offered() {
    let sb = start().await;
    let sid = sb.to_method(NIN2, PHONE2).await;
    let r = sb
        .call(ep::CHOOSE_METHOD, &sid, json!({ "method": "id_check" }))
        .await;
    assert_eq!((r.status, r.code()), (422, "method_not_offered"));
    // Skipping ahead is out of step.
    let r = sb
        .call(
            ep::REGISTER_DEVICE,
            &sid,
            key_registration(&new_key(), b"x"),
        )
        .await;
    assert_eq!((r.status, r.code()), (409, "wrong_step"));
}

#[tokio::test]
async fn new_password_follows_the_shared_policy() {
    let sb = start().await;
    let (sid, _) = sb.to_finish(NIN, PHONE, PASSWORD).await;
    // Birth date of 15859010099 is 15.05.1990 (Tenor month + 80).
    let r = sb
        .call(
            ep::SET_PASSWORD,
            &sid,
            json!({ "new_password": "ab150590x", "current_password": PASSWORD }),
        )
        .await;
    assert_eq!((r.status, r.code()), (422, "password_policy"));
    assert_eq!(
        r.body["violations"],
        json!([{ "rule": "contains_birth_date" }])
    );
    let r = sb
        .call(
            ep::SET_PASSWORD,
            &sid,
            json!({ "new_password": "passord1" }),
        )
        .await;
    assert_eq!(r.body["violations"], json!([{ "rule": "common" }]));
    let r = sb
        .call(
            ep::SET_PASSWORD,
            &sid,
            json!({ "new_password": "Myr4Tjern8" }),
        )
        .await;
    assert_eq!(
        (r.code(), r.body["field"].as_str()),
        ("invalid_field", Some("current_password"))
    );
    let r = sb
        .call(
            ep::SET_PASSWORD,
            &sid,
            json!({ "new_password": "Myr4Tjern8", "current_password": "Nope1nope" }),
        )
        .await;
    assert_eq!(r.code(), "password_wrong");
    let r = sb
        .call(
            ep::SET_PASSWORD,
            &sid,
            json!({ "new_password": "Myr4Tjern8", "current_password": PASSWORD }),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

async fn issue_code(sb: &Sandbox, nin: &str) -> common::Reply {
    sb.post(
        ep::SANDBOX_ACTIVATION_CODE.path,
        json!({ "national_id": nin }),
    )
    .await
}

#[tokio::test]
async fn activation_codes_are_single_use_and_short_lived() {
    let sb = start().await;
    let sid = sb.to_method(NIN, PHONE).await;
    let r = sb
        .call(
            ep::CHOOSE_METHOD,
            &sid,
            json!({ "method": "activation_code" }),
        )
        .await;
    assert_eq!(r.body["step"], "activation_code");
    // No code issued yet.
    let r = sb
        .call(ep::ACTIVATION_CODE, &sid, json!({ "code": "12345678" }))
        .await;
    assert_eq!(
        (r.status, r.code(), r.body["attempts_left"].as_u64()),
        (422, "activation_code_invalid", Some(2))
    );
    let issued = issue_code(&sb, NIN).await;
    assert_eq!(
        (issued.status, issued.body["expires_in_s"].as_u64()),
        (201, Some(30))
    );
    let code = issued.body["code"].as_str().unwrap().to_owned();
    assert!(issued.body["qr_payload"].as_str().unwrap().ends_with(&code));
    // Expired after 30 s.
    sb.clock.advance(30);
    let r = sb
        .call(ep::ACTIVATION_CODE, &sid, json!({ "code": code }))
        .await;
    assert_eq!(
        (r.code(), r.body["attempts_left"].as_u64()),
        ("activation_code_invalid", Some(1))
    );
    let code = issue_code(&sb, NIN).await.body["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = sb
        .call(ep::ACTIVATION_CODE, &sid, json!({ "code": code }))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["step"], "device");
    // Person 2's bank does not offer activation codes.
    assert_eq!(issue_code(&sb, NIN2).await.code(), "method_not_offered");
}

#[tokio::test]
async fn activation_code_single_use_and_wrong_codes_suspend() {
    let sb = start().await;
    let sid = sb.to_method(NIN, PHONE).await;
    sb.call(
        ep::CHOOSE_METHOD,
        &sid,
        json!({ "method": "activation_code" }),
    )
    .await;
    let code = issue_code(&sb, NIN).await.body["code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        sb.call(ep::ACTIVATION_CODE, &sid, json!({ "code": code }))
            .await
            .status,
        200
    );
    // Used: a second session cannot reuse it.
    let (sid2, _) = {
        let del = ep::with_session(ep::CANCEL_SESSION, &sid);
        sb.raw(reqwest::Method::DELETE, &del, Some(&sb.key()), None)
            .await;
        (sb.to_method(NIN, PHONE).await, ())
    };
    sb.call(
        ep::CHOOSE_METHOD,
        &sid2,
        json!({ "method": "activation_code" }),
    )
    .await;
    let r = sb
        .call(ep::ACTIVATION_CODE, &sid2, json!({ "code": code }))
        .await;
    assert_eq!(r.code(), "activation_code_invalid");
    sb.call(ep::ACTIVATION_CODE, &sid2, json!({ "code": "00000000" }))
        .await;
    let r = sb
        .call(ep::ACTIVATION_CODE, &sid2, json!({ "code": "00000000" }))
        .await;
    assert_eq!((r.status, r.code()), (423, "bankid_suspended"));
}

#[tokio::test]
async fn id_check_rejects_incomplete_evidence_with_a_field() {
    let sb = start().await;
    let sid = sb.to_method(NIN, PHONE).await;
    sb.call(ep::CHOOSE_METHOD, &sid, json!({ "method": "id_check" }))
        .await;
    let evidence = json!({
        "document": "passport", "sod_b64": "AA==", "data_groups": [], "scanned_mrz": "P<NOR",
        "face_verdict": { "provider": "sim", "payload_b64": "AA==", "signature_b64": "AA==" }
    });
    let r = sb.call(ep::ID_CHECK, &sid, evidence).await;
    assert_eq!(
        (r.status, r.code()),
        (422, "evidence_rejected"),
        "{}",
        r.body
    );
    assert_eq!(r.body["field"], "data_groups");
    // The outcomes of real evidence are in tests/id_check.rs.
}
