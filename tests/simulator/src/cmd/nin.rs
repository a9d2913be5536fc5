//! `aktiver-sim nin check NUMBER... [--allow-synthetic]`: one JSON object per
//! number per line. The output never contains a whole number: valid ones are
//! shown with the date kept, invalid input fully masked.
use aktiver_nin::{NationalId, NinError, Policy};
use clap::Subcommand;
use serde_json::{Value, json};

#[derive(Subcommand)]
pub enum NinCommand {
    /// Check Norwegian national identity numbers (fødselsnummer, D-, H-,
    /// FH-numbers; the 2032 control-digit rule). Prints one JSON line each;
    /// exit 0 if all are valid, 1 otherwise, 2 when none are given.
    Check {
        /// The numbers, 11 digits each (`DDMMYY IIIKK`; one space after the
        /// date is allowed when quoted).
        numbers: Vec<String>,
        /// Accept synthetic test numbers (Tenor, month + 80), as a sandbox does.
        #[arg(long)]
        allow_synthetic: bool,
    },
}

pub fn run(c: NinCommand) -> u8 {
    match c {
        NinCommand::Check {
            numbers,
            allow_synthetic,
        } => check(&numbers, Policy { allow_synthetic }),
    }
}

fn check(numbers: &[String], policy: Policy) -> u8 {
    if numbers.is_empty() {
        eprintln!("aktiver-sim nin check: give at least one number");
        return super::EXIT_MISUSE;
    }
    let mut all_valid = true;
    for input in numbers {
        let result = NationalId::parse(input, policy);
        all_valid &= result.is_ok();
        crate::outln!("{}", report(input, &result));
    }
    if all_valid {
        super::EXIT_VALID
    } else {
        super::EXIT_INVALID
    }
}

fn report(input: &str, result: &Result<NationalId, NinError>) -> Value {
    match result {
        Ok(id) => json!({
            "valid": true,
            "kind": id.kind().code(),
            "synthetic": id.synthetic().is_some(),
            "birth_date": id.birth_date().map(|d| d.to_string()),
            "gender": id.gender().map(|g| g.code()),
            "masked": id.masked(true),
            "error": null,
        }),
        Err(e) => json!({
            "valid": false,
            "kind": null,
            "synthetic": *e == NinError::SyntheticNotAllowed,
            "birth_date": null,
            "gender": null,
            "masked": mask_all(input),
            "error": e.code(),
        }),
    }
}

/// One `*` per character of the trimmed input: an invalid number may still
/// be someone's number with a typo, so none of it is shown.
fn mask_all(input: &str) -> String {
    "*".repeat(input.trim().chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_every_character() {
        assert_eq!(mask_all(" 0101 "), "****");
        assert_eq!(mask_all(""), "");
    }
}
