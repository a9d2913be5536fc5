//! What the terminal prints for a screen, the numbered choices it offers
//! there, and the values it asks for an action.
use std::io::BufRead;

use aktiver_flow::{Action, Screen, View};
use aktiver_protocol::{DocumentKind, Sensitive};

use super::{Choice, Term, ask};
use crate::sim::faults::Fault;
use crate::sim::labels::label;
use crate::sim::{QrShot, World, chip_steps};

impl Term {
    /// The screen: name, texts, and what the tester needs beside it.
    pub(super) fn show(&self, rt: &tokio::runtime::Runtime, w: &mut World, view: &View) {
        println!();
        println!("== {} ==", view.screen.name());
        for role in ["title", "body"] {
            if let Some(t) = view.texts.get(role) {
                println!("{}", t.text);
            }
        }
        for (role, t) in &view.texts {
            if !matches!(*role, "title" | "body") && !role.starts_with("rule_") {
                println!("  [{role}] {}", t.text);
            }
        }
        if let Screen::NewPassword { rules, .. } = &view.screen {
            for r in rules {
                let role = serde_json::to_value(r.rule)
                    .ok()
                    .and_then(|v| v["rule"].as_str().map(|n| format!("rule_{n}")))
                    .unwrap_or_default();
                if let Some(t) = view.texts.get(role.as_str()) {
                    println!("  [{}] {}", if r.met { "x" } else { " " }, t.text);
                }
            }
        }
        match &view.screen {
            Screen::SmsCode { .. } => {
                let sms = rt.block_on(w.sandbox.sms_code(&w.person.phone));
                match sms {
                    Some(code) => println!("  SMS inbox ({}): code {code}", w.person.phone),
                    None => println!("  SMS inbox ({}): empty", w.person.phone),
                }
            }
            Screen::Agreement { text, accepted, .. } => {
                println!("  | {text}");
                println!("  accepted: {accepted}");
            }
            Screen::BiometricsTerms {
                terms, accepted, ..
            } => {
                println!("  | {terms}");
                println!("  accepted: {accepted}");
            }
            Screen::MrzScan {
                feedback, frames, ..
            } => {
                println!(
                    "  camera: {frames} frame(s), feedback {}",
                    feedback.as_deref().unwrap_or("-")
                );
            }
            Screen::FaceInfo => {
                let steps = chip_steps::steps(&w.phone.nfc.headers());
                let (link_us, apdus) = w.phone.nfc.simulated();
                println!(
                    "  chip: read and verified ({apdus} commands, {} ms on the link)",
                    link_us / 1000
                );
                for s in chip_steps::with_results(steps, chip_steps::Outcome::Verified) {
                    println!(
                        "    {:<24} {:>4} commands  {}",
                        s.step, s.commands, s.result
                    );
                }
                if let Some(p) = &w.portrait {
                    println!("  portrait: {} bytes ({})", p.bytes.len(), p.mime);
                }
            }
            Screen::Failed { code, .. } => {
                println!("  failure code: {code}");
                let steps = chip_steps::steps(&w.phone.nfc.headers());
                if steps.iter().any(|s| s.commands > 0) {
                    println!("  chip:");
                    for s in chip_steps::with_results(steps, chip_steps::Outcome::Failed(code)) {
                        println!(
                            "    {:<24} {:>4} commands  {}",
                            s.step, s.commands, s.result
                        );
                    }
                }
            }
            Screen::CodeUnit { .. } => match w.sandbox.code_unit_otp(&w.person.national_id) {
                Some(otp) => println!("  code unit shows: {otp}"),
                None => println!("  (this person has no code unit)"),
            },
            Screen::Complete {
                replaced_previous_device,
            } => println!("  replaced a previous device: {replaced_previous_device}"),
            _ => {}
        }
        if !w.relay.is_up() {
            println!("  (the network is down)");
        }
    }

