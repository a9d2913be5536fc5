//! The screens as uniffi types: a mirror of `aktiver_flow::Screen` and the
//! value types it carries, plus the rendered [`ScreenView`] (texts by role
//! and the actions the screen takes). The conversions are exhaustive
//! matches, so a screen added to the core fails to compile here until it is
//! mirrored.
use std::collections::HashMap;

use aktiver_flow as core;
use aktiver_protocol as proto;

/// Passport or national ID card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum IdDocument {
    Passport,
    IdCard,
}

impl From<proto::DocumentKind> for IdDocument {
    fn from(d: proto::DocumentKind) -> Self {
        match d {
            proto::DocumentKind::Passport => IdDocument::Passport,
            proto::DocumentKind::IdCard => IdDocument::IdCard,
        }
    }
}

impl From<IdDocument> for proto::DocumentKind {
    fn from(d: IdDocument) -> Self {
        match d {
            IdDocument::Passport => proto::DocumentKind::Passport,
            IdDocument::IdCard => proto::DocumentKind::IdCard,
        }
    }
}

/// How the person proves who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Method {
    IdCheck,
    CodeUnit,
    ActivationCode,
}

impl From<proto::Method> for Method {
    fn from(m: proto::Method) -> Self {
        match m {
            proto::Method::IdCheck => Method::IdCheck,
            proto::Method::CodeUnit => Method::CodeUnit,
            proto::Method::ActivationCode => Method::ActivationCode,
        }
    }
}

impl From<Method> for proto::Method {
    fn from(m: Method) -> Self {
        match m {
            Method::IdCheck => proto::Method::IdCheck,
            Method::CodeUnit => proto::Method::CodeUnit,
            Method::ActivationCode => proto::Method::ActivationCode,
        }
    }
}

/// Operating-system permissions the flow asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Permission {
    Camera,
    Notifications,
    Biometrics,
}

impl From<core::Permission> for Permission {
    fn from(p: core::Permission) -> Self {
        match p {
            core::Permission::Camera => Permission::Camera,
            core::Permission::Notifications => Permission::Notifications,
            core::Permission::Biometrics => Permission::Biometrics,
        }
    }
}

impl From<Permission> for core::Permission {
    fn from(p: Permission) -> Self {
        match p {
            Permission::Camera => core::Permission::Camera,
            Permission::Notifications => core::Permission::Notifications,
            Permission::Biometrics => core::Permission::Biometrics,
        }
    }
}

/// Why a physical step is paused (`Continue` goes on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PauseCause {
    /// The chip left the phone's field in the middle of a read.
    TagLost,
}

/// What the chip-scan screen tells the user right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ChipHint {
    PlacePhone,
    KeepStill,
    Verifying,
}

/// A password policy rule the draft breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PasswordViolation {
    TooShort { min: u32 },
    TooLong { max: u32 },
    NoLetter,
    NoDigit,
    ContainsBirthDate,
    Common,
    DigitRun { max: u32 },
    KeyboardRow,
}

impl From<proto::PasswordViolation> for PasswordViolation {
    fn from(v: proto::PasswordViolation) -> Self {
        use proto::PasswordViolation as V;
        match v {
            V::TooShort { min } => PasswordViolation::TooShort { min },
            V::TooLong { max } => PasswordViolation::TooLong { max },
            V::NoLetter => PasswordViolation::NoLetter,
            V::NoDigit => PasswordViolation::NoDigit,
            V::ContainsBirthDate => PasswordViolation::ContainsBirthDate,
            V::Common => PasswordViolation::Common,
            V::DigitRun { max } => PasswordViolation::DigitRun { max },
            V::KeyboardRow => PasswordViolation::KeyboardRow,
        }
    }
}

/// One rule of the password policy and whether the current draft meets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct PasswordRule {
    /// The rule, named as the violation it prevents.
    pub rule: PasswordViolation,
    pub met: bool,
}

/// A malformed or refused input, answered on the same screen.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FieldError {
    /// The input it is about (`national_id`, `phone`, `code`, ...).
    pub field: String,
    /// Stable code; its text is `error-<code>` in the bundles.
    pub code: String,
    pub attempts_left: Option<u32>,
    pub retry_after_s: Option<u64>,
}

