//! Helpers for walking the activation by hand with curl (README,
//! "Walk the API with curl"): the steps that need a computation.
//!
//! - `aktiver-sim otp --person NIN`: the person's code-unit code right now.
//! - `aktiver-sim chip evidence --person NIN ...`: the ID-check evidence the
//!   person's virtual passport gives for the server's challenge.
//! - `aktiver-sim sandbox reset --person NIN`: forget what the sandbox stored
//!   about a person (sessions, counters, suspension, devices).
use std::path::PathBuf;

use clap::{Args, Subcommand};
use serde_json::{Value, json};

use aktiver_emrtd::issuer::DocumentSpec;
use aktiver_emrtd::lds::fid;
use aktiver_protocol::{DocumentKind, decode_b64, encode_b64};

use super::{EXIT_MISUSE, EXIT_VALID};

#[derive(Args)]
pub struct OtpArgs {
    /// The sandbox person's identity number.
    #[arg(long, value_name = "NIN")]
    person: String,
    /// The population file the server runs with (the built-in one when absent).
    #[arg(long, value_name = "FILE")]
    population: Option<PathBuf>,
    /// The code at this Unix time instead of now.
    #[arg(long, value_name = "UNIX_SECONDS")]
    at: Option<i64>,
}

#[derive(Subcommand)]
pub enum SandboxCommand {
    /// Forget what a sandbox stored about a person: sessions (open, suspended,
    /// finished), wrong-code counters, a suspended BankID, open activation
    /// codes and devices. Works while the server runs.
    Reset {
        #[arg(long, value_name = "NIN")]
        person: String,
        /// The server's state file.
        #[arg(long, default_value = super::serve::DEFAULT_DB)]
        db: PathBuf,
    },
}

#[derive(Args)]
pub struct EvidenceArgs {
    /// The sandbox person whose document the virtual chip holds.
    #[arg(long, value_name = "NIN")]
    person: String,
    /// The server's 8-byte challenge (base64) from
    /// `POST /v1/sessions/{id}/challenge` at the `id_check` step.
    #[arg(long, value_name = "BASE64", required_unless_present = "portrait_hash")]
    challenge: Option<String>,
    /// The face-check verdict JSON from `POST /v1/sandbox/face-check` (a file, or - for stdin).
    #[arg(long, value_name = "FILE", required_unless_present = "portrait_hash")]
    face_verdict: Option<PathBuf>,
    /// Print only the portrait's SHA-256 (base64), for the face-check call.
    #[arg(long, conflicts_with_all = ["challenge", "face_verdict"])]
    portrait_hash: bool,
    /// The person's ID card instead of the passport.
    #[arg(long)]
    id_card: bool,
}

fn population_text(path: Option<&PathBuf>) -> Result<String, String> {
    match path {
        None => Ok(aktiver_sandbox::population::DEFAULT_POPULATION.to_owned()),
        Some(p) => std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display())),
    }
}

fn otp_code(a: &OtpArgs) -> Result<String, String> {
    let people =
        aktiver_sandbox::population::parse_population(&population_text(a.population.as_ref())?)
            .map_err(|e| e.to_string())?;
    let nin = aktiver_nin::NationalId::parse(&a.person, aktiver_nin::Policy::SANDBOX)
        .map_err(|e| format!("--person: {}", e.code()))?;
    let p = people
        .iter()
        .find(|p| p.national_id == nin.as_str())
        .ok_or("--person: not in the sandbox population")?;
    let secret = p
        .code_unit_secret
        .as_deref()
        .and_then(aktiver_sandbox::otp::decode_hex)
        .ok_or("--person: this person has no code unit")?;
    let now = a.at.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64)
    });
    Ok(aktiver_sandbox::otp::totp(&secret, now))
}

pub fn otp(a: OtpArgs) -> u8 {
    match otp_code(&a) {
        Ok(code) => {
            crate::outln!("{code}");
            EXIT_VALID
        }
        Err(e) => {
            eprintln!("aktiver-sim otp: {e}");
            EXIT_MISUSE
        }
    }
}

pub fn run(c: SandboxCommand) -> u8 {
    match c {
        SandboxCommand::Reset { person, db } => match aktiver_sandbox::reset_person(&db, &person) {
            Ok(n) => {
                crate::outln!("reset: {n} stored records removed");
                EXIT_VALID
            }
            Err(e) => {
                eprintln!("aktiver-sim sandbox reset: {e}");
                EXIT_MISUSE
            }
        },
    }
}

fn evidence_json(a: &EvidenceArgs) -> Result<Value, String> {
    let kind = if a.id_card {
        DocumentKind::IdCard
    } else {
        DocumentKind::Passport
    };
    let opts = aktiver_testkit::document::DocumentOptions::default();
    let lines = aktiver_testkit::document::mrz_lines(&a.person, kind, &opts)
        .ok_or("--person: not a valid sandbox identity number")?;
    let mrz = lines.concat();
    let spec = match kind {
        DocumentKind::Passport => DocumentSpec::passport(&mrz),
        DocumentKind::IdCard => DocumentSpec::id_card(&mrz),
    };
    let pki =
        aktiver_emrtd::issuer::TestPki::generate(Default::default()).map_err(|e| e.to_string())?;
    let doc = aktiver_emrtd::issuer::issue(&pki, &spec).map_err(|e| e.to_string())?;
    let dg2 = doc.file(fid::DG2).ok_or("the document has no portrait")?;
    let portrait = encode_b64(&<sha2::Sha256 as sha2::Digest>::digest(dg2));
    if a.portrait_hash {
        return Ok(json!(portrait));
    }
    let challenge = a.challenge.as_deref().unwrap_or_default();
    let challenge = decode_b64("challenge", challenge)
        .ok()
        .filter(|c| c.len() == 8)
        .ok_or("--challenge: base64 of the server's 8 bytes")?;
    let signature = doc
        .keys
        .active_authentication
        .as_ref()
        .and_then(|k| k.sign_ecdsa_plain(&challenge))
        .ok_or("the chip could not sign the challenge")?;
    let verdict_text = match a.face_verdict.as_deref() {
        Some(p) if p.as_os_str() == "-" => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                .map_err(|e| format!("--face-verdict: {e}"))?;
            s
        }
        Some(p) => std::fs::read_to_string(p).map_err(|e| format!("--face-verdict: {e}"))?,
        None => return Err("--face-verdict is required".into()),
    };
    let verdict: Value = serde_json::from_str(&verdict_text)
        .map_err(|_| "--face-verdict: not the JSON the face-check call answered")?;
    let groups: Vec<Value> = doc
        .data_groups()
        .iter()
        .map(|(dg, bytes)| json!({ "number": dg.number(), "content_b64": encode_b64(bytes) }))
        .collect();
    Ok(json!({
        "document": if a.id_card { "id_card" } else { "passport" },
        "sod_b64": encode_b64(doc.file(fid::EF_SOD).ok_or("the document has no SOD")?),
        "data_groups": groups,
        "scanned_mrz": lines.join("\n"),
        "active_auth": {
            "challenge_b64": encode_b64(&challenge),
            "signature_b64": encode_b64(&signature),
        },
        "face_verdict": verdict,
    }))
}

/// `aktiver-sim chip evidence`.
pub fn evidence(a: EvidenceArgs) -> u8 {
    match evidence_json(&a) {
        Ok(Value::String(s)) => {
            crate::outln!("{s}");
            EXIT_VALID
        }
        Ok(v) => {
            crate::outln!("{v}");
            EXIT_VALID
        }
        Err(e) => {
            eprintln!("aktiver-sim chip evidence: {e}");
            EXIT_MISUSE
        }
    }
}
