//! The OpenAPI document, generated from the types. `cargo test -p
//! aktiver-protocol` keeps `core/protocol/openapi.json` in step (set
//! `UPDATE_OPENAPI=1` to rewrite it after a deliberate change).
use utoipa::OpenApi;

use crate::types::*;
use crate::{ErrorBody, ErrorCode, PasswordViolation};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "aktiver activation API",
        version = "1",
        description = "Activation of a BankID-like app: JSON over HTTPS, pinned SPKI. Every POST/DELETE needs an `Idempotency-Key` header; errors are `ErrorBody` with a stable `code`."
    ),
    paths(
        doc::start_session,
        doc::get_session,
        doc::cancel_session,
        doc::submit_phone,
        doc::resend_sms,
        doc::verify_sms,
        doc::choose_method,
        doc::id_check,
        doc::code_unit,
        doc::activation_code,
        doc::challenge,
        doc::register_device,
        doc::set_password,
        doc::push_token,
        doc::biometric_key,
        doc::get_agreement,
        doc::sign_agreement,
        doc::sandbox_sms,
        doc::sandbox_activation_code,
        doc::sandbox_face_check,
    ),
    components(schemas(
        ErrorBody,
        ErrorCode,
        PasswordViolation,
        Step,
        Method,
        FaceVerdictPayload
    ))
)]
pub struct ApiDoc;

/// The document as pretty JSON, with the OpenAPI links that let a client
/// (and schemathesis's stateful phase) follow a new session's id into every
/// session operation.
pub fn json() -> String {
    let doc = ApiDoc::openapi().to_pretty_json().unwrap_or_default();
    let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&doc) else {
        return doc;
    };
    link_sessions(&mut v);
    serde_json::to_string_pretty(&v).unwrap_or(doc)
}

/// `POST /v1/sessions` → 201 links `session_id` to every `{session_id}`
/// operation. Added to the JSON (utoipa 5 writes a link's `operationId` as
/// `operation_id`).
fn link_sessions(doc: &mut serde_json::Value) {
    let mut links = serde_json::Map::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in paths {
            if !path.contains("{session_id}") {
                continue;
            }
            for m in ["get", "post", "delete"] {
                if let Some(id) = item[m]["operationId"].as_str() {
                    links.insert(
                        id.to_owned(),
                        serde_json::json!({
                            "operationId": id,
                            "parameters": { "session_id": "$response.body#/session_id" },
                            "description": "The new session's id",
                        }),
                    );
                }
            }
        }
    }
    let created =
        &mut doc["paths"][crate::endpoints::START_SESSION.path]["post"]["responses"]["201"];
    if created.is_object() {
        created["links"] = serde_json::Value::Object(links);
    }
}

// The functions only carry the path annotations; they are never called.
#[allow(dead_code, clippy::too_many_arguments)]
mod doc {
    use super::*;

