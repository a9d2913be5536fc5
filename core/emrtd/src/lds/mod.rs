//! The Logical Data Structure (ICAO 9303 part 10): parsers for the files a
//! chip holds. Every parser works on the raw bytes read, bounds every count
//! before allocating, and keeps personal data out of `Debug`.

pub mod ber;
mod card_security;
mod com;
mod dg1;
mod dg11;
mod dg15;
mod dg2;
pub mod oid;
mod security_infos;
pub(crate) mod sod;
mod spki;

pub use ber::{Tlv, TlvError, TlvReader};
pub use card_security::CardSecurity;
pub use com::EfCom;
pub use dg1::{Dg1, MrzFormat};
pub use dg2::{Dg2, FaceEncoding, FaceImage, ImageFormat};
pub use dg11::{Dg11, Dg12, TextField};
pub use dg15::Dg15;
pub use security_infos::{
    ActiveAuthenticationInfo, ChipAuthenticationInfo, ChipAuthenticationPublicKeyInfo,
    KeyAgreement, PaceCipher, PaceDomainParameterInfo, PaceInfo, PaceMapping, PaceProtocol,
    SecurityInfo, SecurityInfos, StandardizedDomainParameters, TerminalAuthenticationInfo,
    UnknownSecurityInfo,
};
pub use sod::{
    AlgorithmIdentifier, DataGroupHash, LdsSecurityObject, SignedData, SignerIdentifier,
    SignerInfo, Sod,
};
pub use spki::{EcCurve, PublicKeyInfo, SubjectPublicKey};

use thiserror::Error;

/// Largest file the parsers accept. Real DG2s are 10-40 KB; DG3 fingerprints
/// can reach ~100 KB; 1 MiB leaves room without inviting abuse.
pub const MAX_FILE_LEN: usize = 1 << 20;
/// Most elements accepted in any list (data groups, security infos, hashes,
/// biometric templates).
pub const MAX_LIST: usize = 64;

/// What went wrong while parsing an LDS file. `file` names the file
/// (`"EF.COM"`, `"DG2"`, ...) and `field` the element; neither carries
/// document content.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum LdsError {
    #[error("{file}: {len} bytes exceed the limit of {limit}")]
    FileTooLarge {
        file: &'static str,
        len: usize,
        limit: usize,
    },
    #[error("{file}: malformed TLV in {field}: {source}")]
    Tlv {
        file: &'static str,
        field: &'static str,
        #[source]
        source: TlvError,
    },
    #[error("{file}: expected tag {expected:#X} for {field}, found {found:#X}")]
    UnexpectedTag {
        file: &'static str,
        field: &'static str,
        expected: u32,
        found: u32,
    },
    #[error("{file}: missing {field}")]
    Missing {
        file: &'static str,
        field: &'static str,
    },
    #[error("{file}: invalid {field}: {reason}")]
    Invalid {
        file: &'static str,
        field: &'static str,
        reason: &'static str,
    },
    #[error("{file}: more than {limit} {field}")]
    TooMany {
        file: &'static str,
        field: &'static str,
        limit: usize,
    },
    #[error("{file}: unsupported {field}")]
    Unsupported {
        file: &'static str,
        field: &'static str,
    },
}

/// Small helpers so each parser reads like its ASN.1 definition.
pub(crate) struct Ctx {
    pub file: &'static str,
}

impl Ctx {
    pub const fn new(file: &'static str) -> Self {
        Self { file }
    }

    pub fn check_len(&self, data: &[u8]) -> Result<(), LdsError> {
        if data.len() > MAX_FILE_LEN {
            return Err(LdsError::FileTooLarge {
                file: self.file,
                len: data.len(),
                limit: MAX_FILE_LEN,
            });
        }
        Ok(())
    }

    pub fn tlv_err(&self, field: &'static str) -> impl Fn(TlvError) -> LdsError + '_ {
        move |source| LdsError::Tlv {
            file: self.file,
            field,
            source,
        }
    }

    pub fn missing(&self, field: &'static str) -> LdsError {
        LdsError::Missing {
            file: self.file,
            field,
        }
    }

    pub fn invalid(&self, field: &'static str, reason: &'static str) -> LdsError {
        LdsError::Invalid {
            file: self.file,
            field,
            reason,
        }
    }

    pub fn too_many(&self, field: &'static str) -> LdsError {
        LdsError::TooMany {
            file: self.file,
            field,
            limit: MAX_LIST,
        }
    }

    /// The single outer element of a file, which must carry `tag`.
    pub fn outer<'a>(
        &self,
        data: &'a [u8],
        tag: u32,
        field: &'static str,
    ) -> Result<Tlv<'a>, LdsError> {
        self.check_len(data)?;
        let t = ber::parse_one(data).map_err(self.tlv_err(field))?;
        self.expect_tag(&t, tag, field)?;
        Ok(t)
    }

    pub fn expect_tag(&self, t: &Tlv<'_>, tag: u32, field: &'static str) -> Result<(), LdsError> {
        if t.tag != tag {
            return Err(LdsError::UnexpectedTag {
                file: self.file,
                field,
                expected: tag,
                found: t.tag,
            });
        }
        Ok(())
    }

    /// Next element of `r`, required to exist and to carry `tag`.
    pub fn next<'a>(
        &self,
        r: &mut TlvReader<'a>,
        tag: u32,
        field: &'static str,
    ) -> Result<Tlv<'a>, LdsError> {
        let t = self.next_any(r, field)?;
        self.expect_tag(&t, tag, field)?;
        Ok(t)
    }

    pub fn next_any<'a>(
        &self,
        r: &mut TlvReader<'a>,
        field: &'static str,
    ) -> Result<Tlv<'a>, LdsError> {
        match r.expect_any() {
            Ok(t) => Ok(t),
            Err(None) => Err(self.missing(field)),
            Err(Some(e)) => Err(self.tlv_err(field)(e)),
        }
    }

    /// Next element if it carries `tag`.
    pub fn optional<'a>(
        &self,
        r: &mut TlvReader<'a>,
        tag: u32,
        field: &'static str,
    ) -> Result<Option<Tlv<'a>>, LdsError> {
        if r.peek_tag() == Some(tag) {
            return self.next(r, tag, field).map(Some);
        }
        Ok(None)
    }

    pub fn uint(&self, t: &Tlv<'_>, field: &'static str) -> Result<u64, LdsError> {
        self.expect_tag(t, 0x02, field)?;
        ber::uint_value(t.value)
            .ok_or_else(|| self.invalid(field, "not a small non-negative INTEGER"))
    }

    pub fn oid(&self, t: &Tlv<'_>, field: &'static str) -> Result<oid::Oid, LdsError> {
        self.expect_tag(t, 0x06, field)?;
        oid::parse(t.value).ok_or_else(|| self.invalid(field, "malformed OBJECT IDENTIFIER"))
    }

    /// All children of a constructed element, bounded by [`MAX_LIST`].
    pub fn children<'a>(&self, t: &Tlv<'a>, field: &'static str) -> Result<Vec<Tlv<'a>>, LdsError> {
        let mut out = Vec::new();
        let mut r = t.children();
        while let Some(c) = r.next_tlv().map_err(self.tlv_err(field))? {
            if out.len() >= MAX_LIST {
                return Err(self.too_many(field));
            }
            out.push(c);
        }
        Ok(out)
    }
}

