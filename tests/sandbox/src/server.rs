//! The router, the middleware every request passes and the server's life cycle.
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use aktiver_protocol::endpoints::{self as ep, with_session};
use aktiver_protocol::{self as proto, ErrorCode};

use crate::app::{ApiError, App, Replay, Scope, json_response, ok, path_param};
use crate::clock::{Clock, SystemClock};
use crate::conn::Peer;
use crate::db::{self, PersonInfo};
use crate::kdf::{KdfWork, PasswordCall};
use crate::log::Log;
use crate::population::{DEFAULT_POPULATION, Person, parse_population};
use crate::rules::Rules;
use crate::secrets::ServerSecret;
use crate::{ServerError, flow, tls};

/// The header that opens `/v1/sandbox/*` on a server not bound to loopback.
pub const SANDBOX_TOKEN_HEADER: &str = "X-Sandbox-Token";

/// How to run the sandbox.
pub struct ServerOptions {
    pub addr: SocketAddr,
    /// SQLite file; `None` keeps state in memory (tests).
    pub db: Option<PathBuf>,
    /// Population TOML text; `None` uses the built-in population.
    pub population: Option<String>,
    /// Plain HTTP, for local debugging only.
    pub http: bool,
    pub rules: Rules,
    pub clock: Arc<dyn Clock>,
    /// Print log lines to stderr.
    pub echo_log: bool,
    /// Extra CSCA trust anchors (PEM, DER certificate or master list), besides
    /// the sandbox's test CSCA.
    pub trust: Vec<Vec<u8>>,
    /// Opens `/v1/sandbox/*` (SMS inbox, online bank, face check) to callers
    /// that send it in `X-Sandbox-Token`. On loopback they are open anyway;
    /// elsewhere, without a token, they are closed.
    pub sandbox_token: Option<String>,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            db: None,
            population: None,
            http: false,
            rules: Rules::default(),
            clock: Arc::new(SystemClock),
            echo_log: false,
            trust: Vec::new(),
            sandbox_token: None,
        }
    }
}

/// A started server. Dropping it without [`RunningServer::stop`] leaves it running
/// until the runtime ends.
pub struct RunningServer {
    pub addr: SocketAddr,
    /// `https://127.0.0.1:PORT` (or `http://` with `--http`).
    pub url: String,
    /// The SPKI SHA-256 pin (base64); `None` over plain HTTP.
    pub pin: Option<String>,
    pub app: Arc<App>,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl RunningServer {
    /// Stops accepting, lets open requests finish, and closes the database.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    pub fn log_lines(&self) -> Vec<String> {
        self.app.log.lines()
    }
}

/// The bank's people by keyed identity-number hash, with the Argon2id hash of
/// the population's password as the state a person starts from.
fn load_population(
    people: &[Person],
    rules: &Rules,
    secret: &ServerSecret,
) -> Result<std::collections::HashMap<String, Arc<PersonInfo>>, ServerError> {
    let mut map = std::collections::HashMap::new();
    for p in people {
        let nin_mac = secret.nin(&p.national_id);
        let initial_password_hash = match &p.password {
            Some(pw) => {
                Some(crate::kdf::hash(pw, rules).map_err(|e| ServerError::Config(e.0.message))?)
            }
            None => None,
        };
        let info = PersonInfo {
            nin: p.national_id.clone(),
            phone: p.phone.clone(),
            bank: p.bank.clone(),
            methods: p.methods.clone(),
            code_unit_secret: p
                .code_unit_secret
                .as_deref()
                .and_then(crate::otp::decode_hex)
                .map(zeroize::Zeroizing::new),
            face_check_pass: !p.documents.iter().any(|d| d.face_check == "fail"),
            initial_password_hash,
        };
        map.insert(nin_mac, Arc::new(info));
    }
    Ok(map)
}

