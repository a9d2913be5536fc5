//! Our own tokio runtime: named threads, a bounded number of workers and
//! blocking threads (capability calls run on those), created on first use
//! and never dropped (a runtime dropped on one of its own threads panics).
//! Not uniffi's hidden global runtime: exported async calls spawn here and
//! await the task, so they run on any foreign executor.
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use tokio::runtime::Runtime;

use crate::error::ActivationError;

static RUNTIME: OnceLock<Result<Runtime, String>> = OnceLock::new();
static WORKERS: AtomicUsize = AtomicUsize::new(2);

/// Blocking threads carry capability calls (NFC, keystore, storage, face
/// check): a handful at a time in one activation.
const MAX_BLOCKING_THREADS: usize = 8;

/// Sets the number of async worker threads (1 to 8; the default is 2).
/// Only before the first activation: the runtime is built once.
#[uniffi::export]
pub fn configure_runtime(worker_threads: u32) -> Result<(), ActivationError> {
    if RUNTIME.get().is_some() {
        return Err(ActivationError::Setup {
            reason: "the runtime is running already".into(),
        });
    }
    let n = usize::try_from(worker_threads.clamp(1, 8)).unwrap_or(2);
    WORKERS.store(n, Ordering::Relaxed);
    Ok(())
}

/// The runtime, built on first use.
pub fn get() -> Result<&'static Runtime, ActivationError> {
    let r = RUNTIME.get_or_init(|| {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(WORKERS.load(Ordering::Relaxed))
            .max_blocking_threads(MAX_BLOCKING_THREADS)
            .thread_name_fn(|| format!("aktiver-{}", NEXT.fetch_add(1, Ordering::Relaxed)))
            .enable_all()
            .build()
            .map_err(|e| e.to_string())
    });
    r.as_ref().map_err(|e| ActivationError::Setup {
        reason: format!("tokio runtime: {e}"),
    })
}

/// Runs `fut` on our runtime and waits for it from any executor. A panic
/// in it comes back as [`ActivationError::Internal`].
pub async fn run<T, F>(fut: F) -> Result<T, ActivationError>
where
    F: std::future::Future<Output = Result<T, ActivationError>> + Send + 'static,
    T: Send + 'static,
{
    let handle = get()?.spawn(fut);
    handle.await?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_are_named_and_panics_are_typed_errors() {
        let rt = get().unwrap_or_else(|e| panic!("{e}"));
        let name = rt
            .block_on(async {
                tokio::spawn(async { std::thread::current().name().map(str::to_owned) }).await
            })
            .ok()
            .flatten()
            .unwrap_or_default();
        assert!(name.starts_with("aktiver-"), "{name}");
        let r: Result<(), _> = rt.block_on(run(async { panic!("secret input 15859010099") }));
        assert_eq!(
            r,
            Err(ActivationError::Internal {
                reason: "the core panicked".into()
            })
        );
        assert!(configure_runtime(4).is_err());
    }
}
