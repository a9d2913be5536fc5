//! The sandbox activation server: the reference implementation of
//! `aktiver-protocol`, with the service's rules and failures.
//!
//! Run it with `aktiver-sim serve`, or embed it: [`start`] with
//! [`ServerOptions`] returns a [`RunningServer`] with its URL and SPKI pin.
mod agreement;
mod app;
pub mod client;
pub mod clock;
mod conn;
pub mod db;
mod docs;
pub mod face;
mod files;
mod flow;
mod idcheck;
pub mod inbox;
mod kdf;
mod keys;
mod limits;
pub mod log;
pub mod otp;
pub mod population;
pub mod qr;
pub mod rules;
pub mod secrets;
mod server;
pub mod tls;

pub use agreement::AGREEMENT_ID;
pub use app::App;
pub use clock::{Clock, ManualClock, SystemClock};
pub use rules::Rules;
pub use server::{RunningServer, SANDBOX_TOKEN_HEADER, ServerOptions, router, start};

/// Failures starting or talking to the sandbox.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("population: {0}")]
    Population(String),
    #[error("database: {0}")]
    Db(#[source] rusqlite::Error),
    #[error("TLS: {0}")]
    Tls(String),
    #[error("{0}: {1}")]
    Io(String, #[source] std::io::Error),
    #[error("client: {0}")]
    Client(String),
    #[error("trust store: {0}")]
    Trust(String),
    #[error("config: {0}")]
    Config(String),
}

/// The CSCA of the test PKI (`aktiver_emrtd::issuer::TestPki::generate(
/// Default::default())`, deterministic), always trusted here so documents the
/// simulator's virtual chips carry verify. Stored, not generated: the server
/// does not compile the issuer (tests/no_reader.rs checks the two agree).
pub const TEST_CSCA_DER: &[u8] = include_bytes!("../trust/test-csca.der");

/// A trust store holding [`TEST_CSCA_DER`].
pub fn sandbox_trust_store() -> Result<aktiver_emrtd::pki::TrustStore, ServerError> {
    let mut trust = aktiver_emrtd::pki::TrustStore::new();
    trust
        .add_der(TEST_CSCA_DER)
        .map_err(|e| ServerError::Trust(format!("test CSCA: {e}")))?;
    Ok(trust)
}

/// Constant-time equality for codes and pins.
pub(crate) fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Runs the server until Ctrl-C; `ready` is called once it listens.
pub fn run_blocking(
    opts: ServerOptions,
    ready: impl FnOnce(&RunningServer),
) -> Result<(), ServerError> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| ServerError::Io("tokio runtime".to_owned(), e))?;
    rt.block_on(async {
        let server = start(opts).await?;
        ready(&server);
        let _ = tokio::signal::ctrl_c().await;
        server.stop().await;
        Ok(())
    })
}

/// Reads the SMS inbox from a running sandbox (blocking).
pub fn fetch_inbox_blocking(
    url: &str,
    pin: Option<&str>,
    phone: Option<&str>,
) -> Result<aktiver_protocol::SmsInbox, ServerError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ServerError::Io("tokio runtime".to_owned(), e))?;
    rt.block_on(client::fetch_inbox(url, pin, phone))
}

/// Forgets everything the sandbox stored about one person: counters,
/// suspension, open codes, sessions and devices (a tester's "start over").
/// Works on the state file of a stopped or a running sandbox. Returns the
/// number of rows deleted.
pub fn reset_person(db: &std::path::Path, national_id: &str) -> Result<usize, ServerError> {
    let nin = aktiver_nin::NationalId::parse(national_id, aktiver_nin::Policy::SANDBOX)
        .map_err(|e| ServerError::Population(format!("national_id: {}", e.code())))?;
    if !db.exists() {
        return Err(ServerError::Io(
            db.display().to_string(),
            std::io::ErrorKind::NotFound.into(),
        ));
    }
    let secret = secrets::ServerSecret::load_or_create(db)?;
    let conn = db::open(Some(db)).map_err(ServerError::Db)?;
    db::forget_person(&conn, &secret.nin(nin.as_str())).map_err(ServerError::Db)
}