/// Opens the state, loads the population and starts serving.
pub async fn start(opts: ServerOptions) -> Result<RunningServer, ServerError> {
    let people = parse_population(opts.population.as_deref().unwrap_or(DEFAULT_POPULATION))?;
    if let Some(p) = &opts.db {
        crate::files::prepare_db_file(p)?;
    }
    let conn = db::open(opts.db.as_deref()).map_err(ServerError::Db)?;
    if let Some(p) = &opts.db {
        crate::files::prepare_db_file(p)?;
    }
    let secret = match &opts.db {
        Some(p) => ServerSecret::load_or_create(p)?,
        None => ServerSecret::ephemeral()?,
    };
    let people = load_population(&people, &opts.rules, &secret)?;
    let mut trust = crate::sandbox_trust_store()?;
    // Files the operator configures are trusted by that choice: a master
    // list among them may vouch for itself (the operator says so).
    for (i, t) in opts.trust.iter().enumerate() {
        trust
            .load_with(
                t,
                aktiver_emrtd::pki::MasterListTrust::AcceptListThatVouchesForItself,
            )
            .map_err(|e| ServerError::Trust(format!("trust file {i}: {e}")))?;
    }
    let face = crate::face::FaceProvider::from_secret(&secret)?;
    let tcp = TcpListener::bind(opts.addr)
        .await
        .map_err(|e| ServerError::Io(opts.addr.to_string(), e))?;
    let addr = tcp
        .local_addr()
        .map_err(|e| ServerError::Io(opts.addr.to_string(), e))?;
    let app = Arc::new(App {
        db: Mutex::new(conn),
        secret,
        people,
        inbox: crate::inbox::Inbox::default(),
        kdf: crate::kdf::KdfPool::new(opts.rules.kdf_parallel, opts.rules.kdf_queue_max),
        limits: crate::limits::ClientLimits::new(&opts.rules),
        sandbox_open: addr.ip().is_loopback(),
        sandbox_token: opts.sandbox_token.filter(|t| !t.is_empty()),
        clock: opts.clock,
        rules: opts.rules,
        log: Log::new(opts.echo_log),
        trust,
        face,
        last_prune: std::sync::atomic::AtomicI64::new(i64::MIN / 2),
    });
    let router = router(app.clone());
    let (stop, stop_rx) = watch::channel(false);
    let (tls, url, pin) = if opts.http {
        (None, format!("http://{addr}"), None)
    } else {
        let identity = match &opts.db {
            Some(p) => tls::load_or_create(p)?,
            None => tls::ephemeral()?,
        };
        let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls::server_config(&identity)?));
        (
            Some(acceptor),
            format!("https://{addr}"),
            Some(identity.pin.clone()),
        )
    };
    let task = tokio::spawn(crate::conn::serve(tcp, tls, router, app.clone(), stop_rx));
    Ok(RunningServer {
        addr,
        url,
        pin,
        app,
        stop,
        task,
    })
}

type Body = Result<Bytes, BytesRejection>;
type SidPath = Result<Path<String>, PathRejection>;

/// A state-changing session call: its idempotency keys belong to the session.
macro_rules! session_call {
    ($method:literal, $endpoint:expr, $f:path) => {
        session_call!($method, $endpoint, $f, None)
    };
    ($method:literal, $endpoint:expr, $f:path, $kdf:expr) => {
        |State(app): State<Arc<App>>,
         peer: Option<axum::Extension<Peer>>,
         p: SidPath,
         headers: HeaderMap,
         body: Body| async move {
            let sid = match path_param(p) {
                Ok(s) => s,
                Err(e) => return e.into_response(),
            };
            let work = match ($kdf, &body) {
                (Some(call), Ok(bytes)) => {
                    let ip = client_ip(peer);
                    match password_work(&app, ip, &sid, &headers, bytes, call).await {
                        Ok(w) => w,
                        Err(e) => return e.into_response(),
                    }
                }
                _ => KdfWork::default(),
            };
            blocking(move || {
                let path = with_session($endpoint, &sid);
                app.idempotent(
                    $method,
                    &path,
                    &headers,
                    body,
                    Scope::Session(&sid),
                    Replay::Stored,
                    |tx, now, b| flow::with_session(&app, tx, now, &sid, b, work, $f),
                )
            })
            .await
        }
    };
}

