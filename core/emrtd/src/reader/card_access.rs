//! What the plain files say about a chip: the PACE suites EF.CardAccess
//! offers and the data groups EF.COM lists.

use crate::lds::{DataGroup, SecurityInfo};
use crate::pace::PaceSuite;

/// PACE suites offered by EF.CardAccess that this crate implements, in the
/// chip's order. EF.CardAccess is parsed by the LDS's one SecurityInfos
/// parser ([`crate::lds::SecurityInfos::parse_card_access`]).
pub fn pace_suites_from_card_access(data: &[u8]) -> Vec<PaceSuite> {
    let mut out = Vec::new();
    let Ok(infos) = crate::lds::SecurityInfos::parse_card_access(data) else {
        return out;
    };
    for info in infos.pace_infos() {
        let Some(param) = info.parameter_id else {
            continue;
        };
        match PaceSuite::from_oid(info.oid.as_bytes(), param) {
            Ok(s) if !out.contains(&s) => out.push(s),
            _ => {}
        }
    }
    out
}

/// Whether EF.CardAccess lists any PACEInfo or PACEDomainParameterInfo
/// (id-PACE protocols), whether or not this reader implements them. Parsed by
/// the LDS's one SecurityInfos parser. A file that is present but does not
/// parse counts as offering PACE: EF.CardAccess exists for PACE, and a
/// relay that garbles it must not talk the reader down to BAC.
pub fn pace_offered_in_card_access(data: &[u8]) -> bool {
    match crate::lds::SecurityInfos::parse_card_access(data) {
        Ok(infos) => infos.infos.iter().any(|i| {
            matches!(
                i,
                SecurityInfo::Pace(_) | SecurityInfo::PaceDomainParameters(_)
            )
        }),
        Err(_) => true,
    }
}

/// Data groups listed in EF.COM that an inspection system without terminal
/// authentication can read (DG3/DG4 need EAC), as file identifiers. Tags are
/// mapped by the LDS's one table ([`DataGroup::from_tag`]); only the tag list
/// is needed, so a chip whose version fields are off is still read. When
/// there is no tag list, every data group that may be readable is tried (the
/// chip says which are missing).
pub fn files_from_com(com: &[u8]) -> Vec<u16> {
    let readable = |dg: &DataGroup| !matches!(dg.number(), 3 | 4);
    match crate::lds::EfCom::listed_data_groups(com) {
        Some(list) => list
            .into_iter()
            .filter(readable)
            .map(DataGroup::fid)
            .collect(),
        None => (1..=16)
            .filter_map(DataGroup::new)
            .filter(readable)
            .map(DataGroup::fid)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::crypto::CipherKind;
    use crate::crypto::tests::hex;
    use crate::pace::Curve;

    #[test]
    fn card_access_suites() {
        let s = pace_suites_from_card_access(&hex("31143012060A04007F0007020204020202010202010D"));
        assert_eq!(
            s,
            vec![PaceSuite::new(Curve::BrainpoolP256r1, CipherKind::Aes128)]
        );
        assert!(pace_suites_from_card_access(&[0x31, 0x05, 0, 0]).is_empty());
    }

    #[test]
    fn pace_offered_by_any_pace_info() {
        // ICAO 9303-11 G.1's EF.CardAccess: PACE-ECDH-GM, brainpoolP256r1.
        assert!(pace_offered_in_card_access(&hex(
            "31143012060A04007F0007020204020202010202010D"
        )));
        // PACE-DH-GM (not implemented here) is still PACE: no BAC fallback.
        assert!(pace_offered_in_card_access(&hex(
            "31143012060A04007F0007020204010202010202010D"
        )));
        // Only an unknown protocol (1.2.3): no PACE.
        assert!(!pace_offered_in_card_access(&hex("3109300706022A03020101")));
        // Present but garbled (truncated): treated as offering PACE.
        assert!(pace_offered_in_card_access(&hex(
            "31143012060A04007F00070202"
        )));
    }

    #[test]
    fn com_lists_readable_groups() {
        let com = hex("60145F0104303130365F36063034303030305C026175");
        assert_eq!(files_from_com(&com), vec![0x0101, 0x0102]);
        // 0x67/0x68/0x69 are DG7/8/9 (ICAO 9303-10 table 34), 0x63/0x76 (DG3/4) need EAC.
        let com = hex("60175F0104303130375F36063034303030305C056768696376");
        assert_eq!(files_from_com(&com), vec![0x0107, 0x0108, 0x0109]);
        // An EF.COM that does not parse: try every group without EAC.
        let all = files_from_com(&[0x60, 0x00]);
        assert_eq!(all.len(), 14);
        assert!(!all.contains(&0x0103) && !all.contains(&0x0104));
    }
}
