//! What the user did. Inputs are taken as people type them; values that are
//! personal data or secrets are [`Sensitive`]: redacted in `Debug`, zeroized
//! on drop.
use serde::{Deserialize, Serialize};

use aktiver_protocol::{DocumentKind, Method, Sensitive};

/// One user action. The serde tag `action` is the stable name
/// ([`Action::name`]), as scenarios and shells spell it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Welcome: "Get started".
    GetStarted,
    /// Welcome, returning users: the "My BankID" tab.
    #[serde(rename = "my_bankid")]
    MyBankId,
    /// My BankID: "Activate app".
    ActivateApp,
    SubmitNationalId {
        value: Sensitive,
    },
    SubmitPhone {
        value: Sensitive,
    },
    SubmitSmsCode {
        code: Sensitive,
    },
    ResendCode,
    ChooseMethod {
        method: Method,
    },
    ChooseDocument {
        document: DocumentKind,
    },
    SubmitCodeUnit {
        otp: Sensitive,
        password: Sensitive,
    },
    /// The eight digits, or the QR code's text.
    SubmitActivationCode {
        code: Sensitive,
    },
    /// Live feedback while typing the new password: no network, no attempt.
    DraftPassword {
        password: Sensitive,
        repeat: Sensitive,
    },
    SubmitNewPassword {
        password: Sensitive,
        repeat: Sensitive,
        /// Needed only when the screen says `current_required`.
        #[serde(default)]
        current: Option<Sensitive>,
    },
    /// The eye icon.
    SetPasswordVisible {
        visible: bool,
    },
    /// A checkbox (terms, agreement).
    SetAccepted {
        accepted: bool,
    },
    SignAgreement {
        password: Sensitive,
    },
    /// The affirmative button of the screen: continue, I have everything,
    /// perform ID check, update, allow, activate, approve, next.
    Continue,
    /// Decline an offer (password, notifications, biometrics).
    NotNow,
    /// Run the step the network failed on again.
    Retry,
    Back,
    Cancel,
}

impl Action {
    /// The stable action name (the serde tag).
    pub fn name(&self) -> &'static str {
        match self {
            Action::GetStarted => "get_started",
            Action::MyBankId => "my_bankid",
            Action::ActivateApp => "activate_app",
            Action::SubmitNationalId { .. } => "submit_national_id",
            Action::SubmitPhone { .. } => "submit_phone",
            Action::SubmitSmsCode { .. } => "submit_sms_code",
            Action::ResendCode => "resend_code",
            Action::ChooseMethod { .. } => "choose_method",
            Action::ChooseDocument { .. } => "choose_document",
            Action::SubmitCodeUnit { .. } => "submit_code_unit",
            Action::SubmitActivationCode { .. } => "submit_activation_code",
            Action::DraftPassword { .. } => "draft_password",
            Action::SubmitNewPassword { .. } => "submit_new_password",
            Action::SetPasswordVisible { .. } => "set_password_visible",
            Action::SetAccepted { .. } => "set_accepted",
            Action::SignAgreement { .. } => "sign_agreement",
            Action::Continue => "continue",
            Action::NotNow => "not_now",
            Action::Retry => "retry",
            Action::Back => "back",
            Action::Cancel => "cancel",
        }
    }
}
