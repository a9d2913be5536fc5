//! The activation rules, one function per endpoint. Each runs inside the
//! idempotent transaction; the session and person records it changes are saved
//! even when it answers with a rule error (a wrong code must still count).
use axum::http::StatusCode;
use rusqlite::Transaction;

use aktiver_nin::{NationalId, Policy};
use aktiver_protocol::{self as proto, ErrorCode, Method, SessionView, SmsStatus, Step};
use proto::{Sensitive, parse_body};

use crate::app::{ApiError, App, Outcome, hex, ok, random_bytes};
use crate::db::{self, PersonRec, SessionRec, SessionState, SmsRec};
use crate::log::short;

/// What a step handler works on.
pub struct Ctx<'a> {
    pub app: &'a App,
    pub tx: &'a Transaction<'a>,
    pub now: i64,
    pub s: SessionRec,
    pub p: PersonRec,
}

pub fn view(s: &SessionRec, now: i64, rules: &crate::rules::Rules) -> SessionView {
    SessionView {
        session_id: s.id.clone(),
        step: s.step,
        expires_at: s.expires_at,
        sms: match (&s.sms, &s.phone) {
            (Some(m), Some(phone)) if s.step == Step::SmsCode => Some(SmsStatus {
                masked_phone: proto::mask_phone(phone),
                code_length: proto::SMS_CODE_LEN as u32,
                expires_in_s: (m.expires_at - now).max(0) as u64,
                resend_after_s: (m.sent_at + rules.sms_resend_cooldown_s - now).max(0) as u64,
                attempts_left: if m.invalidated {
                    0
                } else {
                    rules.sms_wrong_per_code.saturating_sub(m.wrong)
                },
            }),
            _ => None,
        },
        methods: s.methods.clone(),
        method: s.method,
        device_id: s.device_id.clone(),
        replaced_previous_device: s.replaced_previous,
        password_set: s.password_set,
        push_token_set: s.push.is_some(),
        biometric_key_set: s.biometric_spki.is_some(),
    }
}

fn wrong_step(s: &SessionRec) -> ApiError {
    ApiError::new(
        ErrorCode::WrongStep,
        format!("the session is at step {:?}", s.step),
    )
}

fn expect_step(s: &SessionRec, steps: &[Step]) -> Result<(), ApiError> {
    if steps.contains(&s.step) {
        Ok(())
    } else {
        Err(wrong_step(s))
    }
}

/// Checks the session's window and state before any step runs.
fn gate(s: &mut SessionRec, p: &PersonRec, now: i64) -> Result<(), ApiError> {
    match s.state {
        SessionState::Cancelled => {
            return Err(ApiError::new(
                ErrorCode::SessionExpired,
                "the session was cancelled",
            ));
        }
        SessionState::Suspended => {
            return Err(ApiError::new(
                ErrorCode::SessionSuspended,
                "the session is suspended after too many failed attempts",
            )
            .map(|b| b.with_retry_after((s.suspended_until - now).max(0) as u64)));
        }
        SessionState::Complete => return Err(wrong_step(s)),
        SessionState::Active => {}
    }
    if now >= s.expires_at {
        return Err(ApiError::new(
            ErrorCode::SessionExpired,
            "the session window has passed",
        ));
    }
    if p.bankid_suspended {
        return Err(ApiError::new(
            ErrorCode::BankidSuspended,
            "the BankID is suspended; the bank must reopen it",
        ));
    }
    Ok(())
}

