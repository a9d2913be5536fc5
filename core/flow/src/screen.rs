//! What the shell shows: one [`Screen`] variant per step of the activation
//! (seeds/003), with everything the screen needs to be drawn. Screens carry
//! no secret and no personal data beyond what the user must see (a masked
//! phone number).
use serde::{Deserialize, Serialize};

use aktiver_protocol::{DocumentKind, Method, PasswordViolation};

/// A malformed or refused input, answered on the same screen. A field error
/// from a local check costs no attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The input it is about (`national_id`, `phone`, `code`, ...).
    pub field: String,
    /// Stable code; the text is `error-<code>` in the bundles.
    pub code: String,
    /// Tries left where the server counts them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
    /// Seconds to wait before trying again, where the server says so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_s: Option<u64>,
}

impl FieldError {
    pub fn new(field: &str, code: &str) -> Self {
        FieldError {
            field: field.to_owned(),
            code: code.to_owned(),
            attempts_left: None,
            retry_after_s: None,
        }
    }
}

/// One rule of the password policy and whether the current draft meets it:
/// the new-password screen lists every rule, ticked as the user types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordRule {
    /// The rule, named as the violation it prevents (`too_short` with `min`, ...).
    #[serde(flatten)]
    pub rule: PasswordViolation,
    pub met: bool,
}

/// Operating-system permissions the flow asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    Camera,
    Notifications,
    Biometrics,
}

/// Why a physical step is paused (not a failure: `Continue` goes on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PauseCause {
    /// The chip left the phone's field in the middle of a read.
    TagLost,
}

/// What the chip-scan screen tells the user right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChipHint {
    /// Place the phone on the document.
    PlacePhone,
    /// Reading: keep still.
    KeepStill,
    /// Checking what was read.
    Verifying,
}

