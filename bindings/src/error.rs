//! The errors exported calls answer with. None carries input (it may be
//! personal data).
use aktiver_flow::FlowError;

/// What a call on an activation can answer besides a screen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum ActivationError {
    /// The action does not fit the current screen.
    #[error("action `{action}` does not fit screen `{screen}`")]
    BadState { screen: String, action: String },
    /// The activation could not be set up (configuration, storage, runtime).
    #[error("setup: {reason}")]
    Setup { reason: String },
    /// The activation object was closed.
    #[error("the activation is closed")]
    Closed,
    /// A bug in the core (a panic, caught): the activation should be
    /// closed and started again, which resumes from secure storage.
    #[error("internal error: {reason}")]
    Internal { reason: String },
}

impl From<FlowError> for ActivationError {
    fn from(e: FlowError) -> Self {
        match e {
            FlowError::BadState { screen, action } => ActivationError::BadState {
                screen: screen.to_owned(),
                action: action.to_owned(),
            },
            FlowError::Setup(reason) => ActivationError::Setup { reason },
        }
    }
}

impl From<tokio::task::JoinError> for ActivationError {
    fn from(e: tokio::task::JoinError) -> Self {
        if e.is_panic() {
            // The payload may quote input: only say that it panicked.
            ActivationError::Internal {
                reason: "the core panicked".into(),
            }
        } else {
            ActivationError::Internal {
                reason: "the core's task was stopped".into(),
            }
        }
    }
}

/// What a foreign listener or log sink may throw; the core ignores it
/// (a listener that throws keeps getting screens).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum CallbackError {
    #[error("{reason}")]
    Failed { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for CallbackError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        CallbackError::Failed {
            reason: "the callback threw".into(),
        }
    }
}
