//! The pinned TLS configuration: [`aktiver_pin`]'s verifier (the server's
//! SPKI SHA-256 is its identity; no platform verifier, no root store).
use rustls::crypto::CryptoProvider;

pub use aktiver_pin::pin_of_spki;

/// A client configuration trusting only the pinned key. Ring is also
/// installed as the process default, so that nothing else in the process
/// falls back to a platform choice.
pub fn pinned_config(pin: &str) -> Result<rustls::ClientConfig, aktiver_pin::PinError> {
    // Another component may have installed one already; either is explicit.
    let _ = CryptoProvider::install_default(rustls::crypto::ring::default_provider());
    aktiver_pin::pinned_client_config(pin)
}
