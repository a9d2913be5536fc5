//! The faults a tester injects by hand, each at the step where it applies,
//! shared by `aktiver-sim studio` and `aktiver-sim run`. Each one changes the
//! world (the network, the clock, the document on the phone, the face check,
//! the process), never the flow: the flow meets it as a phone would.
use aktiver_flow::{Action, Screen};
use aktiver_protocol::Sensitive;
use aktiver_testkit::document;

use super::World;

/// One fault a tester can choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Type a code that is not the one in the SMS.
    WrongSmsCode,
    /// The SMS code's lifetime passes before it is typed.
    ExpiredSmsCode,
    /// A highlight over the code on the following camera frames.
    Glare,
    /// The following camera frames are out of focus.
    Blur,
    /// The camera films cleanly again.
    ClearCamera,
    /// The document leaves the phone in the middle of the chip read.
    LostTag,
    /// A data group of the chip was altered after signing.
    TamperedChip,
    /// The chip's data is genuine, its keys are not.
    ClonedChip,
    /// The live face does not match the chip's portrait.
    FaceMismatch,
    /// The phone loses its network.
    NetworkDown,
    /// The network comes back.
    NetworkUp,
    /// The app's process is killed and started again (resumes from its snapshot).
    Kill,
    /// The person starts over on a second phone.
    SecondDevice,
}

/// How the camera films, chosen by the glare and blur faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CameraFault {
    #[default]
    None,
    Glare,
    Blur,
}

impl Fault {
    pub const ALL: [Fault; 13] = [
        Fault::WrongSmsCode,
        Fault::ExpiredSmsCode,
        Fault::Glare,
        Fault::Blur,
        Fault::ClearCamera,
        Fault::LostTag,
        Fault::TamperedChip,
        Fault::ClonedChip,
        Fault::FaceMismatch,
        Fault::NetworkDown,
        Fault::NetworkUp,
        Fault::Kill,
        Fault::SecondDevice,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Fault::WrongSmsCode => "wrong_sms_code",
            Fault::ExpiredSmsCode => "expired_sms_code",
            Fault::Glare => "glare",
            Fault::Blur => "blur",
            Fault::ClearCamera => "clear_camera",
            Fault::LostTag => "lost_tag",
            Fault::TamperedChip => "tampered_chip",
            Fault::ClonedChip => "cloned_chip",
            Fault::FaceMismatch => "face_mismatch",
            Fault::NetworkDown => "network_down",
            Fault::NetworkUp => "network_up",
            Fault::Kill => "kill",
            Fault::SecondDevice => "second_device",
        }
    }

    pub fn from_name(name: &str) -> Option<Fault> {
        Fault::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether the fault applies on this screen, in this world.
    pub fn applies(self, w: &World) -> bool {
        let screen = w.flow.screen();
        let name = screen.name();
        match self {
            Fault::WrongSmsCode | Fault::ExpiredSmsCode => name == "sms_code",
            Fault::Glare => name == "mrz_scan" && w.camera_fault != CameraFault::Glare,
            Fault::Blur => name == "mrz_scan" && w.camera_fault != CameraFault::Blur,
            Fault::ClearCamera => name == "mrz_scan" && w.camera_fault != CameraFault::None,
            Fault::LostTag | Fault::TamperedChip | Fault::ClonedChip => name == "chip_info",
            Fault::FaceMismatch => name == "face_info" && !w.face.mismatch(),
            Fault::NetworkDown => !screen.is_terminal() && w.relay.is_up(),
            Fault::NetworkUp => !w.relay.is_up(),
            Fault::Kill => !matches!(screen, Screen::Cancelled),
            Fault::SecondDevice => matches!(screen, Screen::Complete { .. }),
        }
    }

    /// The faults that apply now.
    pub fn available(w: &World) -> Vec<Fault> {
        Fault::ALL.into_iter().filter(|f| f.applies(w)).collect()
    }
}

