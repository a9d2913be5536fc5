//! A sandbox on loopback TLS with a manual clock, and a pinned client.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use aktiver_protocol::endpoints::{self as ep, Endpoint, with_session};
use aktiver_sandbox::{ManualClock, Rules, RunningServer, ServerOptions};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::EncodePublicKey;
use serde_json::{Value, json};

/// Person 1 of the default population: all methods, code unit, password.
pub const NIN: &str = "15859010099";
pub const PHONE: &str = "+4791234567";
pub const PASSWORD: &str = "Fjord9Lyng4";
pub const CODE_UNIT_SECRET: &[u8] = b"12345678901234567890";
/// Person 2: code unit only.
pub const NIN2: &str = "03028810023";
pub const PHONE2: &str = "+4741234568";
pub const T0: i64 = 1_800_000_000;

pub struct Sandbox {
    pub server: Option<RunningServer>,
    pub clock: ManualClock,
    pub http: reqwest::Client,
    pub url: String,
    next_key: AtomicU64,
}

pub async fn start() -> Sandbox {
    start_with(None, Rules::for_tests(), ManualClock::new(T0)).await
}

pub async fn start_with(
    db: Option<std::path::PathBuf>,
    rules: Rules,
    clock: ManualClock,
) -> Sandbox {
    start_full(db, None, rules, clock).await
}

pub async fn start_opts(population: Option<String>, rules: Rules) -> Sandbox {
    start_full(None, population, rules, ManualClock::new(T0)).await
}

pub async fn start_full(
    db: Option<std::path::PathBuf>,
    population: Option<String>,
    rules: Rules,
    clock: ManualClock,
) -> Sandbox {
    let opts = ServerOptions {
        db,
        population,
        rules,
        clock: Arc::new(clock.clone()),
        ..ServerOptions::default()
    };
    start_opts_full(opts, clock).await
}

/// A sandbox trusting extra CSCAs (PEM, DER or master lists).
pub async fn start_trusting(trust: Vec<Vec<u8>>) -> Sandbox {
    let clock = ManualClock::new(T0);
    let opts = ServerOptions {
        rules: Rules::for_tests(),
        clock: Arc::new(clock.clone()),
        trust,
        ..ServerOptions::default()
    };
    start_opts_full(opts, clock).await
}

pub async fn start_opts_full(opts: ServerOptions, clock: ManualClock) -> Sandbox {
    let server = aktiver_sandbox::start(opts).await.expect("server starts");
    assert!(server.url.starts_with("https://127.0.0.1:"));
    let http = aktiver_sandbox::client::pinned_client(server.pin.as_deref()).expect("client");
    Sandbox {
        url: server.url.clone(),
        server: Some(server),
        clock,
        http,
        next_key: AtomicU64::new(1),
    }
}

pub struct Reply {
    pub status: u16,
    pub body: Value,
}

impl Reply {
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
}

impl Sandbox {
    pub fn key(&self) -> String {
        let mut r = [0u8; 8];
        getrandom::fill(&mut r).unwrap();
        format!(
            "test-key-{:08}-{}",
            self.next_key.fetch_add(1, Ordering::SeqCst),
            u64::from_le_bytes(r)
        )
    }

    pub fn log(&self) -> Vec<String> {
        self.server
            .as_ref()
            .map(|s| s.log_lines())
            .unwrap_or_default()
    }

    pub async fn stop(&mut self) {
        if let Some(s) = self.server.take() {
            s.stop().await;
        }
    }