/// Loads the session and person, runs `f`, saves both whatever `f` answered.
pub fn with_session<Req: serde::de::DeserializeOwned>(
    app: &App,
    tx: &Transaction<'_>,
    now: i64,
    sid: &str,
    body: &[u8],
    f: impl FnOnce(&mut Ctx<'_>, Req) -> Outcome,
) -> Outcome {
    // DELETE and the data-less calls may come without a body.
    let body = if body.is_empty() {
        b"{}".as_slice()
    } else {
        body
    };
    let req: Req = parse_body(body)?;
    let s = db::get_session(tx, sid)?
        .ok_or_else(|| ApiError::new(ErrorCode::SessionNotFound, "no such session"))?;
    let p = db::get_person(tx, &s.nin)?
        .ok_or_else(|| ApiError::new(ErrorCode::SessionNotFound, "no such session"))?;
    let mut ctx = Ctx { app, tx, now, s, p };
    let out = match gate(&mut ctx.s, &ctx.p, now) {
        Ok(()) => f(&mut ctx, req),
        Err(e) => Err(e),
    };
    db::put_session(tx, &ctx.s)?;
    db::put_person(tx, &ctx.p)?;
    out
}

fn session_ok(c: &Ctx<'_>) -> Outcome {
    ok(StatusCode::OK, &view(&c.s, c.now, &c.app.rules))
}

/// The identity number of a request, or a typed error naming the field
/// (the number itself never goes into the message).
fn parse_national_id(raw: &str) -> Result<NationalId, ApiError> {
    NationalId::parse(raw, Policy::SANDBOX).map_err(|e| {
        ApiError::new(
            ErrorCode::InvalidNationalId,
            format!("national_id: {}", e.code()),
        )
        .map(|b| b.with_field("national_id"))
    })
}

pub fn start_session(app: &App, tx: &Transaction<'_>, now: i64, body: &[u8]) -> Outcome {
    let req: proto::StartSessionRequest = parse_body(body)?;
    let nin = parse_national_id(req.national_id.expose())?;
    let person = db::get_person(tx, nin.as_str())?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::NoBankid,
            "no BankID with a bank offering app activation",
        )
    })?;
    if person.bankid_suspended {
        return Err(ApiError::new(
            ErrorCode::BankidSuspended,
            "the BankID is suspended; the bank must reopen it",
        ));
    }
    let r = &app.rules;
    let recent = db::sessions_of(
        tx,
        nin.as_str(),
        now - r.session_window_s.max(r.rate_window_s).max(r.suspension_s),
    )?;
    for s in &recent {
        if s.state == SessionState::Suspended && s.suspended_until > now {
            return Err(ApiError::new(
                ErrorCode::SessionSuspended,
                "a recent session was suspended",
            )
            .map(|b| b.with_retry_after((s.suspended_until - now) as u64)));
        }
        if s.state == SessionState::Active && s.expires_at > now {
            return Err(ApiError::new(
                ErrorCode::SessionInProgress,
                "another activation session is in progress",
            )
            .map(|b| b.with_retry_after((s.expires_at - now) as u64)));
        }
    }
    let in_window: Vec<_> = recent
        .iter()
        .filter(|s| s.created_at >= now - r.rate_window_s)
        .collect();
    if in_window.len() as u32 >= r.sessions_per_person {
        let oldest = in_window.iter().map(|s| s.created_at).min().unwrap_or(now);
        return Err(
            ApiError::new(ErrorCode::RateLimited, "too many sessions for this person")
                .map(|b| b.with_retry_after((oldest + r.rate_window_s - now).max(1) as u64)),
        );
    }
    let id = hex(&random_bytes::<16>()?);
    let s = SessionRec {
        id: id.clone(),
        nin: nin.as_str().to_owned(),
        created_at: now,
        expires_at: now + r.session_window_s,
        state: SessionState::Active,
        suspended_until: 0,
        step: Step::Phone,
        phone: None,
        phone_wrong: 0,
        sms: None,
        sms_wrong_total: 0,
        methods: Vec::new(),
        method: None,
        challenge: None,
        device_id: None,
        device_spki: None,
        replaced_previous: false,
        password_set: false,
        push: None,
        biometric_spki: None,
        id_check: None,
        id_check_failures: 0,
    };
    db::put_session(tx, &s)?;
    app.log.line(format!("session {} started", short(&id)));
    ok(StatusCode::CREATED, &view(&s, now, r))
}

pub fn cancel(c: &mut Ctx<'_>, _: proto::Empty) -> Outcome {
    c.s.state = SessionState::Cancelled;
    c.app
        .log
        .line(format!("session {} cancelled", short(&c.s.id)));
    session_ok(c)
}

fn suspend_session(c: &mut Ctx<'_>, why: &str) -> ApiError {
    c.s.state = SessionState::Suspended;
    c.s.suspended_until = c.now + c.app.rules.suspension_s;
    c.app
        .log
        .line(format!("session {} suspended: {why}", short(&c.s.id)));
    ApiError::new(
        ErrorCode::SessionSuspended,
        format!("the session is suspended: {why}"),
    )
    .map(|b| b.with_retry_after(c.app.rules.suspension_s as u64))
}

