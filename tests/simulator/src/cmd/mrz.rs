//! `aktiver-sim mrz ...`: parse typed MRZ lines, scan camera frames.

use super::{EXIT_INVALID, EXIT_MISUSE, EXIT_VALID};
use aktiver_mrz::{Mrz, MrzError, RepairStatus};
use clap::{Args, Subcommand};
use serde_json::{Value, json};
use std::io::Read;

#[derive(Subcommand)]
pub enum MrzCommand {
    /// Parse MRZ lines from standard input: one document, or several
    /// separated by a blank line. Prints one JSON object per document.
    Parse(ParseArgs),
    /// Read the MRZ from camera frames (PNG or JPEG).
    Scan(super::scan::ScanArgs),
    /// The accuracy and speed report over generated frames, per level, as a
    /// markdown table (build with --release for meaningful times).
    Bench(BenchArgs),
}

#[derive(Args)]
pub struct BenchArgs {
    /// 5-frame bursts per level (every frame also counts on its own).
    #[arg(long, default_value_t = 20, value_parser = clap::builder::TypedValueParser::map(
        clap::value_parser!(u64).range(1..),
        |n| usize::try_from(n).unwrap_or(usize::MAX),
    ))]
    bursts: usize,
    /// Negative frames (no MRZ in view) per level.
    #[arg(long, default_value_t = 20)]
    negatives: usize,
    /// 1920x1080 frames instead of 1280x720.
    #[arg(long)]
    full_hd: bool,
    /// Generator seed; the same seed gives the same frames.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Args)]
pub struct ParseArgs {
    /// Repair OCR confusions (0/O, 8/B, </K ...) where the check digits
    /// leave exactly one reading.
    #[arg(long)]
    repair: bool,
    /// With --repair: change at most this many characters.
    #[arg(long, default_value_t = 2, requires = "repair", value_parser = clap::value_parser!(u8).range(0..=8))]
    max_changes: u8,
    /// Indent the JSON.
    #[arg(long)]
    pretty: bool,
}

pub fn run(c: MrzCommand) -> u8 {
    match c {
        MrzCommand::Parse(a) => parse(&a),
        MrzCommand::Scan(a) => super::scan::run(a),
        MrzCommand::Bench(a) => {
            crate::outln!("{}", bench_report(&a));
            EXIT_VALID
        }
    }
}

fn bench_report(a: &BenchArgs) -> String {
    let size = if a.full_hd { (1920, 1080) } else { (1280, 720) };
    aktiver_scan::report::report(a.bursts, a.negatives, size, a.seed)
}

fn parse(args: &ParseArgs) -> u8 {
    let mut raw = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut raw) {
        eprintln!("aktiver-sim mrz parse: cannot read standard input: {e}");
        return EXIT_MISUSE;
    }
    let Ok(text) = String::from_utf8(raw) else {
        eprintln!("aktiver-sim mrz parse: standard input is not UTF-8 text");
        return EXIT_MISUSE;
    };
    let documents = split_documents(&text);
    if documents.is_empty() {
        eprintln!("aktiver-sim mrz parse: no MRZ lines on standard input");
        return EXIT_MISUSE;
    }
    let mut status = EXIT_VALID;
    for doc in documents {
        let (value, doc_status) = match parse_one(&doc, args) {
            Ok((v, valid)) => (v, if valid { EXIT_VALID } else { EXIT_INVALID }),
            Err(e) => (
                json!({"valid": false, "error": {"code": e.code(), "message": e.to_string()}}),
                EXIT_MISUSE,
            ),
        };
        status = status.max(doc_status);
        print_json(&value, args.pretty);
    }
    status
}

pub(crate) fn print_json(value: &Value, pretty: bool) {
    let text = if pretty {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    };
    match text {
        Ok(t) => crate::outln!("{t}"),
        Err(e) => eprintln!("aktiver-sim: cannot print JSON: {e}"),
    }
}

/// Documents are separated by one or more blank lines.
fn split_documents(text: &str) -> Vec<String> {
    let mut docs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                docs.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        docs.push(current.join("\n"));
    }
    docs
}

fn parse_one(text: &str, args: &ParseArgs) -> Result<(Value, bool), MrzError> {
    if args.repair {
        let out = aktiver_mrz::parse_repairing(text, usize::from(args.max_changes))?;
        let mut v = document_json(&out.mrz);
        v["repair_status"] = json!(out.status.name());
        let valid = out.mrz.is_valid() && out.status != RepairStatus::Ambiguous;
        Ok((v, valid))
    } else {
        let m = aktiver_mrz::parse(text)?;
        Ok((document_json(&m), m.is_valid()))
    }
}

/// The JSON shape shared by `mrz parse` and `mrz scan`.
pub(crate) fn document_json(m: &Mrz) -> Value {
    let checks: serde_json::Map<String, Value> = m
        .checks
        .iter()
        .map(|c| (c.field.name().to_owned(), json!(c.ok)))
        .collect();
    let sex = match m.sex {
        aktiver_mrz::Sex::Female => "F",
        aktiver_mrz::Sex::Male => "M",
        aktiver_mrz::Sex::Unspecified => "<",
    };
    let personal_number = m
        .national_identity_number(aktiver_nin::Policy::SANDBOX)
        .map(|id| id.as_str().to_owned());
    json!({
        "format": m.format.name(),
        "valid": m.is_valid(),
        "states_known": m.states_known(),
        "kind": m.kind().name(),
        "document_code": m.document_code,
        "issuing_state": m.issuing_state,
        "issuing_state_special": aktiver_mrz::special_code(&m.issuing_state),
        "document_number": m.document_number,
        "birth_date": m.birth_date.raw,
        "birth_date_iso": m.birth_date.iso(),
        "expiry_date": m.expiry_date.raw,
        "expiry_date_iso": m.expiry_date.iso(),
        "sex": sex,
        "nationality": m.nationality,
        "nationality_special": aktiver_mrz::special_code(&m.nationality),
        "surname": m.primary_identifier,
        "given_names": m.secondary_identifier,
        "optional_data": m.optional_data,
        "optional_data_2": m.optional_data_2,
        "personal_number": personal_number,
        "checks": checks,
        "field_faults": m.field_faults.iter().map(|f| json!({"line": f.line, "column": f.column})).collect::<Vec<_>>(),
        "repairs": m.repairs.iter().map(|r| json!({
            "line": r.line, "column": r.column,
            "from": r.from.to_string(), "to": r.to.to_string(),
            "verified": r.verified,
        })).collect::<Vec<_>>(),
        "lines": m.lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_prints_one_row_per_level() {
        // No frames: the report itself is tested in aktiver-scan, and frames in a
        // debug build take seconds each.
        let a = BenchArgs {
            bursts: 0,
            negatives: 0,
            full_hd: false,
            seed: 3,
        };
        let text = bench_report(&a);
        assert!(text.starts_with("frames 1280x720, seed 3"), "{text}");
        for level in ["| clean |", "| moderate |", "| hard |"] {
            assert!(text.contains(level), "{level} in {text}");
        }
    }
}
