//! The test population: who can activate, with which phone and methods.
use aktiver_nin::{NationalId, Policy};
use aktiver_protocol::Method;
use serde::Deserialize;

use crate::ServerError;

/// One person as the sandbox's "bank" knows them.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Person {
    pub national_id: String,
    /// E.164 or national form; normalized on load.
    pub phone: String,
    #[serde(default = "default_bank")]
    pub bank: String,
    #[serde(default = "all_methods")]
    pub methods: Vec<Method>,
    #[serde(default)]
    pub documents: Vec<Document>,
    /// Hex-encoded HMAC-SHA1 secret of the code unit (TOTP, 30 s, 6 digits).
    #[serde(default)]
    pub code_unit_secret: Option<String>,
    /// The BankID password the person already has, if any.
    #[serde(default)]
    pub password: Option<String>,
}

impl std::fmt::Debug for Person {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Person")
            .field("bank", &self.bank)
            .finish_non_exhaustive()
    }
}

/// An identity document the person holds (for the ID-check path).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// `passport` or `id_card`
    pub kind: String,
    pub number: String,
    /// ISO date, `YYYY-MM-DD`.
    pub expires: String,
    /// `pass` or `fail`: the simulated face-check provider's verdict.
    #[serde(default = "face_pass")]
    pub face_check: String,
}

fn default_bank() -> String {
    "Sandbox Sparebank".to_owned()
}
fn all_methods() -> Vec<Method> {
    vec![Method::IdCheck, Method::CodeUnit, Method::ActivationCode]
}
fn face_pass() -> String {
    "pass".to_owned()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PopulationFile {
    #[serde(default)]
    person: Vec<Person>,
}

/// The built-in population (synthetic identity numbers, Tenor month + 80 and classic).
pub const DEFAULT_POPULATION: &str = include_str!("default_population.toml");

/// Parses and validates a population TOML document.
pub fn parse_population(text: &str) -> Result<Vec<Person>, ServerError> {
    let file: PopulationFile = toml::from_str(text)
        .map_err(|e| ServerError::Population(format!("TOML: {}", e.message())))?;
    let mut out = Vec::with_capacity(file.person.len());
    for (i, mut p) in file.person.into_iter().enumerate() {
        let nin = NationalId::parse(&p.national_id, Policy::SANDBOX).map_err(|e| {
            ServerError::Population(format!("person {i}: national_id: {}", e.code()))
        })?;
        p.national_id = nin.as_str().to_owned();
        p.phone = aktiver_protocol::normalize_phone(&p.phone).ok_or_else(|| {
            ServerError::Population(format!(
                "person {i}: phone is not a Norwegian mobile number"
            ))
        })?;
        if let Some(s) = &p.code_unit_secret
            && crate::otp::decode_hex(s).is_none()
        {
            return Err(ServerError::Population(format!(
                "person {i}: code_unit_secret is not hex"
            )));
        }
        if let Some(j) = p
            .documents
            .iter()
            .position(|d| !matches!(d.face_check.as_str(), "pass" | "fail"))
        {
            return Err(ServerError::Population(format!(
                "person {i}: document {j}: face_check must be \"pass\" or \"fail\""
            )));
        }
        out.push(p);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_population_loads() {
        let p = parse_population(DEFAULT_POPULATION).unwrap_or_default();
        assert!(p.len() >= 4);
    }

    #[test]
    fn errors_name_the_person_not_the_number() {
        let e =
            parse_population("[[person]]\nnational_id = \"01020312345\"\nphone = \"91234567\"\n")
                .err();
        let msg = e.map(|e| e.to_string()).unwrap_or_default();
        assert!(msg.contains("person 0"), "{msg}");
        assert!(!msg.contains("01020312345"));
    }
}
