//! The platform capabilities a shell implements. Calls are blocking: the
//! flow runs them on a blocking thread, so an Android `IsoDep.transceive`
//! or a Keystore call maps directly, and an iOS shell waits on its callback.
//! Errors carry no personal data.
use std::sync::Arc;

use aktiver_protocol::{FaceVerdict, PushPlatform};

use crate::screen::Permission;

/// Why a capability call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CapabilityError {
    /// NFC: the tag left the field (the read can be resumed).
    #[error("the tag was lost")]
    TagLost,
    /// The platform lacks the capability or it is switched off.
    #[error("not available: {0}")]
    Unavailable(String),
    /// The user declined (a biometric prompt, say).
    #[error("declined by the user")]
    Declined,
    /// The call was stopped by [`FaceCheck::cancel`] or [`DeviceKeys::cancel`].
    #[error("cancelled")]
    Cancelled,
    #[error("{0}")]
    Failed(String),
}

/// What the phone's NFC stack can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NfcLimits {
    pub max_transceive: usize,
    pub extended_length: bool,
}

/// An ISO 14443 connection to the document's chip. The chip protocol
/// (PACE, BAC, secure messaging, files, authentication) is in the core.
pub trait NfcTransport: Send + Sync {
    fn limits(&self) -> NfcLimits;
    /// Waits until a tag is in the field and connected (first read, and
    /// after a lost tag once the user pressed Continue).
    fn connect(&self) -> Result<(), CapabilityError>;
    fn transceive(&self, apdu: &[u8]) -> Result<Vec<u8>, CapabilityError>;
}

/// The face-check provider: compares the live face with the chip's portrait
/// and returns its signed verdict (a pass or a fail; the server decides).
pub trait FaceCheck: Send + Sync {
    fn check(
        &self,
        session_id: &str,
        portrait: &[u8],
        portrait_sha256: &[u8; 32],
    ) -> Result<FaceVerdict, CapabilityError>;

    /// Stops the check in progress, if any (the user pressed Cancel or
    /// Back): called from another thread while `check` runs, which then
    /// returns soon, with [`CapabilityError::Cancelled`]. The flow waits for
    /// that return before it moves on. The default does nothing.
    fn cancel(&self) {}
}

/// Hardware-backed P-256 keys. The private key never leaves the platform.
pub trait DeviceKeys: Send + Sync {
    /// Creates (or replaces) the key `alias`; biometric-bound keys ask for
    /// the user's biometrics on every use. Returns the SubjectPublicKeyInfo DER.
    fn create(&self, alias: &str, biometric: bool) -> Result<Vec<u8>, CapabilityError>;
    /// ECDSA P-256 with SHA-256 over `message`, DER encoded.
    fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, CapabilityError>;
    fn delete(&self, alias: &str) -> Result<(), CapabilityError>;

    /// Stops a `create` or `sign` in progress (a biometric prompt showing,
    /// a slow keystore), as [`FaceCheck::cancel`]. The default does nothing.
    fn cancel(&self) {}
}

/// The platform's secure storage (Keychain, EncryptedSharedPreferences).
pub trait SecureStorage: Send + Sync {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CapabilityError>;
    fn put(&self, key: &str, value: &[u8]) -> Result<(), CapabilityError>;
    fn delete(&self, key: &str) -> Result<(), CapabilityError>;
}

/// The operating system's permission prompts.
pub trait Permissions: Send + Sync {
    /// Whether the permission is granted already (no prompt).
    fn granted(&self, permission: Permission) -> bool;
    /// Shows the OS prompt and waits for the answer: granted or not.
    fn request(&self, permission: Permission) -> bool;
}

/// The push-notification token (FCM or APNs).
pub trait PushToken: Send + Sync {
    fn token(&self) -> Result<(PushPlatform, String), CapabilityError>;
}

/// Everything the flow calls out to.
#[derive(Clone)]
pub struct Capabilities {
    pub nfc: Arc<dyn NfcTransport>,
    pub face: Arc<dyn FaceCheck>,
    pub keys: Arc<dyn DeviceKeys>,
    pub storage: Arc<dyn SecureStorage>,
    pub permissions: Arc<dyn Permissions>,
    pub push: Arc<dyn PushToken>,
}

impl std::fmt::Debug for Capabilities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Capabilities").finish_non_exhaustive()
    }
}
