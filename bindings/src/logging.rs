//! The log bridge: the app receives the core's log lines through a foreign
//! [`LogSink`]. Lines come from the `log` facade, from aktiver's own crates
//! only (targets `aktiver*`): dependencies may log URLs or headers. aktiver's
//! lines carry screen and action names and error kinds, never input.
use std::sync::{Arc, RwLock};

use crate::error::CallbackError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, uniffi::Enum)]
pub enum LogLevel {
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    fn filter(self) -> log::LevelFilter {
        match self {
            LogLevel::Error => log::LevelFilter::Error,
            LogLevel::Warn => log::LevelFilter::Warn,
            LogLevel::Info => log::LevelFilter::Info,
            LogLevel::Debug => log::LevelFilter::Debug,
            LogLevel::Trace => log::LevelFilter::Trace,
        }
    }
}

impl From<log::Level> for LogLevel {
    fn from(l: log::Level) -> Self {
        match l {
            log::Level::Error => LogLevel::Error,
            log::Level::Warn => LogLevel::Warn,
            log::Level::Info => LogLevel::Info,
            log::Level::Debug => LogLevel::Debug,
            log::Level::Trace => LogLevel::Trace,
        }
    }
}

/// Receives log lines. Called on any thread, possibly while the core holds
/// a lock: hand the line on and return (Logcat, os_log, a file).
#[uniffi::export(with_foreign)]
pub trait LogSink: Send + Sync {
    fn log(&self, level: LogLevel, target: String, message: String) -> Result<(), CallbackError>;
}

static SINK: RwLock<Option<Arc<dyn LogSink>>> = RwLock::new(None);

struct Bridge;

static BRIDGE: Bridge = Bridge;

impl log::Log for Bridge {
    fn enabled(&self, metadata: &log::Metadata) -> bool {
        metadata.target().starts_with("aktiver")
    }

    fn log(&self, record: &log::Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let sink = match SINK.read() {
            Ok(s) => s.clone(),
            Err(_) => None,
        };
        if let Some(sink) = sink {
            // A sink that throws loses its line, nothing else.
            let _ = sink.log(
                record.level().into(),
                record.target().to_owned(),
                record.args().to_string(),
            );
        }
    }

    fn flush(&self) {}
}

/// Sends the core's log lines up to `max_level` to `sink`; `None` stops.
/// Installs the bridge as the process's `log` logger on first use (if
/// another logger is installed already, that one keeps the lines).
#[uniffi::export]
pub fn set_log_sink(sink: Option<Arc<dyn LogSink>>, max_level: LogLevel) {
    let on = sink.is_some();
    if let Ok(mut s) = SINK.write() {
        *s = sink;
    }
    let _ = log::set_logger(&BRIDGE);
    log::set_max_level(if on {
        max_level.filter()
    } else {
        log::LevelFilter::Off
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    #[derive(Default)]
    struct Lines(Mutex<Vec<(LogLevel, String, String)>>);

    impl LogSink for Lines {
        fn log(
            &self,
            level: LogLevel,
            target: String,
            message: String,
        ) -> Result<(), CallbackError> {
            if let Ok(mut l) = self.0.lock() {
                l.push((level, target, message));
            }
            Err(CallbackError::Failed {
                reason: "a sink that throws".into(),
            })
        }
    }

    #[test]
    fn lines_of_our_crates_reach_the_sink_up_to_the_level() {
        let lines = Arc::new(Lines::default());
        set_log_sink(Some(lines.clone()), LogLevel::Info);
        log::info!(target: "aktiver_ffi", "screen sms_code");
        log::debug!(target: "aktiver_ffi", "too detailed");
        log::info!(target: "hyper::client", "GET /v1/sessions/abc");
        set_log_sink(None, LogLevel::Trace);
        log::info!(target: "aktiver_ffi", "after the sink is gone");
        let got = lines.0.lock().map(|l| l.clone()).unwrap_or_default();
        assert_eq!(
            got,
            vec![(
                LogLevel::Info,
                "aktiver_ffi".to_owned(),
                "screen sms_code".to_owned()
            )]
        );
    }
}