    #[utoipa::path(post, path = "/v1/sessions", request_body = StartSessionRequest,
        params(("Idempotency-Key" = String, Header)),
        responses((status = 201, body = SessionView), (status = "4XX", body = ErrorBody)))]
    pub fn start_session() {}

    #[utoipa::path(get, path = "/v1/sessions/{session_id}", params(("session_id" = String, Path)),
        responses((status = 200, body = SessionView), (status = "4XX", body = ErrorBody)))]
    pub fn get_session() {}

    #[utoipa::path(delete, path = "/v1/sessions/{session_id}",
        params(("session_id" = String, Path), ("Idempotency-Key" = String, Header)),
        responses((status = 200, body = SessionView), (status = "4XX", body = ErrorBody)))]
    pub fn cancel_session() {}

    #[utoipa::path(post, path = "/v1/sessions/{session_id}/phone", request_body = SubmitPhoneRequest,
        params(("session_id" = String, Path), ("Idempotency-Key" = String, Header)),
        responses((status = 200, body = SessionView), (status = "4XX", body = ErrorBody)))]
    pub fn submit_phone() {}

    #[utoipa::path(post, path = "/v1/sessions/{session_id}/sms/resend", request_body = Empty,
        params(("session_id" = String, Path), ("Idempotency-Key" = String, Header)),
        responses((status = 200, body = SessionView), (status = "4XX", body = ErrorBody)))]
    pub fn resend_sms() {}

    #[utoipa::path(post, path = "/v1/sessions/{session_id}/sms/verify", request_body = VerifySmsRequest,
        params(("session_id" = String, Path), ("Idempotency-Key" = String, Header)),
        responses((status = 200, body = SessionView), (status = "4XX", body = ErrorBody)))]
    pub fn verify_sms() {}

    #[utoipa::path(post, path = "/v1/sessions/{session_id}/method", request_body = ChooseMethodRequest,
        params(("session_id" = String, Path), ("Idempotency-Key" = String, Header)),
        responses((status = 200, body = SessionView), (status = "4XX", body = ErrorBody)))]
    pub fn choose_method() {}

    #[utoipa::path(post, path = "/v1/sessions/{session_id}/id-check", request_body = IdCheckEvidence,
        params(("session_id" = String, Path), ("Idempotency-Key" = String, Header)),
        responses((status = 200, body = SessionView), (status = "4XX", body = ErrorBody)))]
    pub fn id_check() {}

    #[utoipa::path(post, path = "/v1/sessions/{session_id}/code-unit", request_body = CodeUnitRequest,
        params(("session_id" = String, Path), ("Idempotency-Key" = String, Header)),
        responses((status = 200, body = SessionView), (status = "4XX", body = ErrorBody)))]
    pub fn code_unit() {}

    #[utoipa::path(post, path = "/v1/sessions/{session_id}/activation-code", request_body = ActivationCodeRequest,
        params(("session_id" = String, Path), ("Idempotency-Key" = String, Header)),
        responses((status = 200, body = SessionView), (status = "4XX", body = ErrorBody), (status = 501, body = ErrorBody)))]
    pub fn activation_code() {}

    #[utoipa::path(post, path = "/v1/sessions/{session_id}/challenge", request_body = Empty,
        params(("session_id" = String, Path), ("Idempotency-Key" = String, Header)),
        responses((status = 200, body = ChallengeResponse), (status = "4XX", body = ErrorBody)))]
    pub fn challenge() {}

    #[utoipa::path(post, path = "/v1/sessions/{session_id}/device", request_body = KeyRegistration,
        params(("session_id" = String, Path), ("Idempotency-Key" = String, Header)),
        responses((status = 200, body = SessionView), (status = "4XX", body = ErrorBody)))]
    pub fn register_device() {}

    #[utoipa::path(post, path = "/v1/sessions/{session_id}/password", request_body = SetPasswordRequest,
        params(("session_id" = String, Path), ("Idempotency-Key" = String, Header)),
        responses((status = 200, body = SessionView), (status = "4XX", body = ErrorBody)))]
    pub fn set_password() {}

    #[utoipa::path(post, path = "/v1/sessions/{session_id}/push-token", request_body = PushTokenRequest,
        params(("session_id" = String, Path), ("Idempotency-Key" = String, Header)),
        responses((status = 200, body = SessionView), (status = "4XX", body = ErrorBody)))]
    pub fn push_token() {}

    #[utoipa::path(post, path = "/v1/sessions/{session_id}/biometric-key", request_body = KeyRegistration,
        params(("session_id" = String, Path), ("Idempotency-Key" = String, Header)),
        responses((status = 200, body = SessionView), (status = "4XX", body = ErrorBody)))]
    pub fn biometric_key() {}

    #[utoipa::path(get, path = "/v1/agreement",
        responses((status = 200, body = Agreement), (status = "4XX", body = ErrorBody)))]
    pub fn get_agreement() {}

    #[utoipa::path(post, path = "/v1/sessions/{session_id}/agreement", request_body = SignAgreementRequest,
        params(("session_id" = String, Path), ("Idempotency-Key" = String, Header)),
        responses((status = 200, body = SessionView), (status = "4XX", body = ErrorBody)))]
    pub fn sign_agreement() {}

    #[utoipa::path(get, path = "/v1/sandbox/sms", params(("phone" = Option<String>, Query)),
        responses((status = 200, body = SmsInbox), (status = "4XX", body = ErrorBody)))]
    pub fn sandbox_sms() {}

    #[utoipa::path(post, path = "/v1/sandbox/activation-code", request_body = IssueActivationCodeRequest,
        params(("Idempotency-Key" = String, Header)),
        responses((status = 201, body = ActivationCodeIssued), (status = "4XX", body = ErrorBody)))]
    pub fn sandbox_activation_code() {}

    #[utoipa::path(post, path = "/v1/sandbox/face-check", request_body = FaceCheckRequest,
        params(("Idempotency-Key" = String, Header)),
        responses((status = 201, body = FaceVerdict), (status = "4XX", body = ErrorBody)))]
    pub fn sandbox_face_check() {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::{ALL, Verb};

    #[test]
    fn every_endpoint_is_documented_with_its_method() {
        let doc = ApiDoc::openapi();
        for e in ALL {
            let item = doc.paths.paths.get(e.path);
            let item = match item {
                Some(i) => i,
                None => panic!("{} missing from OpenAPI", e.path),
            };
            let op = match e.verb {
                Verb::Get => item.get.as_ref(),
                Verb::Post => item.post.as_ref(),
                Verb::Delete => item.delete.as_ref(),
            };
            assert!(op.is_some(), "{:?} {} missing", e.verb, e.path);
        }
        let documented: usize = doc
            .paths
            .paths
            .values()
            .map(|i| {
                [i.get.is_some(), i.post.is_some(), i.delete.is_some()]
                    .iter()
                    .filter(|b| **b)
                    .count()
            })
            .sum();
        assert_eq!(
            documented,
            ALL.len(),
            "OpenAPI has operations not in the endpoint table"
        );
    }

    #[test]
    fn a_new_session_links_to_every_session_operation() {
        let doc: serde_json::Value = serde_json::from_str(&json()).unwrap_or_default();
        let links = doc["paths"]["/v1/sessions"]["post"]["responses"]["201"]["links"]
            .as_object()
            .map(|l| l.len())
            .unwrap_or(0);
        let session_ops = ALL
            .iter()
            .filter(|e| e.path.contains("{session_id}"))
            .count();
        assert_eq!(links, session_ops);
    }

    #[test]
    fn error_code_schema_lists_the_wire_codes() {
        let doc: serde_json::Value = serde_json::from_str(&json()).unwrap_or_default();
        let listed: Vec<&str> = doc["components"]["schemas"]["ErrorCode"]["enum"]
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
            .unwrap_or_default();
        let codes: Vec<&str> = crate::ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(listed, codes);
    }

    #[test]
    fn document_on_disk_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json");
        let fresh = json();
        assert!(fresh.contains("\"openapi\""));
        if std::env::var_os("UPDATE_OPENAPI").is_some() || !path.exists() {
            std::fs::write(&path, &fresh)
                .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
            return;
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            on_disk == fresh,
            "openapi.json is stale: rerun with UPDATE_OPENAPI=1"
        );
    }
}
