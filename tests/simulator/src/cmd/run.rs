//! `aktiver-sim run`: the activation in the terminal. Each screen with its
//! texts and numbered choices (its actions, then the faults that apply
//! there); the tester types a number and, where the action takes them, the
//! values. The SMS inbox shows when a code is asked for, a progress bar
//! while the chip is read. A renderer of the flow's screens, nothing more.
use std::io::{BufRead, Write};
use std::time::Duration;

use clap::Args;

use aktiver_flow::{Action, Lang, Screen, View};
use aktiver_protocol::{DocumentKind, Sensitive};

use super::{EXIT_MISUSE, EXIT_VALID};
use crate::sim::faults::Fault;
use crate::sim::labels::label;
use crate::sim::{self, QrShot, Recorder, Setup, World, chip_steps};

#[derive(Args)]
pub struct RunArgs {
    /// Language of the screens: nb, nn or en.
    #[arg(long, default_value = "nb", value_parser = parse_lang)]
    lang: Lang,
    /// The document: passport or id_card.
    #[arg(long, default_value = "passport", value_parser = parse_doc)]
    doc: DocumentKind,
    /// The sandbox person's identity number.
    #[arg(long, default_value = sim::DEMO_PERSON)]
    person: String,
}

pub fn parse_lang(s: &str) -> Result<Lang, String> {
    match s {
        "nb" => Ok(Lang::Nb),
        "nn" => Ok(Lang::Nn),
        "en" => Ok(Lang::En),
        _ => Err("expected nb, nn or en".into()),
    }
}

pub fn parse_doc(s: &str) -> Result<DocumentKind, String> {
    match s {
        "passport" => Ok(DocumentKind::Passport),
        "id_card" | "id-card" => Ok(DocumentKind::IdCard),
        _ => Err("expected passport or id_card".into()),
    }
}

/// One numbered choice.
enum Choice {
    Act(&'static str, Option<Action>),
    Film { until_read: bool },
    FilmQr(QrShot),
    IssueActivationCode,
    Fault(Fault),
    Quit,
}

pub fn run(a: RunArgs) -> u8 {
    let rt = match sim::runtime() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("aktiver-sim run: {e}");
            return EXIT_MISUSE;
        }
    };
    let setup = Setup {
        person: a.person.clone(),
        document: a.doc,
        lang: a.lang,
        ..Setup::default()
    };
    let mut w = match rt.block_on(World::new(setup, std::sync::Arc::new(Recorder::default()))) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("aktiver-sim run: --person {}: {e}", a.person);
            return EXIT_MISUSE;
        }
    };
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut term = Term { lang: a.lang };
    let status = term.session(&rt, &mut w, &mut input);
    rt.block_on(w.stop());
    status
}

struct Term {
    lang: Lang,
}

impl Term {
    fn session(
        &mut self,
        rt: &tokio::runtime::Runtime,
        w: &mut World,
        input: &mut impl BufRead,
    ) -> u8 {
        loop {
            let view = w.flow.view();
            self.show(rt, w, &view);
            let choices = self.choices(w, &view);
            for (i, (text, _)) in choices.iter().enumerate() {
                println!("  {:>2}) {text}", i + 1);
            }
            let Some(answer) = ask(input, "> ") else {
                println!();
                return EXIT_VALID;
            };
            let Some((_, choice)) = answer
                .trim()
                .parse::<usize>()
                .ok()
                .and_then(|n| n.checked_sub(1))
                .and_then(|n| choices.into_iter().nth(n))
            else {
                println!("(type the number of a choice)");
                continue;
            };
            let outcome = match choice {
                Choice::Quit => return EXIT_VALID,
                Choice::Act(name, action) => {
                    let action = match action {
                        Some(a) => Some(a),
                        None => self.fill(name, &view, input),
                    };
                    match action {
                        Some(a) => self.act(rt, w, a),
                        None => return EXIT_VALID,
                    }
                }
                Choice::Film { until_read } => {
                    let max = if until_read { 40 } else { 1 };
                    let mut r = Ok(());
                    for _ in 0..max {
                        match rt.block_on(w.film()) {
                            Ok(f) => println!("  camera: frame {} -> {f}", w.frame_index),
                            Err(e) => r = Err(e),
                        }
                        if r.is_err() || w.flow.screen().name() != "mrz_scan" {
                            break;
                        }
                    }
                    r
                }
                Choice::FilmQr(shot) => rt
                    .block_on(w.film_qr(shot))
                    .map(|f| println!("  camera: frame {} -> {f}", w.frame_index)),
                Choice::IssueActivationCode => {
                    match rt.block_on(w.sandbox.activation_code(&w.person.national_id)) {
                        Ok(c) => {
                            println!("  online bank: activation code {}", c.code.expose());
                            println!("  online bank: QR text {}", c.qr_payload.expose());
                            Ok(())
                        }
                        Err(e) => Err(e),
                    }
                }
                Choice::Fault(f) => match rt.block_on(w.inject(f)) {
                    Ok(Some(a)) => {
                        println!(
                            "  fault: {}",
                            label(self.lang, &format!("fault_{}", f.name()))
                        );
                        self.act(rt, w, a)
                    }
                    Ok(None) => {
                        println!(
                            "  fault: {}",
                            label(self.lang, &format!("fault_{}", f.name()))
                        );
                        Ok(())
                    }
                    Err(e) => Err(e),
                },
            };
            if let Err(e) = outcome {
                println!("  ! {e}");
            }
        }
    }

    /// The screen: name, texts, and what the tester needs beside it.
    fn show(&self, rt: &tokio::runtime::Runtime, w: &mut World, view: &View) {
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

    fn choices(&self, w: &World, view: &View) -> Vec<(String, Choice)> {
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
    fn fill(&self, name: &str, view: &View, input: &mut impl BufRead) -> Option<Action> {
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

    /// Performs an action; while the chip is read, draws a progress bar.
    fn act(&self, rt: &tokio::runtime::Runtime, w: &mut World, a: Action) -> Result<(), String> {
        let flow = w.flow.clone();
        let task = rt.spawn(async move { flow.act(a).await });
        let mut drawn = false;
        while !task.is_finished() {
            if let Screen::ChipScan { progress, .. } = w.flow.screen() {
                let filled = usize::from(progress) / 5;
                print!(
                    "\r  chip [{}{}] {progress:>3}%",
                    "#".repeat(filled),
                    ".".repeat(20 - filled.min(20))
                );
                let _ = std::io::stdout().flush();
                drawn = true;
            }
            std::thread::sleep(Duration::from_millis(40));
        }
        if drawn {
            println!("\r  chip [{}] done", "#".repeat(20));
        }
        match rt.block_on(task) {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
        }
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

/// Prints a prompt and reads one line; `None` at the end of input.
fn ask(input: &mut impl BufRead, prompt: &str) -> Option<String> {
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    match input.read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim_end_matches(['\n', '\r']).to_owned()),
    }
}
