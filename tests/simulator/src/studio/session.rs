//! One studio session: the simulated world, the language the page shows,
//! the action running in the background (a chip read takes a while; the
//! page polls meanwhile), and what the tester did.
use std::sync::{Arc, Mutex};

use tokio::task::JoinHandle;

use aktiver_flow::{Action, Lang, Texts};
use aktiver_protocol::DocumentKind;
use aktiver_sandbox::population::DEFAULT_POPULATION;

use crate::sim::faults::Fault;
use crate::sim::people::{self, MadePerson};
use crate::sim::{Choices, QrShot, Recorder, Setup, World};

/// Most lines kept in the tester's event list.
const EVENTS_MAX: usize = 200;

/// The action in the background and how it ended.
#[derive(Default)]
pub struct Running {
    pub task: Option<JoinHandle<()>>,
    /// The last action's error (a refused action, a capability failure).
    pub error: Option<String>,
}

pub struct Session {
    pub world: World,
    pub lang: Lang,
    pub texts: Texts,
    pub document: DocumentKind,
    /// The sandbox's people: the built-in ones and those made here.
    pub population: String,
    made: u16,
    pub running: Arc<Mutex<Running>>,
    /// What the tester did, in order (action and fault names, no values).
    pub events: Vec<String>,
    /// The online bank's last activation code: (code, QR text, QR PNG base64).
    pub activation_code: Option<(String, String, String)>,
}

pub type Shared = Arc<tokio::sync::Mutex<Session>>;

async fn world(
    person: &str,
    document: DocumentKind,
    lang: Lang,
    population: &str,
) -> Result<World, String> {
    let setup = Setup {
        person: person.to_owned(),
        document,
        lang,
        choices: Choices::default(),
        ..Setup::default()
    };
    World::with_population(
        setup,
        Arc::new(Recorder::default()),
        Some(population.to_owned()),
    )
    .await
}

impl Session {
    pub async fn start(
        person: &str,
        document: DocumentKind,
        lang: Lang,
    ) -> Result<Session, String> {
        let population = DEFAULT_POPULATION.to_owned();
        let world = world(person, document, lang, &population).await?;
        Ok(Session {
            world,
            lang,
            texts: Texts::new(lang).map_err(|e| e.to_string())?,
            document,
            population,
            made: 0,
            running: Arc::new(Mutex::new(Running::default())),
            events: Vec::new(),
            activation_code: None,
        })
    }

    pub fn event(&mut self, e: String) {
        if self.events.len() >= EVENTS_MAX {
            self.events.remove(0);
        }
        self.events.push(e);
    }

    pub fn busy(&self) -> bool {
        self.running
            .lock()
            .map(|r| r.task.as_ref().is_some_and(|t| !t.is_finished()))
            .unwrap_or(false)
    }

    pub fn error(&self) -> Option<String> {
        self.running.lock().ok().and_then(|r| r.error.clone())
    }

    /// Stops the action in the background (the process dies with it).
    fn abort(&self) {
        if let Ok(mut r) = self.running.lock()
            && let Some(t) = r.task.take()
        {
            t.abort();
        }
    }

    /// Runs an action in the background; Back and Cancel reach it while
    /// another one runs (the flow stops work in progress for them).
    pub fn act(&mut self, action: Action) {
        self.event(format!("action {}", action.name()));
        let flow = self.world.flow.clone();
        let running = self.running.clone();
        let task = tokio::spawn(async move {
            let r = flow.act(action).await;
            if let Ok(mut g) = running.lock() {
                g.error = r.err().map(|e| e.to_string());
            }
        });
        if let Ok(mut r) = self.running.lock() {
            r.error = None;
            // An interrupt runs beside the work it stops; keep the newest.
            r.task = Some(task);
        }
    }

    pub fn set_lang(&mut self, lang: Lang) -> Result<(), String> {
        self.texts = Texts::new(lang).map_err(|e| e.to_string())?;
        self.lang = lang;
        Ok(())
    }

    /// Injects a fault; a fault that is something the person types runs
    /// as an action.
    pub async fn fault(&mut self, fault: Fault) -> Result<(), String> {
        if matches!(fault, Fault::Kill | Fault::SecondDevice) {
            self.abort();
        }
        let action = self.world.inject(fault).await?;
        self.event(format!("fault {}", fault.name()));
        if let Some(a) = action {
            self.act(a);
        }
        Ok(())
    }

    /// Starts over with another person or document: a fresh sandbox and phone.
    pub async fn reset(&mut self, person: &str, document: DocumentKind) -> Result<(), String> {
        self.abort();
        let world = world(person, document, self.lang, &self.population).await?;
        let old = std::mem::replace(&mut self.world, world);
        old.stop().await;
        self.document = document;
        self.activation_code = None;
        self.events.clear();
        self.event(format!("start over with {}", document_name(document)));
        Ok(())
    }

    /// Makes a person, adds them to the sandbox's population and starts over with them.
    pub async fn make_person(&mut self, m: MadePerson) -> Result<String, String> {
        self.made += 1;
        let (population, nin) = people::make(&self.population, self.made, m)?;
        self.population = population;
        self.reset(&nin, self.document).await?;
        Ok(nin)
    }

    /// The online bank issues an activation code for the person.
    pub async fn issue_activation_code(&mut self) -> Result<(), String> {
        let issued = self
            .world
            .sandbox
            .activation_code(&self.world.person.national_id)
            .await?;
        // The camera films this code's QR from now on (the bank issues one at a time).
        self.world.bank_qr = Some(
            aktiver_protocol::decode_b64("qr_png_b64", issued.qr_png_b64.expose())
                .map_err(|e| e.to_string())?,
        );
        self.activation_code = Some((
            issued.code.expose().to_owned(),
            issued.qr_payload.expose().to_owned(),
            issued.qr_png_b64.expose().to_owned(),
        ));
        self.event("online bank issued an activation code".to_owned());
        Ok(())
    }

    /// Films the activation-code screen: the online bank's QR, or the page without it.
    pub async fn film_qr(&mut self, shot: QrShot) -> Result<(), String> {
        let what = if shot == QrShot::Bank {
            "the bank's QR"
        } else {
            "the page without a code"
        };
        self.world.film_qr(shot).await?;
        self.event(format!("camera filmed {what}"));
        Ok(())
    }

    /// Films camera frames on the scan screen: one, or until the screen
    /// changes (at most `max`).
    pub async fn film(&mut self, max: u32) -> Result<u32, String> {
        let mut n = 0;
        while n < max && self.world.flow.screen().name() == "mrz_scan" {
            self.world.film().await?;
            n += 1;
        }
        self.event(format!("camera filmed {n} frame(s)"));
        Ok(n)
    }
}

pub fn document_name(d: DocumentKind) -> &'static str {
    match d {
        DocumentKind::Passport => "passport",
        DocumentKind::IdCard => "id_card",
    }
}
