//! One frame in, feedback and (maybe) a reading out.

use crate::frame::LumaFrame;
use crate::layout::check_digits_hold;
use crate::locate;
use crate::read::{self, Miss, Reading};

/// What the screen should tell the user about the current frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Feedback {
    /// Nothing document-like in view.
    NoDocument,
    /// An MRZ-like band, but too small to read.
    MoveCloser,
    /// The MRZ runs off the frame.
    MoveAway,
    /// The MRZ is there but blurred or unstable.
    HoldStill,
    /// A highlight washes out the MRZ.
    Glare,
    /// Text, but no MRZ: wrong side or wrong document.
    NoMrz,
    /// This frame gave an MRZ whose check digits hold.
    Read,
}

impl Feedback {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NoDocument => "no_document",
            Self::MoveCloser => "move_closer",
            Self::MoveAway => "move_away",
            Self::HoldStill => "hold_still",
            Self::Glare => "glare",
            Self::NoMrz => "no_mrz",
            Self::Read => "read",
        }
    }
}

/// The outcome for one frame.
#[derive(Clone)]
pub struct FrameScan {
    pub feedback: Feedback,
    pub reading: Option<Reading>,
    /// Every check digit holds.
    pub valid: bool,
}

impl std::fmt::Debug for FrameScan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameScan")
            .field("feedback", &self.feedback)
            .field("valid", &self.valid)
            .finish_non_exhaustive()
    }
}

/// A reading is accepted as valid only if no character is a poor match:
/// check digits alone miss some multi-character errors and names have none.
pub const MAX_ACCEPT_COST: f32 = 0.45;
/// ... and only if, where no check digit helps, the runner-up is clearly worse.
pub const MIN_ACCEPT_MARGIN: f32 = 0.035;

/// Two substitutions in one field can cancel in its check digit (6->5 with
/// B->8 in a document number did on a hard frame): a reading with this many
/// close calls under check digits is not accepted from a single frame.
pub const MAX_CLOSE_CALLS: usize = 2;
/// A runner-up this close to the best candidate is a close call.
const CLOSE_MARGIN: f32 = 0.05;

/// Close calls at positions that only a check digit (a field's own or the
/// composite) protects.
pub fn close_calls(rd: &Reading) -> usize {
    rd.margins
        .iter()
        .enumerate()
        .flat_map(|(li, line)| {
            line.iter().enumerate().filter(move |&(ci, &m)| {
                m < CLOSE_MARGIN && crate::layout::check_covered(rd.format, li, ci)
            })
        })
        .count()
}

/// How many candidate regions are examined per frame at most.
const MAX_REGIONS: usize = 3;

/// Repair by the MRZ library under the check digits, from the ranked candidates:
/// accepted only when it is unambiguous and every change is confirmed by a
/// check digit.
fn repair(rd: &Reading) -> Option<Vec<String>> {
    let policy = aktiver_mrz::RepairPolicy {
        max_changes: 2,
        wildcard_cost: REPAIR_WILDCARD,
        margin: REPAIR_MARGIN,
    };
    let today = time::OffsetDateTime::now_utc().date();
    let out =
        aktiver_mrz::repair::repair_candidates(&rd.candidates.to_mrz_candidates(), &policy, today)
            .ok()?;
    let ok = out.status == aktiver_mrz::RepairStatus::Repaired
        && out.mrz.is_valid()
        && out.mrz.repairs.iter().all(|r| r.verified)
        && check_digits_hold(rd.format, &out.mrz.lines);
    ok.then_some(out.mrz.lines)
}

/// Repair costs in thousandths of correlation: a character the reader did not
/// propose, and how much cheaper the repair must be than any rival reading.
const REPAIR_WILDCARD: u16 = 300;
const REPAIR_MARGIN: u16 = 60;

/// The MRZ library's verdict: every check digit and every field's characters.
pub fn mrz_valid(lines: &[String]) -> bool {
    aktiver_mrz::parse(&lines.join("\n")).is_ok_and(|m| m.is_valid())
}

/// Scans one frame.
pub fn scan_frame(frame: &LumaFrame<'_>) -> FrameScan {
    let small = locate::downscale(frame);
    let comps = locate::components(&small);
    if comps.is_empty() {
        return FrameScan {
            feedback: Feedback::NoDocument,
            reading: None,
            valid: false,
        };
    }
    let regions = locate::regions(&small, &comps);
    let mut best: Option<Reading> = None;
    let mut miss: Option<Miss> = None;
    for r in regions.iter().take(MAX_REGIONS) {
        match read::read_region(frame, r) {
            Ok(rd) => {
                let mut rd = rd;
                let gates = rd.aligned
                    && rd.worst_cost <= MAX_ACCEPT_COST
                    && rd.min_margin >= MIN_ACCEPT_MARGIN
                    && close_calls(&rd) < MAX_CLOSE_CALLS;
                let mut valid =
                    gates && check_digits_hold(rd.format, &rd.lines) && mrz_valid(&rd.lines);
                if gates
                    && !valid
                    && let Some(lines) = repair(&rd)
                {
                    rd.lines = lines;
                    valid = true;
                }
                if valid {
                    return FrameScan {
                        feedback: Feedback::Read,
                        reading: Some(rd),
                        valid: true,
                    };
                }
                if best.as_ref().is_none_or(|b| rd.worst_cost < b.worst_cost) {
                    best = Some(rd);
                }
            }
            Err(m) => {
                // Keep the most specific reason.
                if miss.is_none() || miss == Some(Miss::NotMrz) {
                    miss = Some(m);
                }
            }
        }
    }
    let feedback = match (&best, miss) {
        (Some(rd), _) if rd.saturated > 0.01 => Feedback::Glare,
        (Some(rd), _) if rd.cap_px < 9.0 => Feedback::MoveCloser,
        (Some(_), _) => Feedback::HoldStill,
        (None, Some(Miss::Clipped)) => Feedback::MoveAway,
        (None, Some(Miss::TooSmall)) => Feedback::MoveCloser,
        (None, Some(Miss::Glare)) => Feedback::Glare,
        (None, Some(Miss::Blurred)) => Feedback::HoldStill,
        (None, Some(Miss::NotMrz)) => Feedback::NoMrz,
        (None, None) => Feedback::NoDocument,
    };
    FrameScan {
        feedback,
        reading: best,
        valid: false,
    }
}
