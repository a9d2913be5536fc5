//! The server's identity as a pin: base64(SHA-256(SubjectPublicKeyInfo DER)),
//! and a rustls client configuration that accepts exactly the server whose
//! end-entity certificate carries that key.
//!
//! No platform verifier and no root store: the pin is the identity, so a
//! certificate re-issued for the same key keeps working and any other key
//! fails. The phone's client (`aktiver-flow`) and the sandbox's own clients
//! (tests, `aktiver-sim sms`) share this one verifier.
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use sha2::{Digest, Sha256};

/// Why a pin or a pinned configuration could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PinError {
    #[error("certificate: not a DER X.509 certificate")]
    Certificate,
    #[error("TLS configuration: {0}")]
    Tls(#[from] rustls::Error),
}

/// The pin of a SubjectPublicKeyInfo (DER): base64 of its SHA-256, the form
/// `aktiver-sim serve` prints.
pub fn pin_of_spki(spki_der: &[u8]) -> String {
    use base64ct::Encoding;
    base64ct::Base64::encode_string(&Sha256::digest(spki_der))
}

/// The pin of a certificate's key.
pub fn pin_of_certificate(cert_der: &[u8]) -> Result<String, PinError> {
    spki_of(cert_der)
        .map(|s| pin_of_spki(&s))
        .ok_or(PinError::Certificate)
}

fn spki_of(cert_der: &[u8]) -> Option<Vec<u8>> {
    use x509_cert::der::{Decode, Encode};
    let cert = x509_cert::Certificate::from_der(cert_der).ok()?;
    cert.tbs_certificate()
        .subject_public_key_info()
        .to_der()
        .ok()
}

/// Constant time: how much of a pin matched says nothing.
fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Accepts exactly the server whose end-entity SPKI hashes to the pin; the
/// handshake signatures are still checked with the provider's algorithms.
#[derive(Debug)]
pub struct PinVerifier {
    pin: String,
    algs: WebPkiSupportedAlgorithms,
}

impl PinVerifier {
    pub fn new(pin: &str, provider: &CryptoProvider) -> Self {
        PinVerifier {
            pin: pin.to_owned(),
            algs: provider.signature_verification_algorithms,
        }
    }
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
        let spki = spki_of(end_entity).ok_or(rustls::Error::InvalidCertificate(
            rustls::CertificateError::BadEncoding,
        ))?;
        if ct_eq(pin_of_spki(&spki).as_bytes(), self.pin.as_bytes()) {
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

/// A client configuration with ring as its (explicit) provider that trusts
/// only the pinned key, offering HTTP/1.1 by ALPN.
pub fn pinned_client_config(pin: &str) -> Result<rustls::ClientConfig, PinError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = Arc::new(PinVerifier::new(pin, &provider));
    let mut cfg = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(cfg)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use rcgen::{CertificateParams, KeyPair, PublicKeyData};

    fn cert() -> (Vec<u8>, Vec<u8>) {
        let key = KeyPair::generate().unwrap();
        let cert = CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        (cert.der().to_vec(), key.subject_public_key_info())
    }

    fn verify(pin: &str, cert: &[u8]) -> Result<ServerCertVerified, rustls::Error> {
        let v = PinVerifier::new(pin, &rustls::crypto::ring::default_provider());
        v.verify_server_cert(
            &CertificateDer::from(cert.to_vec()),
            &[],
            &ServerName::try_from("localhost").unwrap(),
            &[],
            UnixTime::now(),
        )
    }

    #[test]
    fn the_pinned_key_and_only_it_is_accepted() {
        let (a, a_spki) = cert();
        let (b, _) = cert();
        let pin = pin_of_spki(&a_spki);
        assert_eq!(pin_of_certificate(&a).unwrap(), pin);
        assert_eq!(pin.len(), 44);
        assert!(verify(&pin, &a).is_ok());
        assert!(matches!(
            verify(&pin, &b),
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::ApplicationVerificationFailure
            ))
        ));
        // A pin one character off, an empty pin, garbage instead of a certificate.
        let mut off = pin.clone().into_bytes();
        off[0] ^= 1;
        assert!(verify(&String::from_utf8(off).unwrap(), &a).is_err());
        assert!(verify("", &a).is_err());
        assert!(matches!(
            verify(&pin, b"not a certificate"),
            Err(rustls::Error::InvalidCertificate(
                rustls::CertificateError::BadEncoding
            ))
        ));
        assert!(matches!(
            pin_of_certificate(b"\x30\x03\x02\x01\x00"),
            Err(PinError::Certificate)
        ));
    }

    #[test]
    fn configuration_offers_http1_and_no_roots() {
        let cfg = pinned_client_config("AAAA").unwrap();
        assert_eq!(cfg.alpn_protocols, vec![b"http/1.1".to_vec()]);
    }
}
