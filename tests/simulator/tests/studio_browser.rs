//! `aktiver-sim studio` in a real browser: Debian's Chromium, headless,
//! driven over WebDriver (chromedriver) with a small HTTP client. Walks the
//! whole happy path with a passport by clicking and typing, then a failure
//! (a wrong SMS code, then a tampered chip), saving a screenshot of every
//! screen under target/tmp/studio-screens/.
//!
//! Ignored in plain `cargo test`: tests/studio-browser.sh installs Chromium
//! when it is missing and runs it (CI does, from tests/run-all.sh).
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

mod common;
use common::{Killed, start_studio};

/// HTTP/1.1 on loopback, enough for WebDriver: the body is read by its
/// Content-Length (chromedriver keeps connections open despite `close`).
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(120))).ok();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).map_err(|e| e.to_string())?;
    let mut r = BufReader::new(s);
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            return Err("connection closed in the header".into());
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut raw = Vec::new();
    match length {
        Some(n) => {
            raw.resize(n, 0);
            r.read_exact(&mut raw).map_err(|e| e.to_string())?;
        }
        None => {
            r.read_to_end(&mut raw).map_err(|e| e.to_string())?;
        }
    }
    let body = String::from_utf8_lossy(&raw);
    serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))
}

struct Browser {
    port: u16,
    session: String,
    shots: PathBuf,
    shot_no: u32,
}

/// Ends the WebDriver session (and so the browser) however the test ends:
/// chromedriver's own exit leaves Chromium running.
impl Drop for Browser {
    fn drop(&mut self) {
        let _ = http(
            self.port,
            "DELETE",
            &format!("/session/{}", self.session),
            None,
        );
    }
}

