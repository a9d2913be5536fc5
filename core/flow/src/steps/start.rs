//! Welcome, national identity number, phone, SMS code, activation method.
use serde::Serialize;

use aktiver_protocol::{
    self as proto, ChooseMethodRequest, Empty, ErrorBody, ErrorCode, Method, Sensitive,
    SessionView, StartSessionRequest, SubmitPhoneRequest, VerifySmsRequest,
};
use proto::endpoints as ep;

use super::{Halt, Machine, Out};
use crate::action::Action;
use crate::checks;
use crate::error::Failure;
use crate::screen::{FieldError, Screen};

/// A server error that belongs to the input field, with its counters.
pub(crate) fn field_from(field: &str, b: &ErrorBody) -> FieldError {
    FieldError {
        field: field.to_owned(),
        code: b.code.as_str().to_owned(),
        attempts_left: b.attempts_left,
        retry_after_s: b.retry_after_s,
    }
}

pub(crate) fn sms_screen(v: &SessionView, error: Option<FieldError>) -> Screen {
    let sms = v.sms.clone();
    Screen::SmsCode {
        masked_phone: sms
            .as_ref()
            .map(|s| s.masked_phone.clone())
            .unwrap_or_default(),
        code_length: sms.as_ref().map_or(6, |s| s.code_length),
        resend_after_s: sms.as_ref().map_or(0, |s| s.resend_after_s),
        expires_in_s: sms.as_ref().map_or(0, |s| s.expires_in_s),
        attempts_left: sms.as_ref().map_or(0, |s| s.attempts_left),
        error,
    }
}

impl Machine {
    pub(super) async fn start_step(&mut self, action: Action) -> Out {
        match (&self.screen, action) {
            (Screen::Welcome, Action::GetStarted) | (Screen::MyBankId, Action::ActivateApp) => {
                self.show(Screen::NationalId { error: None });
                Ok(())
            }
            (Screen::WelcomeBack, Action::MyBankId) => {
                self.show(Screen::MyBankId);
                Ok(())
            }
            (Screen::NationalId { .. }, Action::SubmitNationalId { value }) => {
                self.submit_national_id(&value).await
            }
            (Screen::Phone { .. }, Action::SubmitPhone { value }) => {
                self.submit_phone(&value).await
            }
            (Screen::SmsCode { .. }, Action::SubmitSmsCode { code }) => {
                self.verify_sms(&code).await
            }
            (Screen::SmsCode { .. }, Action::ResendCode) => self.resend().await,
            (Screen::ActivationMethod { .. }, Action::ChooseMethod { method }) => {
                self.choose_method(method).await
            }
            _ => Ok(()),
        }
    }

