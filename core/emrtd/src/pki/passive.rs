//! Passive authentication (ICAO 9303-11 §5.1): the SOD's signature, the
//! Document Signer's chain to a trusted CSCA and validity, and every data
//! group's hash over the bytes as read. Each step has its own verdict.

use super::cert::Certificate;
use super::cms::{self, CmsError};
use super::hash::HashAlgorithm;
use super::signature::SignatureError;
use super::store::TrustStore;
use crate::lds::{DataGroup, LdsError, Sod, fid};
use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};
use thiserror::Error;

/// One step's outcome. `Skipped` means an earlier step failed so this one
/// could not be judged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict<E> {
    Pass,
    Fail(E),
    Skipped,
}

impl<E> Verdict<E> {
    pub fn is_pass(&self) -> bool {
        matches!(self, Self::Pass)
    }

    fn from_result(r: Result<(), E>) -> Self {
        match r {
            Ok(()) => Self::Pass,
            Err(e) => Self::Fail(e),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChainError {
    #[error("no trusted CSCA has the Document Signer's issuer name")]
    NoCscaWithIssuerName,
    #[error("no trusted CSCA's key verifies the Document Signer certificate: {0}")]
    SignatureByNoTrustedCsca(SignatureError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ValidityError {
    #[error("the Document Signer certificate is not valid before {not_before} (Unix time)")]
    NotYetValid { not_before: i64 },
    #[error("the Document Signer certificate expired at {not_after} (Unix time)")]
    Expired { not_after: i64 },
}

/// Hash check of one data group read from the chip.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataGroupVerdict {
    Match,
    Mismatch,
    /// Read from the chip but the SOD has no hash for it: unprotected data.
    NotInSod,
    Skipped,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataGroupCheck {
    pub data_group: DataGroup,
    pub verdict: DataGroupVerdict,
}

/// The first failing step, for a single typed outcome.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PassiveAuthFailure {
    #[error("EF.SOD is malformed: {0}")]
    MalformedSod(LdsError),
    #[error("SOD signed attributes: {0}")]
    SignedAttributes(CmsError),
    #[error("SOD signature: {0}")]
    SodSignature(CmsError),
    #[error("Document Signer not trusted: {0}")]
    UntrustedDocumentSigner(ChainError),
    #[error("Document Signer validity: {0}")]
    DocumentSignerValidity(ValidityError),
    #[error("{0} does not match its hash in the SOD")]
    DataGroupHashMismatch(DataGroup),
    #[error("{0} was read but the SOD does not protect it")]
    DataGroupNotInSod(DataGroup),
}

/// Every step's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassiveAuthentication {
    /// EF.SOD parses and its hash algorithm is supported.
    pub sod: Verdict<LdsError>,
    /// contentType and messageDigest bind the LDS security object.
    pub signed_attributes: Verdict<CmsError>,
    /// The Document Signer's signature over the SOD.
    pub sod_signature: Verdict<CmsError>,
    /// The Document Signer certificate is signed by a trusted CSCA.
    pub ds_chain: Verdict<ChainError>,
    /// The Document Signer certificate is valid at the given time.
    pub ds_validity: Verdict<ValidityError>,
    /// One entry per data group supplied, in data-group order.
    pub data_groups: Vec<DataGroupCheck>,
    /// Data groups the SOD protects that were not supplied (not a failure:
    /// DG3/DG4 need terminal authentication, others may simply not be read).
    pub not_read: Vec<DataGroup>,
    pub hash_algorithm: Option<HashAlgorithm>,
    pub document_signer: Option<Certificate>,
    /// The trusted CSCA that issued the Document Signer.
    pub csca: Option<Certificate>,
}

impl PassiveAuthentication {
    pub fn passed(&self) -> bool {
        self.failure().is_none()
    }

    /// The first failing step, in the order the steps are listed.
    pub fn failure(&self) -> Option<PassiveAuthFailure> {
        if let Verdict::Fail(e) = &self.sod {
            return Some(PassiveAuthFailure::MalformedSod(e.clone()));
        }
        if let Verdict::Fail(e) = &self.signed_attributes {
            return Some(PassiveAuthFailure::SignedAttributes(e.clone()));
        }
        if let Verdict::Fail(e) = &self.sod_signature {
            return Some(PassiveAuthFailure::SodSignature(e.clone()));
        }
        if let Verdict::Fail(e) = &self.ds_chain {
            return Some(PassiveAuthFailure::UntrustedDocumentSigner(e.clone()));
        }
        if let Verdict::Fail(e) = &self.ds_validity {
            return Some(PassiveAuthFailure::DocumentSignerValidity(*e));
        }
        for c in &self.data_groups {
            match c.verdict {
                DataGroupVerdict::Mismatch => {
                    return Some(PassiveAuthFailure::DataGroupHashMismatch(c.data_group));
                }
                DataGroupVerdict::NotInSod => {
                    return Some(PassiveAuthFailure::DataGroupNotInSod(c.data_group));
                }
                DataGroupVerdict::Match | DataGroupVerdict::Skipped => {}
            }
        }
        let skipped = [
            self.sod.is_pass(),
            self.signed_attributes.is_pass(),
            self.sod_signature.is_pass(),
            self.ds_chain.is_pass(),
            self.ds_validity.is_pass(),
        ];
        // A skipped step without a failure before it cannot happen; treat it
        // as a failure of the SOD rather than a pass.
        if skipped.iter().any(|ok| !ok) {
            return Some(PassiveAuthFailure::MalformedSod(LdsError::Missing {
                file: "EF.SOD",
                field: "a verifiable signer",
            }));
        }
        None
    }

    /// Data groups whose hash matched.
    pub fn verified_data_groups(&self) -> Vec<DataGroup> {
        self.data_groups
            .iter()
            .filter(|c| c.verdict == DataGroupVerdict::Match)
            .map(|c| c.data_group)
            .collect()
    }
}

fn unix(at: SystemTime) -> i64 {
    match at.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Runs passive authentication over `sod` (EF.SOD as read) and the data
/// groups as read (raw file bytes, never re-encoded), at time `at`.
pub fn passive_authentication(
    store: &TrustStore,
    sod: &[u8],
    data_groups: &[(DataGroup, &[u8])],
    at: SystemTime,
) -> PassiveAuthentication {
    let mut groups: Vec<(DataGroup, &[u8])> = data_groups.to_vec();
    groups.sort_by_key(|(dg, _)| *dg);
    groups.dedup_by_key(|(dg, _)| *dg);
    let skipped_groups = || {
        groups
            .iter()
            .map(|(dg, _)| DataGroupCheck {
                data_group: *dg,
                verdict: DataGroupVerdict::Skipped,
            })
            .collect()
    };
    let mut report = PassiveAuthentication {
        sod: Verdict::Skipped,
        signed_attributes: Verdict::Skipped,
        sod_signature: Verdict::Skipped,
        ds_chain: Verdict::Skipped,
        ds_validity: Verdict::Skipped,
        data_groups: skipped_groups(),
        not_read: Vec::new(),
        hash_algorithm: None,
        document_signer: None,
        csca: None,
    };

    let parsed = match Sod::parse(sod) {
        Ok(s) => s,
        Err(e) => {
            report.sod = Verdict::Fail(e);
            return report;
        }
    };
    let lso = &parsed.lds_security_object;
    let Some(hash) = HashAlgorithm::from_oid(&lso.hash_algorithm.oid) else {
        report.sod = Verdict::Fail(LdsError::Unsupported {
            file: "EF.SOD",
            field: "hashAlgorithm",
        });
        return report;
    };
    report.sod = Verdict::Pass;
    report.hash_algorithm = Some(hash);

    // Data-group hashes do not depend on the signature; judge them anyway
    // so a report shows every problem at once.
    report.data_groups = groups
        .iter()
        .map(|(dg, bytes)| DataGroupCheck {
            data_group: *dg,
            verdict: match lso.hash_of(*dg) {
                None => DataGroupVerdict::NotInSod,
                Some(expected) if expected == hash.digest(bytes).as_slice() => {
                    DataGroupVerdict::Match
                }
                Some(_) => DataGroupVerdict::Mismatch,
            },
        })
        .collect();
    report.not_read = lso
        .hashes
        .iter()
        .map(|h| h.data_group)
        .filter(|dg| !groups.iter().any(|(g, _)| g == dg))
        .collect();

    let sd = &parsed.signed_data;
    let Some(si) = sd.signer_infos.first() else {
        report.signed_attributes = Verdict::Fail(CmsError::NoSignerInfo);
        return report;
    };
    let digest = match cms::check_signed_attributes(sd, si) {
        Ok(d) => {
            report.signed_attributes = Verdict::Pass;
            d
        }
        Err(e) => {
            report.signed_attributes = Verdict::Fail(e);
            return report;
        }
    };
    let ds = match cms::signer_certificate(sd, si) {
        Ok(c) => c,
        Err(e) => {
            report.sod_signature = Verdict::Fail(e);
            return report;
        }
    };
    report.sod_signature = Verdict::from_result(cms::check_signature(sd, si, &ds, digest));

    let candidates = store.candidate_issuers(&ds);
    report.ds_chain = if candidates.is_empty() {
        Verdict::Fail(ChainError::NoCscaWithIssuerName)
    } else {
        let mut last = SignatureError::Invalid;
        let mut found = None;
        for c in candidates {
            match ds.verify_signed_by(c) {
                Ok(()) => {
                    found = Some(c.clone());
                    break;
                }
                Err(e) => last = e,
            }
        }
        match found {
            Some(c) => {
                report.csca = Some(c);
                Verdict::Pass
            }
            None => Verdict::Fail(ChainError::SignatureByNoTrustedCsca(last)),
        }
    };

    let now = unix(at);
    report.ds_validity = if now < ds.not_before {
        Verdict::Fail(ValidityError::NotYetValid {
            not_before: ds.not_before,
        })
    } else if now > ds.not_after {
        Verdict::Fail(ValidityError::Expired {
            not_after: ds.not_after,
        })
    } else {
        Verdict::Pass
    };
    report.document_signer = Some(ds);
    report
}

/// [`passive_authentication`] over a file map keyed by FID (as a reader or
/// the virtual chip keeps it): EF.SOD at `011D`, data groups at `0101..0110`.
pub fn passive_authentication_files(
    store: &TrustStore,
    files: &BTreeMap<u16, Vec<u8>>,
    at: SystemTime,
) -> PassiveAuthentication {
    let sod = files.get(&fid::EF_SOD).map(Vec::as_slice).unwrap_or(&[]);
    let groups: Vec<(DataGroup, &[u8])> = files
        .iter()
        .filter_map(|(&f, v)| DataGroup::from_fid(f).map(|dg| (dg, v.as_slice())))
        .collect();
    passive_authentication(store, sod, &groups, at)
}

impl<E: core::fmt::Display> core::fmt::Display for Verdict<E> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Pass => f.write_str("pass"),
            Self::Fail(e) => write!(f, "fail ({e})"),
            Self::Skipped => f.write_str("skipped"),
        }
    }
}

/// One line for logs and CLI output: every step and every data group.
/// Contains no document content.
impl core::fmt::Display for PassiveAuthentication {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "sod: {}; signed attributes: {}; sod signature: {}; ds chain: {}; ds validity: {}",
            self.sod, self.signed_attributes, self.sod_signature, self.ds_chain, self.ds_validity
        )?;
        for c in &self.data_groups {
            let v = match c.verdict {
                DataGroupVerdict::Match => "match",
                DataGroupVerdict::Mismatch => "MISMATCH",
                DataGroupVerdict::NotInSod => "not in SOD",
                DataGroupVerdict::Skipped => "skipped",
            };
            write!(f, "; {}: {v}", c.data_group)?;
        }
        for dg in &self.not_read {
            write!(f, "; {dg}: not read")?;
        }
        Ok(())
    }
}