impl From<core::FieldError> for FieldError {
    fn from(e: core::FieldError) -> Self {
        FieldError {
            field: e.field,
            code: e.code,
            attempts_left: e.attempts_left,
            retry_after_s: e.retry_after_s,
        }
    }
}

/// One screen with its data (seeds/003, step by step).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum Screen {
    /// The first time the app is opened: get started.
    Welcome,
    /// A returning user (the app was opened before on this phone).
    WelcomeBack,
    /// My BankID, with "Activate app".
    MyBankId,
    NationalId {
        error: Option<FieldError>,
    },
    Phone {
        error: Option<FieldError>,
    },
    SmsCode {
        masked_phone: String,
        code_length: u32,
        resend_after_s: u64,
        expires_in_s: u64,
        attempts_left: u32,
        error: Option<FieldError>,
    },
    ActivationMethod {
        methods: Vec<Method>,
        error: Option<FieldError>,
    },
    IdCheckIntro,
    IdCheckSteps,
    CameraAccess {
        denied: bool,
    },
    PermissionPrompt {
        permission: Permission,
    },
    ChooseDocument,
    ScanInfo {
        document: IdDocument,
    },
    MrzLocation {
        document: IdDocument,
    },
    MrzScan {
        document: IdDocument,
        feedback: Option<String>,
        frames: u32,
        error: Option<FieldError>,
    },
    ChipInfo {
        document: IdDocument,
    },
    ChipScan {
        document: IdDocument,
        /// 0..=100
        progress: u8,
        hint: ChipHint,
    },
    FaceInfo,
    FaceScan,
    Activating,
    PasswordOffer,
    NewPassword {
        /// Every rule of the policy, met or not by the draft so far.
        rules: Vec<PasswordRule>,
        /// Rules the last draft breaks (empty when fine).
        violations: Vec<PasswordViolation>,
        mismatch: bool,
        visible: bool,
        current_required: bool,
        required: bool,
        error: Option<FieldError>,
    },
    PasswordUpdated,
    NotificationsOffer,
    BiometricsOffer,
    BiometricsInfo,
    BiometricsSteps,
    BiometricsSecurity,
    BiometricsTerms {
        terms: String,
        accepted: bool,
        error: Option<FieldError>,
    },
    Agreement {
        agreement_id: String,
        text: String,
        accepted: bool,
        error: Option<FieldError>,
    },
    SignAgreement {
        error: Option<FieldError>,
    },
    CodeUnit {
        error: Option<FieldError>,
    },
    /// The code typed, or the online bank's QR code filmed (frames are
    /// pushed in with `submit_frame`, as on the MRZ scan).
    ActivationCode {
        /// The camera's advice for the last frame (`no_qr`, `qr_read`).
        feedback: Option<String>,
        error: Option<FieldError>,
    },
    NetworkError {
        during: String,
    },
    Paused {
        cause: PauseCause,
        during: String,
    },
    Complete {
        replaced_previous_device: bool,
    },
    Failed {
        code: String,
        remedy: String,
    },
    Cancelled,
}

fn err(e: Option<core::FieldError>) -> Option<FieldError> {
    e.map(FieldError::from)
}

