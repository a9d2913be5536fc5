//! Software capabilities for the desktop: the virtual chip behind the NFC
//! transport, the sandbox's simulated face-check provider, a software P-256
//! key store, file-backed and in-memory storage, scripted permissions and a
//! fixed push token.
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::EncodePublicKey;

use aktiver_emrtd::apdu::{TransportError, TransportLimits};
use aktiver_emrtd::virtual_chip::{LinkModel, VirtualChip, VirtualTransport};
use aktiver_flow::{
    CapabilityError, DeviceKeys, FaceCheck, NfcLimits, NfcTransport, Permission, Permissions,
    PushToken, SecureStorage,
};
use aktiver_protocol::{FaceCheckRequest, FaceVerdict, PushPlatform, Sensitive, encode_b64};

fn lock<T>(m: &Mutex<T>) -> Result<std::sync::MutexGuard<'_, T>, CapabilityError> {
    m.lock()
        .map_err(|_| CapabilityError::Failed("lock poisoned".into()))
}

/// Makes a capability call take time, as a face scan or a keystore prompt
/// does, and stop early when the flow cancels it. Counts the calls still
/// running, so a test can see that Cancel stopped them.
#[derive(Default)]
pub struct CallGate {
    delay_ms: AtomicU64,
    cancelled: AtomicBool,
    running: AtomicU32,
    stopped: AtomicU32,
}

impl CallGate {
    /// Every later call takes this long (0: at once).
    pub fn set_delay_ms(&self, ms: u64) {
        self.delay_ms.store(ms, Ordering::SeqCst);
    }

    /// Calls in progress now.
    pub fn running(&self) -> u32 {
        self.running.load(Ordering::SeqCst)
    }

    /// Calls that ended because they were cancelled.
    pub fn stopped(&self) -> u32 {
        self.stopped.load(Ordering::SeqCst)
    }

    /// Waits out the delay; `Err(Cancelled)` when cancelled meanwhile.
    pub(crate) fn pass(&self) -> Result<(), CapabilityError> {
        let delay = std::time::Duration::from_millis(self.delay_ms.load(Ordering::SeqCst));
        if delay.is_zero() {
            return Ok(());
        }
        self.cancelled.store(false, Ordering::SeqCst);
        self.running.fetch_add(1, Ordering::SeqCst);
        let started = std::time::Instant::now();
        let mut result = Ok(());
        while started.elapsed() < delay {
            if self.cancelled.load(Ordering::SeqCst) {
                self.stopped.fetch_add(1, Ordering::SeqCst);
                result = Err(CapabilityError::Cancelled);
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
        self.running.fetch_sub(1, Ordering::SeqCst);
        result
    }

    fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
    }
}

/// The virtual chip on a modelled 424 kbit/s link. Simulated link time is
/// counted, never slept: the demo reports it apart from wall time.
pub struct VirtualNfc {
    transport: Mutex<Option<VirtualTransport>>,
    /// The class, instruction and P1 bytes of every command since the
    /// document was put on the phone (headers stay readable under secure
    /// messaging): a simulator shows the read's steps from them.
    headers: Mutex<Vec<[u8; 3]>>,
}

impl VirtualNfc {
    pub fn new() -> Self {
        VirtualNfc {
            transport: Mutex::new(None),
            headers: Mutex::new(Vec::new()),
        }
    }

    /// Puts a document on the phone.
    pub fn present(&self, chip: VirtualChip) {
        let t = VirtualTransport::new(
            chip,
            TransportLimits::default(),
            LinkModel::new(424_000, 10_000),
        );
        if let Ok(mut g) = self.transport.lock() {
            *g = Some(t);
        }
        if let Ok(mut h) = self.headers.lock() {
            h.clear();
        }
    }

    /// Class, instruction and P1 of each command sent since the document
    /// was put on the phone.
    pub fn headers(&self) -> Vec<[u8; 3]> {
        self.headers.lock().map(|h| h.clone()).unwrap_or_default()
    }

