//! The state machine: one module per group of screens.
//!
//! | module | screens |
//! |---|---|
//! | [`start`] | welcome, national identity number, phone, SMS code, activation method |
//! | [`method`] | code unit, activation code, activating (device key) |
//! | [`idcheck`] | ID-check intro and steps, camera access, document, MRZ scan, chip, face |
//! | [`finish`] | password, notifications, biometrics, agreement, signing |
//!
//! Every handler runs with the machine locked; a network failure keeps the
//! step's idempotency key and shows `NetworkError`, whose `Retry` runs the
//! same action again from the same screen.
mod finish;
mod idcheck;
mod method;
mod snapshot;
pub use snapshot::Snapshot;
mod start;

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use zeroize::Zeroizing;

use aktiver_emrtd::pki::TrustStore;
use aktiver_emrtd::reader::Reader;
use aktiver_nin::NationalId;
use aktiver_protocol::{
    self as proto, Agreement, DocumentKind, ErrorBody, FaceVerdict, Method, SessionView,
};
use aktiver_scan::{Consensus, Rotation};

use crate::action::Action;
use crate::caps::{Capabilities, CapabilityError};
use crate::chip::ChipData;
use crate::client::{ApiClient, CallError, new_idempotency_key};
use crate::error::{Failure, FlowError};
use crate::flow::{FlowConfig, Interrupt, Interrupts, Publisher};
use crate::screen::Screen;

/// Why a handler stopped before its screen's work was done.
pub(crate) enum Halt {
    /// No network: show `NetworkError` and keep the action for `Retry`.
    Network,
    /// Back or Cancel arrived while the work ran.
    Interrupted,
    /// A terminal failure.
    Fail(Failure),
}

pub(crate) type Out = Result<(), Halt>;

/// The device key's alias in the platform keystore.
pub(crate) const DEVICE_KEY: &str = "aktiver.device";
pub(crate) const BIOMETRIC_KEY: &str = "aktiver.biometric";
/// How long an interrupted capability call may take to return after its
/// `cancel`: a shell that cannot stop it is not waited for longer.
pub(crate) const CANCEL_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
/// Set in secure storage the first time the app shows its welcome: from
/// then on the person is a returning user (seeds/003 step 1).
pub(crate) const OPENED_KEY: &str = "aktiver.app.opened";

/// What the flow holds only in memory: secrets and document data never go
/// into the snapshot.
#[derive(Default)]
pub(crate) struct Memory {
    pub nin: Option<NationalId>,
    pub session: Option<SessionView>,
    pub document: Option<DocumentKind>,
    pub consensus: Consensus,
    pub frames: u32,
    pub mrz: Option<Zeroizing<String>>,
    /// A read paused by a lost tag, kept for `Continue`. (In a mutex only
    /// to make the machine `Sync`: the reader's random source is not.)
    pub reader: std::sync::Mutex<Option<Reader>>,
    pub chip: Option<ChipData>,
    /// The server's active-authentication challenge of the current read.
    pub aa_challenge: Option<[u8; 8]>,
    pub face: Option<FaceVerdict>,
    /// The code-unit path's password, needed again to change it.
    pub current_password: Option<Zeroizing<String>>,
    pub password_visible: bool,
    pub password_required: bool,
    pub terms_accepted: bool,
    pub agreement: Option<Agreement>,
    pub agreement_accepted: bool,
    /// The screen and action the network failed on.
    pub retry: Option<(Screen, Action)>,
    /// The network failed while a resumed flow asked the server about its
    /// session: `Retry` asks again.
    pub resume_pending: bool,
    /// The birth date from a snapshot that no longer holds the identity number.
    pub birth_date: Option<(u8, u8, u16)>,
    /// Idempotency keys of steps whose last call got no answer.
    pub keys: HashMap<&'static str, String>,
}

