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

/// The bounded pool the KDF runs on.
#[derive(Clone)]
pub struct KdfPool(Arc<Semaphore>);

impl KdfPool {
    pub fn new(threads: usize) -> Self {
        KdfPool(Arc::new(Semaphore::new(threads.max(1))))
    }

    /// Runs `f` on a blocking thread once a slot is free.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Option<T> {
        let _permit = self.0.acquire().await.ok()?;
        tokio::task::spawn_blocking(f).await.ok()
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

    fn check(&mut self, phc: Option<&str>, password: &str) {
        if let Some(phc) = phc {
            let ok = verify(password, phc);
            self.checked
                .push((phc.to_owned(), Zeroizing::new(password.to_owned()), ok));
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

/// Reads the session (a short lock), then runs the Argon2id work the call
/// will need. Anything unexpected yields no work: the transaction decides.
pub fn precompute(app: &App, sid: &str, body: &[u8], call: PasswordCall) -> KdfWork {
    let mut work = KdfWork::default();
    let snapshot = (|| {
        let conn = app.db.lock().ok()?;
        let s = crate::db::get_session(&conn, sid).ok()??;
        let p = app.person(&conn, &s.nin_mac).ok()??.st;
        Some((s, p))
    })();
    let Some((s, p)) = snapshot else {
        return work;
    };
    let current = p.password_hash.as_deref();
    match call {
        PasswordCall::CodeUnit => {
            if let (Ok(req), Step::CodeUnit) = (parse_body::<proto::CodeUnitRequest>(body), s.step)
            {
                work.check(current, req.password.expose());
            }
        }
        PasswordCall::SetPassword => {
            let Ok(req) = parse_body::<proto::SetPasswordRequest>(body) else {
                return work;
            };
            if s.step != Step::Finish
                || s.password_changes >= app.rules.password_changes_per_session
            {
                return work;
            }
            if let Some(cur) = &req.current_password {
                work.check(current, cur.expose());
            }
            let pw = req.new_password.expose();
            let breaks_policy = app
                .people
                .get(&s.nin_mac)
                .is_none_or(|i| !crate::flow::password_violations(&i.nin, pw).is_empty());
            if breaks_policy {
                return work;
            }
            if let Ok(h) = hash(pw, &app.rules) {
                work.new_hash = Some((Zeroizing::new(pw.to_owned()), h));
            }
        }
        PasswordCall::SignAgreement => {
            if let (Ok(req), Step::Finish) =
                (parse_body::<proto::SignAgreementRequest>(body), s.step)
            {
                let target = s.new_password_hash.as_deref().or(current);
                work.check(target, req.password.expose());
            }
        }
    }
    work
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
