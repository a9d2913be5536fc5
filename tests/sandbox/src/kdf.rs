//! Password storage: Argon2id in PHC string form (the parameters travel with
//! the hash), computed on a bounded pool outside the database lock.
//!
//! Argon2id is slow on purpose. Run inside the request's transaction it held
//! the state lock for its whole duration and one client looping set-password
//! stalled everyone. Now the calls that carry a password first read what they
//! need, run the KDF on at most [`crate::Rules::kdf_parallel`] blocking
//! threads (the rest wait in line without holding a thread), and hand the
//! results ([`KdfWork`]) to the transaction.
use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;
use zeroize::Zeroizing;

use aktiver_protocol::{self as proto, ErrorCode, Step, parse_body};

use crate::app::{ApiError, App};
use crate::rules::Rules;

pub fn hash(password: &str, rules: &Rules) -> Result<String, ApiError> {
    let params = Params::new(rules.argon2_m_kib, rules.argon2_t, 1, None)
        .map_err(|_| ApiError::new(ErrorCode::Internal, "bad KDF parameters"))?;
    let salt = SaltString::encode_b64(&crate::app::random_bytes::<16>()?)
        .map_err(|_| ApiError::new(ErrorCode::Internal, "salt encoding"))?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| ApiError::new(ErrorCode::Internal, "hashing failed"))
}

pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// The bounded pool the KDF runs on, with a bounded line of waiting calls.
#[derive(Clone)]
pub struct KdfPool {
    slots: Arc<Semaphore>,
    waiting: Arc<std::sync::atomic::AtomicUsize>,
    queue_max: usize,
    runs: Arc<std::sync::atomic::AtomicU64>,
}

/// The pool's line is full: answer `server_busy` rather than wait.
#[derive(Debug)]
pub struct PoolBusy;

impl KdfPool {
    pub fn new(threads: usize, queue_max: usize) -> Self {
        KdfPool {
            slots: Arc::new(Semaphore::new(threads.max(1))),
            waiting: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
            queue_max,
            runs: Arc::new(std::sync::atomic::AtomicU64::new(0)),
        }
    }

    /// Runs started since the server started (for tests and the log).
    pub fn runs(&self) -> u64 {
        self.runs.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Runs `f` on a blocking thread once a slot is free; `Err(PoolBusy)` at
    /// once when `queue_max` calls are already in line.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<Option<T>, PoolBusy> {
        use std::sync::atomic::Ordering;
        if self.waiting.fetch_add(1, Ordering::AcqRel) >= self.queue_max {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            return Err(PoolBusy);
        }
        let permit = self.slots.acquire().await;
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        let Ok(_permit) = permit else {
            return Ok(None);
        };
        self.runs.fetch_add(1, Ordering::Relaxed);
        Ok(tokio::task::spawn_blocking(f).await.ok())
    }
}

/// Argon2id results computed before the transaction.
#[derive(Default)]
pub struct KdfWork {
    /// (PHC hash, password, verified): the password is kept only to match the
    /// result to the same check inside the transaction, and zeroized.
    checked: Vec<(String, Zeroizing<String>, bool)>,
    /// (password, its new hash).
    new_hash: Option<(Zeroizing<String>, String)>,
}

impl KdfWork {
    /// Whether `password` matches `phc`: the precomputed answer, or computed
    /// now if the state changed since (rare: a concurrent call of the session).
    pub fn verified(&self, phc: &str, password: &str) -> bool {
        self.checked
            .iter()
            .find(|(h, p, _)| h == phc && p.as_str() == password)
            .map_or_else(|| verify(password, phc), |(_, _, ok)| *ok)
    }

    /// The new hash of `password`: precomputed, or computed now.
    pub fn new_hash(&self, password: &str, rules: &Rules) -> Result<String, ApiError> {
        match &self.new_hash {
            Some((p, h)) if p.as_str() == password => Ok(h.clone()),
            _ => hash(password, rules),
        }
    }
}

/// Which password-carrying call a precomputation is for.
#[derive(Clone, Copy)]
pub enum PasswordCall {
    CodeUnit,
    SetPassword,
    SignAgreement,
}