/// The Argon2id work a password-carrying call needs, done before its
/// transaction: none for a replayed idempotency key or for a call the cheap
/// checks refuse (see [`crate::kdf::plan`]); otherwise charged to the client's
/// password-work budget and run on the bounded pool.
async fn password_work(
    app: &Arc<App>,
    ip: std::net::IpAddr,
    sid: &str,
    headers: &HeaderMap,
    body: &Bytes,
    call: PasswordCall,
) -> Result<KdfWork, ApiError> {
    let (app2, sid2, headers2, body2) =
        (app.clone(), sid.to_owned(), headers.clone(), body.clone());
    let plan = tokio::task::spawn_blocking(move || {
        if app2.already_answered(&headers2, Scope::Session(&sid2)) {
            return None;
        }
        crate::kdf::plan(&app2, &sid2, &body2, call)
    })
    .await
    .ok()
    .flatten();
    let Some(plan) = plan else {
        return Ok(KdfWork::default());
    };
    if let Err(retry) = app.limits.password_work(ip) {
        app.log.line(format!(
            "client over its password-work budget ({})",
            short_call(call)
        ));
        return Err(ApiError::new(
            ErrorCode::RateLimited,
            "too many password checks from this client",
        )
        .map(|b| b.with_retry_after(retry)));
    }
    match app.kdf.run(move || plan.run()).await {
        Ok(work) => Ok(work.unwrap_or_default()),
        Err(crate::kdf::PoolBusy) => Err(ApiError::new(
            ErrorCode::ServerBusy,
            "too many password checks in line; try again shortly",
        )),
    }
}

fn short_call(call: PasswordCall) -> &'static str {
    match call {
        PasswordCall::CodeUnit => "code unit",
        PasswordCall::SetPassword => "set password",
        PasswordCall::SignAgreement => "agreement",
    }
}

async fn blocking(f: impl FnOnce() -> Response + Send + 'static) -> Response {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|_| ApiError::new(ErrorCode::Internal, "handler failed").into_response())
}

