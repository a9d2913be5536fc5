//! The service's limits. Defaults follow the issue; tests tighten or reuse them.

/// Every limit the sandbox enforces, in seconds and counts.
#[derive(Debug, Clone)]
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
    /// SMS sends per identity number and per phone in `rate_window_s`.
    pub sms_per_person: u32,
    pub sms_per_phone: u32,
    /// Session starts per identity number in `rate_window_s`.
    pub sessions_per_person: u32,
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
    /// Failed ID checks in one session before it is suspended.
    pub id_check_failures_max: u32,
    /// Argon2id cost: memory in KiB and passes. Tests lower it for speed.
    pub argon2_m_kib: u32,
    pub argon2_t: u32,
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
            sessions_per_person: 10,
            rate_window_s: 3600,
            password_wrong_max: 3,
            otp_wrong_max: 3,
            challenge_ttl_s: 120,
            activation_code_ttl_s: 30,
            idempotency_ttl_s: 24 * 3600,
            face_verdict_ttl_s: 10 * 60,
            id_check_failures_max: 3,
            argon2_m_kib: 19 * 1024,
            argon2_t: 2,
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
}
