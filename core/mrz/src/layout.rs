//! Where every field sits in each MRZ format (ICAO 9303 Parts 4-7).

use crate::charset::FILLER;

/// The MRZ formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// ID-1 size cards: 3 lines of 30.
    Td1,
    /// ID-2 size cards: 2 lines of 36.
    Td2,
    /// Passports: 2 lines of 44.
    Td3,
    /// Visas on passport-size pages: 2 lines of 44.
    MrvA,
    /// Visas on ID-2 size: 2 lines of 36.
    MrvB,
}

impl Format {
    /// Lines and characters per line.
    pub fn shape(self) -> (usize, usize) {
        match self {
            Format::Td1 => (3, 30),
            Format::Td2 | Format::MrvB => (2, 36),
            Format::Td3 | Format::MrvA => (2, 44),
        }
    }

    /// Number of lines.
    pub fn lines(self) -> usize {
        self.shape().0
    }

    /// Characters per line.
    pub fn chars(self) -> usize {
        self.shape().1
    }

    /// A stable lower-case name (`td1`, `td2`, `td3`, `mrv_a`, `mrv_b`).
    pub fn name(self) -> &'static str {
        match self {
            Format::Td1 => "td1",
            Format::Td2 => "td2",
            Format::Td3 => "td3",
            Format::MrvA => "mrv_a",
            Format::MrvB => "mrv_b",
        }
    }

    /// The format of `line_count` lines of `width` characters whose first
    /// character is `first` (`V` marks a visa).
    pub(crate) fn detect(line_count: usize, width: usize, first: u8) -> Option<Format> {
        let visa = first == b'V';
        match (line_count, width, visa) {
            (3, 30, _) => Some(Format::Td1),
            (2, 36, false) => Some(Format::Td2),
            (2, 36, true) => Some(Format::MrvB),
            (2, 44, false) => Some(Format::Td3),
            (2, 44, true) => Some(Format::MrvA),
            _ => None,
        }
    }
}

/// What a position may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `A-Z` and `<`: names, codes.
    Alpha,
    /// `0-9`; `<` is tolerated in dates only where a part is unknown.
    Date,
    /// `0-9`, `A-Z`, `<`: document numbers, optional data.
    AlphaNum,
    /// `M`, `F`, `X` or `<`.
    Sex,
    /// `0-9`, and `<` where the standard allows a filler there.
    Check,
}

impl Kind {
    /// Whether `c` is legal here when reading an MRZ as printed.
    pub(crate) fn allows(self, c: u8) -> bool {
        match self {
            Kind::Alpha => c.is_ascii_uppercase() || c == FILLER,
            Kind::Date | Kind::Check => c.is_ascii_digit() || c == FILLER,
            Kind::AlphaNum => c.is_ascii_uppercase() || c.is_ascii_digit() || c == FILLER,
            Kind::Sex => matches!(c, b'M' | b'F' | b'X' | FILLER),
        }
    }

    /// The characters a repair may put here. Narrower than [`Kind::allows`]:
    /// a repair never invents an unknown date part, and in a check position
    /// `<` and `0` mean the same, so only digits are offered.
    pub(crate) fn repair_alphabet(self) -> &'static [u8] {
        const DIGITS: &[u8] = b"0123456789";
        const ALPHA: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ<";
        const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<";
        match self {
            Kind::Alpha => ALPHA,
            Kind::Date | Kind::Check => DIGITS,
            Kind::AlphaNum => ALNUM,
            Kind::Sex => b"MFX<",
        }
    }
}

/// A run of characters on one line (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub line: usize,
    pub start: usize,
    pub len: usize,
}

const fn span(line: usize, start: usize, len: usize) -> Span {
    Span { line, start, len }
}

/// Every field of a format.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Layout {
    pub document_code: Span,
    pub issuing_state: Span,
    pub names: Span,
    pub document_number: Span,
    pub document_number_check: Span,
    pub birth_date: Span,
    pub birth_date_check: Span,
    pub sex: Span,
    pub expiry_date: Span,
    pub expiry_date_check: Span,
    pub nationality: Span,
    /// TD1 line 1 optional data, TD3 personal number, TD2/MRV optional data.
    pub optional_1: Span,
    /// TD1 line 2 optional data.
    pub optional_2: Option<Span>,
    /// TD3 personal-number check digit.
    pub optional_check: Option<Span>,
    /// The composite check digit and the runs it covers.
    pub composite: Option<(Span, &'static [Span])>,
}

