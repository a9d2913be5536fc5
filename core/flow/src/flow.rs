//! The handle a shell holds: the current screen, typed actions, camera
//! frames, and listeners that see the current screen at once and every
//! change after it.
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;
use tokio::sync::watch;

use aktiver_nin::Policy;
use aktiver_scan::Rotation;

use crate::action::Action;
use crate::caps::Capabilities;
use crate::client::{ApiClient, ClientOptions};
use crate::error::FlowError;
use crate::screen::Screen;
use crate::steps::Machine;
use crate::texts::{Lang, Text, Texts};

/// How a flow talks to its server and what it accepts.
#[derive(Clone)]
pub struct FlowConfig {
    /// `https://host:port` of the activation service.
    pub server_url: String,
    /// The server's SPKI SHA-256 (base64). Required for https.
    pub server_pin: Option<String>,
    pub lang: Lang,
    /// Fluent source overriding some of the built-in messages.
    pub text_overrides: Option<String>,
    /// Production (the default) refuses synthetic test identity numbers.
    pub nin_policy: Policy,
    /// CSCA certificates or master lists the phone checks the chip against.
    pub trust_anchors: Vec<Vec<u8>>,
    pub client: ClientOptions,
}

impl std::fmt::Debug for FlowConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowConfig")
            .field("server_url", &self.server_url)
            .field("lang", &self.lang)
            .finish_non_exhaustive()
    }
}

impl FlowConfig {
    pub fn new(server_url: &str, server_pin: Option<&str>) -> Self {
        FlowConfig {
            server_url: server_url.to_owned(),
            server_pin: server_pin.map(str::to_owned),
            lang: Lang::default(),
            text_overrides: None,
            nin_policy: Policy::PRODUCTION,
            trust_anchors: Vec::new(),
            client: ClientOptions::default(),
        }
    }
}

/// A screen as the shell draws it: the screen's data (with its `screen`
/// name), its texts by role with their message ids, and the actions it takes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct View {
    #[serde(flatten)]
    pub screen: Screen,
    pub texts: BTreeMap<&'static str, Text>,
    pub actions: Vec<&'static str>,
}

/// Gets every screen, in order, starting with the current one.
pub trait ScreenListener: Send + Sync {
    fn on_screen(&self, view: &View);
}

/// Ends a listener's subscription.
pub struct ObserveHandle {
    id: u64,
    publisher: Arc<Publisher>,
}

impl std::fmt::Debug for ObserveHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ObserveHandle")
            .field("id", &self.id)
            .finish()
    }
}

impl ObserveHandle {
    pub fn cancel(&self) {
        if let Ok(mut l) = self.publisher.listeners.lock() {
            l.retain(|(id, _)| *id != self.id);
        }
    }
}

type Listeners = Vec<(u64, Arc<dyn ScreenListener>)>;

/// Renders screens and hands them to listeners, synchronously and in order
/// (a watch channel would drop intermediate screens).
pub(crate) struct Publisher {
    texts: Texts,
    current: Mutex<View>,
    listeners: Mutex<Listeners>,
    next_id: AtomicU64,
}

impl Publisher {
    fn view(&self, screen: Screen) -> View {
        View {
            texts: self.texts.render(&screen),
            actions: screen.actions().to_vec(),
            screen,
        }
    }

    pub(crate) fn publish(&self, screen: Screen) {
        let view = self.view(screen);
        if let Ok(mut c) = self.current.lock() {
            *c = view.clone();
        }
        let listeners: Vec<Arc<dyn ScreenListener>> = match self.listeners.lock() {
            Ok(l) => l.iter().map(|(_, l)| l.clone()).collect(),
            Err(_) => Vec::new(),
        };
        for l in listeners {
            l.on_screen(&view);
        }
    }

    pub(crate) fn current(&self) -> Option<View> {
        self.current.lock().ok().map(|v| v.clone())
    }
}

/// Why in-flight work must stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interrupt {
    None,
    Back,
    Cancel,
}

/// Lets Back and Cancel reach work in progress.
pub(crate) struct Interrupts {
    pub(crate) tx: watch::Sender<Interrupt>,
}

impl Interrupts {
    pub(crate) fn raise(&self, i: Interrupt) {
        // Replace, not send: the value must change also while nothing listens.
        self.tx.send_replace(i);
    }
}

/// One activation. Cheap to clone; every clone drives the same flow.
#[derive(Clone)]
pub struct Flow {
    machine: Arc<tokio::sync::Mutex<Machine>>,
    publisher: Arc<Publisher>,
    interrupts: Arc<Interrupts>,
}