pub fn submit_phone(c: &mut Ctx<'_>, req: proto::SubmitPhoneRequest) -> Outcome {
    expect_step(&c.s, &[Step::Phone])?;
    let phone = proto::normalize_phone(req.phone.expose()).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidPhone,
            "phone: not a Norwegian mobile number",
        )
        .map(|b| b.with_field("phone"))
    })?;
    if !crate::ct_eq(phone.as_bytes(), c.p.phone.as_bytes()) {
        c.s.phone_wrong += 1;
        if c.s.phone_wrong >= c.app.rules.phone_wrong_per_session {
            return Err(suspend_session(
                c,
                "too many phone numbers that differ from the registered one",
            ));
        }
        let left = c.app.rules.phone_wrong_per_session - c.s.phone_wrong;
        c.app
            .log
            .line(format!("session {} phone mismatch", short(&c.s.id)));
        return Err(ApiError::new(
            ErrorCode::PhoneMismatch,
            "the phone number differs from the one the bank has registered",
        )
        .map(|b| b.with_field("phone").with_attempts_left(left)));
    }
    send_sms(c, &phone)?;
    c.s.phone = Some(phone);
    c.s.step = Step::SmsCode;
    session_ok(c)
}

fn send_sms(c: &mut Ctx<'_>, phone: &str) -> Result<(), ApiError> {
    let r = &c.app.rules;
    let since = c.now - r.rate_window_s;
    for (count, oldest, limit, what) in [
        {
            let (n, o) = db::sms_count_by_nin(c.tx, &c.s.nin, since)?;
            (n, o, r.sms_per_person, "identity number")
        },
        {
            let (n, o) = db::sms_count_by_phone(c.tx, phone, since)?;
            (n, o, r.sms_per_phone, "phone number")
        },
    ] {
        if count >= limit {
            let retry = (oldest.unwrap_or(c.now) + r.rate_window_s - c.now).max(1) as u64;
            c.app.log.line(format!(
                "session {} sms rate limited by {what}",
                short(&c.s.id)
            ));
            return Err(ApiError::new(
                ErrorCode::RateLimited,
                format!("too many SMS codes for this {what}"),
            )
            .map(|b| b.with_retry_after(retry)));
        }
    }
    let code = loop {
        let n = u32::from_le_bytes(random_bytes::<4>()?);
        // Rejection sampling keeps the six digits uniform.
        if n < u32::MAX - (u32::MAX % 1_000_000) {
            break format!("{:06}", n % 1_000_000);
        }
    };
    let text = format!("{code} is your BankID activation code. Never share it. Sandbox Bank");
    db::insert_sms(c.tx, &c.s.id, &c.s.nin, phone, &code, &text, c.now)?;
    c.s.sms = Some(SmsRec {
        code,
        sent_at: c.now,
        expires_at: c.now + r.sms_expiry_s,
        wrong: 0,
        invalidated: false,
    });
    c.app.log.line(format!(
        "session {} sms code sent to the sandbox inbox",
        short(&c.s.id)
    ));
    Ok(())
}

pub fn resend_sms(c: &mut Ctx<'_>, _: proto::Empty) -> Outcome {
    expect_step(&c.s, &[Step::SmsCode])?;
    let (Some(phone), Some(m)) = (c.s.phone.clone(), c.s.sms.as_ref()) else {
        return Err(wrong_step(&c.s));
    };
    let ready_at = m.sent_at + c.app.rules.sms_resend_cooldown_s;
    if c.now < ready_at {
        return Err(ApiError::new(
            ErrorCode::ResendTooSoon,
            "wait before requesting a new code",
        )
        .map(|b| b.with_retry_after((ready_at - c.now) as u64)));
    }
    send_sms(c, &phone)?;
    session_ok(c)
}