    /// Simulated link time and APDUs so far.
    pub fn simulated(&self) -> (u64, u32) {
        match self.transport.lock() {
            Ok(g) => g.as_ref().map_or((0, 0), |t| (t.elapsed_us, t.apdus)),
            Err(_) => (0, 0),
        }
    }
}

impl Default for VirtualNfc {
    fn default() -> Self {
        Self::new()
    }
}

impl NfcTransport for VirtualNfc {
    fn limits(&self) -> NfcLimits {
        let l = TransportLimits::default();
        NfcLimits {
            max_transceive: l.max_transceive,
            extended_length: l.extended_length,
        }
    }

    fn connect(&self) -> Result<(), CapabilityError> {
        let mut g = lock(&self.transport)?;
        let t = g
            .as_mut()
            .ok_or_else(|| CapabilityError::Unavailable("no document on the phone".into()))?;
        // Every connect is a fresh field and a fresh chip session (the
        // first read, a read after Back, the tag presented again after a
        // loss). The virtual transport's reconnect is ready at once.
        use aktiver_emrtd::reader::driver::Reconnect;
        let mut fut = std::pin::pin!(t.reconnect());
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        match fut.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(r) => r.map_err(|e| CapabilityError::Failed(e.to_string()))?,
            std::task::Poll::Pending => {
                return Err(CapabilityError::Failed("reconnect pending".into()));
            }
        }
        Ok(())
    }

    fn transceive(&self, apdu: &[u8]) -> Result<Vec<u8>, CapabilityError> {
        let mut g = lock(&self.transport)?;
        let t = g
            .as_mut()
            .ok_or_else(|| CapabilityError::Unavailable("no document on the phone".into()))?;
        if let (Some(head), Ok(mut h)) = (apdu.first_chunk::<3>(), self.headers.lock()) {
            h.push(*head);
        }
        match t.exchange(apdu) {
            Ok(a) => Ok(a),
            Err(TransportError::TagLost) => Err(CapabilityError::TagLost),
            Err(e) => Err(CapabilityError::Failed(e.to_string())),
        }
    }
}

/// The sandbox's simulated face-check provider, over its HTTP endpoint: the
/// person's configured outcome, signed by the provider's key.
pub struct SandboxFace {
    url: String,
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
    /// How long the person takes in front of the camera.
    pub gate: CallGate,
}

impl SandboxFace {
    /// `runtime` drives the HTTP call from the flow's blocking thread.
    pub fn new(
        url: &str,
        pin: Option<&str>,
        runtime: tokio::runtime::Handle,
    ) -> Result<Self, String> {
        Ok(SandboxFace {
            url: url.trim_end_matches('/').to_owned(),
            client: aktiver_sandbox::client::pinned_client(pin).map_err(|e| e.to_string())?,
            runtime,
            gate: CallGate::default(),
        })
    }
}

impl FaceCheck for SandboxFace {
    fn check(
        &self,
        session_id: &str,
        _portrait: &[u8],
        portrait_sha256: &[u8; 32],
    ) -> Result<FaceVerdict, CapabilityError> {
        self.gate.pass()?;
        let body = FaceCheckRequest {
            session_id: session_id.to_owned(),
            portrait_sha256_b64: Sensitive::new(encode_b64(portrait_sha256)),
        };
        let url = format!(
            "{}{}",
            self.url,
            aktiver_protocol::endpoints::SANDBOX_FACE_CHECK.path
        );
        let client = self.client.clone();
        self.runtime.block_on(async move {
            let resp = client
                .post(url)
                .header(
                    aktiver_protocol::IDEMPOTENCY_KEY_HEADER,
                    aktiver_flow::client::new_idempotency_key(),
                )
                .json(&body)
                .send()
                .await
                .map_err(|_| {
                    CapabilityError::Unavailable("face-check provider unreachable".into())
                })?;
            if !resp.status().is_success() {
                return Err(CapabilityError::Failed(format!(
                    "face-check provider: HTTP {}",
                    resp.status()
                )));
            }
            resp.json::<FaceVerdict>()
                .await
                .map_err(|_| CapabilityError::Failed("face-check provider: bad answer".into()))
        })
    }

    fn cancel(&self) {
        self.gate.cancel();
    }
}

