//! A deterministic test PKI: CSCA, Document Signers (valid, expired, signed
//! by an untrusted CSCA) and a master-list signer.

use super::der;
use super::keys::{KeyAlgorithm, KeyError, SigningKey};
use crate::lds::oid::{self, Oid};
use crate::pki::TrustStore;
use sha1::{Digest, Sha1};

/// Which Document Signer a document is signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentSignerVariant {
    Valid,
    /// Validity ended before today (2012-2022).
    Expired,
    /// Issued by a CSCA with the real CSCA's name but another key, not in the
    /// trust store.
    UntrustedCsca,
}

/// An issued certificate with what a CMS SignerInfo needs to name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCertificate {
    pub der: Vec<u8>,
    pub issuer_name: Vec<u8>,
    pub serial: u64,
}

/// A certificate and its private key.
#[derive(Debug)]
pub struct Signer {
    pub certificate: IssuedCertificate,
    pub(crate) key: SigningKey,
}

/// Test PKI configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PkiConfig {
    pub seed: Vec<u8>,
    /// Two-letter country code in the CSCA's name (`"NO"`, `"UT"` ...).
    pub country: String,
    pub csca_algorithm: KeyAlgorithm,
    pub ds_algorithm: KeyAlgorithm,
}

impl Default for PkiConfig {
    fn default() -> Self {
        Self {
            seed: b"aktiver test pki".to_vec(),
            country: "UT".into(),
            csca_algorithm: KeyAlgorithm::Ecdsa(crate::lds::EcCurve::BrainpoolP256r1),
            ds_algorithm: KeyAlgorithm::Ecdsa(crate::lds::EcCurve::P256),
        }
    }
}

/// The CSCA and the means to make Document Signers.
#[derive(Debug)]
pub struct TestPki {
    config: PkiConfig,
    csca: Signer,
}

pub(crate) fn name(country: &str, cn: &str) -> Vec<u8> {
    let rdn = |o: &Oid, v: Vec<u8>| der::set_of(&[&der::seq(&[&der::oid(o), &v])]);
    der::seq(&[
        &rdn(&oid::AT_COUNTRY, der::printable(country)),
        &rdn(&oid::AT_ORGANIZATION, der::utf8("Aktiver Test")),
        &rdn(&oid::AT_COMMON_NAME, der::utf8(cn)),
    ])
}

fn key_id(spki: &[u8]) -> Vec<u8> {
    Sha1::digest(spki).to_vec()
}

fn extension(id: &Oid, critical: bool, value: &[u8]) -> Vec<u8> {
    if critical {
        der::seq(&[&der::oid(id), &der::boolean(true), &der::octets(value)])
    } else {
        der::seq(&[&der::oid(id), &der::octets(value)])
    }
}

pub(crate) struct CertSpec<'a> {
    pub serial: u64,
    pub issuer: &'a [u8],
    pub subject: &'a [u8],
    pub not_before: i64,
    pub not_after: i64,
    pub spki: &'a [u8],
    pub issuer_spki: &'a [u8],
    pub ca: bool,
}

pub(crate) fn certificate(
    spec: &CertSpec<'_>,
    signer: &SigningKey,
) -> Result<IssuedCertificate, KeyError> {
    let alg = signer.signature_algorithm();
    let key_usage = if spec.ca {
        der::tlv(0x03, &[0x01, 0x06]) // keyCertSign | cRLSign
    } else {
        der::tlv(0x03, &[0x07, 0x80]) // digitalSignature
    };
    let mut exts = vec![
        extension(&oid::EXT_KEY_USAGE, true, &key_usage),
        extension(
            &oid::EXT_SUBJECT_KEY_ID,
            false,
            &der::octets(&key_id(spec.spki)),
        ),
        extension(
            &oid::EXT_AUTHORITY_KEY_ID,
            false,
            &der::seq(&[&der::tlv(0x80, &key_id(spec.issuer_spki))]),
        ),
    ];
    if spec.ca {
        exts.insert(
            0,
            extension(
                &oid::EXT_BASIC_CONSTRAINTS,
                true,
                &der::seq(&[&der::boolean(true), &der::uint(0)]),
            ),
        );
    }
    let ext_refs: Vec<&[u8]> = exts.iter().map(Vec::as_slice).collect();
    let tbs = der::seq(&[
        &der::tlv(0xA0, &der::uint(2)),
        &der::uint(spec.serial),
        &alg,
        spec.issuer,
        &der::seq(&[&der::time(spec.not_before), &der::time(spec.not_after)]),
        spec.subject,
        spec.spki,
        &der::tlv(0xA3, &der::seq(&ext_refs)),
    ]);
    let sig = signer.sign(&tbs)?;
    Ok(IssuedCertificate {
        der: der::seq(&[&tbs, &alg, &der::bits(&sig)]),
        issuer_name: spec.issuer.to_vec(),
        serial: spec.serial,
    })
}

