//! DG11 (additional personal details) and DG12 (additional document
//! details): tagged text fields. Everything here is personal data, so
//! `Debug` lists which fields are present, never their content.

use super::{Ctx, LdsError, MAX_LIST, Redacted};

/// One tagged field: tag and its text (lossy UTF-8) or raw bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct TextField {
    pub tag: u32,
    pub value: Vec<u8>,
}

impl TextField {
    /// The value as text; LDS text is UTF-8 (older chips: Latin-1, which
    /// this maps byte-by-byte when the bytes are not valid UTF-8).
    pub fn text(&self) -> String {
        match core::str::from_utf8(&self.value) {
            Ok(s) => s.to_owned(),
            Err(_) => self.value.iter().map(|&b| char::from(b)).collect(),
        }
    }
}

impl core::fmt::Debug for TextField {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{:#X}: {:?}", self.tag, Redacted(self.value.len()))
    }
}

fn parse_fields(cx: &Ctx, data: &[u8], tag: u32) -> Result<(Vec<u8>, Vec<TextField>), LdsError> {
    let outer = cx.outer(data, tag, "template")?;
    let mut tag_list = Vec::new();
    let mut fields = Vec::new();
    let mut r = outer.children();
    while let Some(t) = r.next_tlv().map_err(cx.tlv_err("fields"))? {
        if fields.len() >= MAX_LIST {
            return Err(cx.too_many("fields"));
        }
        match t.tag {
            0x5C => tag_list = t.value.to_vec(),
            // Content-specific constructed: `A0 { 02 count, 5F0F name, ... }`.
            0xA0 => {
                let mut ir = t.children();
                while let Some(i) = ir.next_tlv().map_err(cx.tlv_err("nested fields"))? {
                    if i.tag == 0x02 {
                        continue;
                    }
                    if fields.len() >= MAX_LIST {
                        return Err(cx.too_many("fields"));
                    }
                    fields.push(TextField {
                        tag: i.tag,
                        value: i.value.to_vec(),
                    });
                }
            }
            _ => fields.push(TextField {
                tag: t.tag,
                value: t.value.to_vec(),
            }),
        }
    }
    Ok((tag_list, fields))
}

/// A date field as digits: BCD (two digits per byte, as some issuers store
/// DG11/DG12 dates) when every nibble is a decimal digit and the value is
/// not already ASCII digits, else the text.
fn date(fields: &[TextField], tag: u32) -> Option<String> {
    let f = fields.iter().find(|f| f.tag == tag)?;
    let ascii = f.value.iter().all(u8::is_ascii_digit);
    let bcd =
        matches!(f.value.len(), 4 | 7) && f.value.iter().all(|b| b >> 4 <= 9 && b & 0x0F <= 9);
    if bcd && !ascii {
        return Some(
            f.value
                .iter()
                .flat_map(|b| [char::from(b'0' + (b >> 4)), char::from(b'0' + (b & 0x0F))])
                .collect(),
        );
    }
    Some(f.text())
}

fn first(fields: &[TextField], tag: u32) -> Option<String> {
    fields.iter().find(|f| f.tag == tag).map(TextField::text)
}

fn all(fields: &[TextField], tag: u32) -> Vec<String> {
    fields
        .iter()
        .filter(|f| f.tag == tag)
        .map(TextField::text)
        .collect()
}

/// DG11 `6B`.
#[derive(Clone, PartialEq, Eq)]
pub struct Dg11 {
    /// The tag list (`5C`) as encoded: which fields the issuer says are present.
    pub tag_list: Vec<u8>,
    pub fields: Vec<TextField>,
}

impl core::fmt::Debug for Dg11 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Dg11")
            .field("fields", &self.fields)
            .finish()
    }
}

impl Dg11 {
    pub const FULL_NAME: u32 = 0x5F0E;
    pub const OTHER_NAME: u32 = 0x5F0F;
    pub const PERSONAL_NUMBER: u32 = 0x5F10;
    pub const PLACE_OF_BIRTH: u32 = 0x5F11;
    pub const TELEPHONE: u32 = 0x5F12;
    pub const PROFESSION: u32 = 0x5F13;
    pub const TITLE: u32 = 0x5F14;
    pub const PERSONAL_SUMMARY: u32 = 0x5F15;
    pub const PROOF_OF_CITIZENSHIP: u32 = 0x5F16;
    pub const OTHER_TD_NUMBERS: u32 = 0x5F17;
    pub const CUSTODY_INFORMATION: u32 = 0x5F18;
    pub const FULL_DATE_OF_BIRTH: u32 = 0x5F2B;
    pub const ADDRESS: u32 = 0x5F42;

    pub fn parse(data: &[u8]) -> Result<Self, LdsError> {
        let (tag_list, fields) = parse_fields(&Ctx::new("DG11"), data, 0x6B)?;
        Ok(Self { tag_list, fields })
    }

    /// Name of holder, primary and secondary identifiers separated by `<<`.
    pub fn full_name(&self) -> Option<String> {
        first(&self.fields, Self::FULL_NAME)
    }
    pub fn other_names(&self) -> Vec<String> {
        all(&self.fields, Self::OTHER_NAME)
    }
    pub fn personal_number(&self) -> Option<String> {
        first(&self.fields, Self::PERSONAL_NUMBER)
    }
    /// `YYYYMMDD` as text, whether the issuer wrote ASCII digits or 4-byte
    /// BCD (ICAO 9303-10 allows both).
    pub fn full_date_of_birth(&self) -> Option<String> {
        date(&self.fields, Self::FULL_DATE_OF_BIRTH)
    }
    pub fn place_of_birth(&self) -> Option<String> {
        first(&self.fields, Self::PLACE_OF_BIRTH)
    }
    pub fn address(&self) -> Option<String> {
        first(&self.fields, Self::ADDRESS)
    }
    pub fn telephone(&self) -> Option<String> {
        first(&self.fields, Self::TELEPHONE)
    }
    pub fn profession(&self) -> Option<String> {
        first(&self.fields, Self::PROFESSION)
    }
    pub fn title(&self) -> Option<String> {
        first(&self.fields, Self::TITLE)
    }
    pub fn field(&self, tag: u32) -> Option<&TextField> {
        self.fields.iter().find(|f| f.tag == tag)
    }
}

