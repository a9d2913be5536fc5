//! One activation as a uniffi object: async actions on our runtime, the
//! current screen, listeners with cancellable handles, `cancel()` and
//! `release()`.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aktiver_flow as core;

use crate::actions::Action;
use crate::capabilities::Capabilities;
use crate::error::{ActivationError, CallbackError};
use crate::runtime;
use crate::screens::ScreenView;

/// The language of the screens' texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Language {
    /// Norwegian Bokmål (the default).
    Nb,
    /// Norwegian Nynorsk.
    Nn,
    En,
}

/// How an activation talks to its server and what it accepts.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ActivationConfig {
    /// `https://host:port` of the activation service.
    pub server_url: String,
    /// The server's SubjectPublicKeyInfo SHA-256, base64. Required for https.
    pub server_pin: Option<String>,
    pub language: Language,
    /// Fluent source overriding some of the built-in messages.
    #[uniffi(default = None)]
    pub text_overrides: Option<String>,
    /// Accept synthetic test identity numbers (sandbox and test only;
    /// production refuses them).
    #[uniffi(default = false)]
    pub allow_synthetic_ids: bool,
    /// CSCA certificates or master lists (DER) the phone checks the chip against.
    #[uniffi(default = [])]
    pub trust_anchors: Vec<Vec<u8>>,
    /// Wait before retrying a failed network call, doubled on each further
    /// attempt; `None` keeps the core's default.
    #[uniffi(default = None)]
    pub retry_backoff_ms: Option<u32>,
}

impl ActivationConfig {
    fn to_core(&self) -> core::FlowConfig {
        let mut c = core::FlowConfig::new(&self.server_url, self.server_pin.as_deref());
        c.lang = match self.language {
            Language::Nb => core::Lang::Nb,
            Language::Nn => core::Lang::Nn,
            Language::En => core::Lang::En,
        };
        c.text_overrides = self.text_overrides.clone();
        c.nin_policy = aktiver_nin::Policy {
            allow_synthetic: self.allow_synthetic_ids,
        };
        c.trust_anchors = self.trust_anchors.clone();
        if let Some(ms) = self.retry_backoff_ms {
            c.client.backoff = Duration::from_millis(u64::from(ms));
        }
        c
    }
}

/// Gets the current screen at once and every change after it, in order.
/// Called on the core's threads: hand the screen on (a `StateFlow`, an
/// `AsyncStream`) and return.
#[uniffi::export(with_foreign)]
pub trait ScreenListener: Send + Sync {
    fn on_screen(&self, view: ScreenView) -> Result<(), CallbackError>;
}

struct ListenerShim(Arc<dyn ScreenListener>);

impl core::ScreenListener for ListenerShim {
    fn on_screen(&self, view: &core::View) {
        // A listener that throws keeps its subscription; the flow goes on.
        let _ = self.0.on_screen(view.clone().into());
    }
}

/// Logs screen changes by name.
struct ScreenLog;

impl core::ScreenListener for ScreenLog {
    fn on_screen(&self, view: &core::View) {
        log::debug!(target: "aktiver_ffi", "screen {}", view.screen.name());
    }
}

/// Ends a listener's subscription: `cancel()`, or dropping the handle.
#[derive(uniffi::Object)]
pub struct ObserveHandle {
    inner: Arc<core::ObserveHandle>,
}

#[uniffi::export]
impl ObserveHandle {
    pub fn cancel(&self) {
        self.inner.cancel();
    }
}

impl Drop for ObserveHandle {
    fn drop(&mut self) {
        self.inner.cancel();
    }
}

/// One activation. Thread-safe; every method may be called from any thread.
#[derive(uniffi::Object)]
pub struct Activation {
    flow: Mutex<Option<core::Flow>>,
    /// Our own subscriptions (the log, listeners), ended by `release()`.
    handles: Mutex<Vec<Arc<core::ObserveHandle>>>,
    closed: AtomicBool,
}

/// Starts an activation, or resumes the one saved in the capabilities'
/// secure storage (at its screen, or at the right earlier one).
#[uniffi::export]
pub async fn start_activation(
    config: ActivationConfig,
    capabilities: Capabilities,
) -> Result<Arc<Activation>, ActivationError> {
    let cfg = config.to_core();
    let caps = capabilities.to_core();
    let flow = runtime::run(async move { Ok(core::Flow::start(cfg, caps).await?) }).await?;
    let log = flow.observe(Arc::new(ScreenLog));
    log::debug!(target: "aktiver_ffi", "activation started");
    Ok(Arc::new(Activation {
        flow: Mutex::new(Some(flow)),
        handles: Mutex::new(vec![Arc::new(log)]),
        closed: AtomicBool::new(false),
    }))
}

