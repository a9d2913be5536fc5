//! Every fault injected through `World::inject` at its step, as both front
//! ends inject them, and what the flow then shows.
use std::sync::Arc;

use aktiver_flow::Screen;
use aktiver_protocol::DocumentKind;
use aktiver_scan::synth::Level;

use super::Fault;
use crate::sim::{Choices, Recorder, Setup, World};

async fn world(person: &str) -> World {
    let setup = Setup {
        person: person.to_owned(),
        document: DocumentKind::IdCard,
        choices: Choices {
            camera_level: Level::Clean,
            ..Choices::default()
        },
        ..Setup::default()
    };
    World::new(setup, Arc::new(Recorder::default()))
        .await
        .unwrap_or_else(|e| panic!("{e}"))
}

fn error_code(w: &World) -> Option<String> {
    let v = serde_json::to_value(w.flow.screen()).ok()?;
    v["error"]["code"].as_str().map(str::to_owned)
}

fn failure(w: &World) -> Option<String> {
    match w.flow.screen() {
        Screen::Failed { code, .. } => Some(code),
        _ => None,
    }
}

async fn inject(w: &mut World, f: Fault) {
    if let Some(a) = w.inject(f).await.unwrap_or_else(|e| panic!("{e}")) {
        let _ = w.act(a).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_at_its_step_does_what_it_says() {
    let mut w = world(crate::sim::DEMO_PERSON).await;
    // Faults that do not fit the screen are refused.
    assert!(w.inject(Fault::TamperedChip).await.is_err());

    w.walk_to("sms_code")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    inject(&mut w, Fault::WrongSmsCode).await;
    assert_eq!(error_code(&w).as_deref(), Some("sms_code_wrong"));
    inject(&mut w, Fault::ExpiredSmsCode).await;
    w.auto().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(error_code(&w).as_deref(), Some("sms_code_expired"));
    let _ = w.act(aktiver_flow::Action::ResendCode).await;

    // The process killed at the code screen resumes there.
    inject(&mut w, Fault::Kill).await;
    assert_eq!(w.flow.screen().name(), "sms_code");

    w.walk_to("activation_method")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    inject(&mut w, Fault::NetworkDown).await;
    w.auto().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.flow.screen().name(), "network_error");
    inject(&mut w, Fault::NetworkUp).await;
    w.auto().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.flow.screen().name(), "id_check_intro");

    // A blurred camera does not read the code, and the scanner says
    // hold still; under glare it says glare (the consensus across
    // frames may still read the code through it).
    // The OS declines the camera: the screen says so; allowed, it goes on.
    w.walk_to("camera_access")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    inject(&mut w, Fault::DenyPrompt).await;
    w.auto().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.flow.screen(), Screen::CameraAccess { denied: true });
    inject(&mut w, Fault::AllowPrompt).await;
    w.auto().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.flow.screen().name(), "choose_document");

    w.walk_to("mrz_scan")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    inject(&mut w, Fault::Blur).await;
    for _ in 0..3 {
        let got = w.film().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(got, "hold_still");
    }
    assert_eq!(w.flow.screen().name(), "mrz_scan");
    inject(&mut w, Fault::Glare).await;
    let got = w.film().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(got, "glare");
    if w.flow.screen().name() == "mrz_scan" {
        inject(&mut w, Fault::ClearCamera).await;
    }

    w.walk_to("chip_info")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    inject(&mut w, Fault::LostTag).await;
    w.auto().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.flow.screen().name(), "paused");
    w.auto().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(w.flow.screen().name(), "face_info");

    inject(&mut w, Fault::FaceMismatch).await;
    w.auto().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(failure(&w).as_deref(), Some("face_check_failed"));

    // A second device: the same person starts over and replaces the first.
    let mut w2 = world(crate::sim::DEMO_PERSON).await;
    w2.walk_to("complete")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    inject(&mut w2, Fault::SecondDevice).await;
    assert_eq!(w2.flow.screen().name(), "welcome");
    w2.walk_to("complete")
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        w2.flow.screen(),
        Screen::Complete {
            replaced_previous_device: true
        }
    ));
    w2.stop().await;

    for (fault, code) in [
        (Fault::TamperedChip, "document_not_authentic"),
        (Fault::ClonedChip, "chip_authentication_failed"),
    ] {
        let mut w = world(crate::sim::DEMO_PERSON).await;
        w.walk_to("chip_info")
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        inject(&mut w, fault).await;
        w.auto().await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(failure(&w).as_deref(), Some(code), "{fault:?}");
        w.stop().await;
    }
    w.stop().await;
}

#[test]
fn glare_brightens_and_blur_softens_the_frame() {
    let img = aktiver_scan::LumaImage {
        width: 64,
        height: 36,
        data: (0..64 * 36)
            .map(|i| if i % 2 == 0 { 40 } else { 200 })
            .collect(),
    };
    let mut glare = img.clone();
    super::degrade(&mut glare, super::CameraFault::Glare, 0);
    let sum = |i: &aktiver_scan::LumaImage| i.data.iter().map(|&p| u64::from(p)).sum::<u64>();
    assert!(sum(&glare) > sum(&img));
    let mut blur = img.clone();
    super::degrade(&mut blur, super::CameraFault::Blur, 0);
    let contrast = |i: &aktiver_scan::LumaImage| {
        i.data
            .windows(2)
            .map(|w| w[0].abs_diff(w[1]) as u64)
            .sum::<u64>()
    };
    assert!(contrast(&blur) < contrast(&img) / 4);
}