/// One screen with its data. The serde tag `screen` is the stable screen
/// name (also [`Screen::name`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "screen", rename_all = "snake_case")]
pub enum Screen {
    /// Step 1, the first time the app is opened: get started.
    Welcome,
    /// Step 1 for a returning user (the app was opened before on this
    /// phone): no "Get started"; "My BankID" at the bottom.
    WelcomeBack,
    /// My BankID, with "Activate app" (a returning user's way in).
    #[serde(rename = "my_bankid")]
    MyBankId,
    /// Step 2: the 11-digit national identity number.
    NationalId {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<FieldError>,
    },
    /// Step 3: the mobile number the bank has registered.
    Phone {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<FieldError>,
    },
    /// Step 4: the six-digit code sent by SMS.
    SmsCode {
        masked_phone: String,
        code_length: u32,
        resend_after_s: u64,
        expires_in_s: u64,
        attempts_left: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<FieldError>,
    },
    /// Step 5: passport or ID card, code unit, activation code.
    ActivationMethod {
        methods: Vec<Method>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<FieldError>,
    },
    /// Step 6: "you need a valid Norwegian passport or ID card" (I have everything).
    IdCheckIntro,
    /// Step 7: the steps of the ID check (perform ID check).
    IdCheckSteps,
    /// Step 8: why the camera is needed; `denied` after the OS said no.
    CameraAccess { denied: bool },
    /// Steps 9, 23, 29: the operating system's own prompt is showing.
    PermissionPrompt { permission: Permission },
    /// Step 10: passport or national ID card.
    ChooseDocument,
    /// Step 11: you will scan the back of the card (or the photo page).
    ScanInfo { document: DocumentKind },
    /// Step 12: the code at the bottom is what the camera reads.
    MrzLocation { document: DocumentKind },
    /// Step 13: the live camera; frames are pushed in and answered with feedback.
    MrzScan {
        document: DocumentKind,
        /// The scanner's advice for the last frame (`hold_still`, `glare`, `move_closer`, ...).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        feedback: Option<String>,
        frames: u32,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<FieldError>,
    },
    /// Step 14: how to hold the phone to the chip.
    ChipInfo { document: DocumentKind },
    /// Step 15: reading the chip.
    ChipScan {
        document: DocumentKind,
        /// 0..=100
        progress: u8,
        hint: ChipHint,
    },
    /// Step 16: about the face scan.
    FaceInfo,
    /// Step 17: the face-check provider is running.
    FaceScan,
    /// Step 18: connecting the app (evidence, device key).
    Activating,
    /// Step 19: change the BankID password? (Update / Not now)
    PasswordOffer,
    /// Step 20: the new password, twice, with live policy feedback.
    NewPassword {
        /// Every rule of the policy (the server's, the same function), met
        /// or not by the draft typed so far (an empty draft before typing).
        #[serde(default)]
        rules: Vec<PasswordRule>,
        /// Policy rules the last draft breaks (live feedback; empty when fine).
        violations: Vec<PasswordViolation>,
        /// The two fields differ.
        mismatch: bool,
        /// Show the typed characters (the eye icon).
        visible: bool,
        /// The path that qualified needs the current password again.
        current_required: bool,
        /// The person has no password yet: "Not now" is not offered.
        required: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<FieldError>,
    },
    /// Step 21: the password is updated.
    PasswordUpdated,
    /// Step 22: notifications (the OS prompt follows).
    NotificationsOffer,
    /// Step 24: BankID biometrics (activate / not now).
    BiometricsOffer,
    /// Step 25: how biometrics work.
    BiometricsInfo,
    /// Step 26: activate in a few steps.
    BiometricsSteps,
    /// Step 27: security information.
    BiometricsSecurity,
    /// Step 28: the terms, a checkbox and approve.
    BiometricsTerms {
        terms: String,
        accepted: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<FieldError>,
    },
    /// Step 30: the user agreement, a checkbox.
    Agreement {
        agreement_id: String,
        text: String,
        accepted: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<FieldError>,
    },
    /// Step 31: sign the agreement with the BankID password.
    SignAgreement {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<FieldError>,
    },
    /// The code-unit path: one-time code and the current password.
    CodeUnit {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<FieldError>,
    },
    /// The activation-code path: the code typed, or the online bank's QR
    /// code filmed (camera frames are pushed in, as on the MRZ scan).
    ActivationCode {
        /// The camera's advice for the last frame (`no_qr`, `qr_read`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        feedback: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<FieldError>,
    },
    /// The network failed during a step: `Retry` runs it again.
    NetworkError { during: String },
    /// A physical step waits for the user: `Continue` goes on.
    Paused { cause: PauseCause, during: String },
    /// Step 32: the app is activated.
    Complete { replaced_previous_device: bool },
    /// The activation cannot go on: a stable code and what to do about it.
    Failed { code: String, remedy: String },
    /// The user cancelled.
    Cancelled,
}

