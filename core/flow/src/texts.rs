//! Screen texts with Fluent: Norwegian Bokmål, Nynorsk and English. Every
//! text has a stable message id (`<screen>-title`, `error-<code>`,
//! `failure-<code>`, `remedy-<id>`); a shell may override any message with
//! its own Fluent source, and always gets the id with the rendered text.
use std::collections::BTreeMap;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use serde::{Deserialize, Serialize};

use aktiver_protocol::{Method, PasswordViolation};

use crate::screen::{ChipHint, FieldError, Screen};

/// A language the flow speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Nb,
    Nn,
    En,
}

impl Lang {
    /// The language for a BCP 47 locale (`nb-NO`, `no`, `nn`, `en-GB`);
    /// Bokmål for anything else, as the app's users are in Norway.
    pub fn from_locale(locale: &str) -> Lang {
        let primary = locale
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "nn" => Lang::Nn,
            "en" => Lang::En,
            _ => Lang::Nb,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Nb => "nb",
            Lang::Nn => "nn",
            Lang::En => "en",
        }
    }

    fn source(self) -> &'static str {
        match self {
            Lang::Nb => include_str!("../locales/nb.ftl"),
            Lang::Nn => include_str!("../locales/nn.ftl"),
            Lang::En => include_str!("../locales/en.ftl"),
        }
    }
}

/// One rendered text and the message id it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    pub id: String,
    pub text: String,
}

/// Why texts could not be set up.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextsError {
    #[error("Fluent source does not parse ({0} errors)")]
    Syntax(usize),
    #[error("language tag")]
    Lang,
}

/// The bundle of one language, with the shell's overrides on top.
pub struct Texts {
    lang: Lang,
    bundle: FluentBundle<FluentResource>,
}

impl std::fmt::Debug for Texts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Texts").field("lang", &self.lang).finish()
    }
}

fn resource(src: &str) -> Result<FluentResource, TextsError> {
    FluentResource::try_new(src.to_owned()).map_err(|(_, e)| TextsError::Syntax(e.len()))
}

impl Texts {
    pub fn new(lang: Lang) -> Result<Self, TextsError> {
        let id: unic_langid::LanguageIdentifier =
            lang.code().parse().map_err(|_| TextsError::Lang)?;
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // Screens are plain text; no bidi isolation marks around arguments.
        bundle.set_use_isolating(false);
        bundle
            .add_resource(resource(lang.source())?)
            .map_err(|e| TextsError::Syntax(e.len()))?;
        Ok(Texts { lang, bundle })
    }

