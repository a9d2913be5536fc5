//! The online bank's QR image, and pruning of expired idempotency entries.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod common;

use aktiver_protocol::endpoints as ep;
use aktiver_protocol::{ActivationCodeIssued, decode_b64};
use common::*;
use serde_json::json;

#[tokio::test]
async fn activation_code_qr_png_decodes_to_the_payload() {
    let sb = start().await;
    let r = sb
        .post(
            ep::SANDBOX_ACTIVATION_CODE.path,
            json!({ "national_id": NIN }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let issued: ActivationCodeIssued = serde_json::from_value(r.body).unwrap();
    let png_bytes = decode_b64("qr_png_b64", issued.qr_png_b64.expose()).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png_bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let (w, h) = (info.width as usize, info.height as usize);
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * w + x]);
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, text) = grids[0].decode().unwrap();
    assert_eq!(text, issued.qr_payload.expose());
    assert!(text.ends_with(issued.code.expose()));
}

fn idempotency_rows(sb: &Sandbox) -> i64 {
    let conn = sb.server.as_ref().unwrap().app.db.lock().unwrap();
    aktiver_sandbox::db::idem_count(&conn).unwrap()
}

#[tokio::test]
async fn expired_idempotency_entries_are_pruned() {
    let sb = start().await;
    let ttl = aktiver_sandbox::Rules::default().idempotency_ttl_s;
    let old_key = sb.key();
    let r = sb
        .post_key(
            ep::START_SESSION.path,
            &old_key,
            json!({ "national_id": NIN }),
        )
        .await;
    assert_eq!(r.status, 201);
    sb.to_method(NIN2, PHONE2).await;
    assert!(idempotency_rows(&sb) >= 4);
    // Within the window nothing goes, and the old key still replays.
    sb.clock.advance(ttl - 120);
    let again = sb
        .post_key(
            ep::START_SESSION.path,
            &old_key,
            json!({ "national_id": NIN }),
        )
        .await;
    assert_eq!(again.body, r.body);
    let before = idempotency_rows(&sb);
    assert!(before >= 4);
    // Past it, the next call prunes every expired entry.
    sb.clock.advance(240);
    let r = sb.start_session(NIN2).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(idempotency_rows(&sb), 1);
    assert!(sb.log().iter().any(|l| l.contains("pruned")));
    // The old key is free again: it is a new request now.
    let r = sb
        .post_key(
            ep::START_SESSION.path,
            &old_key,
            json!({ "national_id": NIN }),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}

/// `aktiver-sim sandbox reset`: a tester starts a person over while the server runs.
#[tokio::test]
async fn reset_person_ends_her_sessions_and_counters() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.sqlite");
    let sb = start_with(
        Some(db.clone()),
        aktiver_sandbox::Rules::for_tests(),
        aktiver_sandbox::ManualClock::new(T0),
    )
    .await;
    let sid = sb.to_method(NIN, PHONE).await;
    let n = aktiver_sandbox::reset_person(&db, NIN).unwrap();
    assert!(n >= 1);
    let r = sb.get(&ep::with_session(ep::GET_SESSION, &sid)).await;
    assert_eq!(r.code(), "session_not_found");
    // Without the reset this would be `session_in_progress`.
    sb.clock.advance(30);
    sb.to_method(NIN, PHONE).await;
    assert!(aktiver_sandbox::reset_person(&db, "15859010098").is_err());
}
