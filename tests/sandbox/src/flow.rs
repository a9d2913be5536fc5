//! The activation rules, one function per endpoint. Each runs inside the
//! idempotent transaction; the session and person records it changes are saved
//! even when it answers with a rule error (a wrong code must still count).
use axum::http::StatusCode;
use rusqlite::Transaction;

use aktiver_nin::{NationalId, Policy};
use aktiver_protocol::{self as proto, ErrorCode, Method, SessionView, SmsStatus, Step};
use proto::{Sensitive, parse_body};

use crate::app::{ApiError, App, Outcome, hex, ok, random_bytes};
use crate::db::{
    self, ChallengePurpose, ChallengeRec, PersonRec, SessionRec, SessionState, SmsRec,
};
use crate::kdf::KdfWork;
use crate::log::short;

/// What a step handler works on.
pub struct Ctx<'a> {
    pub app: &'a App,
    pub tx: &'a Transaction<'a>,
    pub now: i64,
    pub s: SessionRec,
    /// `None` for a session started with an identity number the bank does not
    /// know: it looks the same from outside until possession of the phone is proved.
    pub p: Option<PersonRec>,
    /// Argon2id results computed before the transaction, off the async workers.
    pub kdf: KdfWork,
}

pub fn view(s: &SessionRec, now: i64, rules: &crate::rules::Rules) -> SessionView {
    SessionView {
        session_id: s.id.clone(),
        step: s.step,
        expires_at: s.expires_at,
        sms: match (&s.sms, &s.sms_to) {
            (Some(m), Some(to)) if s.step == Step::SmsCode => Some(SmsStatus {
                masked_phone: to.masked.clone(),
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
        format!("the session is at step {}", step_name(s.step)),
    )
}

/// The wire name of a step, for messages.
pub fn step_name(s: Step) -> &'static str {
    match s {
        Step::Phone => "phone",
        Step::SmsCode => "sms_code",
        Step::Method => "method",
        Step::IdCheck => "id_check",
        Step::CodeUnit => "code_unit",
        Step::ActivationCode => "activation_code",
        Step::Device => "device",
        Step::Finish => "finish",
        Step::Complete => "complete",
    }
}

fn expect_step(s: &SessionRec, steps: &[Step]) -> Result<(), ApiError> {
    if steps.contains(&s.step) {
        Ok(())
    } else {
        Err(wrong_step(s))
    }
}

/// Checks the session's window and state before any step runs.
fn gate(s: &mut SessionRec, p: Option<&PersonRec>, now: i64) -> Result<(), ApiError> {
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
    // Told only to a caller who proved possession of the registered phone.
    if s.possession_proved && p.is_some_and(|p| p.st.bankid_suspended) {
        return Err(ApiError::new(
            ErrorCode::BankidSuspended,
            "the BankID is suspended; the bank must reopen it",
        ));
    }
    Ok(())
}

/// The person of a session that proved possession (always known then).
fn person<'c>(c: &'c mut Ctx<'_>) -> Result<&'c mut PersonRec, ApiError> {
    c.p.as_mut()
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "session without a person"))
}