fn client_ip(peer: Option<axum::Extension<Peer>>) -> std::net::IpAddr {
    peer.map_or(std::net::IpAddr::from([127, 0, 0, 1]), |p| p.0.0)
}

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route(
            ep::START_SESSION.path,
            post(
                |State(app): State<Arc<App>>,
                 peer: Option<axum::Extension<Peer>>,
                 headers: HeaderMap,
                 body: Body| async move {
                    let ip = client_ip(peer);
                    blocking(move || {
                        app.idempotent(
                            "POST",
                            ep::START_SESSION.path,
                            &headers,
                            body,
                            Scope::Client(ip),
                            Replay::Stored,
                            |tx, now, b| flow::start_session(&app, tx, now, b, ip),
                        )
                    })
                    .await
                },
            ),
        )
        .route(
            ep::GET_SESSION.path,
            get(get_session).delete(session_call!("DELETE", ep::CANCEL_SESSION, flow::cancel)),
        )
        .route(
            ep::SUBMIT_PHONE.path,
            post(session_call!("POST", ep::SUBMIT_PHONE, flow::submit_phone)),
        )
        .route(
            ep::RESEND_SMS.path,
            post(session_call!("POST", ep::RESEND_SMS, flow::resend_sms)),
        )
        .route(
            ep::VERIFY_SMS.path,
            post(session_call!("POST", ep::VERIFY_SMS, flow::verify_sms)),
        )
        .route(
            ep::CHOOSE_METHOD.path,
            post(session_call!(
                "POST",
                ep::CHOOSE_METHOD,
                flow::choose_method
            )),
        )
        .route(
            ep::ID_CHECK.path,
            post(session_call!("POST", ep::ID_CHECK, flow::id_check)),
        )
        .route(
            ep::CODE_UNIT.path,
            post(session_call!(
                "POST",
                ep::CODE_UNIT,
                flow::code_unit,
                Some(PasswordCall::CodeUnit)
            )),
        )
        .route(
            ep::ACTIVATION_CODE.path,
            post(session_call!(
                "POST",
                ep::ACTIVATION_CODE,
                flow::activation_code
            )),
        )
        .route(
            ep::CHALLENGE.path,
            post(session_call!("POST", ep::CHALLENGE, flow::challenge)),
        )
        .route(
            ep::REGISTER_DEVICE.path,
            post(session_call!(
                "POST",
                ep::REGISTER_DEVICE,
                flow::register_device
            )),
        )
        .route(
            ep::SET_PASSWORD.path,
            post(session_call!(
                "POST",
                ep::SET_PASSWORD,
                flow::set_password,
                Some(PasswordCall::SetPassword)
            )),
        )
        .route(
            ep::PUSH_TOKEN.path,
            post(session_call!("POST", ep::PUSH_TOKEN, flow::push_token)),
        )
        .route(
            ep::BIOMETRIC_KEY.path,
            post(session_call!(
                "POST",
                ep::BIOMETRIC_KEY,
                flow::biometric_key
            )),
        )
        .route(
            ep::SIGN_AGREEMENT.path,
            post(session_call!(
                "POST",
                ep::SIGN_AGREEMENT,
                flow::sign_agreement,
                Some(PasswordCall::SignAgreement)
            )),
        )
        .route(
            ep::GET_AGREEMENT.path,
            get(|| async { reply(ok(StatusCode::OK, &crate::agreement::current())) }),
        )
        .route(ep::SANDBOX_SMS.path, get(inbox))
        .route(
            ep::SANDBOX_ACTIVATION_CODE.path,
            post(
                |State(app): State<Arc<App>>,
                 peer: Option<axum::Extension<Peer>>,
                 headers: HeaderMap,
                 body: Body| async move {
                    let ip = client_ip(peer);
                    blocking(move || {
                        app.idempotent(
                            "POST",
                            ep::SANDBOX_ACTIVATION_CODE.path,
                            &headers,
                            body,
                            Scope::Client(ip),
                            Replay::NotStored,
                            |tx, now, b| flow::issue_activation_code(&app, tx, now, b),
                        )
                    })
                    .await
                },
            ),
        )
        .route(
            ep::SANDBOX_FACE_CHECK.path,
            post(
                |State(app): State<Arc<App>>,
                 peer: Option<axum::Extension<Peer>>,
                 headers: HeaderMap,
                 body: Body| async move {
                    let ip = client_ip(peer);
                    blocking(move || {
                        // The signed verdict carries the portrait's hash: never stored.
                        app.idempotent(
                            "POST",
                            ep::SANDBOX_FACE_CHECK.path,
                            &headers,
                            body,
                            Scope::Client(ip),
                            Replay::NotStored,
                            |tx, now, b| flow::face_check(&app, tx, now, b),
                        )
                    })
                    .await
                },
            ),
        )
        .route(
            "/openapi.json",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "application/json")],
                    proto::openapi::json(),
                )
            }),
        )
        .route(
            "/docs",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    crate::docs::page(),
                )
            }),
        )
        .fallback(|| async {
            ApiError::new(ErrorCode::NotFound, "no such endpoint").into_response()
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                ErrorCode::MethodNotAllowed,
                "method not allowed on this endpoint",
            )
            .into_response()
        })
        .layer(DefaultBodyLimit::max(proto::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            app.clone(),
            gatekeeper,
        ))
        .with_state(app)
}

fn error(code: ErrorCode, message: &str) -> Response {
    ApiError::new(code, message).into_response()
}

