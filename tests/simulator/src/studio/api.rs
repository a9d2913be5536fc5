//! The page's HTTP interface on loopback: the embedded page, the state it
//! polls, and one POST per thing a tester does. Bodies are small JSON; an
//! action is the flow's own `Action` JSON (the page sends what a shell sends).
use std::time::Duration;

use axum::Router;
use axum::extract::{Json, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;

use aktiver_flow::{Action, Lang};
use aktiver_protocol::DocumentKind;

use super::assets;
use super::session::Shared;
use super::state;
use crate::sim::QrShot;
use crate::sim::faults::Fault;
use crate::sim::people::MadePerson;

/// Most frames "film until read" pushes before giving up.
const FILM_MAX: u32 = 40;

pub fn router(session: Shared) -> Router {
    let pages = Router::new()
        .route(
            "/",
            get(|| async { asset("text/html; charset=utf-8", assets::INDEX) }),
        )
        .route(
            "/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", assets::JS) }),
        )
        .route(
            "/app.css",
            get(|| async { asset("text/css; charset=utf-8", assets::CSS) }),
        )
        .route("/api/state", get(get_state))
        .route("/api/frame.png", get(frame_png))
        .route("/api/portrait", get(portrait))
        .route("/api/act", post(act))
        .route("/api/film", post(film))
        .route("/api/fault", post(fault))
        .route("/api/lang", post(lang))
        .route("/api/reset", post(reset))
        .route("/api/make_person", post(make_person))
        .route("/api/activation_code", post(activation_code))
        .with_state(session);
    pages.layer(axum::middleware::from_fn(loopback_host))
}

/// Answers only requests addressed to loopback by name or address: a page
/// elsewhere that rebinds its own name to 127.0.0.1 cannot read the studio.
async fn loopback_host(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let name = host.rsplit_once(':').map_or(host, |(n, _)| n);
    if matches!(name, "127.0.0.1" | "localhost" | "[::1]") {
        next.run(req).await
    } else {
        (StatusCode::FORBIDDEN, "the studio answers on loopback only").into_response()
    }
}

fn asset(mime: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

fn refused(msg: String) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({ "error": msg })),
    )
        .into_response()
}

fn done() -> Response {
    Json(json!({ "ok": true })).into_response()
}

async fn get_state(State(s): State<Shared>) -> Response {
    let s = s.lock().await;
    let mut r = Json(state::state(&s)).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    r
}

async fn frame_png(State(s): State<Shared>) -> Response {
    let s = s.lock().await;
    match s
        .world
        .last_frame
        .as_ref()
        .and_then(|(img, _)| super::png::grey(img))
    {
        Some(png) => ([(header::CONTENT_TYPE, "image/png")], png).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn portrait(State(s): State<Shared>) -> Response {
    let s = s.lock().await;
    match &s.world.portrait {
        Some(p) => ([(header::CONTENT_TYPE, p.mime)], p.bytes.clone()).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn act(State(s): State<Shared>, Json(action): Json<Action>) -> Response {
    let running = {
        let mut g = s.lock().await;
        g.act(action);
        g.running.clone()
    };
    // Most actions finish at once: answer after them (up to a few seconds)
    // so the page draws their screen without waiting for its next poll.
    for _ in 0..150 {
        let finished = running
            .lock()
            .map(|r| r.task.as_ref().is_none_or(|t| t.is_finished()))
            .unwrap_or(true);
        if finished {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    done()
}

#[derive(Deserialize)]
struct FilmBody {
    #[serde(default)]
    until_read: bool,
    /// On the activation-code screen: `bank` (its QR) or `nothing`.
    #[serde(default)]
    qr: Option<String>,
}

async fn film(State(s): State<Shared>, Json(b): Json<FilmBody>) -> Response {
    if let Some(qr) = b.qr {
        let shot = match qr.as_str() {
            "bank" => QrShot::Bank,
            "nothing" => QrShot::Nothing,
            _ => return refused(format!("qr: expected bank or nothing, got {qr:?}")),
        };
        let mut g = s.lock().await;
        return match g.film_qr(shot).await {
            Ok(()) => done(),
            Err(e) => refused(e),
        };
    }
    if !b.until_read {
        let mut g = s.lock().await;
        return match g.film(1).await {
            Ok(_) => done(),
            Err(e) => refused(e),
        };
    }
    // Frame by frame in the background, the lock released between frames
    // so the page sees each one.
    let shared = s.clone();
    tokio::spawn(async move {
        for _ in 0..FILM_MAX {
            let mut g = shared.lock().await;
            match g.film(1).await {
                Ok(1) => {}
                _ => break,
            }
            drop(g);
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    });
    done()
}

#[derive(Deserialize)]
struct FaultBody {
    fault: String,
}

async fn fault(State(s): State<Shared>, Json(b): Json<FaultBody>) -> Response {
    let Some(f) = Fault::from_name(&b.fault) else {
        return refused(format!("fault: no fault named {:?}", b.fault));
    };
    let mut s = s.lock().await;
    match s.fault(f).await {
        Ok(()) => done(),
        Err(e) => refused(e),
    }
}

#[derive(Deserialize)]
struct LangBody {
    lang: Lang,
}

async fn lang(State(s): State<Shared>, Json(b): Json<LangBody>) -> Response {
    let mut s = s.lock().await;
    match s.set_lang(b.lang) {
        Ok(()) => done(),
        Err(e) => refused(e),
    }
}

#[derive(Deserialize)]
struct ResetBody {
    national_id: String,
    document: DocumentKind,
}

async fn reset(State(s): State<Shared>, Json(b): Json<ResetBody>) -> Response {
    let mut s = s.lock().await;
    match s.reset(&b.national_id, b.document).await {
        Ok(()) => done(),
        Err(e) => refused(format!("national_id: {e}")),
    }
}

#[derive(Deserialize)]
struct MakeBody {
    #[serde(default)]
    has_password: bool,
    #[serde(default)]
    face_fails: bool,
}

async fn make_person(State(s): State<Shared>, Json(b): Json<MakeBody>) -> Response {
    let mut s = s.lock().await;
    let m = MadePerson {
        has_password: b.has_password,
        face_fails: b.face_fails,
    };
    match s.make_person(m).await {
        Ok(nin) => Json(json!({ "national_id": nin })).into_response(),
        Err(e) => refused(e),
    }
}

async fn activation_code(State(s): State<Shared>) -> Response {
    let mut s = s.lock().await;
    match s.issue_activation_code().await {
        Ok(()) => done(),
        Err(e) => refused(e),
    }
}