impl TestPki {
    pub fn generate(config: PkiConfig) -> Result<Self, KeyError> {
        let csca = make_csca(&config, "csca")?;
        Ok(Self { config, csca })
    }

    pub fn config(&self) -> &PkiConfig {
        &self.config
    }

    pub fn csca(&self) -> &IssuedCertificate {
        &self.csca.certificate
    }

    /// The CSCA's name and key in a certificate that is not a certificate
    /// authority (no basicConstraints cA, keyUsage digitalSignature only): a
    /// trust anchor that must not vouch for Document Signers.
    pub fn csca_without_ca_rights(&self) -> Result<IssuedCertificate, KeyError> {
        let spki = self.csca.key.spki();
        let subject = name(
            &self.config.country,
            &format!("CSCA {}", self.config.country),
        );
        certificate(
            &CertSpec {
                serial: 0x67,
                issuer: &subject,
                subject: &subject,
                not_before: der::date(2020, 1, 1),
                not_after: der::date(2045, 1, 1),
                spki: &spki,
                issuer_spki: &spki,
                ca: false,
            },
            &self.csca.key,
        )
    }

    /// A trust store holding this PKI's CSCA.
    pub fn trust_store(&self) -> TrustStore {
        let mut store = TrustStore::new();
        // Our own encoding: parsing cannot fail short of a bug, which the
        // tests would catch as an empty store.
        let _ = store.add_der(&self.csca.certificate.der);
        store
    }

    /// A Document Signer of the requested kind.
    pub fn document_signer(&self, variant: DocumentSignerVariant) -> Result<Signer, KeyError> {
        let c = &self.config;
        let (label, serial, not_before, not_after) = match variant {
            DocumentSignerVariant::Valid => {
                ("ds", 0x1001, der::date(2024, 1, 1), der::date(2036, 1, 1))
            }
            DocumentSignerVariant::Expired => (
                "ds-expired",
                0x1002,
                der::date(2012, 1, 1),
                der::date(2022, 1, 1),
            ),
            DocumentSignerVariant::UntrustedCsca => (
                "ds-rogue",
                0x1003,
                der::date(2024, 1, 1),
                der::date(2036, 1, 1),
            ),
        };
        let rogue;
        let issuer = if variant == DocumentSignerVariant::UntrustedCsca {
            rogue = make_csca(c, "rogue-csca")?;
            &rogue
        } else {
            &self.csca
        };
        let key = SigningKey::derive(c.ds_algorithm, &c.seed, label)?;
        let spki = key.spki();
        let issuer_name = name(&c.country, &format!("CSCA {}", c.country));
        let subject = name(&c.country, &format!("Document Signer {}", c.country));
        let certificate = certificate(
            &CertSpec {
                serial,
                issuer: &issuer_name,
                subject: &subject,
                not_before,
                not_after,
                spki: &spki,
                issuer_spki: &issuer.key.spki(),
                ca: false,
            },
            &issuer.key,
        )?;
        Ok(Signer { certificate, key })
    }

    /// A CSCA master list (CMS SignedData over a CscaMasterList holding this
    /// CSCA and `extra` certificates), signed by a master-list signer the CSCA issued.
    pub fn master_list(&self, extra: &[&[u8]]) -> Result<Vec<u8>, KeyError> {
        let c = &self.config;
        let key = SigningKey::derive(c.ds_algorithm, &c.seed, "ml-signer")?;
        let spki = key.spki();
        let issuer_name = name(&c.country, &format!("CSCA {}", c.country));
        let subject = name(&c.country, &format!("Master List Signer {}", c.country));
        let certificate = certificate(
            &CertSpec {
                serial: 0x2001,
                issuer: &issuer_name,
                subject: &subject,
                not_before: der::date(2024, 1, 1),
                not_after: der::date(2036, 1, 1),
                spki: &spki,
                issuer_spki: &self.csca.key.spki(),
                ca: false,
            },
            &self.csca.key,
        )?;
        let signer = Signer { certificate, key };
        let mut certs: Vec<&[u8]> = vec![&self.csca.certificate.der];
        certs.extend_from_slice(extra);
        let content = der::seq(&[&der::uint(0), &der::set_of(&certs)]);
        super::document::signed_data(&oid::CSCA_MASTER_LIST, &content, &signer)
    }
}

fn make_csca(c: &PkiConfig, label: &str) -> Result<Signer, KeyError> {
    let key = SigningKey::derive(c.csca_algorithm, &c.seed, label)?;
    let spki = key.spki();
    let subject = name(&c.country, &format!("CSCA {}", c.country));
    let certificate = certificate(
        &CertSpec {
            serial: if label == "csca" { 1 } else { 0x66 },
            issuer: &subject,
            subject: &subject,
            not_before: der::date(2020, 1, 1),
            not_after: der::date(2045, 1, 1),
            spki: &spki,
            issuer_spki: &spki,
            ca: true,
        },
        &key,
    )?;
    Ok(Signer { certificate, key })
}