pub fn verify_sms(c: &mut Ctx<'_>, req: proto::VerifySmsRequest) -> Outcome {
    expect_step(&c.s, &[Step::SmsCode])?;
    let code = req.code.expose();
    // A malformed code is an input error and costs no attempt.
    if code.len() != proto::SMS_CODE_LEN || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(
            ApiError::new(ErrorCode::InvalidField, "code: six digits expected")
                .map(|b| b.with_field("code")),
        );
    }
    let rules = c.app.rules.clone();
    let Some(m) = c.s.sms.as_mut() else {
        return Err(wrong_step(&c.s));
    };
    if m.invalidated {
        return Err(ApiError::new(
            ErrorCode::SmsCodeInvalidated,
            "the code was entered wrong too many times",
        ));
    }
    if c.now >= m.expires_at {
        return Err(ApiError::new(
            ErrorCode::SmsCodeExpired,
            "the code has expired",
        ));
    }
    if !crate::ct_eq(code.as_bytes(), m.code.as_bytes()) {
        m.wrong += 1;
        let invalidated = m.wrong >= rules.sms_wrong_per_code;
        m.invalidated = invalidated;
        let left = rules.sms_wrong_per_code.saturating_sub(m.wrong);
        c.s.sms_wrong_total += 1;
        if c.s.sms_wrong_total >= rules.sms_wrong_per_session {
            return Err(suspend_session(c, "too many wrong SMS codes"));
        }
        c.app
            .log
            .line(format!("session {} wrong sms code", short(&c.s.id)));
        if invalidated {
            return Err(ApiError::new(
                ErrorCode::SmsCodeInvalidated,
                "the code was entered wrong too many times",
            ));
        }
        return Err(ApiError::new(ErrorCode::SmsCodeWrong, "wrong code")
            .map(|b| b.with_attempts_left(left)));
    }
    c.s.sms = None;
    c.s.methods = c.p.methods.clone();
    c.s.step = Step::Method;
    c.app
        .log
        .line(format!("session {} phone confirmed", short(&c.s.id)));
    session_ok(c)
}

pub fn choose_method(c: &mut Ctx<'_>, req: proto::ChooseMethodRequest) -> Outcome {
    expect_step(
        &c.s,
        &[
            Step::Method,
            Step::IdCheck,
            Step::CodeUnit,
            Step::ActivationCode,
        ],
    )?;
    if !c.s.methods.contains(&req.method) {
        return Err(ApiError::new(
            ErrorCode::MethodNotOffered,
            "the bank does not offer this method to this person",
        ));
    }
    c.s.method = Some(req.method);
    c.s.step = match req.method {
        Method::IdCheck => Step::IdCheck,
        Method::CodeUnit => Step::CodeUnit,
        Method::ActivationCode => Step::ActivationCode,
    };
    session_ok(c)
}

pub fn id_check(c: &mut Ctx<'_>, req: proto::IdCheckEvidence) -> Outcome {
    expect_step(&c.s, &[Step::IdCheck])?;
    // The active-authentication challenge is single use, whatever the outcome.
    let challenge = match c.s.challenge.take() {
        Some((ch, until)) if c.now < until => proto::decode_b64("challenge", &ch).ok(),
        _ => None,
    };
    let inputs = crate::idcheck::Inputs {
        app: c.app,
        now: c.now,
        session_id: &c.s.id,
        nin: &c.s.nin,
        challenge,
    };
    match crate::idcheck::verify(&inputs, &req) {
        Ok(rec) => {
            c.s.id_check = Some(rec);
            c.s.step = Step::Device;
            c.app
                .log
                .line(format!("session {} qualified by ID check", short(&c.s.id)));
            session_ok(c)
        }
        Err(e) => Err(id_check_failed(c, e)?),
    }
}

/// A failed ID check deletes what the session collected: the stored answers
/// of its calls (the face verdict with its portrait hash among them) and the
/// phone number; the evidence itself was never stored. The person may choose
/// a method again, up to the failure limit.
fn id_check_failed(c: &mut Ctx<'_>, e: ApiError) -> Result<ApiError, ApiError> {
    if e.0.code == ErrorCode::Internal {
        return Err(e);
    }
    db::idem_delete_scope(c.tx, &c.s.id)?;
    c.s.phone = None;
    c.s.sms = None;
    c.s.method = None;
    c.s.step = Step::Method;
    c.s.id_check_failures += 1;
    c.app.log.line(format!(
        "session {} ID check failed: {}; collected data deleted",
        short(&c.s.id),
        e.0.code
    ));
    if c.s.id_check_failures >= c.app.rules.id_check_failures_max {
        return Ok(suspend_session(c, "too many failed ID checks"));
    }
    Ok(e)
}

