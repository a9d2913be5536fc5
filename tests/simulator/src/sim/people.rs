//! The people a tester can activate: the sandbox's built-in population,
//! and people made on the spot (a synthetic identity number, a phone
//! number, a passport and an ID card) added to it.
use serde::Serialize;

use aktiver_nin::{NationalId, Policy};

/// A person as the studio lists them (synthetic test data only).
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    pub national_id: String,
    pub phone: String,
    pub bank: String,
    pub methods: Vec<String>,
    pub has_password: bool,
    pub face_check: String,
}

/// Everyone in a population (TOML).
pub fn list(population: &str) -> Vec<Listed> {
    aktiver_sandbox::population::parse_population(population)
        .map(|people| {
            people
                .into_iter()
                .map(|p| Listed {
                    face_check: p
                        .documents
                        .first()
                        .map_or("pass".to_owned(), |d| d.face_check.clone()),
                    national_id: p.national_id,
                    phone: p.phone,
                    bank: p.bank,
                    methods: p
                        .methods
                        .iter()
                        .filter_map(|m| serde_json::to_value(m).ok())
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                    has_password: p.password.is_some(),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn control(digits: &[u8], weights: &[u8]) -> Option<u8> {
    let sum: u32 = digits
        .iter()
        .zip(weights)
        .map(|(d, w)| u32::from(*d) * u32::from(*w))
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        k => Some(k as u8),
    }
}

/// A synthetic (Tenor, month + 80) identity number for this birth date and
/// serial: the first individual number from `serial` up whose control
/// digits exist.
pub fn synthetic_nin(day: u8, month: u8, year: u16, serial: u16) -> Option<String> {
    let born_1900s = (1900..2000).contains(&year);
    for n in 0..500u16 {
        let ind = (serial + n) % 500 + if born_1900s { 0 } else { 500 };
        let first9 = format!("{day:02}{:02}{:02}{ind:03}", month + 80, year % 100);
        let mut d: Vec<u8> = first9.bytes().map(|b| b - b'0').collect();
        let Some(k1) = control(&d, &[3, 7, 6, 1, 8, 9, 4, 5, 2]) else {
            continue;
        };
        d.push(k1);
        let Some(k2) = control(&d, &[5, 4, 3, 2, 7, 6, 5, 4, 3, 2]) else {
            continue;
        };
        let nin = format!("{first9}{k1}{k2}");
        if NationalId::parse(&nin, Policy::SANDBOX).is_ok() {
            return Some(nin);
        }
    }
    None
}

/// What a made person is like.
#[derive(Debug, Clone, Copy, Default)]
pub struct MadePerson {
    /// Their BankID has a password already.
    pub has_password: bool,
    /// The face-check provider fails them.
    pub face_fails: bool,
}

/// A new person appended to `population`: returns the new population and
/// the person's identity number. Numbers are derived from `serial`.
pub fn make(population: &str, serial: u16, m: MadePerson) -> Result<(String, String), String> {
    let day = (serial % 28) as u8 + 1;
    let month = (serial / 28 % 12) as u8 + 1;
    let year = 1960 + serial % 40;
    let taken = list(population);
    let nin = (0..50)
        .filter_map(|k| synthetic_nin(day, month, year, serial.wrapping_mul(7).wrapping_add(k)))
        .find(|n| taken.iter().all(|p| &p.national_id != n))
        .ok_or("no free synthetic identity number")?;
    let phone = format!("+479{:07}", 5_000_000 + u32::from(serial));
    let password = if m.has_password {
        "password = \"Studio4Test7\"\n"
    } else {
        ""
    };
    let face = if m.face_fails { "fail" } else { "pass" };
    let mut out = population.to_owned();
    out.push_str(&format!(
        "\n[[person]]\nnational_id = \"{nin}\"\nphone = \"{phone}\"\nbank = \"Studio Bank\"\n\
         methods = [\"id_check\", \"activation_code\"]\n{password}\
         [[person.documents]]\nkind = \"passport\"\nnumber = \"ST{serial:07}\"\nexpires = \"2031-01-31\"\nface_check = \"{face}\"\n\
         [[person.documents]]\nkind = \"id_card\"\nnumber = \"SI{serial:07}\"\nexpires = \"2031-01-31\"\nface_check = \"{face}\"\n"
    ));
    aktiver_sandbox::population::parse_population(&out).map_err(|e| e.to_string())?;
    Ok((out, nin))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_people_are_valid_synthetic_numbers_the_sandbox_loads() {
        let base = aktiver_sandbox::population::DEFAULT_POPULATION;
        let (pop, nin) = make(base, 1, MadePerson::default()).unwrap_or_default();
        assert!(NationalId::parse(&nin, Policy::SANDBOX).is_ok());
        assert!(
            NationalId::parse(&nin, Policy::PRODUCTION).is_err(),
            "not synthetic"
        );
        let listed = list(&pop);
        assert_eq!(listed.len(), list(base).len() + 1);
        let (pop2, nin2) = make(&pop, 2, MadePerson::default()).unwrap_or_default();
        assert_ne!(nin, nin2);
        assert!(aktiver_testkit::person_in(&pop2, &nin2).is_some());
    }
}