/// The Argon2id runs a call will need, decided by cheap checks only.
pub struct KdfPlan {
    /// (PHC hash, password) pairs to verify.
    checks: Vec<(String, Zeroizing<String>)>,
    /// A new password to hash.
    new_password: Option<Zeroizing<String>>,
    m_kib: u32,
    t: u32,
}

impl KdfPlan {
    /// Runs the planned Argon2id work (slow: on the pool).
    pub fn run(self) -> KdfWork {
        let mut work = KdfWork::default();
        for (phc, pw) in self.checks {
            let ok = verify(&pw, &phc);
            work.checked.push((phc, pw, ok));
        }
        if let Some(pw) = self.new_password {
            let rules = Rules {
                argon2_m_kib: self.m_kib,
                argon2_t: self.t,
                ..Rules::default()
            };
            if let Ok(h) = hash(&pw, &rules) {
                work.new_hash = Some((pw, h));
            }
        }
        work
    }
}

/// Reads the session (a short lock) and decides which Argon2id work the call
/// will need, after the checks the transaction makes first and that cost
/// nothing: the step, the one-time code, the agreement signature, the
/// password-change limit and the policy. A call those checks refuse runs no
/// Argon2id at all (it is answered by the transaction without it), so a
/// client cannot buy the server's slowest work with requests that fail
/// anyway. `None`: nothing to compute.
pub fn plan(app: &App, sid: &str, body: &[u8], call: PasswordCall) -> Option<KdfPlan> {
    let (s, p) = {
        let conn = app.db.lock().ok()?;
        let s = crate::db::get_session(&conn, sid).ok()??;
        let p = app.person(&conn, &s.nin_mac).ok()??;
        (s, p)
    };
    let current = p.st.password_hash.clone();
    let mut plan = KdfPlan {
        checks: Vec::new(),
        new_password: None,
        m_kib: app.rules.argon2_m_kib,
        t: app.rules.argon2_t,
    };
    let mut check = |phc: Option<String>, pw: &str| {
        if let Some(phc) = phc {
            plan.checks.push((phc, Zeroizing::new(pw.to_owned())));
        }
    };
    match call {
        PasswordCall::CodeUnit => {
            let req = parse_body::<proto::CodeUnitRequest>(body).ok()?;
            let secret = p.info.code_unit_secret.as_deref()?;
            let otp = req.otp.expose();
            let fresh = crate::otp::matching_step(secret, app.clock.now(), otp)
                .is_some_and(|step| step > p.st.otp_last_step);
            if s.step != Step::CodeUnit || !fresh {
                return None;
            }
            check(current, req.password.expose());
        }
        PasswordCall::SetPassword => {
            let req = parse_body::<proto::SetPasswordRequest>(body).ok()?;
            if s.step != Step::Finish
                || s.password_changes >= app.rules.password_changes_per_session
            {
                return None;
            }
            let pw = req.new_password.expose();
            if !crate::flow::password_violations(&p.info.nin, pw).is_empty() {
                return None;
            }
            if let Some(cur) = &req.current_password {
                check(current, cur.expose());
            }
            plan.new_password = Some(Zeroizing::new(pw.to_owned()));
        }
        PasswordCall::SignAgreement => {
            let req = parse_body::<proto::SignAgreementRequest>(body).ok()?;
            let agreement = crate::agreement::current();
            let spki = s.device_spki.as_deref()?;
            let digest = proto::decode_b64("sha256", &agreement.sha256_b64).ok()?;
            let signed = crate::keys::verify_p256(spki, &digest, &req.signature_b64).is_ok();
            if s.step != Step::Finish || req.agreement_id != agreement.id || !signed {
                return None;
            }
            check(
                s.new_password_hash.clone().or(current),
                req.password.expose(),
            );
        }
    }
    (!plan.checks.is_empty() || plan.new_password.is_some()).then_some(plan)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_roundtrip() {
        let h = hash("Fjord9Lyng4", &Rules::fast_kdf())
            .map_err(|e| e.0.message)
            .unwrap_or_default();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("Fjord9Lyng4", &h));
        assert!(!verify("Fjord9Lyng5", &h));
        assert!(!verify("x", "not a hash"));
        let w = KdfWork::default();
        assert!(w.verified(&h, "Fjord9Lyng4"));
    }
}
