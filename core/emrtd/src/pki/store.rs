//! The trust store: CSCA certificates (PEM, DER, ICAO/BSI master lists) and
//! Document Signer certificates for SODs that carry none.

use super::cert::{Certificate, names_match};
use super::cms::{self, CmsError};
use crate::lds::LdsError;
use crate::lds::sod::MasterListContent;
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TrustStoreError {
    #[error("cannot parse: {0}")]
    Parse(#[from] LdsError),
    #[error("master list signature: {0}")]
    MasterListSignature(CmsError),
    /// ICAO 9303-12 §6.3: a master list is only as trusted as its signer.
    #[error(
        "the master list's signer \"{signer}\" does not chain to a trusted CSCA; \
         trust its CSCA first, or accept a list that vouches for itself explicitly"
    )]
    MasterListSignerUntrusted { signer: String },
    #[error("input is neither PEM, a DER certificate nor a master list")]
    UnknownFormat,
}

/// How far a master list is trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MasterListTrust {
    /// The list's signer must be issued by a CSCA already in the store.
    #[default]
    SignerMustChainToTrustedCsca,
    /// Also accept a list whose signer chains only to a CSCA inside the
    /// list itself (the caller trusts where the file came from).
    AcceptListThatVouchesForItself,
}

/// What loading a master list did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterListReport {
    pub added: usize,
    pub duplicates: usize,
    /// Entries that did not parse as certificates, or are not certificate
    /// authorities (skipped, not fatal: real lists carry odd entries).
    pub rejected: usize,
    /// Subject of the master list signer.
    pub signer: String,
    /// Whether the signer's certificate is issued by a CSCA in the list
    /// (ICAO 9303-12 §6.3: the issuing state's own CSCA).
    pub signer_chains_to_listed_csca: bool,
    /// Whether the signer's certificate is issued by a CSCA that was
    /// already trusted before this list was loaded.
    pub signer_chains_to_trusted_csca: bool,
}

/// What loading one input (PEM, DER, master list) did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct LoadReport {
    pub cscas_added: usize,
    pub document_signers_added: usize,
    pub duplicates: usize,
    /// Certificates that did not parse and were skipped.
    pub rejected: usize,
}

impl LoadReport {
    pub fn added(&self) -> usize {
        self.cscas_added + self.document_signers_added
    }

    fn absorb(&mut self, other: LoadReport) {
        self.cscas_added += other.cscas_added;
        self.document_signers_added += other.document_signers_added;
        self.duplicates += other.duplicates;
        self.rejected += other.rejected;
    }
}

/// Trusted CSCA certificates, and Document Signer certificates supplied for
/// SODs that do not embed theirs (those are not trust anchors: they still
/// have to chain to a CSCA).
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    cscas: Vec<Certificate>,
    document_signers: Vec<Certificate>,
}

