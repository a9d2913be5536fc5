//! Six-digit MRZ dates and their century.

use time::{Date, Month};

/// A date as printed in the MRZ (`YYMMDD`) and the full date it stands for.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MrzDate {
    /// As printed: six characters, `<` where a part is unknown.
    pub raw: String,
    /// The full date, when the printed one is complete and possible.
    pub date: Option<Date>,
}

impl core::fmt::Debug for MrzDate {
    // Birth dates are personal data.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("MrzDate(..)")
    }
}

impl MrzDate {
    /// The date as ISO 8601 (`YYYY-MM-DD`), when known.
    pub fn iso(&self) -> Option<String> {
        self.date
            .map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day()))
    }

    pub(crate) fn birth(raw: &[u8], today: Date) -> MrzDate {
        // A birth date is never in the future: the latest century that
        // keeps it on or before today.
        let date = split(raw).and_then(|(yy, m, d)| {
            let this_century = today.year() - today.year().rem_euclid(100);
            [this_century, this_century - 100]
                .into_iter()
                .filter_map(|c| make(c + yy, m, d))
                .find(|date| *date <= today)
        });
        MrzDate {
            raw: String::from_utf8_lossy(raw).into_owned(),
            date,
        }
    }

    pub(crate) fn expiry(raw: &[u8], today: Date) -> MrzDate {
        // Expiry dates lie within fifty years either side of today.
        let date = split(raw).and_then(|(yy, m, d)| {
            let this_century = today.year() - today.year().rem_euclid(100);
            [this_century - 100, this_century, this_century + 100]
                .into_iter()
                .map(|c| c + yy)
                .find(|y| (today.year() - 50..today.year() + 50).contains(y))
                .and_then(|y| make(y, m, d))
        });
        MrzDate {
            raw: String::from_utf8_lossy(raw).into_owned(),
            date,
        }
    }
}

fn split(raw: &[u8]) -> Option<(i32, u8, u8)> {
    let digits: Vec<u8> = raw
        .iter()
        .map(|c| c.checked_sub(b'0').filter(|d| *d <= 9))
        .collect::<Option<_>>()?;
    let [y1, y2, m1, m2, d1, d2] = <[u8; 6]>::try_from(digits).ok()?;
    Some((i32::from(y1 * 10 + y2), m1 * 10 + m2, d1 * 10 + d2))
}

fn make(year: i32, month: u8, day: u8) -> Option<Date> {
    Date::from_calendar_date(year, Month::try_from(month).ok()?, day).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn birth_dates_are_in_the_past() {
        let today = date!(2026 - 11 - 21);
        assert_eq!(
            MrzDate::birth(b"740812", today).date,
            Some(date!(1974 - 08 - 12))
        );
        assert_eq!(
            MrzDate::birth(b"261121", today).date,
            Some(date!(2026 - 11 - 21))
        );
        assert_eq!(
            MrzDate::birth(b"261122", today).date,
            Some(date!(1926 - 11 - 22))
        );
        assert_eq!(
            MrzDate::birth(b"050101", today).date,
            Some(date!(2005 - 01 - 01))
        );
        assert_eq!(MrzDate::birth(b"7408<<", today).date, None);
        assert_eq!(MrzDate::birth(b"740230", today).date, None);
    }

    #[test]
    fn expiry_dates_get_their_century() {
        let today = date!(2026 - 11 - 21);
        assert_eq!(
            MrzDate::expiry(b"120415", today).date,
            Some(date!(2012 - 04 - 15))
        );
        assert_eq!(
            MrzDate::expiry(b"950712", today).date,
            Some(date!(1995 - 07 - 12))
        );
        assert_eq!(
            MrzDate::expiry(b"360101", today).date,
            Some(date!(2036 - 01 - 01))
        );
        assert_eq!(
            MrzDate::expiry(b"360101", today).iso().as_deref(),
            Some("2036-01-01")
        );
    }
}
