//! Object identifiers used by the LDS, CMS and the signature algorithms.

pub use x509_cert::der::oid::ObjectIdentifier as Oid;

/// Parses the value bytes of an OBJECT IDENTIFIER.
pub fn parse(value: &[u8]) -> Option<Oid> {
    Oid::from_bytes(value).ok()
}

const fn oid(s: &str) -> Oid {
    Oid::new_unwrap(s)
}

// BSI TR-03110 protocol arcs under bsi-de (0.4.0.127.0.7).
pub const ID_PACE: Oid = oid("0.4.0.127.0.7.2.2.4");
pub const ID_CA: Oid = oid("0.4.0.127.0.7.2.2.3");
pub const ID_PK: Oid = oid("0.4.0.127.0.7.2.2.1");
pub const ID_TA: Oid = oid("0.4.0.127.0.7.2.2.2");
/// ICAO id-icao-mrtd-security-aaProtocolObject.
pub const ID_AA: Oid = oid("2.23.136.1.1.5");
/// BSI TR-03110 standardizedDomainParameters: a key's AlgorithmIdentifier
/// naming its domain parameters by id (German CA keys).
pub const STANDARDIZED_DOMAIN_PARAMETERS: Oid = oid("0.4.0.127.0.7.1.2");

// CMS / LDS security object.
pub const SIGNED_DATA: Oid = oid("1.2.840.113549.1.7.2");
pub const LDS_SECURITY_OBJECT: Oid = oid("2.23.136.1.1.1");
/// Legacy eContentTypes of LDS security objects (see `lds::sod`).
pub const ID_DATA: Oid = oid("1.2.840.113549.1.7.1");
pub const LDS_SECURITY_OBJECT_ICAO_DRAFT: Oid = oid("1.3.27.1.1.1");
pub const LDS_SECURITY_OBJECT_SDU: Oid = oid("1.2.528.1.1006.1.20.1");
/// EF.CardSecurity's eContentType: id-SecurityObject (BSI TR-03110).
pub const ID_SECURITY_OBJECT: Oid = oid("0.4.0.127.0.7.3.2.1");
pub const CSCA_MASTER_LIST: Oid = oid("2.23.136.1.1.2");
pub const CONTENT_TYPE: Oid = oid("1.2.840.113549.1.9.3");
pub const MESSAGE_DIGEST: Oid = oid("1.2.840.113549.1.9.4");
pub const SIGNING_TIME: Oid = oid("1.2.840.113549.1.9.5");

// Digests.
pub const SHA1: Oid = oid("1.3.14.3.2.26");
pub const SHA224: Oid = oid("2.16.840.1.101.3.4.2.4");
pub const SHA256: Oid = oid("2.16.840.1.101.3.4.2.1");
pub const SHA384: Oid = oid("2.16.840.1.101.3.4.2.2");
pub const SHA512: Oid = oid("2.16.840.1.101.3.4.2.3");

// RSA.
pub const RSA_ENCRYPTION: Oid = oid("1.2.840.113549.1.1.1");
pub const SHA1_WITH_RSA: Oid = oid("1.2.840.113549.1.1.5");
pub const SHA224_WITH_RSA: Oid = oid("1.2.840.113549.1.1.14");
pub const SHA256_WITH_RSA: Oid = oid("1.2.840.113549.1.1.11");
pub const SHA384_WITH_RSA: Oid = oid("1.2.840.113549.1.1.12");
pub const SHA512_WITH_RSA: Oid = oid("1.2.840.113549.1.1.13");
pub const RSASSA_PSS: Oid = oid("1.2.840.113549.1.1.10");
pub const MGF1: Oid = oid("1.2.840.113549.1.1.8");

// ECDSA (X9.62) and BSI's plain-signature variants (TR-03111).
pub const EC_PUBLIC_KEY: Oid = oid("1.2.840.10045.2.1");
pub const PRIME_FIELD: Oid = oid("1.2.840.10045.1.1");
pub const ECDSA_SHA1: Oid = oid("1.2.840.10045.4.1");
pub const ECDSA_SHA224: Oid = oid("1.2.840.10045.4.3.1");
pub const ECDSA_SHA256: Oid = oid("1.2.840.10045.4.3.2");
pub const ECDSA_SHA384: Oid = oid("1.2.840.10045.4.3.3");
pub const ECDSA_SHA512: Oid = oid("1.2.840.10045.4.3.4");
pub const ECDSA_PLAIN_SHA1: Oid = oid("0.4.0.127.0.7.1.1.4.1.1");
pub const ECDSA_PLAIN_SHA224: Oid = oid("0.4.0.127.0.7.1.1.4.1.2");
pub const ECDSA_PLAIN_SHA256: Oid = oid("0.4.0.127.0.7.1.1.4.1.3");
pub const ECDSA_PLAIN_SHA384: Oid = oid("0.4.0.127.0.7.1.1.4.1.4");
pub const ECDSA_PLAIN_SHA512: Oid = oid("0.4.0.127.0.7.1.1.4.1.5");

// Named curves.
pub const SECP256R1: Oid = oid("1.2.840.10045.3.1.7");
pub const SECP384R1: Oid = oid("1.3.132.0.34");
pub const BRAINPOOL_P256R1: Oid = oid("1.3.36.3.3.2.8.1.1.7");
pub const BRAINPOOL_P384R1: Oid = oid("1.3.36.3.3.2.8.1.1.11");
pub const SECP521R1: Oid = oid("1.3.132.0.35");
pub const SECP192R1: Oid = oid("1.2.840.10045.3.1.1");
pub const SECP224R1: Oid = oid("1.3.132.0.33");
pub const BRAINPOOL_P192R1: Oid = oid("1.3.36.3.3.2.8.1.1.3");
pub const BRAINPOOL_P224R1: Oid = oid("1.3.36.3.3.2.8.1.1.5");
pub const BRAINPOOL_P320R1: Oid = oid("1.3.36.3.3.2.8.1.1.9");
pub const BRAINPOOL_P512R1: Oid = oid("1.3.36.3.3.2.8.1.1.13");

// X.509 attribute and extension ids used by the test PKI and chain checks.
pub const AT_COMMON_NAME: Oid = oid("2.5.4.3");
pub const AT_COUNTRY: Oid = oid("2.5.4.6");
pub const AT_ORGANIZATION: Oid = oid("2.5.4.10");
pub const EXT_SUBJECT_KEY_ID: Oid = oid("2.5.29.14");
pub const EXT_KEY_USAGE: Oid = oid("2.5.29.15");
pub const EXT_BASIC_CONSTRAINTS: Oid = oid("2.5.29.19");
pub const EXT_AUTHORITY_KEY_ID: Oid = oid("2.5.29.35");

/// True if `oid` lies strictly below `arc`.
pub fn is_under(oid: &Oid, arc: &Oid) -> bool {
    let (o, a) = (oid.as_bytes(), arc.as_bytes());
    o.len() > a.len() && o.starts_with(a)
}

/// The arcs of `oid` after `arc` (e.g. `[2, 2]` for id-PACE-ECDH-GM-AES-128).
pub fn suffix(oid: &Oid, arc: &Oid) -> Option<Vec<u32>> {
    if !is_under(oid, arc) {
        return None;
    }
    let skip = arc.arcs().count();
    Some(oid.arcs().skip(skip).collect())
}
