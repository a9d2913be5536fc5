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
    #[error("signed attributes are required and absent")]
    SignedAttributesMissing,
    #[error(
        "the signature algorithm's hash {signature} differs from the digest algorithm {digest}"
    )]
    HashMismatch { digest: String, signature: String },
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
        if identifies(si, &cert) {
            return Ok(cert);
        }
    }
    Err(match malformed {
        Some(m) => CmsError::SignerCertificateMalformed(m),
        None => CmsError::SignerCertificateMissing,
    })
}

/// Whether `si`'s signer identifier names `cert`.
pub(crate) fn identifies(si: &SignerInfo, cert: &Certificate) -> bool {
    match &si.sid {
        SignerIdentifier::IssuerAndSerialNumber { issuer, serial } => {
            ber::strip_leading_zeros(serial) == ber::strip_leading_zeros(cert.serial())
                && names_match(issuer, cert.issuer())
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            cert.subject_key_id.as_deref() == Some(ski.as_slice())
        }
    }
}

/// Step 1: the signed attributes bind the content (content type and
/// digest), and the signature algorithm hashes with the digest algorithm.
/// `required`: whether signed attributes must be present (an SOD's must).
pub(crate) fn check_signed_attributes(
    sd: &SignedData,
    si: &SignerInfo,
    required: bool,
) -> Result<HashAlgorithm, CmsError> {
    let digest = HashAlgorithm::from_oid(&si.digest_algorithm.oid)
        .ok_or_else(|| CmsError::UnsupportedDigest(si.digest_algorithm.oid.to_string()))?;
    // RFC 5652 §5.4: the message digest is computed with digestAlgorithm;
    // a signature algorithm naming another hash signs something else.
    if let Ok(named) = signature::signature_hash(&si.signature_algorithm, Some(digest))
        && named != digest
    {
        return Err(CmsError::HashMismatch {
            digest: digest.oid().to_string(),
            signature: named.oid().to_string(),
        });
    }
    if si.signed_attributes.is_none() {
        if required {
            return Err(CmsError::SignedAttributesMissing);
        }
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
