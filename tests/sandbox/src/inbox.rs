//! The sandbox SMS inbox: where a real service would hand the text to an SMS
//! gateway, the sandbox keeps it in memory for the developer to read
//! (`GET /v1/sandbox/sms`, `aktiver-sim sms`). Never on disk, and each message
//! is dropped once its code has expired.
use std::collections::VecDeque;
use std::sync::Mutex;

use aktiver_protocol::{Sensitive, SmsMessage};

/// Messages kept at most (oldest dropped first).
const CAPACITY: usize = 1000;

struct Msg {
    phone: Sensitive,
    text: Sensitive,
    code: Sensitive,
    sent_at: i64,
    expires_at: i64,
}

#[derive(Default)]
pub struct Inbox {
    messages: Mutex<VecDeque<Msg>>,
}

impl std::fmt::Debug for Inbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Inbox(<redacted>)")
    }
}

impl Inbox {
    pub fn deliver(&self, phone: &str, text: &str, code: &str, sent_at: i64, expires_at: i64) {
        if let Ok(mut m) = self.messages.lock() {
            if m.len() >= CAPACITY {
                m.pop_front();
            }
            m.push_back(Msg {
                phone: Sensitive::new(phone),
                text: Sensitive::new(text),
                code: Sensitive::new(code),
                sent_at,
                expires_at,
            });
        }
    }

    /// Drops messages whose code has expired.
    pub fn prune(&self, now: i64) {
        if let Ok(mut m) = self.messages.lock() {
            m.retain(|x| x.expires_at > now);
        }
    }

    /// Unexpired messages, newest first, optionally for one phone (E.164).
    pub fn read(&self, now: i64, phone: Option<&str>, limit: usize) -> Vec<SmsMessage> {
        self.prune(now);
        let Ok(m) = self.messages.lock() else {
            return Vec::new();
        };
        m.iter()
            .rev()
            .filter(|x| phone.is_none_or(|p| x.phone.expose() == p))
            .take(limit)
            .map(|x| SmsMessage {
                phone: x.phone.clone(),
                text: x.text.clone(),
                code: x.code.clone(),
                sent_at: x.sent_at,
            })
            .collect()
    }
}