/// The sandbox face-check provider: a signed verdict for a session's portrait.
pub fn face_check(app: &App, tx: &Transaction<'_>, now: i64, body: &[u8]) -> Outcome {
    let req: proto::FaceCheckRequest = parse_body(body)?;
    let hash = proto::decode_b64("portrait_sha256_b64", req.portrait_sha256_b64.expose())?;
    if hash.len() != 32 {
        return Err(ApiError::new(
            ErrorCode::InvalidField,
            "portrait_sha256_b64: 32 bytes expected",
        )
        .map(|b| b.with_field("portrait_sha256_b64")));
    }
    let not_found = || ApiError::new(ErrorCode::SessionNotFound, "no such session");
    let mut s = db::get_session(tx, &req.session_id)?.ok_or_else(not_found)?;
    let p = db::get_person(tx, &s.nin)?.ok_or_else(not_found)?;
    gate(&mut s, &p, now)?;
    expect_step(&s, &[Step::IdCheck])?;
    let payload = proto::FaceVerdictPayload {
        provider: crate::face::PROVIDER.to_owned(),
        session_id: s.id.clone(),
        portrait_sha256_b64: Sensitive::new(proto::encode_b64(&hash)),
        outcome: if p.face_check_pass { "pass" } else { "fail" }.to_owned(),
        issued_at: now,
    };
    let verdict = app
        .face
        .sign(&payload)
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "signing failed"))?;
    app.log.line(format!(
        "face-check provider signed a verdict for session {}",
        short(&s.id)
    ));
    ok(StatusCode::CREATED, &verdict)
}

/// Counts a wrong one-time code (code unit or activation code) on the person;
/// suspends the BankID at the limit (the bank's "too many wrong one-time codes").
fn wrong_one_time_code(c: &mut Ctx<'_>, code: ErrorCode, field: &'static str) -> ApiError {
    c.p.wrong_otp += 1;
    c.app
        .log
        .line(format!("session {} wrong one-time code", short(&c.s.id)));
    if c.p.wrong_otp >= c.app.rules.otp_wrong_max {
        c.p.bankid_suspended = true;
        c.app.log.line(format!(
            "session {} bankid suspended: one-time codes",
            short(&c.s.id)
        ));
        return ApiError::new(
            ErrorCode::BankidSuspended,
            "too many wrong one-time codes; the bank must reopen the BankID",
        );
    }
    let left = c.app.rules.otp_wrong_max - c.p.wrong_otp;
    ApiError::new(code, "wrong or expired one-time code")
        .map(|b| b.with_field(field).with_attempts_left(left))
}

/// The sandbox online bank: a single-use activation code, valid briefly.
pub fn issue_activation_code(app: &App, tx: &Transaction<'_>, now: i64, body: &[u8]) -> Outcome {
    let req: proto::IssueActivationCodeRequest = parse_body(body)?;
    let nin = parse_national_id(req.national_id.expose())?;
    let mut p = db::get_person(tx, nin.as_str())?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::NoBankid,
            "no BankID with a bank offering app activation",
        )
    })?;
    if !p.methods.contains(&Method::ActivationCode) {
        return Err(ApiError::new(
            ErrorCode::MethodNotOffered,
            "the bank does not offer activation codes to this person",
        ));
    }
    let n = u64::from_le_bytes(random_bytes::<8>()?) % 100_000_000;
    let code = format!("{n:08}");
    let payload = format!("aktiver:activation-code:{code}");
    let png = crate::qr::png(&payload)
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "QR encoding failed"))?;
    let ttl = app.rules.activation_code_ttl_s;
    p.activation_code = Some((code.clone(), now + ttl));
    db::put_person(tx, &p)?;
    app.log
        .line("online bank issued an activation code".to_owned());
    ok(
        StatusCode::CREATED,
        &proto::ActivationCodeIssued {
            qr_payload: Sensitive::new(payload),
            qr_png_b64: Sensitive::new(proto::encode_b64(&png)),
            code: Sensitive::new(code),
            expires_in_s: ttl as u64,
        },
    )
}