    pub(super) fn choices(&self, w: &World, view: &View) -> Vec<(String, Choice)> {
        let l = |k: &str| label(self.lang, k);
        let mut out: Vec<(String, Choice)> = Vec::new();
        if let Screen::MrzScan { .. } = view.screen {
            out.push((l("film"), Choice::Film { until_read: false }));
            out.push((l("film_until_read"), Choice::Film { until_read: true }));
        }
        if let Screen::ActivationCode { .. } = view.screen {
            out.push((l("film_qr"), Choice::FilmQr(QrShot::Bank)));
            out.push((l("film_nothing"), Choice::FilmQr(QrShot::Nothing)));
            out.push((
                "online bank: issue an activation code".to_owned(),
                Choice::IssueActivationCode,
            ));
        }
        for &name in &view.actions {
            match (name, &view.screen) {
                ("choose_method", Screen::ActivationMethod { methods, .. }) => {
                    for m in methods {
                        let key = serde_json::to_value(m)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_owned))
                            .unwrap_or_default();
                        out.push((
                            l(&format!("method_{key}")),
                            Choice::Act(name, Some(Action::ChooseMethod { method: *m })),
                        ));
                    }
                }
                ("choose_document", _) => {
                    for (d, key) in [
                        (DocumentKind::Passport, "document_passport"),
                        (DocumentKind::IdCard, "document_id_card"),
                    ] {
                        out.push((
                            l(key),
                            Choice::Act(name, Some(Action::ChooseDocument { document: d })),
                        ));
                    }
                }
                ("set_accepted", Screen::Agreement { accepted, .. })
                | ("set_accepted", Screen::BiometricsTerms { accepted, .. }) => out.push((
                    format!(
                        "{} [{}]",
                        l("set_accepted"),
                        if *accepted { "x" } else { " " }
                    ),
                    Choice::Act(
                        name,
                        Some(Action::SetAccepted {
                            accepted: !accepted,
                        }),
                    ),
                )),
                ("set_password_visible", Screen::NewPassword { visible, .. }) => out.push((
                    format!("{} [{}]", l(name), if *visible { "x" } else { " " }),
                    Choice::Act(name, Some(Action::SetPasswordVisible { visible: !visible })),
                )),
                ("draft_password", _) => out.push((l("draft_password"), Choice::Act(name, None))),
                _ => {
                    let plain = plain_action(name);
                    let text = if plain.is_some() || name.starts_with("submit_") {
                        l(
                            if name.starts_with("submit_") && name != "submit_new_password" {
                                "submit"
                            } else {
                                name
                            },
                        )
                    } else {
                        l(name)
                    };
                    out.push((text, Choice::Act(name, plain)));
                }
            }
        }
        for f in Fault::available(w) {
            out.push((
                format!("fault: {}", l(&format!("fault_{}", f.name()))),
                Choice::Fault(f),
            ));
        }
        out.push(("quit".to_owned(), Choice::Quit));
        out
    }

    /// Asks for the values an action takes. `None` at the end of input.
    pub(super) fn fill(&self, name: &str, view: &View, input: &mut impl BufRead) -> Option<Action> {
        let l = |k: &str| format!("{}: ", label(self.lang, k));
        let s = Sensitive::new;
        Some(match name {
            "submit_national_id" => Action::SubmitNationalId {
                value: s(ask(input, &l("field_value_national_id"))?),
            },
            "submit_phone" => Action::SubmitPhone {
                value: s(ask(input, &l("field_value_phone"))?),
            },
            "submit_sms_code" => Action::SubmitSmsCode {
                code: s(ask(input, &l("field_code_sms"))?),
            },
            "submit_activation_code" => Action::SubmitActivationCode {
                code: s(ask(input, &l("field_code_activation"))?),
            },
            "submit_code_unit" => Action::SubmitCodeUnit {
                otp: s(ask(input, &l("field_otp"))?),
                password: s(ask(input, &l("field_password"))?),
            },
            "sign_agreement" => Action::SignAgreement {
                password: s(ask(input, &l("field_password"))?),
            },
            "draft_password" => Action::DraftPassword {
                password: s(ask(input, &l("field_new_password"))?),
                repeat: s(ask(input, &l("field_repeat"))?),
            },
            "submit_new_password" => {
                let current_required = matches!(
                    view.screen,
                    Screen::NewPassword {
                        current_required: true,
                        ..
                    }
                );
                Action::SubmitNewPassword {
                    password: s(ask(input, &l("field_new_password"))?),
                    repeat: s(ask(input, &l("field_repeat"))?),
                    current: if current_required {
                        Some(s(ask(input, &l("field_current"))?))
                    } else {
                        None
                    },
                }
            }
            other => {
                // An action this terminal does not know the values of: its JSON.
                let line = ask(input, &format!("{other} (JSON fields): "))?;
                let mut v: serde_json::Value =
                    serde_json::from_str(&line).unwrap_or(serde_json::json!({}));
                if let Some(o) = v.as_object_mut() {
                    o.insert("action".into(), other.into());
                }
                serde_json::from_value(v).ok()?
            }
        })
    }
}

/// The action, when it takes no values.
fn plain_action(name: &str) -> Option<Action> {
    Some(match name {
        "get_started" => Action::GetStarted,
        "my_bankid" => Action::MyBankId,
        "activate_app" => Action::ActivateApp,
        "resend_code" => Action::ResendCode,
        "continue" => Action::Continue,
        "not_now" => Action::NotNow,
        "retry" => Action::Retry,
        "back" => Action::Back,
        "cancel" => Action::Cancel,
        _ => return None,
    })
}