    /// Replaces the messages `ftl` defines (same ids), keeping the rest.
    pub fn with_overrides(mut self, ftl: &str) -> Result<Self, TextsError> {
        self.bundle.add_resource_overriding(resource(ftl)?);
        Ok(self)
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The message `id` with `args`, or `None` if no bundle defines it.
    pub fn message(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> Option<String> {
        let msg = self.bundle.get_message(id)?;
        let pattern = msg.value()?;
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            fa.set(*k, v.clone());
        }
        let mut errors = Vec::new();
        let s = self.bundle.format_pattern(pattern, Some(&fa), &mut errors);
        Some(s.into_owned())
    }

    fn text(&self, id: String, fallback: &str, args: &[(&str, FluentValue<'_>)]) -> Text {
        match self.message(&id, args) {
            Some(text) => Text { id, text },
            None => Text {
                text: self.message(fallback, args).unwrap_or_default(),
                id: fallback.to_owned(),
            },
        }
    }

    /// The texts of a screen by role: `title`, `body`, and where they apply
    /// `error`, `failure` and `remedy`.
    pub fn render(&self, screen: &Screen) -> BTreeMap<&'static str, Text> {
        let name = screen.name();
        let mut args: Vec<(&str, FluentValue<'_>)> = Vec::new();
        match screen {
            Screen::SmsCode {
                masked_phone,
                attempts_left,
                ..
            } => {
                args.push(("masked_phone", FluentValue::from(masked_phone.clone())));
                args.push(("attempts_left", FluentValue::from(*attempts_left)));
            }
            Screen::ChipScan { progress, .. } => {
                args.push(("progress", FluentValue::from(*progress)));
            }
            _ => {}
        }
        let mut out = BTreeMap::new();
        out.insert(
            "title",
            self.text(format!("{name}-title"), "failure-default", &args),
        );
        out.insert(
            "body",
            self.text(format!("{name}-body"), "failure-default", &args),
        );
        if let Some(e) = field_error(screen) {
            out.insert("error", self.field_error(e));
        }
        if let Screen::NewPassword {
            violations, rules, ..
        } = screen
        {
            for v in violations {
                let (role, args) = violation(*v);
                let id = format!("violation-{}", role.trim_start_matches("violation_"));
                out.insert(role, self.text(id, "failure-default", &args));
            }
            // Every rule's text under `rule_<name>`; whether it is met is in the screen data.
            for r in rules {
                let (role, args) = violation(r.rule);
                let name = role.trim_start_matches("violation_");
                out.insert(
                    rule_role(r.rule),
                    self.text(format!("violation-{name}"), "failure-default", &args),
                );
            }
        }
        self.render_data(screen, &mut out);
        if let Screen::Failed { code, remedy } = screen {
            out.insert(
                "failure",
                self.text(format!("failure-{code}"), "failure-default", &[]),
            );
            out.insert(
                "remedy",
                self.text(
                    format!("remedy-{}", remedy.trim_start_matches("remedy.")),
                    "remedy-default",
                    &[],
                ),
            );
        }
        out
    }

    /// Words for the screen's data: each offered method (`method_<method>`),
    /// the chip hint (`hint`), the camera's feedback (`feedback`).
    fn render_data(&self, screen: &Screen, out: &mut BTreeMap<&'static str, Text>) {
        match screen {
            Screen::ActivationMethod { methods, .. } => {
                for m in methods {
                    let (role, id) = match m {
                        Method::IdCheck => ("method_id_check", "method-id_check"),
                        Method::CodeUnit => ("method_code_unit", "method-code_unit"),
                        Method::ActivationCode => {
                            ("method_activation_code", "method-activation_code")
                        }
                    };
                    out.insert(role, self.text(id.to_owned(), "failure-default", &[]));
                }
            }
            Screen::ChipScan { hint, .. } => {
                let id = match hint {
                    ChipHint::PlacePhone => "chip_hint-place_phone",
                    ChipHint::KeepStill => "chip_hint-keep_still",
                    ChipHint::Verifying => "chip_hint-verifying",
                };
                out.insert("hint", self.text(id.to_owned(), "failure-default", &[]));
            }
            Screen::MrzScan {
                feedback: Some(f), ..
            }
            | Screen::ActivationCode {
                feedback: Some(f), ..
            } => {
                out.insert(
                    "feedback",
                    self.text(format!("scan_feedback-{f}"), "failure-default", &[]),
                );
            }
            _ => {}
        }
    }

    pub fn field_error(&self, e: &FieldError) -> Text {
        let mut args: Vec<(&str, FluentValue<'_>)> = Vec::new();
        if let Some(n) = e.attempts_left {
            args.push(("attempts_left", FluentValue::from(n)));
        }
        if let Some(s) = e.retry_after_s {
            args.push(("retry_after_s", FluentValue::from(s)));
        }
        self.text(format!("error-{}", e.code), "failure-default", &args)
    }
}

/// The text role of a password rule (`violation_<rule>`; its message id is
/// `violation-<rule>`) and its arguments.
fn violation(v: PasswordViolation) -> (&'static str, Vec<(&'static str, FluentValue<'static>)>) {
    use PasswordViolation as P;
    match v {
        P::TooShort { min } => ("violation_too_short", vec![("min", FluentValue::from(min))]),
        P::TooLong { max } => ("violation_too_long", vec![("max", FluentValue::from(max))]),
        P::NoLetter => ("violation_no_letter", Vec::new()),
        P::NoDigit => ("violation_no_digit", Vec::new()),
        P::ContainsBirthDate => ("violation_contains_birth_date", Vec::new()),
        P::Common => ("violation_common", Vec::new()),
        P::DigitRun { max } => ("violation_digit_run", vec![("max", FluentValue::from(max))]),
        P::KeyboardRow => ("violation_keyboard_row", Vec::new()),
    }
}

fn rule_role(v: PasswordViolation) -> &'static str {
    use PasswordViolation as P;
    match v {
        P::TooShort { .. } => "rule_too_short",
        P::TooLong { .. } => "rule_too_long",
        P::NoLetter => "rule_no_letter",
        P::NoDigit => "rule_no_digit",
        P::ContainsBirthDate => "rule_contains_birth_date",
        P::Common => "rule_common",
        P::DigitRun { .. } => "rule_digit_run",
        P::KeyboardRow => "rule_keyboard_row",
    }
}

fn field_error(screen: &Screen) -> Option<&FieldError> {
    match screen {
        Screen::NationalId { error }
        | Screen::Phone { error }
        | Screen::SmsCode { error, .. }
        | Screen::ActivationMethod { error, .. }
        | Screen::MrzScan { error, .. }
        | Screen::NewPassword { error, .. }
        | Screen::BiometricsTerms { error, .. }
        | Screen::Agreement { error, .. }
        | Screen::SignAgreement { error }
        | Screen::CodeUnit { error }
        | Screen::ActivationCode { error, .. } => error.as_ref(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_language_has_every_screen_text_and_overrides_apply() {
        let screens = [
            Screen::Welcome,
            Screen::SmsCode {
                masked_phone: "+47 ••• •• 567".into(),
                code_length: 6,
                resend_after_s: 30,
                expires_in_s: 300,
                attempts_left: 3,
                error: None,
            },
            Screen::Failed {
                code: "no_bankid".into(),
                remedy: "remedy.contact_bank".into(),
            },
        ];
        for lang in [Lang::Nb, Lang::Nn, Lang::En] {
            let t = Texts::new(lang).expect("bundle");
            for s in &screens {
                let r = t.render(s);
                assert_eq!(r["title"].id, format!("{}-title", s.name()));
                assert!(!r["body"].text.is_empty());
            }
            let sms = t.render(&screens[1]);
            assert!(sms["body"].text.contains("+47 ••• •• 567"), "{lang:?}");
            let failed = t.render(&screens[2]);
            assert_eq!(failed["remedy"].id, "remedy-contact_bank");
        }
        let t = Texts::new(Lang::En)
            .and_then(|t| t.with_overrides("welcome-title = Hello from the shell\n"))
            .expect("override");
        assert_eq!(
            t.render(&Screen::Welcome)["title"].text,
            "Hello from the shell"
        );
        let pw = Screen::NewPassword {
            rules: vec![crate::screen::PasswordRule {
                rule: PasswordViolation::KeyboardRow,
                met: true,
            }],
            violations: vec![
                PasswordViolation::TooShort { min: 8 },
                PasswordViolation::NoDigit,
            ],
            mismatch: false,
            visible: false,
            current_required: false,
            required: false,
            error: None,
        };
        let r = t.render(&pw);
        assert_eq!(r["violation_too_short"].text, "At least 8 characters.");
        assert_eq!(r["violation_no_digit"].id, "violation-no_digit");
        assert_eq!(r["rule_keyboard_row"].text, "No row of neighbouring keys.");
        assert_eq!(Lang::from_locale("nn-NO"), Lang::Nn);
        assert_eq!(Lang::from_locale("no"), Lang::Nb);
        assert_eq!(Lang::from_locale("en_GB"), Lang::En);
        assert_eq!(Lang::from_locale("se"), Lang::Nb);
    }
}

#[cfg(test)]
mod coverage {
    use super::*;

    /// Every message id the English bundle defines, which is the list the
    /// other languages must match.
    fn ids(src: &str) -> Vec<String> {
        src.lines()
            .filter(|l| !l.starts_with('#') && l.contains(" = "))
            .filter_map(|l| l.split(" = ").next().map(str::to_owned))
            .collect()
    }

    #[test]
    fn every_language_defines_the_same_messages() {
        let en = ids(Lang::En.source());
        assert_eq!(ids(Lang::Nb.source()), en);
        assert_eq!(ids(Lang::Nn.source()), en);
    }

    #[test]
    fn every_screen_and_every_remedy_has_text_in_every_language() {
        let names = [
            "welcome",
            "welcome_back",
            "my_bankid",
            "national_id",
            "phone",
            "sms_code",
            "activation_method",
            "id_check_intro",
            "id_check_steps",
            "camera_access",
            "permission_prompt",
            "choose_document",
            "scan_info",
            "mrz_location",
            "mrz_scan",
            "chip_info",
            "chip_scan",
            "face_info",
            "face_scan",
            "activating",
            "password_offer",
            "new_password",
            "password_updated",
            "notifications_offer",
            "biometrics_offer",
            "biometrics_info",
            "biometrics_steps",
            "biometrics_security",
            "biometrics_terms",
            "agreement",
            "sign_agreement",
            "code_unit",
            "activation_code",
            "network_error",
            "paused",
            "complete",
            "failed",
            "cancelled",
        ];
        for lang in [Lang::Nb, Lang::Nn, Lang::En] {
            let t = Texts::new(lang).expect("bundle");
            for n in names {
                assert!(
                    t.message(&format!("{n}-title"), &[]).is_some(),
                    "{lang:?} {n}"
                );
                assert!(
                    t.message(&format!("{n}-body"), &[]).is_some(),
                    "{lang:?} {n}"
                );
            }
            for code in aktiver_protocol::ErrorCode::ALL {
                let id = format!("remedy-{}", code.remedy_id().trim_start_matches("remedy."));
                assert!(t.message(&id, &[]).is_some(), "{lang:?} {id}");
            }
        }
    }
}