pub fn activation_code(c: &mut Ctx<'_>, req: proto::ActivationCodeRequest) -> Outcome {
    expect_step(&c.s, &[Step::ActivationCode])?;
    let code = req.code.expose();
    if code.len() != 8 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(
            ApiError::new(ErrorCode::InvalidField, "code: eight digits expected")
                .map(|b| b.with_field("code")),
        );
    }
    let good = match &c.p.activation_code {
        Some((open, until)) => c.now < *until && crate::ct_eq(open.as_bytes(), code.as_bytes()),
        None => false,
    };
    if !good {
        return Err(wrong_one_time_code(
            c,
            ErrorCode::ActivationCodeInvalid,
            "code",
        ));
    }
    // Single use.
    c.p.activation_code = None;
    c.p.wrong_otp = 0;
    c.s.step = Step::Device;
    c.app.log.line(format!(
        "session {} qualified by activation code",
        short(&c.s.id)
    ));
    session_ok(c)
}

/// Counts a wrong password on the person; suspends the BankID at the limit.
fn check_password(c: &mut Ctx<'_>, password: &Sensitive) -> Result<(), ApiError> {
    let good = match &c.p.password_hash {
        Some(h) => crate::kdf::verify(password.expose(), h),
        None => false,
    };
    if good {
        c.p.wrong_password = 0;
        return Ok(());
    }
    c.p.wrong_password += 1;
    c.app
        .log
        .line(format!("session {} wrong password", short(&c.s.id)));
    if c.p.wrong_password >= c.app.rules.password_wrong_max {
        c.p.bankid_suspended = true;
        c.app.log.line(format!(
            "session {} bankid suspended: passwords",
            short(&c.s.id)
        ));
        return Err(ApiError::new(
            ErrorCode::BankidSuspended,
            "too many wrong passwords; the bank must reopen the BankID",
        ));
    }
    let left = c.app.rules.password_wrong_max - c.p.wrong_password;
    Err(ApiError::new(ErrorCode::PasswordWrong, "wrong password")
        .map(|b| b.with_field("password").with_attempts_left(left)))
}

pub fn code_unit(c: &mut Ctx<'_>, req: proto::CodeUnitRequest) -> Outcome {
    expect_step(&c.s, &[Step::CodeUnit])?;
    let otp = req.otp.expose();
    if otp.len() != 6 || !otp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(
            ApiError::new(ErrorCode::InvalidField, "otp: six digits expected")
                .map(|b| b.with_field("otp")),
        );
    }
    let secret =
        c.p.code_unit_secret
            .as_deref()
            .and_then(crate::otp::decode_hex);
    let Some(secret) = secret else {
        return Err(ApiError::new(
            ErrorCode::MethodNotOffered,
            "this person has no code unit",
        ));
    };
    if !crate::otp::totp_matches(&secret, c.now, otp) {
        return Err(wrong_one_time_code(c, ErrorCode::OtpWrong, "otp"));
    }
    c.p.wrong_otp = 0;
    check_password(c, &req.password)?;
    c.s.step = Step::Device;
    c.app
        .log
        .line(format!("session {} qualified by code unit", short(&c.s.id)));
    session_ok(c)
}

pub fn challenge(c: &mut Ctx<'_>, _: proto::Empty) -> Outcome {
    expect_step(&c.s, &[Step::IdCheck, Step::Device, Step::Finish])?;
    // Active authentication takes exactly 8 bytes (ICAO 9303-11 §6.1).
    let ch = if c.s.step == Step::IdCheck {
        proto::encode_b64(&random_bytes::<8>()?)
    } else {
        proto::encode_b64(&random_bytes::<32>()?)
    };
    c.s.challenge = Some((ch.clone(), c.now + c.app.rules.challenge_ttl_s));
    ok(
        StatusCode::OK,
        &proto::ChallengeResponse {
            challenge_b64: ch,
            expires_in_s: c.app.rules.challenge_ttl_s as u64,
        },
    )
}

/// Takes the open challenge (single use) and verifies the key's proof over it.
fn prove_key(c: &mut Ctx<'_>, reg: &proto::KeyRegistration) -> Result<(), ApiError> {
    let Some((ch, until)) = c.s.challenge.take() else {
        return Err(ApiError::new(
            ErrorCode::ChallengeMissing,
            "request a challenge first",
        ));
    };
    if c.now >= until {
        return Err(ApiError::new(
            ErrorCode::ChallengeMissing,
            "the challenge expired; request a new one",
        ));
    }
    let ch = proto::decode_b64("challenge", &ch)?;
    crate::keys::verify_p256(&reg.public_key_spki_b64, &ch, &reg.signature_b64)
}

