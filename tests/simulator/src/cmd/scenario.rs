//! `aktiver-sim scenario FILE...`: scripted activations in TOML. A scenario
//! names a sandbox person and their document, and lists steps: what the
//! person does (an action, the autopilot's next move, walking to a screen,
//! camera frames), what the world does (the network drops, the clock moves,
//! the process is killed), and what must be on screen after it.
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use serde::Deserialize;

use aktiver_flow::{Action, FlowError, Lang, Permission, Screen};
use aktiver_protocol::{DocumentKind, Method};
use aktiver_testkit::document::DocumentOptions;

use super::{EXIT_INVALID, EXIT_MISUSE, EXIT_VALID};
use crate::sim::{self, Choices, Recorder, Setup, World};

#[derive(Args)]
pub struct ScenarioArgs {
    /// Scenario files (TOML).
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ChoicesToml {
    method: Option<Method>,
    update_password: Option<bool>,
    new_password: Option<String>,
    notifications: Option<bool>,
    biometrics: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DocToml {
    #[serde(default)]
    expired: bool,
    other_nin: Option<String>,
    tampered: Option<u8>,
    #[serde(default)]
    cloned: bool,
    #[serde(default)]
    tag_lost_at: Vec<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Step {
    /// The autopilot plays until this screen is current.
    walk_to: Option<String>,
    /// One move of the autopilot on the current screen.
    #[serde(default)]
    auto: bool,
    /// After the step's action, the person reads the newest SMS (`true`: a
    /// new one must have arrived; `false`: none may have).
    read_sms: Option<bool>,
    /// A typed action.
    act: Option<Action>,
    /// Camera frames pushed on the scan screen.
    frames: Option<u32>,
    /// One camera frame on the activation-code screen: `bank` (the online
    /// bank's QR image), `none` (the page beside it), or any other text (a
    /// QR code of that text).
    film_qr: Option<String>,
    /// Expected camera feedback on the screen after the step.
    feedback: Option<String>,
    /// The network: false drops it, true brings it back.
    net: Option<bool>,
    /// Moves the server's clock by this many seconds.
    clock_s: Option<i64>,
    /// The process is killed and the flow started again over the same storage.
    #[serde(default)]
    kill: bool,
    /// Walk to `complete`, killing the process once at every screen on the way.
    #[serde(default)]
    kill_at_each_screen: bool,
    /// The action must be refused as not fitting the screen.
    #[serde(default)]
    bad_state: bool,
    /// Expected screen after the step.
    expect: Option<String>,
    /// Expected field-error code on it.
    error: Option<String>,
    /// Expected attempts left in the field error.
    attempts_left: Option<u32>,
    /// Expected failure code (on `failed`).
    failure: Option<String>,
    /// Expected on `complete`.
    replaced_previous_device: Option<bool>,
    /// New password: the policy rules the draft does not meet (exactly these).
    rules_unmet: Option<Vec<String>>,
    /// New password: the two fields differ.
    mismatch: Option<bool>,
    /// New password: the typed characters are shown.
    visible: Option<bool>,
    /// The OS prompt for this permission will be declined.
    deny: Option<Permission>,
    /// Keep a copy of the snapshot as it is after the step ...
    #[serde(default)]
    stash_snapshot: bool,
    /// ... and put it back before the step's kill (the process died before
    /// it could save the later screens).
    #[serde(default)]
    restore_snapshot: bool,
    /// The person starts over on another phone (new keys and storage).
    #[serde(default)]
    new_device: bool,
    /// The autopilot's next move runs in the background; once its work
    /// shows, after this many milliseconds the person presses `interrupt`
    /// (in-flight work must stop).
    interrupt_after_ms: Option<u64>,
    /// `cancel` (the default) or `back`.
    interrupt: Option<String>,
    /// From now on the face check takes this long (the person in front of the camera).
    slow_face_ms: Option<u64>,
    /// From now on every device-key call takes this long (a keystore prompt).
    slow_keys_ms: Option<u64>,
    /// Face-check and device-key calls still running after the step.
    capability_calls_running: Option<u32>,
    /// Face-check and device-key calls that have ended by being cancelled.
    capability_calls_stopped: Option<u32>,
    /// Screens that must have been shown (so far) ...
    #[serde(default)]
    seen: Vec<String>,
    /// ... and screens that must not have been.
    #[serde(default)]
    not_seen: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ScenarioFile {
    name: String,
    #[serde(default)]
    person: Option<String>,
    #[serde(default)]
    document: Option<DocumentKind>,
    #[serde(default)]
    lang: Option<Lang>,
    #[serde(default)]
    choices: ChoicesToml,
    #[serde(default)]
    document_options: DocToml,
    /// Runs the steps once per listed screen, with `{screen}` in `walk_to`
    /// and `expect` replaced by it (cancel at each screen, say).
    #[serde(default)]
    for_each_screen: Vec<String>,
    #[serde(default)]
    step: Vec<Step>,
}

pub fn run(a: ScenarioArgs) -> u8 {
    let rt = match sim::runtime() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("aktiver-sim scenario: {e}");
            return EXIT_MISUSE;
        }
    };
    let mut failed = 0;
    for path in &a.files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("aktiver-sim scenario: {}: {e}", path.display());
                return EXIT_MISUSE;
            }
        };
        let sc: ScenarioFile = match toml::from_str(&text) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("aktiver-sim scenario: {}: {}", path.display(), e.message());
                return EXIT_MISUSE;
            }
        };
        let rounds: Vec<Option<String>> = if sc.for_each_screen.is_empty() {
            vec![None]
        } else {
            sc.for_each_screen.iter().cloned().map(Some).collect()
        };
        for round in rounds {
            let label = match &round {
                Some(s) => format!("{} [{s}]", sc.name),
                None => sc.name.clone(),
            };
            let started = std::time::Instant::now();
            match rt.block_on(run_one(&sc, round.as_deref())) {
                Ok(()) => crate::outln!("ok    {label} ({:.1} s)", started.elapsed().as_secs_f64()),
                Err(e) => {
                    failed += 1;
                    crate::outln!("FAIL  {label}: {e}");
                }
            }
        }
    }
    if failed == 0 {
        EXIT_VALID
    } else {
        EXIT_INVALID
    }
}

