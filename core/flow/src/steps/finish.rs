//! After qualifying: password, notifications, biometrics, the agreement and
//! signing it.
use sha2::{Digest, Sha256};

use aktiver_protocol::{
    self as proto, Agreement, ErrorCode, PushTokenRequest, Sensitive, SessionView,
    SetPasswordRequest, SignAgreementRequest, decode_b64, encode_b64,
};
use proto::endpoints as ep;

use super::start::field_from;
use super::{BIOMETRIC_KEY, DEVICE_KEY, Halt, Machine, Out};
use crate::action::Action;
use crate::checks::{self, PasswordFeedback};
use crate::error::Failure;
use crate::screen::{FieldError, Permission, Screen};

/// The terms of BankID biometrics, shown with the checkbox (step 28).
pub(crate) const BIOMETRIC_TERMS: &str = "BankID biometrics lets you confirm logins and signatures with the biometrics of this phone instead of your password where the service allows it. Anyone whose biometrics unlock this phone can then use your BankID: register only your own. You can turn biometrics off in the app at any time.";

impl Machine {
    /// Nothing typed yet: every rule listed, none flagged as broken.
    fn empty_draft(&self) -> PasswordFeedback {
        PasswordFeedback {
            violations: Vec::new(),
            ..checks::password("", "", &self.password_context())
        }
    }

    fn new_password_screen(&self, feedback: PasswordFeedback, error: Option<FieldError>) -> Screen {
        Screen::NewPassword {
            rules: feedback.rules,
            violations: feedback.violations,
            mismatch: feedback.mismatch,
            visible: self.mem.password_visible,
            current_required: self.method() == Some(proto::Method::CodeUnit)
                && self.mem.current_password.is_none(),
            required: self.mem.password_required,
            error,
        }
    }

    pub(super) async fn finish_step(&mut self, action: Action) -> Out {
        match (&self.screen, action) {
            (Screen::Activating, Action::Continue) => return self.activate().await,
            (Screen::PasswordOffer, Action::Continue) => {
                let s = self.new_password_screen(self.empty_draft(), None);
                self.show(s);
            }
            (Screen::PasswordOffer, Action::NotNow) => self.show(Screen::NotificationsOffer),
            (Screen::NewPassword { .. }, Action::NotNow) => self.show(Screen::NotificationsOffer),
            (Screen::NewPassword { .. }, Action::SetPasswordVisible { visible }) => {
                self.mem.password_visible = visible;
                if let Screen::NewPassword { visible: v, .. } = &mut self.screen {
                    *v = visible;
                }
                let s = self.screen.clone();
                self.show(s);
            }
            (Screen::NewPassword { .. }, Action::DraftPassword { password, repeat }) => {
                let f =
                    checks::password(password.expose(), repeat.expose(), &self.password_context());
                let s = self.new_password_screen(f, None);
                self.show(s);
            }
            (
                Screen::NewPassword { .. },
                Action::SubmitNewPassword {
                    password,
                    repeat,
                    current,
                },
            ) => {
                return self
                    .set_password(&password, &repeat, current.as_ref())
                    .await;
            }
            (Screen::PasswordUpdated, Action::Continue) => {
                // A password set because signing needed one: back to signing.
                if self.mem.password_required {
                    self.mem.password_required = false;
                    self.show(Screen::SignAgreement { error: None });
                } else {
                    self.show(Screen::NotificationsOffer);
                }
            }
            (Screen::NotificationsOffer, Action::Continue) => return self.notifications().await,
            (Screen::NotificationsOffer, Action::NotNow) => self.show(Screen::BiometricsOffer),
            (Screen::BiometricsOffer, Action::Continue) => self.show(Screen::BiometricsInfo),
            (Screen::BiometricsOffer, Action::NotNow) => return self.show_agreement().await,
            (Screen::BiometricsInfo, Action::Continue) => self.show(Screen::BiometricsSteps),
            (Screen::BiometricsSteps, Action::Continue) => self.show(Screen::BiometricsSecurity),
            (Screen::BiometricsSecurity, Action::Continue) => {
                self.mem.terms_accepted = false;
                self.show(Screen::BiometricsTerms {
                    terms: BIOMETRIC_TERMS.to_owned(),
                    accepted: false,
                    error: None,
                });
            }
            (Screen::BiometricsTerms { .. }, Action::SetAccepted { accepted }) => {
                self.mem.terms_accepted = accepted;
                self.show(Screen::BiometricsTerms {
                    terms: BIOMETRIC_TERMS.to_owned(),
                    accepted,
                    error: None,
                });
            }
            (Screen::BiometricsTerms { .. }, Action::Continue) => {
                if !self.mem.terms_accepted {
                    self.show(Screen::BiometricsTerms {
                        terms: BIOMETRIC_TERMS.to_owned(),
                        accepted: false,
                        error: Some(FieldError::new("accepted", "not_accepted")),
                    });
                    return Ok(());
                }
                return self.biometrics().await;
            }
            (Screen::Agreement { .. }, Action::SetAccepted { accepted }) => {
                self.mem.agreement_accepted = accepted;
                let s = self.agreement_screen(None);
                self.show(s);
            }
            (Screen::Agreement { .. }, Action::Continue) => {
                if !self.mem.agreement_accepted {
                    let s =
                        self.agreement_screen(Some(FieldError::new("accepted", "not_accepted")));
                    self.show(s);
                    return Ok(());
                }
                self.show(Screen::SignAgreement { error: None });
            }
            (Screen::SignAgreement { .. }, Action::SignAgreement { password }) => {
                return self.sign(&password).await;
            }
            _ => {}
        }
        Ok(())
    }

