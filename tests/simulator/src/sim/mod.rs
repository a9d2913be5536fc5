//! A simulated phone running `aktiver-flow` against an in-process sandbox:
//! the world the demo and the scenarios share, and the autopilot that plays
//! the person (reads the SMS, holds the card to the camera and the phone,
//! types the password).
pub mod autopilot;
pub mod chip_steps;
pub mod faults;
pub mod labels;
pub mod people;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aktiver_flow::{Action, Flow, FlowConfig, FlowError, Lang, ScreenListener, View};
use aktiver_protocol::{DocumentKind, Method};
use aktiver_sandbox::Rules;
use aktiver_scan::synth::{Level, Scenario};
use aktiver_testkit::caps::{
    MemoryStorage, SandboxFace, SimPermissions, SimPhone, SoftwareKeys, VirtualNfc,
};
use aktiver_testkit::document::{self, DocumentOptions, Portrait};
use aktiver_testkit::face::SwitchableFace;
use aktiver_testkit::net::{self, NetSwitch};
use aktiver_testkit::{Sandbox, SimPerson};

/// The demo's person: a synthetic identity number of the sandbox population.
pub const DEMO_PERSON: &str = "15859010099";
/// The seeded camera scene filming the document.
pub const CAMERA_SEED: u64 = 2026;

/// What the autopilot chooses where the person has a choice.
#[derive(Debug, Clone)]
pub struct Choices {
    pub method: Method,
    pub update_password: bool,
    pub new_password: String,
    pub notifications: bool,
    pub biometrics: bool,
    pub camera_level: Level,
}

impl Default for Choices {
    fn default() -> Self {
        Choices {
            method: Method::IdCheck,
            update_password: true,
            new_password: "Fjell8Bekk3".to_owned(),
            notifications: true,
            biometrics: true,
            camera_level: Level::Moderate,
        }
    }
}

/// Prints a screen as it passes.
pub type PrintFn = Box<dyn Fn(Duration, &View) + Send + Sync>;

/// Every screen as it was published, with its time.
#[derive(Default)]
pub struct Recorder {
    pub views: Mutex<Vec<(Duration, View)>>,
    pub started: Mutex<Option<Instant>>,
    pub print: Option<PrintFn>,
}

impl ScreenListener for Recorder {
    fn on_screen(&self, view: &View) {
        let t0 = self
            .started
            .lock()
            .ok()
            .map(|mut s| *s.get_or_insert_with(Instant::now))
            .unwrap_or_else(Instant::now);
        let t = t0.elapsed();
        if let Some(p) = &self.print {
            p(t, view);
        }
        if let Ok(mut v) = self.views.lock() {
            v.push((t, view.clone()));
        }
    }
}

/// Time the simulation spent outside the product: rendering camera frames,
/// the person reading an SMS or fetching a code.
#[derive(Debug, Default, Clone, Copy)]
pub struct Outside {
    pub camera: Duration,
    pub human: Duration,
    pub frames: u32,
}

pub struct World {
    pub sandbox: Sandbox,
    pub relay: NetSwitch,
    pub phone: SimPhone,
    pub person: SimPerson,
    pub document: DocumentKind,
    pub camera: Scenario,
    pub frame_index: u64,
    pub cfg: FlowConfig,
    pub flow: Flow,
    pub recorder: Arc<Recorder>,
    pub choices: Choices,
    pub outside: Outside,
    /// The password the person signs with.
    pub password: Option<String>,
    /// The last SMS code the person read (it stays on their phone after the
    /// sandbox's inbox forgets it).
    pub last_sms: Option<String>,
    /// The document's MRZ lines and options (a fault re-issues its chip).
    pub lines: Vec<String>,
    pub doc_options: DocumentOptions,
    /// The portrait the document's chip carries.
    pub portrait: Option<Portrait>,
    /// The face check, with its mismatch switch.
    pub face: Arc<SwitchableFace>,
    /// Glare or blur on the frames the camera films next.
    pub camera_fault: faults::CameraFault,
    /// The last frame filmed (as the camera filmed it) and the flow's feedback.
    pub last_frame: Option<(aktiver_scan::LumaImage, String)>,
    /// The QR image (PNG) the online bank shows the person, once fetched.
    pub bank_qr: Option<Vec<u8>>,
    observe: Option<aktiver_flow::ObserveHandle>,
}

