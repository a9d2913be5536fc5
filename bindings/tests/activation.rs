//! The whole activation through the exported API (the types and calls the
//! Kotlin and Swift shells get), on a foreign executor (a current-thread
//! runtime of the test's own) against the sandbox with the test support.
#![cfg(feature = "test-support")]
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};

use aktiver_ffi::activation::Language;
use aktiver_ffi::screens::{IdDocument, Method};
use aktiver_ffi::test_support::{TestDocument, TestPhone, start_test_sandbox, test_person};
use aktiver_ffi::{
    Action, Activation, CallbackError, Screen, ScreenListener, ScreenView, start_activation,
};

#[derive(Default)]
struct Names(Mutex<Vec<String>>);

impl ScreenListener for Names {
    fn on_screen(&self, view: ScreenView) -> Result<(), CallbackError> {
        self.0.lock().unwrap().push(view.name);
        Ok(())
    }
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(f)
}

/// Plays the person until a terminal screen or the screen named `until`.
async fn walk(
    a: &Activation,
    phone: &TestPhone,
    sandbox_sms: impl AsyncFn() -> String,
    until: Option<&str>,
) -> Screen {
    let person = test_person(None).unwrap();
    let mut frame = 0;
    for _ in 0..300 {
        let v = a.current().unwrap();
        if Some(v.name.as_str()) == until {
            return v.screen;
        }
        let action = match &v.screen {
            s if v.terminal => return s.clone(),
            Screen::Welcome => Action::GetStarted,
            Screen::WelcomeBack => Action::MyBankId,
            Screen::MyBankId => Action::ActivateApp,
            Screen::NationalId { .. } => Action::SubmitNationalId {
                value: person.national_id.clone(),
            },
            Screen::Phone { .. } => Action::SubmitPhone {
                value: person.phone.clone(),
            },
            Screen::SmsCode { .. } => Action::SubmitSmsCode {
                code: sandbox_sms().await,
            },
            Screen::ActivationMethod { .. } => Action::ChooseMethod {
                method: Method::IdCheck,
            },
            Screen::ChooseDocument => Action::ChooseDocument {
                document: IdDocument::IdCard,
            },
            Screen::MrzScan { .. } => {
                let f = phone.camera_frame(frame);
                frame += 1;
                a.submit_frame(f.luma, f.width, f.height, f.row_stride, 0)
                    .await
                    .unwrap();
                continue;
            }
            Screen::PasswordOffer => Action::NotNow,
            Screen::NotificationsOffer | Screen::BiometricsOffer => Action::NotNow,
            Screen::Agreement {
                accepted: false, ..
            } => Action::SetAccepted { accepted: true },
            Screen::SignAgreement { .. } => Action::SignAgreement {
                password: person.password.clone().unwrap_or_default(),
            },
            Screen::NetworkError { .. } => Action::Retry,
            _ => Action::Continue,
        };
        a.act(action).await.unwrap();
    }
    panic!("no terminal screen in 300 steps");
}

/// The person's ID card in a test phone, its chip answering each APDU after
/// `apdu_delay_ms`.
fn id_card_phone(
    sandbox: &aktiver_ffi::test_support::TestSandbox,
    national_id: &str,
    apdu_delay_ms: u32,
) -> Result<Arc<TestPhone>, aktiver_ffi::ActivationError> {
    TestPhone::new(
        sandbox,
        TestDocument {
            national_id: national_id.to_owned(),
            document: IdDocument::IdCard,
            tampered_data_group: None,
            tag_lost_at: vec![],
            apdu_delay_ms,
        },
    )
}

#[test]
fn a_whole_activation_through_the_exported_api() {
    block_on(async {
        let sandbox = start_test_sandbox().await.unwrap();
        let person = test_person(None).unwrap();
        let phone = id_card_phone(&sandbox, &person.national_id, 0).unwrap();
        let a = start_activation(sandbox.config(Language::En).unwrap(), phone.capabilities())
            .await
            .unwrap();
        let names = Arc::new(Names::default());
        let handle = a.observe(names.clone()).unwrap();
        let end = walk(
            &a,
            &phone,
            async || sandbox.sms_code(person.phone.clone()).await.unwrap(),
            None,
        )
        .await;
        assert!(matches!(end, Screen::Complete { .. }), "{end:?}");
        let seen = names.0.lock().unwrap().clone();
        for s in [
            "welcome",
            "sms_code",
            "mrz_scan",
            "chip_scan",
            "face_scan",
            "activating",
            "complete",
        ] {
            assert!(seen.iter().any(|n| n == s), "{s} not seen in {seen:?}");
        }
        handle.cancel();
        a.release();
        assert_eq!(
            a.current().err(),
            Some(aktiver_ffi::ActivationError::Closed)
        );
        sandbox.stop().await;
    });
}

#[test]
fn a_released_activation_resumes_in_a_new_one() {
    block_on(async {
        let sandbox = start_test_sandbox().await.unwrap();
        let person = test_person(None).unwrap();
        let phone = id_card_phone(&sandbox, &person.national_id, 0).unwrap();
        let caps = phone.capabilities();
        let cfg = sandbox.config(Language::En).unwrap();
        let sms = async || sandbox.sms_code(person.phone.clone()).await.unwrap();
        let first = start_activation(cfg.clone(), caps.clone()).await.unwrap();
        walk(&first, &phone, &sms, Some("chip_info")).await;
        first.release();
        drop(first);
        let second = start_activation(cfg, caps).await.unwrap();
        // The MRZ is not kept: the document is scanned again.
        assert_eq!(second.current().unwrap().name, "scan_info");
        let end = walk(&second, &phone, &sms, None).await;
        assert!(matches!(end, Screen::Complete { .. }), "{end:?}");
        sandbox.stop().await;
    });
}

/// A caller that goes away in the middle of the chip read (a cancelled
/// coroutine or Swift task drops the call) stops the read: the core's Back
/// brings the chip info screen back and the chip hears no more APDUs.
#[test]
fn dropping_an_action_mid_chip_read_stops_the_read() {
    block_on(async {
        let sandbox = start_test_sandbox().await.unwrap();
        let person = test_person(None).unwrap();
        let phone = id_card_phone(&sandbox, &person.national_id, 15).unwrap();
        let sms = async || sandbox.sms_code(person.phone.clone()).await.unwrap();
        let a = start_activation(sandbox.config(Language::En).unwrap(), phone.capabilities())
            .await
            .unwrap();
        walk(&a, &phone, &sms, Some("chip_info")).await;
        let gone = tokio::time::timeout(
            std::time::Duration::from_millis(600),
            a.act(Action::Continue),
        )
        .await;
        assert!(gone.is_err(), "the read finished within 600 ms: no test");
        let mut back = false;
        for _ in 0..200 {
            if a.current().unwrap().name == "chip_info" {
                back = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert!(back, "still at {}", a.current().unwrap().name);
        let stopped = phone.apdus();
        assert!(stopped > 0);
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert_eq!(phone.apdus(), stopped, "the chip still hears APDUs");
        sandbox.stop().await;
    });
}
