//! Passive authentication: the CSCA trust store, Document Signer checks and
//! the SOD signature and data-group hashes.

mod cert;
mod cms;
mod hash;
mod passive;
mod signature;
mod store;

pub use cert::{Certificate, MAX_CERT_LEN, days_from_civil, name_string, names_match};
pub use cms::CmsError;
pub use hash::HashAlgorithm;
pub use passive::{
    ChainError, DataGroupCheck, DataGroupVerdict, PassiveAuthFailure, PassiveAuthentication,
    ValidityError, Verdict, passive_authentication, passive_authentication_files,
};
pub use signature::{SignatureError, signature_hash, verify};
pub use store::{MasterListReport, TrustStore, TrustStoreError};