fn subst(s: &Option<String>, screen: Option<&str>) -> Option<String> {
    s.as_ref().map(|v| match screen {
        Some(x) => v.replace("{screen}", x),
        None => v.clone(),
    })
}

async fn run_one(sc: &ScenarioFile, screen: Option<&str>) -> Result<(), String> {
    let defaults = Choices::default();
    let c = &sc.choices;
    let d = &sc.document_options;
    let setup = Setup {
        person: sc
            .person
            .clone()
            .unwrap_or_else(|| sim::DEMO_PERSON.to_owned()),
        document: sc.document.unwrap_or(DocumentKind::IdCard),
        doc_options: DocumentOptions {
            expired: d.expired,
            other_nin: d.other_nin.clone(),
            tampered: d.tampered,
            cloned: d.cloned,
            tag_lost_at: d.tag_lost_at.clone(),
        },
        lang: sc.lang.unwrap_or(Lang::En),
        rules: aktiver_sandbox::Rules::fast_kdf(),
        choices: Choices {
            method: c.method.unwrap_or(defaults.method),
            update_password: c.update_password.unwrap_or(defaults.update_password),
            new_password: c.new_password.clone().unwrap_or(defaults.new_password),
            notifications: c.notifications.unwrap_or(defaults.notifications),
            biometrics: c.biometrics.unwrap_or(defaults.biometrics),
            // Scenarios test the flow, not the scanner: a clean camera.
            camera_level: aktiver_scan::synth::Level::Clean,
        },
    };
    let recorder = Arc::new(Recorder::default());
    let mut w = World::new(setup, recorder).await?;
    let r = run_steps(&mut w, sc, screen).await;
    w.stop().await;
    r
}

