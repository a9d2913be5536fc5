//! Load driver: N concurrent activations through the whole protocol over
//! loopback TLS, then an audit of the stored records.
//!
//! `cargo run -p aktiver-sandbox --example load -- [N]` (default 200).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aktiver_protocol::endpoints::{self as ep, Endpoint, with_session};
use aktiver_protocol::{IDEMPOTENCY_KEY_HEADER, decode_b64, encode_b64};
use aktiver_sandbox::{Clock, Rules, ServerOptions, SystemClock};
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::EncodePublicKey;
use serde_json::{Value, json};
use tokio::sync::Mutex;

const SECRET_HEX: &str = "3132333435363738393031323334353637383930";
const PASSWORD: &str = "Fjord9Lyng4";

/// Synthetic (Tenor, month + 80) identity numbers with valid check digits.
fn synthetic_nins(n: usize) -> Vec<String> {
    let mut out = Vec::with_capacity(n);
    'outer: for year in 70..100u32 {
        for month in 1..=12u32 {
            for day in 1..=28u32 {
                for ind in 100..500u32 {
                    let s = format!("{day:02}{:02}{year:02}{ind:03}", month + 80);
                    let d: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
                    let first9: [u8; 9] = d.clone().try_into().unwrap();
                    let Some(k1) = aktiver_nin::classic_k1(&first9) else {
                        continue;
                    };
                    let mut ten = d.clone();
                    ten.push(k1);
                    let Some(k2) = aktiver_nin::k2(&ten.clone().try_into().unwrap()) else {
                        continue;
                    };
                    out.push(format!("{s}{k1}{k2}"));
                    if out.len() == n {
                        break 'outer;
                    }
                    break;
                }
            }
        }
    }
    out
}

type Latencies = Arc<Mutex<BTreeMap<&'static str, Vec<Duration>>>>;

struct Driver {
    http: reqwest::Client,
    url: String,
    lat: Latencies,
}

impl Driver {
    async fn call(&self, name: &'static str, e: Endpoint, sid: &str, body: Value) -> Value {
        let mut k = [0u8; 12];
        getrandom::fill(&mut k).unwrap();
        let t = Instant::now();
        let r = self
            .http
            .post(format!("{}{}", self.url, with_session(e, sid)))
            .header(IDEMPOTENCY_KEY_HEADER, encode_b64(&k))
            .json(&body)
            .send()
            .await
            .expect("send");
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        self.lat
            .lock()
            .await
            .entry(name)
            .or_default()
            .push(t.elapsed());
        assert!(status.is_success(), "{name}: {status} {v}");
        v
    }

    async fn get(&self, name: &'static str, path: String) -> Value {
        let t = Instant::now();
        let r = self
            .http
            .get(format!("{}{}", self.url, path))
            .send()
            .await
            .expect("send");
        let status = r.status();
        let v: Value = r.json().await.expect("json");
        self.lat
            .lock()
            .await
            .entry(name)
            .or_default()
            .push(t.elapsed());
        assert!(status.is_success(), "{name}: {status} {v}");
        v
    }

    async fn register(&self, name: &'static str, e: Endpoint, sid: &str, key: &SigningKey) {
        let c = self.call("challenge", ep::CHALLENGE, sid, json!({})).await;
        let ch = decode_b64("c", c["challenge_b64"].as_str().unwrap()).unwrap();
        let sig: Signature = key.sign(&ch);
        let spki = key.verifying_key().to_public_key_der().unwrap();
        self.call(
            name,
            e,
            sid,
            json!({ "public_key_spki_b64": encode_b64(spki.as_bytes()), "signature_b64": encode_b64(sig.to_der().as_bytes()) }),
        )
        .await;
    }

