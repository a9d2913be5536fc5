//! The person: what they do on each screen of the happy path.
use aktiver_flow::{Action, Screen};
use aktiver_protocol::Sensitive;

use super::World;

/// As people type it: `158590 10099`.
fn typed_nin(nin: &str) -> String {
    format!("{} {}", &nin[..6.min(nin.len())], &nin[6.min(nin.len())..])
}

/// As people type it: `+47 912 34 567`.
fn typed_phone(e164: &str) -> String {
    let n = e164.trim_start_matches("+47");
    if n.len() == 8 {
        format!("+47 {} {} {}", &n[..3], &n[3..5], &n[5..])
    } else {
        e164.to_owned()
    }
}

/// A weak password typed first on the new-password screen (live feedback).
pub const WEAK_PASSWORD: &str = "passord";

impl World {
    /// Does what the person does on the current screen. Returns the name of
    /// the action (or `frame`), or an error on a terminal screen.
    pub async fn auto(&mut self) -> Result<&'static str, String> {
        let screen = self.flow.screen();
        let action = match &screen {
            Screen::Welcome => Action::GetStarted,
            Screen::WelcomeBack => Action::MyBankId,
            Screen::MyBankId => Action::ActivateApp,
            Screen::NationalId { .. } => Action::SubmitNationalId {
                value: Sensitive::new(typed_nin(&self.person.national_id)),
            },
            Screen::Phone { .. } => Action::SubmitPhone {
                value: Sensitive::new(typed_phone(&self.person.phone)),
            },
            Screen::SmsCode { .. } => {
                let code = self.read_sms().await;
                Action::SubmitSmsCode {
                    code: Sensitive::new(code.ok_or("no SMS in the sandbox inbox")?),
                }
            }
            Screen::ActivationMethod { .. } => Action::ChooseMethod {
                method: self.choices.method,
            },
            Screen::ChooseDocument => Action::ChooseDocument {
                document: self.document,
            },
            Screen::MrzScan { .. } => {
                self.film().await?;
                return Ok("frame");
            }
            Screen::CodeUnit { .. } => {
                let otp = self
                    .sandbox
                    .code_unit_otp(&self.person.national_id)
                    .ok_or("this person has no code unit")?;
                Action::SubmitCodeUnit {
                    otp: Sensitive::new(otp),
                    password: Sensitive::new(self.person.password.clone().unwrap_or_default()),
                }
            }
            Screen::ActivationCode { .. } => {
                // The person films the QR code the online bank shows.
                self.film_qr(super::QrShot::Bank).await?;
                return Ok("frame");
            }
            Screen::PasswordOffer if !self.choices.update_password => Action::NotNow,
            Screen::NewPassword { violations, .. } if violations.is_empty() => {
                Action::DraftPassword {
                    password: Sensitive::new(WEAK_PASSWORD),
                    repeat: Sensitive::new(WEAK_PASSWORD),
                }
            }
            Screen::NewPassword { .. } => {
                let pw = self.choices.new_password.clone();
                self.password = Some(pw.clone());
                Action::SubmitNewPassword {
                    password: Sensitive::new(pw.clone()),
                    repeat: Sensitive::new(pw),
                    current: None,
                }
            }
            Screen::NotificationsOffer if !self.choices.notifications => Action::NotNow,
            Screen::BiometricsOffer if !self.choices.biometrics => Action::NotNow,
            Screen::BiometricsTerms {
                accepted: false, ..
            }
            | Screen::Agreement {
                accepted: false, ..
            } => Action::SetAccepted { accepted: true },
            Screen::SignAgreement { .. } => Action::SignAgreement {
                password: Sensitive::new(self.password.clone().unwrap_or_default()),
            },
            Screen::NetworkError { .. } => Action::Retry,
            s if s.is_terminal() => return Err(format!("the flow ended at {}", s.name())),
            s if s.is_busy() => return Err(format!("the flow is stuck at {}", s.name())),
            _ => Action::Continue,
        };
        let name = action.name();
        self.act(action).await.map_err(|e| e.to_string())?;
        Ok(name)
    }

    /// Plays the person until `target` is the current screen (or the flow
    /// ends, which is an error unless it is the target).
    pub async fn walk_to(&mut self, target: &str) -> Result<(), String> {
        for _ in 0..400 {
            let s = self.flow.screen();
            if s.name() == target {
                return Ok(());
            }
            if s.is_terminal() {
                return Err(format!(
                    "expected {target}, the flow ended at {}{}",
                    s.name(),
                    failure_of(&s)
                        .map(|c| format!(" ({c})"))
                        .unwrap_or_default()
                ));
            }
            self.auto().await?;
        }
        Err(format!("{target} not reached in 400 steps"))
    }
}

pub fn failure_of(s: &Screen) -> Option<String> {
    match s {
        Screen::Failed { code, .. } => Some(code.clone()),
        _ => None,
    }
}
