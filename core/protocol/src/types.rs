//! Request and response bodies of `/v1`. Requests reject unknown fields so a
//! typo is an error, not a silently ignored value.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Sensitive;

/// Where a session is in the flow; the next call the server accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Submit the phone number.
    Phone,
    /// Verify (or resend) the SMS code.
    SmsCode,
    /// Choose how to qualify.
    Method,
    /// Submit ID-check evidence.
    IdCheck,
    /// Submit a code-unit one-time code and the password.
    CodeUnit,
    /// Submit an activation code.
    ActivationCode,
    /// Register the device key (after fetching a challenge).
    Device,
    /// Optional: set or change the password, push token, biometric key; then sign the agreement.
    Finish,
    /// Done: the app is activated.
    Complete,
}

/// How the person qualifies for activation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    IdCheck,
    CodeUnit,
    ActivationCode,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "national_id": "15859010099" }))]
pub struct StartSessionRequest {
    /// 11-digit Norwegian identity number.
    pub national_id: Sensitive,
}

/// The SMS code's state, for the code screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SmsStatus {
    /// e.g. `+47 ••• •• 123`
    pub masked_phone: String,
    pub code_length: u32,
    pub expires_in_s: u64,
    pub resend_after_s: u64,
    pub attempts_left: u32,
}

/// A session as the client sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    /// Opaque, unguessable session id used in the paths.
    pub session_id: String,
    pub step: Step,
    /// Unix seconds at which the session window closes.
    pub expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms: Option<SmsStatus>,
    /// Methods the person's bank offers (set once the phone is confirmed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<Method>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<Method>,
    /// Set once a device key is bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    /// A previous device of this person was revoked by this activation.
    #[serde(default)]
    pub replaced_previous_device: bool,
    pub password_set: bool,
    pub push_token_set: bool,
    pub biometric_key_set: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "phone": "+4791234567" }))]
pub struct SubmitPhoneRequest {
    /// E.164 (`+4791234567`) or 8 national digits.
    pub phone: Sensitive,
}

/// Empty body for calls that carry no data (resend, challenge).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Empty {}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifySmsRequest {
    /// Six digits.
    pub code: Sensitive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "method": "code_unit" }))]
pub struct ChooseMethodRequest {
    pub method: Method,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Passport,
    IdCard,
}

/// One data group read from the chip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DataGroup {
    /// 1..=16
    pub number: u8,
    /// The whole DG file, base64.
    pub content_b64: Sensitive,
}

/// Chip authentication (or PACE-CAM) as the reader saw it. The server cannot
/// re-verify it (the proof is the secure-messaging keys, which never leave the
/// reader), so it is recorded as the reader's claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChipAuthTranscript {
    /// `ca`, `pace_cam`
    pub protocol: String,
    /// Opaque reader transcript, base64 (kept for audit, not verified).
    pub transcript_b64: String,
}

/// Active authentication: the server's challenge (8 bytes, from the
/// `challenge` endpoint at the `id_check` step) and the chip's signature over it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActiveAuthTranscript {
    pub challenge_b64: String,
    pub signature_b64: String,
}

/// The face-check provider's verdict, signed by the provider. The payload is
/// [`FaceVerdictPayload`] as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaceVerdict {
    pub provider: String,
    /// The provider's signed payload (JSON), base64.
    pub payload_b64: String,
    /// ECDSA P-256 / SHA-256 signature over the payload bytes, DER, base64.
    pub signature_b64: String,
}

/// What the face-check provider signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaceVerdictPayload {
    pub provider: String,
    pub session_id: String,
    /// SHA-256 of the DG2 file as read from the chip, base64.
    pub portrait_sha256_b64: Sensitive,
    /// `pass` or `fail`.
    pub outcome: String,
    /// Unix seconds.
    pub issued_at: i64,
}

/// Sandbox face-check provider: compare the live face with the chip's portrait.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FaceCheckRequest {
    pub session_id: String,
    /// SHA-256 of the DG2 file as read from the chip, base64.
    pub portrait_sha256_b64: Sensitive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IdCheckEvidence {
    pub document: DocumentKind,
    /// EF.SOD, base64.
    pub sod_b64: Sensitive,
    pub data_groups: Vec<DataGroup>,
    /// The MRZ as scanned by the camera, lines joined by `\n`.
    pub scanned_mrz: Sensitive,
    #[serde(default)]
    pub chip_auth: Option<ChipAuthTranscript>,
    #[serde(default)]
    pub active_auth: Option<ActiveAuthTranscript>,
    pub face_verdict: FaceVerdict,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeUnitRequest {
    /// Six-digit one-time code from the code unit.
    pub otp: Sensitive,
    /// The current BankID password.
    pub password: Sensitive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivationCodeRequest {
    pub code: Sensitive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChallengeResponse {
    /// 32 random bytes, base64; single use. At the `id_check` step: 8 bytes,
    /// the active-authentication challenge for the chip.
    pub challenge_b64: String,
    pub expires_in_s: u64,
}

/// A P-256 key and proof of possession: an ECDSA/SHA-256 signature (DER) over
/// the challenge bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyRegistration {
    /// SubjectPublicKeyInfo DER, base64.
    pub public_key_spki_b64: String,
    pub signature_b64: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetPasswordRequest {
    pub new_password: Sensitive,
    /// Required when changing a password the person already has and the
    /// session did not qualify by ID check.
    #[serde(default)]
    pub current_password: Option<Sensitive>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PushPlatform {
    Fcm,
    Apns,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushTokenRequest {
    pub platform: PushPlatform,
    pub token: Sensitive,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Agreement {
    pub id: String,
    pub text: String,
    /// SHA-256 of the UTF-8 text, base64: what the app signs.
    pub sha256_b64: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignAgreementRequest {
    pub agreement_id: String,
    /// Device-key ECDSA/SHA-256 signature (DER, base64) over the 32-byte SHA-256 of the text.
    pub signature_b64: String,
    pub password: Sensitive,
}

/// One message in the sandbox SMS inbox (sandbox only: it holds the code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SmsMessage {
    pub phone: Sensitive,
    pub text: Sensitive,
    pub code: Sensitive,
    pub sent_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SmsInbox {
    pub messages: Vec<SmsMessage>,
}

/// Sandbox "online bank": issue an activation code for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IssueActivationCodeRequest {
    pub national_id: Sensitive,
}

/// What the online bank's activation-code QR code carries before the code.
pub const ACTIVATION_QR_PREFIX: &str = "aktiver:activation-code:";

/// A single-use activation code, as the online bank shows it (also as a QR payload).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ActivationCodeIssued {
    pub code: Sensitive,
    pub expires_in_s: u64,
    /// The text the QR code carries.
    pub qr_payload: Sensitive,
    /// The QR code of `qr_payload` as a PNG image, base64.
    pub qr_png_b64: Sensitive,
}
