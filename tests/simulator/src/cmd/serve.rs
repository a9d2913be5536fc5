//! `aktiver-sim serve` and `aktiver-sim sms` (issue 5): the sandbox activation
//! server and its SMS inbox.
use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

use super::{EXIT_MISUSE, EXIT_VALID};

const DEFAULT_ADDR: &str = "127.0.0.1:8443";
const DEFAULT_DB: &str = "aktiver-sandbox.sqlite";

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
    let opts = aktiver_sandbox::ServerOptions {
        addr: a.addr,
        trust,
        db: Some(a.db.clone()),
        population,
        http: a.http,
        echo_log: true,
        ..Default::default()
    };
    let db = a.db.display().to_string();
    let result = aktiver_sandbox::run_blocking(opts, |s| {
        println!("aktiver sandbox listening on {}", s.url);
        match &s.pin {
            Some(pin) => println!("SPKI SHA-256 pin (base64): {pin}"),
            None => println!("WARNING: plain HTTP, for local debugging only"),
        }
        println!("state: {db}");
        println!(
            "SMS inbox: aktiver-sim sms --server {} [--phone NUMBER]",
            s.url
        );
        println!("Ctrl-C stops the server.");
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
                println!("(no messages)");
            }
            for m in &inbox.messages {
                println!(
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