impl Activation {
    fn flow(&self) -> Result<core::Flow, ActivationError> {
        if self.closed.load(Ordering::Acquire) {
            return Err(ActivationError::Closed);
        }
        self.flow
            .lock()
            .ok()
            .and_then(|f| f.clone())
            .ok_or(ActivationError::Closed)
    }
}

/// Interrupts the work of an action whose caller went away (a cancelled
/// coroutine or task dropped the call): while the action runs, the first
/// busy screen it reaches (the chip read, the face check, a permission
/// prompt) is stopped with the core's Back, as the user's Back would. An
/// action that finishes without a busy screen is left to finish.
struct InterruptOnDrop {
    flow: core::Flow,
    done: Arc<AtomicBool>,
    finished: bool,
}

impl Drop for InterruptOnDrop {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let flow = self.flow.clone();
        let done = self.done.clone();
        let Ok(rt) = runtime::get() else { return };
        log::debug!(target: "aktiver_ffi", "caller went away: interrupting");
        rt.spawn(async move {
            while !done.load(Ordering::Acquire) {
                if flow.screen().is_busy() {
                    let _ = flow.act(core::Action::Back).await;
                    return;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        });
    }
}

#[uniffi::export]
impl Activation {
    /// The current screen.
    pub fn current(&self) -> Result<ScreenView, ActivationError> {
        Ok(self.flow()?.view().into())
    }

    /// Calls `listener` with the current screen now and with every change
    /// until the handle is cancelled or dropped (or the activation released).
    pub fn observe(
        &self,
        listener: Arc<dyn ScreenListener>,
    ) -> Result<Arc<ObserveHandle>, ActivationError> {
        let flow = self.flow()?;
        let inner = Arc::new(flow.observe(Arc::new(ListenerShim(listener))));
        // release() ends it too.
        if let Ok(mut h) = self.handles.lock() {
            h.push(inner.clone());
        }
        Ok(Arc::new(ObserveHandle { inner }))
    }

    /// Performs an action; returns the screen the flow waits on next
    /// (listeners see every screen on the way). If the caller goes away
    /// (coroutine cancelled, task dropped) while the action runs, busy work
    /// (the chip read, the face check) is interrupted.
    pub async fn act(&self, action: Action) -> Result<ScreenView, ActivationError> {
        let flow = self.flow()?;
        let name = action.name();
        log::debug!(target: "aktiver_ffi", "action {name}");
        let done = Arc::new(AtomicBool::new(false));
        let mut guard = InterruptOnDrop {
            flow: flow.clone(),
            done: done.clone(),
            finished: false,
        };
        let action: core::Action = action.into();
        let r = runtime::run(async move {
            let r = flow.act(action).await;
            done.store(true, Ordering::Release);
            Ok(r?)
        })
        .await;
        guard.finished = true;
        Ok(r?.into())
    }

    /// A camera frame on the MRZ scan screen: an 8-bit luma plane (the Y
    /// plane of YUV), `row_stride` bytes per row, rotated clockwise by
    /// `rotation_degrees` (0, 90, 180, 270) to stand upright. The rotation is
    /// a hint: pass it when known, 0 when not; a document turned otherwise is
    /// still read (the first such frame takes a few more milliseconds, then
    /// the frames are read in the turn that worked). Answers with the
    /// scanner's feedback; once frames agree on an MRZ the flow moves on.
    pub async fn submit_frame(
        &self,
        luma: Vec<u8>,
        width: u32,
        height: u32,
        row_stride: u32,
        rotation_degrees: u32,
    ) -> Result<String, ActivationError> {
        let flow = self.flow()?;
        runtime::run(async move {
            Ok(flow
                .submit_frame(luma, width, height, row_stride, rotation_degrees)
                .await?)
        })
        .await
    }

    /// Ends the activation (the user cancelled): stops work in progress,
    /// cancels the server session, shows `Cancelled`.
    pub async fn cancel(&self) -> Result<ScreenView, ActivationError> {
        self.act(Action::Cancel).await
    }

    /// Releases this object: listeners end, later calls answer `Closed`.
    /// The activation itself stays saved in secure storage: a new
    /// `start_activation` resumes it. Busy work in progress is interrupted.
    /// (Not `close`: Kotlin's generated `AutoCloseable.close()` is taken.)
    pub fn release(&self) {
        if self.closed.swap(true, Ordering::AcqRel) {
            return;
        }
        let flow = self.flow.lock().ok().and_then(|mut f| f.take());
        if let Ok(mut h) = self.handles.lock() {
            for handle in h.drain(..) {
                handle.cancel();
            }
        }
        if let (Some(flow), Ok(rt)) = (flow, runtime::get())
            && flow.screen().is_busy()
        {
            rt.spawn(async move {
                let _ = flow.act(core::Action::Back).await;
            });
        }
        log::debug!(target: "aktiver_ffi", "activation closed");
    }
}

impl Drop for Activation {
    fn drop(&mut self) {
        self.release();
    }
}
