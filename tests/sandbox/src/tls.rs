//! The server certificate (generated on first start, kept next to the DB),
//! its SPKI SHA-256 pin, and the pinning client configuration.
use std::path::Path;
use std::sync::Arc;

use rcgen::{CertificateParams, KeyPair, PublicKeyData};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use zeroize::Zeroizing;

use crate::ServerError;

/// The server's certificate and key, and the pin clients must use.
pub struct Identity {
    pub cert_der: Vec<u8>,
    key_der: Zeroizing<Vec<u8>>,
    /// base64(SHA-256(SubjectPublicKeyInfo DER))
    pub pin: String,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("pin", &self.pin)
            .finish_non_exhaustive()
    }
}

fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

pub use aktiver_pin::pin_of_spki;

fn generate() -> Result<(String, String), ServerError> {
    let key = KeyPair::generate().map_err(|e| ServerError::Tls(e.to_string()))?;
    let params = CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
        .map_err(|e| ServerError::Tls(e.to_string()))?;
    let cert = params
        .self_signed(&key)
        .map_err(|e| ServerError::Tls(e.to_string()))?;
    Ok((cert.pem(), key.serialize_pem()))
}

fn from_pems(cert_pem: &str, key_pem: &str) -> Result<Identity, ServerError> {
    let key = KeyPair::from_pem(key_pem).map_err(|e| ServerError::Tls(format!("key: {e}")))?;
    let cert_der = rustls_pem_cert(cert_pem)?;
    Ok(Identity {
        cert_der,
        key_der: Zeroizing::new(key.serialize_der()),
        pin: pin_of_spki(&key.subject_public_key_info()),
    })
}

fn rustls_pem_cert(pem: &str) -> Result<Vec<u8>, ServerError> {
    use rustls::pki_types::pem::PemObject;
    CertificateDer::from_pem_slice(pem.as_bytes())
        .map(|c| c.to_vec())
        .map_err(|e| ServerError::Tls(format!("certificate: {e}")))
}

/// The pin of the certificate a sandbox keeps next to `db_path`, if it exists.
pub fn pin_for_db(db_path: &Path) -> Result<String, ServerError> {
    let cert_path = db_path.with_extension("cert.pem");
    let pem = std::fs::read_to_string(&cert_path)
        .map_err(|e| ServerError::Io(cert_path.display().to_string(), e))?;
    let der = rustls_pem_cert(&pem)?;
    aktiver_pin::pin_of_certificate(&der).map_err(|e| ServerError::Tls(e.to_string()))
}

/// A fresh identity kept only in memory (in-memory databases, tests).
pub fn ephemeral() -> Result<Identity, ServerError> {
    let (c, k) = generate()?;
    from_pems(&c, &k)
}

/// Loads `<db>.cert.pem` / `<db>.key.pem`, generating them on first start.
pub fn load_or_create(db_path: &Path) -> Result<Identity, ServerError> {
    let cert_path = db_path.with_extension("cert.pem");
    let key_path = db_path.with_extension("key.pem");
    if cert_path.exists() && key_path.exists() {
        let c = std::fs::read_to_string(&cert_path)
            .map_err(|e| ServerError::Io(cert_path.display().to_string(), e))?;
        let k = Zeroizing::new(
            std::fs::read_to_string(&key_path)
                .map_err(|e| ServerError::Io(key_path.display().to_string(), e))?,
        );
        crate::files::owner_only(&key_path)?;
        return from_pems(&c, &k);
    }
    let (c, k) = generate()?;
    crate::files::write_private(&key_path, k.as_bytes())?;
    std::fs::write(&cert_path, c.as_bytes())
        .map_err(|e| ServerError::Io(cert_path.display().to_string(), e))?;
    from_pems(&c, &k)
}

pub fn server_config(id: &Identity) -> Result<rustls::ServerConfig, ServerError> {
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(id.key_der.to_vec()));
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| ServerError::Tls(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(vec![CertificateDer::from(id.cert_der.clone())], key)
        .map_err(|e| ServerError::Tls(e.to_string()))?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(cfg)
}

/// A rustls client configuration that trusts only the pinned server key
/// ([`aktiver_pin`], the verifier the phone's client uses too).
pub fn pinned_client_config(pin: &str) -> Result<rustls::ClientConfig, ServerError> {
    aktiver_pin::pinned_client_config(pin).map_err(|e| ServerError::Tls(e.to_string()))
}
