//! The router, the TLS listener and the server's life cycle.
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use aktiver_protocol::endpoints::{self as ep, with_session};
use aktiver_protocol::{self as proto, ErrorCode};

use crate::app::{ApiError, App, json_response, ok, path_param};
use crate::clock::{Clock, SystemClock};
use crate::db::{self, PersonRec};
use crate::log::Log;
use crate::population::{DEFAULT_POPULATION, Person, parse_population};
use crate::rules::Rules;
use crate::{ServerError, flow, tls};

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
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
    acceptor: Option<JoinHandle<()>>,
}

impl RunningServer {
    /// Stops accepting, lets open requests finish, and closes the database.
    pub async fn stop(self) {
        if let Some(a) = &self.acceptor {
            a.abort();
        }
        let _ = self.shutdown.send(());
        let _ = self.task.await;
    }

    pub fn log_lines(&self) -> Vec<String> {
        self.app.log.lines()
    }
}

fn load_population(
    conn: &rusqlite::Connection,
    people: &[Person],
    rules: &Rules,
) -> Result<(), ServerError> {
    for p in people {
        let existing = db::get_person(conn, &p.national_id).map_err(ServerError::Db)?;
        let password_hash = match (&existing, &p.password) {
            (Some(e), _) if e.password_hash.is_some() => e.password_hash.clone(),
            (_, Some(pw)) => {
                Some(crate::kdf::hash(pw, rules).map_err(|e| ServerError::Tls(e.0.message))?)
            }
            _ => None,
        };
        let rec = PersonRec {
            nin: p.national_id.clone(),
            phone: p.phone.clone(),
            bank: p.bank.clone(),
            methods: p.methods.clone(),
            code_unit_secret: p.code_unit_secret.clone(),
            password_hash,
            wrong_password: existing.as_ref().map_or(0, |e| e.wrong_password),
            wrong_otp: existing.as_ref().map_or(0, |e| e.wrong_otp),
            bankid_suspended: existing.as_ref().is_some_and(|e| e.bankid_suspended),
            activation_code: existing.as_ref().and_then(|e| e.activation_code.clone()),
            face_check_pass: !p.documents.iter().any(|d| d.face_check == "fail"),
        };
        db::put_person(conn, &rec).map_err(ServerError::Db)?;
    }
    Ok(())
}

/// Opens the state, loads the population and starts serving.
pub async fn start(opts: ServerOptions) -> Result<RunningServer, ServerError> {
    let people = parse_population(opts.population.as_deref().unwrap_or(DEFAULT_POPULATION))?;
    let conn = db::open(opts.db.as_deref()).map_err(ServerError::Db)?;
    load_population(&conn, &people, &opts.rules)?;
    let mut trust = crate::sandbox_pki()?.trust_store();
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
    let face = crate::face::FaceProvider::load_or_create(&conn)?;
    let app = Arc::new(App {
        db: Mutex::new(conn),
        clock: opts.clock,
        rules: opts.rules,
        log: Log::new(opts.echo_log),
        trust,
        face,
        last_prune: std::sync::atomic::AtomicI64::new(i64::MIN / 2),
    });
    let router = router(app.clone());
    let tcp = TcpListener::bind(opts.addr)
        .await
        .map_err(|e| ServerError::Io(opts.addr.to_string(), e))?;
    let addr = tcp
        .local_addr()
        .map_err(|e| ServerError::Io(opts.addr.to_string(), e))?;
    let (shutdown, rx) = oneshot::channel::<()>();
    let graceful = async move {
        let _ = rx.await;
    };
    if opts.http {
        let task = tokio::spawn(async move {
            let _ = axum::serve(tcp, router)
                .with_graceful_shutdown(graceful)
                .await;
        });
        return Ok(RunningServer {
            addr,
            url: format!("http://{addr}"),
            pin: None,
            app,
            shutdown,
            task,
            acceptor: None,
        });
    }
    let identity = match &opts.db {
        Some(p) => tls::load_or_create(p)?,
        None => tls::ephemeral()?,
    };
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls::server_config(&identity)?));
    let (tx, rx_conn) = mpsc::channel(64);
    let acceptor_task = tokio::spawn(accept_loop(tcp, acceptor, tx));
    let listener = TlsListener {
        rx: rx_conn,
        local: addr,
    };
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router)
            .with_graceful_shutdown(graceful)
            .await;
    });
    Ok(RunningServer {
        addr,
        url: format!("https://{addr}"),
        pin: Some(identity.pin.clone()),
        app,
        shutdown,
        task,
        acceptor: Some(acceptor_task),
    })
}