impl TrustStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of CSCA certificates.
    pub fn len(&self) -> usize {
        self.cscas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cscas.is_empty()
    }

    /// The CSCA certificates.
    pub fn certificates(&self) -> &[Certificate] {
        &self.cscas
    }

    pub fn document_signers(&self) -> &[Certificate] {
        &self.document_signers
    }

    /// Adds one CSCA certificate; `false` if it was already present.
    pub fn add(&mut self, cert: Certificate) -> bool {
        if self.cscas.iter().any(|c| c.der() == cert.der()) {
            return false;
        }
        self.cscas.push(cert);
        true
    }

    /// Adds a Document Signer certificate (for SODs without one).
    pub fn add_document_signer(&mut self, cert: Certificate) -> bool {
        if self.document_signers.iter().any(|c| c.der() == cert.der()) {
            return false;
        }
        self.document_signers.push(cert);
        true
    }

    /// Adds a certificate where it belongs: certificate authorities as
    /// CSCAs, any other as a Document Signer.
    fn add_by_kind(&mut self, cert: Certificate, report: &mut LoadReport) {
        let (added, csca) = if cert.is_ca == Some(true) {
            (self.add(cert), true)
        } else {
            (self.add_document_signer(cert), false)
        };
        match (added, csca) {
            (false, _) => report.duplicates += 1,
            (true, true) => report.cscas_added += 1,
            (true, false) => report.document_signers_added += 1,
        }
    }

    pub fn add_der(&mut self, der: &[u8]) -> Result<bool, TrustStoreError> {
        Ok(self.add(Certificate::from_der(der)?))
    }

    /// Adds every certificate of a PEM text that parses (by kind); bad
    /// entries are counted in `rejected`, not fatal.
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<LoadReport, TrustStoreError> {
        let (certs, rejected) = Certificate::from_pem_bundle(pem)?;
        let mut report = LoadReport {
            rejected,
            ..LoadReport::default()
        };
        for c in certs {
            self.add_by_kind(c, &mut report);
        }
        Ok(report)
    }

    /// Loads a CSCA master list whose signer chains to a CSCA already
    /// trusted (see [`MasterListTrust`]).
    pub fn add_master_list(&mut self, data: &[u8]) -> Result<MasterListReport, TrustStoreError> {
        self.add_master_list_with(data, MasterListTrust::default())
    }

    /// Loads a CSCA master list (CMS SignedData over a CscaMasterList). The
    /// list's own signature must verify, and its signer must be trusted as
    /// `trust` says; otherwise nothing is loaded.
    pub fn add_master_list_with(
        &mut self,
        data: &[u8],
        trust: MasterListTrust,
    ) -> Result<MasterListReport, TrustStoreError> {
        let ml = MasterListContent::parse(data)?;
        let sd = &ml.signed_data;
        let si = sd
            .signer_infos
            .first()
            .ok_or(TrustStoreError::MasterListSignature(CmsError::NoSignerInfo))?;
        let signer =
            cms::signer_certificate(sd, si).map_err(TrustStoreError::MasterListSignature)?;
        let digest = cms::check_signed_attributes(sd, si, false)
            .map_err(TrustStoreError::MasterListSignature)?;
        cms::check_signature(sd, si, &signer, digest)
            .map_err(TrustStoreError::MasterListSignature)?;

        let mut report = MasterListReport {
            added: 0,
            duplicates: 0,
            rejected: 0,
            signer: signer.subject_string(),
            signer_chains_to_listed_csca: false,
            signer_chains_to_trusted_csca: false,
        };
        let mut parsed = Vec::new();
        for der in &ml.certificates {
            match Certificate::from_der(der) {
                Ok(c) => parsed.push(c),
                Err(_) => report.rejected += 1,
            }
        }
        let issued_by = |c: &Certificate| {
            c.is_certificate_authority()
                && names_match(signer.issuer(), c.subject())
                && signer.verify_signed_by(c).is_ok()
        };
        report.signer_chains_to_trusted_csca = self.cscas.iter().any(issued_by);
        report.signer_chains_to_listed_csca = parsed.iter().any(issued_by);
        let trusted = report.signer_chains_to_trusted_csca
            || (trust == MasterListTrust::AcceptListThatVouchesForItself
                && report.signer_chains_to_listed_csca);
        if !trusted {
            return Err(TrustStoreError::MasterListSignerUntrusted {
                signer: report.signer,
            });
        }
        for c in parsed {
            if self.add(c) {
                report.added += 1;
            } else {
                report.duplicates += 1;
            }
        }
        Ok(report)
    }

    /// Loads PEM, a DER certificate or a DER master list, recognised by
    /// content. Master lists must chain to a CSCA already trusted.
    pub fn load(&mut self, data: &[u8]) -> Result<LoadReport, TrustStoreError> {
        self.load_with(data, MasterListTrust::default())
    }

    /// [`Self::load`] with an explicit master-list trust policy.
    pub fn load_with(
        &mut self,
        data: &[u8],
        trust: MasterListTrust,
    ) -> Result<LoadReport, TrustStoreError> {
        if data.windows(11).any(|w| w == b"-----BEGIN ") {
            return self.add_pem(data);
        }
        if let Ok(c) = Certificate::from_der(data) {
            let mut report = LoadReport::default();
            self.add_by_kind(c, &mut report);
            return Ok(report);
        }
        match self.add_master_list_with(data, trust) {
            Ok(r) => Ok(LoadReport {
                cscas_added: r.added,
                document_signers_added: 0,
                duplicates: r.duplicates,
                rejected: r.rejected,
            }),
            Err(TrustStoreError::Parse(_)) => Err(TrustStoreError::UnknownFormat),
            Err(e) => Err(e),
        }
    }

    /// Loads several inputs in order (CSCAs before the master lists they
    /// vouch for, whatever order they come in): certificates first, then
    /// master lists, retried while any loads so a list trusted only through
    /// another list's CSCA still loads. Returns the total and the inputs
    /// that failed, by index.
    pub fn load_all(
        &mut self,
        inputs: &[&[u8]],
        trust: MasterListTrust,
    ) -> (LoadReport, Vec<(usize, TrustStoreError)>) {
        let mut total = LoadReport::default();
        let mut pending: Vec<usize> = Vec::new();
        for (i, data) in inputs.iter().enumerate() {
            let is_cert = data.windows(11).any(|w| w == b"-----BEGIN ")
                || Certificate::from_der(data).is_ok();
            if is_cert {
                match self.load_with(data, trust) {
                    Ok(r) => total.absorb(r),
                    // Retried below, where its error is kept.
                    Err(_) => pending.push(i),
                }
            } else {
                pending.push(i);
            }
        }
        let mut errors = Vec::new();
        loop {
            let mut progress = false;
            errors.clear();
            let mut still = Vec::new();
            for &i in &pending {
                let Some(data) = inputs.get(i) else { continue };
                match self.load_with(data, trust) {
                    Ok(r) => {
                        total.absorb(r);
                        progress = true;
                    }
                    Err(e) => {
                        errors.push((i, e));
                        still.push(i);
                    }
                }
            }
            pending = still;
            if !progress || pending.is_empty() {
                break;
            }
        }
        (total, errors)
    }

    /// CSCAs whose subject matches `cert`'s issuer, or whose subject key
    /// identifier equals its authority key identifier; those whose key
    /// identifier matches first.
    pub fn candidate_issuers<'a>(&'a self, cert: &Certificate) -> Vec<&'a Certificate> {
        // A CSCA whose subject key identifier equals the authority key
        // identifier is a candidate too: some issuers encode the DS's issuer
        // name differently from their CSCA's subject.
        let aki = cert.authority_key_id.as_deref();
        let mut out: Vec<&Certificate> = self
            .cscas
            .iter()
            .filter(|c| {
                names_match(cert.issuer(), c.subject())
                    || (aki.is_some() && c.subject_key_id.as_deref() == aki)
            })
            .collect();
        if let Some(aki) = &cert.authority_key_id {
            out.sort_by_key(|c| c.subject_key_id.as_ref() != Some(aki));
        }
        out
    }
}