    /// A local check's verdict: the value, or (shown on the screen `on_error`
    /// makes of the field error) nothing, costing no attempt.
    fn checked<T>(
        &mut self,
        r: Result<T, FieldError>,
        on_error: impl FnOnce(FieldError) -> Screen,
    ) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.show(on_error(e));
                None
            }
        }
    }

    /// POSTs one step of the session and keeps the session view it answers.
    /// An error whose code is in `field_codes` belongs to the input `field`
    /// (`Ok(Err(..))`, shown on the same screen); any other ends the flow.
    pub(super) async fn session_step<B: Serialize>(
        &mut self,
        step: &'static str,
        endpoint: ep::Endpoint,
        body: &B,
        field: &str,
        field_codes: &[ErrorCode],
    ) -> Result<Result<(), FieldError>, Halt> {
        match self.post::<_, SessionView>(step, endpoint, body).await? {
            Ok(v) => {
                self.mem.session = Some(v);
                Ok(Ok(()))
            }
            Err(b) if field_codes.contains(&b.code) => Ok(Err(field_from(field, &b))),
            Err(b) => Err(Halt::Fail(Failure::from_code(b.code))),
        }
    }

    /// The SMS-code screen for the session as the server last described it.
    fn current_sms_screen(&self, error: Option<FieldError>) -> Screen {
        match &self.mem.session {
            Some(v) => sms_screen(v, error),
            None => Screen::Phone { error },
        }
    }

    async fn submit_national_id(&mut self, value: &Sensitive) -> Out {
        let policy = self.cfg.nin_policy;
        let Some(nin) = self.checked(checks::national_id(value.expose(), policy), |e| {
            Screen::NationalId { error: Some(e) }
        }) else {
            return Ok(());
        };
        let body = StartSessionRequest {
            national_id: Sensitive::new(nin.as_str()),
        };
        let r = self
            .session_step(
                "start",
                ep::START_SESSION,
                &body,
                "national_id",
                &[ErrorCode::InvalidNationalId],
            )
            .await?;
        match r {
            Ok(()) => {
                self.mem.nin = Some(nin);
                self.show(Screen::Phone { error: None });
            }
            Err(e) => self.show(Screen::NationalId { error: Some(e) }),
        }
        Ok(())
    }

    async fn submit_phone(&mut self, value: &Sensitive) -> Out {
        let Some(phone) = self.checked(checks::phone(value.expose()), |e| Screen::Phone {
            error: Some(e),
        }) else {
            return Ok(());
        };
        let body = SubmitPhoneRequest {
            phone: Sensitive::new(phone.as_str()),
        };
        let r = self
            .session_step(
                "phone",
                ep::SUBMIT_PHONE,
                &body,
                "phone",
                &[ErrorCode::PhoneMismatch, ErrorCode::InvalidPhone],
            )
            .await?;
        match r {
            Ok(()) => {
                let s = self.current_sms_screen(None);
                self.show(s);
            }
            Err(e) => self.show(Screen::Phone { error: Some(e) }),
        }
        Ok(())
    }

    /// A field error on the SMS-code screen, with the counters it carries.
    fn sms_error(&mut self, e: FieldError) {
        if let Screen::SmsCode {
            error,
            attempts_left,
            ..
        } = &mut self.screen
        {
            if let Some(n) = e.attempts_left {
                *attempts_left = n;
            }
            if matches!(e.code.as_str(), "sms_code_invalidated" | "sms_code_expired") {
                *attempts_left = 0;
            }
            *error = Some(e);
        }
        let s = self.screen.clone();
        self.show(s);
    }

    async fn verify_sms(&mut self, code: &Sensitive) -> Out {
        let code = match checks::digits(code.expose(), proto::SMS_CODE_LEN, "code", "code_format") {
            Ok(c) => c,
            Err(e) => {
                self.sms_error(e);
                return Ok(());
            }
        };
        let body = VerifySmsRequest {
            code: Sensitive::new(code.as_str()),
        };
        let r = self
            .session_step(
                "verify_sms",
                ep::VERIFY_SMS,
                &body,
                "code",
                &[
                    ErrorCode::SmsCodeWrong,
                    ErrorCode::SmsCodeExpired,
                    ErrorCode::SmsCodeInvalidated,
                    ErrorCode::InvalidField,
                ],
            )
            .await?;
        match r {
            Ok(()) => {
                let s = self.method_screen();
                self.show(s);
            }
            Err(e) => self.sms_error(e),
        }
        Ok(())
    }

    async fn resend(&mut self) -> Out {
        let r = self
            .session_step(
                "resend",
                ep::RESEND_SMS,
                &Empty {},
                "code",
                &[ErrorCode::ResendTooSoon, ErrorCode::RateLimited],
            )
            .await?;
        match r {
            Ok(()) => {
                let s = self.current_sms_screen(None);
                self.show(s);
            }
            Err(e) => self.sms_error(e),
        }
        Ok(())
    }

    pub(super) async fn choose_method(&mut self, method: Method) -> Out {
        let offered = self
            .mem
            .session
            .as_ref()
            .is_some_and(|s| s.methods.contains(&method));
        let r = if offered {
            let body = ChooseMethodRequest { method };
            self.session_step(
                "method",
                ep::CHOOSE_METHOD,
                &body,
                "method",
                &[ErrorCode::MethodNotOffered],
            )
            .await?
        } else {
            Err(FieldError::new("method", "method_not_offered"))
        };
        match r {
            Ok(()) => self.show(match method {
                Method::IdCheck => Screen::IdCheckIntro,
                Method::CodeUnit => Screen::CodeUnit { error: None },
                Method::ActivationCode => Screen::ActivationCode {
                    feedback: None,
                    error: None,
                },
            }),
            Err(e) => {
                let mut s = self.method_screen();
                if let Screen::ActivationMethod { error, .. } = &mut s {
                    *error = Some(e);
                }
                self.show(s);
            }
        }
        Ok(())
    }
}
