//! The MRZ layouts the reader looks for, their per-position character classes and
//! their check digits (ICAO 9303 Part 3 section 4.9, Parts 4 to 7).

/// The MRZ formats: aktiver_mrz's one enum. The reader locates three shapes
/// (3 x 30, 2 x 36, 2 x 44) and reads them as TD1, TD2 or TD3; a reading
/// whose document code starts with `V` is a visa of that shape.
pub use aktiver_mrz::Format;

/// The shapes the reader looks for, with their line counts.
pub const SHAPES: [(Format, usize); 3] = [(Format::Td1, 3), (Format::Td2, 2), (Format::Td3, 2)];

/// What the reader needs of a format beyond its shape.
pub trait FormatExt {
    fn lines(self) -> usize;
    fn chars(self) -> usize;
    /// The format of a reading of this shape whose first line is `first`:
    /// a visa when the document code starts with `V`.
    fn of_reading(self, first: &str) -> Format;
    /// Line length over text height: 30 characters of OCR-B size 1 measure
    /// about 32 cap heights (ICAO 9303: 2.54 mm pitch, 2.35 mm capitals).
    fn caps_per_line(self) -> f32;
}

impl FormatExt for Format {
    fn lines(self) -> usize {
        self.shape().0
    }

    fn chars(self) -> usize {
        self.shape().1
    }

    fn of_reading(self, first: &str) -> Format {
        match (self, first.starts_with('V')) {
            (Format::Td2, true) => Format::MrvB,
            (Format::Td3, true) => Format::MrvA,
            (f, _) => f,
        }
    }

    fn caps_per_line(self) -> f32 {
        self.chars() as f32 * 32.3 / 30.0
    }
}

/// What a position may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Digit,
    /// A-Z and the filler.
    Alpha,
    Any,
    /// The holder's sex: `F`, `M`, `X` or the filler.
    Sex,
}

impl Class {
    pub fn allows(self, c: char) -> bool {
        match self {
            Self::Digit => c.is_ascii_digit(),
            Self::Alpha => c.is_ascii_uppercase() || c == '<',
            Self::Any => c.is_ascii_digit() || c.is_ascii_uppercase() || c == '<',
            Self::Sex => matches!(c, 'F' | 'M' | 'X' | '<'),
        }
    }
}

/// The class of each position (0-based line and column).
pub fn class_at(format: Format, line: usize, col: usize) -> Class {
    use Class::{Alpha, Any, Digit, Sex};
    match (format, line) {
        (Format::Td2 | Format::Td3 | Format::MrvA | Format::MrvB, 1) => match col {
            0..=8 => Any,
            9 | 13..=19 | 21..=27 => Digit,
            10..=12 => Alpha,
            20 => Sex,
            // The composite check digit; a visa has optional data there,
            // and the reader reads visas as TD2 or TD3 (the document code
            // is read with the same line).
            35 if format == Format::Td2 => Digit,
            43 if format == Format::Td3 => Digit,
            // Personal number or optional data, and its check digit, may be
            // fillers.
            _ => Any,
        },
        (Format::Td1, 0) => match col {
            0..=4 => Alpha,
            // A long document number puts a filler in the check-digit position.
            _ => Any,
        },
        (Format::Td1, 1) => match col {
            0..=6 | 8..=14 | 29 => Digit,
            7 => Sex,
            15..=17 => Alpha,
            _ => Any,
        },
        _ => Alpha,
    }
}

/// Whether a position lies in a field with its own check digit (document number,
/// dates, TD3 personal number). Elsewhere only the composite digit, or nothing,
/// catches a misread, and repeated confusions can cancel out in it.
pub fn field_checked(format: Format, line: usize, col: usize) -> bool {
    match (format, line) {
        (Format::Td3, 1) => matches!(col, 0..=9 | 13..=19 | 21..=42),
        (Format::Td2 | Format::MrvA | Format::MrvB, 1) => matches!(col, 0..=9 | 13..=19 | 21..=27),
        (Format::Td1, 0) => matches!(col, 5..=14),
        (Format::Td1, 1) => matches!(col, 0..=6 | 8..=14),
        _ => false,
    }
}

/// Where a state code (the issuing state, the nationality) lies: its line
/// and first column, if `col` of `line` is in one.
pub fn state_field(format: Format, line: usize, col: usize) -> Option<(usize, usize)> {
    let nationality = if format == Format::Td1 { 15 } else { 10 };
    match line {
        0 if (2..5).contains(&col) => Some((0, 2)),
        1 if (nationality..nationality + 3).contains(&col) => Some((1, nationality)),
        _ => None,
    }
}

/// Whether any check digit covers a position: its field's own or only the
/// composite (TD1 optional data). Two close calls there can cancel out: an
/// `O` for a `0` at weights 7 and 3 adds 24 * 10 to the composite sum.
pub fn check_covered(format: Format, line: usize, col: usize) -> bool {
    field_checked(format, line, col)
        || match (format, line) {
            (Format::Td1, 0) => matches!(col, 15..=29),
            (Format::Td1, 1) => matches!(col, 18..=28),
            (Format::Td2, 1) => matches!(col, 28..=34),
            _ => false,
        }
}

