//! Per-client limits: token buckets of requests, session starts and
//! password work (Argon2id runs) per client address, and counts of open
//! connections. An abusive client
//! gets cheap 429 answers instead of the service's time.
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

use crate::rules::Rules;

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    /// Takes one token; `Err(seconds until one is available)` when empty.
    fn take(&mut self, now: Instant, rate_per_s: f64, burst: f64) -> Result<(), u64> {
        let dt = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + dt * rate_per_s).min(burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - self.tokens) / rate_per_s.max(1e-9)).ceil().max(1.0) as u64)
        }
    }
}

#[derive(Default)]
struct State {
    requests: HashMap<IpAddr, Bucket>,
    starts: HashMap<IpAddr, Bucket>,
    password_work: HashMap<IpAddr, Bucket>,
    connections: HashMap<IpAddr, usize>,
    total_connections: usize,
}

/// The limits, shared by the connection loop and the request middleware.
pub struct ClientLimits {
    rules: Rules,
    state: Mutex<State>,
}

/// Buckets kept before idle full ones are forgotten.
const FORGET_AFTER: usize = 10_000;

impl ClientLimits {
    pub fn new(rules: &Rules) -> Self {
        ClientLimits {
            rules: rules.clone(),
            state: Mutex::new(State::default()),
        }
    }

    fn take(
        map: &mut HashMap<IpAddr, Bucket>,
        ip: IpAddr,
        rate: f64,
        burst: f64,
    ) -> Result<(), u64> {
        let now = Instant::now();
        if map.len() > FORGET_AFTER {
            map.retain(|_, b| {
                b.tokens + now.saturating_duration_since(b.at).as_secs_f64() * rate < burst
            });
        }
        map.entry(ip)
            .or_insert(Bucket {
                tokens: burst,
                at: now,
            })
            .take(now, rate, burst)
    }

    /// One request from `ip`: `Err(retry after seconds)` over the limit.
    pub fn request(&self, ip: IpAddr) -> Result<(), u64> {
        let r = &self.rules;
        let mut s = self.state.lock().map_err(|_| 1u64)?;
        Self::take(&mut s.requests, ip, r.client_requests_per_s, r.client_burst)
    }

    /// One Argon2id run caused by `ip` (a password check or a new hash).
    pub fn password_work(&self, ip: IpAddr) -> Result<(), u64> {
        let r = &self.rules;
        let per_s = r.client_password_work_per_min / 60.0;
        let mut s = self.state.lock().map_err(|_| 1u64)?;
        Self::take(
            &mut s.password_work,
            ip,
            per_s,
            r.client_password_work_burst.max(1.0),
        )
    }

    /// One session start from `ip`.
    pub fn session_start(&self, ip: IpAddr) -> Result<(), u64> {
        let per_s = self.rules.client_session_starts_per_min / 60.0;
        let burst = self.rules.client_session_starts_per_min.max(1.0);
        let mut s = self.state.lock().map_err(|_| 1u64)?;
        Self::take(&mut s.starts, ip, per_s, burst)
    }

    /// A new connection from `ip`; `false` when over a limit (then nothing is counted).
    pub fn open_connection(&self, ip: IpAddr) -> bool {
        let Ok(mut s) = self.state.lock() else {
            return false;
        };
        let n = s.connections.get(&ip).copied().unwrap_or(0);
        if s.total_connections >= self.rules.max_connections
            || n >= self.rules.max_connections_per_client
        {
            return false;
        }
        s.total_connections += 1;
        s.connections.insert(ip, n + 1);
        true
    }

    pub fn close_connection(&self, ip: IpAddr) {
        if let Ok(mut s) = self.state.lock() {
            s.total_connections = s.total_connections.saturating_sub(1);
            if let Some(n) = s.connections.get_mut(&ip) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    s.connections.remove(&ip);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_the_burst_then_refuses() {
        let rules = Rules {
            client_requests_per_s: 1.0,
            client_burst: 3.0,
            max_connections_per_client: 2,
            ..Rules::default()
        };
        let l = ClientLimits::new(&rules);
        let ip: IpAddr = [10, 0, 0, 1].into();
        for _ in 0..3 {
            assert_eq!(l.request(ip), Ok(()));
        }
        assert!(l.request(ip).is_err());
        assert_eq!(l.request([10, 0, 0, 2].into()), Ok(()));
        assert!(l.open_connection(ip) && l.open_connection(ip));
        assert!(!l.open_connection(ip));
        l.close_connection(ip);
        assert!(l.open_connection(ip));
    }
}
