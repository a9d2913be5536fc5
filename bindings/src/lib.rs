//! aktiver's core exported to Kotlin and Swift through uniffi.
//!
//! This is the only crate that knows uniffi. Every exported call returns a
//! typed error; panics stay unwinding and are caught at the boundary (a
//! panicking task becomes [`ActivationError::Internal`]).
//!
//! ```text
//! start_activation(config, capabilities) -> Activation      resumes a saved activation
//! activation.observe(listener) -> ObserveHandle             current screen at once, then every change
//! activation.act(Action) -> ScreenView                      async; dropping the call interrupts busy work
//! activation.submit_frame(...) -> feedback                  camera frames on the MRZ scan screen
//! activation.cancel() / release()                             end the activation / release the object
//! ```
//!
//! Seams: [`screens`] (what the shell draws), [`actions`] (what the user
//! did), [`capabilities`] (the platform as foreign traits, with shims into
//! the core's traits), [`activation`] (the object), [`runtime`] (our own
//! tokio runtime), [`logging`] (the log bridge), [`error`], and behind the
//! `test-support` feature [`test_support`] (desktop capabilities and the
//! sandbox server, so shell tests run the real flow).

uniffi::setup_scaffolding!("aktiver");

pub mod actions;
pub mod activation;
pub mod capabilities;
pub mod error;
pub mod logging;
pub mod mrz;
pub mod nin;
pub mod runtime;
pub mod screens;
#[cfg(feature = "test-support")]
pub mod test_support;

pub use actions::Action;
pub use activation::{
    Activation, ActivationConfig, Language, ObserveHandle, ScreenListener, start_activation,
};
pub use capabilities::{
    Capabilities, CapabilityError, DeviceKeys, FaceCheck, FaceVerdict, NfcLimits, NfcTransport,
    Permissions, PushPlatform, PushToken, PushTokenValue, SecureStorage,
};
pub use error::{ActivationError, CallbackError};
pub use screens::{Screen, ScreenView};

/// The core's version, for diagnostics.
#[uniffi::export]
pub fn core_version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
