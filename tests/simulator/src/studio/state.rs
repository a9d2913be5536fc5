//! What the page shows, as one JSON document: the current screen with its
//! texts in the chosen language, and beside it the SMS inbox, the person,
//! the camera, the chip, the portrait, the activation code, the faults that
//! apply now and the server's log.
use serde_json::{Value, json};

use super::session::{Session, document_name};
use crate::sim::chip_steps;
use crate::sim::faults::Fault;
use crate::sim::{labels, people};

/// Most server log lines sent to the page.
const LOG_LINES: usize = 60;

pub fn state(s: &Session) -> Value {
    let w = &s.world;
    let view = w.flow.view();
    let mut texts = serde_json::Map::new();
    for (role, t) in s.texts.render(&view.screen) {
        texts.insert(role.to_owned(), json!({ "id": t.id, "text": t.text }));
    }
    let screen = serde_json::to_value(&view.screen).unwrap_or(Value::Null);
    let now = w.sandbox.server.app.clock.now();
    let sms: Vec<Value> = w
        .sandbox
        .server
        .app
        .inbox
        .read(now, Some(&w.person.phone), 5)
        .into_iter()
        .map(|m| {
            json!({
                "text": m.text.expose(),
                "code": m.code.expose(),
                "age_s": now - m.sent_at,
            })
        })
        .collect();
    let shown: Vec<String> = w
        .recorder
        .views
        .lock()
        .map(|v| v.iter().map(|(_, v)| v.screen.name().to_owned()).collect())
        .unwrap_or_default();
    let chip_read_done = shown.iter().any(|n| n == "face_info");
    let (link_us, apdus) = w.phone.nfc.simulated();
    let progress = match &view.screen {
        aktiver_flow::Screen::ChipScan { progress, .. } => Some(*progress),
        _ => None,
    };
    let log = w.sandbox.server.log_lines();
    let log = &log[log.len().saturating_sub(LOG_LINES)..];
    json!({
        "lang": s.lang,
        "labels": labels::all(s.lang),
        "view": {
            "screen": screen,
            "name": view.screen.name(),
            "texts": texts,
            "actions": view.actions,
            "busy": view.screen.is_busy(),
            "terminal": view.screen.is_terminal(),
        },
        "running": s.busy(),
        "error": s.error(),
        "faults": Fault::available(w).iter().map(|f| f.name()).collect::<Vec<_>>(),
        "person": {
            "national_id": w.person.national_id,
            "phone": w.person.phone,
            "has_password": w.person.password.is_some(),
            "document": document_name(s.document),
        },
        "people": people::list(&s.population),
        "sms": sms,
        "camera": camera(s),
        "chip": {
            "progress": progress,
            "steps": chip_steps::with_results(
                chip_steps::steps(&w.phone.nfc.headers()),
                chip_outcome(&view.screen, chip_read_done),
            ),
            "apdus": apdus,
            "link_ms": link_us / 1000,
            "read_and_verified": chip_read_done,
            "face_mismatch": w.face.mismatch(),
        },
        "portrait": chip_read_done && w.portrait.is_some(),
        "activation_code": s.activation_code.as_ref().map(|(code, qr, png)| json!({
            "code": code, "qr_payload": qr, "png_b64": png,
        })),
        "code_unit_otp": w.sandbox.code_unit_otp(&w.person.national_id),
        "network_up": w.relay.is_up(),
        "shown": shown,
        "events": s.events,
        "log": log,
    })
}

/// How the chip read ended, as the screens tell.
fn chip_outcome(screen: &aktiver_flow::Screen, verified: bool) -> chip_steps::Outcome<'_> {
    match screen {
        _ if verified => chip_steps::Outcome::Verified,
        aktiver_flow::Screen::Failed { code, .. } => chip_steps::Outcome::Failed(code),
        _ => chip_steps::Outcome::Pending,
    }
}

/// The last camera frame's feedback and the box the scanner's locator
/// finds in it (corners in frame pixels).
fn camera(s: &Session) -> Value {
    let Some((img, feedback)) = &s.world.last_frame else {
        return json!({ "frames": 0, "fault": camera_fault(s) });
    };
    json!({
        "frames": s.world.frame_index,
        "width": img.width,
        "height": img.height,
        "feedback": feedback,
        "box": mrz_box(img),
        "fault": camera_fault(s),
    })
}

fn camera_fault(s: &Session) -> &'static str {
    use crate::sim::faults::CameraFault;
    match s.world.camera_fault {
        CameraFault::None => "none",
        CameraFault::Glare => "glare",
        CameraFault::Blur => "blur",
    }
}

/// The best MRZ-like region the scanner's locator finds, as four corners.
pub fn mrz_box(img: &aktiver_scan::LumaImage) -> Option<[[f32; 2]; 4]> {
    use aktiver_scan::locate;
    let frame = img.frame();
    let small = locate::downscale(&frame);
    let comps = locate::components(&small);
    let r = locate::regions(&small, &comps).into_iter().next()?;
    let (ux, uy) = (r.dx, r.dy);
    let (nx, ny) = (-uy, ux);
    let c = |a: f32, b: f32| {
        [
            r.cx + ux * a * r.half_len + nx * b * r.half_h,
            r.cy + uy * a * r.half_len + ny * b * r.half_h,
        ]
    };
    Some([c(-1.0, -1.0), c(1.0, -1.0), c(1.0, 1.0), c(-1.0, 1.0)])
}
