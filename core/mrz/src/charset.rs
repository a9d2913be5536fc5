//! The MRZ character set (ICAO 9303 Part 3, 4.3) and the check digit.

/// The filler character.
pub const FILLER: u8 = b'<';

/// True for the 37 characters an MRZ may contain: `0-9`, `A-Z`, `<`.
pub fn is_mrz_char(c: u8) -> bool {
    c.is_ascii_digit() || c.is_ascii_uppercase() || c == FILLER
}

/// The value of a character in a check-digit computation: digits as
/// themselves, `A`=10 … `Z`=35, `<`=0. Anything else has no value.
pub fn char_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        FILLER => Some(0),
        _ => None,
    }
}

/// The weight of the `i`-th character (0-based) of a check-digit run.
pub(crate) fn weight(i: usize) -> u32 {
    [7, 3, 1][i % 3]
}

/// The check digit (0-9) over `data`: weights 7, 3, 1 repeating, sum mod 10.
/// Characters outside the MRZ set count as 0; callers validate the set first.
pub fn check_digit(data: &[u8]) -> u8 {
    let sum: u32 = data
        .iter()
        .enumerate()
        .map(|(i, &c)| char_value(c).unwrap_or(0) * weight(i))
        .sum();
    (sum % 10) as u8
}

/// The value a check-digit position stands for: a digit, or `<` read as 0
/// where the standard allows a filler there.
pub(crate) fn check_position_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        FILLER => Some(0),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icao_vectors() {
        for (data, want) in [
            ("520727", 3),
            ("AB2134<<<", 5),
            ("L898902C3", 6),
            ("ZE184226B<<<<<", 1),
            ("740812", 2),
            ("120415", 9),
        ] {
            assert_eq!(check_digit(data.as_bytes()), want, "{data}");
        }
    }

    #[test]
    fn values() {
        assert_eq!(char_value(b'<'), Some(0));
        assert_eq!(char_value(b'A'), Some(10));
        assert_eq!(char_value(b'Z'), Some(35));
        assert_eq!(char_value(b'a'), None);
        assert!(is_mrz_char(b'K') && !is_mrz_char(b' ') && !is_mrz_char(b'k'));
    }
}