impl Screen {
    /// The stable screen name (the serde tag).
    pub fn name(&self) -> &'static str {
        match self {
            Screen::Welcome => "welcome",
            Screen::WelcomeBack => "welcome_back",
            Screen::MyBankId => "my_bankid",
            Screen::NationalId { .. } => "national_id",
            Screen::Phone { .. } => "phone",
            Screen::SmsCode { .. } => "sms_code",
            Screen::ActivationMethod { .. } => "activation_method",
            Screen::IdCheckIntro => "id_check_intro",
            Screen::IdCheckSteps => "id_check_steps",
            Screen::CameraAccess { .. } => "camera_access",
            Screen::PermissionPrompt { .. } => "permission_prompt",
            Screen::ChooseDocument => "choose_document",
            Screen::ScanInfo { .. } => "scan_info",
            Screen::MrzLocation { .. } => "mrz_location",
            Screen::MrzScan { .. } => "mrz_scan",
            Screen::ChipInfo { .. } => "chip_info",
            Screen::ChipScan { .. } => "chip_scan",
            Screen::FaceInfo => "face_info",
            Screen::FaceScan => "face_scan",
            Screen::Activating => "activating",
            Screen::PasswordOffer => "password_offer",
            Screen::NewPassword { .. } => "new_password",
            Screen::PasswordUpdated => "password_updated",
            Screen::NotificationsOffer => "notifications_offer",
            Screen::BiometricsOffer => "biometrics_offer",
            Screen::BiometricsInfo => "biometrics_info",
            Screen::BiometricsSteps => "biometrics_steps",
            Screen::BiometricsSecurity => "biometrics_security",
            Screen::BiometricsTerms { .. } => "biometrics_terms",
            Screen::Agreement { .. } => "agreement",
            Screen::SignAgreement { .. } => "sign_agreement",
            Screen::CodeUnit { .. } => "code_unit",
            Screen::ActivationCode { .. } => "activation_code",
            Screen::NetworkError { .. } => "network_error",
            Screen::Paused { .. } => "paused",
            Screen::Complete { .. } => "complete",
            Screen::Failed { .. } => "failed",
            Screen::Cancelled => "cancelled",
        }
    }

    /// Complete, Failed or Cancelled: no action fits any more.
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            Screen::Complete { .. } | Screen::Failed { .. } | Screen::Cancelled
        )
    }

    /// Screens the core moves on from by itself (work in progress).
    pub fn is_busy(&self) -> bool {
        matches!(
            self,
            Screen::PermissionPrompt { .. }
                | Screen::ChipScan { .. }
                | Screen::FaceScan
                | Screen::Activating
        )
    }

    /// The actions this screen accepts (by [`crate::Action::name`]); any
    /// other action is a `BadState`. `back` and `cancel` fit every screen
    /// that is not terminal.
    pub fn actions(&self) -> &'static [&'static str] {
        use Screen as S;
        match self {
            S::Welcome => &["get_started", "back", "cancel"],
            S::WelcomeBack => &["my_bankid", "back", "cancel"],
            S::MyBankId => &["activate_app", "back", "cancel"],
            S::NationalId { .. } => &["submit_national_id", "back", "cancel"],
            S::Phone { .. } => &["submit_phone", "back", "cancel"],
            S::SmsCode { .. } => &["submit_sms_code", "resend_code", "back", "cancel"],
            S::ActivationMethod { .. } => &["choose_method", "back", "cancel"],
            S::ChooseDocument => &["choose_document", "back", "cancel"],
            S::MrzScan { .. } => &["back", "cancel"],
            S::CameraAccess { .. }
            | S::IdCheckIntro
            | S::IdCheckSteps
            | S::ScanInfo { .. }
            | S::MrzLocation { .. }
            | S::ChipInfo { .. }
            | S::FaceInfo
            | S::PasswordUpdated
            | S::BiometricsInfo
            | S::BiometricsSteps
            | S::BiometricsSecurity
            | S::Paused { .. } => &["continue", "back", "cancel"],
            S::PasswordOffer | S::NotificationsOffer | S::BiometricsOffer => {
                &["continue", "not_now", "back", "cancel"]
            }
            S::NewPassword { required: true, .. } => &[
                "draft_password",
                "submit_new_password",
                "set_password_visible",
                "back",
                "cancel",
            ],
            S::NewPassword { .. } => &[
                "draft_password",
                "submit_new_password",
                "set_password_visible",
                "not_now",
                "back",
                "cancel",
            ],
            S::BiometricsTerms { .. } | S::Agreement { .. } => {
                &["set_accepted", "continue", "back", "cancel"]
            }
            S::SignAgreement { .. } => &["sign_agreement", "back", "cancel"],
            S::CodeUnit { .. } => &["submit_code_unit", "back", "cancel"],
            S::ActivationCode { .. } => &["submit_activation_code", "back", "cancel"],
            S::NetworkError { .. } => &["retry", "back", "cancel"],
            S::PermissionPrompt { .. } | S::ChipScan { .. } | S::FaceScan | S::Activating => {
                &["back", "cancel"]
            }
            S::Complete { .. } | S::Failed { .. } | S::Cancelled => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The serde tag is the stable name shells and scenarios use.
    #[test]
    fn serde_tag_is_the_name() {
        for s in [
            Screen::Welcome,
            Screen::WelcomeBack,
            Screen::MyBankId,
            Screen::ActivationCode {
                feedback: None,
                error: None,
            },
            Screen::IdCheckIntro,
        ] {
            let v = serde_json::to_value(&s).unwrap_or_default();
            assert_eq!(v["screen"], s.name());
        }
        for a in [
            crate::Action::GetStarted,
            crate::Action::MyBankId,
            crate::Action::ActivateApp,
        ] {
            let v = serde_json::to_value(&a).unwrap_or_default();
            assert_eq!(v["action"], a.name());
        }
    }
}