    async fn set_password(
        &mut self,
        new: &Sensitive,
        repeat: &Sensitive,
        current: Option<&Sensitive>,
    ) -> Out {
        let f = checks::password(new.expose(), repeat.expose(), &self.password_context());
        if f.mismatch || !f.violations.is_empty() {
            let code = if f.mismatch {
                "password_mismatch"
            } else {
                "password_policy"
            };
            let s = self.new_password_screen(f, Some(FieldError::new("new_password", code)));
            self.show(s);
            return Ok(());
        }
        let current = match (self.method(), &self.mem.current_password, current) {
            (Some(proto::Method::CodeUnit), Some(held), _) => Some(Sensitive::new(held.as_str())),
            (Some(proto::Method::CodeUnit), None, Some(given)) => Some(given.clone()),
            _ => None,
        };
        let body = SetPasswordRequest {
            new_password: new.clone(),
            current_password: current,
        };
        match self
            .post::<_, SessionView>("password", ep::SET_PASSWORD, &body)
            .await?
        {
            Ok(v) => {
                self.mem.session = Some(v);
                self.mem.current_password = None;
                self.show(Screen::PasswordUpdated);
                Ok(())
            }
            Err(b) if b.code == ErrorCode::PasswordPolicy => {
                let f = PasswordFeedback::from_violations(
                    b.violations.clone(),
                    &self.password_context(),
                );
                let s = self.new_password_screen(f, Some(field_from("new_password", &b)));
                self.show(s);
                Ok(())
            }
            Err(b) if matches!(b.code, ErrorCode::PasswordWrong | ErrorCode::InvalidField) => {
                let s = self.new_password_screen(
                    self.empty_draft(),
                    Some(field_from("current_password", &b)),
                );
                self.show(s);
                Ok(())
            }
            Err(b) => Err(Halt::Fail(Failure::from_code(b.code))),
        }
    }

    /// Steps 22-23: the OS prompt, then the push token to the server.
    async fn notifications(&mut self) -> Out {
        self.show(Screen::PermissionPrompt {
            permission: Permission::Notifications,
        });
        let p = self.caps.permissions.clone();
        let granted = self
            .blocking(move || p.request(Permission::Notifications))
            .await?;
        if granted {
            let push = self.caps.push.clone();
            if let Ok((platform, token)) = self.blocking(move || push.token()).await? {
                let body = PushTokenRequest {
                    platform,
                    token: Sensitive::new(token),
                };
                match self
                    .post::<_, SessionView>("push", ep::PUSH_TOKEN, &body)
                    .await?
                {
                    Ok(v) => self.mem.session = Some(v),
                    Err(b) => return Err(Halt::Fail(Failure::from_code(b.code))),
                }
            }
        }
        self.show(Screen::BiometricsOffer);
        Ok(())
    }

