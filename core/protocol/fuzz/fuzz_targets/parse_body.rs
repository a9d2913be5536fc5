#![no_main]
//! Every request body type must answer arbitrary bytes with a typed error, never a panic.
use aktiver_protocol::*;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = parse_body::<StartSessionRequest>(data);
    let _ = parse_body::<SubmitPhoneRequest>(data);
    let _ = parse_body::<VerifySmsRequest>(data);
    let _ = parse_body::<ChooseMethodRequest>(data);
    let _ = parse_body::<IdCheckEvidence>(data);
    let _ = parse_body::<FaceCheckRequest>(data);
    let _ = parse_body::<ActivationCodeRequest>(data);
    let _ = parse_body::<IssueActivationCodeRequest>(data);
    let _ = parse_body::<CodeUnitRequest>(data);
    let _ = parse_body::<KeyRegistration>(data);
    let _ = parse_body::<SetPasswordRequest>(data);
    let _ = parse_body::<PushTokenRequest>(data);
    let _ = parse_body::<SignAgreementRequest>(data);
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = check_password(s, &PasswordContext { birth_date: Some((1, 2, 1985)) });
        let _ = normalize_phone(s);
    }
});
