//! Why MRZ text could not be read at all.

/// MRZ text that cannot be read as an MRZ. Positions are 1-based. The
/// offending character is deliberately not included: it is personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MrzError {
    /// Nothing but whitespace.
    #[error("no MRZ text")]
    Empty,
    /// Not 2 or 3 lines.
    #[error("expected 2 or 3 lines, found {found}")]
    LineCount { found: usize },
    /// A line that does not have its format's length.
    #[error("line {line}: expected {expected} characters, found {found}")]
    LineLength {
        line: usize,
        expected: usize,
        found: usize,
    },
    /// A character outside `0-9`, `A-Z` and `<`.
    #[error("line {line}, column {column}: character not allowed in an MRZ")]
    IllegalCharacter { line: usize, column: usize },
}

impl MrzError {
    /// A stable code for the error, for APIs and logs.
    pub fn code(&self) -> &'static str {
        match self {
            MrzError::Empty => "empty",
            MrzError::LineCount { .. } => "line_count",
            MrzError::LineLength { .. } => "line_length",
            MrzError::IllegalCharacter { .. } => "illegal_character",
        }
    }
}
