//! The shell's own words: button and field labels, and the names of the
//! faults, in Bokmål, Nynorsk and English. The core's texts (titles, bodies,
//! errors) come from the flow; these are what a mobile shell would draw
//! around them.
use std::collections::BTreeMap;

use aktiver_flow::Lang;

/// (key, nb, nn, en)
const LABELS: &[(&str, &str, &str, &str)] = &[
    ("get_started", "Kom i gang", "Kom i gang", "Get started"),
    (
        "activate_app",
        "Min BankID: aktiver app",
        "Min BankID: aktiver app",
        "My BankID: activate app",
    ),
    ("continue", "Fortsett", "Hald fram", "Continue"),
    ("not_now", "Ikke nå", "Ikkje no", "Not now"),
    ("retry", "Prøv igjen", "Prøv igjen", "Try again"),
    ("back", "Tilbake", "Tilbake", "Back"),
    ("cancel", "Avbryt", "Avbryt", "Cancel"),
    (
        "resend_code",
        "Send ny kode",
        "Send ny kode",
        "Send a new code",
    ),
    ("submit", "Neste", "Neste", "Next"),
    ("sign_agreement", "Signer", "Signer", "Sign"),
    (
        "submit_new_password",
        "Lagre passord",
        "Lagre passord",
        "Save password",
    ),
    ("set_accepted", "Jeg godtar", "Eg godtek", "I accept"),
    (
        "set_password_visible",
        "Vis passordet",
        "Vis passordet",
        "Show the password",
    ),
    (
        "method_id_check",
        "Pass eller ID-kort",
        "Pass eller ID-kort",
        "Passport or ID card",
    ),
    ("method_code_unit", "Kodebrikke", "Kodebrikke", "Code unit"),
    (
        "method_activation_code",
        "Aktiveringskode",
        "Aktiveringskode",
        "Activation code",
    ),
    ("document_passport", "Pass", "Pass", "Passport"),
    (
        "document_id_card",
        "Nasjonalt ID-kort",
        "Nasjonalt ID-kort",
        "National ID card",
    ),
    (
        "field_value_national_id",
        "Fødselsnummer (11 siffer)",
        "Fødselsnummer (11 siffer)",
        "National identity number (11 digits)",
    ),
    (
        "field_value_phone",
        "Mobilnummer",
        "Mobilnummer",
        "Mobile number",
    ),
    (
        "field_code_sms",
        "Kode fra SMS",
        "Kode frå SMS",
        "Code from the SMS",
    ),
    (
        "field_code_activation",
        "Aktiveringskode eller QR-tekst",
        "Aktiveringskode eller QR-tekst",
        "Activation code or QR text",
    ),
    (
        "field_otp",
        "Engangskode fra kodebrikken",
        "Eingongskode frå kodebrikka",
        "One-time code from the code unit",
    ),
    (
        "field_password",
        "BankID-passord",
        "BankID-passord",
        "BankID password",
    ),
    (
        "field_new_password",
        "Nytt passord",
        "Nytt passord",
        "New password",
    ),
    (
        "field_repeat",
        "Gjenta passordet",
        "Gjenta passordet",
        "Repeat the password",
    ),
    (
        "field_current",
        "Nåværende passord",
        "Noverande passord",
        "Current password",
    ),
    (
        "film",
        "Film ett bilde",
        "Film eitt bilete",
        "Film one frame",
    ),
    (
        "film_until_read",
        "Film til koden er lest",
        "Film til koden er lesen",
        "Film until read",
    ),
    (
        "fault_wrong_sms_code",
        "Skriv feil kode",
        "Skriv feil kode",
        "Type a wrong code",
    ),
    (
        "fault_expired_sms_code",
        "La koden gå ut",
        "La koden gå ut",
        "Let the code expire",
    ),
    (
        "fault_glare",
        "Gjenskinn på kameraet",
        "Gjenskin på kameraet",
        "Glare on the camera",
    ),
    (
        "fault_blur",
        "Uskarpt kamera",
        "Uskarpt kamera",
        "Blurred camera",
    ),
    (
        "fault_clear_camera",
        "Klart kamera",
        "Klart kamera",
        "Clear camera",
    ),
    (
        "fault_lost_tag",
        "Brikken mistes under lesing",
        "Brikka vert mista under lesing",
        "Tag lost during the read",
    ),
    (
        "fault_tampered_chip",
        "Endret brikke",
        "Endra brikke",
        "Tampered chip",
    ),
    (
        "fault_cloned_chip",
        "Klonet brikke",
        "Klona brikke",
        "Cloned chip",
    ),
    (
        "fault_face_mismatch",
        "Ansiktet stemmer ikke",
        "Andletet stemmer ikkje",
        "Face does not match",
    ),
    (
        "fault_network_down",
        "Nettet faller ut",
        "Nettet fell ut",
        "Network fails",
    ),
    (
        "fault_network_up",
        "Nettet er tilbake",
        "Nettet er tilbake",
        "Network back",
    ),
    (
        "fault_deny_prompt",
        "Telefonen sier nei til tillatelsen",
        "Telefonen seier nei til løyvet",
        "The phone declines the permission",
    ),
    (
        "fault_allow_prompt",
        "Telefonen gir tillatelsen",
        "Telefonen gjev løyvet",
        "The phone grants the permission",
    ),
    (
        "fault_kill",
        "Prosessen drepes (gjenoppta)",
        "Prosessen vert drepen (hald fram)",
        "Kill the process (resume)",
    ),
    (
        "fault_second_device",
        "Aktiver på en telefon til",
        "Aktiver på ein telefon til",
        "Activate a second device",
    ),
];

/// One label in `lang` (the key itself where none is known).
pub fn label(lang: Lang, key: &str) -> String {
    LABELS
        .iter()
        .find(|l| l.0 == key)
        .map(|l| pick(lang, l).to_owned())
        .unwrap_or_else(|| key.replace('_', " "))
}

fn pick(lang: Lang, l: &(&str, &'static str, &'static str, &'static str)) -> &'static str {
    match lang {
        Lang::Nb => l.1,
        Lang::Nn => l.2,
        Lang::En => l.3,
    }
}

/// Every label in `lang`, for the studio page.
pub fn all(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    LABELS.iter().map(|l| (l.0, pick(lang, l))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fault_and_action_has_a_label_in_every_language() {
        let mut keys: Vec<String> = super::super::faults::Fault::ALL
            .iter()
            .map(|f| format!("fault_{}", f.name()))
            .collect();
        keys.extend(["continue", "not_now", "retry", "back", "cancel"].map(String::from));
        for lang in [Lang::Nb, Lang::Nn, Lang::En] {
            let all = all(lang);
            for k in &keys {
                assert!(all.contains_key(k.as_str()), "{k} has no label");
            }
        }
    }
}