/// A data group number, 1..=16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DataGroup(u8);

impl DataGroup {
    pub const DG1: Self = Self(1);
    pub const DG2: Self = Self(2);
    pub const DG11: Self = Self(11);
    pub const DG12: Self = Self(12);
    pub const DG14: Self = Self(14);
    pub const DG15: Self = Self(15);

    const TAGS: [u8; 16] = [
        0x61, 0x75, 0x63, 0x76, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F,
        0x70,
    ];

    pub fn new(number: u8) -> Option<Self> {
        (1..=16).contains(&number).then_some(Self(number))
    }

    pub fn number(self) -> u8 {
        self.0
    }

    /// The file's outer tag (`0x61` for DG1, `0x75` for DG2, ...).
    pub fn tag(self) -> u8 {
        Self::TAGS
            .get(usize::from(self.0).saturating_sub(1))
            .copied()
            .unwrap_or(0)
    }

    pub fn from_tag(tag: u8) -> Option<Self> {
        Self::TAGS
            .iter()
            .position(|&t| t == tag)
            .and_then(|i| u8::try_from(i + 1).ok())
            .map(Self)
    }

    /// The elementary file identifier (`0x0101` for DG1).
    pub fn fid(self) -> u16 {
        0x0100 | u16::from(self.0)
    }

    pub fn from_fid(fid: u16) -> Option<Self> {
        if fid & 0xFF00 != 0x0100 {
            return None;
        }
        u8::try_from(fid & 0xFF).ok().and_then(Self::new)
    }

    /// Short file identifier, usable in READ BINARY P1.
    pub fn sfi(self) -> u8 {
        self.0
    }
}

impl core::fmt::Display for DataGroup {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "DG{}", self.0)
    }
}

/// File identifiers of the LDS elementary files.
pub mod fid {
    pub const EF_CARD_ACCESS: u16 = 0x011C;
    pub const EF_COM: u16 = 0x011E;
    pub const EF_SOD: u16 = 0x011D;
    pub const DG1: u16 = 0x0101;
    pub const DG2: u16 = 0x0102;
    pub const DG11: u16 = 0x010B;
    pub const DG12: u16 = 0x010C;
    pub const DG14: u16 = 0x010E;
    pub const DG15: u16 = 0x010F;

    /// The short EF identifier of an LDS file (ICAO 9303-10 table 35).
    pub fn sfi_of(fid: u16) -> Option<u8> {
        match fid {
            EF_CARD_ACCESS | EF_SOD | EF_COM | 0x0101..=0x0110 => u8::try_from(fid & 0x1F).ok(),
            _ => None,
        }
    }

    /// The file identifier a short EF identifier stands for.
    pub fn of_sfi(sfi: u8) -> Option<u16> {
        let fid = 0x0100 | u16::from(sfi);
        sfi_of(fid).map(|_| fid)
    }
}

/// Debug placeholder for personal data.
pub(crate) struct Redacted(pub usize);

impl core::fmt::Debug for Redacted {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "<redacted {} bytes>", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_group_ids() {
        let dg2 = DataGroup::new(2);
        assert_eq!(dg2.map(DataGroup::tag), Some(0x75));
        assert_eq!(dg2.map(DataGroup::fid), Some(0x0102));
        assert_eq!(DataGroup::from_tag(0x6E), DataGroup::new(14));
        assert_eq!(DataGroup::from_fid(0x010F), DataGroup::new(15));
        assert_eq!(DataGroup::from_fid(0x011D), None);
        assert_eq!(DataGroup::new(0), None);
        assert_eq!(DataGroup::new(17), None);
        // One table of file identifiers and short identifiers.
        for f in [
            fid::EF_CARD_ACCESS,
            fid::EF_SOD,
            fid::EF_COM,
            fid::DG1,
            fid::DG15,
            0x0110,
        ] {
            assert_eq!(fid::sfi_of(f).and_then(fid::of_sfi), Some(f));
        }
        assert_eq!(fid::sfi_of(0x011F), None);
        assert_eq!(fid::of_sfi(0x1F), None);
    }
}
