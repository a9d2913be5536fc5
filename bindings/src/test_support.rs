//! Desktop capabilities and the sandbox server, for the Kotlin and Swift
//! test suites (feature `test-support`, never in an app build). Thin
//! wrappers over `aktiver-testkit`, the same stand-ins `aktiver-sim demo`
//! uses: the virtual chip as NFC transport, generated camera frames of the
//! person's document, the sandbox's simulated face check, a software key
//! store, an in-memory secure storage, permissions that say yes, a push token.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aktiver_flow as core;
use aktiver_scan::synth::{Level, Scenario};
use aktiver_testkit::Sandbox;
use aktiver_testkit::caps::{
    MemoryStorage, SandboxFace, SimPermissions, SimPush, SoftwareKeys, VirtualNfc,
};
use aktiver_testkit::document::{self, DocumentOptions};

use crate::activation::{ActivationConfig, Language};
use crate::capabilities::{
    Capabilities, CapabilityError, DeviceKeys, FaceCheck, FaceVerdict, NfcLimits, NfcTransport,
    Permissions, PushPlatform, PushToken, PushTokenValue, SecureStorage,
};
use crate::error::ActivationError;
use crate::runtime;
use crate::screens::{IdDocument, Permission};

fn setup(e: impl std::fmt::Display) -> ActivationError {
    ActivationError::Setup {
        reason: e.to_string(),
    }
}

/// The sandbox server, started in this process on loopback TLS with the
/// built-in population (and fast password hashing).
#[derive(uniffi::Object)]
pub struct TestSandbox {
    sandbox: tokio::sync::Mutex<Option<Sandbox>>,
    url: String,
    pin: String,
}

/// Starts a sandbox server on our runtime.
#[uniffi::export]
pub async fn start_test_sandbox() -> Result<Arc<TestSandbox>, ActivationError> {
    let sandbox = runtime::run(async {
        Sandbox::start(aktiver_sandbox::Rules::fast_kdf())
            .await
            .map_err(setup)
    })
    .await?;
    Ok(Arc::new(TestSandbox {
        url: sandbox.url.clone(),
        pin: sandbox.pin.clone(),
        sandbox: tokio::sync::Mutex::new(Some(sandbox)),
    }))
}

/// A person of the sandbox's built-in population.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct TestPerson {
    pub national_id: String,
    /// E.164.
    pub phone: String,
    /// Their current BankID password, if they have one.
    pub password: Option<String>,
}

impl std::fmt::Debug for TestPerson {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestPerson").finish_non_exhaustive()
    }
}

/// The person `aktiver-sim demo` activates.
pub const DEMO_PERSON: &str = "15859010099";

/// A built-in person (the demo's person when `national_id` is `None`).
#[uniffi::export]
pub fn test_person(national_id: Option<String>) -> Option<TestPerson> {
    let p = aktiver_testkit::person(national_id.as_deref().unwrap_or(DEMO_PERSON))?;
    Some(TestPerson {
        national_id: p.national_id,
        phone: p.phone,
        password: p.password,
    })
}

#[uniffi::export]
impl TestSandbox {
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// A configuration for this sandbox: pinned, its CSCA trusted,
    /// synthetic identity numbers allowed, short retry backoff.
    pub fn config(&self, language: Language) -> Result<ActivationConfig, ActivationError> {
        Ok(ActivationConfig {
            server_url: self.url.clone(),
            server_pin: Some(self.pin.clone()),
            language,
            text_overrides: None,
            allow_synthetic_ids: true,
            trust_anchors: vec![Sandbox::trust_anchor().map_err(setup)?],
            retry_backoff_ms: Some(20),
        })
    }

    /// The newest SMS code sent to `phone` (E.164).
    pub async fn sms_code(&self, phone: String) -> Option<String> {
        let url = self.url.clone();
        let pin = self.pin.clone();
        runtime::run(async move {
            let inbox = aktiver_sandbox::client::fetch_inbox(&url, Some(&pin), Some(&phone)).await;
            Ok(inbox
                .ok()
                .and_then(|i| i.messages.first().map(|m| m.code.expose().to_owned())))
        })
        .await
        .ok()
        .flatten()
    }

