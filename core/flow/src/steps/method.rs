//! The code-unit and activation-code paths, and Activating: the device key
//! bound to the session once the person qualified (any path).
use zeroize::Zeroizing;

use aktiver_protocol::{
    self as proto, ActivationCodeRequest, ChallengeResponse, CodeUnitRequest, Empty, ErrorCode,
    KeyRegistration, Sensitive, SessionView, decode_b64, encode_b64,
};
use aktiver_scan::{LumaFrame, Rotation};
use proto::endpoints as ep;

use super::start::field_from;
use super::{DEVICE_KEY, Halt, Machine, Out};
use crate::action::Action;
use crate::checks;
use crate::error::Failure;
use crate::screen::{FieldError, Screen};

impl Machine {
    pub(super) async fn method_step(&mut self, action: Action) -> Out {
        match (&self.screen, action) {
            (Screen::CodeUnit { .. }, Action::SubmitCodeUnit { otp, password }) => {
                self.code_unit(&otp, &password).await
            }
            (Screen::ActivationCode { .. }, Action::SubmitActivationCode { code }) => {
                self.activation_code(&code, None).await
            }
            _ => Ok(()),
        }
    }

    async fn code_unit(&mut self, otp: &Sensitive, password: &Sensitive) -> Out {
        let otp = match checks::digits(otp.expose(), 6, "otp", "code_format") {
            Ok(o) => o,
            Err(e) => {
                self.show(Screen::CodeUnit { error: Some(e) });
                return Ok(());
            }
        };
        if password.expose().is_empty() {
            self.show(Screen::CodeUnit {
                error: Some(FieldError::new("password", "password_empty")),
            });
            return Ok(());
        }
        let body = CodeUnitRequest {
            otp: Sensitive::new(otp.as_str()),
            password: password.clone(),
        };
        match self
            .post::<_, SessionView>("code_unit", ep::CODE_UNIT, &body)
            .await?
        {
            Ok(v) => {
                self.mem.session = Some(v);
                self.mem.current_password = Some(Zeroizing::new(password.expose().to_owned()));
                self.activate().await
            }
            Err(b) if matches!(b.code, ErrorCode::OtpWrong | ErrorCode::InvalidField) => {
                self.show(Screen::CodeUnit {
                    error: Some(field_from("otp", &b)),
                });
                Ok(())
            }
            Err(b) if b.code == ErrorCode::PasswordWrong => {
                self.show(Screen::CodeUnit {
                    error: Some(field_from("password", &b)),
                });
                Ok(())
            }
            Err(b) => Err(Halt::Fail(Failure::from_code(b.code))),
        }
    }

    /// A camera frame on the activation-code screen: once a frame holds the
    /// online bank's QR code, its text goes the way of a typed code.
    pub(super) async fn activation_qr_frame(
        &mut self,
        luma: Vec<u8>,
        width: u32,
        height: u32,
        row_stride: u32,
        rotation: Rotation,
    ) -> &'static str {
        let before = self.screen.clone();
        let found = self
            .blocking(move || {
                // The frame shows a one-time secret: wiped once scanned.
                let luma = Zeroizing::new(luma);
                LumaFrame::new(&luma, width, height, row_stride, rotation)
                    .ok()
                    .map(|f| aktiver_scan::qr::scan_qr(&f).map(|c| c.into_text()))
            })
            .await;
        match found {
            Err(h) => {
                self.settle(Err(h), before, Action::Continue);
                "no_qr"
            }
            Ok(None) => "bad_frame",
            Ok(Some(None)) => {
                self.show(Screen::ActivationCode {
                    feedback: Some("no_qr".to_owned()),
                    error: None,
                });
                "no_qr"
            }
            Ok(Some(Some(text))) => {
                let code = Sensitive::new(text.as_str());
                let r = self.activation_code(&code, Some("qr_read")).await;
                // A retry after a network failure submits the code read.
                self.settle(r, before, Action::SubmitActivationCode { code });
                "qr_read"
            }
        }
    }

    async fn activation_code(&mut self, code: &Sensitive, feedback: Option<&str>) -> Out {
        let feedback = feedback.map(str::to_owned);
        let code = match checks::activation_code(code.expose()) {
            Ok(c) => c,
            Err(e) => {
                self.show(Screen::ActivationCode {
                    feedback,
                    error: Some(e),
                });
                return Ok(());
            }
        };
        let body = ActivationCodeRequest {
            code: Sensitive::new(code.as_str()),
        };
        let r = self
            .session_step(
                "activation_code",
                ep::ACTIVATION_CODE,
                &body,
                "code",
                &[ErrorCode::ActivationCodeInvalid, ErrorCode::InvalidField],
            )
            .await?;
        match r {
            Ok(()) => self.activate().await,
            Err(e) => {
                self.show(Screen::ActivationCode {
                    feedback,
                    error: Some(e),
                });
                Ok(())
            }
        }
    }

    /// A fresh challenge from the server, signed with the key `alias`.
    pub(super) async fn prove_key(
        &mut self,
        step: &'static str,
        alias: &'static str,
        spki: Vec<u8>,
    ) -> Result<KeyRegistration, Halt> {
        let ch = match self
            .post::<_, ChallengeResponse>(step, ep::CHALLENGE, &Empty {})
            .await?
        {
            Ok(c) => c,
            Err(b) => return Err(Halt::Fail(Failure::from_code(b.code))),
        };
        let challenge = decode_b64("challenge_b64", &ch.challenge_b64)
            .map_err(|_| Halt::Fail(Failure::UNEXPECTED_ANSWER))?;
        let sig = self
            .sign_with(alias, challenge)
            .await?
            .map_err(|_| Halt::Fail(Failure::DEVICE_KEY_FAILED))?;
        Ok(KeyRegistration {
            public_key_spki_b64: encode_b64(&spki),
            signature_b64: encode_b64(&sig),
        })
    }

    /// Step 18: binds a new device key to the session (after the ID check's
    /// evidence, when that is the path), then offers the password change.
    pub(super) async fn activate(&mut self) -> Out {
        self.show(Screen::Activating);
        if self.mem.chip.is_some() {
            self.submit_evidence().await?;
        }
        let spki = self
            .create_key(DEVICE_KEY, false)
            .await?
            .map_err(|_| Halt::Fail(Failure::DEVICE_KEY_FAILED))?;
        let reg = self.prove_key("device_challenge", DEVICE_KEY, spki).await?;
        match self
            .post::<_, SessionView>("device", ep::REGISTER_DEVICE, &reg)
            .await?
        {
            Ok(v) => {
                self.mem.session = Some(v);
                self.show(Screen::PasswordOffer);
                Ok(())
            }
            Err(b) => Err(Halt::Fail(Failure::from_code(b.code))),
        }
    }
}
