//! The activation API client: async (tokio + reqwest), TLS pinned to the
//! server's SPKI SHA-256, timeouts, and retries with backoff for transient
//! failures. Every state-changing call carries an idempotency key chosen by
//! the caller per logical step, so a retry (here, or the user's `Retry` after
//! a network screen) replays the same key and the server answers once.
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use aktiver_protocol::{ErrorBody, IDEMPOTENCY_KEY_HEADER};

/// Why a call gave no answer body of the expected type.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// The server answered with a protocol error.
    #[error("server: {}", .0.code)]
    Api(Box<ErrorBody>),
    /// No answer: connection refused or lost, timeout, TLS (pin) failure.
    #[error("network unavailable")]
    Network,
    /// An answer that is not the protocol's (wrong JSON, wrong status).
    #[error("unexpected answer (HTTP {0})")]
    Unexpected(u16),
}

/// Timeouts and the retry schedule.
#[derive(Debug, Clone, Copy)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// Attempts per call for transient failures (1 = no retry).
    pub attempts: u32,
    /// First backoff; doubled on every further attempt.
    pub backoff: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(20),
            attempts: 3,
            backoff: Duration::from_millis(150),
        }
    }
}

/// One client per flow.
#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: String,
    opts: ClientOptions,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

enum Verb {
    Get,
    Post,
    Delete,
}

impl ApiClient {
    /// `pin` is the server's SPKI SHA-256 (base64); `None` is accepted only
    /// for a plain `http://` URL (local debugging).
    pub fn new(base: &str, pin: Option<&str>, opts: ClientOptions) -> Result<Self, String> {
        let b = reqwest::Client::builder()
            .connect_timeout(opts.connect_timeout)
            .timeout(opts.request_timeout)
            .no_proxy();
        let b = match pin {
            Some(pin) => b.use_preconfigured_tls(
                crate::tls::pinned_config(pin).map_err(|e| format!("TLS: {e}"))?,
            ),
            None if base.starts_with("http://") => b,
            None => return Err("an https server needs its SPKI pin".into()),
        };
        Ok(ApiClient {
            http: b.build().map_err(|e| format!("HTTP client: {e}"))?,
            base: base.trim_end_matches('/').to_owned(),
            opts,
        })
    }

    pub async fn get<R: DeserializeOwned>(&self, path: &str) -> Result<R, CallError> {
        self.send::<(), R>(Verb::Get, path, None, None).await
    }

    pub async fn post<B: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        idempotency_key: &str,
    ) -> Result<R, CallError> {
        self.send(Verb::Post, path, Some(body), Some(idempotency_key))
            .await
    }

    pub async fn delete<R: DeserializeOwned>(
        &self,
        path: &str,
        idempotency_key: &str,
    ) -> Result<R, CallError> {
        self.send::<(), R>(Verb::Delete, path, None, Some(idempotency_key))
            .await
    }

    /// GETs are idempotent by nature, the others by their key: a transient
    /// failure is retried with the same key after a backoff. A call without
    /// either would never be retried (there is none in the protocol).
    async fn send<B: Serialize, R: DeserializeOwned>(
        &self,
        verb: Verb,
        path: &str,
        body: Option<&B>,
        key: Option<&str>,
    ) -> Result<R, CallError> {
        let idempotent = matches!(verb, Verb::Get) || key.is_some();
        let attempts = if idempotent {
            self.opts.attempts.max(1)
        } else {
            1
        };
        let url = format!("{}{path}", self.base);
        let body = match body {
            Some(b) => Some(zeroize::Zeroizing::new(
                serde_json::to_vec(b).map_err(|_| CallError::Unexpected(0))?,
            )),
            None => None,
        };
        let mut delay = self.opts.backoff;
        let mut last = CallError::Network;
        for attempt in 0..attempts {
            if attempt > 0 {
                tokio::time::sleep(delay).await;
                delay = delay.saturating_mul(2);
            }
            let mut req = match verb {
                Verb::Get => self.http.get(&url),
                Verb::Post => self.http.post(&url),
                Verb::Delete => self.http.delete(&url),
            };
            if let Some(k) = key {
                req = req.header(IDEMPOTENCY_KEY_HEADER, k);
            }
            if let Some(b) = &body {
                req = req
                    .header("content-type", "application/json")
                    .body(b.to_vec());
            }
            let resp = match req.send().await {
                Ok(r) => r,
                Err(_) => {
                    last = CallError::Network;
                    continue;
                }
            };
            let status = resp.status().as_u16();
            let bytes = match resp.bytes().await {
                Ok(b) => zeroize::Zeroizing::new(b.to_vec()),
                Err(_) => {
                    last = CallError::Network;
                    continue;
                }
            };
            if (200..300).contains(&status) {
                return serde_json::from_slice(&bytes).map_err(|_| CallError::Unexpected(status));
            }
            if matches!(status, 502..=504) {
                last = CallError::Network;
                continue;
            }
            return Err(match serde_json::from_slice::<ErrorBody>(&bytes) {
                Ok(b) => CallError::Api(Box::new(b)),
                Err(_) => CallError::Unexpected(status),
            });
        }
        Err(last)
    }
}

/// A fresh idempotency key: 16 random bytes, hex.
pub fn new_idempotency_key() -> String {
    let mut b = [0u8; 16];
    // Without randomness a fixed-looking key would collide across steps; the
    // time-based fallback keeps keys distinct within a session.
    if getrandom::fill(&mut b).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        b = t.to_le_bytes();
    }
    b.iter().map(|x| format!("{x:02x}")).collect()
}