    async fn activate(&self, nin: &str, phone: &str) {
        let s = self
            .call(
                "start_session",
                ep::START_SESSION,
                "",
                json!({ "national_id": nin }),
            )
            .await;
        let sid = s["session_id"].as_str().unwrap().to_owned();
        self.call(
            "submit_phone",
            ep::SUBMIT_PHONE,
            &sid,
            json!({ "phone": phone }),
        )
        .await;
        let inbox = self
            .get(
                "sandbox_sms",
                format!(
                    "{}?phone={}",
                    ep::SANDBOX_SMS.path,
                    phone.replace('+', "%2B")
                ),
            )
            .await;
        let code = inbox["messages"][0]["code"].as_str().unwrap().to_owned();
        self.call("verify_sms", ep::VERIFY_SMS, &sid, json!({ "code": code }))
            .await;
        self.call(
            "choose_method",
            ep::CHOOSE_METHOD,
            &sid,
            json!({ "method": "code_unit" }),
        )
        .await;
        let secret = aktiver_sandbox::otp::decode_hex(SECRET_HEX).unwrap();
        let otp = aktiver_sandbox::otp::totp(&secret, SystemClock.now());
        self.call(
            "code_unit",
            ep::CODE_UNIT,
            &sid,
            json!({ "otp": otp, "password": PASSWORD }),
        )
        .await;
        let device = key();
        self.register("register_device", ep::REGISTER_DEVICE, &sid, &device)
            .await;
        self.call(
            "push_token",
            ep::PUSH_TOKEN,
            &sid,
            json!({ "platform": "apns", "token": format!("tok-{sid}") }),
        )
        .await;
        self.register("biometric_key", ep::BIOMETRIC_KEY, &sid, &key())
            .await;
        let a = self
            .get("get_agreement", ep::GET_AGREEMENT.path.to_owned())
            .await;
        let digest = decode_b64("d", a["sha256_b64"].as_str().unwrap()).unwrap();
        let sig: Signature = device.sign(&digest);
        let done = self
            .call(
                "sign_agreement",
                ep::SIGN_AGREEMENT,
                &sid,
                json!({ "agreement_id": a["id"], "signature_b64": encode_b64(sig.to_der().as_bytes()), "password": PASSWORD }),
            )
            .await;
        assert_eq!(done["step"], "complete");
    }
}

fn key() -> SigningKey {
    loop {
        let mut b = [0u8; 32];
        getrandom::fill(&mut b).unwrap();
        if let Ok(k) = SigningKey::from_slice(&b) {
            return k;
        }
    }
}

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let nins = synthetic_nins(n);
    assert_eq!(nins.len(), n);
    let phones: Vec<String> = (0..n).map(|i| format!("+4790{i:06}")).collect();
    let mut toml = String::new();
    for (nin, phone) in nins.iter().zip(&phones) {
        toml.push_str(&format!(
            "[[person]]\nnational_id = \"{nin}\"\nphone = \"{phone}\"\nmethods = [\"code_unit\"]\ncode_unit_secret = \"{SECRET_HEX}\"\npassword = \"{PASSWORD}\"\n"
        ));
    }
    let t_load = Instant::now();
    let server = aktiver_sandbox::start(ServerOptions {
        population: Some(toml),
        rules: Rules::fast_kdf(),
        ..Default::default()
    })
    .await
    .expect("server");
    eprintln!("server up with {n} persons in {:.2?}", t_load.elapsed());
    let http = aktiver_sandbox::client::pinned_client(server.pin.as_deref()).unwrap();
    let lat: Latencies = Arc::default();
    let driver = Arc::new(Driver {
        http,
        url: server.url.clone(),
        lat: lat.clone(),
    });
    let t = Instant::now();
    let tasks: Vec<_> = nins
        .iter()
        .cloned()
        .zip(phones.iter().cloned())
        .map(|(nin, phone)| {
            let d = driver.clone();
            tokio::spawn(async move { d.activate(&nin, &phone).await })
        })
        .collect();
    let mut errors = 0;
    for task in tasks {
        if task.await.is_err() {
            errors += 1;
        }
    }
    let wall = t.elapsed();

    // Audit: exactly one active device per person, every session complete, one SMS each.
    let (devices, complete, sms, dup) = {
        let conn = server.app.db.lock().unwrap();
        let q = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        (
            q("SELECT COUNT(*) FROM devices WHERE revoked_at IS NULL"),
            q("SELECT COUNT(*) FROM sessions WHERE json_extract(data, '$.state') = 'complete'"),
            q("SELECT COUNT(*) FROM sms"),
            q("SELECT COUNT(*) FROM (SELECT nin FROM devices GROUP BY nin HAVING COUNT(*) > 1)"),
        )
    };
    let lat = lat.lock().await;
    let requests: usize = lat.values().map(Vec::len).sum();
    println!(
        "activations: {n} concurrent, errors: {errors}, wall {:.2}s",
        wall.as_secs_f64()
    );
    println!(
        "throughput: {:.1} activations/s, {:.1} requests/s ({requests} requests)",
        n as f64 / wall.as_secs_f64(),
        requests as f64 / wall.as_secs_f64()
    );
    println!(
        "audit: active devices {devices}, complete sessions {complete}, SMS {sms}, persons with >1 device {dup}"
    );
    println!(
        "{:<16} {:>6} {:>9} {:>9}",
        "endpoint", "calls", "p50 ms", "p99 ms"
    );
    for (name, v) in lat.iter() {
        let mut v = v.clone();
        v.sort();
        println!(
            "{name:<16} {:>6} {:>9.1} {:>9.1}",
            v.len(),
            pct(&v, 0.5),
            pct(&v, 0.99)
        );
    }
    let ok =
        errors == 0 && devices == n as i64 && complete == n as i64 && sms == n as i64 && dup == 0;
    server.stop().await;
    if !ok {
        eprintln!("LOAD RUN FAILED");
        std::process::exit(1);
    }
}
