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
/// could not be judged; `NotApplicable` that the input gives nothing to
/// judge (e.g. no signing time stated), which is not a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict<E> {
    Pass,
    Fail(E),
    Skipped,
    NotApplicable(&'static str),
}

impl<E> Verdict<E> {
    pub fn is_pass(&self) -> bool {
        matches!(self, Self::Pass)
    }

    /// Passed, or had nothing to judge.
    pub fn is_ok(&self) -> bool {
        matches!(self, Self::Pass | Self::NotApplicable(_))
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
    #[error("no trusted CSCA has the Document Signer's issuer name or key identifier")]
    NoCscaWithIssuerName,
    /// Every candidate failed; `csca` names the one whose key identifier
    /// matched the Document Signer's authority key identifier (else the
    /// first tried), and `error` is why that one failed.
    #[error("the Document Signer certificate does not verify with CSCA \"{csca}\": {error}")]
    SignatureByNoTrustedCsca { csca: String, error: SignatureError },
    #[error(
        "CSCA \"{csca}\" is not a certificate authority (basicConstraints cA and keyUsage keyCertSign are required)"
    )]
    CscaNotCertificateAuthority { csca: String },
    #[error("the Document Signer certificate's inner and outer signature algorithms differ")]
    SignatureAlgorithmsDisagree,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum ValidityError {
    #[error("not valid before {not_before} (Unix time)")]
    NotYetValid { not_before: i64 },
    #[error("expired at {not_after} (Unix time)")]
    Expired { not_after: i64 },
}

fn validity(cert: &Certificate, at: i64) -> Verdict<ValidityError> {
    if at < cert.not_before {
        Verdict::Fail(ValidityError::NotYetValid {
            not_before: cert.not_before,
        })
    } else if at > cert.not_after {
        Verdict::Fail(ValidityError::Expired {
            not_after: cert.not_after,
        })
    } else {
        Verdict::Pass
    }
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
    #[error("Document Signer validity at the signing time: {0}")]
    DocumentSignerValidityAtSigning(ValidityError),
    #[error("CSCA validity when it issued the Document Signer: {0}")]
    CscaValidity(ValidityError),
    #[error("{0} does not match its hash in the SOD")]
    DataGroupHashMismatch(DataGroup),
    #[error("{0} was read but the SOD does not protect it")]
    DataGroupNotInSod(DataGroup),
}

/// Every step's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassiveAuthentication {
    /// EF.SOD parses, its content is an LDS security object and its hash
    /// algorithm is supported.
    pub sod: Verdict<LdsError>,
    /// Signed attributes are present; contentType and messageDigest bind
    /// the LDS security object; the signature's hash is the digest algorithm.
    pub signed_attributes: Verdict<CmsError>,
    /// The Document Signer's signature over the SOD.
    pub sod_signature: Verdict<CmsError>,
    /// The Document Signer certificate is signed by a trusted CSCA that is
    /// a certificate authority.
    pub ds_chain: Verdict<ChainError>,
    /// The Document Signer certificate is valid at the given time ("now").
    pub ds_validity: Verdict<ValidityError>,
    /// The Document Signer certificate was valid at the SOD's signingTime
    /// (not applicable when the SOD states none).
    pub ds_validity_at_signing: Verdict<ValidityError>,
    /// The CSCA was valid when it issued the Document Signer (at the DS
    /// certificate's notBefore).
    pub csca_validity: Verdict<ValidityError>,
    /// One entry per data group supplied, in data-group order.
    pub data_groups: Vec<DataGroupCheck>,
    /// Data groups the SOD protects that were not supplied (not a failure
    /// here: DG3/DG4 need terminal authentication, others may simply not be
    /// read; the ID-check verdict decides which are required).
    pub not_read: Vec<DataGroup>,
    pub hash_algorithm: Option<HashAlgorithm>,
    /// signingTime from the SOD's signed attributes, Unix seconds.
    pub signing_time: Option<i64>,
    pub document_signer: Option<Certificate>,
    /// Where the Document Signer certificate came from.
    pub document_signer_source: Option<DocumentSignerSource>,
    /// The trusted CSCA that issued the Document Signer.
    pub csca: Option<Certificate>,
}