    pub async fn raw(
        &self,
        method: reqwest::Method,
        path: &str,
        key: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Reply {
        let mut r = self.http.request(method, format!("{}{}", self.url, path));
        if let Some(k) = key {
            r = r.header(aktiver_protocol::IDEMPOTENCY_KEY_HEADER, k);
        }
        if let Some(b) = body {
            r = r.header("content-type", "application/json").body(b);
        }
        let resp = r.send().await.expect("request");
        let status = resp.status().as_u16();
        let ct = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let bytes = resp.bytes().await.expect("body");
        assert!(
            ct.starts_with("application/json"),
            "{status} {path}: content-type {ct:?}"
        );
        let body: Value = serde_json::from_slice(&bytes).expect("JSON body");
        assert_ne!(status, 500, "{path}: {body}");
        Reply { status, body }
    }

    pub async fn post_key(&self, path: &str, key: &str, body: Value) -> Reply {
        self.raw(
            reqwest::Method::POST,
            path,
            Some(key),
            Some(body.to_string().into_bytes()),
        )
        .await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.post_key(path, &self.key(), body).await
    }

    pub async fn call(&self, e: Endpoint, sid: &str, body: Value) -> Reply {
        self.post(&with_session(e, sid), body).await
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.raw(reqwest::Method::GET, path, None, None).await
    }

    pub async fn start_session(&self, nin: &str) -> Reply {
        self.post(ep::START_SESSION.path, json!({ "national_id": nin }))
            .await
    }

    /// A new session's id (the start must succeed).
    pub async fn new_session(&self, nin: &str) -> String {
        let r = self.start_session(nin).await;
        r.body["session_id"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {}", r.body))
            .to_owned()
    }

    /// A client of this server calling from another loopback address.
    pub fn client_from(&self, ip: [u8; 4]) -> reqwest::Client {
        reqwest::Client::builder()
            .use_preconfigured_tls(
                aktiver_sandbox::tls::pinned_client_config(
                    self.server.as_ref().unwrap().pin.as_deref().unwrap(),
                )
                .unwrap(),
            )
            .local_address(std::net::IpAddr::from(ip))
            .build()
            .unwrap()
    }

    /// The newest SMS code for `phone` from the sandbox inbox.
    pub async fn sms_code(&self, phone: &str) -> String {
        let inbox = aktiver_sandbox::client::fetch_inbox(
            &self.url,
            self.server.as_ref().and_then(|s| s.pin.as_deref()),
            Some(phone),
        )
        .await
        .expect("inbox");
        inbox
            .messages
            .first()
            .expect("a message")
            .code
            .expose()
            .to_owned()
    }

    /// Session → phone → SMS verified. Returns the session id.
    pub async fn to_method(&self, nin: &str, phone: &str) -> String {
        let r = self.start_session(nin).await;
        assert_eq!(r.status, 201, "{}", r.body);
        let sid = r.body["session_id"].as_str().unwrap().to_owned();
        let r = self
            .call(ep::SUBMIT_PHONE, &sid, json!({ "phone": phone }))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let code = self.sms_code(phone).await;
        let r = self
            .call(ep::VERIFY_SMS, &sid, json!({ "code": code }))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["step"], "method");
        sid
    }

    pub fn otp(&self) -> String {
        self.otp_for(NIN)
    }

    pub fn otp_for(&self, nin: &str) -> String {
        use aktiver_sandbox::Clock;
        let secret: &[u8] = if nin == NIN2 {
            b"12345678901234567891"
        } else {
            CODE_UNIT_SECRET
        };
        aktiver_sandbox::otp::totp(secret, self.clock.now())
    }

    /// ... → code unit → device bound. Returns (session id, device key).
    pub async fn to_finish(&self, nin: &str, phone: &str, password: &str) -> (String, SigningKey) {
        let sid = self.to_method(nin, phone).await;
        let r = self
            .call(ep::CHOOSE_METHOD, &sid, json!({ "method": "code_unit" }))
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = self
            .call(
                ep::CODE_UNIT,
                &sid,
                json!({ "otp": self.otp_for(nin), "password": password }),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let key = new_key();
        let r = self.register_key(ep::REGISTER_DEVICE, &sid, &key).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["step"], "finish");
        (sid, key)
    }

    pub async fn register_key(&self, e: Endpoint, sid: &str, key: &SigningKey) -> Reply {
        let r = self.call(ep::CHALLENGE, sid, json!({})).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let ch =
            aktiver_protocol::decode_b64("c", r.body["challenge_b64"].as_str().unwrap()).unwrap();
        self.call(e, sid, key_registration(key, &ch)).await
    }

    pub async fn sign_agreement(&self, sid: &str, key: &SigningKey, password: &str) -> Reply {
        let a = self.get(ep::GET_AGREEMENT.path).await;
        let digest =
            aktiver_protocol::decode_b64("d", a.body["sha256_b64"].as_str().unwrap()).unwrap();
        let sig: Signature = key.sign(&digest);
        self.call(
            ep::SIGN_AGREEMENT,
            sid,
            json!({ "agreement_id": a.body["id"], "signature_b64": aktiver_protocol::encode_b64(sig.to_der().as_bytes()), "password": password }),
        )
        .await
    }
}

pub fn new_key() -> SigningKey {
    loop {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b).unwrap();
        if let Ok(k) = SigningKey::from_slice(&b) {
            return k;
        }
    }
}

pub fn key_registration(key: &SigningKey, challenge: &[u8]) -> Value {
    let spki = key.verifying_key().to_public_key_der().unwrap();
    let sig: Signature = key.sign(challenge);
    json!({
        "public_key_spki_b64": aktiver_protocol::encode_b64(spki.as_bytes()),
        "signature_b64": aktiver_protocol::encode_b64(sig.to_der().as_bytes()),
    })
}