impl std::fmt::Debug for Flow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Flow").finish_non_exhaustive()
    }
}

impl Flow {
    /// Starts a flow, or resumes the one saved in secure storage (at its
    /// screen, or at the right earlier one where a step cannot resume).
    pub async fn start(cfg: FlowConfig, caps: Capabilities) -> Result<Flow, FlowError> {
        let texts = Texts::new(cfg.lang).map_err(|e| FlowError::Setup(e.to_string()))?;
        let texts = match &cfg.text_overrides {
            Some(o) => texts
                .with_overrides(o)
                .map_err(|e| FlowError::Setup(e.to_string()))?,
            None => texts,
        };
        let client = ApiClient::new(&cfg.server_url, cfg.server_pin.as_deref(), cfg.client)
            .map_err(FlowError::Setup)?;
        let first = Screen::Welcome;
        let publisher = Arc::new(Publisher {
            current: Mutex::new(View {
                texts: texts.render(&first),
                actions: first.actions().to_vec(),
                screen: first,
            }),
            texts,
            listeners: Mutex::new(Vec::new()),
            next_id: AtomicU64::new(1),
        });
        let (tx, _) = watch::channel(Interrupt::None);
        let interrupts = Arc::new(Interrupts { tx });
        let mut machine = Machine::new(cfg, caps, client, publisher.clone(), interrupts.clone())
            .map_err(FlowError::Setup)?;
        machine.resume_or_welcome().await;
        Ok(Flow {
            machine: Arc::new(tokio::sync::Mutex::new(machine)),
            publisher,
            interrupts,
        })
    }

    /// The current screen.
    pub fn view(&self) -> View {
        self.publisher
            .current()
            .unwrap_or_else(|| self.publisher.view(Screen::Welcome))
    }

    pub fn screen(&self) -> Screen {
        self.view().screen
    }

    /// Calls `listener` with the current screen now and with every change
    /// until the handle is cancelled.
    pub fn observe(&self, listener: Arc<dyn ScreenListener>) -> ObserveHandle {
        let id = self.publisher.next_id.fetch_add(1, Ordering::Relaxed);
        listener.on_screen(&self.view());
        if let Ok(mut l) = self.publisher.listeners.lock() {
            l.push((id, listener));
        }
        ObserveHandle {
            id,
            publisher: self.publisher.clone(),
        }
    }

    /// Performs an action and returns once the flow waits for the user
    /// again (listeners see every screen on the way). Back and Cancel also
    /// stop work in progress (a chip read, a network call).
    pub async fn act(&self, action: Action) -> Result<View, FlowError> {
        let interrupt = match action {
            Action::Cancel => Interrupt::Cancel,
            Action::Back => Interrupt::Back,
            _ => Interrupt::None,
        };
        let mut guard = match self.machine.try_lock() {
            Ok(g) => g,
            Err(_) => {
                if interrupt == Interrupt::None {
                    // Another action is running; this one waits its turn.
                    self.machine.lock().await
                } else {
                    self.interrupts.raise(interrupt);
                    let g = self.machine.lock().await;
                    self.interrupts.raise(Interrupt::None);
                    g
                }
            }
        };
        guard.handle(action).await?;
        drop(guard);
        Ok(self.view())
    }

    /// A camera frame on the MRZ scan screen: an 8-bit luma plane, turned
    /// upright by `rotation_degrees` clockwise. The rotation is a hint (0
    /// when unknown; another value than 0/90/180/270 counts as 0): the
    /// scanner finds an MRZ turned otherwise too. Answers with the scanner's
    /// feedback; once frames agree on an MRZ that passes the local checks the
    /// flow moves on by itself.
    pub async fn submit_frame(
        &self,
        luma: Vec<u8>,
        width: u32,
        height: u32,
        row_stride: u32,
        rotation_degrees: u32,
    ) -> Result<String, FlowError> {
        let rotation = Rotation::from_degrees(rotation_degrees as i32).unwrap_or(Rotation::R0);
        let mut m = self.machine.lock().await;
        m.frame(luma, width, height, row_stride, rotation).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    /// Shells run the flow's futures on any executor thread (tokio::spawn,
    /// uniffi's async calls): they must be Send, and the flow Send + Sync.
    #[allow(dead_code)]
    fn futures_are_send(flow: &Flow) {
        fn assert_sync<T: Send + Sync>() {}
        assert_sync::<Flow>();
        assert_send(&flow.act(Action::Continue));
        assert_send(&flow.submit_frame(Vec::new(), 0, 0, 0, 0));
    }
}
