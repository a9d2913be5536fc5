//! Shared state, the typed error, idempotency and the request plumbing every
//! endpoint goes through.
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rusqlite::{Connection, Transaction};
use serde_json::Value;

use aktiver_protocol::{ErrorBody, ErrorCode, IDEMPOTENCY_KEY_HEADER, valid_idempotency_key};

use crate::clock::Clock;
use crate::log::Log;
use crate::rules::Rules;

/// The service: database, clock, rules, log.
pub struct App {
    pub db: Mutex<Connection>,
    /// The server secret every keyed hash is made with (kept outside the database).
    pub secret: crate::secrets::ServerSecret,
    /// The bank's people, from the population file, by keyed identity-number hash.
    pub people: std::collections::HashMap<String, Arc<crate::db::PersonInfo>>,
    /// The sandbox SMS inbox: in memory, each message gone when its code expires.
    pub inbox: crate::inbox::Inbox,
    pub kdf: crate::kdf::KdfPool,
    pub limits: crate::limits::ClientLimits,
    /// Whether `/v1/sandbox/*` answers without a token (the server listens on loopback).
    pub sandbox_open: bool,
    /// The token `/v1/sandbox/*` requires otherwise (`X-Sandbox-Token`).
    pub sandbox_token: Option<String>,
    pub clock: Arc<dyn Clock>,
    pub rules: Rules,
    pub log: Log,
    /// CSCAs the ID check's passive authentication trusts.
    pub trust: aktiver_emrtd::pki::TrustStore,
    /// The simulated face-check provider.
    pub face: crate::face::FaceProvider,
    /// When the idempotency table was last pruned (Unix seconds).
    pub last_prune: std::sync::atomic::AtomicI64,
}

/// Pruning runs at most this often, inside a request's transaction.
const PRUNE_EVERY_S: i64 = 60;

/// An error answer: a typed body sent with its code's HTTP status.
#[derive(Debug)]
pub struct ApiError(pub Box<ErrorBody>);

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError(Box::new(ErrorBody::new(code, message)))
    }

    pub fn map(mut self, f: impl FnOnce(ErrorBody) -> ErrorBody) -> Self {
        *self.0 = f(*self.0);
        self
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.0.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl From<Box<ErrorBody>> for ApiError {
    fn from(b: Box<ErrorBody>) -> Self {
        ApiError(b)
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(_: rusqlite::Error) -> Self {
        // The SQLite error may quote stored values: it is not passed on.
        ApiError::new(ErrorCode::Internal, "storage failure")
    }
}

impl From<aktiver_protocol::FieldError> for ApiError {
    fn from(e: aktiver_protocol::FieldError) -> Self {
        ApiError::new(ErrorCode::InvalidField, e.to_string()).map(|b| b.with_field(e.field))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        json_response(
            self.status(),
            &serde_json::to_value(&*self.0).unwrap_or(Value::Null),
        )
    }
}

pub fn json_response(status: StatusCode, v: &Value) -> Response {
    let body = serde_json::to_vec(v).unwrap_or_default();
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

pub type Outcome = Result<(StatusCode, Value), ApiError>;

pub fn ok<T: serde::Serialize>(status: StatusCode, v: &T) -> Outcome {
    serde_json::to_value(v)
        .map(|v| (status, v))
        .map_err(|_| ApiError::new(ErrorCode::Internal, "encoding failure"))
}

/// Turns a body-extractor rejection into the typed error.
pub fn body_bytes(body: Result<Bytes, BytesRejection>) -> Result<Bytes, ApiError> {
    body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(ErrorCode::BodyTooLarge, "body too large")
        } else {
            ApiError::new(ErrorCode::MalformedRequest, "unreadable body")
        }
    })
}

pub fn path_param(
    p: Result<axum::extract::Path<String>, PathRejection>,
) -> Result<String, ApiError> {
    p.map(|p| p.0)
        .map_err(|_| ApiError::new(ErrorCode::NotFound, "malformed path parameter"))
}

fn idempotency_key(headers: &HeaderMap) -> Result<String, ApiError> {
    let key = headers
        .get(IDEMPOTENCY_KEY_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !valid_idempotency_key(key) {
        return Err(ApiError::new(
            ErrorCode::IdempotencyKeyMissing,
            format!(
                "state-changing calls need an {IDEMPOTENCY_KEY_HEADER} header of 8 to 128 printable characters"
            ),
        ));
    }
    Ok(key.to_owned())
}

/// Whom an idempotency key belongs to: a key is looked up only among its
/// owner's keys, so another caller's key is unknown here (no oracle, no replay
/// of someone else's answer).
#[derive(Clone, Copy)]
pub enum Scope<'a> {
    /// Calls on a session: holding the session id is the capability.
    Session(&'a str),
    /// Calls before a session exists: bound to the client's address.
    Client(std::net::IpAddr),
}

/// Whether an answer is stored for replay.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    Stored,
    /// The answer holds a secret (an activation code, a signed face verdict
    /// over a portrait hash): it is never written down; the same key runs the
    /// call again.
    NotStored,
}

impl App {
    /// The person a keyed identity-number hash belongs to, with stored state.
    pub fn person(
        &self,
        conn: &Connection,
        nin_mac: &str,
    ) -> Result<Option<crate::db::PersonRec>, ApiError> {
        let Some(info) = self.people.get(nin_mac) else {
            return Ok(None);
        };
        let st =
            crate::db::get_person_state(conn, nin_mac)?.unwrap_or_else(|| crate::db::PersonState {
                password_hash: info.initial_password_hash.clone(),
                ..Default::default()
            });
        Ok(Some(crate::db::PersonRec {
            nin_mac: nin_mac.to_owned(),
            info: info.clone(),
            st,
        }))
    }

