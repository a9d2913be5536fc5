//! The endpoint table: one source for the server's router, the OpenAPI test
//! and the client.

/// HTTP method of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Get,
    Post,
    Delete,
}

/// An endpoint: method, path template (OpenAPI syntax) and whether it changes state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Endpoint {
    pub verb: Verb,
    pub path: &'static str,
}

impl Endpoint {
    /// State-changing calls need an idempotency key.
    pub fn needs_idempotency_key(&self) -> bool {
        self.verb != Verb::Get
    }
}

macro_rules! endpoints {
    ($($name:ident = $verb:ident $path:literal;)*) => {
        $(pub const $name: Endpoint = Endpoint { verb: Verb::$verb, path: $path };)*
        /// Every endpoint of `/v1`.
        pub const ALL: &[Endpoint] = &[$($name,)*];
    };
}

endpoints! {
    START_SESSION = Post "/v1/sessions";
    GET_SESSION = Get "/v1/sessions/{session_id}";
    CANCEL_SESSION = Delete "/v1/sessions/{session_id}";
    SUBMIT_PHONE = Post "/v1/sessions/{session_id}/phone";
    RESEND_SMS = Post "/v1/sessions/{session_id}/sms/resend";
    VERIFY_SMS = Post "/v1/sessions/{session_id}/sms/verify";
    CHOOSE_METHOD = Post "/v1/sessions/{session_id}/method";
    ID_CHECK = Post "/v1/sessions/{session_id}/id-check";
    CODE_UNIT = Post "/v1/sessions/{session_id}/code-unit";
    ACTIVATION_CODE = Post "/v1/sessions/{session_id}/activation-code";
    CHALLENGE = Post "/v1/sessions/{session_id}/challenge";
    REGISTER_DEVICE = Post "/v1/sessions/{session_id}/device";
    SET_PASSWORD = Post "/v1/sessions/{session_id}/password";
    PUSH_TOKEN = Post "/v1/sessions/{session_id}/push-token";
    BIOMETRIC_KEY = Post "/v1/sessions/{session_id}/biometric-key";
    GET_AGREEMENT = Get "/v1/agreement";
    SIGN_AGREEMENT = Post "/v1/sessions/{session_id}/agreement";
    SANDBOX_SMS = Get "/v1/sandbox/sms";
    SANDBOX_ACTIVATION_CODE = Post "/v1/sandbox/activation-code";
    SANDBOX_FACE_CHECK = Post "/v1/sandbox/face-check";
}

/// Fills `{session_id}` in a path template.
pub fn with_session(e: Endpoint, session_id: &str) -> String {
    e.path.replace("{session_id}", session_id)
}