/// Loads the session and person, runs `f`, saves both whatever `f` answered.
#[allow(clippy::too_many_arguments)]
pub fn with_session<Req: serde::de::DeserializeOwned>(
    app: &App,
    tx: &Transaction<'_>,
    now: i64,
    sid: &str,
    body: &[u8],
    kdf: KdfWork,
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
    let p = app.person(tx, &s.nin_mac)?;
    let mut ctx = Ctx {
        app,
        tx,
        now,
        s,
        p,
        kdf,
    };
    let out = match gate(&mut ctx.s, ctx.p.as_ref(), now) {
        Ok(()) => f(&mut ctx, req),
        Err(e) => Err(e),
    };
    db::put_session(tx, &ctx.s, now)?;
    if let Some(p) = &ctx.p {
        db::put_person_state(tx, &p.nin_mac, &p.st)?;
    }
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

/// Starts a session for any well-formed identity number. Whether the bank
/// knows the number, whether its BankID is suspended and whether another
/// session is open are told only once the SMS code proves possession of the
/// registered phone: until then every number gets the same answer.
pub fn start_session(
    app: &App,
    tx: &Transaction<'_>,
    now: i64,
    body: &[u8],
    client: std::net::IpAddr,
) -> Outcome {
    let req: proto::StartSessionRequest = parse_body(body)?;
    let nin = parse_national_id(req.national_id.expose())?;
    let r = &app.rules;
    let id = hex(&random_bytes::<16>()?);
    let s = SessionRec {
        id: id.clone(),
        nin_mac: app.secret.nin(nin.as_str()),
        created_at: now,
        expires_at: now + r.session_window_s,
        state: SessionState::Active,
        suspended_until: 0,
        step: Step::Phone,
        possession_proved: false,
        client_mac: app
            .secret
            .mac_hex("client", &[client.to_string().as_bytes()]),
        sms_to: None,
        sms: None,
        sms_wrong_total: 0,
        methods: Vec::new(),
        method: None,
        challenge: None,
        device_id: None,
        device_spki: None,
        replaced_previous: false,
        password_set: false,
        new_password_hash: None,
        password_changes: 0,
        push: None,
        biometric_spki: None,
        id_check: None,
        id_check_failures: 0,
    };
    db::put_session(tx, &s, now)?;
    app.log.line(format!("session {} started", short(&id)));
    ok(StatusCode::CREATED, &view(&s, now, r))
}

/// Once possession is proved: the rules that involve the person's other
/// sessions (one at a time, a suspension blocks). Sessions of the same person
/// that never proved possession are strangers' or abandoned: they are ended.
fn after_possession(c: &mut Ctx<'_>) -> Result<(), ApiError> {
    let r = &c.app.rules;
    let recent = db::sessions_of(
        c.tx,
        &c.s.nin_mac,
        c.now - r.session_window_s.max(r.suspension_s),
    )?;
    for mut o in recent.into_iter().filter(|o| o.id != c.s.id) {
        if !o.possession_proved {
            if o.state == SessionState::Active {
                o.state = SessionState::Cancelled;
                o.sms_to = None;
                o.sms = None;
                db::put_session(c.tx, &o, c.now)?;
            }
            continue;
        }
        if o.state == SessionState::Suspended && o.suspended_until > c.now {
            return Err(ApiError::new(
                ErrorCode::SessionSuspended,
                "a recent session was suspended",
            )
            .map(|b| b.with_retry_after((o.suspended_until - c.now) as u64)));
        }
        if o.state == SessionState::Active && o.expires_at > c.now {
            return Err(ApiError::new(
                ErrorCode::SessionInProgress,
                "another activation session is in progress",
            )
            .map(|b| b.with_retry_after((o.expires_at - c.now) as u64)));
        }
    }
    Ok(())
}

pub fn cancel(c: &mut Ctx<'_>, _: proto::Empty) -> Outcome {
    c.s.state = SessionState::Cancelled;
    c.s.sms_to = None;
    c.s.sms = None;
    c.s.challenge = None;
    c.s.new_password_hash = None;
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

/// The phone step answers alike whether the number is the registered one or
/// not (and whether the bank knows the person at all): the SMS goes out only
/// on a match, and only its code moves the session on.
pub fn submit_phone(c: &mut Ctx<'_>, req: proto::SubmitPhoneRequest) -> Outcome {
    expect_step(&c.s, &[Step::Phone])?;
    let phone = proto::normalize_phone(req.phone.expose()).ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidPhone,
            "phone: not a Norwegian mobile number",
        )
        .map(|b| b.with_field("phone"))
    })?;
    let to = db::SmsTarget {
        pair_mac: c
            .app
            .secret
            .mac_hex("sms-pair", &[c.s.nin_mac.as_bytes(), phone.as_bytes()]),
        phone_mac: c.app.secret.phone(&phone),
        masked: proto::mask_phone(&phone),
        registered: c
            .p
            .as_ref()
            .is_some_and(|p| crate::ct_eq(p.info.phone.as_bytes(), phone.as_bytes())),
    };
    send_sms(c, &to)?;
    c.s.sms_to = Some(to);
    c.s.step = Step::SmsCode;
    session_ok(c)
}