    /// Runs a state-changing call exactly once per idempotency key and scope:
    /// the first answer (success or rule error) is stored in the same
    /// transaction as the state change and replayed for the same key and
    /// request; the same key with a different request is refused. The request
    /// is compared by a MAC under the server secret (bodies may carry a
    /// password: no fast unkeyed hash of one is ever stored).
    #[allow(clippy::too_many_arguments)]
    pub fn idempotent(
        &self,
        method: &str,
        path: &str,
        headers: &HeaderMap,
        body: Result<Bytes, BytesRejection>,
        scope: Scope<'_>,
        replay: Replay,
        inner: impl FnOnce(&Transaction<'_>, i64, &[u8]) -> Outcome,
    ) -> Response {
        match self.idempotent_inner(method, path, headers, body, scope, replay, inner) {
            Ok((status, v)) => json_response(status, &v),
            Err(e) => e.into_response(),
        }
    }

    /// The stored id of an idempotency key: keyed, and scoped to its session
    /// or client so a key is no oracle across callers.
    fn idempotency_id(&self, scope: Scope<'_>, key: &str) -> String {
        let scope_text = match scope {
            Scope::Session(s) => format!("session:{s}"),
            Scope::Client(ip) => format!("client:{ip}"),
        };
        self.secret
            .mac_hex("idempotency-key", &[scope_text.as_bytes(), key.as_bytes()])
    }

    /// Whether `headers`' idempotency key already has a stored answer in
    /// `scope` (a replay, or a reuse with another body): such a call is
    /// answered from the store and needs no password work.
    pub fn already_answered(&self, headers: &HeaderMap, scope: Scope<'_>) -> bool {
        let Ok(key) = idempotency_key(headers) else {
            return false;
        };
        let id = self.idempotency_id(scope, &key);
        self.db
            .lock()
            .ok()
            .and_then(|conn| crate::db::idem_get(&conn, &id).ok().flatten())
            .is_some()
    }

    #[allow(clippy::too_many_arguments)]
    fn idempotent_inner(
        &self,
        method: &str,
        path: &str,
        headers: &HeaderMap,
        body: Result<Bytes, BytesRejection>,
        scope: Scope<'_>,
        replay: Replay,
        inner: impl FnOnce(&Transaction<'_>, i64, &[u8]) -> Outcome,
    ) -> Outcome {
        let key = idempotency_key(headers)?;
        let body = body_bytes(body)?;
        let session = match scope {
            Scope::Session(s) => Some(s),
            Scope::Client(_) => None,
        };
        let id = self.idempotency_id(scope, &key);
        let request = self.secret.mac_hex(
            "idempotency-request",
            &[method.as_bytes(), path.as_bytes(), &body],
        );
        let now = self.clock.now();
        let mut conn = self
            .db
            .lock()
            .map_err(|_| ApiError::new(ErrorCode::Internal, "state lock poisoned"))?;
        // Its own statement, so a replay (which does not commit) still prunes.
        self.prune(&conn, now)?;
        let tx = conn.transaction()?;
        if replay == Replay::Stored
            && let Some((stored_request, status, stored)) = crate::db::idem_get(&tx, &id)?
        {
            if !crate::ct_eq(stored_request.as_bytes(), request.as_bytes()) {
                return Err(ApiError::new(
                    ErrorCode::IdempotencyKeyReused,
                    "idempotency key already used for another request",
                ));
            }
            let v: Value = stored
                .and_then(|s| serde_json::from_str(&s).ok())
                .unwrap_or(Value::Null);
            return Ok((StatusCode::from_u16(status).unwrap_or(StatusCode::OK), v));
        }
        let outcome = inner(&tx, now, &body);
        let (status, v) = match &outcome {
            Ok((s, v)) => (*s, v.clone()),
            Err(e) if e.0.code == ErrorCode::Internal => return outcome,
            Err(e) => (
                e.status(),
                serde_json::to_value(&*e.0).unwrap_or(Value::Null),
            ),
        };
        if replay == Replay::Stored {
            crate::db::idem_put(
                &tx,
                &id,
                &request,
                status.as_u16(),
                Some(&v.to_string()),
                now,
                session,
            )?;
        }
        tx.commit()?;
        Ok((status, v))
    }
}

impl App {
    /// Drops what no rule needs any more, at most once a minute: stored
    /// answers past the idempotency window, SMS attempts past the rate window,
    /// sessions past their window and suspension, and expired inbox messages.
    fn prune(&self, conn: &Connection, now: i64) -> Result<(), ApiError> {
        use std::sync::atomic::Ordering;
        let last = self.last_prune.load(Ordering::SeqCst);
        if now - last < PRUNE_EVERY_S && now >= last {
            return Ok(());
        }
        self.last_prune.store(now, Ordering::SeqCst);
        let r = &self.rules;
        let n = crate::db::idem_prune(conn, now - r.idempotency_ttl_s)?;
        if n > 0 {
            self.log
                .line(format!("pruned {n} expired idempotency entries"));
        }
        let m = crate::db::prune(
            conn,
            now - r.rate_window_s,
            now - r.session_window_s.max(r.suspension_s),
        )?;
        if m > 0 {
            self.log
                .line(format!("pruned {m} expired sessions and SMS records"));
        }
        self.inbox.prune(now);
        Ok(())
    }
}

/// Random bytes from the OS.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| ApiError::new(ErrorCode::Internal, "no randomness"))?;
    Ok(b)
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