impl Memory {
    pub fn take_reader(&mut self) -> Option<Reader> {
        self.reader.get_mut().ok().and_then(Option::take)
    }

    pub fn set_reader(&mut self, r: Option<Reader>) {
        if let Ok(slot) = self.reader.get_mut() {
            *slot = r;
        }
    }
}

pub(crate) struct Machine {
    pub cfg: FlowConfig,
    pub caps: Capabilities,
    pub client: ApiClient,
    pub trust: TrustStore,
    pub screen: Screen,
    pub mem: Memory,
    /// The app was opened on this phone before this process started.
    pub returning: bool,
    publisher: Arc<Publisher>,
    interrupts: Arc<Interrupts>,
}

impl Machine {
    pub fn new(
        cfg: FlowConfig,
        caps: Capabilities,
        client: ApiClient,
        publisher: Arc<Publisher>,
        interrupts: Arc<Interrupts>,
    ) -> Result<Self, String> {
        let mut trust = TrustStore::new();
        for (i, t) in cfg.trust_anchors.iter().enumerate() {
            trust
                .load(t)
                .map_err(|e| format!("trust anchor {i}: {e}"))?;
        }
        Ok(Machine {
            cfg,
            caps,
            client,
            trust,
            screen: Screen::Welcome,
            mem: Memory::default(),
            returning: false,
            publisher,
            interrupts,
        })
    }

    /// Shows a screen: publishes it and saves the snapshot.
    pub fn show(&mut self, screen: Screen) {
        self.screen = screen.clone();
        self.save_snapshot();
        self.publisher.publish(screen);
    }

    pub fn fail(&mut self, f: Failure) {
        self.show(Screen::Failed {
            code: f.code.to_owned(),
            remedy: f.remedy.to_owned(),
        });
    }

    pub async fn handle(&mut self, action: Action) -> Result<(), FlowError> {
        let bad = FlowError::BadState {
            screen: self.screen.name(),
            action: action.name(),
        };
        if !self.screen.actions().contains(&action.name()) {
            return Err(bad);
        }
        match action {
            Action::Cancel => {
                self.cancel().await;
                Ok(())
            }
            Action::Back => {
                self.back().await;
                Ok(())
            }
            Action::Retry => {
                if std::mem::take(&mut self.mem.resume_pending) {
                    self.resume_or_welcome().await;
                    return Ok(());
                }
                let Some((screen, action)) = self.mem.retry.take() else {
                    return Err(bad);
                };
                self.screen = screen;
                self.run(action).await;
                Ok(())
            }
            a => {
                self.run(a).await;
                Ok(())
            }
        }
    }

    async fn run(&mut self, action: Action) {
        let before = self.screen.clone();
        let r = match before.name() {
            "welcome" | "welcome_back" | "my_bankid" | "national_id" | "phone" | "sms_code"
            | "activation_method" => self.start_step(action.clone()).await,
            "code_unit" | "activation_code" => self.method_step(action.clone()).await,
            "id_check_intro" | "id_check_steps" | "camera_access" | "choose_document"
            | "scan_info" | "mrz_location" | "chip_info" | "paused" | "face_info" => {
                self.idcheck_step(action.clone()).await
            }
            _ => self.finish_step(action.clone()).await,
        };
        self.settle(r, before, action);
    }

    /// Turns a handler's halt into the screen it means.
    pub fn settle(&mut self, r: Out, before: Screen, action: Action) {
        match r {
            Ok(()) | Err(Halt::Interrupted) => {}
            Err(Halt::Network) => {
                let during = before.name().to_owned();
                self.mem.retry = Some((before, action));
                self.show(Screen::NetworkError { during });
            }
            Err(Halt::Fail(f)) => self.fail(f),
        }
    }