impl Browser {
    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let p = format!("/session/{}{path}", self.session);
        let v = http(self.port, method, &p, body.as_ref()).unwrap();
        if let Some(err) = v["value"]["error"].as_str() {
            panic!(
                "WebDriver {method} {path}: {err}: {}",
                v["value"]["message"]
            );
        }
        v["value"].clone()
    }

    fn js(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    fn find(&self, css: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let p = format!("/session/{}/element", self.session);
            let v = http(
                self.port,
                "POST",
                &p,
                Some(&json!({ "using": "css selector", "value": css })),
            )
            .unwrap();
            if let Some(obj) = v["value"].as_object()
                && let Some(id) = obj.values().next().and_then(Value::as_str)
                && !obj.contains_key("error")
            {
                return id.to_owned();
            }
            assert!(Instant::now() < deadline, "no element {css}: {v}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Clicks, finding the element again if the page redrew it meanwhile.
    fn click(&self, css: &str) {
        for _ in 0..5 {
            let id = self.find(css);
            let p = format!("/session/{}/element/{id}/click", self.session);
            let v = http(self.port, "POST", &p, Some(&json!({}))).unwrap();
            match v["value"]["error"].as_str() {
                None => return,
                Some("stale element reference") => continue,
                Some(e) => panic!("click {css}: {e}: {}", v["value"]["message"]),
            }
        }
        panic!("click {css}: the element kept going stale");
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.cmd("POST", &format!("/element/{id}/clear"), Some(json!({})));
        self.cmd(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// The page's state once nothing runs and the drawn screen is the flow's.
    fn settled(&self) -> Value {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            let v = self.js("return (typeof state === 'undefined' || !state) ? null : \
                 { name: state.view.name, running: state.running, busy: state.view.busy, \
                   drawn: document.getElementById('screen').dataset.screen, \
                   screen: state.view.screen, sms: state.sms, error: state.error };");
            if !v.is_null()
                && v["running"] == false
                && v["busy"] == false
                && v["drawn"] == v["name"]
            {
                return v;
            }
            assert!(Instant::now() < deadline, "the page did not settle: {v}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the flow shows a screen other than `from` (or `until` holds).
    fn wait_change(&self, from: &Value, until: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let v = self.settled();
            if v["name"] != from["name"] || until(&v) {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "still on {} ({})",
                v["name"],
                v["error"]
            );
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn screenshot(&mut self, name: &str) {
        let b64 = self.cmd("GET", "/screenshot", None);
        let png = aktiver_protocol::decode_b64("screenshot", b64.as_str().unwrap()).unwrap();
        self.shot_no += 1;
        let path = self.shots.join(format!("{:02}-{name}.png", self.shot_no));
        std::fs::write(&path, png).unwrap();
    }
}

fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names.iter().find_map(|n| {
        std::env::split_paths(&path)
            .map(|d| d.join(n))
            .find(|p| p.is_file())
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap()
}

const NEW_PASSWORD: &str = "Fjell8Bekk3";

/// What the tester does on each screen of the happy path.
fn happy_move(b: &Browser, v: &Value) -> Value {
    let name = v["name"].as_str().unwrap_or_default();
    match name {
        "welcome" => b.click("#a-get_started"),
        // The tester types the number and phone of the person the page shows.
        "national_id" => {
            let nin = b.js("return state.person.national_id;");
            b.type_into("#f-submit_national_id-value", nin.as_str().unwrap());
            b.click("#submit-submit_national_id");
        }
        "phone" => {
            let phone = b.js("return state.person.phone;");
            b.type_into("#f-submit_phone-value", phone.as_str().unwrap());
            b.click("#submit-submit_phone");
        }
        "sms_code" => {
            // The tester reads the code in the SMS panel beside the phone.
            let id = b.find("#sms .sms-code");
            let code = b.cmd("GET", &format!("/element/{id}/text"), None);
            b.type_into("#f-submit_sms_code-code", code.as_str().unwrap());
            b.click("#submit-submit_sms_code");
        }
        "activation_method" => b.click("#m-id_check"),
        "choose_document" => b.click("#d-passport"),
        "mrz_scan" => b.click("#film-until-read"),
        "new_password" => {
            b.type_into("#f-submit_new_password-password", NEW_PASSWORD);
            b.type_into("#f-submit_new_password-repeat", NEW_PASSWORD);
            b.click("#submit-submit_new_password");
        }
        "biometrics_terms" | "agreement" if v["screen"]["accepted"] == false => {
            b.click("#c-set_accepted");
            return b.wait_change(v, |n| n["screen"]["accepted"] == true);
        }
        "sign_agreement" => {
            b.type_into("#f-sign_agreement-password", NEW_PASSWORD);
            b.click("#submit-sign_agreement");
        }
        "failed" | "cancelled" | "complete" => panic!("no move on {name}: {v}"),
        _ => b.click("#a-continue"),
    }
    b.wait_change(v, |_| false)
}

#[test]
#[ignore = "needs Chromium and chromedriver: run by tests/studio-browser.sh"]
fn studio_in_chromium_happy_path_and_failures() {
    let Some(driver) = which(&["chromedriver"]) else {
        if std::env::var_os("AKTIVER_BROWSER_REQUIRED").is_some() {
            panic!("chromedriver not found and AKTIVER_BROWSER_REQUIRED is set");
        }
        eprintln!(
            "SKIP studio browser test: chromedriver not found (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let chromium = which(&["chromium", "chromium-browser", "google-chrome"]);
    let shots = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("studio-screens");
    let _ = std::fs::remove_dir_all(&shots);
    std::fs::create_dir_all(&shots).unwrap();

    let port = free_port();
    let _driver = Killed(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let (_studio, url) = start_studio(&["--lang", "en", "--doc", "passport"]);

    let deadline = Instant::now() + Duration::from_secs(20);
    while http(port, "GET", "/status", None).map(|v| v["value"]["ready"] == true) != Ok(true) {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut opts = json!({ "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
        "--disable-dev-shm-usage", "--window-size=1280,900"] });
    if let Some(c) = chromium {
        opts["binary"] = json!(c);
    }
    let s = http(
        port,
        "POST",
        "/session",
        Some(&json!({ "capabilities": { "alwaysMatch": { "goog:chromeOptions": opts } } })),
    )
    .unwrap();
    let session = s["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no WebDriver session: {s}"))
        .to_owned();
    let mut b = Browser {
        port,
        session,
        shots,
        shot_no: 0,
    };
    b.cmd("POST", "/url", Some(json!({ "url": url })));

    // The happy path, every screen photographed.
    let mut v = b.settled();
    let mut seen = Vec::new();
    for _ in 0..60 {
        let name = v["name"].as_str().unwrap().to_owned();
        if seen.last() != Some(&name) {
            b.screenshot(&name);
            seen.push(name.clone());
        }
        if name == "complete" {
            break;
        }
        v = happy_move(&b, &v);
    }
    assert_eq!(
        seen.last().map(String::as_str),
        Some("complete"),
        "{seen:?}"
    );
    for name in [
        "sms_code",
        "mrz_scan",
        "chip_info",
        "face_info",
        "agreement",
    ] {
        assert!(seen.iter().any(|s| s == name), "{name} not shown: {seen:?}");
    }
    // The chip's portrait and a camera frame with its MRZ box were shown.
    let pictures = b.js(
        "return { portrait: !document.getElementById('portrait').hidden, \
                  frame: !document.getElementById('frame').hidden, \
                  box: document.querySelectorAll('#frame-box polygon').length };",
    );
    assert_eq!(
        pictures,
        json!({ "portrait": true, "frame": true, "box": 1 })
    );
    // Every step of the chip read and check passed, none failed.
    let results = b.js(
        "return { passed: document.querySelectorAll('#chip-steps .result-passed').length, \
                  failed: document.querySelectorAll('#chip-steps .result-failed').length };",
    );
    assert!(
        results["passed"].as_u64() >= Some(4) && results["failed"] == 0,
        "{results}"
    );

    // A failure: start over, type a wrong SMS code (the fault at that step).
    b.click("#reset");
    let mut v = b.wait_change(&json!({ "name": "complete" }), |_| false);
    assert_eq!(v["name"], "welcome");
    while v["name"] != "sms_code" {
        v = happy_move(&b, &v);
    }
    b.click("#fault-wrong_sms_code");
    let v = b.wait_change(&v, |n| !n["screen"]["error"].is_null());
    assert_eq!(v["screen"]["error"]["code"], "sms_code_wrong", "{v}");
    let shown = b.js("return document.getElementById('screen-error').textContent;");
    assert!(!shown.as_str().unwrap_or_default().is_empty());
    b.screenshot("sms_code-wrong-code");

    // ... and a tampered chip at the chip step: the phone refuses it.
    let mut v = v;
    while v["name"] != "chip_info" {
        v = happy_move(&b, &v);
    }
    b.click("#fault-tampered_chip");
    b.click("#a-continue");
    let v = b.wait_change(&v, |_| false);
    assert_eq!(v["name"], "failed", "{v}");
    assert_eq!(v["screen"]["code"], "document_not_authentic", "{v}");
    b.screenshot("failed-tampered-chip");
    // The chip panel names the step that failed.
    let failed = b.js(
        "const f = document.querySelector('#chip-steps .result-failed'); \
         return f ? f.parentElement.cells[0].textContent : null;",
    );
    assert_eq!(failed, "passive authentication");

    // The activation-code path, for the online bank's customer without a
    // password: the bank's QR filmed by the phone's camera.
    b.js("document.getElementById('people').value = '31129910065';");
    b.click("#reset");
    let mut v = b.wait_change(&json!({ "name": "failed" }), |_| false);
    let mut seen = Vec::new();
    for _ in 0..60 {
        let name = v["name"].as_str().unwrap().to_owned();
        if seen.last() != Some(&name) {
            seen.push(name.clone());
        }
        match name.as_str() {
            "complete" => break,
            "activation_method" => {
                b.click("#m-activation_code");
                v = b.wait_change(&v, |_| false);
            }
            "activation_code" => {
                b.screenshot("activation_code");
                b.click("#issue-code");
                b.find("#activation-code");
                for _ in 0..5 {
                    b.click("#film-qr");
                    v = b.wait_change(&v, |n| n["screen"]["feedback"].is_string());
                    if v["name"] != "activation_code" {
                        break;
                    }
                }
                assert_ne!(v["name"], "activation_code", "the QR was not read: {v}");
            }
            _ => v = happy_move(&b, &v),
        }
    }
    assert_eq!(
        seen.last().map(String::as_str),
        Some("complete"),
        "{seen:?}"
    );
    assert!(!seen.iter().any(|s| s == "chip_info"), "{seen:?}");
    b.screenshot("complete-activation-code");
}
