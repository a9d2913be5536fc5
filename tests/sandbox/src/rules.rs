//! The service's limits. Defaults follow the issue; tests tighten or reuse
//! them; testers change them with `aktiver-sim serve --config FILE` (a TOML
//! table `[rules]` with any of these names).
use serde::Deserialize;

/// Every limit the sandbox enforces, in seconds and counts.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Rules {
    /// How long an activation session lives.
    pub session_window_s: i64,
    pub sms_expiry_s: i64,
    pub sms_resend_cooldown_s: i64,
    /// Wrong entries that invalidate one SMS code.
    pub sms_wrong_per_code: u32,
    /// Wrong SMS entries within one session that suspend it.
    pub sms_wrong_per_session: u32,
    /// Wrong phone numbers within one session that suspend it.
    pub phone_wrong_per_session: u32,
    /// How long a suspended session blocks new sessions for the same person.
    pub suspension_s: i64,
    /// SMS sends per identity number and per phone in `rate_window_s`, for
    /// each client address (a stranger's sends never use up the owner's),
    /// and delivered to one phone by all clients together (SMS bombing).
    pub sms_per_person: u32,
    pub sms_per_phone: u32,
    pub sms_per_phone_all_clients: u32,
    pub rate_window_s: i64,
    /// Wrong passwords / one-time codes (counted on the person) that suspend the BankID.
    pub password_wrong_max: u32,
    pub otp_wrong_max: u32,
    pub challenge_ttl_s: i64,
    /// How long an activation code from the online bank is valid.
    pub activation_code_ttl_s: i64,
    /// How long a stored idempotent answer is kept (and replayed).
    pub idempotency_ttl_s: i64,
    /// How old a face-check verdict may be when the evidence is submitted.
    pub face_verdict_ttl_s: i64,
    /// Accept a chip without active authentication (no DG15) on the reader's
    /// well-formed chip-authentication claim, which the server cannot verify.
    /// Off: such a chip cannot be told from a clone of it.
    pub accept_chip_authentication_claims: bool,
    /// Failed ID checks in one session before it is suspended.
    pub id_check_failures_max: u32,
    /// Argon2id cost: memory in KiB and passes. Tests lower it for speed.
    pub argon2_m_kib: u32,
    pub argon2_t: u32,
    /// Threads the password KDF may use at once.
    pub kdf_parallel: usize,
    /// Calls that may wait for a KDF thread; past it a call is answered
    /// `server_busy` at once.
    pub kdf_queue_max: usize,
    /// Argon2id runs (password checks and new hashes) per minute one client
    /// address may cause, and the burst: an activation needs three or four.
    pub client_password_work_per_min: f64,
    pub client_password_work_burst: f64,
    /// New passwords accepted in one session.
    pub password_changes_per_session: u32,
    /// Requests per second one client address may make (token bucket), and the burst.
    pub client_requests_per_s: f64,
    pub client_burst: f64,
    /// Session starts per minute one client address may make.
    pub client_session_starts_per_min: f64,
    /// Open connections, in all and per client address.
    pub max_connections: usize,
    pub max_connections_per_client: usize,
    /// Time allowed for a request's header, and for its body, in milliseconds.
    pub header_timeout_ms: u64,
    pub body_timeout_ms: u64,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            session_window_s: 2 * 3600,
            sms_expiry_s: 5 * 60,
            sms_resend_cooldown_s: 30,
            sms_wrong_per_code: 3,
            sms_wrong_per_session: 6,
            phone_wrong_per_session: 3,
            suspension_s: 30 * 60,
            sms_per_person: 5,
            sms_per_phone: 5,
            sms_per_phone_all_clients: 20,
            rate_window_s: 3600,
            password_wrong_max: 3,
            otp_wrong_max: 3,
            challenge_ttl_s: 120,
            activation_code_ttl_s: 30,
            idempotency_ttl_s: 2 * 3600,
            face_verdict_ttl_s: 10 * 60,
            id_check_failures_max: 3,
            accept_chip_authentication_claims: false,
            argon2_m_kib: 19 * 1024,
            argon2_t: 2,
            kdf_parallel: std::thread::available_parallelism().map_or(1, |n| n.get().div_ceil(2)),
            kdf_queue_max: 64,
            client_password_work_per_min: 6.0,
            client_password_work_burst: 6.0,
            password_changes_per_session: 3,
            client_requests_per_s: 20.0,
            client_burst: 60.0,
            client_session_starts_per_min: 10.0,
            max_connections: 1024,
            max_connections_per_client: 64,
            header_timeout_ms: 10_000,
            body_timeout_ms: 10_000,
        }
    }
}

impl Rules {
    /// Default rules with a cheap KDF, for tests and load runs.
    pub fn fast_kdf() -> Self {
        Rules {
            argon2_m_kib: 256,
            argon2_t: 1,
            ..Rules::default()
        }
    }

    /// For tests: a cheap KDF and per-client limits out of the way (every
    /// test client is 127.0.0.1); the tests of those limits set them.
    pub fn for_tests() -> Self {
        Rules {
            client_requests_per_s: 10_000.0,
            client_burst: 10_000.0,
            client_session_starts_per_min: 10_000.0,
            client_password_work_per_min: 10_000.0,
            client_password_work_burst: 10_000.0,
            ..Rules::fast_kdf()
        }
    }

    /// Parses a tester's settings: `[rules]` with any of the fields above.
    pub fn from_toml(text: &str) -> Result<Self, crate::ServerError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            #[serde(default)]
            rules: Rules,
        }
        let f: File =
            toml::from_str(text).map_err(|e| crate::ServerError::Config(e.message().to_owned()))?;
        Ok(f.rules)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_testers_config_overrides_only_what_it_names() {
        let r =
            Rules::from_toml("[rules]\nactivation_code_ttl_s = 120\nsms_resend_cooldown_s = 5\n")
                .unwrap_or_default();
        assert_eq!((r.activation_code_ttl_s, r.sms_resend_cooldown_s), (120, 5));
        assert_eq!(r.sms_expiry_s, Rules::default().sms_expiry_s);
        let e = Rules::from_toml("[rules]\nsms_cooldown = 5\n").err();
        assert!(e.is_some_and(|e| e.to_string().contains("sms_cooldown")));
    }
}
