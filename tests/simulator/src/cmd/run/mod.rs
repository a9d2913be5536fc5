//! `aktiver-sim run`: the activation in the terminal. Each screen with its
//! texts and numbered choices (its actions, then the faults that apply
//! there); the tester types a number and, where the action takes them, the
//! values. The SMS inbox shows when a code is asked for, a progress bar
//! while the chip is read. A renderer of the flow's screens, nothing more.
use std::io::{BufRead, Write};
use std::time::Duration;

use clap::Args;

use aktiver_flow::{Action, Lang, Screen};
use aktiver_protocol::DocumentKind;

use super::{EXIT_MISUSE, EXIT_VALID};
use crate::sim::faults::Fault;
use crate::sim::labels::label;
use crate::sim::{self, QrShot, Recorder, Setup, World};

mod screen;

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