    /// Runs `fut` unless Back or Cancel arrive first.
    pub async fn guard<T>(&self, fut: impl std::future::Future<Output = T>) -> Result<T, Halt> {
        let mut rx = self.interrupts.tx.subscribe();
        if *rx.borrow() != Interrupt::None {
            return Err(Halt::Interrupted);
        }
        tokio::select! {
            r = fut => Ok(r),
            _ = rx.wait_for(|i| *i != Interrupt::None) => Err(Halt::Interrupted),
        }
    }

    pub fn publisher(&self) -> Arc<Publisher> {
        self.publisher.clone()
    }

    fn session_id(&self) -> Result<String, Halt> {
        self.mem
            .session
            .as_ref()
            .map(|s| s.session_id.clone())
            .ok_or(Halt::Fail(Failure::from_code(
                proto::ErrorCode::SessionNotFound,
            )))
    }

    /// POSTs for `step` with its idempotency key: the key is kept while the
    /// call gets no answer (so a retry replays it) and dropped on any answer.
    pub async fn post<B: Serialize, R: DeserializeOwned>(
        &mut self,
        step: &'static str,
        endpoint: proto::endpoints::Endpoint,
        body: &B,
    ) -> Result<Result<R, Box<ErrorBody>>, Halt> {
        let path = if endpoint.path.contains("{session_id}") {
            proto::endpoints::with_session(endpoint, &self.session_id()?)
        } else {
            endpoint.path.to_owned()
        };
        let key = self
            .mem
            .keys
            .entry(step)
            .or_insert_with(new_idempotency_key)
            .clone();
        let client = self.client.clone();
        let r = self.guard(client.post::<B, R>(&path, body, &key)).await?;
        match r {
            Err(CallError::Network) => Err(Halt::Network),
            other => {
                self.mem.keys.remove(step);
                match other {
                    Ok(v) => Ok(Ok(v)),
                    Err(CallError::Api(b)) => Ok(Err(b)),
                    Err(_) => Err(Halt::Fail(Failure::UNEXPECTED_ANSWER)),
                }
            }
        }
    }

    pub async fn get<R: DeserializeOwned>(
        &self,
        path: &str,
    ) -> Result<Result<R, Box<ErrorBody>>, Halt> {
        let client = self.client.clone();
        match self.guard(client.get::<R>(path)).await? {
            Ok(v) => Ok(Ok(v)),
            Err(CallError::Network) => Err(Halt::Network),
            Err(CallError::Api(b)) => Ok(Err(b)),
            Err(CallError::Unexpected(_)) => Err(Halt::Fail(Failure::UNEXPECTED_ANSWER)),
        }
    }

    /// Runs a blocking capability call off the async threads.
    pub async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Halt> {
        self.blocking_cancellable(f, || {}).await
    }

