//! The CSCA trust store: PEM, DER and ICAO/BSI master lists.

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
    #[error("input is neither PEM, a DER certificate nor a master list")]
    UnknownFormat,
}

/// What loading a master list did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MasterListReport {
    pub added: usize,
    pub duplicates: usize,
    /// Entries that did not parse as certificates (skipped, not fatal:
    /// the BSI list has carried odd entries before).
    pub rejected: usize,
    /// Subject of the master list signer.
    pub signer: String,
    /// Whether the signer's certificate is issued by a CSCA in the list
    /// (ICAO 9303-12 §6.3: the issuing state's own CSCA).
    pub signer_chains_to_listed_csca: bool,
}

/// Trusted CSCA certificates.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    cscas: Vec<Certificate>,
}

impl TrustStore {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.cscas.len()
    }

    pub fn is_empty(&self) -> bool {
        self.cscas.is_empty()
    }

    pub fn certificates(&self) -> &[Certificate] {
        &self.cscas
    }

    /// Adds one certificate; `false` if it was already present.
    pub fn add(&mut self, cert: Certificate) -> bool {
        if self.cscas.iter().any(|c| c.der() == cert.der()) {
            return false;
        }
        self.cscas.push(cert);
        true
    }

    pub fn add_der(&mut self, der: &[u8]) -> Result<bool, TrustStoreError> {
        Ok(self.add(Certificate::from_der(der)?))
    }

    /// Adds every certificate of a PEM text; returns how many were new.
    pub fn add_pem(&mut self, pem: &[u8]) -> Result<usize, TrustStoreError> {
        Ok(Certificate::from_pem(pem)?
            .into_iter()
            .filter(|c| self.add(c.clone()))
            .count())
    }

    /// Loads a CSCA master list (CMS SignedData over a CscaMasterList).
    /// The list's own signature must verify; the certificates are then
    /// trusted as the caller trusts the list's source.
    pub fn add_master_list(&mut self, data: &[u8]) -> Result<MasterListReport, TrustStoreError> {
        let ml = MasterListContent::parse(data)?;
        let sd = &ml.signed_data;
        let si = sd
            .signer_infos
            .first()
            .ok_or(TrustStoreError::MasterListSignature(CmsError::NoSignerInfo))?;
        let signer =
            cms::signer_certificate(sd, si).map_err(TrustStoreError::MasterListSignature)?;
        let digest =
            cms::check_signed_attributes(sd, si).map_err(TrustStoreError::MasterListSignature)?;
        cms::check_signature(sd, si, &signer, digest)
            .map_err(TrustStoreError::MasterListSignature)?;

        let mut report = MasterListReport {
            added: 0,
            duplicates: 0,
            rejected: 0,
            signer: signer.subject_string(),
            signer_chains_to_listed_csca: false,
        };
        let mut parsed = Vec::new();
        for der in &ml.certificates {
            match Certificate::from_der(der) {
                Ok(c) => parsed.push(c),
                Err(_) => report.rejected += 1,
            }
        }
        report.signer_chains_to_listed_csca = parsed.iter().any(|c| {
            names_match(signer.issuer(), c.subject()) && signer.verify_signed_by(c).is_ok()
        });
        for c in parsed {
            if self.add(c) {
                report.added += 1;
            } else {
                report.duplicates += 1;
            }
        }
        Ok(report)
    }

    /// Loads PEM, a DER certificate or a DER master list, by content.
    pub fn load(&mut self, data: &[u8]) -> Result<usize, TrustStoreError> {
        if data.windows(11).any(|w| w == b"-----BEGIN ") {
            return self.add_pem(data);
        }
        if let Ok(c) = Certificate::from_der(data) {
            return Ok(usize::from(self.add(c)));
        }
        match self.add_master_list(data) {
            Ok(r) => Ok(r.added),
            Err(TrustStoreError::Parse(_)) => Err(TrustStoreError::UnknownFormat),
            Err(e) => Err(e),
        }
    }

    /// CSCAs whose subject matches `cert`'s issuer, those whose key
    /// identifier matches the certificate's authority key identifier first.
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