type TlsConn = tokio_rustls::server::TlsStream<TcpStream>;

/// Handshakes run in their own tasks so one slow client cannot stall the others.
async fn accept_loop(
    tcp: TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    tx: mpsc::Sender<(TlsConn, SocketAddr)>,
) {
    loop {
        let Ok((stream, peer)) = tcp.accept().await else {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            continue;
        };
        let acceptor = acceptor.clone();
        let tx = tx.clone();
        tokio::spawn(async move {
            let hs =
                tokio::time::timeout(std::time::Duration::from_secs(10), acceptor.accept(stream))
                    .await;
            if let Ok(Ok(tls)) = hs {
                let _ = tx.send((tls, peer)).await;
            }
        });
    }
}

struct TlsListener {
    rx: mpsc::Receiver<(TlsConn, SocketAddr)>,
    local: SocketAddr,
}

impl axum::serve::Listener for TlsListener {
    type Io = TlsConn;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.rx.recv().await {
            Some(c) => c,
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.local)
    }
}

type Body = Result<Bytes, BytesRejection>;
type SidPath = Result<Path<String>, PathRejection>;

/// A state-changing session call, run off the async workers (Argon2 is slow on purpose).
macro_rules! session_call {
    ($method:literal, $endpoint:expr, $f:path) => {
        |State(app): State<Arc<App>>, p: SidPath, headers: HeaderMap, body: Body| async move {
            let sid = match path_param(p) {
                Ok(s) => s,
                Err(e) => return e.into_response(),
            };
            blocking(move || {
                let path = with_session($endpoint, &sid);
                app.idempotent_scoped($method, &path, &headers, body, Some(&sid), |tx, now, b| {
                    flow::with_session(&app, tx, now, &sid, b, $f)
                })
            })
            .await
        }
    };
}

async fn blocking(f: impl FnOnce() -> Response + Send + 'static) -> Response {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|_| ApiError::new(ErrorCode::Internal, "handler failed").into_response())
}

pub fn router(app: Arc<App>) -> Router {
    Router::new()
        .route(
            ep::START_SESSION.path,
            post(
                |State(app): State<Arc<App>>, headers: HeaderMap, body: Body| async move {
                    blocking(move || {
                        app.idempotent(
                            "POST",
                            ep::START_SESSION.path,
                            &headers,
                            body,
                            |tx, now, b| flow::start_session(&app, tx, now, b),
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
            post(session_call!("POST", ep::CODE_UNIT, flow::code_unit)),
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
            post(session_call!("POST", ep::SET_PASSWORD, flow::set_password)),
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
                flow::sign_agreement
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
                |State(app): State<Arc<App>>, headers: HeaderMap, body: Body| async move {
                    blocking(move || {
                        app.idempotent(
                            "POST",
                            ep::SANDBOX_ACTIVATION_CODE.path,
                            &headers,
                            body,
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
                |State(app): State<Arc<App>>, headers: HeaderMap, body: Body| async move {
                    blocking(move || {
                        // The verdict is stored under its session, so a failed
                        // ID check deletes it with the session's other answers.
                        let scope = body.as_ref().ok().and_then(|b| {
                            serde_json::from_slice::<proto::FaceCheckRequest>(b)
                                .ok()
                                .map(|r| r.session_id)
                        });
                        app.idempotent_scoped(
                            "POST",
                            ep::SANDBOX_FACE_CHECK.path,
                            &headers,
                            body,
                            scope.as_deref(),
                            |tx, now, b| flow::face_check(&app, tx, now, b),
                        )
                    })
                    .await
                },
            ),
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
        .with_state(app)
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
        let conn = app
            .db
            .lock()
            .map_err(|_| ApiError::new(ErrorCode::Internal, "state lock poisoned"))?;
        let rows = db::inbox(&conn, phone.as_deref(), 50)?;
        let messages = rows
            .into_iter()
            .map(|(phone, text, code, sent_at)| proto::SmsMessage {
                phone: proto::Sensitive::new(phone),
                text: proto::Sensitive::new(text),
                code: proto::Sensitive::new(code),
                sent_at,
            })
            .collect();
        ok(StatusCode::OK, &proto::SmsInbox { messages })
    })();
    reply(out)
}
