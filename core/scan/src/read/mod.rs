//! From a candidate region to characters: rectify a strip at full resolution,
//! normalize ink, deskew, find the text lines, segment the fixed-pitch cells
//! and classify each cell against the OCR-B templates.

use crate::layout::Format;

/// Ranked candidates for one character: (character, cost), cheapest first.
/// The cost is `1 - normalized cross-correlation` with the class template.
pub type Candidates = Vec<(char, f32)>;

/// Per MRZ line, per character, the ranked candidates (for repair under check digits).
#[derive(Clone, Default, PartialEq)]
pub struct CandidateLines(pub Vec<Vec<Candidates>>);

impl std::fmt::Debug for CandidateLines {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The candidates spell out personal data: show only the shape.
        let shape: Vec<usize> = self.0.iter().map(Vec::len).collect();
        write!(f, "CandidateLines({shape:?})")
    }
}

/// Capital height over character pitch (OCR-B size 1 in the MRZ).
pub const CAP_PER_PITCH: f32 = 2.35 / 2.54;
/// Mean glyph ink width over pitch (first and last characters of a line).
pub const GLYPH_W: f32 = 0.69;

impl CandidateLines {
    /// The shape `aktiver_mrz::repair::repair_candidates` takes: per position the
    /// candidates with their cost above the best one, in thousandths.
    pub fn to_mrz_candidates(&self) -> Vec<Vec<Vec<aktiver_mrz::Candidate>>> {
        self.0
            .iter()
            .map(|line| {
                line.iter()
                    .map(|cands| {
                        let best = cands.first().map_or(0.0, |c| c.1);
                        cands
                            .iter()
                            .map(|&(c, cost)| aktiver_mrz::Candidate {
                                ch: c as u8,
                                cost: ((cost - best).clamp(0.0, 2.0) * 1000.0) as u16,
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect()
    }
}

/// How many candidates are kept per character.
pub const TOP: usize = 4;

/// What the reader saw in one region.
#[derive(Clone)]
pub struct Reading {
    pub format: Format,
    pub candidates: CandidateLines,
    /// Best candidate per position, restricted to the position's class.
    pub lines: Vec<String>,
    /// Worst best-candidate cost over all characters.
    pub worst_cost: f32,
    /// Smallest cost gap between the best and the runner-up allowed candidate over
    /// the positions no check digit covers (names, TD1 document code).
    pub min_margin: f32,
    /// That gap for every character (lines, then characters).
    pub margins: Vec<Vec<f32>>,
    /// Cap height in full-resolution pixels.
    pub cap_px: f32,
    /// Share of saturated pixels in the MRZ strip.
    pub saturated: f32,
    /// Mean ink step across character edges (0-1): low when blurred.
    pub sharpness: f32,
    /// The lines' character grids start within half a pitch of each other. A
    /// line read one cell off still parses when it has no check digit (TD3's
    /// name line), so a reading whose lines disagree is not to be trusted.
    pub aligned: bool,
}

/// What went wrong when a region did not yield a reading (for user feedback).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Miss {
    NotMrz,
    TooSmall,
    Clipped,
    Glare,
    Blurred,
}

mod bands;
mod classify;
mod deskew;
mod grid;
mod heights;
mod line;
mod lines;
mod look;
mod model;
mod retry;
mod shape;
mod strip;
#[cfg(test)]
mod tests;
mod window;

#[cfg(feature = "cell-dump")]
pub use model::dump;
pub use retry::read_region;
pub use strip::debug_strip;
