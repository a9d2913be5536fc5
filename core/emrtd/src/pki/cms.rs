//! Verifying one CMS signer (RFC 5652 §5.4, §5.6), shared by the SOD and
//! CSCA master lists.

use super::cert::{Certificate, names_match};
use super::hash::HashAlgorithm;
use super::signature::{self, SignatureError};
use crate::lds::ber;
use crate::lds::{SignedData, SignerIdentifier, SignerInfo};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CmsError {
    #[error("no SignerInfo")]
    NoSignerInfo,
    #[error("the signer's certificate is not in the SignedData")]
    SignerCertificateMissing,
    #[error("the signer's certificate is malformed: {0}")]
    SignerCertificateMalformed(String),
    #[error("unsupported digest algorithm {0}")]
    UnsupportedDigest(String),
    #[error("signed attributes lack the contentType attribute")]
    ContentTypeMissing,
    #[error("the contentType attribute does not match eContentType")]
    ContentTypeMismatch,
    #[error("signed attributes lack the messageDigest attribute")]
    MessageDigestMissing,
    #[error("the messageDigest attribute does not match the content")]
    MessageDigestMismatch,
    #[error("signature over the signed attributes: {0}")]
    Signature(SignatureError),
}

/// Finds the signer's certificate among those the SignedData carries.
pub(crate) fn signer_certificate(
    sd: &SignedData,
    si: &SignerInfo,
) -> Result<Certificate, CmsError> {
    let mut malformed = None;
    for der in &sd.certificates {
        let cert = match Certificate::from_der(der) {
            Ok(c) => c,
            Err(e) => {
                malformed = Some(e.to_string());
                continue;
            }
        };
        let matches = match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber { issuer, serial } => {
                ber::strip_leading_zeros(serial) == ber::strip_leading_zeros(cert.serial())
                    && names_match(issuer, cert.issuer())
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                cert.subject_key_id.as_deref() == Some(ski.as_slice())
            }
        };
        if matches {
            return Ok(cert);
        }
    }
    Err(match malformed {
        Some(m) => CmsError::SignerCertificateMalformed(m),
        None => CmsError::SignerCertificateMissing,
    })
}

/// Step 1: the signed attributes bind the content (content type and digest).
pub(crate) fn check_signed_attributes(
    sd: &SignedData,
    si: &SignerInfo,
) -> Result<HashAlgorithm, CmsError> {
    let digest = HashAlgorithm::from_oid(&si.digest_algorithm.oid)
        .ok_or_else(|| CmsError::UnsupportedDigest(si.digest_algorithm.oid.to_string()))?;
    if si.signed_attributes.is_none() {
        // Without signed attributes the signature covers the content itself.
        return Ok(digest);
    }
    match &si.content_type {
        None => return Err(CmsError::ContentTypeMissing),
        Some(ct) if *ct != sd.content_type => return Err(CmsError::ContentTypeMismatch),
        Some(_) => {}
    }
    let md = si
        .message_digest
        .as_ref()
        .ok_or(CmsError::MessageDigestMissing)?;
    if *md != digest.digest(&sd.content) {
        return Err(CmsError::MessageDigestMismatch);
    }
    Ok(digest)
}

/// Step 2: the signature over the signed attributes (or the content).
pub(crate) fn check_signature(
    sd: &SignedData,
    si: &SignerInfo,
    signer: &Certificate,
    digest: HashAlgorithm,
) -> Result<(), CmsError> {
    let message = si.signed_attributes.as_deref().unwrap_or(&sd.content);
    signature::verify(
        &signer.public_key,
        &si.signature_algorithm,
        Some(digest),
        message,
        &si.signature,
    )
    .map_err(CmsError::Signature)
}