    /// The code the person's code unit shows now.
    pub async fn code_unit_otp(&self, national_id: String) -> Option<String> {
        let g = self.sandbox.lock().await;
        g.as_ref()?.code_unit_otp(&national_id)
    }

    /// Stops the server (open requests finish).
    pub async fn stop(&self) {
        let s = self.sandbox.lock().await.take();
        if let Some(s) = s {
            let _ = runtime::run(async move {
                s.server.stop().await;
                Ok(())
            })
            .await;
        }
    }
}

/// The document the test person holds to the camera and the phone.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TestDocument {
    pub national_id: String,
    pub document: IdDocument,
    /// A data group (1 to 16) altered after signing: the chip check fails.
    #[uniffi(default = None)]
    pub tampered_data_group: Option<u8>,
    /// The tag leaves the field at these APDU numbers.
    #[uniffi(default = [])]
    pub tag_lost_at: Vec<u32>,
    /// Milliseconds each APDU takes (the virtual chip answers at once):
    /// gives a test time to cancel in the middle of the read.
    #[uniffi(default = 0)]
    pub apdu_delay_ms: u32,
}

/// A camera frame: an 8-bit luma plane.
#[derive(Clone, PartialEq, Eq, uniffi::Record)]
pub struct CameraFrame {
    pub luma: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub row_stride: u32,
}

impl std::fmt::Debug for CameraFrame {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CameraFrame")
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

/// A simulated phone: its capabilities (shared by every activation started
/// with them, so a new activation resumes from the same storage) and its
/// camera filming the document.
#[derive(uniffi::Object)]
pub struct TestPhone {
    nfc: Arc<TestNfc>,
    face: Arc<dyn FaceCheck>,
    keys: Arc<dyn DeviceKeys>,
    storage: Arc<dyn SecureStorage>,
    permissions: Arc<dyn Permissions>,
    camera: Scenario,
}

#[uniffi::export]
impl TestPhone {
    #[uniffi::constructor]
    pub fn new(
        sandbox: &TestSandbox,
        document: TestDocument,
    ) -> Result<Arc<Self>, ActivationError> {
        let kind = document.document.into();
        let opts = DocumentOptions {
            tampered: document.tampered_data_group,
            tag_lost_at: document.tag_lost_at.clone(),
            ..DocumentOptions::default()
        };
        let lines = document::mrz_lines(&document.national_id, kind, &opts)
            .ok_or_else(|| setup("national_id: not a sandbox identity number"))?;
        let chip = document::chip(&lines, kind, &opts).map_err(setup)?;
        let virtual_nfc = VirtualNfc::new();
        virtual_nfc.present(chip);
        let rt = runtime::get()?;
        let face = SandboxFace::new(&sandbox.url, Some(&sandbox.pin), rt.handle().clone())
            .map_err(setup)?;
        let camera = aktiver_testkit::camera(&lines, 2026, Level::Clean)
            .ok_or_else(|| setup("no camera scene for this MRZ"))?;
        Ok(Arc::new(TestPhone {
            nfc: Arc::new(TestNfc {
                inner: virtual_nfc,
                delay: Duration::from_millis(u64::from(document.apdu_delay_ms)),
                apdus: AtomicU64::new(0),
            }),
            face: Arc::new(FromCore(face)),
            keys: Arc::new(FromCore(SoftwareKeys::default())),
            storage: Arc::new(FromCore(MemoryStorage::default())),
            permissions: Arc::new(FromCore(SimPermissions::allowing_all())),
            camera,
        }))
    }

    pub fn capabilities(&self) -> Capabilities {
        Capabilities {
            nfc: self.nfc.clone(),
            face: self.face.clone(),
            keys: self.keys.clone(),
            storage: self.storage.clone(),
            permissions: self.permissions.clone(),
            push: Arc::new(FromCore(SimPush)),
        }
    }

    /// Frame `index` of the camera filming the document's MRZ.
    pub fn camera_frame(&self, index: u64) -> CameraFrame {
        let img = self.camera.frame(index).image;
        CameraFrame {
            row_stride: img.width,
            width: img.width,
            height: img.height,
            luma: img.data,
        }
    }

