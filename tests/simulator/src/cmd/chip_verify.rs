//! `aktiver-sim chip verify`: the shared ID-check verdict over files read by
//! any phone. Inputs may be raw, hex or base64; trust files (PEM, DER
//! certificates, master lists, folders of them) are recognised by content.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aktiver_emrtd::auth::ActiveAuthEvidence;
use aktiver_emrtd::lds::DataGroup;
use aktiver_emrtd::pki::{Certificate, MasterListTrust, TrustStore, base64_decode};
use aktiver_emrtd::verdict::{ChipRead, IdCheckInput, verify_id_check};
use serde_json::json;

use super::{EXIT_INVALID, EXIT_MISUSE, EXIT_VALID};

/// Most files read from one trust folder (a PKD dump has a few thousand).
const MAX_TRUST_FILES: usize = 20_000;
/// Largest input file accepted (master lists are about 1 MB).
const MAX_INPUT_LEN: u64 = 64 << 20;

pub struct VerifyArgs {
    pub sod: PathBuf,
    pub dgs: Vec<String>,
    pub trust: Vec<PathBuf>,
    pub ds: Vec<PathBuf>,
    pub at: Option<String>,
    pub mrz: Option<String>,
    pub challenge: Option<String>,
    pub aa_signature: Option<PathBuf>,
    pub trust_self_signed_lists: bool,
}

pub fn verify(a: &VerifyArgs) -> u8 {
    match run(a) {
        Ok(passed) => {
            if passed {
                EXIT_VALID
            } else {
                EXIT_INVALID
            }
        }
        Err(msg) => {
            eprintln!("aktiver-sim chip verify: {msg}");
            EXIT_MISUSE
        }
    }
}

fn run(a: &VerifyArgs) -> Result<bool, String> {
    let sod = read_input(&a.sod)?;
    let mut groups: Vec<(DataGroup, Vec<u8>)> = Vec::new();
    for spec in &a.dgs {
        let (n, file) = spec
            .split_once('=')
            .ok_or_else(|| format!("--dg {spec}: expected N=FILE"))?;
        let dg = n
            .trim_start_matches(['D', 'G', 'd', 'g'])
            .parse::<u8>()
            .ok()
            .and_then(DataGroup::new)
            .ok_or_else(|| format!("--dg {spec}: N must be 1 to 16"))?;
        if groups.iter().any(|(d, _)| *d == dg) {
            return Err(format!("--dg {spec}: {dg} given twice"));
        }
        groups.push((dg, read_input(Path::new(file))?));
    }
    let policy = if a.trust_self_signed_lists {
        MasterListTrust::AcceptListThatVouchesForItself
    } else {
        MasterListTrust::SignerMustChainToTrustedCsca
    };
    let mut files = Vec::new();
    for t in &a.trust {
        collect_files(t, &mut files)?;
    }
    let contents: Vec<Vec<u8>> = files
        .iter()
        .map(|f| read_input(f))
        .collect::<Result<_, _>>()?;
    let refs: Vec<&[u8]> = contents.iter().map(Vec::as_slice).collect();
    let mut store = TrustStore::new();
    let (loaded, errors) = store.load_all(&refs, policy);
    let mut ds = Vec::new();
    for f in &a.ds {
        let bytes = read_input(f)?;
        let cert = Certificate::from_der(&bytes)
            .or_else(|_| {
                Certificate::from_pem(&bytes).and_then(|mut v| {
                    v.pop().ok_or(aktiver_emrtd::lds::LdsError::Missing {
                        file: "certificate",
                        field: "CERTIFICATE block",
                    })
                })
            })
            .map_err(|e| format!("--ds {}: {e}", f.display()))?;
        ds.push(cert);
    }
    let at = match &a.at {
        Some(d) => parse_date(d)?,
        None => SystemTime::now(),
    };
    let group_refs: Vec<(DataGroup, &[u8])> =
        groups.iter().map(|(d, b)| (*d, b.as_slice())).collect();
    let read = ChipRead {
        sod: &sod,
        data_groups: &group_refs,
        document_signers: &ds,
    };
    let mut input = IdCheckInput::new(at);
    input.scanned_mrz = a.mrz.as_deref();
    if let (Some(c), Some(sig)) = (&a.challenge, &a.aa_signature) {
        let bytes = decode_text(c.as_bytes().to_vec());
        let challenge: [u8; 8] = bytes
            .try_into()
            .map_err(|_| format!("--challenge {c}: expected 8 bytes as hex"))?;
        input.expected_challenge = Some(challenge);
        input.active_authentication = Some(ActiveAuthEvidence {
            challenge,
            signature: read_input(sig)?,
        });
    }
    let verdict = verify_id_check(&read, &store, &input);
    let mut out = serde_json::to_value(&verdict).map_err(|e| e.to_string())?;
    if let Some(o) = out.as_object_mut() {
        o.insert(
            "trust".into(),
            json!({
                "files": files.len(),
                "cscas": store.len(),
                "document_signers": store.document_signers().len(),
                "rejected_certificates": loaded.rejected,
                "unloadable_files": errors
                    .iter()
                    .map(|(i, e)| json!({
                        "file": files.get(*i).map(|f| f.display().to_string()),
                        "reason": e.to_string(),
                    }))
                    .collect::<Vec<_>>(),
            }),
        );
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
    );
    Ok(verdict.passed)
}

