//! `aktiver-sim studio`: the activation in a phone-shaped page. One command
//! starts the sandbox and a web server on loopback; the page draws the
//! flow's screens as a shell would (no flow logic here) and, beside the
//! phone, what a tester needs: the SMS inbox, the person, the camera, the
//! chip, the portrait, the activation code, the faults and the server log.
//!
//! | file | what |
//! |---|---|
//! | `session.rs` | the world, the language, the action in the background |
//! | `state.rs` | the JSON the page polls |
//! | `api.rs` | the routes |
//! | `png.rs` | camera frames as PNG |
//! | `page/` | the page: HTML, CSS and JS, embedded ([`assets`]) |
mod api;
mod png;
mod session;
mod state;

use std::net::SocketAddr;
use std::sync::Arc;

use clap::Args;

use aktiver_flow::Lang;
use aktiver_protocol::DocumentKind;

use crate::cmd::{EXIT_MISUSE, EXIT_VALID};
use crate::sim;

/// The page, embedded in the binary: no build chain.
pub mod assets {
    pub const INDEX: &str = include_str!("page/index.html");
    pub const JS: &str = include_str!("page/app.js");
    pub const CSS: &str = include_str!("page/app.css");
}

#[derive(Args)]
pub struct StudioArgs {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 8377)]
    port: u16,
    /// Language of the screens: nb, nn or en (switchable on the page).
    #[arg(long, default_value = "nb", value_parser = crate::cmd::run::parse_lang)]
    lang: Lang,
    /// The document: passport or id_card.
    #[arg(long, default_value = "passport", value_parser = crate::cmd::run::parse_doc)]
    doc: DocumentKind,
    /// The sandbox person's identity number.
    #[arg(long, default_value = sim::DEMO_PERSON)]
    person: String,
}

pub fn run(a: StudioArgs) -> u8 {
    let rt = match sim::runtime() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("aktiver-sim studio: {e}");
            return EXIT_MISUSE;
        }
    };
    match rt.block_on(serve(a)) {
        Ok(()) => EXIT_VALID,
        Err(e) => {
            eprintln!("aktiver-sim studio: {e}");
            EXIT_MISUSE
        }
    }
}

async fn serve(a: StudioArgs) -> Result<(), String> {
    let session = session::Session::start(&a.person, a.doc, a.lang)
        .await
        .map_err(|e| format!("--person: {e}"))?;
    let shared = Arc::new(tokio::sync::Mutex::new(session));
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], a.port)))
        .await
        .map_err(|e| format!("--port {}: {e}", a.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("aktiver studio: http://{addr}/  (Ctrl-C stops it)");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    axum::serve(listener, api::router(shared.clone()))
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}
