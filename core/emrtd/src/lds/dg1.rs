//! DG1: the MRZ as printed, `61 { 5F1F mrz }`.

use super::{Ctx, LdsError, Redacted};

/// MRZ layout: aktiver_mrz's one format enum (DG1 holds TD1, TD2 or TD3 by
/// length; a 72-character visa MRZ reads as TD2).
pub use aktiver_mrz::Format as MrzFormat;

/// DG1. `Debug` never shows the MRZ.
#[derive(Clone, PartialEq, Eq)]
pub struct Dg1 {
    mrz: String,
    format: MrzFormat,
}

impl core::fmt::Debug for Dg1 {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Dg1")
            .field("format", &self.format)
            .field("mrz", &Redacted(self.mrz.len()))
            .finish()
    }
}

impl Dg1 {
    pub fn parse(data: &[u8]) -> Result<Self, LdsError> {
        let cx = Ctx::new("DG1");
        let outer = cx.outer(data, 0x61, "DG1 template")?;
        let mut r = outer.children();
        let mrz = cx.next(&mut r, 0x5F1F, "MRZ data element")?;
        let format = match mrz.value.len() {
            90 => MrzFormat::Td1,
            72 => MrzFormat::Td2,
            88 => MrzFormat::Td3,
            _ => return Err(cx.invalid("MRZ data element", "length is not 90, 72 or 88")),
        };
        if !mrz
            .value
            .iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'<')
        {
            return Err(cx.invalid("MRZ data element", "characters outside A-Z, 0-9 and <"));
        }
        Ok(Self {
            mrz: mrz.value.iter().map(|&b| char::from(b)).collect(),
            format,
        })
    }

    /// The MRZ as one string without line breaks.
    pub fn mrz(&self) -> &str {
        &self.mrz
    }

    /// The MRZ split into its printed lines.
    pub fn lines(&self) -> Vec<&str> {
        let n = self.format.chars();
        (0..self.format.lines())
            .filter_map(|i| self.mrz.get(i * n..(i + 1) * n))
            .collect()
    }

    pub fn format(&self) -> MrzFormat {
        self.format
    }

    /// True if `scanned` (an MRZ as read by the camera, with or without
    /// line breaks) is the same MRZ as the chip's. Constant time over the
    /// MRZ length, so a timing probe learns nothing.
    pub fn matches_scanned(&self, scanned: &str) -> bool {
        let scanned: Vec<u8> = scanned
            .bytes()
            .filter(|b| !b.is_ascii_whitespace())
            .map(|b| b.to_ascii_uppercase())
            .collect();
        if scanned.len() != self.mrz.len() {
            return false;
        }
        // The project's one constant-time compare is subtle's (crypto::ct_eq
        // wraps it; the document side does not depend on the protocol side).
        bool::from(subtle::ConstantTimeEq::ct_eq(
            scanned.as_slice(),
            self.mrz.as_bytes(),
        ))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const TD3: &str =
        "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<L898902C36UTO7408122F1204159ZE184226B<<<<<10";

    fn dg1(mrz: &str) -> Vec<u8> {
        let mut v = vec![0x61, (mrz.len() + 3) as u8, 0x5F, 0x1F, mrz.len() as u8];
        v.extend_from_slice(mrz.as_bytes());
        v
    }

    #[test]
    fn td3_parses_and_debug_redacts() {
        let d = Dg1::parse(&dg1(TD3)).unwrap();
        assert_eq!(d.format(), MrzFormat::Td3);
        assert_eq!(d.lines().len(), 2);
        assert_eq!(d.mrz(), TD3);
        let dbg = format!("{d:?}");
        assert!(!dbg.contains("ERIKSSON"), "{dbg}");
    }

    #[test]
    fn scanned_mrz_comparison() {
        let d = Dg1::parse(&dg1(TD3)).unwrap();
        let scanned = format!("{}\n{}\n", &TD3[..44], &TD3[44..]);
        assert!(d.matches_scanned(&scanned));
        assert!(!d.matches_scanned(&scanned.replace("L898902C3", "L898902C4")));
        assert!(!d.matches_scanned(&TD3[..44]));
    }

    #[test]
    fn wrong_length_is_rejected() {
        assert!(matches!(
            Dg1::parse(&dg1("P<UTO")),
            Err(LdsError::Invalid { file: "DG1", .. })
        ));
    }
}
