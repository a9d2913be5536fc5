//! The service's own secret: one 32-byte key, kept in a file beside the
//! database (owner-only), never in it. Everything the database must match
//! against but must not reveal is stored as a MAC under this key: identity
//! numbers and phone numbers used for lookups, SMS and activation codes until
//! they expire, and the idempotency check of request bodies that may carry a
//! password. A stolen database alone then gives no dictionary attack: each
//! guess needs the key. The face-check provider's signing key is derived
//! from it too, so no private key sits in the database.
use std::path::Path;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::ServerError;

pub struct ServerSecret {
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for ServerSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerSecret(<redacted>)")
    }
}

fn random_key() -> Result<Zeroizing<[u8; 32]>, ServerError> {
    let mut k = Zeroizing::new([0u8; 32]);
    getrandom::fill(k.as_mut_slice())
        .map_err(|_| ServerError::Tls("no randomness for the server secret".into()))?;
    Ok(k)
}

impl ServerSecret {
    /// A key that lives only as long as the process (in-memory databases).
    pub fn ephemeral() -> Result<Self, ServerError> {
        Ok(ServerSecret { key: random_key()? })
    }

    /// Loads `<db>.secret`, creating it (mode 0600) on first start.
    pub fn load_or_create(db_path: &Path) -> Result<Self, ServerError> {
        let path = db_path.with_extension("secret");
        let io = |e| ServerError::Io(path.display().to_string(), e);
        if path.exists() {
            let bytes = Zeroizing::new(std::fs::read(&path).map_err(io)?);
            let mut key = Zeroizing::new([0u8; 32]);
            if bytes.len() != key.len() {
                return Err(ServerError::Tls(format!(
                    "{}: not a 32-byte server secret",
                    path.display()
                )));
            }
            key.copy_from_slice(&bytes);
            crate::files::owner_only(&path)?;
            return Ok(ServerSecret { key });
        }
        let key = random_key()?;
        crate::files::write_private(&path, key.as_slice())?;
        Ok(ServerSecret { key })
    }

    /// HMAC-SHA256 over `domain` and the length-prefixed `parts`: one domain
    /// per use, so a MAC of one kind can never stand in for another.
    pub fn mac(&self, domain: &str, parts: &[&[u8]]) -> [u8; 32] {
        let Ok(mut m) = Hmac::<Sha256>::new_from_slice(self.key.as_slice()) else {
            return [0; 32];
        };
        m.update(&(domain.len() as u64).to_be_bytes());
        m.update(domain.as_bytes());
        for p in parts {
            m.update(&(p.len() as u64).to_be_bytes());
            m.update(p);
        }
        m.finalize().into_bytes().into()
    }

    /// [`Self::mac`] as lowercase hex, for database columns.
    pub fn mac_hex(&self, domain: &str, parts: &[&[u8]]) -> String {
        crate::app::hex(&self.mac(domain, parts))
    }

    /// The keyed lookup hash of an identity number.
    pub fn nin(&self, nin: &str) -> String {
        self.mac_hex("nin", &[nin.as_bytes()])
    }

    /// The keyed lookup hash of a phone number (E.164).
    pub fn phone(&self, e164: &str) -> String {
        self.mac_hex("phone", &[e164.as_bytes()])
    }

    /// The keyed hash a one-time code is stored as until it expires.
    pub fn code(&self, purpose: &str, owner: &str, code: &str) -> String {
        self.mac_hex(
            "code",
            &[purpose.as_bytes(), owner.as_bytes(), code.as_bytes()],
        )
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn persists_with_owner_only_mode_and_separates_domains() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.sqlite");
        let a = ServerSecret::load_or_create(&db).unwrap();
        let b = ServerSecret::load_or_create(&db).unwrap();
        assert_eq!(a.nin("15859010099"), b.nin("15859010099"));
        assert_ne!(a.nin("15859010099"), a.phone("15859010099"));
        let other = ServerSecret::ephemeral().unwrap();
        assert_ne!(a.nin("15859010099"), other.nin("15859010099"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(db.with_extension("secret"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Length-prefixed: moving a byte between parts changes the MAC.
        assert_ne!(a.mac("d", &[b"ab", b"c"]), a.mac("d", &[b"a", b"bc"]));
    }
}
