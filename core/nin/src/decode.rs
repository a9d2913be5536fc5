//! What the first nine digits say: kind, synthetic marker, date, century.

use time::{Date, Month};

use crate::control::ControlRule;
use crate::{NinError, NinKind, Synthetic};

/// The birth date parts of a number that has a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DateParts {
    pub day: u8,
    pub month: Month,
    /// `Some` only for classic-rule numbers whose individual number falls in a
    /// range that fixes the century.
    pub date: Option<Date>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Decoded {
    pub kind: NinKind,
    pub synthetic: Option<Synthetic>,
    pub date: Option<DateParts>,
}

fn two(digits: &[u8; 11], at: usize) -> u8 {
    digits[at] * 10 + digits[at + 1]
}

/// The century from the individual number (Skatteetaten's pre-2032 table).
/// `None` for the combinations the table leaves unassigned.
pub(crate) fn century(individual: u16, yy: u8) -> Option<i32> {
    match individual {
        0..=499 => Some(1900),
        500..=749 if yy >= 54 => Some(1800),
        900..=999 if yy >= 40 => Some(1900),
        500..=999 if yy < 40 => Some(2000),
        _ => None,
    }
}

/// Decode digits whose control digits have already been checked with `rule`.
pub(crate) fn decode(digits: &[u8; 11], rule: ControlRule) -> Result<Decoded, NinError> {
    if digits[0] >= 8 {
        // FH-numbers carry no date; the remaining digits are arbitrary.
        return Ok(Decoded {
            kind: NinKind::FhNumber,
            synthetic: None,
            date: None,
        });
    }
    let (day, d_number) = match two(digits, 0) {
        dd @ 1..=31 => (dd, false),
        dd @ 41..=71 => (dd - 40, true),
        _ => return Err(NinError::ImpossibleDate),
    };
    let (month, h_number, synthetic) = match two(digits, 2) {
        mm @ 1..=12 => (mm, false, None),
        mm @ 41..=52 => (mm - 40, true, None),
        mm @ 81..=92 => (mm - 80, false, Some(Synthetic::Tenor)),
        _ => return Err(NinError::ImpossibleDate),
    };
    let kind = match (d_number, h_number) {
        (false, false) => NinKind::Ordinary,
        (true, false) => NinKind::DNumber,
        (false, true) => NinKind::HNumber,
        // No register issues a number that is both; reading one as either
        // kind would be a guess.
        (true, true) => return Err(NinError::ImpossibleDate),
    };
    let month = Month::try_from(month).map_err(|_| NinError::ImpossibleDate)?;
    let yy = two(digits, 4);
    let individual = u16::from(digits[6]) * 100 + u16::from(two(digits, 7));
    let known_century = match rule {
        ControlRule::Classic => century(individual, yy),
        ControlRule::From2032 => None,
    };
    let on = |c: i32| Date::from_calendar_date(c + i32::from(yy), month, day).ok();
    let date = match known_century {
        Some(c) => Some(on(c).ok_or(NinError::ImpossibleDate)?),
        None => {
            // Without a century, 29 February is possible when either 19yy or
            // 20yy is a leap year (that covers 18yy too).
            if on(1900).is_none() && on(2000).is_none() {
                return Err(NinError::ImpossibleDate);
            }
            None
        }
    };
    Ok(Decoded {
        kind,
        synthetic,
        date: Some(DateParts { day, month, date }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn century_table() {
        assert_eq!(century(0, 0), Some(1900));
        assert_eq!(century(499, 99), Some(1900));
        assert_eq!(century(500, 54), Some(1800));
        assert_eq!(century(749, 99), Some(1800));
        assert_eq!(century(500, 53), None);
        assert_eq!(century(749, 40), None);
        assert_eq!(century(500, 39), Some(2000));
        assert_eq!(century(999, 0), Some(2000));
        assert_eq!(century(900, 40), Some(1900));
        assert_eq!(century(999, 99), Some(1900));
        assert_eq!(century(750, 40), None);
        assert_eq!(century(899, 99), None);
        assert_eq!(century(750, 39), Some(2000));
    }
}