/// Counts the attempt against the quotas and, when the number is the
/// registered phone, delivers a fresh code to it (the number comes from the
/// bank's record, never from the session).
fn send_sms(c: &mut Ctx<'_>, to: &db::SmsTarget) -> Result<(), ApiError> {
    let r = &c.app.rules;
    let since = c.now - r.rate_window_s;
    let (pair, phone_mac, registered) = (&to.pair_mac, &to.phone_mac, to.registered);
    let registered_phone = c.p.as_ref().map(|p| p.info.phone.clone());
    let deliver_to = registered_phone.as_deref().filter(|_| registered);
    // Attempts count per (identity number, phone) pair whether or not a
    // message goes out, so the limit is no oracle, and per client, so a
    // stranger who knows both numbers never uses up the owner's quota.
    // Delivered messages also count per phone in all, against SMS bombing
    // from many addresses.
    let client = c.s.client_mac.as_str();
    let (n, oldest) = db::sms_count_by_pair(c.tx, pair, client, since)?;
    let ((n_phone, oldest_phone), (n_all, oldest_all)) = if registered {
        (
            db::sms_count_by_phone(c.tx, phone_mac, Some(client), since)?,
            db::sms_count_by_phone(c.tx, phone_mac, None, since)?,
        )
    } else {
        ((0, None), (0, None))
    };
    for (count, oldest, limit, what) in [
        (n, oldest, r.sms_per_person, "identity number"),
        (n_phone, oldest_phone, r.sms_per_phone, "phone number"),
        (
            n_all,
            oldest_all,
            r.sms_per_phone_all_clients,
            "phone number",
        ),
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
    db::insert_sms(c.tx, pair, phone_mac, client, registered, c.now)?;
    let code_mac = if let Some(phone) = deliver_to {
        let code = loop {
            let n = u32::from_le_bytes(random_bytes::<4>()?);
            // Rejection sampling keeps the six digits uniform.
            if n < u32::MAX - (u32::MAX % 1_000_000) {
                break format!("{:06}", n % 1_000_000);
            }
        };
        let text = format!("{code} is your BankID activation code. Never share it. Sandbox Bank");
        let mac = c.app.secret.code("sms", &c.s.id, &code);
        c.app
            .inbox
            .deliver(phone, &text, &code, c.now, c.now + r.sms_expiry_s);
        Some(mac)
    } else {
        None
    };
    c.s.sms = Some(SmsRec {
        code_mac,
        sent_at: c.now,
        expires_at: c.now + r.sms_expiry_s,
        wrong: 0,
        invalidated: false,
    });
    c.app.log.line(format!(
        "session {} sms step (a code goes to the sandbox inbox if the number is registered)",
        short(&c.s.id)
    ));
    Ok(())
}

pub fn resend_sms(c: &mut Ctx<'_>, _: proto::Empty) -> Outcome {
    expect_step(&c.s, &[Step::SmsCode])?;
    let (Some(to), Some(m)) = (c.s.sms_to.clone(), c.s.sms.as_ref()) else {
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
    send_sms(c, &to)?;
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
    let given = c.app.secret.code("sms", &c.s.id, code);
    let right = m
        .code_mac
        .as_ref()
        .is_some_and(|mac| crate::ct_eq(mac.as_bytes(), given.as_bytes()));
    if !right {
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
    // The code was only ever sent to the registered phone of a known person.
    c.s.sms = None;
    c.s.sms_to = None;
    c.s.possession_proved = true;
    if let Err(e) = after_possession(c) {
        c.s.state = SessionState::Cancelled;
        return Err(e);
    }
    let (suspended, methods) = {
        let p = person(c)?;
        (p.st.bankid_suspended, p.info.methods.clone())
    };
    if suspended {
        c.s.state = SessionState::Cancelled;
        return Err(ApiError::new(
            ErrorCode::BankidSuspended,
            "the BankID is suspended; the bank must reopen it",
        ));
    }
    c.s.methods = methods;
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
    // A challenge serves the step it was issued for only.
    c.s.challenge = None;
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
        Some(ch) if c.now < ch.until && ch.purpose == ChallengePurpose::ActiveAuthentication => {
            proto::decode_b64("challenge", &ch.b64).ok()
        }
        _ => None,
    };
    let nin = person(c)?.info.nin.clone();
    let inputs = crate::idcheck::Inputs {
        app: c.app,
        now: c.now,
        session_id: &c.s.id,
        nin: &nin,
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
    db::idem_delete_session(c.tx, &c.s.id)?;
    c.s.sms_to = None;
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
    let p = app.person(tx, &s.nin_mac)?.ok_or_else(not_found)?;
    gate(&mut s, Some(&p), now)?;
    expect_step(&s, &[Step::IdCheck])?;
    let payload = proto::FaceVerdictPayload {
        provider: crate::face::PROVIDER.to_owned(),
        session_id: s.id.clone(),
        portrait_sha256_b64: Sensitive::new(proto::encode_b64(&hash)),
        outcome: if p.info.face_check_pass {
            "pass"
        } else {
            "fail"
        }
        .to_owned(),
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
    let sid = short(&c.s.id).to_owned();
    let (max, log) = (c.app.rules.otp_wrong_max, &c.app.log);
    let Some(p) = c.p.as_mut() else {
        return ApiError::new(ErrorCode::Internal, "session without a person");
    };
    p.st.wrong_otp += 1;
    log.line(format!("session {sid} wrong one-time code"));
    if p.st.wrong_otp >= max {
        p.st.bankid_suspended = true;
        log.line(format!("session {sid} bankid suspended: one-time codes"));
        return ApiError::new(
            ErrorCode::BankidSuspended,
            "too many wrong one-time codes; the bank must reopen the BankID",
        );
    }
    let left = max - p.st.wrong_otp;
    ApiError::new(code, "wrong or expired one-time code")
        .map(|b| b.with_field(field).with_attempts_left(left))
}

/// The sandbox online bank: a single-use activation code, valid briefly. Its
/// answer holds the code, so it is never stored; the person keeps only the
/// code's keyed hash until it is used or expires.
pub fn issue_activation_code(app: &App, tx: &Transaction<'_>, now: i64, body: &[u8]) -> Outcome {
    let req: proto::IssueActivationCodeRequest = parse_body(body)?;
    let nin = parse_national_id(req.national_id.expose())?;
    let mut p = app
        .person(tx, &app.secret.nin(nin.as_str()))?
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NoBankid,
                "no BankID with a bank offering app activation",
            )
        })?;
    if !p.info.methods.contains(&Method::ActivationCode) {
        return Err(ApiError::new(
            ErrorCode::MethodNotOffered,
            "the bank does not offer activation codes to this person",
        ));
    }
    let n = loop {
        let n = u64::from_le_bytes(random_bytes::<8>()?);
        if n < u64::MAX - (u64::MAX % 100_000_000) {
            break n % 100_000_000;
        }
    };
    let code = format!("{n:08}");
    let payload = format!("{}{code}", proto::ACTIVATION_QR_PREFIX);
    let png = crate::qr::png(&payload)
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "QR encoding failed"))?;
    let ttl = app.rules.activation_code_ttl_s;
    p.st.activation_code = Some((app.secret.code("activation", &p.nin_mac, &code), now + ttl));
    db::put_person_state(tx, &p.nin_mac, &p.st)?;
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
    let now = c.now;
    let nin_mac = person(c)?.nin_mac.clone();
    let given = c.app.secret.code("activation", &nin_mac, code);
    let p = person(c)?;
    let good = match &p.st.activation_code {
        Some((mac, until)) => now < *until && crate::ct_eq(mac.as_bytes(), given.as_bytes()),
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
    p.st.activation_code = None;
    p.st.wrong_otp = 0;
    c.s.step = Step::Device;
    c.app.log.line(format!(
        "session {} qualified by activation code",
        short(&c.s.id)
    ));
    session_ok(c)
}

