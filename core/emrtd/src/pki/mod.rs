//! Passive authentication: the CSCA trust store, Document Signer checks and
//! the SOD signature and data-group hashes.

mod cert;
mod cms;
mod hash;
mod passive;
mod signature;
mod store;
pub(crate) mod weierstrass;

/// Constants of the curves verified by the generic code.
pub(crate) use weierstrass as curve_params;

pub(crate) use cert::time as cert_time;
pub use cert::{
    Certificate, KEY_USAGE_DIGITAL_SIGNATURE, KEY_USAGE_KEY_CERT_SIGN, MAX_CERT_LEN, base64_decode,
    days_from_civil, name_string, names_match,
};
pub use cms::CmsError;
pub use hash::HashAlgorithm;
pub use passive::{
    CardSecurityVerdict, ChainError, DataGroupCheck, DataGroupVerdict, DocumentSignerSource,
    PassiveAuthFailure, PassiveAuthentication, ValidityError, Verdict, passive_authentication,
    passive_authentication_files, passive_authentication_with, verify_card_security,
};

pub use signature::{SignatureError, signature_hash, verify};
pub use store::{LoadReport, MasterListReport, MasterListTrust, TrustStore, TrustStoreError};
