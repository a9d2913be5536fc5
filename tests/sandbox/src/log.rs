//! The service log. Lines carry session-id prefixes and rule outcomes, never
//! identity numbers, phone numbers, codes, passwords or keys; tests read the
//! captured lines to prove it.
use std::sync::Mutex;

const CAPTURE_MAX: usize = 10_000;

#[derive(Debug, Default)]
pub struct Log {
    echo: bool,
    lines: Mutex<Vec<String>>,
}

impl Log {
    /// `echo` prints lines to stderr as well as capturing them.
    pub fn new(echo: bool) -> Self {
        Log {
            echo,
            lines: Mutex::new(Vec::new()),
        }
    }

    pub fn line(&self, s: String) {
        if self.echo {
            eprintln!("sandbox: {s}");
        }
        if let Ok(mut l) = self.lines.lock()
            && l.len() < CAPTURE_MAX
        {
            l.push(s);
        }
    }

    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

/// A session id's first 8 characters: enough to follow a session in the log.
pub fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}