/// P-256 keys in memory (a phone keeps them in its secure hardware).
#[derive(Default)]
pub struct SoftwareKeys {
    keys: Mutex<HashMap<String, SigningKey>>,
    /// Keys created biometric-bound, for the demo's report.
    pub biometric: Mutex<BTreeSet<String>>,
    /// How long the keystore (or its biometric prompt) takes.
    pub gate: CallGate,
}

impl DeviceKeys for SoftwareKeys {
    fn create(&self, alias: &str, biometric: bool) -> Result<Vec<u8>, CapabilityError> {
        self.gate.pass()?;
        let key = (0..16)
            .find_map(|_| {
                let mut b = zeroize::Zeroizing::new([0u8; 32]);
                getrandom::fill(b.as_mut_slice()).ok()?;
                SigningKey::from_slice(b.as_slice()).ok()
            })
            .ok_or_else(|| CapabilityError::Failed("no randomness".into()))?;
        let spki = key
            .verifying_key()
            .to_public_key_der()
            .map_err(|_| CapabilityError::Failed("SPKI encoding".into()))?
            .as_bytes()
            .to_vec();
        lock(&self.keys)?.insert(alias.to_owned(), key);
        if biometric {
            lock(&self.biometric)?.insert(alias.to_owned());
        }
        Ok(spki)
    }

    fn sign(&self, alias: &str, message: &[u8]) -> Result<Vec<u8>, CapabilityError> {
        self.gate.pass()?;
        let keys = lock(&self.keys)?;
        let key = keys
            .get(alias)
            .ok_or_else(|| CapabilityError::Failed("no such key".into()))?;
        let sig: Signature = key.sign(message);
        Ok(sig.to_der().as_bytes().to_vec())
    }

    fn delete(&self, alias: &str) -> Result<(), CapabilityError> {
        lock(&self.keys)?.remove(alias);
        Ok(())
    }

    fn cancel(&self) {
        self.gate.cancel();
    }
}

/// Storage in memory, shared between the flows of one test (a "restart"
/// builds a new flow over the same storage).
#[derive(Default)]
pub struct MemoryStorage {
    map: Mutex<HashMap<String, Vec<u8>>>,
}

impl SecureStorage for MemoryStorage {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CapabilityError> {
        Ok(lock(&self.map)?.get(key).cloned())
    }
    fn put(&self, key: &str, value: &[u8]) -> Result<(), CapabilityError> {
        lock(&self.map)?.insert(key.to_owned(), value.to_vec());
        Ok(())
    }
    fn delete(&self, key: &str) -> Result<(), CapabilityError> {
        lock(&self.map)?.remove(key);
        Ok(())
    }
}

/// Storage in files under a directory, readable by the owner only.
pub struct FileStorage {
    dir: PathBuf,
}

impl FileStorage {
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self, std::io::Error> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(FileStorage { dir })
    }

    fn path(&self, key: &str) -> PathBuf {
        let safe: String = key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        self.dir.join(safe)
    }
}

impl SecureStorage for FileStorage {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CapabilityError> {
        match std::fs::read(self.path(key)) {
            Ok(b) => Ok(Some(b)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(CapabilityError::Failed(e.kind().to_string())),
        }
    }

    fn put(&self, key: &str, value: &[u8]) -> Result<(), CapabilityError> {
        use std::io::Write;
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        let mut f = o
            .open(self.path(key))
            .map_err(|e| CapabilityError::Failed(e.kind().to_string()))?;
        f.write_all(value)
            .map_err(|e| CapabilityError::Failed(e.kind().to_string()))
    }

    fn delete(&self, key: &str) -> Result<(), CapabilityError> {
        match std::fs::remove_file(self.path(key)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(CapabilityError::Failed(e.kind().to_string())),
        }
    }
}

/// The user's answers to the OS prompts.
pub struct SimPermissions {
    granted: Mutex<BTreeSet<Permission>>,
    /// Answers `request` with yes for these.
    pub allow: Mutex<BTreeSet<Permission>>,
}

impl SimPermissions {
    /// Nothing granted yet; every prompt answered with yes.
    pub fn allowing_all() -> Self {
        SimPermissions {
            granted: Mutex::new(BTreeSet::new()),
            allow: Mutex::new(
                [
                    Permission::Camera,
                    Permission::Notifications,
                    Permission::Biometrics,
                ]
                .into(),
            ),
        }
    }