/// Counts a wrong password on the person; suspends the BankID at the limit.
/// `against` is the hash to check (the person's, or the session's new one).
fn check_password(
    c: &mut Ctx<'_>,
    password: &Sensitive,
    against: Option<&str>,
) -> Result<(), ApiError> {
    let good = match against {
        Some(h) => c.kdf.verified(h, password.expose()),
        None => false,
    };
    let sid = short(&c.s.id).to_owned();
    let (max, log) = (c.app.rules.password_wrong_max, &c.app.log);
    let Some(p) = c.p.as_mut() else {
        return Err(ApiError::new(
            ErrorCode::Internal,
            "session without a person",
        ));
    };
    if good {
        p.st.wrong_password = 0;
        return Ok(());
    }
    p.st.wrong_password += 1;
    log.line(format!("session {sid} wrong password"));
    if p.st.wrong_password >= max {
        p.st.bankid_suspended = true;
        log.line(format!("session {sid} bankid suspended: passwords"));
        return Err(ApiError::new(
            ErrorCode::BankidSuspended,
            "too many wrong passwords; the bank must reopen the BankID",
        ));
    }
    let left = max - p.st.wrong_password;
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
    let now = c.now;
    let p = person(c)?;
    let Some(secret) = p.info.code_unit_secret.clone() else {
        return Err(ApiError::new(
            ErrorCode::MethodNotOffered,
            "this person has no code unit",
        ));
    };
    // A code is used once: only a time step after the last accepted one counts.
    let step = crate::otp::matching_step(&secret, now, otp).filter(|s| *s > p.st.otp_last_step);
    let Some(step) = step else {
        return Err(wrong_one_time_code(c, ErrorCode::OtpWrong, "otp"));
    };
    p.st.otp_last_step = step;
    p.st.wrong_otp = 0;
    let hash = p.st.password_hash.clone();
    check_password(c, &req.password, hash.as_deref())?;
    c.s.step = Step::Device;
    c.app
        .log
        .line(format!("session {} qualified by code unit", short(&c.s.id)));
    session_ok(c)
}

