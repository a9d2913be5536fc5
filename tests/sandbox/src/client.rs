//! A pinned HTTPS client for the sandbox (tests, `aktiver-sim sms`).
use aktiver_protocol::SmsInbox;

use crate::ServerError;

/// A reqwest client that trusts only the server whose SPKI SHA-256 is `pin`
/// (or plain HTTP when `pin` is `None`).
pub fn pinned_client(pin: Option<&str>) -> Result<reqwest::Client, ServerError> {
    // reqwest is built without a default crypto provider (no platform
    // verifier, no surprise roots): install ring's explicitly, or even a
    // plain-HTTP client panics with "No provider set". A second install is a
    // harmless error.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let b = reqwest::Client::builder().timeout(std::time::Duration::from_secs(30));
    let b = match pin {
        Some(pin) => b.use_preconfigured_tls(crate::tls::pinned_client_config(pin)?),
        None => b,
    };
    b.build().map_err(|e| ServerError::Client(e.to_string()))
}

/// Reads the sandbox SMS inbox (newest first), optionally for one phone.
pub async fn fetch_inbox(
    url: &str,
    pin: Option<&str>,
    phone: Option<&str>,
) -> Result<SmsInbox, ServerError> {
    let client = pinned_client(pin)?;
    let mut req = client.get(format!(
        "{}{}",
        url.trim_end_matches('/'),
        aktiver_protocol::endpoints::SANDBOX_SMS.path
    ));
    if let Some(p) = phone {
        req = req.query(&[("phone", p)]);
    }
    let resp = req
        .send()
        .await
        .map_err(|e| ServerError::Client(e.to_string()))?;
    let status = resp.status();
    let bytes = resp
        .bytes()
        .await
        .map_err(|e| ServerError::Client(e.to_string()))?;
    if !status.is_success() {
        let code = serde_json::from_slice::<aktiver_protocol::ErrorBody>(&bytes)
            .map(|b| b.code.as_str())
            .unwrap_or("unknown");
        return Err(ServerError::Client(format!("HTTP {status}: {code}")));
    }
    serde_json::from_slice(&bytes).map_err(|e| ServerError::Client(format!("inbox body: {e}")))
}