/// The files under `path` (a file, or a folder walked recursively).
fn collect_files(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.is_file() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for e in entries {
        if out.len() >= MAX_TRUST_FILES {
            return Err(format!(
                "{}: more than {MAX_TRUST_FILES} files",
                path.display()
            ));
        }
        collect_files(&e, out)?;
    }
    Ok(())
}

/// A file's bytes: raw binary, or hex, or base64 text (whitespace allowed).
/// PEM stays PEM (the trust store reads it).
pub fn read_input(path: &Path) -> Result<Vec<u8>, String> {
    let len = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    if len > MAX_INPUT_LEN {
        return Err(format!(
            "{}: {len} bytes exceed the limit of {MAX_INPUT_LEN}",
            path.display()
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(decode_text(bytes))
}

/// Hex or base64 text decoded; anything else (binary, PEM) as is.
pub fn decode_text(bytes: Vec<u8>) -> Vec<u8> {
    let Ok(text) = core::str::from_utf8(&bytes) else {
        return bytes;
    };
    if text.contains("-----BEGIN ") {
        return bytes;
    }
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return bytes;
    }
    if compact.len().is_multiple_of(2) && compact.chars().all(|c| c.is_ascii_hexdigit()) {
        let hex: Option<Vec<u8>> = (0..compact.len() / 2)
            .map(|i| {
                compact
                    .get(2 * i..2 * i + 2)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
            })
            .collect();
        if let Some(h) = hex {
            return h;
        }
    }
    match base64_decode(&compact) {
        Some(b) if !b.is_empty() => b,
        _ => bytes,
    }
}

/// `YYYY-MM-DD` as midday UTC of that day.
fn parse_date(s: &str) -> Result<SystemTime, String> {
    let bad = || format!("--at {s}: expected YYYY-MM-DD");
    let mut it = s.split('-');
    let (Some(y), Some(m), Some(d), None) = (it.next(), it.next(), it.next(), it.next()) else {
        return Err(bad());
    };
    let (y, m, d): (i64, i64, i64) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    if !(1970..=9999).contains(&y) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return Err(bad());
    }
    let days = aktiver_emrtd::pki::days_from_civil(y, m, d);
    let secs = u64::try_from(days * 86_400 + 43_200).map_err(|_| bad())?;
    Ok(UNIX_EPOCH + Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn inputs_are_decoded_by_content() {
        assert_eq!(
            decode_text(b"7703 0102\n".to_vec()),
            vec![0x77, 0x03, 0x01, 0x02]
        );
        assert_eq!(
            decode_text(b"dwMBAg==".to_vec()),
            vec![0x77, 0x03, 0x01, 0x02]
        );
        assert_eq!(decode_text(vec![0x77, 0x03, 0xFF]), vec![0x77, 0x03, 0xFF]);
        let pem = b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_vec();
        assert_eq!(decode_text(pem.clone()), pem);
    }

    #[test]
    fn dates() {
        assert!(parse_date("2024-02-29").is_ok());
        assert!(parse_date("2024-13-01").is_err());
        assert!(parse_date("20240101").is_err());
    }
}
