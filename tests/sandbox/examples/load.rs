//! Load driver: N concurrent activations through the whole protocol over
//! loopback TLS, then an audit of the stored records; then N more beside an
//! abusive client hammering `POST /v1/sessions` from one address, to show
//! the per-client limits keep the others' latency.
//!
//! `cargo run --release -p aktiver-sandbox --example load -- [N]` (default 200).
//! The abuser runs in a process of its own at nice 19 (`spawn_abuser`).
//! Each activation is its own client with its own loopback address
//! (127.1.x.y), as phones would be; the abuser is 127.0.0.99.
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

/// A pinned client bound to its own loopback address.
fn client_at(pin: &str, ip: std::net::IpAddr) -> reqwest::Client {
    reqwest::Client::builder()
        .use_preconfigured_tls(aktiver_sandbox::tls::pinned_client_config(pin).unwrap())
        .local_address(ip)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
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

/// Runs `nins` activations at once, each from its own address.
async fn wave(
    url: &str,
    pin: &str,
    nins: &[String],
    phones: &[String],
    first_client: usize,
) -> (Duration, usize, BTreeMap<&'static str, Vec<Duration>>) {
    let lat: Latencies = Arc::default();
    let t = Instant::now();
    let tasks: Vec<_> = nins
        .iter()
        .cloned()
        .zip(phones.iter().cloned())
        .enumerate()
        .map(|(i, (nin, phone))| {
            let c = first_client + i;
            let ip = std::net::IpAddr::from([127, 1, (c / 250) as u8, (c % 250 + 1) as u8]);
            let d = Driver {
                http: client_at(pin, ip),
                url: url.to_owned(),
                lat: lat.clone(),
            };
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
    let lat = lat.lock().await.clone();
    (wall, errors, lat)
}

fn report(
    title: &str,
    n: usize,
    wall: Duration,
    errors: usize,
    lat: &BTreeMap<&str, Vec<Duration>>,
) -> BTreeMap<String, f64> {
    let requests: usize = lat.values().map(Vec::len).sum();
    println!("\n## {title}");
    println!(
        "activations: {n} concurrent, errors: {errors}, wall {:.2}s",
        wall.as_secs_f64()
    );
    println!(
        "throughput: {:.1} activations/s, {:.1} requests/s ({requests} requests)",
        n as f64 / wall.as_secs_f64(),
        requests as f64 / wall.as_secs_f64()
    );
    println!("| endpoint | calls | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|");
    let mut p99 = BTreeMap::new();
    for (name, v) in lat.iter() {
        let mut v = v.clone();
        v.sort();
        println!(
            "| {name} | {} | {:.1} | {:.1} |",
            v.len(),
            pct(&v, 0.5),
            pct(&v, 0.99)
        );
        p99.insert((*name).to_owned(), pct(&v, 0.99));
    }
    p99
}

/// Hammers `POST /v1/sessions` from one address with `conns` loops until
/// `stop`; returns (requests, of which refused with 429).
async fn abuse(
    url: String,
    pin: String,
    conns: usize,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> (u64, u64) {
    use std::sync::atomic::Ordering;
    let http = client_at(&pin, std::net::IpAddr::from([127, 0, 0, 99]));
    let tasks: Vec<_> = (0..conns)
        .map(|i| {
            let (http, url, stop) = (http.clone(), url.clone(), stop.clone());
            tokio::spawn(async move {
                let (mut n, mut refused) = (0u64, 0u64);
                while !stop.load(Ordering::Relaxed) {
                    let r = http
                        .post(format!("{url}{}", ep::START_SESSION.path))
                        .header(IDEMPOTENCY_KEY_HEADER, format!("abuse-{i}-{n}"))
                        .json(&json!({ "national_id": "07090310180" }))
                        .send()
                        .await;
                    n += 1;
                    if let Ok(r) = r {
                        refused += u64::from(r.status().as_u16() == 429);
                        let _ = r.bytes().await;
                    }
                }
                (n, refused)
            })
        })
        .collect();
    let (mut n, mut refused) = (0, 0);
    for t in tasks {
        if let Ok((a, b)) = t.await {
            n += a;
            refused += b;
        }
    }
    (n, refused)
}

/// The abuser's own process (`load --abuser URL PIN`): hammers until its
/// stdin closes, then prints "requests refused".
async fn abuser_process(url: String, pin: String) {
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop2 = stop.clone();
    std::thread::spawn(move || {
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut Vec::new());
        stop2.store(true, std::sync::atomic::Ordering::Relaxed);
    });
    let (n, refused) = abuse(url, pin, 32, stop).await;
    println!("{n} {refused}");
}

/// Starts the abuser in a process of its own at the lowest CPU priority: on
/// a real service its client runs on its own machine, so here its client side
/// must not take the CPU the server and the honest clients need. The server's
/// work of refusing it is measured in full.
fn spawn_abuser(url: &str, pin: &str) -> std::process::Child {
    let exe = std::env::current_exe().expect("own path");
    std::process::Command::new("nice")
        .args(["-n", "19"])
        .arg(exe)
        .args(["--abuser", url, pin])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("abuser process")
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--abuser") {
        abuser_process(args[2].clone(), args[3].clone()).await;
        return;
    }
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(200);
    // Two waves of n, each person activating once (a code-unit code is used once).
    let nins = synthetic_nins(2 * n);
    assert_eq!(nins.len(), 2 * n);
    let phones: Vec<String> = (0..2 * n).map(|i| format!("+4790{i:06}")).collect();
    let mut toml = String::new();
    for (nin, phone) in nins.iter().zip(&phones) {
        toml.push_str(&format!(
            "[[person]]\nnational_id = \"{nin}\"\nphone = \"{phone}\"\nmethods = [\"code_unit\"]\ncode_unit_secret = \"{SECRET_HEX}\"\npassword = \"{PASSWORD}\"\n"
        ));
    }
    let t_load = Instant::now();
    let server = aktiver_sandbox::start(ServerOptions {
        population: Some(toml),
        // The service's Argon2id cost is kept: it is what an abuser would aim at.
        rules: Rules {
            max_connections_per_client: 16,
            ..Rules::default()
        },
        ..Default::default()
    })
    .await
    .expect("server");
    eprintln!(
        "server up with {} persons in {:.2?}",
        2 * n,
        t_load.elapsed()
    );
    let pin = server.pin.clone().unwrap();

    let (wall, errors_a, lat_a) = wave(&server.url, &pin, &nins[..n], &phones[..n], 0).await;
    let base = report("alone", n, wall, errors_a, &lat_a);

    let mut abuser = spawn_abuser(&server.url, &pin);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (wall, errors_b, lat_b) = wave(&server.url, &pin, &nins[n..], &phones[n..], n).await;
    drop(abuser.stdin.take());
    let counts = tokio::task::spawn_blocking(move || abuser.wait_with_output())
        .await
        .expect("join")
        .expect("abuser output");
    let counts = String::from_utf8_lossy(&counts.stdout);
    let mut counts = counts
        .split_whitespace()
        .map(|x| x.parse::<u64>().unwrap_or(0));
    let (abuse_n, abuse_refused) = (counts.next().unwrap_or(0), counts.next().unwrap_or(0));
    let beside = report(
        "beside an abusive client (32 loops on POST /v1/sessions from one address, own process at nice 19)",
        n,
        wall,
        errors_b,
        &lat_b,
    );
    println!(
        "abuser: {abuse_n} requests in {:.1}s, {abuse_refused} refused with 429",
        wall.as_secs_f64()
    );
    let mut worst = 0.0f64;
    println!("\n| endpoint | p99 alone ms | p99 beside abuser ms | ratio |");
    println!("|---|---:|---:|---:|");
    for (name, a) in &base {
        let b = beside.get(name).copied().unwrap_or(0.0);
        let ratio = if *a > 0.0 { b / a } else { 0.0 };
        worst = worst.max(ratio);
        println!("| {name} | {a:.1} | {b:.1} | {ratio:.2} |");
    }
    println!("worst p99 ratio: {worst:.2} (limit 2.0)");

    // Audit: one active device per person, every session complete, one SMS each.
    let (devices, complete, sms, dup) = {
        let conn = server.app.db.lock().unwrap();
        let q = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
        (
            q("SELECT COUNT(*) FROM devices WHERE revoked_at IS NULL"),
            q("SELECT COUNT(*) FROM sessions WHERE json_extract(data, '$.state') = 'complete'"),
            q("SELECT COUNT(*) FROM sms WHERE delivered = 1"),
            q(
                "SELECT COUNT(*) FROM (SELECT nin_mac FROM devices GROUP BY nin_mac HAVING COUNT(*) > 1)",
            ),
        )
    };
    println!(
        "audit: active devices {devices}, complete sessions {complete}, SMS {sms}, persons with >1 device {dup}"
    );
    let want = 2 * n as i64;
    let ok = errors_a + errors_b == 0
        && devices == want
        && complete == want
        && sms == want
        && dup == 0
        && worst <= 2.0;
    server.stop().await;
    if !ok {
        eprintln!("LOAD RUN FAILED");
        std::process::exit(1);
    }
}
