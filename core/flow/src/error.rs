//! Errors of the flow's API and the stable failure codes of `Failed` screens.
use aktiver_protocol::ErrorCode;

/// What an API call on the flow can answer besides a new screen. Neither
/// variant carries input (it may hold personal data).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FlowError {
    /// The action does not fit the current screen.
    #[error("action `{action}` does not fit screen `{screen}`")]
    BadState {
        screen: &'static str,
        action: &'static str,
    },
    /// The flow could not be set up (configuration, storage).
    #[error("setup: {0}")]
    Setup(String),
}

/// A terminal failure: a stable code (the server's error codes where the
/// cause is the same, local ones otherwise) and the id of its remedy text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub code: &'static str,
    pub remedy: &'static str,
}

impl Failure {
    pub fn from_code(code: ErrorCode) -> Self {
        Failure {
            code: code.as_str(),
            remedy: code.remedy_id(),
        }
    }

    /// Failures the phone finds itself.
    pub const CHIP_READ_FAILED: Failure = Failure {
        code: "chip_read_failed",
        remedy: "remedy.rescan_chip",
    };
    pub const CHIP_ACCESS_DENIED: Failure = Failure {
        code: "chip_access_denied",
        remedy: "remedy.rescan_document",
    };
    pub const FACE_CHECK_UNAVAILABLE: Failure = Failure {
        code: "face_check_unavailable",
        remedy: "remedy.retry_face_check",
    };
    pub const DEVICE_KEY_FAILED: Failure = Failure {
        code: "device_key_failed",
        remedy: "remedy.try_later",
    };
    pub const UNEXPECTED_ANSWER: Failure = Failure {
        code: "unexpected_answer",
        remedy: "remedy.update_app",
    };
    pub const NFC_UNAVAILABLE: Failure = Failure {
        code: "nfc_unavailable",
        remedy: "remedy.enable_nfc",
    };
}