/// What the camera films on the activation-code screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrShot {
    /// The online bank's activation-code QR image.
    Bank,
    /// The page without a code.
    Nothing,
    /// A QR code of some other text.
    Text(String),
}

/// How to set a world up.
pub struct Setup {
    pub person: String,
    pub document: DocumentKind,
    pub doc_options: DocumentOptions,
    pub lang: Lang,
    pub rules: Rules,
    pub choices: Choices,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            person: DEMO_PERSON.to_owned(),
            document: DocumentKind::IdCard,
            doc_options: DocumentOptions::default(),
            lang: Lang::En,
            rules: Rules::fast_kdf(),
            choices: Choices::default(),
        }
    }
}

impl World {
    pub async fn new(setup: Setup, recorder: Arc<Recorder>) -> Result<World, String> {
        World::with_population(setup, recorder, None).await
    }

    /// A world whose sandbox knows this population (TOML; `None`: the built-in one).
    pub async fn with_population(
        setup: Setup,
        recorder: Arc<Recorder>,
        population: Option<String>,
    ) -> Result<World, String> {
        let person = match &population {
            Some(p) => aktiver_testkit::person_in(p, &setup.person),
            None => aktiver_testkit::person(&setup.person),
        }
        .ok_or("no such sandbox person")?;
        let sandbox = Sandbox::start_with(setup.rules, population).await?;
        let target = sandbox.server.addr;
        let relay = net::relay(target).await.map_err(|e| e.to_string())?;
        let lines = document::mrz_lines(&person.national_id, setup.document, &setup.doc_options)
            .ok_or("no MRZ for this person")?;
        let (chip, portrait) = document::issue(&lines, setup.document, &setup.doc_options)?;
        let nfc = Arc::new(VirtualNfc::new());
        nfc.present(chip);
        let face = Arc::new(SwitchableFace::new(
            SandboxFace::new(
                &sandbox.url,
                Some(&sandbox.pin),
                tokio::runtime::Handle::current(),
            )?,
            sandbox.server.app.clone(),
        ));
        let phone = SimPhone {
            nfc,
            keys: Arc::new(SoftwareKeys::default()),
            storage: Arc::new(MemoryStorage::default()),
            permissions: Arc::new(SimPermissions::allowing_all()),
            face: face.clone(),
        };
        let mut cfg = FlowConfig::new(&format!("https://{}", relay.addr), Some(&sandbox.pin));
        cfg.lang = setup.lang;
        cfg.nin_policy = aktiver_nin::Policy::SANDBOX;
        cfg.trust_anchors = vec![Sandbox::trust_anchor()?];
        cfg.client.backoff = Duration::from_millis(20);
        let camera = aktiver_testkit::camera(&lines, CAMERA_SEED, setup.choices.camera_level)
            .ok_or("no camera scene for this MRZ")?;
        let flow = Flow::start(cfg.clone(), phone.capabilities())
            .await
            .map_err(|e| e.to_string())?;
        let observe = Some(flow.observe(recorder.clone()));
        let password = person.password.clone();
        Ok(World {
            sandbox,
            relay,
            phone,
            person,
            document: setup.document,
            camera,
            frame_index: 0,
            cfg,
            flow,
            recorder,
            choices: setup.choices,
            outside: Outside::default(),
            password,
            last_sms: None,
            lines,
            doc_options: setup.doc_options,
            portrait,
            face,
            camera_fault: faults::CameraFault::None,
            last_frame: None,
            bank_qr: None,
            observe,
        })
    }

    /// The process is killed: the flow is dropped, and a new one starts
    /// over the same secure storage (and the same keystore).
    pub async fn restart(&mut self) -> Result<(), String> {
        if let Some(h) = self.observe.take() {
            h.cancel();
        }
        self.flow = Flow::start(self.cfg.clone(), self.phone.capabilities())
            .await
            .map_err(|e| e.to_string())?;
        self.observe = Some(self.flow.observe(self.recorder.clone()));
        Ok(())
    }

