//! A face check whose outcome a tester can choose: the sandbox provider's
//! verdict for the person, or, once a mismatch is chosen, a "fail" verdict
//! signed with the same provider key (the simulated provider is in this
//! process), so the server's own checks decide what happens next.
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use aktiver_flow::{CapabilityError, FaceCheck};
use aktiver_protocol::{FaceVerdict, FaceVerdictPayload, Sensitive, encode_b64};
use aktiver_sandbox::App;

use crate::caps::{CallGate, SandboxFace};

/// The sandbox provider, with a switch for "the face does not match".
pub struct SwitchableFace {
    provider: SandboxFace,
    app: Arc<App>,
    mismatch: AtomicBool,
}

impl SwitchableFace {
    pub fn new(provider: SandboxFace, app: Arc<App>) -> Self {
        SwitchableFace {
            provider,
            app,
            mismatch: AtomicBool::new(false),
        }
    }

    /// From now on, the live face does not match the chip's portrait.
    pub fn set_mismatch(&self, on: bool) {
        self.mismatch.store(on, Ordering::SeqCst);
    }

    pub fn mismatch(&self) -> bool {
        self.mismatch.load(Ordering::SeqCst)
    }

    /// How long the person takes in front of the camera (the provider's gate).
    pub fn gate(&self) -> &CallGate {
        &self.provider.gate
    }
}

impl FaceCheck for SwitchableFace {
    fn check(
        &self,
        session_id: &str,
        portrait: &[u8],
        portrait_sha256: &[u8; 32],
    ) -> Result<FaceVerdict, CapabilityError> {
        if !self.mismatch() {
            return self.provider.check(session_id, portrait, portrait_sha256);
        }
        self.provider.gate.pass()?;
        let payload = FaceVerdictPayload {
            provider: aktiver_sandbox::face::PROVIDER.to_owned(),
            session_id: session_id.to_owned(),
            portrait_sha256_b64: Sensitive::new(encode_b64(portrait_sha256)),
            outcome: "fail".to_owned(),
            issued_at: self.app.clock.now(),
        };
        self.app
            .face
            .sign(&payload)
            .ok_or_else(|| CapabilityError::Failed("face-check provider: signing".into()))
    }

    fn cancel(&self) {
        self.provider.cancel();
    }
}
