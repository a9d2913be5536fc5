//! Desktop stand-ins for what a phone gives `aktiver-flow`, and a sandbox
//! server to run it against. Used by `aktiver-sim demo`, `aktiver-sim
//! scenario` and the bindings' test support; never by production code.
//!
//! - [`caps`]: the virtual chip as NFC transport, the sandbox's simulated
//!   face-check provider, a software key store, file and memory storage,
//!   scripted permissions, a push token.
//! - [`document`]: a sandbox person's passport or ID card (MRZ and chip).
//! - [`face`]: a face check whose mismatch a tester can choose.
//! - [`net`]: a relay that can cut the network.
//! - [`qr`]: the camera filming the online bank's activation-code QR image.
//! - [`Sandbox`]: the sandbox server on loopback TLS, its SMS inbox, the
//!   online bank's activation codes and the code unit's one-time codes.
pub mod caps;
pub mod document;
pub mod face;
pub mod net;
pub mod qr;

use std::sync::Arc;

use aktiver_protocol::{ActivationCodeIssued, IssueActivationCodeRequest, Sensitive};
use aktiver_sandbox::{ManualClock, Rules, RunningServer, ServerOptions};
use aktiver_scan::synth::{Level, Scenario};

/// A sandbox server started in this process on loopback TLS.
pub struct Sandbox {
    pub server: RunningServer,
    pub url: String,
    pub pin: String,
    /// Moves the server's time (expiry and cooldown rules).
    pub clock: ManualClock,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

fn now_s() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

impl Sandbox {
    /// Starts the sandbox with the built-in population and these rules.
    pub async fn start(rules: Rules) -> Result<Sandbox, String> {
        Sandbox::start_with(rules, None).await
    }

    /// Starts the sandbox with this population (TOML; `None`: the built-in one).
    pub async fn start_with(rules: Rules, population: Option<String>) -> Result<Sandbox, String> {
        let clock = ManualClock::new(now_s());
        let server = aktiver_sandbox::start(ServerOptions {
            rules,
            clock: Arc::new(clock.clone()),
            population,
            ..ServerOptions::default()
        })
        .await
        .map_err(|e| e.to_string())?;
        let pin = server
            .pin
            .clone()
            .ok_or("the sandbox started without TLS")?;
        Ok(Sandbox {
            url: server.url.clone(),
            pin,
            server,
            clock,
        })
    }

    /// The newest SMS code sent to `phone` (E.164).
    pub async fn sms_code(&self, phone: &str) -> Option<String> {
        let inbox = aktiver_sandbox::client::fetch_inbox(&self.url, Some(&self.pin), Some(phone))
            .await
            .ok()?;
        inbox.messages.first().map(|m| m.code.expose().to_owned())
    }

    /// The online bank issues an activation code for `nin`.
    pub async fn activation_code(&self, nin: &str) -> Result<ActivationCodeIssued, String> {
        let client =
            aktiver_sandbox::client::pinned_client(Some(&self.pin)).map_err(|e| e.to_string())?;
        let resp = client
            .post(format!(
                "{}{}",
                self.url,
                aktiver_protocol::endpoints::SANDBOX_ACTIVATION_CODE.path
            ))
            .header(
                aktiver_protocol::IDEMPOTENCY_KEY_HEADER,
                aktiver_flow::client::new_idempotency_key(),
            )
            .json(&IssueActivationCodeRequest {
                national_id: Sensitive::new(nin),
            })
            .send()
            .await
            .map_err(|e| e.to_string())?;
        if !resp.status().is_success() {
            return Err(format!("online bank: HTTP {}", resp.status()));
        }
        resp.json().await.map_err(|e| e.to_string())
    }

    /// The code a person's code unit shows now (on the server's clock).
    pub fn code_unit_otp(&self, nin: &str) -> Option<String> {
        let people = aktiver_sandbox::population::parse_population(
            aktiver_sandbox::population::DEFAULT_POPULATION,
        )
        .ok()?;
        let p = people.into_iter().find(|p| p.national_id == nin)?;
        let secret = aktiver_sandbox::otp::decode_hex(p.code_unit_secret.as_deref()?)?;
        use aktiver_sandbox::Clock;
        Some(aktiver_sandbox::otp::totp(&secret, self.clock.now()))
    }

    /// The sandbox's CSCA, for the phone's own chip check.
    pub fn trust_anchor() -> Result<Vec<u8>, String> {
        let pki = aktiver_emrtd::issuer::TestPki::generate(Default::default())
            .map_err(|e| e.to_string())?;
        Ok(pki.csca().der.clone())
    }
}

/// A person from the sandbox's built-in population.
#[derive(Clone)]
pub struct SimPerson {
    pub national_id: String,
    pub phone: String,
    pub password: Option<String>,
}

impl std::fmt::Debug for SimPerson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimPerson").finish_non_exhaustive()
    }
}

/// The built-in person with this identity number.
pub fn person(nin: &str) -> Option<SimPerson> {
    person_in(aktiver_sandbox::population::DEFAULT_POPULATION, nin)
}

/// The person with this identity number in a population (TOML).
pub fn person_in(population: &str, nin: &str) -> Option<SimPerson> {
    let people = aktiver_sandbox::population::parse_population(population).ok()?;
    let p = people.into_iter().find(|p| p.national_id == nin)?;
    Some(SimPerson {
        national_id: p.national_id,
        phone: p.phone,
        password: p.password,
    })
}

/// The simulated camera filming a document's MRZ: seeded frames from the
/// scanner's generator (tilt, perspective, blur, noise, light, glare, JPEG).
pub fn camera(lines: &[String], seed: u64, level: Level) -> Option<Scenario> {
    Scenario::of_document(seed, level, lines, (1280, 720))
}