pub fn register_device(c: &mut Ctx<'_>, req: proto::KeyRegistration) -> Outcome {
    expect_step(&c.s, &[Step::Device])?;
    prove_key(c, &req)?;
    c.s.device_spki = Some(req.public_key_spki_b64.clone());
    c.s.device_id = Some(hex(&random_bytes::<16>()?));
    c.s.step = Step::Finish;
    c.app
        .log
        .line(format!("session {} device key bound", short(&c.s.id)));
    session_ok(c)
}

pub fn set_password(c: &mut Ctx<'_>, req: proto::SetPasswordRequest) -> Outcome {
    expect_step(&c.s, &[Step::Finish])?;
    let birth = NationalId::parse(&c.s.nin, Policy::SANDBOX)
        .ok()
        .and_then(|n| n.birth_date())
        .map(|d| (d.day(), u8::from(d.month()), d.year().clamp(0, 9999) as u16));
    let violations = proto::check_password(
        req.new_password.expose(),
        &proto::PasswordContext { birth_date: birth },
    );
    if !violations.is_empty() {
        return Err(ApiError::new(
            ErrorCode::PasswordPolicy,
            "the new password breaks the policy",
        )
        .map(|b| b.with_field("new_password").with_violations(violations)));
    }
    // ID check and online-bank activation codes are strong on their own; the
    // code-unit path proved the current password only once, so it is asked again.
    let needs_current = c.p.password_hash.is_some() && c.s.method == Some(Method::CodeUnit);
    if needs_current {
        match &req.current_password {
            Some(cur) => check_password(c, cur)?,
            None => {
                return Err(ApiError::new(
                    ErrorCode::InvalidField,
                    "current_password is required to change the password",
                )
                .map(|b| b.with_field("current_password")));
            }
        }
    }
    c.p.password_hash = Some(crate::kdf::hash(req.new_password.expose(), &c.app.rules)?);
    c.p.wrong_password = 0;
    c.s.password_set = true;
    c.app
        .log
        .line(format!("session {} password set", short(&c.s.id)));
    session_ok(c)
}

pub fn push_token(c: &mut Ctx<'_>, req: proto::PushTokenRequest) -> Outcome {
    expect_step(&c.s, &[Step::Finish])?;
    let t = req.token.expose();
    if t.is_empty() || t.len() > 4096 || !t.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ApiError::new(
            ErrorCode::InvalidField,
            "token: 1 to 4096 printable characters",
        )
        .map(|b| b.with_field("token")));
    }
    c.s.push = Some((req.platform, t.to_owned()));
    session_ok(c)
}

pub fn biometric_key(c: &mut Ctx<'_>, req: proto::KeyRegistration) -> Outcome {
    expect_step(&c.s, &[Step::Finish])?;
    prove_key(c, &req)?;
    c.s.biometric_spki = Some(req.public_key_spki_b64);
    c.app
        .log
        .line(format!("session {} biometric key bound", short(&c.s.id)));
    session_ok(c)
}

pub fn sign_agreement(c: &mut Ctx<'_>, req: proto::SignAgreementRequest) -> Outcome {
    expect_step(&c.s, &[Step::Finish])?;
    let agreement = crate::agreement::current();
    if req.agreement_id != agreement.id {
        return Err(ApiError::new(
            ErrorCode::AgreementOutdated,
            "the agreement changed; fetch it again",
        ));
    }
    if c.p.password_hash.is_none() {
        return Err(ApiError::new(
            ErrorCode::WrongStep,
            "set a password before signing the agreement",
        ));
    }
    let (Some(spki), Some(device_id)) = (c.s.device_spki.clone(), c.s.device_id.clone()) else {
        return Err(wrong_step(&c.s));
    };
    let digest = proto::decode_b64("sha256", &agreement.sha256_b64)?;
    crate::keys::verify_p256(&spki, &digest, &req.signature_b64)?;
    check_password(c, &req.password)?;
    let replaced = db::activate_device(
        c.tx,
        &c.s,
        &device_id,
        &spki,
        &agreement.id,
        &req.signature_b64,
        c.now,
    )?;
    c.s.replaced_previous = replaced;
    c.s.step = Step::Complete;
    c.s.state = SessionState::Complete;
    c.s.challenge = None;
    c.app.log.line(format!(
        "session {} complete{}",
        short(&c.s.id),
        if replaced {
            ", previous device revoked"
        } else {
            ""
        }
    ));
    session_ok(c)
}