    /// The person activates on another phone: fresh keys, storage and
    /// permissions, the same document, the same sandbox.
    pub async fn new_device(&mut self) -> Result<(), String> {
        if let Some(h) = self.observe.take() {
            h.cancel();
        }
        self.phone.keys = Arc::new(SoftwareKeys::default());
        self.phone.storage = Arc::new(MemoryStorage::default());
        self.phone.permissions = Arc::new(SimPermissions::allowing_all());
        self.frame_index = 0;
        self.flow = Flow::start(self.cfg.clone(), self.phone.capabilities())
            .await
            .map_err(|e| e.to_string())?;
        self.observe = Some(self.flow.observe(self.recorder.clone()));
        Ok(())
    }

    /// The person reads the newest SMS on their phone.
    pub async fn read_sms(&mut self) -> Option<String> {
        let t = Instant::now();
        let code = self.sandbox.sms_code(&self.person.phone).await;
        self.outside.human += t.elapsed();
        if code.is_some() {
            self.last_sms = code;
        }
        self.last_sms.clone()
    }

    pub async fn act(&mut self, a: Action) -> Result<View, FlowError> {
        self.flow.act(a).await
    }

    /// One camera frame of the document, pushed to the flow.
    pub async fn film(&mut self) -> Result<String, String> {
        let t = Instant::now();
        let g = self.camera.frame(self.frame_index);
        self.frame_index += 1;
        self.outside.camera += t.elapsed();
        self.outside.frames += 1;
        let mut img = g.image;
        faults::degrade(&mut img, self.camera_fault, self.frame_index);
        let feedback = self
            .flow
            .submit_frame(img.data.clone(), img.width, img.height, img.width, 0)
            .await
            .map_err(|e| e.to_string())?;
        self.last_frame = Some((img, feedback.clone()));
        Ok(feedback)
    }

    /// One camera frame on the activation-code screen, pushed to the flow.
    pub async fn film_qr(&mut self, shot: QrShot) -> Result<String, String> {
        let seed = self.frame_index;
        self.frame_index += 1;
        let png = match &shot {
            QrShot::Bank | QrShot::Nothing => Some(self.bank_qr_png().await?),
            QrShot::Text(_) => None,
        };
        let t = Instant::now();
        let mut img = match (&shot, png) {
            (QrShot::Text(text), _) => aktiver_testkit::qr::frame_of_text(text, seed)?,
            (_, Some(png)) => aktiver_testkit::qr::frame_of_png(&png, seed, 0.75)?,
            (_, None) => return Err("no QR image".into()),
        };
        if shot == QrShot::Nothing {
            // The camera points at the page beside the code.
            let w = img.width as usize;
            for row in img.data.chunks_mut(w) {
                let (left, right) = row.split_at_mut(w / 2);
                left.copy_from_slice(&right[..left.len()]);
                right.iter_mut().for_each(|p| *p = 120);
            }
        }
        self.outside.camera += t.elapsed();
        self.outside.frames += 1;
        let feedback = self
            .flow
            .submit_frame(img.data.clone(), img.width, img.height, img.width, 0)
            .await
            .map_err(|e| e.to_string())?;
        self.last_frame = Some((img, feedback.clone()));
        Ok(feedback)
    }

    /// The online bank's activation-code QR image for the person (issued once).
    async fn bank_qr_png(&mut self) -> Result<Vec<u8>, String> {
        if let Some(p) = &self.bank_qr {
            return Ok(p.clone());
        }
        let t = Instant::now();
        let issued = self
            .sandbox
            .activation_code(&self.person.national_id)
            .await?;
        self.outside.human += t.elapsed();
        let png = aktiver_protocol::decode_b64("qr_png_b64", issued.qr_png_b64.expose())
            .map_err(|e| e.to_string())?;
        self.bank_qr = Some(png.clone());
        Ok(png)
    }

    pub async fn stop(self) {
        self.sandbox.server.stop().await;
    }
}

/// Peak resident set size of this process, in MiB (Linux).
pub fn peak_rss_mib() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// A multi-threaded runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}
