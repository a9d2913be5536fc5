//! The activation flow a phone app embeds: the core owns the workflow,
//! the shell draws [`Screen`]s and reports [`Action`]s.
//!
//! ```text
//! Flow::start(config, capabilities)      resumes from secure storage when a snapshot is there
//! flow.observe(listener) -> handle       the current screen at once, then every change; handle.cancel()
//! flow.act(Action::...) -> View          BadState when the action does not fit the screen
//! flow.submit_frame(luma, w, h, stride, rotation) -> feedback   on the MRZ scan screen
//! ```
//!
//! Screens and their code: [`steps`] (one module per group of screens).
//! Local checks run before any network call ([`checks`]); the client pins
//! the server's key ([`client`], [`tls`]); texts are Fluent bundles in
//! Bokmål, Nynorsk and English ([`texts`]); the platform's NFC, face check,
//! keys, storage, permissions and push token are traits ([`caps`]).
pub mod action;
pub mod caps;
pub mod checks;
pub mod chip;
pub mod client;
pub mod error;
mod flow;
pub mod screen;
pub mod steps;
pub mod texts;
pub mod tls;

pub use action::Action;
pub use caps::{
    Capabilities, CapabilityError, DeviceKeys, FaceCheck, NfcLimits, NfcTransport, Permissions,
    PushToken, SecureStorage,
};
pub use client::ClientOptions;
pub use error::{Failure, FlowError};
pub use flow::{Flow, FlowConfig, ObserveHandle, ScreenListener, View};
pub use screen::{ChipHint, FieldError, PasswordRule, PauseCause, Permission, Screen};
pub use steps::Snapshot;
pub use texts::{Lang, Text, Texts};
