//! Welcome, national identity number, phone, SMS code, activation method.
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
            (Screen::Welcome, Action::GetStarted | Action::ActivateApp) => {
                self.show(Screen::NationalId { error: None });
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

    async fn submit_national_id(&mut self, value: &Sensitive) -> Out {
        let nin = match checks::national_id(value.expose(), self.cfg.nin_policy) {
            Ok(n) => n,
            Err(e) => {
                self.show(Screen::NationalId { error: Some(e) });
                return Ok(());
            }
        };
        let body = StartSessionRequest {
            national_id: Sensitive::new(nin.as_str()),
        };
        match self
            .post::<_, SessionView>("start", ep::START_SESSION, &body)
            .await?
        {
            Ok(v) => {
                self.mem.nin = Some(nin);
                self.mem.session = Some(v);
                self.show(Screen::Phone { error: None });
                Ok(())
            }
            Err(b) if b.code == ErrorCode::InvalidNationalId => {
                self.show(Screen::NationalId {
                    error: Some(field_from("national_id", &b)),
                });
                Ok(())
            }
            Err(b) => Err(Halt::Fail(Failure::from_code(b.code))),
        }
    }

    async fn submit_phone(&mut self, value: &Sensitive) -> Out {
        let phone = match checks::phone(value.expose()) {
            Ok(p) => p,
            Err(e) => {
                self.show(Screen::Phone { error: Some(e) });
                return Ok(());
            }
        };
        let body = SubmitPhoneRequest {
            phone: Sensitive::new(phone.as_str()),
        };
        match self
            .post::<_, SessionView>("phone", ep::SUBMIT_PHONE, &body)
            .await?
        {
            Ok(v) => {
                let s = sms_screen(&v, None);
                self.mem.session = Some(v);
                self.show(s);
                Ok(())
            }
            Err(b) if matches!(b.code, ErrorCode::PhoneMismatch | ErrorCode::InvalidPhone) => {
                self.show(Screen::Phone {
                    error: Some(field_from("phone", &b)),
                });
                Ok(())
            }
            Err(b) => Err(Halt::Fail(Failure::from_code(b.code))),
        }
    }

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
        match self
            .post::<_, SessionView>("verify_sms", ep::VERIFY_SMS, &body)
            .await?
        {
            Ok(v) => {
                self.mem.session = Some(v);
                let s = self.method_screen();
                self.show(s);
                Ok(())
            }
            Err(b)
                if matches!(
                    b.code,
                    ErrorCode::SmsCodeWrong
                        | ErrorCode::SmsCodeExpired
                        | ErrorCode::SmsCodeInvalidated
                        | ErrorCode::InvalidField
                ) =>
            {
                self.sms_error(field_from("code", &b));
                Ok(())
            }
            Err(b) => Err(Halt::Fail(Failure::from_code(b.code))),
        }
    }

    async fn resend(&mut self) -> Out {
        match self
            .post::<_, SessionView>("resend", ep::RESEND_SMS, &Empty {})
            .await?
        {
            Ok(v) => {
                let s = sms_screen(&v, None);
                self.mem.session = Some(v);
                self.show(s);
                Ok(())
            }
            Err(b) if matches!(b.code, ErrorCode::ResendTooSoon | ErrorCode::RateLimited) => {
                self.sms_error(field_from("code", &b));
                Ok(())
            }
            Err(b) => Err(Halt::Fail(Failure::from_code(b.code))),
        }
    }

    pub(super) async fn choose_method(&mut self, method: Method) -> Out {
        let offered = self
            .mem
            .session
            .as_ref()
            .is_some_and(|s| s.methods.contains(&method));
        if !offered {
            let mut s = self.method_screen();
            if let Screen::ActivationMethod { error, .. } = &mut s {
                *error = Some(FieldError::new("method", "method_not_offered"));
            }
            self.show(s);
            return Ok(());
        }
        let body = ChooseMethodRequest { method };
        match self
            .post::<_, SessionView>("method", ep::CHOOSE_METHOD, &body)
            .await?
        {
            Ok(v) => {
                self.mem.session = Some(v);
                self.show(match method {
                    Method::IdCheck => Screen::IdCheckIntro,
                    Method::CodeUnit => Screen::CodeUnit { error: None },
                    Method::ActivationCode => Screen::ActivationCode { error: None },
                });
                Ok(())
            }
            Err(b) if b.code == ErrorCode::MethodNotOffered => {
                let mut s = self.method_screen();
                if let Screen::ActivationMethod { error, .. } = &mut s {
                    *error = Some(field_from("method", &b));
                }
                self.show(s);
                Ok(())
            }
            Err(b) => Err(Halt::Fail(Failure::from_code(b.code))),
        }
    }
}