/// ICAO 9303 check-digit value of one character; `None` for characters outside the MRZ set.
pub fn char_value(c: char) -> Option<u32> {
    u8::try_from(c).ok().and_then(aktiver_mrz::char_value)
}

/// Check digit over `s` (aktiver_mrz's, the project's one); `None` when `s`
/// holds a character outside the MRZ set.
pub fn check_digit(s: &str) -> Option<char> {
    if !s.bytes().all(aktiver_mrz::is_mrz_char) {
        return None;
    }
    Some(char::from(b'0' + aktiver_mrz::check_digit(s.as_bytes())))
}

fn holds(field: &str, cd: &str) -> bool {
    cd.chars().next() == check_digit(field) && cd.len() == 1
}

/// Whether every check digit of an MRZ holds.
pub fn check_digits_hold(format: Format, lines: &[String]) -> bool {
    if lines.len() != format.lines()
        || lines
            .iter()
            .any(|l| l.len() != format.chars() || !l.chars().all(|c| char_value(c).is_some()))
    {
        return false;
    }
    let seg = |l: usize, a: usize, b: usize| lines.get(l).and_then(|s| s.get(a..b)).unwrap_or("");
    match format {
        Format::Td3 => {
            let personal_ok = if seg(1, 42, 43) == "<" {
                seg(1, 28, 42).chars().all(|c| c == '<')
            } else {
                holds(seg(1, 28, 42), seg(1, 42, 43))
            };
            let composite = format!("{}{}{}", seg(1, 0, 10), seg(1, 13, 20), seg(1, 21, 43));
            holds(seg(1, 0, 9), seg(1, 9, 10))
                && holds(seg(1, 13, 19), seg(1, 19, 20))
                && holds(seg(1, 21, 27), seg(1, 27, 28))
                && personal_ok
                && holds(&composite, seg(1, 43, 44))
        }
        Format::Td2 => {
            let composite = format!("{}{}{}", seg(1, 0, 10), seg(1, 13, 20), seg(1, 21, 35));
            holds(seg(1, 0, 9), seg(1, 9, 10))
                && holds(seg(1, 13, 19), seg(1, 19, 20))
                && holds(seg(1, 21, 27), seg(1, 27, 28))
                && holds(&composite, seg(1, 35, 36))
        }
        Format::MrvA | Format::MrvB => {
            holds(seg(1, 0, 9), seg(1, 9, 10))
                && holds(seg(1, 13, 19), seg(1, 19, 20))
                && holds(seg(1, 21, 27), seg(1, 27, 28))
        }
        Format::Td1 => {
            let number_ok = if seg(0, 14, 15) == "<" {
                // Long document number: continues in the optional data, its check
                // digit is the last character before the first filler.
                let opt = seg(0, 15, 30);
                let end = opt.find('<').unwrap_or(opt.len());
                end >= 2
                    && holds(
                        &format!("{}{}", seg(0, 5, 14), opt.get(..end - 1).unwrap_or("")),
                        opt.get(end - 1..end).unwrap_or(""),
                    )
            } else {
                holds(seg(0, 5, 14), seg(0, 14, 15))
            };
            let composite = format!(
                "{}{}{}{}",
                seg(0, 5, 30),
                seg(1, 0, 7),
                seg(1, 8, 15),
                seg(1, 18, 29)
            );
            number_ok
                && holds(seg(1, 0, 6), seg(1, 6, 7))
                && holds(seg(1, 8, 14), seg(1, 14, 15))
                && holds(&composite, seg(1, 29, 30))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn icao_vectors() {
        for (s, d) in [
            ("520727", '3'),
            ("AB2134<<<", '5'),
            ("L898902C3", '6'),
            ("ZE184226B<<<<<", '1'),
            ("740812", '2'),
            ("120415", '9'),
        ] {
            assert_eq!(check_digit(s), Some(d), "{s}");
        }
    }

    #[test]
    fn specimens() {
        let td3 = [
            "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<".to_string(),
            "L898902C36UTO7408122F1204159ZE184226B<<<<<10".to_string(),
        ];
        assert!(check_digits_hold(Format::Td3, &td3));
        let td1 = [
            "I<UTOD231458907<<<<<<<<<<<<<<<".to_string(),
            "7408122F1204159UTO<<<<<<<<<<<6".to_string(),
            "ERIKSSON<<ANNA<MARIA<<<<<<<<<<".to_string(),
        ];
        assert!(check_digits_hold(Format::Td1, &td1));
        let long = [
            "I<UTOD23145890<7349<<<<<<<<<<<".to_string(),
            "3407127M9507122UTO<<<<<<<<<<<2".to_string(),
            "STEVENSON<<PETER<JOHN<<<<<<<<<".to_string(),
        ];
        assert!(check_digits_hold(Format::Td1, &long));
        let mut bad = td3.clone();
        bad[1].replace_range(0..1, "I");
        assert!(!check_digits_hold(Format::Td3, &bad));
        for (l, line) in td1.iter().enumerate() {
            for (c, ch) in line.chars().enumerate() {
                assert!(class_at(Format::Td1, l, c).allows(ch), "{l} {c}");
            }
        }
        for (l, line) in td3.iter().enumerate() {
            for (c, ch) in line.chars().enumerate() {
                assert!(class_at(Format::Td3, l, c).allows(ch), "{l} {c}");
            }
        }
    }
}
