//! EF.COM: LDS version, Unicode version and the list of data groups present.

use super::{Ctx, DataGroup, LdsError};

/// EF.COM `60 { 5F01 ldsVersion, 5F36 unicodeVersion, 5C tagList }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EfCom {
    /// `"0107"` for LDS 1.7 (four digits, major then minor).
    pub lds_version: String,
    /// `"040000"` for Unicode 4.0.0 (six digits).
    pub unicode_version: String,
    /// Data groups the tag list names, in the order listed.
    pub data_groups: Vec<DataGroup>,
    /// Tags in the list that name no data group (kept for diagnostics).
    pub unknown_tags: Vec<u8>,
}

impl EfCom {
    pub fn parse(data: &[u8]) -> Result<Self, LdsError> {
        let cx = Ctx::new("EF.COM");
        let outer = cx.outer(data, 0x60, "EF.COM template")?;
        let mut lds_version = None;
        let mut unicode_version = None;
        let mut tags = None;
        let mut r = outer.children();
        while let Some(t) = r.next_tlv().map_err(cx.tlv_err("EF.COM content"))? {
            match t.tag {
                0x5F01 => lds_version = Some(digits(&cx, t.value, 4, "LDS version")?),
                0x5F36 => unicode_version = Some(digits(&cx, t.value, 6, "Unicode version")?),
                0x5C => tags = Some(t.value),
                _ => {}
            }
        }
        let tags = tags.ok_or_else(|| cx.missing("tag list"))?;
        if tags.len() > super::MAX_LIST {
            return Err(cx.too_many("tag list entries"));
        }
        let mut data_groups = Vec::new();
        let mut unknown_tags = Vec::new();
        for &tag in tags {
            match DataGroup::from_tag(tag) {
                Some(dg) if !data_groups.contains(&dg) => data_groups.push(dg),
                Some(_) => {}
                None => unknown_tags.push(tag),
            }
        }
        Ok(Self {
            lds_version: lds_version.ok_or_else(|| cx.missing("LDS version"))?,
            unicode_version: unicode_version.ok_or_else(|| cx.missing("Unicode version"))?,
            data_groups,
            unknown_tags,
        })
    }

    /// Only the tag list's data groups, for a reader choosing what to read:
    /// lenient about the version fields (some chips get them wrong), `None`
    /// when there is no readable tag list. The one EF.COM tag table:
    /// [`DataGroup::from_tag`].
    pub fn listed_data_groups(data: &[u8]) -> Option<Vec<DataGroup>> {
        let outer = super::ber::parse_one(data).ok().filter(|t| t.tag == 0x60)?;
        let mut r = outer.children();
        while let Ok(Some(t)) = r.next_tlv() {
            if t.tag == 0x5C {
                let mut out: Vec<DataGroup> = Vec::new();
                for dg in t.value.iter().filter_map(|&tag| DataGroup::from_tag(tag)) {
                    if !out.contains(&dg) {
                        out.push(dg);
                    }
                }
                return Some(out);
            }
        }
        None
    }

    /// True if the tag list names `dg`.
    pub fn lists(&self, dg: DataGroup) -> bool {
        self.data_groups.contains(&dg)
    }
}

fn digits(cx: &Ctx, value: &[u8], len: usize, field: &'static str) -> Result<String, LdsError> {
    if value.len() != len || !value.iter().all(u8::is_ascii_digit) {
        return Err(cx.invalid(field, "expected ASCII digits of the specified length"));
    }
    Ok(value.iter().map(|&b| char::from(b)).collect())
}

#[cfg(test)]
mod tests {

    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn listed_data_groups_ignore_bad_versions_and_map_by_the_one_table() {
        // 60 { 5F01 "1" (bad), 5C 61 67 68 69 6E }: 0x67/68/69 are DG7/8/9.
        let data = [
            0x60, 0x0B, 0x5F, 0x01, 0x01, b'1', 0x5C, 0x05, 0x61, 0x67, 0x68, 0x69, 0x6E,
        ];
        assert!(EfCom::parse(&data).is_err());
        let listed = EfCom::listed_data_groups(&data).unwrap();
        let numbers: Vec<u8> = listed.iter().map(|d| d.number()).collect();
        assert_eq!(numbers, vec![1, 7, 8, 9, 14]);
        assert_eq!(EfCom::listed_data_groups(&[0x61, 0x00]), None);
    }

    #[test]
    fn icao_worked_example() {
        // ICAO 9303-11 D.4: LDS 1.7, Unicode 4.0.0, DG1 and DG2.
        let data = hex("60145F0104303130365F36063034303030305C026175");
        let com = EfCom::parse(&data).unwrap();
        assert_eq!(com.lds_version, "0106");
        assert_eq!(com.unicode_version, "040000");
        assert_eq!(com.data_groups, vec![DataGroup::DG1, DataGroup::DG2]);
    }

    #[test]
    fn missing_tag_list_is_named() {
        let data = hex("60105F0104303130375F3606303430303030");
        assert_eq!(
            EfCom::parse(&data),
            Err(LdsError::Missing {
                file: "EF.COM",
                field: "tag list"
            })
        );
    }

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }
}
