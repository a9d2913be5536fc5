//! The server certificate (generated on first start, kept next to the DB),
//! its SPKI SHA-256 pin, and the pinning client configuration.
use std::path::Path;
use std::sync::Arc;

use rcgen::{CertificateParams, KeyPair, PublicKeyData};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};
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

pub fn pin_of_spki(spki_der: &[u8]) -> String {
    aktiver_protocol::encode_b64(&Sha256::digest(spki_der))
}

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
    use x509_cert::der::{Decode, Encode};
    let cert_path = db_path.with_extension("cert.pem");
    let pem = std::fs::read_to_string(&cert_path)
        .map_err(|e| ServerError::Io(cert_path.display().to_string(), e))?;
    let der = rustls_pem_cert(&pem)?;
    let cert = x509_cert::Certificate::from_der(&der)
        .map_err(|e| ServerError::Tls(format!("certificate: {e}")))?;
    let spki = cert
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .map_err(|e| ServerError::Tls(e.to_string()))?;
    Ok(pin_of_spki(&spki))
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

/// Accepts exactly the server whose end-entity SPKI hashes to the pin; no
/// platform roots, no names (the pin is the identity).
#[derive(Debug)]
struct PinVerifier {
    pin: String,
    algs: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        use x509_cert::der::{Decode, Encode};
        let cert = x509_cert::Certificate::from_der(end_entity).map_err(|_| {
            rustls::Error::InvalidCertificate(rustls::CertificateError::BadEncoding)
        })?;
        let spki = cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .map_err(|_| {
                rustls::Error::InvalidCertificate(rustls::CertificateError::BadEncoding)
            })?;
        if crate::ct_eq(pin_of_spki(&spki).as_bytes(), self.pin.as_bytes()) {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
}

/// A rustls client configuration that trusts only the pinned server key.
pub fn pinned_client_config(pin: &str) -> Result<rustls::ClientConfig, ServerError> {
    let p = provider();
    let algs = p.signature_verification_algorithms;
    let cfg = rustls::ClientConfig::builder_with_provider(p)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServerError::Tls(e.to_string()))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinVerifier {
            pin: pin.to_owned(),
            algs,
        }))
        .with_no_client_auth();
    Ok(cfg)
}
