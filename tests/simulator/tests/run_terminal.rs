//! `aktiver-sim run` through a pseudo-terminal (util-linux `script` gives
//! the binary a pty): a tester's whole happy path with a passport, reading
//! each screen's numbered choices and typing answers, the SMS code taken
//! from the inbox the terminal shows, and the chip read's progress bar.
#![allow(clippy::unwrap_used)]

use std::io::{Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Pty {
    child: Child,
    stdin: ChildStdin,
    out: Arc<Mutex<String>>,
    /// Where the next screen starts in `out`.
    pos: usize,
}

impl Pty {
    fn spawn(args: &str) -> Option<Pty> {
        let bin = env!("CARGO_BIN_EXE_aktiver-sim");
        let mut child = Command::new("script")
            .args([
                "-q",
                "-e",
                "-f",
                "-c",
                &format!("{bin} {args}"),
                "/dev/null",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .ok()?;
        let stdin = child.stdin.take()?;
        let mut stdout = child.stdout.take()?;
        let out = Arc::new(Mutex::new(String::new()));
        let sink = out.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buf[..n]).replace('\r', "");
                sink.lock().unwrap().push_str(&text);
            }
        });
        Some(Pty {
            child,
            stdin,
            out,
            pos: 0,
        })
    }

    /// Waits until the output since `pos` ends with `prompt`; returns it.
    fn wait_prompt(&mut self, prompt: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            {
                let out = self.out.lock().unwrap();
                let tail = &out[self.pos..];
                if tail.ends_with(prompt) {
                    let t = tail.to_owned();
                    self.pos = out.len();
                    return t;
                }
            }
            assert!(
                Instant::now() < deadline,
                "no prompt {prompt:?}; output so far:\n{}",
                &self.out.lock().unwrap()[self.pos..]
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn type_line(&mut self, line: &str) {
        self.stdin
            .write_all(format!("{line}\n").as_bytes())
            .unwrap();
        self.stdin.flush().unwrap();
    }
}

/// The screen name and its numbered choices in one screen's output.
fn parse(screen: &str) -> (String, Vec<(usize, String)>) {
    let name = screen
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("== ")?.strip_suffix(" =="))
        .unwrap_or_default()
        .to_owned();
    let choices = screen
        .lines()
        .filter_map(|l| {
            let (n, text) = l.trim_start().split_once(") ")?;
            Some((n.parse().ok()?, text.to_owned()))
        })
        .collect();
    (name, choices)
}

fn pick(choices: &[(usize, String)], starts: &str) -> usize {
    choices
        .iter()
        .find(|(_, t)| t.starts_with(starts))
        .map(|(n, _)| *n)
        .unwrap_or_else(|| panic!("no choice {starts:?} in {choices:?}"))
}

/// Plays the tester to `complete`: returns the screens seen and all output.
fn walk(
    t: &mut Pty,
    nin: &str,
    phone: &str,
    method: &str,
    password: &str,
) -> (Vec<String>, String) {
    let new_password = "Fjell8Bekk3";
    let mut seen: Vec<String> = Vec::new();
    let mut all = String::new();
    for _ in 0..80 {
        let screen = t.wait_prompt("> ");
        all.push_str(&screen);
        let (name, choices) = parse(&screen);
        seen.push(name.clone());
        let answer: Vec<String> = match name.as_str() {
            "welcome" => vec![pick(&choices, "Get started").to_string()],
            "national_id" => vec![pick(&choices, "Next").to_string(), nin.into()],
            "phone" => vec![pick(&choices, "Next").to_string(), phone.into()],
            "sms_code" => {
                let code = screen
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("SMS inbox (")?.split_once("): code "))
                    .map(|(_, c)| c.to_owned())
                    .unwrap_or_else(|| panic!("no SMS shown on the code screen:\n{screen}"));
                vec![pick(&choices, "Next").to_string(), code]
            }
            "activation_method" => vec![pick(&choices, method).to_string()],
            "code_unit" => {
                let otp = screen
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("code unit shows: "))
                    .unwrap_or_else(|| panic!("no one-time code shown:\n{screen}"))
                    .to_owned();
                vec![pick(&choices, "Next").to_string(), otp, password.into()]
            }
            "choose_document" => vec![pick(&choices, "Passport").to_string()],
            "mrz_scan" => vec![pick(&choices, "Film until read").to_string()],
            "new_password" => vec![
                pick(&choices, "Save password").to_string(),
                new_password.into(),
                new_password.into(),
            ],
            "biometrics_terms" | "agreement" if screen.contains("accepted: false") => {
                vec![pick(&choices, "I accept").to_string()]
            }
            "sign_agreement" => vec![pick(&choices, "Sign").to_string(), new_password.into()],
            "complete" => {
                t.type_line(&pick(&choices, "quit").to_string());
                break;
            }
            "failed" | "cancelled" => panic!("the flow ended at {name}:\n{screen}"),
            _ => vec![pick(&choices, "Continue").to_string()],
        };
        let mut lines = answer.into_iter();
        t.type_line(&lines.next().unwrap());
        for field in lines {
            // Each value is asked for with its label and ": ".
            let prompt = t.wait_prompt(": ");
            all.push_str(&prompt);
            t.type_line(&field);
        }
    }
    (seen, all)
}

#[test]
fn a_tester_walks_the_whole_happy_path_in_the_terminal() {
    let Some(mut t) = Pty::spawn("run --lang en --doc passport --person 15859010099") else {
        panic!("`script` (util-linux) is needed for the pseudo-terminal");
    };
    let (seen, all) = walk(
        &mut t,
        "158590 10099",
        "+47 912 34 567",
        "Passport or ID card",
        "",
    );
    let status = t.child.wait().unwrap();
    assert!(status.success(), "exit status {status}");
    assert_eq!(
        seen.last().map(String::as_str),
        Some("complete"),
        "{seen:?}"
    );
    for screen in [
        "sms_code",
        "mrz_scan",
        "chip_info",
        "face_info",
        "sign_agreement",
    ] {
        assert!(
            seen.iter().any(|s| s == screen),
            "{screen} not shown: {seen:?}"
        );
    }
    // The chip read's progress bar was drawn, and the read's steps listed.
    assert!(
        all.contains("chip [") && all.contains("] done"),
        "no progress bar"
    );
    assert!(all.contains("chip: read and verified"), "no chip summary");
    assert!(
        all.contains("passive_authentication") && all.contains("passed"),
        "no verification steps"
    );
    assert!(all.contains("Welcome to BankID"), "English texts");
}

#[test]
fn the_code_unit_path_in_the_terminal() {
    // The code-unit customer of Testbanken: the one-time code from the code
    // unit the terminal shows, and their current password.
    let Some(mut t) = Pty::spawn("run --lang en --person 03028810023") else {
        panic!("`script` (util-linux) is needed for the pseudo-terminal");
    };
    let (seen, all) = walk(
        &mut t,
        "03028810023",
        "+4741234568",
        "Code unit",
        "Skog7Hytte2",
    );
    assert!(t.child.wait().unwrap().success());
    assert_eq!(
        seen.last().map(String::as_str),
        Some("complete"),
        "{seen:?}"
    );
    assert!(seen.iter().any(|s| s == "code_unit"), "{seen:?}");
    assert!(!seen.iter().any(|s| s == "chip_scan"), "{seen:?}");
    assert!(!all.contains("chip ["), "no chip read on this path");
}