pub fn challenge(c: &mut Ctx<'_>, _: proto::Empty) -> Outcome {
    expect_step(&c.s, &[Step::IdCheck, Step::Device, Step::Finish])?;
    // Active authentication takes exactly 8 bytes (ICAO 9303-11 §6.1); each
    // challenge is tagged with its one purpose.
    let (b64, purpose) = if c.s.step == Step::IdCheck {
        (
            proto::encode_b64(&random_bytes::<8>()?),
            ChallengePurpose::ActiveAuthentication,
        )
    } else {
        (
            proto::encode_b64(&random_bytes::<32>()?),
            ChallengePurpose::KeyPossession,
        )
    };
    c.s.challenge = Some(ChallengeRec {
        b64: b64.clone(),
        until: c.now + c.app.rules.challenge_ttl_s,
        purpose,
    });
    ok(
        StatusCode::OK,
        &proto::ChallengeResponse {
            challenge_b64: b64,
            expires_in_s: c.app.rules.challenge_ttl_s as u64,
        },
    )
}

/// Takes the open challenge (single use) and verifies the key's proof over it.
fn prove_key(c: &mut Ctx<'_>, reg: &proto::KeyRegistration) -> Result<(), ApiError> {
    let Some(ch) = c.s.challenge.take() else {
        return Err(ApiError::new(
            ErrorCode::ChallengeMissing,
            "request a challenge first",
        ));
    };
    if ch.purpose != ChallengePurpose::KeyPossession {
        return Err(ApiError::new(
            ErrorCode::ChallengeMissing,
            "the open challenge was issued for active authentication; request a new one",
        ));
    }
    if c.now >= ch.until {
        return Err(ApiError::new(
            ErrorCode::ChallengeMissing,
            "the challenge expired; request a new one",
        ));
    }
    let bytes = proto::decode_b64("challenge", &ch.b64)?;
    crate::keys::verify_p256(&reg.public_key_spki_b64, &bytes, &reg.signature_b64)
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

/// The new password is kept (as its Argon2id hash) in the session and takes
/// effect with the activation: a cancelled or abandoned activation changes nothing.
pub fn set_password(c: &mut Ctx<'_>, req: proto::SetPasswordRequest) -> Outcome {
    expect_step(&c.s, &[Step::Finish])?;
    if c.s.password_changes >= c.app.rules.password_changes_per_session {
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            "too many password changes in this session",
        ));
    }
    let nin = person(c)?.info.nin.clone();
    let violations = password_violations(&nin, req.new_password.expose());
    if !violations.is_empty() {
        return Err(ApiError::new(
            ErrorCode::PasswordPolicy,
            "the new password breaks the policy",
        )
        .map(|b| b.with_field("new_password").with_violations(violations)));
    }
    // ID check and online-bank activation codes are strong on their own; the
    // code-unit path proved the current password only once, so it is asked again.
    let current = person(c)?.st.password_hash.clone();
    let needs_current = current.is_some() && c.s.method == Some(Method::CodeUnit);
    if needs_current {
        match &req.current_password {
            Some(cur) => check_password(c, cur, current.as_deref())?,
            None => {
                return Err(ApiError::new(
                    ErrorCode::InvalidField,
                    "current_password is required to change the password",
                )
                .map(|b| b.with_field("current_password")));
            }
        }
    }
    let hash = c.kdf.new_hash(req.new_password.expose(), &c.app.rules)?;
    c.s.new_password_hash = Some(hash);
    c.s.password_changes += 1;
    c.s.password_set = true;
    c.app.log.line(format!(
        "session {} new password accepted (takes effect with the activation)",
        short(&c.s.id)
    ));
    session_ok(c)
}

/// The shared policy's verdict on a new password for this person.
pub fn password_violations(nin: &str, password: &str) -> Vec<proto::PasswordViolation> {
    let birth = NationalId::parse(nin, Policy::SANDBOX)
        .ok()
        .and_then(|n| n.birth_date())
        .map(|d| (d.day(), u8::from(d.month()), d.year().clamp(0, 9999) as u16));
    proto::check_password(password, &proto::PasswordContext { birth_date: birth })
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
    // The password this activation will leave: the new one if set, else the current one.
    let effective = match &c.s.new_password_hash {
        Some(h) => Some(h.clone()),
        None => person(c)?.st.password_hash.clone(),
    };
    if effective.is_none() {
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
    check_password(c, &req.password, effective.as_deref())?;
    if let Some(h) = c.s.new_password_hash.take() {
        let p = person(c)?;
        p.st.password_hash = Some(h);
        p.st.wrong_password = 0;
    }
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