impl World {
    /// Injects a fault. Returns the action the person performs with it
    /// (typing a wrong code), if any; the caller performs it.
    pub async fn inject(&mut self, fault: Fault) -> Result<Option<Action>, String> {
        if !fault.applies(self) {
            return Err(format!(
                "{} does not apply on {}",
                fault.name(),
                self.flow.screen().name()
            ));
        }
        match fault {
            Fault::WrongSmsCode => {
                let real = self.read_sms().await.unwrap_or_default();
                return Ok(Some(Action::SubmitSmsCode {
                    code: Sensitive::new(wrong_code(&real)),
                }));
            }
            Fault::ExpiredSmsCode => {
                let ttl = self.sandbox.server.app.rules.sms_expiry_s;
                self.sandbox.clock.advance(ttl + 1);
            }
            Fault::Glare => self.camera_fault = CameraFault::Glare,
            Fault::Blur => self.camera_fault = CameraFault::Blur,
            Fault::ClearCamera => self.camera_fault = CameraFault::None,
            Fault::LostTag | Fault::TamperedChip | Fault::ClonedChip => {
                let mut opts = self.doc_options.clone();
                match fault {
                    // Early in the portrait: the read pauses with most of it to come.
                    Fault::LostTag => opts.tag_lost_at = vec![45],
                    Fault::TamperedChip => opts.tampered = Some(2),
                    _ => opts.cloned = true,
                }
                let (chip, _) = document::issue(&self.lines, self.document, &opts)?;
                self.phone.nfc.present(chip);
            }
            Fault::FaceMismatch => self.face.set_mismatch(true),
            Fault::NetworkDown => self.relay.set_up(false),
            Fault::NetworkUp => self.relay.set_up(true),
            Fault::Kill => self.restart().await?,
            Fault::SecondDevice => {
                // The same document, a fresh chip session and a good face.
                let (chip, _) = document::issue(&self.lines, self.document, &self.doc_options)?;
                self.phone.nfc.present(chip);
                self.face.set_mismatch(false);
                self.camera_fault = CameraFault::None;
                self.new_device().await?;
            }
        }
        Ok(None)
    }
}

/// Films a frame as the camera fault makes it: a highlight over the lower
/// half (where the code is) or a defocus blur.
pub fn degrade(img: &mut aktiver_scan::LumaImage, fault: CameraFault, index: u64) {
    use aktiver_scan::synth::degrade;
    if fault == CameraFault::None {
        return;
    }
    let (w, h) = (img.width as usize, img.height as usize);
    let mut px: Vec<f32> = img.data.iter().map(|&p| f32::from(p)).collect();
    match fault {
        CameraFault::Glare => {
            // The highlight drifts a little from frame to frame, as a hand moves.
            let cx = w as f32 * (0.45 + 0.02 * (index % 5) as f32);
            degrade::glare(&mut px, w, h, cx, h as f32 * 0.62, h as f32 * 0.12, 400.0);
        }
        // Sigma 4 the scanner still reads now and then; 6 never (it says
        // hold_still), 8 no longer finds a document at all.
        CameraFault::Blur => degrade::gaussian_blur(&mut px, w, h, 6.0),
        CameraFault::None => {}
    }
    for (d, p) in img.data.iter_mut().zip(px) {
        *d = p.clamp(0.0, 255.0) as u8;
    }
}

/// A code of the same length that is not `real`.
fn wrong_code(real: &str) -> String {
    let n = real.len().max(6);
    let wrong: String = real
        .chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from(b'0' + ((d + 1) % 10) as u8),
            None => '1',
        })
        .collect();
    if wrong.len() == n {
        wrong
    } else {
        "1".repeat(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_code_differs_in_every_digit() {
        assert_eq!(wrong_code("123409"), "234510");
        assert_eq!(wrong_code(""), "111111");
        for f in Fault::ALL {
            assert_eq!(Fault::from_name(f.name()), Some(f));
        }
    }
}

/// Every fault injected through `World::inject` at its step, as both front
/// ends inject them, and what the flow then shows.
#[cfg(test)]
mod world_tests {
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
}
