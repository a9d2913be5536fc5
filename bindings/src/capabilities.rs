//! The platform capabilities as foreign traits (Kotlin and Swift implement
//! them; Rust may too, as the test support does), with thin shims into the
//! core's traits. Every method returns a `Result`: a foreign implementation
//! that throws [`CapabilityError`] arrives as that typed error, and one that
//! throws anything else arrives as `Failed` (never as uniffi's
//! `UnexpectedUniFFICallbackError`, never as a panic).
//!
//! The core calls these on blocking threads of our runtime: a
//! straightforward blocking implementation (`IsoDep.transceive`, a
//! Keystore call, waiting for a completion handler) is right.
use std::sync::Arc;

use aktiver_flow as core;
use aktiver_protocol as proto;

use crate::screens::Permission;

/// Why a capability call failed. Carries no personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum CapabilityError {
    /// NFC: the tag left the field (the read can be resumed).
    #[error("the tag was lost")]
    TagLost,
    /// The platform lacks the capability or it is switched off.
    #[error("not available: {reason}")]
    Unavailable { reason: String },
    /// The user declined (a biometric prompt, say).
    #[error("declined by the user")]
    Declined,
    /// The call was stopped by the trait's `cancel()`.
    #[error("cancelled")]
    Cancelled,
    #[error("{reason}")]
    Failed { reason: String },
}

impl From<uniffi::UnexpectedUniFFICallbackError> for CapabilityError {
    fn from(_: uniffi::UnexpectedUniFFICallbackError) -> Self {
        // The foreign exception's message may quote anything: not kept.
        CapabilityError::Failed {
            reason: "the platform implementation threw an unexpected exception".into(),
        }
    }
}

impl From<CapabilityError> for core::CapabilityError {
    fn from(e: CapabilityError) -> Self {
        match e {
            CapabilityError::TagLost => core::CapabilityError::TagLost,
            CapabilityError::Unavailable { reason } => core::CapabilityError::Unavailable(reason),
            CapabilityError::Declined => core::CapabilityError::Declined,
            CapabilityError::Cancelled => core::CapabilityError::Cancelled,
            CapabilityError::Failed { reason } => core::CapabilityError::Failed(reason),
        }
    }
}

impl From<core::CapabilityError> for CapabilityError {
    fn from(e: core::CapabilityError) -> Self {
        match e {
            core::CapabilityError::TagLost => CapabilityError::TagLost,
            core::CapabilityError::Unavailable(reason) => CapabilityError::Unavailable { reason },
            core::CapabilityError::Declined => CapabilityError::Declined,
            core::CapabilityError::Cancelled => CapabilityError::Cancelled,
            core::CapabilityError::Failed(reason) => CapabilityError::Failed { reason },
        }
    }
}

/// What the phone's NFC stack can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct NfcLimits {
    /// The largest APDU exchange in bytes (Android: `IsoDep.maxTransceiveLength`).
    pub max_transceive: u32,
    /// Extended-length APDUs (Android: `IsoDep.isExtendedLengthApduSupported`).
    pub extended_length: bool,
}

/// An ISO 14443 connection to the document's chip. The chip protocol (PACE,
/// BAC, secure messaging, files, authentication) is in the core.
#[uniffi::export(with_foreign)]
pub trait NfcTransport: Send + Sync {
    fn limits(&self) -> Result<NfcLimits, CapabilityError>;
    /// Waits until a tag is in the field and connected (first read, and
    /// after a lost tag once the user pressed Continue).
    fn connect(&self) -> Result<(), CapabilityError>;
    fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, CapabilityError>;
}

/// The face-check provider's signed verdict.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FaceVerdict {
    pub provider: String,
    /// The provider's signed payload (JSON), base64.
    pub payload_b64: String,
    /// ECDSA P-256 / SHA-256 signature over the payload bytes, DER, base64.
    pub signature_b64: String,
}

/// Compares the live face with the chip's portrait.
#[uniffi::export(with_foreign)]
pub trait FaceCheck: Send + Sync {
    fn check(
        &self,
        session_id: String,
        portrait: Vec<u8>,
        portrait_sha256: Vec<u8>,
    ) -> Result<FaceVerdict, CapabilityError>;
    /// Stops the check in progress, if any (the user pressed Cancel or
    /// Back): called from another thread while `check` runs, which should
    /// then return soon with `Cancelled`. Nothing to do: return.
    fn cancel(&self) -> Result<(), CapabilityError>;
}

/// Hardware-backed P-256 keys. The private key never leaves the platform.
#[uniffi::export(with_foreign)]
pub trait DeviceKeys: Send + Sync {
    /// Creates (or replaces) the key `alias`; a biometric-bound key asks
    /// for the user's biometrics on every use. Returns SubjectPublicKeyInfo DER.
    fn create(&self, alias: String, biometric: bool) -> Result<Vec<u8>, CapabilityError>;
    /// ECDSA P-256 with SHA-256 over `message`, DER encoded.
    fn sign(&self, alias: String, message: Vec<u8>) -> Result<Vec<u8>, CapabilityError>;
    fn delete(&self, alias: String) -> Result<(), CapabilityError>;
    /// Stops a `create` or `sign` in progress (a biometric prompt showing),
    /// as `FaceCheck.cancel`.
    fn cancel(&self) -> Result<(), CapabilityError>;
}

/// The platform's secure storage (Keychain, encrypted preferences).
#[uniffi::export(with_foreign)]
pub trait SecureStorage: Send + Sync {
    fn get(&self, key: String) -> Result<Option<Vec<u8>>, CapabilityError>;
    fn put(&self, key: String, value: Vec<u8>) -> Result<(), CapabilityError>;
    fn delete(&self, key: String) -> Result<(), CapabilityError>;
}

