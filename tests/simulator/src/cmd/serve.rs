//! `aktiver-sim serve` and `aktiver-sim sms` (issue 5): the sandbox activation
//! server and its SMS inbox.
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use super::{EXIT_MISUSE, EXIT_VALID};

const DEFAULT_ADDR: &str = "127.0.0.1:8443";
pub const DEFAULT_DB: &str = "aktiver-sandbox.sqlite";

#[derive(Args)]
pub struct ServeArgs {
    /// Address to listen on (use 0.0.0.0:8443 to reach it from a phone or emulator).
    #[arg(long, default_value = DEFAULT_ADDR)]
    addr: SocketAddr,
    /// SQLite state file; the TLS certificate and key are kept next to it.
    #[arg(long, default_value = DEFAULT_DB)]
    db: PathBuf,
    /// Test population (TOML); the built-in population when absent.
    #[arg(long)]
    population: Option<PathBuf>,
    /// Plain HTTP, for local debugging only.
    #[arg(long)]
    http: bool,
    /// Extra CSCA trust anchors for the ID check (PEM, DER certificate or ICAO
    /// master list); repeatable. The sandbox's test CSCA is always trusted.
    #[arg(long, value_name = "FILE")]
    trust: Vec<PathBuf>,
    /// Tester settings (TOML): a `[rules]` table with any of the sandbox's
    /// limits, e.g. `activation_code_ttl_s = 120`, `sms_resend_cooldown_s = 5`.
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Opens the sandbox endpoints (SMS inbox, online bank, face check) on a
    /// non-loopback address to callers sending this in `X-Sandbox-Token`.
    #[arg(long, value_name = "TOKEN")]
    sandbox_token: Option<String>,
}

#[derive(Args)]
pub struct SmsArgs {
    /// Only messages to this phone number.
    #[arg(long)]
    phone: Option<String>,
    /// The sandbox's URL.
    #[arg(long, default_value = "https://127.0.0.1:8443")]
    server: String,
    /// The server's SPKI SHA-256 pin (base64), as `serve` printed it.
    #[arg(long)]
    pin: Option<String>,
    /// Take the pin from the certificate kept next to this state file.
    #[arg(long, default_value = DEFAULT_DB)]
    db: PathBuf,
}

pub fn serve(a: ServeArgs) -> u8 {
    let population = match &a.population {
        None => None,
        Some(p) => match std::fs::read_to_string(p) {
            Ok(t) => Some(t),
            Err(e) => {
                eprintln!("aktiver-sim serve: {}: {e}", p.display());
                return EXIT_MISUSE;
            }
        },
    };
    let mut trust = Vec::with_capacity(a.trust.len());
    for p in &a.trust {
        match std::fs::read(p) {
            Ok(b) => trust.push(b),
            Err(e) => {
                eprintln!("aktiver-sim serve: {}: {e}", p.display());
                return EXIT_MISUSE;
            }
        }
    }
    let rules = match &a.config {
        None => aktiver_sandbox::Rules::default(),
        Some(p) => match std::fs::read_to_string(p)
            .map_err(|e| e.to_string())
            .and_then(|t| aktiver_sandbox::Rules::from_toml(&t).map_err(|e| e.to_string()))
        {
            Ok(r) => r,
            Err(e) => {
                eprintln!("aktiver-sim serve: {}: {e}", p.display());
                return EXIT_MISUSE;
            }
        },
    };
    let loopback = a.addr.ip().is_loopback();
    let token_given = a.sandbox_token.is_some();
    let opts = aktiver_sandbox::ServerOptions {
        addr: a.addr,
        rules,
        sandbox_token: a.sandbox_token,
        trust,
        db: Some(a.db.clone()),
        population,
        http: a.http,
        echo_log: true,
        ..Default::default()
    };
    let db = a.db.display().to_string();
    let cert = a.db.with_extension("cert.pem").display().to_string();
    let result = aktiver_sandbox::run_blocking(opts, |s| {
        crate::outln!("aktiver sandbox listening on {}", s.url);
        match &s.pin {
            Some(pin) => {
                crate::outln!("SPKI SHA-256 pin (base64): {pin}");
                crate::outln!(
                    "curl: curl --cacert {cert} --pinnedpubkey 'sha256//{pin}' {}/v1/agreement",
                    s.url
                );
            }
            None => crate::outln!("WARNING: plain HTTP, for local debugging only"),
        }
        crate::outln!(
            "API reference: {0}/docs  (OpenAPI: {0}/openapi.json)",
            s.url
        );
        crate::outln!("state: {db}");
        crate::outln!(
            "SMS inbox: aktiver-sim sms --server {} [--phone NUMBER]",
            s.url
        );
        if !loopback {
            crate::outln!(
                "sandbox endpoints: {}",
                if token_given {
                    "need the X-Sandbox-Token header"
                } else {
                    "closed (not on loopback and no --sandbox-token)"
                }
            );
        }
        crate::outln!("Ctrl-C stops the server.");
    });
    match result {
        Ok(()) => EXIT_VALID,
        Err(e) => {
            eprintln!("aktiver-sim serve: {e}");
            EXIT_MISUSE
        }
    }
}

pub fn sms(a: SmsArgs) -> u8 {
    let pin = if a.server.starts_with("http://") {
        None
    } else if let Some(p) = a.pin {
        Some(p)
    } else {
        match aktiver_sandbox::tls::pin_for_db(&a.db) {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("aktiver-sim sms: no --pin given and {e}");
                return EXIT_MISUSE;
            }
        }
    };
    match aktiver_sandbox::fetch_inbox_blocking(&a.server, pin.as_deref(), a.phone.as_deref()) {
        Ok(inbox) => {
            if inbox.messages.is_empty() {
                crate::outln!("(no messages)");
            }
            for m in &inbox.messages {
                crate::outln!(
                    "{}  {}  code {}  {}",
                    m.sent_at,
                    m.phone.expose(),
                    m.code.expose(),
                    m.text.expose()
                );
            }
            EXIT_VALID
        }
        Err(e) => {
            eprintln!("aktiver-sim sms: {e}");
            EXIT_MISUSE
        }
    }
}