/// Where the Document Signer certificate was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentSignerSource {
    /// Embedded in the SOD (the usual case).
    Sod,
    /// Supplied by the caller or held in the trust store (SODs that carry no
    /// certificate).
    Supplied,
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
        if let Verdict::Fail(e) = &self.ds_validity_at_signing {
            return Some(PassiveAuthFailure::DocumentSignerValidityAtSigning(*e));
        }
        if let Verdict::Fail(e) = &self.csca_validity {
            return Some(PassiveAuthFailure::CscaValidity(*e));
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
        let steps_ok = [
            self.sod.is_ok(),
            self.signed_attributes.is_ok(),
            self.sod_signature.is_ok(),
            self.ds_chain.is_ok(),
            self.ds_validity.is_ok(),
            self.ds_validity_at_signing.is_ok(),
            self.csca_validity.is_ok(),
        ];
        // A skipped step without a failure before it cannot happen; treat it
        // as a failure of the SOD rather than a pass.
        if steps_ok.iter().any(|ok| !ok) {
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

    /// Whether `dg` was read and its hash matched in a SOD that passed:
    /// only then may its content be trusted (DG14 and DG15 included).
    pub fn vouches_for(&self, dg: DataGroup) -> bool {
        self.passed()
            && self
                .data_groups
                .iter()
                .any(|c| c.data_group == dg && c.verdict == DataGroupVerdict::Match)
    }

    /// Data groups the SOD lists, read or not.
    pub fn listed_data_groups(&self) -> Vec<DataGroup> {
        let mut all: Vec<DataGroup> = self
            .data_groups
            .iter()
            .filter(|c| c.verdict != DataGroupVerdict::NotInSod)
            .map(|c| c.data_group)
            .chain(self.not_read.iter().copied())
            .collect();
        all.sort();
        all
    }
}

pub(crate) fn unix(at: SystemTime) -> i64 {
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
    passive_authentication_with(store, sod, data_groups, &[], at)
}

/// [`passive_authentication`] with Document Signer certificates supplied by
/// the caller, used when the SOD carries none (the trust store's are
/// consulted too).
pub fn passive_authentication_with(
    store: &TrustStore,
    sod: &[u8],
    data_groups: &[(DataGroup, &[u8])],
    document_signers: &[Certificate],
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
        ds_validity_at_signing: Verdict::Skipped,
        csca_validity: Verdict::Skipped,
        data_groups: skipped_groups(),
        not_read: Vec::new(),
        hash_algorithm: None,
        signing_time: None,
        document_signer: None,
        document_signer_source: None,
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
    report.signing_time = si.signing_time;
    // ICAO 9303-10 §4.6.2.2: an SOD's SignerInfo carries signed attributes.
    let digest = match cms::check_signed_attributes(sd, si, true) {
        Ok(d) => {
            report.signed_attributes = Verdict::Pass;
            d
        }
        Err(e) => {
            report.signed_attributes = Verdict::Fail(e);
            return report;
        }
    };
    let (ds, source) = match cms::signer_certificate(sd, si) {
        Ok(c) => (c, DocumentSignerSource::Sod),
        Err(e) => {
            let supplied = document_signers
                .iter()
                .chain(store.document_signers())
                .find(|c| cms::identifies(si, c));
            match (supplied, e) {
                (Some(c), CmsError::SignerCertificateMissing) => {
                    (c.clone(), DocumentSignerSource::Supplied)
                }
                (_, e) => {
                    report.sod_signature = Verdict::Fail(e);
                    return report;
                }
            }
        }
    };
    report.document_signer_source = Some(source);
    report.sod_signature = Verdict::from_result(cms::check_signature(sd, si, &ds, digest));

    let (chain, csca) = chain_to_csca(store, &ds);
    report.ds_chain = chain;
    report.csca_validity = match &csca {
        Some(c) => validity(c, ds.not_before),
        None => Verdict::Skipped,
    };
    report.csca = csca;

    report.ds_validity = validity(&ds, unix(at));
    report.ds_validity_at_signing = match si.signing_time {
        Some(t) => validity(&ds, t),
        None => Verdict::NotApplicable("the SOD states no signing time"),
    };
    report.document_signer = Some(ds);
    report
}

/// The Document Signer's chain to a trusted CSCA.
fn chain_to_csca(
    store: &TrustStore,
    ds: &Certificate,
) -> (Verdict<ChainError>, Option<Certificate>) {
    if !ds.signature_algorithms_agree() {
        return (Verdict::Fail(ChainError::SignatureAlgorithmsDisagree), None);
    }
    let candidates = store.candidate_issuers(ds);
    let Some(first) = candidates.first() else {
        return (Verdict::Fail(ChainError::NoCscaWithIssuerName), None);
    };
    // The candidate to blame: the one whose key identifier matched, which
    // candidate_issuers sorts first.
    let blamed = (*first).clone();
    let mut blamed_error = None;
    for c in &candidates {
        match ds.verify_signed_by(c) {
            Ok(()) => {
                if !c.is_certificate_authority() {
                    return (
                        Verdict::Fail(ChainError::CscaNotCertificateAuthority {
                            csca: c.subject_string(),
                        }),
                        Some((*c).clone()),
                    );
                }
                return (Verdict::Pass, Some((*c).clone()));
            }
            Err(e) => {
                if blamed_error.is_none() {
                    blamed_error = Some(e);
                }
            }
        }
    }
    (
        Verdict::Fail(ChainError::SignatureByNoTrustedCsca {
            csca: blamed.subject_string(),
            error: blamed_error.unwrap_or(SignatureError::Invalid),
        }),
        None,
    )
}

/// The checks of an EF.CardSecurity: its signature, its signer's chain to a
/// trusted CSCA and the signer's validity at `at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSecurityVerdict {
    pub parse: Verdict<LdsError>,
    pub signature: Verdict<CmsError>,
    pub chain: Verdict<ChainError>,
    pub signer_validity: Verdict<ValidityError>,
    pub card_security: Option<crate::lds::CardSecurity>,
}