/// What every request passes before its handler: the per-client limits, the
/// Host header, the sandbox endpoints' guard, the content type, and the body
/// read whole within its time and size limits.
async fn gatekeeper(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let peer = req.extensions().get::<Peer>().copied();
    if let Some(Peer(ip)) = peer {
        if let Err(retry) = app.limits.request(ip) {
            return ApiError::new(ErrorCode::RateLimited, "too many requests from this client")
                .map(|b| b.with_retry_after(retry))
                .into_response();
        }
        if req.method() == Method::POST
            && req.uri().path() == ep::START_SESSION.path
            && let Err(retry) = app.limits.session_start(ip)
        {
            return ApiError::new(
                ErrorCode::RateLimited,
                "too many sessions started from this client",
            )
            .map(|b| b.with_retry_after(retry))
            .into_response();
        }
    }
    if req.version() == axum::http::Version::HTTP_11 && !req.headers().contains_key(header::HOST) {
        return error(
            ErrorCode::MalformedRequest,
            "HTTP/1.1 requests need a Host header",
        );
    }
    if req.uri().path().starts_with("/v1/sandbox/") && !app.sandbox_open {
        let given = req
            .headers()
            .get(SANDBOX_TOKEN_HEADER)
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        let allowed = app
            .sandbox_token
            .as_deref()
            .is_some_and(|t| crate::ct_eq(t.as_bytes(), given));
        if !allowed {
            return error(
                ErrorCode::SandboxForbidden,
                "the sandbox endpoints need X-Sandbox-Token on a server not bound to loopback",
            );
        }
    }
    // A declared length over the limit is refused before any of the body is
    // awaited: the client would otherwise hold the connection until the body
    // timeout for an answer known now.
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > proto::MAX_BODY_BYTES as u64) {
        return error(ErrorCode::BodyTooLarge, "body too large");
    }
    let (parts, body) = req.into_parts();
    let limit = Duration::from_millis(app.rules.body_timeout_ms);
    let bytes = match tokio::time::timeout(limit, axum::body::to_bytes(body, proto::MAX_BODY_BYTES))
        .await
    {
        Err(_) => {
            return error(
                ErrorCode::RequestTimeout,
                "the request body came too slowly",
            );
        }
        Ok(Err(e)) => {
            let mut source = std::error::Error::source(&e);
            let mut too_large = false;
            while let Some(s) = source {
                too_large |= s.is::<http_body_util::LengthLimitError>();
                source = s.source();
            }
            return if too_large {
                error(ErrorCode::BodyTooLarge, "body too large")
            } else {
                error(ErrorCode::MalformedRequest, "unreadable body")
            };
        }
        Ok(Ok(b)) => b,
    };
    if !bytes.is_empty() && parts.method != Method::GET {
        let json = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"));
        if !json {
            return error(
                ErrorCode::UnsupportedMediaType,
                "request bodies are JSON: send Content-Type: application/json",
            );
        }
    }
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

fn reply(o: crate::app::Outcome) -> Response {
    match o {
        Ok((s, v)) => json_response(s, &v),
        Err(e) => e.into_response(),
    }
}

async fn get_session(State(app): State<Arc<App>>, p: SidPath) -> Response {
    let sid = match path_param(p) {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let now = app.clock.now();
    let out = (|| {
        let conn = app
            .db
            .lock()
            .map_err(|_| ApiError::new(ErrorCode::Internal, "state lock poisoned"))?;
        let s = db::get_session(&conn, &sid)?
            .ok_or_else(|| ApiError::new(ErrorCode::SessionNotFound, "no such session"))?;
        if s.state == db::SessionState::Active && now >= s.expires_at {
            return Err(ApiError::new(
                ErrorCode::SessionExpired,
                "the session window has passed",
            ));
        }
        ok(StatusCode::OK, &flow::view(&s, now, &app.rules))
    })();
    reply(out)
}

#[derive(Deserialize)]
struct InboxQuery {
    phone: Option<String>,
}

async fn inbox(
    State(app): State<Arc<App>>,
    q: Result<Query<InboxQuery>, QueryRejection>,
) -> Response {
    let out = (|| {
        let q = q.map_err(|_| {
            ApiError::new(ErrorCode::InvalidField, "malformed query").map(|b| b.with_field("phone"))
        })?;
        let phone = match q.0.phone.as_deref() {
            None => None,
            // A bare `+` in a query string decodes to a space.
            Some(p) => Some(
                proto::normalize_phone(p)
                    .or_else(|| proto::normalize_phone(&format!("+{}", p.trim())))
                    .ok_or_else(|| {
                        ApiError::new(
                            ErrorCode::InvalidPhone,
                            "phone: not a Norwegian mobile number",
                        )
                        .map(|b| b.with_field("phone"))
                    })?,
            ),
        };
        let messages = app.inbox.read(app.clock.now(), phone.as_deref(), 50);
        ok(StatusCode::OK, &proto::SmsInbox { messages })
    })();
    reply(out)
}