/// The operating system's permission prompts. An error counts as "not granted".
#[uniffi::export(with_foreign)]
pub trait Permissions: Send + Sync {
    /// Whether the permission is granted already (no prompt).
    fn granted(&self, permission: Permission) -> Result<bool, CapabilityError>;
    /// Shows the OS prompt and waits for the answer.
    fn request(&self, permission: Permission) -> Result<bool, CapabilityError>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PushPlatform {
    Fcm,
    Apns,
}

/// A push token and whose it is.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct PushTokenValue {
    pub platform: PushPlatform,
    pub token: String,
}

impl std::fmt::Debug for PushTokenValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PushTokenValue")
            .field("platform", &self.platform)
            .finish_non_exhaustive()
    }
}

/// The push-notification token (FCM or APNs).
#[uniffi::export(with_foreign)]
pub trait PushToken: Send + Sync {
    fn token(&self) -> Result<PushTokenValue, CapabilityError>;
}

/// Everything the flow calls out to.
#[derive(Clone, uniffi::Record)]
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

/// Logs a capability failure by its kind only (reasons may quote anything).
fn noted<T>(what: &str, r: Result<T, CapabilityError>) -> Result<T, core::CapabilityError> {
    r.map_err(|e| {
        let kind = match &e {
            CapabilityError::TagLost => "tag lost",
            CapabilityError::Unavailable { .. } => "unavailable",
            CapabilityError::Declined => "declined",
            CapabilityError::Cancelled => "cancelled",
            CapabilityError::Failed { .. } => "failed",
        };
        log::debug!(target: "aktiver_ffi", "capability {what}: {kind}");
        e.into()
    })
}

/// The foreign traits seen as the core's.
struct Shim<T: ?Sized>(Arc<T>);

impl core::NfcTransport for Shim<dyn NfcTransport> {
    fn limits(&self) -> core::NfcLimits {
        match self.0.limits() {
            Ok(l) => core::NfcLimits {
                max_transceive: usize::try_from(l.max_transceive).unwrap_or(usize::MAX),
                extended_length: l.extended_length,
            },
            // The smallest every ISO 14443-4 reader carries.
            Err(_) => core::NfcLimits {
                max_transceive: 261,
                extended_length: false,
            },
        }
    }
    fn connect(&self) -> Result<(), core::CapabilityError> {
        noted("nfc.connect", self.0.connect())
    }
    fn transceive(&self, apdu: &[u8]) -> Result<Vec<u8>, core::CapabilityError> {
        noted("nfc.transceive", self.0.transceive(apdu.to_vec()))
    }
}

impl core::FaceCheck for Shim<dyn FaceCheck> {
    fn check(
        &self,
        session_id: &str,
        portrait: &[u8],
        portrait_sha256: &[u8; 32],
    ) -> Result<proto::FaceVerdict, core::CapabilityError> {
        let v = noted(
            "face.check",
            self.0.check(
                session_id.to_owned(),
                portrait.to_vec(),
                portrait_sha256.to_vec(),
            ),
        )?;
        Ok(proto::FaceVerdict {
            provider: v.provider,
            payload_b64: v.payload_b64,
            signature_b64: v.signature_b64,
        })
    }
    fn cancel(&self) {
        let _ = noted("face.cancel", self.0.cancel());
    }
}

impl core::DeviceKeys for Shim<dyn DeviceKeys> {
    fn create(&self, alias: &str, biometric: bool) -> Result<Vec<u8>, core::CapabilityError> {
        noted("keys.create", self.0.create(alias.to_owned(), biometric))
    }
    fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, core::CapabilityError> {
        noted("keys.sign", self.0.sign(alias.to_owned(), message.to_vec()))
    }
    fn delete(&self, alias: &str) -> Result<(), core::CapabilityError> {
        noted("keys.delete", self.0.delete(alias.to_owned()))
    }
    fn cancel(&self) {
        let _ = noted("keys.cancel", self.0.cancel());
    }
}

impl core::SecureStorage for Shim<dyn SecureStorage> {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, core::CapabilityError> {
        noted("storage.get", self.0.get(key.to_owned()))
    }
    fn put(&self, key: &str, value: &[u8]) -> Result<(), core::CapabilityError> {
        noted("storage.put", self.0.put(key.to_owned(), value.to_vec()))
    }
    fn delete(&self, key: &str) -> Result<(), core::CapabilityError> {
        noted("storage.delete", self.0.delete(key.to_owned()))
    }
}

impl core::Permissions for Shim<dyn Permissions> {
    fn granted(&self, permission: core::Permission) -> bool {
        noted("permissions.granted", self.0.granted(permission.into())).unwrap_or(false)
    }
    fn request(&self, permission: core::Permission) -> bool {
        noted("permissions.request", self.0.request(permission.into())).unwrap_or(false)
    }
}

impl core::PushToken for Shim<dyn PushToken> {
    fn token(&self) -> Result<(proto::PushPlatform, String), core::CapabilityError> {
        let v = noted("push.token", self.0.token())?;
        let platform = match v.platform {
            PushPlatform::Fcm => proto::PushPlatform::Fcm,
            PushPlatform::Apns => proto::PushPlatform::Apns,
        };
        Ok((platform, v.token))
    }
}

impl Capabilities {
    /// The core's view of these capabilities.
    pub fn to_core(&self) -> core::Capabilities {
        core::Capabilities {
            nfc: Arc::new(Shim(self.nfc.clone())),
            face: Arc::new(Shim(self.face.clone())),
            keys: Arc::new(Shim(self.keys.clone())),
            storage: Arc::new(Shim(self.storage.clone())),
            permissions: Arc::new(Shim(self.permissions.clone())),
            push: Arc::new(Shim(self.push.clone())),
        }
    }
}