/// DG12 `6C`.
#[derive(Clone, PartialEq, Eq)]
pub struct Dg12 {
    pub tag_list: Vec<u8>,
    pub fields: Vec<TextField>,
}

impl core::fmt::Debug for Dg12 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Dg12")
            .field("fields", &self.fields)
            .finish()
    }
}

impl Dg12 {
    pub const ISSUING_AUTHORITY: u32 = 0x5F19;
    pub const OTHER_PERSON: u32 = 0x5F1A;
    pub const ENDORSEMENTS: u32 = 0x5F1B;
    pub const TAX_EXIT_REQUIREMENTS: u32 = 0x5F1C;
    pub const IMAGE_FRONT: u32 = 0x5F1D;
    pub const IMAGE_REAR: u32 = 0x5F1E;
    pub const DATE_OF_ISSUE: u32 = 0x5F26;
    pub const PERSONALIZATION_TIME: u32 = 0x5F55;
    pub const PERSONALIZATION_DEVICE: u32 = 0x5F56;

    pub fn parse(data: &[u8]) -> Result<Self, LdsError> {
        let (tag_list, fields) = parse_fields(&Ctx::new("DG12"), data, 0x6C)?;
        Ok(Self { tag_list, fields })
    }

    pub fn issuing_authority(&self) -> Option<String> {
        first(&self.fields, Self::ISSUING_AUTHORITY)
    }
    /// `YYYYMMDD`, from ASCII digits or 4-byte BCD.
    pub fn date_of_issue(&self) -> Option<String> {
        date(&self.fields, Self::DATE_OF_ISSUE)
    }
    pub fn other_persons(&self) -> Vec<String> {
        all(&self.fields, Self::OTHER_PERSON)
    }
    pub fn endorsements(&self) -> Option<String> {
        first(&self.fields, Self::ENDORSEMENTS)
    }
    /// `YYYYMMDDhhmmss`, from ASCII digits or 7-byte BCD.
    pub fn personalization_time(&self) -> Option<String> {
        date(&self.fields, Self::PERSONALIZATION_TIME)
    }
    pub fn field(&self, tag: u32) -> Option<&TextField> {
        self.fields.iter().find(|f| f.tag == tag)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn dg11_fields_and_redaction() {
        let name = b"NORDMANN<<KARI";
        let mut inner = vec![0x5C, 0x04, 0x5F, 0x0E, 0x5F, 0x2B];
        inner.extend_from_slice(&[0x5F, 0x0E, name.len() as u8]);
        inner.extend_from_slice(name);
        inner.extend_from_slice(&[0x5F, 0x2B, 0x08]);
        inner.extend_from_slice(b"19800101");
        inner.extend_from_slice(&[0xA0, 0x08, 0x02, 0x01, 0x01, 0x5F, 0x0F, 0x02, b'K', b'N']);
        let mut data = vec![0x6B, inner.len() as u8];
        data.extend_from_slice(&inner);
        let dg = Dg11::parse(&data).unwrap();
        assert_eq!(dg.full_name().as_deref(), Some("NORDMANN<<KARI"));
        assert_eq!(dg.full_date_of_birth().as_deref(), Some("19800101"));
        assert_eq!(dg.other_names(), vec!["KN".to_owned()]);
        let dbg = format!("{dg:?}");
        assert!(!dbg.contains("NORDMANN") && !dbg.contains("1980"), "{dbg}");
    }

    #[test]
    fn bcd_dates_read_as_digits() {
        // DG12 with date of issue 2019-03-14 as BCD and personalization time
        // 2019-03-14 10:20:30 as BCD; DG11 date of birth 1980-01-01 as BCD.
        let data = [
            0x6C, 0x17, 0x5C, 0x04, 0x5F, 0x26, 0x5F, 0x55, 0x5F, 0x26, 0x04, 0x20, 0x19, 0x03,
            0x14, 0x5F, 0x55, 0x07, 0x20, 0x19, 0x03, 0x14, 0x10, 0x20, 0x30,
        ];
        let dg = Dg12::parse(&data).unwrap();
        assert_eq!(dg.date_of_issue().as_deref(), Some("20190314"));
        assert_eq!(dg.personalization_time().as_deref(), Some("20190314102030"));
        let data = [
            0x6B, 0x0B, 0x5C, 0x02, 0x5F, 0x2B, 0x5F, 0x2B, 0x04, 0x19, 0x80, 0x01, 0x01,
        ];
        let dg = Dg11::parse(&data).unwrap();
        assert_eq!(dg.full_date_of_birth().as_deref(), Some("19800101"));
    }

    #[test]
    fn dg12_latin1_fallback() {
        let data = [0x6C, 0x07, 0x5F, 0x19, 0x04, b'O', b'S', 0xD8, b'L'];
        let dg = Dg12::parse(&data).unwrap();
        assert_eq!(dg.issuing_authority().as_deref(), Some("OSØL"));
    }
}
