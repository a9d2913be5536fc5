//! The flow's snapshot in secure storage: saved at every screen, read when a
//! flow starts. It holds where the flow is and the session it belongs to,
//! and no secret: no password, code, MRZ, chip data or key. The identity
//! number only until the person has qualified (see [`Snapshot::national_id`]);
//! after that only the birth date the password policy needs.
//!
//! A resumed flow asks the server where its session is (expired, completed,
//! further along than the snapshot) and lands on the screen that fits.
use serde::{Deserialize, Serialize};

use aktiver_protocol::{DocumentKind, ErrorCode, Sensitive, SessionView, Step};

use super::Machine;
use crate::error::Failure;
use crate::screen::Screen;

pub(crate) const STORAGE_KEY: &str = "aktiver.flow.snapshot";
const VERSION: u32 = 1;

/// What is saved. Serializable for the shells, without secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    pub version: u32,
    /// The screen to resume at (already mapped back where a step cannot resume).
    pub screen: String,
    #[serde(default)]
    pub session_id: Option<String>,
    /// Kept only until the person has qualified (up to the ID check or a
    /// code path, from which Back still leads to the ID check): the phone
    /// checks the scanned MRZ's identity number against the entered one
    /// before it reads the chip, and the server never sends the number back.
    /// Dropped once the device is being bound.
    #[serde(default)]
    pub national_id: Option<Sensitive>,
    /// Day, month, year of birth, for the password policy's birth-date rule
    /// after the identity number is dropped.
    #[serde(default)]
    pub birth_date: Option<(u8, u8, u16)>,
    #[serde(default)]
    pub document: Option<DocumentKind>,
}

/// Where a flow killed on `screen` resumes.
fn resume_name(screen: &Screen) -> &'static str {
    match screen {
        // The MRZ and the chip's data are not kept: scan the document again.
        Screen::MrzScan { .. }
        | Screen::ChipInfo { .. }
        | Screen::ChipScan { .. }
        | Screen::Paused { .. }
        | Screen::FaceInfo
        | Screen::FaceScan => "scan_info",
        Screen::PermissionPrompt { permission } => match permission {
            crate::screen::Permission::Camera => "camera_access",
            crate::screen::Permission::Notifications => "notifications_offer",
            crate::screen::Permission::Biometrics => "biometrics_security",
        },
        Screen::NewPassword { .. } | Screen::PasswordUpdated => "password_offer",
        Screen::SignAgreement { .. } => "agreement",
        s => s.name(),
    }
}

impl Machine {
    pub(crate) fn save_snapshot(&mut self) {
        let storage = self.caps.storage.clone();
        if self.screen.is_terminal() {
            let _ = storage.delete(STORAGE_KEY);
            return;
        }
        let name = match &self.screen {
            Screen::NetworkError { .. } => match &self.mem.retry {
                Some((s, _)) => resume_name(s),
                None => return,
            },
            s => resume_name(s),
        };
        let qualifying = matches!(
            self.mem.session.as_ref().map(|s| s.step),
            None | Some(
                Step::Phone
                    | Step::SmsCode
                    | Step::Method
                    | Step::IdCheck
                    | Step::CodeUnit
                    | Step::ActivationCode
            )
        );
        let snap = Snapshot {
            version: VERSION,
            screen: name.to_owned(),
            session_id: self.mem.session.as_ref().map(|s| s.session_id.clone()),
            national_id: self
                .mem
                .nin
                .as_ref()
                .filter(|_| qualifying)
                .map(|n| Sensitive::new(n.as_str())),
            birth_date: self.password_context().birth_date,
            document: self.mem.document,
        };
        if let Ok(bytes) = serde_json::to_vec(&snap) {
            let bytes = zeroize::Zeroizing::new(bytes);
            let _ = storage.put(STORAGE_KEY, &bytes);
        }
    }

    fn load_snapshot(&self) -> Option<Snapshot> {
        let bytes = self.caps.storage.get(STORAGE_KEY).ok()??;
        let bytes = zeroize::Zeroizing::new(bytes);
        let s: Snapshot = serde_json::from_slice(&bytes).ok()?;
        (s.version == VERSION).then_some(s)
    }