    /// APDUs the chip has answered so far.
    pub fn apdus(&self) -> u64 {
        self.nfc.apdus.load(Ordering::Relaxed)
    }
}

/// The virtual chip, with a modelled delay per APDU and a count.
struct TestNfc {
    inner: VirtualNfc,
    delay: Duration,
    apdus: AtomicU64,
}

impl NfcTransport for TestNfc {
    fn limits(&self) -> Result<NfcLimits, CapabilityError> {
        let l = core::NfcTransport::limits(&self.inner);
        Ok(NfcLimits {
            max_transceive: u32::try_from(l.max_transceive).unwrap_or(u32::MAX),
            extended_length: l.extended_length,
        })
    }
    fn connect(&self) -> Result<(), CapabilityError> {
        Ok(core::NfcTransport::connect(&self.inner)?)
    }
    fn transceive(&self, apdu: Vec<u8>) -> Result<Vec<u8>, CapabilityError> {
        if !self.delay.is_zero() {
            std::thread::sleep(self.delay);
        }
        let r = core::NfcTransport::transceive(&self.inner, &apdu)?;
        self.apdus.fetch_add(1, Ordering::Relaxed);
        Ok(r)
    }
}

/// A core capability seen as the exported trait.
struct FromCore<T>(T);

impl<T: core::FaceCheck> FaceCheck for FromCore<T> {
    fn check(
        &self,
        session_id: String,
        portrait: Vec<u8>,
        portrait_sha256: Vec<u8>,
    ) -> Result<FaceVerdict, CapabilityError> {
        let digest: [u8; 32] = portrait_sha256
            .try_into()
            .map_err(|_| CapabilityError::Failed {
                reason: "portrait_sha256: expected 32 bytes".into(),
            })?;
        let v = self.0.check(&session_id, &portrait, &digest)?;
        Ok(FaceVerdict {
            provider: v.provider,
            payload_b64: v.payload_b64,
            signature_b64: v.signature_b64,
        })
    }
    fn cancel(&self) -> Result<(), CapabilityError> {
        self.0.cancel();
        Ok(())
    }
}

impl<T: core::DeviceKeys> DeviceKeys for FromCore<T> {
    fn create(&self, alias: String, biometric: bool) -> Result<Vec<u8>, CapabilityError> {
        Ok(self.0.create(&alias, biometric)?)
    }
    fn sign(&self, alias: String, message: Vec<u8>) -> Result<Vec<u8>, CapabilityError> {
        Ok(self.0.sign(&alias, &message)?)
    }
    fn delete(&self, alias: String) -> Result<(), CapabilityError> {
        Ok(self.0.delete(&alias)?)
    }
    fn cancel(&self) -> Result<(), CapabilityError> {
        self.0.cancel();
        Ok(())
    }
}

impl<T: core::SecureStorage> SecureStorage for FromCore<T> {
    fn get(&self, key: String) -> Result<Option<Vec<u8>>, CapabilityError> {
        Ok(self.0.get(&key)?)
    }
    fn put(&self, key: String, value: Vec<u8>) -> Result<(), CapabilityError> {
        Ok(self.0.put(&key, &value)?)
    }
    fn delete(&self, key: String) -> Result<(), CapabilityError> {
        Ok(self.0.delete(&key)?)
    }
}

impl<T: core::Permissions> Permissions for FromCore<T> {
    fn granted(&self, permission: Permission) -> Result<bool, CapabilityError> {
        Ok(self.0.granted(permission.into()))
    }
    fn request(&self, permission: Permission) -> Result<bool, CapabilityError> {
        Ok(self.0.request(permission.into()))
    }
}

impl<T: core::PushToken> PushToken for FromCore<T> {
    fn token(&self) -> Result<PushTokenValue, CapabilityError> {
        let (platform, token) = self.0.token()?;
        Ok(PushTokenValue {
            platform: match platform {
                aktiver_protocol::PushPlatform::Fcm => PushPlatform::Fcm,
                aktiver_protocol::PushPlatform::Apns => PushPlatform::Apns,
            },
            token,
        })
    }
}