/// Where the flow keeps its snapshot in secure storage.
const SNAPSHOT_KEY: &str = "aktiver.flow.snapshot";

async fn run_steps(w: &mut World, sc: &ScenarioFile, screen: Option<&str>) -> Result<(), String> {
    let stash = &mut None::<Vec<u8>>;
    for (i, st) in sc.step.iter().enumerate() {
        let n = i + 1;
        let at = |e: String| format!("step {n}: {e}");
        if let Some(p) = st.deny {
            w.phone.permissions.deny(p);
        }
        if let Some(ms) = st.slow_face_ms {
            w.phone.face.gate().set_delay_ms(ms);
        }
        if let Some(ms) = st.slow_keys_ms {
            w.phone.keys.gate.set_delay_ms(ms);
        }
        if let Some(up) = st.net {
            w.relay.set_up(up);
        }
        if let Some(s) = st.clock_s {
            w.sandbox.clock.advance(s);
        }
        if let Some(target) = subst(&st.walk_to, screen) {
            w.walk_to(&target).await.map_err(at)?;
        }
        if st.kill_at_each_screen {
            kill_at_each(w).await.map_err(at)?;
        }
        if st.auto {
            w.auto().await.map_err(at)?;
        }
        if let Some(f) = st.frames {
            for _ in 0..f {
                if !matches!(w.flow.screen(), Screen::MrzScan { .. }) {
                    break;
                }
                w.film().await.map_err(at)?;
            }
        }
        if let Some(shot) = &st.film_qr {
            let shot = match shot.as_str() {
                "bank" => sim::QrShot::Bank,
                "none" => sim::QrShot::Nothing,
                text => sim::QrShot::Text(text.to_owned()),
            };
            w.film_qr(shot).await.map_err(at)?;
        }
        if let Some(a) = &st.act {
            match w.act(a.clone()).await {
                Err(FlowError::BadState { .. }) if st.bad_state => {}
                Err(e) => return Err(at(e.to_string())),
                Ok(_) if st.bad_state => {
                    return Err(at(format!("`{}` was accepted", a.name())));
                }
                Ok(_) => {}
            }
        }
        if let Some(expected) = st.read_sms {
            let before = w.last_sms.clone();
            let got = w.read_sms().await;
            let arrived = got.is_some() && got != before;
            if arrived != expected {
                return Err(at(format!(
                    "an SMS arrived: {arrived}, expected {expected}"
                )));
            }
        }
        if let Some(ms) = st.interrupt_after_ms {
            let flow = w.flow.clone();
            let next = next_action(w).ok_or_else(|| at("no move to cancel".into()))?;
            let task = tokio::spawn(async move { flow.act(next).await });
            // Wait until the work shows, then let it run a little.
            for _ in 0..2000 {
                if w.flow.screen().is_busy() {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            }
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            let busy = w.flow.screen().name();
            let press = match st.interrupt.as_deref() {
                Some("back") => Action::Back,
                _ => Action::Cancel,
            };
            w.act(press).await.map_err(|e| at(e.to_string()))?;
            let _ = task.await;
            if !matches!(
                busy,
                "chip_scan" | "face_scan" | "activating" | "permission_prompt"
            ) {
                return Err(at(format!("the interrupt came at {busy}, not during work")));
            }
        }
        if st.stash_snapshot {
            *stash = w.phone.storage.get(SNAPSHOT_KEY).ok().flatten();
        }
        if st.restore_snapshot {
            let snap = stash
                .as_ref()
                .ok_or_else(|| at("no snapshot stashed".into()))?;
            w.phone
                .storage
                .put(SNAPSHOT_KEY, snap)
                .map_err(|e| at(e.to_string()))?;
        }
        if st.kill {
            w.restart().await.map_err(at)?;
        }
        if st.new_device {
            w.new_device().await.map_err(at)?;
        }
        check(w, st, screen).map_err(at)?;
    }
    Ok(())
}

fn check(w: &World, st: &Step, screen: Option<&str>) -> Result<(), String> {
    let s = w.flow.screen();
    if let Some(e) = subst(&st.expect, screen)
        && s.name() != e
    {
        return Err(format!(
            "expected screen {e}, got {} {}",
            s.name(),
            detail(&s)
        ));
    }
    let field = field_error(&s);
    if let Some(code) = &st.error {
        let got = field.as_ref().map(|f| f.code.clone());
        if got.as_deref() != Some(code.as_str()) {
            return Err(format!(
                "expected field error {code} on {}, got {}",
                s.name(),
                got.as_deref().unwrap_or("none")
            ));
        }
    }
    if let Some(n) = st.attempts_left {
        let got = field.as_ref().and_then(|f| f.attempts_left);
        if got != Some(n) {
            let got = got.map_or("no count".to_owned(), |g| g.to_string());
            return Err(format!("expected {n} attempts left, got {got}"));
        }
    }
    if let Some(code) = &st.failure {
        match &s {
            Screen::Failed { code: c, .. } if c == code => {}
            other => {
                return Err(format!(
                    "expected failure {code}, got {} {}",
                    other.name(),
                    detail(other)
                ));
            }
        }
    }
    let shown: BTreeSet<String> = w
        .recorder
        .views
        .lock()
        .map(|v| v.iter().map(|(_, v)| v.screen.name().to_owned()).collect())
        .unwrap_or_default();
    for name in &st.seen {
        if !shown.contains(name) {
            return Err(format!("{name} was never shown"));
        }
    }
    for name in &st.not_seen {
        if shown.contains(name) {
            return Err(format!("{name} was shown"));
        }
    }
    check_password_screen(&s, st)?;
    let gates = [w.phone.face.gate(), &w.phone.keys.gate];
    if let Some(n) = st.capability_calls_running {
        let got: u32 = gates.iter().map(|g| g.running()).sum();
        if got != n {
            return Err(format!(
                "{got} capability calls still running, expected {n}"
            ));
        }
    }
    if let Some(n) = st.capability_calls_stopped {
        let got: u32 = gates.iter().map(|g| g.stopped()).sum();
        if got != n {
            return Err(format!("{got} capability calls were stopped, expected {n}"));
        }
    }
    if let Some(f) = &st.feedback {
        let got = match &s {
            Screen::ActivationCode { feedback, .. } | Screen::MrzScan { feedback, .. } => {
                feedback.clone()
            }
            _ => None,
        };
        if got.as_deref() != Some(f.as_str()) {
            return Err(format!(
                "expected feedback {f} on {}, got {}",
                s.name(),
                got.as_deref().unwrap_or("none")
            ));
        }
    }
    if let Some(r) = st.replaced_previous_device {
        match &s {
            Screen::Complete {
                replaced_previous_device,
            } if *replaced_previous_device == r => {}
            other => {
                return Err(format!(
                    "expected complete with replaced_previous_device={r}, got {} {}",
                    other.name(),
                    detail(other)
                ));
            }
        }
    }
    Ok(())
}

/// The new-password screen's live feedback, as expected.
fn check_password_screen(s: &Screen, st: &Step) -> Result<(), String> {
    if st.rules_unmet.is_none() && st.mismatch.is_none() && st.visible.is_none() {
        return Ok(());
    }
    let Screen::NewPassword {
        rules,
        mismatch,
        visible,
        ..
    } = s
    else {
        return Err(format!("expected new_password, got {}", s.name()));
    };
    if let Some(expected) = &st.rules_unmet {
        let name = |r: &aktiver_flow::PasswordRule| {
            serde_json::to_value(r)
                .ok()
                .and_then(|v| v["rule"].as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        if rules.is_empty() {
            return Err("the screen lists no policy rules".into());
        }
        let unmet: BTreeSet<String> = rules.iter().filter(|r| !r.met).map(name).collect();
        let want: BTreeSet<String> = expected.iter().cloned().collect();
        if unmet != want {
            let list = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(", ");
            return Err(format!(
                "expected unmet rules [{}], got [{}]",
                list(&want),
                list(&unmet)
            ));
        }
    }
    if let Some(m) = st.mismatch
        && m != *mismatch
    {
        return Err(format!("expected mismatch {m}, got {mismatch}"));
    }
    if let Some(v) = st.visible
        && v != *visible
    {
        return Err(format!("expected visible {v}, got {visible}"));
    }
    Ok(())
}

/// The move to cancel in flight: Continue, where the screen takes it.
fn next_action(w: &World) -> Option<Action> {
    w.flow
        .screen()
        .actions()
        .contains(&"continue")
        .then_some(Action::Continue)
}

fn field_error(s: &Screen) -> Option<aktiver_flow::FieldError> {
    let v = serde_json::to_value(s).ok()?;
    serde_json::from_value(v.get("error")?.clone()).ok()
}

fn detail(s: &Screen) -> String {
    match s {
        Screen::Failed { code, .. } => format!("({code})"),
        other => field_error(other)
            .map(|e| format!("(error {})", e.code))
            .unwrap_or_default(),
    }
}

/// Walks to `complete`, killing the process once at every screen where
/// the flow waits for the person; each restart must resume at that screen
/// or at the earlier one the snapshot maps it to, never at the start.
async fn kill_at_each(w: &mut World) -> Result<(), String> {
    let mut killed: BTreeSet<String> = BTreeSet::new();
    for _ in 0..400 {
        let s = w.flow.screen();
        if s.name() == "complete" {
            return if killed.len() >= 20 {
                Ok(())
            } else {
                Err(format!("only {} screens were killed at", killed.len()))
            };
        }
        if s.is_terminal() {
            return Err(format!("the flow ended at {} {}", s.name(), detail(&s)));
        }
        if killed.insert(s.name().to_owned()) {
            let before = s.name();
            no_secret_in_snapshot(w, before)?;
            w.restart().await?;
            let after = w.flow.screen();
            let allowed = resumes_at(before);
            if after.name() != before && !allowed.contains(&after.name()) {
                return Err(format!("killed at {before}, resumed at {}", after.name()));
            }
            continue;
        }
        w.auto().await?;
    }
    Err("complete not reached".into())
}

/// The snapshot holds where the flow is, never a secret: no password, SMS
/// code, phone number or MRZ.
fn no_secret_in_snapshot(w: &World, at: &str) -> Result<(), String> {
    let Ok(Some(bytes)) = w.phone.storage.get(SNAPSHOT_KEY) else {
        return Err(format!("no snapshot saved at {at}"));
    };
    let text = String::from_utf8_lossy(&bytes);
    let phone = w.person.phone.trim_start_matches("+47");
    let mut secrets: Vec<&str> = vec![phone, "NORDMANN", "IDNOR", "P<NOR"];
    // Once the person has qualified, the identity number is not needed to resume.
    if QUALIFIED.contains(&at) {
        secrets.push(&w.person.national_id);
    }
    if let Some(p) = &w.password {
        secrets.push(p);
    }
    secrets.push(&w.choices.new_password);
    if let Some(c) = &w.last_sms {
        secrets.push(c);
    }
    match secrets.iter().find(|s| !s.is_empty() && text.contains(*s)) {
        Some(_) => Err(format!("the snapshot at {at} holds a secret")),
        None => Ok(()),
    }
}

/// Screens after the ID check: the device is bound or being bound.
const QUALIFIED: &[&str] = &[
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
];

/// Where the snapshot resumes a flow killed at `screen`.
fn resumes_at(screen: &str) -> &'static [&'static str] {
    match screen {
        "mrz_scan" | "chip_info" | "chip_scan" | "paused" | "face_info" | "face_scan" => {
            &["scan_info"]
        }
        "new_password" | "password_updated" => &["password_offer"],
        "sign_agreement" => &["agreement"],
        // The app has now been opened before: the returning user's welcome.
        "welcome" => &["welcome_back"],
        _ => &[],
    }
}
