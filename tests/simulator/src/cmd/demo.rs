//! `aktiver-sim demo`: the whole activation, screen by screen, with the real
//! core (`aktiver-flow`) against a sandbox server this command starts on
//! loopback TLS. The phone is simulated: the virtual chip on a modelled NFC
//! link, generated camera frames of the person's document, the sandbox's
//! face-check provider, a software key store. The person takes the happy
//! path: the password updated, notifications and biometrics enabled.
use std::sync::Arc;
use std::time::{Duration, Instant};

use clap::{Args, ValueEnum};
use serde_json::json;

use aktiver_flow::{Lang, Screen, View};
use aktiver_protocol::DocumentKind;
use aktiver_sandbox::Rules;

use super::{EXIT_INVALID, EXIT_MISUSE, EXIT_VALID};
use crate::sim::{self, Recorder, Setup, World};

#[derive(Clone, Copy, ValueEnum)]
pub enum DocArg {
    IdCard,
    Passport,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum LangArg {
    Nb,
    Nn,
    En,
}

#[derive(Args)]
pub struct DemoArgs {
    /// The document the person holds to the camera and the phone.
    #[arg(long, value_enum, default_value = "id-card")]
    doc: DocArg,
    /// The language of the screens' texts.
    #[arg(long, value_enum, default_value = "en")]
    lang: LangArg,
    /// One JSON object per screen, then a summary object.
    #[arg(long)]
    json: bool,
}

fn one_line(v: &View, key: &str) -> String {
    v.texts.get(key).map(|t| t.text.clone()).unwrap_or_default()
}

/// The data worth showing next to a screen's texts, in the screen's own
/// words (the shell's texts), never a debug dump. No personal data: the
/// phone number is masked by the server, and nothing else personal is on a screen.
fn detail(v: &View) -> String {
    let word = |role: &str| one_line(v, role);
    match &v.screen {
        Screen::SmsCode {
            masked_phone,
            attempts_left,
            resend_after_s,
            ..
        } => {
            format!("[{masked_phone}, {attempts_left} attempts, resend in {resend_after_s} s]")
        }
        Screen::ActivationMethod { methods, .. } => {
            let methods: Vec<String> = methods
                .iter()
                .filter_map(|m| serde_json::to_value(m).ok())
                .filter_map(|m| m.as_str().map(|m| word(&format!("method_{m}"))))
                .collect();
            format!("[{}]", methods.join(" | "))
        }
        Screen::MrzScan {
            feedback: Some(_),
            frames,
            ..
        } => format!("[frame {frames}: {}]", word("feedback")),
        Screen::ActivationCode {
            feedback: Some(_), ..
        } => format!("[{}]", word("feedback")),
        Screen::ChipScan { progress, .. } => format!("[{progress}%: {}]", word("hint")),
        Screen::NewPassword {
            rules, mismatch, ..
        } if !rules.is_empty() => {
            let met = rules.iter().filter(|r| r.met).count();
            let same = if *mismatch { ", the fields differ" } else { "" };
            format!("[live feedback: {met} of {} rules met{same}]", rules.len())
        }
        Screen::Agreement { text, .. } | Screen::BiometricsTerms { terms: text, .. } => {
            format!("[{} characters of text]", text.chars().count())
        }
        Screen::Failed { code, .. } => format!("[{code}: {}]", word("remedy")),
        Screen::Complete {
            replaced_previous_device,
        } => {
            let revoked = if *replaced_previous_device {
                "yes"
            } else {
                "no"
            };
            format!("[previous device revoked: {revoked}]")
        }
        _ => String::new(),
    }
}

fn printer(json_out: bool) -> sim::PrintFn {
    let last = std::sync::Mutex::new(String::new());
    Box::new(move |t, v| {
        let ms = t.as_secs_f64() * 1e3;
        if json_out {
            let mut o = serde_json::to_value(v).unwrap_or(json!({}));
            if let Some(m) = o.as_object_mut() {
                m.insert("t_ms".into(), json!((ms * 10.0).round() / 10.0));
            }
            crate::outln!("{o}");
            return;
        }
        let name = v.screen.name();
        let repeat = last
            .lock()
            .map(|mut l| std::mem::replace(&mut *l, name.to_owned()) == name)
            .unwrap_or(false);
        if repeat {
            crate::outln!("{:>9.1} ms    {:<20} {}", ms, "", detail(v));
        } else {
            crate::outln!(
                "{:>9.1} ms  {:<22} {} {}",
                ms,
                name,
                one_line(v, "title"),
                detail(v)
            );
            crate::outln!("{:>14}{:<22} {}", "", "", one_line(v, "body"));
        }
    })
}

pub fn run(a: DemoArgs) -> u8 {
    let rt = match sim::runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("aktiver-sim demo: {e}");
            return EXIT_MISUSE;
        }
    };
    let document = match a.doc {
        DocArg::IdCard => DocumentKind::IdCard,
        DocArg::Passport => DocumentKind::Passport,
    };
    let lang = match a.lang {
        LangArg::Nb => Lang::Nb,
        LangArg::Nn => Lang::Nn,
        LangArg::En => Lang::En,
    };
    if !a.json {
        crate::outln!(
            "aktiver-sim demo: activation with a Norwegian {} against the sandbox (loopback TLS, pinned)\n",
            match document {
                DocumentKind::IdCard => "national ID card",
                DocumentKind::Passport => "passport",
            }
        );
    }
    rt.block_on(async move {
        let recorder = Arc::new(Recorder {
            print: Some(printer(a.json)),
            ..Recorder::default()
        });
        let setup = Setup {
            document,
            lang,
            // The service's real password hashing (Argon2id, 19 MiB).
            rules: Rules::default(),
            ..Setup::default()
        };
        let started = Instant::now();
        let mut w = match World::new(setup, recorder.clone()).await {
            Ok(w) => w,
            Err(e) => {
                eprintln!("aktiver-sim demo: {e}");
                return EXIT_MISUSE;
            }
        };
        let setup_time = started.elapsed();
        let walk = Instant::now();
        let result = w.walk_to("complete").await;
        let wall = walk.elapsed();
        let (nfc_us, apdus) = w.phone.nfc.simulated();
        let views = recorder.views.lock().map(|v| v.clone()).unwrap_or_default();
        let mut names: Vec<&str> = Vec::new();
        for (_, v) in &views {
            if names.last() != Some(&v.screen.name()) {
                names.push(v.screen.name());
            }
        }
        let distinct: std::collections::BTreeSet<&str> = names.iter().copied().collect();
        let outside = w.outside;
        let core = wall.saturating_sub(outside.camera + outside.human);
        let rss = sim::peak_rss_mib();
        let ok = result.is_ok();
        let summary = json!({
            "summary": {
                "ok": ok,
                "error": result.as_ref().err(),
                "document": match document { DocumentKind::IdCard => "id_card", DocumentKind::Passport => "passport" },
                "lang": lang.code(),
                "screens_shown": names.len(),
                "distinct_screens": distinct.len(),
                "wall_ms": ms(core),
                "wall_total_ms": ms(wall),
                "sandbox_start_ms": ms(setup_time),
                "excluded": {
                    "camera_frame_rendering_ms": ms(outside.camera),
                    "camera_frames": outside.frames,
                    "human_ms": ms(outside.human),
                    "simulated_nfc_ms": (nfc_us as f64 / 100.0).round() / 10.0,
                    "apdus": apdus,
                },
                "peak_rss_mib": rss.map(|r| (r * 10.0).round() / 10.0),
            }
        });
        if a.json {
            crate::outln!("{summary}");
        } else {
            crate::outln!();
            match &result {
                Ok(()) => crate::outln!("Activated: {} screens shown, {} distinct.", names.len(), distinct.len()),
                Err(e) => crate::outln!("The activation did not complete: {e}"),
            }
            crate::outln!(
                "Wall time {:.0} ms (the core, the sandbox and the simulated chip's CPU), excluding: {:.0} ms rendering {} camera frames, {:.0} ms of the person fetching codes; simulated NFC link time {:.0} ms over {} APDUs (424 kbit/s model, not slept); sandbox start {:.0} ms.",
                ms(core),
                ms(outside.camera),
                outside.frames,
                ms(outside.human),
                nfc_us as f64 / 1000.0,
                apdus,
                ms(setup_time),
            );
            if let Some(r) = rss {
                crate::outln!("Peak RSS {r:.1} MiB.");
            }
        }
        w.stop().await;
        if ok { EXIT_VALID } else { EXIT_INVALID }
    })
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1e4).round() / 10.0
}
