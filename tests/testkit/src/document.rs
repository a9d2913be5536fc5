//! A sandbox person's document: its MRZ (with the identity number in the
//! optional data, as Norwegian documents carry it) and its chip, issued by
//! the sandbox's test PKI so the server's trust store verifies it.
use aktiver_emrtd::issuer::{DocumentFault, DocumentSpec};
use aktiver_emrtd::lds::DataGroup;
use aktiver_emrtd::virtual_chip::{ChipProfile, Faults, VirtualChip};
use aktiver_mrz::check_digit;
use aktiver_nin::{NationalId, Policy};
use aktiver_protocol::DocumentKind;

fn digit(data: &str) -> char {
    char::from(b'0' + check_digit(data.as_bytes()))
}

/// How the document differs from a good one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentOptions {
    /// Expired a year ago.
    pub expired: bool,
    /// Carries this identity number instead of the person's.
    pub other_nin: Option<String>,
    /// A data group altered after signing.
    pub tampered: Option<u8>,
    /// The chip's keys are not the ones its DG14/DG15 name.
    pub cloned: bool,
    /// The tag leaves the field at these APDU numbers.
    pub tag_lost_at: Vec<u32>,
}

/// The MRZ lines of the person's passport (TD3) or ID card (TD1).
pub fn mrz_lines(nin: &str, kind: DocumentKind, opts: &DocumentOptions) -> Option<Vec<String>> {
    let id = NationalId::parse(nin, Policy::SANDBOX).ok()?;
    let carried = opts.other_nin.as_deref().unwrap_or(nin);
    let born = id.birth_date()?;
    let birth = format!(
        "{:02}{:02}{:02}",
        born.year() % 100,
        u8::from(born.month()),
        born.day()
    );
    let sex = match id.gender() {
        Some(aktiver_nin::Gender::Male) => 'M',
        _ => 'F',
    };
    let today = time::OffsetDateTime::now_utc().date();
    let expiry_year = if opts.expired {
        today.year() - 1
    } else {
        today.year() + 5
    };
    let expiry = format!("{:02}0630", expiry_year % 100);
    let name = "NORDMANN<<KARI";
    Some(match kind {
        DocumentKind::IdCard => {
            let number = "NA1234567";
            let l1 = format!("IDNOR{number}{}{carried:<<15}", digit(number));
            let head = format!("{birth}{}{sex}{expiry}{}NOR", digit(&birth), digit(&expiry));
            let opt2 = "<<<<<<<<<<<";
            let composite = format!("{}{}{}{}", &l1[5..30], &head[0..7], &head[8..15], opt2);
            let l2 = format!("{head}{opt2}{}", digit(&composite));
            vec![l1, l2, format!("{name:<<30}")]
        }
        DocumentKind::Passport => {
            let number = "PA1234567";
            let l1 = format!("P<NOR{name:<<39}");
            let personal = format!("{carried:<<14}");
            let l2_head = format!(
                "{number}{}NOR{birth}{}{sex}{expiry}{}{personal}{}",
                digit(number),
                digit(&birth),
                digit(&expiry),
                digit(&personal)
            );
            let composite = format!(
                "{}{}{}",
                &l2_head[0..10],
                &l2_head[13..20],
                &l2_head[21..43]
            );
            vec![l1, format!("{l2_head}{}", digit(&composite))]
        }
    })
}

/// The portrait the chip carries (DG2's image), as a browser shows it.
#[derive(Clone)]
pub struct Portrait {
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

/// Issues the document's chip with the sandbox's test PKI.
pub fn chip(
    lines: &[String],
    kind: DocumentKind,
    opts: &DocumentOptions,
) -> Result<VirtualChip, String> {
    issue(lines, kind, opts).map(|(chip, _)| chip)
}

/// Issues the document's chip, and returns its portrait beside it (for a
/// simulator to show what the chip holds).
pub fn issue(
    lines: &[String],
    kind: DocumentKind,
    opts: &DocumentOptions,
) -> Result<(VirtualChip, Option<Portrait>), String> {
    let mrz = lines.concat();
    let mut spec = match kind {
        DocumentKind::Passport => DocumentSpec::passport(&mrz),
        DocumentKind::IdCard => DocumentSpec::id_card(&mrz),
    };
    if let Some(n) = opts.tampered {
        let dg = DataGroup::new(n).ok_or("tampered: data group 1 to 16")?;
        spec = spec.with_fault(DocumentFault::TamperedDataGroup(dg));
    }
    let pki =
        aktiver_emrtd::issuer::TestPki::generate(Default::default()).map_err(|e| e.to_string())?;
    let doc = aktiver_emrtd::issuer::issue(&pki, &spec).map_err(|e| e.to_string())?;
    let profile = ChipProfile::from_issued(doc, &spec).map_err(|e| e.to_string())?;
    let portrait = profile
        .files
        .get(&0x0102)
        .and_then(|dg2| aktiver_emrtd::lds::Dg2::parse(dg2).ok())
        .and_then(|dg2| {
            let face = dg2.portrait()?;
            Some(Portrait {
                mime: face.format.mime_type(),
                bytes: face.image().to_vec(),
            })
        });
    let faults = Faults {
        tag_lost_at: opts.tag_lost_at.clone(),
        cloned: opts.cloned,
        ..Faults::default()
    };
    Ok((VirtualChip::new(profile, faults), portrait))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mrz_carries_the_number_and_holds_its_check_digits() {
        let today = time::OffsetDateTime::now_utc().date();
        for kind in [DocumentKind::IdCard, DocumentKind::Passport] {
            let lines =
                mrz_lines("15859010099", kind, &DocumentOptions::default()).unwrap_or_default();
            let m = aktiver_mrz::parse(&lines.join("\n")).map_err(|e| e.to_string());
            let m = m.unwrap_or_else(|e| panic!("{kind:?}: {e}"));
            assert!(m.is_valid(), "{kind:?}");
            assert!(
                m.check_rules(&aktiver_mrz::DocumentRules::norwegian(today))
                    .is_ok()
            );
            assert_eq!(
                m.national_identity_number(Policy::SANDBOX)
                    .map(|n| n.as_str().to_owned())
                    .as_deref(),
                Some("15859010099")
            );
        }
    }
}
