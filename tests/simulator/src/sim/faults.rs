//! The faults a tester injects by hand, each at the step where it applies,
//! shared by `aktiver-sim studio` and `aktiver-sim run`. Each one changes the
//! world (the network, the clock, the document on the phone, the face check,
//! the process), never the flow: the flow meets it as a phone would.
use aktiver_flow::{Action, Permission, Screen};
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
    /// The operating system's prompt for this screen's permission will be
    /// declined (camera, notifications, biometrics).
    DenyPrompt,
    /// ... or allowed again.
    AllowPrompt,
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
    pub const ALL: [Fault; 15] = [
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
        Fault::DenyPrompt,
        Fault::AllowPrompt,
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
            Fault::DenyPrompt => "deny_prompt",
            Fault::AllowPrompt => "allow_prompt",
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
            Fault::DenyPrompt => prompt_of(&screen).is_some_and(|p| allowed(w, p)),
            Fault::AllowPrompt => prompt_of(&screen).is_some_and(|p| !allowed(w, p)),
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
            Fault::DenyPrompt | Fault::AllowPrompt => {
                let p = prompt_of(&self.flow.screen()).ok_or("no OS prompt follows this screen")?;
                if fault == Fault::DenyPrompt {
                    self.phone.permissions.deny(p);
                } else if let Ok(mut a) = self.phone.permissions.allow.lock() {
                    a.insert(p);
                }
            }
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

/// The permission whose OS prompt follows this screen's Continue.
fn prompt_of(screen: &Screen) -> Option<Permission> {
    match screen {
        Screen::CameraAccess { .. } => Some(Permission::Camera),
        Screen::NotificationsOffer => Some(Permission::Notifications),
        Screen::BiometricsOffer => Some(Permission::Biometrics),
        _ => None,
    }
}

/// Whether the OS will say yes to this prompt.
fn allowed(w: &World, p: Permission) -> bool {
    w.phone
        .permissions
        .allow
        .lock()
        .map(|a| a.contains(&p))
        .unwrap_or(false)
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

#[cfg(test)]
#[path = "faults_tests.rs"]
mod world_tests;
