//! The user's actions as one uniffi enum, mirroring `aktiver_flow::Action`.
//! Typed values (identity number, phone, codes, passwords) are personal data
//! or secrets: the `Debug` below (also Kotlin's `toString` and Swift's
//! `debugDescription`) shows only the action's name, and the core wraps them
//! in its zeroizing `Sensitive` at once.
use aktiver_flow as core;
use aktiver_protocol::Sensitive;

use crate::screens::{IdDocument, Method};

#[derive(Clone, PartialEq, Eq, uniffi::Enum)]
#[uniffi::export(Debug)]
pub enum Action {
    /// Welcome: "Get started".
    GetStarted,
    /// Welcome, returning users: the "My BankID" tab.
    MyBankId,
    /// My BankID: "Activate app".
    ActivateApp,
    SubmitNationalId {
        value: String,
    },
    SubmitPhone {
        value: String,
    },
    SubmitSmsCode {
        code: String,
    },
    ResendCode,
    ChooseMethod {
        method: Method,
    },
    ChooseDocument {
        document: IdDocument,
    },
    SubmitCodeUnit {
        otp: String,
        password: String,
    },
    /// The eight digits, or the QR code's text.
    SubmitActivationCode {
        code: String,
    },
    /// Live feedback while typing the new password (no network).
    DraftPassword {
        password: String,
        repeat: String,
    },
    SubmitNewPassword {
        password: String,
        repeat: String,
        /// Only when the screen says `current_required`.
        current: Option<String>,
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
        password: String,
    },
    /// The screen's affirmative button.
    Continue,
    /// Decline an offer (password, notifications, biometrics).
    NotNow,
    /// Run the step the network failed on again.
    Retry,
    Back,
    Cancel,
}

impl Action {
    /// The stable action name, as `ScreenView.actions` lists them.
    pub fn name(&self) -> &'static str {
        core::Action::from(self.clone()).name()
    }
}

impl std::fmt::Debug for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Action({})", self.name())
    }
}

/// The stable name of an action, for shells that build buttons from
/// `ScreenView.actions`.
#[uniffi::export]
pub fn action_name(action: Action) -> String {
    action.name().to_owned()
}

fn s(v: String) -> Sensitive {
    Sensitive::new(v)
}

impl From<Action> for core::Action {
    fn from(a: Action) -> Self {
        use core::Action as A;
        match a {
            Action::GetStarted => A::GetStarted,
            Action::MyBankId => A::MyBankId,
            Action::ActivateApp => A::ActivateApp,
            Action::SubmitNationalId { value } => A::SubmitNationalId { value: s(value) },
            Action::SubmitPhone { value } => A::SubmitPhone { value: s(value) },
            Action::SubmitSmsCode { code } => A::SubmitSmsCode { code: s(code) },
            Action::ResendCode => A::ResendCode,
            Action::ChooseMethod { method } => A::ChooseMethod {
                method: method.into(),
            },
            Action::ChooseDocument { document } => A::ChooseDocument {
                document: document.into(),
            },
            Action::SubmitCodeUnit { otp, password } => A::SubmitCodeUnit {
                otp: s(otp),
                password: s(password),
            },
            Action::SubmitActivationCode { code } => A::SubmitActivationCode { code: s(code) },
            Action::DraftPassword { password, repeat } => A::DraftPassword {
                password: s(password),
                repeat: s(repeat),
            },
            Action::SubmitNewPassword {
                password,
                repeat,
                current,
            } => A::SubmitNewPassword {
                password: s(password),
                repeat: s(repeat),
                current: current.map(s),
            },
            Action::SetPasswordVisible { visible } => A::SetPasswordVisible { visible },
            Action::SetAccepted { accepted } => A::SetAccepted { accepted },
            Action::SignAgreement { password } => A::SignAgreement {
                password: s(password),
            },
            Action::Continue => A::Continue,
            Action::NotNow => A::NotNow,
            Action::Retry => A::Retry,
            Action::Back => A::Back,
            Action::Cancel => A::Cancel,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_the_name_not_the_value() {
        let a = Action::SubmitNationalId {
            value: "15859010099".into(),
        };
        assert_eq!(format!("{a:?}"), "Action(submit_national_id)");
        let p = Action::SignAgreement {
            password: "Fjell8Bekk3".into(),
        };
        assert!(!format!("{p:?}").contains("Fjell"));
        assert_eq!(Action::Continue.name(), "continue");
    }
}