    /// Step 29: the biometric key (the OS prompt guards its creation and
    /// use), proved on a fresh challenge and registered.
    async fn biometrics(&mut self) -> Out {
        self.show(Screen::PermissionPrompt {
            permission: Permission::Biometrics,
        });
        let p = self.caps.permissions.clone();
        let granted = self
            .blocking(move || p.request(Permission::Biometrics))
            .await?;
        if granted {
            let spki = self
                .create_key(BIOMETRIC_KEY, true)
                .await?
                .map_err(|_| Halt::Fail(Failure::DEVICE_KEY_FAILED))?;
            let reg = self
                .prove_key("biometric_challenge", BIOMETRIC_KEY, spki)
                .await?;
            match self
                .post::<_, SessionView>("biometric", ep::BIOMETRIC_KEY, &reg)
                .await?
            {
                Ok(v) => self.mem.session = Some(v),
                Err(b) => return Err(Halt::Fail(Failure::from_code(b.code))),
            }
        }
        self.show_agreement().await
    }

    /// Step 30: fetches the current agreement and shows it.
    pub(super) async fn show_agreement(&mut self) -> Out {
        let a: Agreement = match self.get(ep::GET_AGREEMENT.path).await? {
            Ok(a) => a,
            Err(b) => return Err(Halt::Fail(Failure::from_code(b.code))),
        };
        self.mem.agreement = Some(a);
        self.mem.agreement_accepted = false;
        let s = self.agreement_screen(None);
        self.show(s);
        Ok(())
    }

    /// Step 31: the device key signs the agreement's SHA-256; the password
    /// goes along. Step 32 on success.
    async fn sign(&mut self, password: &Sensitive) -> Out {
        if password.expose().is_empty() {
            self.show(Screen::SignAgreement {
                error: Some(FieldError::new("password", "password_empty")),
            });
            return Ok(());
        }
        let Some(a) = self.mem.agreement.clone() else {
            return self.show_agreement().await;
        };
        let digest = decode_b64("sha256_b64", &a.sha256_b64)
            .map_err(|_| Halt::Fail(Failure::UNEXPECTED_ANSWER))?;
        // The text shown must be the text signed.
        if Sha256::digest(a.text.as_bytes()).as_slice() != digest.as_slice() {
            return Err(Halt::Fail(Failure::UNEXPECTED_ANSWER));
        }
        let sig = self
            .sign_with(DEVICE_KEY, digest)
            .await?
            .map_err(|_| Halt::Fail(Failure::DEVICE_KEY_FAILED))?;
        let body = SignAgreementRequest {
            agreement_id: a.id.clone(),
            signature_b64: encode_b64(&sig),
            password: password.clone(),
        };
        match self
            .post::<_, SessionView>("sign", ep::SIGN_AGREEMENT, &body)
            .await?
        {
            Ok(v) => {
                let replaced = v.replaced_previous_device;
                self.mem = super::Memory::default();
                self.show(Screen::Complete {
                    replaced_previous_device: replaced,
                });
                Ok(())
            }
            Err(b) if matches!(b.code, ErrorCode::PasswordWrong) => {
                self.show(Screen::SignAgreement {
                    error: Some(field_from("password", &b)),
                });
                Ok(())
            }
            Err(b) if b.code == ErrorCode::AgreementOutdated => self.show_agreement().await,
            // No password yet (a person who never had one): set it first.
            Err(b)
                if b.code == ErrorCode::WrongStep
                    && self.mem.session.as_ref().is_some_and(|s| !s.password_set) =>
            {
                self.mem.password_required = true;
                let s = self.new_password_screen(self.empty_draft(), None);
                self.show(s);
                Ok(())
            }
            Err(b) => Err(Halt::Fail(Failure::from_code(b.code))),
        }
    }
}