    pub fn deny(&self, p: Permission) {
        if let Ok(mut a) = self.allow.lock() {
            a.remove(&p);
        }
    }
}

impl Permissions for SimPermissions {
    fn granted(&self, permission: Permission) -> bool {
        self.granted
            .lock()
            .map(|g| g.contains(&permission))
            .unwrap_or(false)
    }

    fn request(&self, permission: Permission) -> bool {
        let yes = self
            .allow
            .lock()
            .map(|a| a.contains(&permission))
            .unwrap_or(false);
        if yes && let Ok(mut g) = self.granted.lock() {
            g.insert(permission);
        }
        yes
    }
}

/// A fixed FCM token.
pub struct SimPush;

impl PushToken for SimPush {
    fn token(&self) -> Result<(PushPlatform, String), CapabilityError> {
        Ok((PushPlatform::Fcm, "sim-fcm-token-0001".to_owned()))
    }
}

/// The capabilities a simulated phone has.
pub struct SimPhone {
    pub nfc: Arc<VirtualNfc>,
    pub keys: Arc<SoftwareKeys>,
    pub storage: Arc<dyn SecureStorage>,
    pub permissions: Arc<SimPermissions>,
    pub face: Arc<crate::face::SwitchableFace>,
}

impl SimPhone {
    pub fn capabilities(&self) -> aktiver_flow::Capabilities {
        aktiver_flow::Capabilities {
            nfc: self.nfc.clone(),
            face: self.face.clone(),
            keys: self.keys.clone(),
            storage: self.storage.clone(),
            permissions: self.permissions.clone(),
            push: Arc::new(SimPush),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_storage_round_trip_owner_only() {
        let dir = std::env::temp_dir().join(format!("aktiver-testkit-{}", std::process::id()));
        let s = FileStorage::new(&dir).map_err(|e| e.to_string());
        let s = s.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.get("aktiver.flow.snapshot"), Ok(None));
        assert_eq!(s.put("aktiver.flow.snapshot", b"{}"), Ok(()));
        assert_eq!(s.get("aktiver.flow.snapshot"), Ok(Some(b"{}".to_vec())));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("aktiver.flow.snapshot"))
                .map(|m| m.permissions().mode() & 0o777)
                .unwrap_or(0);
            assert_eq!(mode, 0o600);
        }
        // A key cannot climb out of the directory.
        assert_eq!(s.put("../escape", b"x"), Ok(()));
        assert!(dir.join(".._escape").exists());
        assert_eq!(s.delete("aktiver.flow.snapshot"), Ok(()));
        assert_eq!(s.delete("aktiver.flow.snapshot"), Ok(()));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_gated_call_stops_when_cancelled() {
        let k = Arc::new(SoftwareKeys::default());
        k.gate.set_delay_ms(5_000);
        let started = std::time::Instant::now();
        let call = {
            let k = k.clone();
            std::thread::spawn(move || k.create("aktiver.device", false))
        };
        while k.gate.running() == 0 {
            std::thread::yield_now();
        }
        k.cancel();
        assert_eq!(call.join().ok(), Some(Err(CapabilityError::Cancelled)));
        assert!(started.elapsed() < std::time::Duration::from_secs(4));
        assert_eq!((k.gate.running(), k.gate.stopped()), (0, 1));
        k.gate.set_delay_ms(0);
        assert!(k.create("aktiver.device", false).is_ok());
    }

    #[test]
    fn software_keys_sign_what_the_server_verifies() {
        use p256::ecdsa::signature::Verifier;
        use p256::pkcs8::DecodePublicKey;
        let k = SoftwareKeys::default();
        let spki = k.create("aktiver.device", false).unwrap_or_default();
        let sig = k.sign("aktiver.device", b"challenge").unwrap_or_default();
        let vk = p256::ecdsa::VerifyingKey::from_public_key_der(&spki);
        let sig = Signature::from_der(&sig);
        assert!(matches!((vk, sig), (Ok(vk), Ok(sig)) if vk.verify(b"challenge", &sig).is_ok()));
        assert!(k.sign("aktiver.other", b"x").is_err());
    }
}