    /// The first screen: the saved one, or Welcome.
    pub(crate) async fn resume_or_welcome(&mut self) {
        self.note_opened();
        let Some(snap) = self.load_snapshot() else {
            let s = self.welcome_screen();
            self.show(s);
            return;
        };
        self.mem.nin = snap
            .national_id
            .as_ref()
            .and_then(|n| aktiver_nin::NationalId::parse(n.expose(), self.cfg.nin_policy).ok());
        self.mem.birth_date = snap.birth_date;
        self.mem.document = snap.document;
        let Some(sid) = snap.session_id.clone() else {
            let s = match snap.screen.as_str() {
                "national_id" => Screen::NationalId { error: None },
                "my_bankid" => Screen::MyBankId,
                _ => self.welcome_screen(),
            };
            self.show(s);
            return;
        };
        let path = aktiver_protocol::endpoints::with_session(
            aktiver_protocol::endpoints::GET_SESSION,
            &sid,
        );
        let view: SessionView = match self.get(&path).await {
            Ok(Ok(v)) => v,
            Ok(Err(b)) => {
                self.fail(Failure::from_code(match b.code {
                    ErrorCode::SessionNotFound => ErrorCode::SessionExpired,
                    c => c,
                }));
                return;
            }
            Err(_) => {
                // No network at start: the snapshot stays, and Retry asks
                // the server again.
                self.mem.resume_pending = true;
                self.show(Screen::NetworkError {
                    during: "resume".to_owned(),
                });
                return;
            }
        };
        let doc = snap.document.unwrap_or(DocumentKind::IdCard);
        let screen = match (view.step, snap.screen.as_str()) {
            (Step::Complete, _) => Screen::Complete {
                replaced_previous_device: view.replaced_previous_device,
            },
            (Step::Phone, _) => Screen::Phone { error: None },
            (Step::SmsCode, _) => super::start::sms_screen(&view, None),
            (Step::Method, _) => Screen::ActivationMethod {
                methods: view.methods.clone(),
                error: None,
            },
            (Step::IdCheck, name) => match name {
                "id_check_intro" => Screen::IdCheckIntro,
                "id_check_steps" => Screen::IdCheckSteps,
                "camera_access" => Screen::CameraAccess { denied: false },
                "choose_document" => Screen::ChooseDocument,
                "mrz_location" => Screen::MrzLocation { document: doc },
                _ if snap.document.is_none() => Screen::ChooseDocument,
                _ => Screen::ScanInfo { document: doc },
            },
            (Step::CodeUnit, _) => Screen::CodeUnit { error: None },
            (Step::ActivationCode, _) => Screen::ActivationCode {
                feedback: None,
                error: None,
            },
            // Qualified, but the device key is not bound yet: bind it now.
            (Step::Device, _) => Screen::Activating,
            (Step::Finish, name) => match name {
                "notifications_offer" => Screen::NotificationsOffer,
                "biometrics_offer" => Screen::BiometricsOffer,
                "biometrics_info" => Screen::BiometricsInfo,
                "biometrics_steps" => Screen::BiometricsSteps,
                "biometrics_security" => Screen::BiometricsSecurity,
                "biometrics_terms" => Screen::BiometricsTerms {
                    terms: super::finish::BIOMETRIC_TERMS.to_owned(),
                    accepted: false,
                    error: None,
                },
                "agreement" => Screen::Agreement {
                    agreement_id: String::new(),
                    text: String::new(),
                    accepted: false,
                    error: None,
                },
                _ => Screen::PasswordOffer,
            },
        };
        self.mem.session = Some(view);
        match screen {
            Screen::Activating => {
                let before = Screen::Activating;
                let r = self.activate().await;
                self.settle(r, before, crate::Action::Continue);
            }
            Screen::Agreement { .. } => {
                let r = self.show_agreement().await;
                self.settle(r, Screen::BiometricsOffer, crate::Action::NotNow);
            }
            s => self.show(s),
        }
    }
}