const TD1_COMPOSITE: &[Span] = &[
    span(0, 5, 25),
    span(1, 0, 7),
    span(1, 8, 7),
    span(1, 18, 11),
];
const TD2_COMPOSITE: &[Span] = &[span(1, 0, 10), span(1, 13, 7), span(1, 21, 14)];
const TD3_COMPOSITE: &[Span] = &[span(1, 0, 10), span(1, 13, 7), span(1, 21, 22)];

impl Layout {
    pub(crate) fn of(format: Format) -> Layout {
        match format {
            Format::Td1 => Layout {
                document_code: span(0, 0, 2),
                issuing_state: span(0, 2, 3),
                document_number: span(0, 5, 9),
                document_number_check: span(0, 14, 1),
                optional_1: span(0, 15, 15),
                birth_date: span(1, 0, 6),
                birth_date_check: span(1, 6, 1),
                sex: span(1, 7, 1),
                expiry_date: span(1, 8, 6),
                expiry_date_check: span(1, 14, 1),
                nationality: span(1, 15, 3),
                optional_2: Some(span(1, 18, 11)),
                optional_check: None,
                composite: Some((span(1, 29, 1), TD1_COMPOSITE)),
                names: span(2, 0, 30),
            },
            Format::Td2 | Format::MrvB | Format::Td3 | Format::MrvA => {
                let width = format.shape().1;
                let (optional_1, optional_check, composite) = match format {
                    Format::Td2 => (span(1, 28, 7), None, Some((span(1, 35, 1), TD2_COMPOSITE))),
                    Format::Td3 => (
                        span(1, 28, 14),
                        Some(span(1, 42, 1)),
                        Some((span(1, 43, 1), TD3_COMPOSITE)),
                    ),
                    Format::MrvB => (span(1, 28, 8), None, None),
                    _ => (span(1, 28, 16), None, None),
                };
                Layout {
                    document_code: span(0, 0, 2),
                    issuing_state: span(0, 2, 3),
                    names: span(0, 5, width - 5),
                    document_number: span(1, 0, 9),
                    document_number_check: span(1, 9, 1),
                    nationality: span(1, 10, 3),
                    birth_date: span(1, 13, 6),
                    birth_date_check: span(1, 19, 1),
                    sex: span(1, 20, 1),
                    expiry_date: span(1, 21, 6),
                    expiry_date_check: span(1, 27, 1),
                    optional_1,
                    optional_2: None,
                    optional_check,
                    composite,
                }
            }
        }
    }

    /// The kind of every position, line by line.
    pub(crate) fn kinds(&self, format: Format) -> Vec<Vec<Kind>> {
        let (lines, width) = format.shape();
        let mut kinds = vec![vec![Kind::Alpha; width]; lines];
        let mut set = |s: Span, k: Kind| {
            if let Some(row) = kinds.get_mut(s.line) {
                for cell in row.iter_mut().skip(s.start).take(s.len) {
                    *cell = k;
                }
            }
        };
        set(self.document_number, Kind::AlphaNum);
        set(self.document_number_check, Kind::Check);
        set(self.optional_1, Kind::AlphaNum);
        if let Some(s) = self.optional_2 {
            set(s, Kind::AlphaNum);
        }
        if let Some(s) = self.optional_check {
            set(s, Kind::Check);
        }
        set(self.birth_date, Kind::Date);
        set(self.birth_date_check, Kind::Check);
        set(self.sex, Kind::Sex);
        set(self.expiry_date, Kind::Date);
        set(self.expiry_date_check, Kind::Check);
        if let Some((digit, _)) = self.composite {
            set(digit, Kind::Check);
        }
        kinds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layouts_fill_their_lines() {
        for f in [
            Format::Td1,
            Format::Td2,
            Format::Td3,
            Format::MrvA,
            Format::MrvB,
        ] {
            let l = Layout::of(f);
            let (lines, width) = f.shape();
            let mut covered = vec![vec![0u8; width]; lines];
            let mut spans = vec![
                l.document_code,
                l.issuing_state,
                l.names,
                l.document_number,
                l.document_number_check,
                l.birth_date,
                l.birth_date_check,
                l.sex,
                l.expiry_date,
                l.expiry_date_check,
                l.nationality,
                l.optional_1,
            ];
            spans.extend(l.optional_2);
            spans.extend(l.optional_check);
            spans.extend(l.composite.map(|c| c.0));
            for s in spans {
                for n in covered[s.line].iter_mut().skip(s.start).take(s.len) {
                    *n += 1;
                }
            }
            assert!(
                covered.iter().flatten().all(|&n| n == 1),
                "{f:?}: {covered:?}"
            );
        }
    }
}