impl CardSecurityVerdict {
    pub fn passed(&self) -> bool {
        self.parse.is_pass()
            && self.signature.is_pass()
            && self.chain.is_pass()
            && self.signer_validity.is_pass()
    }
}

/// Verifies EF.CardSecurity like an SOD: signed attributes, signature,
/// chain to a trusted CSCA, signer validity.
pub fn verify_card_security(
    store: &TrustStore,
    data: &[u8],
    at: SystemTime,
) -> CardSecurityVerdict {
    let mut v = CardSecurityVerdict {
        parse: Verdict::Skipped,
        signature: Verdict::Skipped,
        chain: Verdict::Skipped,
        signer_validity: Verdict::Skipped,
        card_security: None,
    };
    let cs = match crate::lds::CardSecurity::parse(data) {
        Ok(c) => c,
        Err(e) => {
            v.parse = Verdict::Fail(e);
            return v;
        }
    };
    v.parse = Verdict::Pass;
    let sd = &cs.signed_data;
    let signed = sd
        .signer_infos
        .first()
        .ok_or(CmsError::NoSignerInfo)
        .and_then(|si| {
            let digest = cms::check_signed_attributes(sd, si, true)?;
            let signer = cms::signer_certificate(sd, si)?;
            cms::check_signature(sd, si, &signer, digest)?;
            Ok(signer)
        });
    match signed {
        Ok(signer) => {
            v.signature = Verdict::Pass;
            v.chain = chain_to_csca(store, &signer).0;
            v.signer_validity = validity(&signer, unix(at));
        }
        Err(e) => v.signature = Verdict::Fail(e),
    }
    v.card_security = Some(cs);
    v
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
            Self::NotApplicable(why) => write!(f, "not applicable ({why})"),
        }
    }
}

/// One line for logs and CLI output: every step and every data group.
/// Contains no document content.
impl core::fmt::Display for PassiveAuthentication {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "sod: {}; signed attributes: {}; sod signature: {}; ds chain: {}; ds validity: {}; \
             ds validity at signing: {}; csca validity: {}",
            self.sod,
            self.signed_attributes,
            self.sod_signature,
            self.ds_chain,
            self.ds_validity,
            self.ds_validity_at_signing,
            self.csca_validity
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