impl From<core::Screen> for Screen {
    fn from(s: core::Screen) -> Self {
        use core::Screen as S;
        match s {
            S::Welcome => Screen::Welcome,
            S::WelcomeBack => Screen::WelcomeBack,
            S::MyBankId => Screen::MyBankId,
            S::NationalId { error } => Screen::NationalId { error: err(error) },
            S::Phone { error } => Screen::Phone { error: err(error) },
            S::SmsCode {
                masked_phone,
                code_length,
                resend_after_s,
                expires_in_s,
                attempts_left,
                error,
            } => Screen::SmsCode {
                masked_phone,
                code_length,
                resend_after_s,
                expires_in_s,
                attempts_left,
                error: err(error),
            },
            S::ActivationMethod { methods, error } => Screen::ActivationMethod {
                methods: methods.into_iter().map(Method::from).collect(),
                error: err(error),
            },
            S::IdCheckIntro => Screen::IdCheckIntro,
            S::IdCheckSteps => Screen::IdCheckSteps,
            S::CameraAccess { denied } => Screen::CameraAccess { denied },
            S::PermissionPrompt { permission } => Screen::PermissionPrompt {
                permission: permission.into(),
            },
            S::ChooseDocument => Screen::ChooseDocument,
            S::ScanInfo { document } => Screen::ScanInfo {
                document: document.into(),
            },
            S::MrzLocation { document } => Screen::MrzLocation {
                document: document.into(),
            },
            S::MrzScan {
                document,
                feedback,
                frames,
                error,
            } => Screen::MrzScan {
                document: document.into(),
                feedback,
                frames,
                error: err(error),
            },
            S::ChipInfo { document } => Screen::ChipInfo {
                document: document.into(),
            },
            S::ChipScan {
                document,
                progress,
                hint,
            } => Screen::ChipScan {
                document: document.into(),
                progress,
                hint: match hint {
                    core::ChipHint::PlacePhone => ChipHint::PlacePhone,
                    core::ChipHint::KeepStill => ChipHint::KeepStill,
                    core::ChipHint::Verifying => ChipHint::Verifying,
                },
            },
            S::FaceInfo => Screen::FaceInfo,
            S::FaceScan => Screen::FaceScan,
            S::Activating => Screen::Activating,
            S::PasswordOffer => Screen::PasswordOffer,
            S::NewPassword {
                rules,
                violations,
                mismatch,
                visible,
                current_required,
                required,
                error,
            } => Screen::NewPassword {
                rules: rules
                    .into_iter()
                    .map(|r| PasswordRule {
                        rule: r.rule.into(),
                        met: r.met,
                    })
                    .collect(),
                violations: violations.into_iter().map(Into::into).collect(),
                mismatch,
                visible,
                current_required,
                required,
                error: err(error),
            },
            S::PasswordUpdated => Screen::PasswordUpdated,
            S::NotificationsOffer => Screen::NotificationsOffer,
            S::BiometricsOffer => Screen::BiometricsOffer,
            S::BiometricsInfo => Screen::BiometricsInfo,
            S::BiometricsSteps => Screen::BiometricsSteps,
            S::BiometricsSecurity => Screen::BiometricsSecurity,
            S::BiometricsTerms {
                terms,
                accepted,
                error,
            } => Screen::BiometricsTerms {
                terms,
                accepted,
                error: err(error),
            },
            S::Agreement {
                agreement_id,
                text,
                accepted,
                error,
            } => Screen::Agreement {
                agreement_id,
                text,
                accepted,
                error: err(error),
            },
            S::SignAgreement { error } => Screen::SignAgreement { error: err(error) },
            S::CodeUnit { error } => Screen::CodeUnit { error: err(error) },
            S::ActivationCode { feedback, error } => Screen::ActivationCode {
                feedback,
                error: err(error),
            },
            S::NetworkError { during } => Screen::NetworkError { during },
            S::Paused { cause, during } => Screen::Paused {
                cause: match cause {
                    core::PauseCause::TagLost => PauseCause::TagLost,
                },
                during,
            },
            S::Complete {
                replaced_previous_device,
            } => Screen::Complete {
                replaced_previous_device,
            },
            S::Failed { code, remedy } => Screen::Failed { code, remedy },
            S::Cancelled => Screen::Cancelled,
        }
    }
}

/// One text of a screen: its message id and the text in the chosen language.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScreenText {
    pub id: String,
    pub text: String,
}

/// A screen as the shell draws it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ScreenView {
    pub screen: Screen,
    /// The stable screen name (`sms_code`, `chip_scan`, ...).
    pub name: String,
    /// Texts by role (`title`, `body`, `button`, ...).
    pub texts: HashMap<String, ScreenText>,
    /// The actions the screen takes, by name (`continue`, `back`, ...).
    pub actions: Vec<String>,
    /// Complete, Failed or Cancelled: no action fits any more.
    pub terminal: bool,
    /// The core moves on from this screen by itself (work in progress).
    pub busy: bool,
}

impl From<core::View> for ScreenView {
    fn from(v: core::View) -> Self {
        ScreenView {
            name: v.screen.name().to_owned(),
            terminal: v.screen.is_terminal(),
            busy: v.screen.is_busy(),
            texts: v
                .texts
                .into_iter()
                .map(|(role, t)| {
                    (
                        role.to_owned(),
                        ScreenText {
                            id: t.id,
                            text: t.text,
                        },
                    )
                })
                .collect(),
            actions: v.actions.iter().map(|a| (*a).to_owned()).collect(),
            screen: v.screen.into(),
        }
    }
}