    /// [`Self::blocking`] for a call the platform can stop: when Back or
    /// Cancel arrive, `cancel` asks the capability to stop, and the call is
    /// awaited (up to [`CANCEL_WAIT`]) so that it no longer runs when the
    /// flow moves on.
    pub async fn blocking_cancellable<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
        cancel: impl FnOnce(),
    ) -> Result<T, Halt> {
        let mut h = tokio::task::spawn_blocking(f);
        match self.guard(&mut h).await {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(_)) => Err(Halt::Fail(Failure::UNEXPECTED_ANSWER)),
            Err(halt) => {
                cancel();
                let _ = tokio::time::timeout(CANCEL_WAIT, h).await;
                Err(halt)
            }
        }
    }

    /// Face check, cancellable.
    pub async fn face_check(
        &self,
        session_id: String,
        portrait: Vec<u8>,
        hash: [u8; 32],
    ) -> Result<Result<FaceVerdict, CapabilityError>, Halt> {
        let face = self.caps.face.clone();
        let stop = self.caps.face.clone();
        self.blocking_cancellable(
            move || face.check(&session_id, &portrait, &hash),
            move || stop.cancel(),
        )
        .await
    }

    /// Creates the key `alias` (biometric-bound or not), cancellable.
    pub async fn create_key(
        &self,
        alias: &'static str,
        biometric: bool,
    ) -> Result<Result<Vec<u8>, CapabilityError>, Halt> {
        let keys = self.caps.keys.clone();
        let stop = self.caps.keys.clone();
        self.blocking_cancellable(move || keys.create(alias, biometric), move || stop.cancel())
            .await
    }

    /// Signs `message` with the key `alias`, cancellable.
    pub async fn sign_with(
        &self,
        alias: &'static str,
        message: Vec<u8>,
    ) -> Result<Result<Vec<u8>, CapabilityError>, Halt> {
        let keys = self.caps.keys.clone();
        let stop = self.caps.keys.clone();
        self.blocking_cancellable(move || keys.sign(alias, &message), move || stop.cancel())
            .await
    }

    async fn cancel(&mut self) {
        if let Some(s) = self.mem.session.take() {
            let path =
                proto::endpoints::with_session(proto::endpoints::CANCEL_SESSION, &s.session_id);
            // Best effort, briefly: the session expires on its own anyway.
            let client = self.client.clone();
            let key = new_idempotency_key();
            let _ = tokio::time::timeout(
                std::time::Duration::from_secs(3),
                client.delete::<SessionView>(&path, &key),
            )
            .await;
        }
        self.mem = Memory::default();
        self.show(Screen::Cancelled);
    }

    async fn back(&mut self) {
        let doc = self.mem.document.unwrap_or(DocumentKind::IdCard);
        let target = match &self.screen {
            Screen::Welcome | Screen::WelcomeBack => {
                self.cancel().await;
                return;
            }
            Screen::MyBankId => Screen::WelcomeBack,
            Screen::NationalId { .. } => self.welcome_screen(),
            // The server cannot take the phone number back: a new number is a new session.
            Screen::Phone { .. } | Screen::SmsCode { .. } => {
                self.cancel_session().await;
                Screen::NationalId { error: None }
            }
            Screen::ActivationMethod { .. } => {
                self.cancel().await;
                return;
            }
            Screen::IdCheckIntro | Screen::CodeUnit { .. } | Screen::ActivationCode { .. } => {
                self.method_screen()
            }
            Screen::IdCheckSteps => Screen::IdCheckIntro,
            Screen::CameraAccess { .. } | Screen::ChooseDocument => Screen::IdCheckSteps,
            Screen::ScanInfo { .. } => Screen::ChooseDocument,
            Screen::MrzLocation { .. } => Screen::ScanInfo { document: doc },
            Screen::MrzScan { .. } => Screen::MrzLocation { document: doc },
            Screen::ChipScan { .. } | Screen::Paused { .. } => {
                self.mem.set_reader(None);
                Screen::ChipInfo { document: doc }
            }
            Screen::ChipInfo { .. } => {
                self.mem.mrz = None;
                Screen::MrzLocation { document: doc }
            }
            Screen::FaceInfo | Screen::FaceScan => Screen::ChipInfo { document: doc },
            Screen::PermissionPrompt { permission } => match permission {
                crate::screen::Permission::Camera => Screen::CameraAccess { denied: false },
                crate::screen::Permission::Notifications => Screen::NotificationsOffer,
                crate::screen::Permission::Biometrics => Screen::BiometricsSecurity,
            },
            // The person has qualified: there is no way back into the ID
            // check. Back while the device is being bound stops that work
            // and then binds it again (anything else would leave a busy
            // screen that nothing moves on from).
            Screen::Activating => {
                let r = self.activate().await;
                self.settle(r, Screen::Activating, Action::Continue);
                return;
            }
            Screen::PasswordOffer => self.screen.clone(),
            Screen::NewPassword { .. } => Screen::PasswordOffer,
            Screen::PasswordUpdated | Screen::NotificationsOffer => Screen::PasswordOffer,
            Screen::BiometricsOffer => Screen::NotificationsOffer,
            Screen::BiometricsInfo => Screen::BiometricsOffer,
            Screen::BiometricsSteps => Screen::BiometricsInfo,
            Screen::BiometricsSecurity => Screen::BiometricsSteps,
            Screen::BiometricsTerms { .. } => Screen::BiometricsSecurity,
            Screen::Agreement { .. } => Screen::BiometricsOffer,
            Screen::SignAgreement { .. } => self.agreement_screen(None),
            Screen::NetworkError { .. } => match self.mem.retry.take() {
                Some((s, _)) => s,
                None => self.welcome_screen(),
            },
            Screen::Complete { .. } | Screen::Failed { .. } | Screen::Cancelled => return,
        };
        self.show(target);
    }

    async fn cancel_session(&mut self) {
        if let Some(s) = self.mem.session.take() {
            let path =
                proto::endpoints::with_session(proto::endpoints::CANCEL_SESSION, &s.session_id);
            let client = self.client.clone();
            let key = new_idempotency_key();
            let _ = self.guard(client.delete::<SessionView>(&path, &key)).await;
        }
    }

    /// Where a flow begins: Welcome the first time the app is opened on
    /// this phone; a returning user's welcome (My BankID) after that.
    pub fn welcome_screen(&self) -> Screen {
        if self.returning {
            Screen::WelcomeBack
        } else {
            Screen::Welcome
        }
    }

    /// Reads (and from now on sets) whether the app was opened before.
    pub(crate) fn note_opened(&mut self) {
        let storage = self.caps.storage.clone();
        self.returning = matches!(storage.get(OPENED_KEY), Ok(Some(_)));
        if !self.returning {
            let _ = storage.put(OPENED_KEY, b"1");
        }
    }

    pub fn method_screen(&self) -> Screen {
        Screen::ActivationMethod {
            methods: self
                .mem
                .session
                .as_ref()
                .map(|s| s.methods.clone())
                .unwrap_or_default(),
            error: None,
        }
    }

    pub fn agreement_screen(&self, error: Option<crate::screen::FieldError>) -> Screen {
        match &self.mem.agreement {
            Some(a) => Screen::Agreement {
                agreement_id: a.id.clone(),
                text: a.text.clone(),
                accepted: self.mem.agreement_accepted,
                error,
            },
            None => Screen::Agreement {
                agreement_id: String::new(),
                text: String::new(),
                accepted: false,
                error,
            },
        }
    }

    /// A camera frame: on the MRZ scan screen, or the activation code's QR.
    pub async fn frame(
        &mut self,
        luma: Vec<u8>,
        width: u32,
        height: u32,
        row_stride: u32,
        rotation: Rotation,
    ) -> Result<String, FlowError> {
        match self.screen {
            Screen::MrzScan { .. } => {}
            Screen::ActivationCode { .. } => {
                let f = self
                    .activation_qr_frame(luma, width, height, row_stride, rotation)
                    .await;
                return Ok(f.to_owned());
            }
            _ => {
                return Err(FlowError::BadState {
                    screen: self.screen.name(),
                    action: "submit_frame",
                });
            }
        }
        let before = self.screen.clone();
        let mut feedback = String::from("no_document");
        let r = self
            .scan_frame(luma, width, height, row_stride, rotation, &mut feedback)
            .await;
        self.settle(r, before, Action::Continue);
        Ok(feedback)
    }

    /// What the password policy knows of the person: the birth date in the
    /// identity number, or the one a snapshot kept.
    pub fn password_context(&self) -> proto::PasswordContext {
        match &self.mem.nin {
            Some(nin) => crate::checks::password_context(Some(nin)),
            None => proto::PasswordContext {
                birth_date: self.mem.birth_date,
            },
        }
    }

    /// Whether a method was chosen that qualified by ID check.
    pub fn method(&self) -> Option<Method> {
        self.mem.session.as_ref().and_then(|s| s.method)
    }
}
