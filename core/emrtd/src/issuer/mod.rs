//! Issuing test documents: a deterministic test PKI (CSCA, Document
//! Signers, master list) and the files of a TD1 ID card or TD3 passport,
//! including fault variants for passive-authentication tests.

mod der;
mod document;
mod jpeg;
mod keys;
mod test_pki;

pub use document::{
    ActiveAuthenticationKey, ChipAuthenticationKey, ChipKeys, DocumentFault, DocumentSpec,
    IssueError, IssuedDocument, PortraitEncoding, SPECIMEN_TD1, SPECIMEN_TD3, issue,
};
pub use jpeg::{PortraitError, portrait};
pub use keys::{KeyAlgorithm, KeyError, SigningKey};
pub use test_pki::{DocumentSignerVariant, IssuedCertificate, PkiConfig, Signer, TestPki};
