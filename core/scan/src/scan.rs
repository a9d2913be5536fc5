//! One frame in, feedback and (maybe) a reading out.

use crate::frame::{LumaFrame, Rotation};
use crate::glyphs::CLASSES;
use crate::layout::{Format, check_digits_hold};
use crate::locate;
use crate::read::{self, Miss, Reading};
use crate::rules::{Rule, on};

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
    /// The turn (clockwise, on top of the frame's own rotation) under which
    /// the frame was read: not `R0` when the shell's rotation was wrong
    /// (`orientation.rs`).
    pub turn: Rotation,
}

impl FrameScan {
    /// Nothing read, with `feedback`.
    pub(crate) fn nothing(feedback: Feedback) -> Self {
        Self {
            feedback,
            reading: None,
            valid: false,
            turn: Rotation::R0,
        }
    }
}

impl std::fmt::Debug for FrameScan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FrameScan")
            .field("feedback", &self.feedback)
            .field("valid", &self.valid)
            .field("turn", &self.turn)
            .finish_non_exhaustive()
    }
}

/// A frame votes in the consensus only if no character is a poor match:
/// check digits alone miss some multi-character errors and names have none.
pub const MAX_ACCEPT_COST: f32 = 0.45;

/// The worst character cost a frame may have to be accepted on its own: a
/// poor match may hide a filler, and two wrong digits can cancel in the
/// composite (hard seed 71272, frame 3: `<<` read `55` at 0.42). No accepted
/// moderate frame came near it (none above 0.30 in 4000).
pub const MAX_FRAME_ACCEPT_COST: f32 = 0.35;

/// A runner-up this close to the best candidate is a close call.
const CLOSE_MARGIN: f32 = 0.05;
/// ... and this close, for a pair of look-alikes (see [`LOOK_ALIKE`]): an `O`
/// misread for a `0` leads by up to 0.1 on blurred frames.
const CLOSE_MARGIN_LOOK_ALIKE: f32 = 0.12;
/// Classes whose sharp templates correlate this well look alike (`0`/`O`,
/// `G`/`O`, `I`/`T`, `O`/`Q`, `B`/`H`, `0`/`U`, ...).
const LOOK_ALIKE: f32 = 0.75;
/// Readings with more close calls under check digits than this are not
/// searched for rivals (2^n subsets) and are not accepted from a single frame.
pub const MAX_CLOSE_CALLS: usize = 8;

/// How close a runner-up `b` to the best candidate `a` is a close call.
pub fn close_margin(a: char, b: char) -> f32 {
    if look_alike(a, b) {
        CLOSE_MARGIN_LOOK_ALIKE
    } else {
        CLOSE_MARGIN
    }
}

/// Whether two classes look alike (by their templates). The table is built
/// once: this is asked for every candidate of every close call.
fn look_alike(a: char, b: char) -> bool {
    static TABLE: std::sync::OnceLock<[[bool; 37]; 37]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let t = &crate::glyphs::templates().t;
        let mut out = [[false; 37]; 37];
        for (i, row) in out.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = matches!((t.get(i), t.get(j)), (Some(x), Some(y)) if crate::glyphs::dot(x, y) >= LOOK_ALIKE);
            }
        }
        out
    });
    let (Some(i), Some(j)) = (
        CLASSES.iter().position(|&c| c == a),
        CLASSES.iter().position(|&c| c == b),
    ) else {
        return false;
    };
    table
        .get(i)
        .and_then(|r| r.get(j))
        .copied()
        .unwrap_or(false)
}

/// A name character (no check digit) is accepted only with a runner-up at
/// least this much worse, and at least this share of its own cost worse: a
/// poorly matched character (a filler read as `K` at cost 0.24 against 0.28)
/// is not clear by a fixed gap.
pub const MIN_ACCEPT_MARGIN: f32 = 0.035;
const MIN_ACCEPT_MARGIN_PER_COST: f32 = 0.3;

/// Whether a character was read clearly enough to stand without a check digit.
pub fn clear_match(cost: f32, gap: f32) -> bool {
    gap >= MIN_ACCEPT_MARGIN && gap >= MIN_ACCEPT_MARGIN_PER_COST * cost
}

/// Whether every character that no check digit covers was read clearly.
pub fn unprotected_clear(rd: &Reading) -> bool {
    unclear_unprotected(rd).is_empty()
}

/// The positions (line, column) that no check digit covers and that were not
/// read clearly.
pub fn unclear_unprotected(rd: &Reading) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (li, line) in rd.margins.iter().enumerate() {
        for (ci, &gap) in line.iter().enumerate() {
            let gap = state_code_gap(rd, li, ci).unwrap_or(gap);
            if !crate::layout::check_covered(rd.format, li, ci)
                && (!clear_match(best_cost(rd, li, ci), gap)
                    || digit_or_letter_in_doubt(rd, li, ci))
            {
                out.push((li, ci));
            }
        }
    }
    out
}

/// In a state code, the gap to the best rival that leaves a code that
/// exists: `OEU` is no rival to `DEU` (no check digit covers a state, but
/// the list of them does). `None` outside state codes; a wide gap when no
/// rival makes a known code.
fn state_code_gap(rd: &Reading, li: usize, ci: usize) -> Option<f32> {
    let (line, start) = crate::layout::state_field(rd.format, li, ci)?;
    let code: Vec<char> = rd.lines.get(line)?.chars().skip(start).take(3).collect();
    let cands = rd.candidates.0.get(li)?.get(ci)?;
    let &(_, best) = cands.first()?;
    let rival = cands.iter().skip(1).find(|&&(c, _)| {
        let mut alt = code.clone();
        if let Some(slot) = alt.get_mut(ci - start) {
            *slot = c;
        }
        let alt: String = alt.into_iter().collect();
        let alt = alt.trim_end_matches('<');
        alt.is_empty() || aktiver_mrz::is_known_state(alt)
    });
    Some(rival.map_or(1.0, |&(_, cost)| cost - best))
}

/// Whether a digit and a letter that look alike (`0`/`O`, `8`/`B`, `5`/`S`,
/// ...) both stand among a position's candidates within
/// [`DIGIT_LETTER_MARGIN`]. Where a position may hold either and no check
/// digit covers it (a visa's optional data), nothing but the glyph tells
/// them apart, and printers' fonts differ: `LNDOOAMS` on a US visa read as
/// `LND00AMS`, the `0`s ahead by 0.26 (PassportEye's `100_visa-usa.jpg`).
fn digit_or_letter_in_doubt(rd: &Reading, li: usize, ci: usize) -> bool {
    let Some(cands) = rd.candidates.0.get(li).and_then(|l| l.get(ci)) else {
        return false;
    };
    let Some(&(a, ca)) = cands.first() else {
        return false;
    };
    cands.iter().skip(1).any(|&(b, cb)| {
        a.is_ascii_digit() != b.is_ascii_digit()
            && a != '<'
            && b != '<'
            && look_alike(a, b)
            && cb - ca < DIGIT_LETTER_MARGIN
    })
}

/// How far a look-alike of the other kind (digit or letter) must trail where
/// no check digit decides between them.
const DIGIT_LETTER_MARGIN: f32 = 0.3;

/// The cost of the best candidate at a position.
pub fn best_cost(rd: &Reading, li: usize, ci: usize) -> f32 {
    rd.candidates
        .0
        .get(li)
        .and_then(|l| l.get(ci))
        .and_then(|c| c.first())
        .map_or(2.0, |c| c.1)
}

/// Close calls at positions that a check digit (a field's own or the
/// composite) protects.
pub fn close_calls(rd: &Reading) -> usize {
    close_call_sets(rd).len()
}

/// Per position under a check digit, the candidates close to the best one
/// (within [`CLOSE_MARGIN`], or [`CLOSE_MARGIN_LOOK_ALIKE`] for a look-alike
/// of it), best first; positions with only the best are left out.
fn close_call_sets(rd: &Reading) -> Vec<CloseCall> {
    let mut out = Vec::new();
    for (li, line) in rd.candidates.0.iter().enumerate() {
        for (ci, cands) in line.iter().enumerate() {
            if !crate::layout::check_covered(rd.format, li, ci) {
                continue;
            }
            let Some(&(best, cost)) = cands.first() else {
                continue;
            };
            let close: Vec<char> = cands
                .iter()
                .filter(|&&(c, k)| c == best || k - cost < close_margin(best, c))
                .map(|&(c, _)| c)
                .collect();
            if close.len() > 1 {
                out.push((li, ci, close));
            }
        }
    }
    out
}

/// A close call: line, column and the candidates close to the best, best first.
pub type CloseCall = (usize, usize, Vec<char>);

/// The close calls of a reading, or `None` if there are more than
/// [`MAX_CLOSE_CALLS`].
pub fn close_call_pairs(rd: &Reading) -> Option<Vec<CloseCall>> {
    let calls = close_call_sets(rd);
    (calls.len() <= MAX_CLOSE_CALLS).then_some(calls)
}

/// Whether `lines` has a rival: another reading, differing only at close calls
/// (each taking another of its close candidates), whose check digits hold
/// too. Then the check digits cannot tell the two apart: an `O` read for a `0`
/// at weights 7 and 3 adds 24 * 10 to a check sum, and two such confusions
/// cancel. Without a rival every close call is settled by a check digit,
/// however many there are. More than [`MAX_CLOSE_CALLS`] count as a rival.
pub fn lines_have_rival(format: Format, lines: &[String], calls: &[CloseCall]) -> bool {
    let mut swaps: Vec<(usize, usize, u8)> = Vec::with_capacity(calls.len());
    for (li, ci, close) in calls {
        let (li, ci) = (*li, *ci);
        let Some(&now) = lines.get(li).and_then(|l| l.as_bytes().get(ci)) else {
            return true;
        };
        for &ch in close {
            let swap = (li, ci, ch as u8);
            if ch.is_ascii() && ch as u32 != u32::from(now) && !swaps.contains(&swap) {
                swaps.push(swap);
            }
        }
    }
    if swaps.len() > MAX_CLOSE_CALLS {
        return true;
    }
    let bytes: Vec<Vec<u8>> = lines.iter().map(|l| l.as_bytes().to_vec()).collect();
    (1u32..(1 << swaps.len())).any(|subset| {
        let mut alt = bytes.clone();
        for (k, &(li, ci, ch)) in swaps.iter().enumerate() {
            if subset & (1 << k) != 0
                && let Some(b) = alt.get_mut(li).and_then(|l| l.get_mut(ci))
            {
                *b = ch;
            }
        }
        let alt: Vec<String> = alt
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect();
        check_digits_hold(format, &alt)
    })
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
    // A check digit tells that a field is wrong, not where: a change that
    // makes it hold elsewhere is only as good as the rest of the field is
    // sure. With another poorly matched character under the check digits
    // (hard seed 245490, frame 2: `S` read `M` at 0.17, and `T` "repaired"
    // into `1`, the two cancelling), the error may be there instead.
    let repaired = |li: usize, ci: usize| {
        out.mrz
            .repairs
            .iter()
            .any(|r| r.line == li + 1 && r.column == ci + 1)
    };
    let rest_sure = rd.candidates.0.iter().enumerate().all(|(li, line)| {
        (0..line.len()).all(|ci| {
            !crate::layout::check_covered(rd.format, li, ci)
                || repaired(li, ci)
                || best_cost(rd, li, ci) <= REPAIR_DOUBT_COST
        })
    });
    let ok = out.status == aktiver_mrz::RepairStatus::Repaired
        && out.mrz.is_valid()
        && states_ok(&out.mrz)
        && out.mrz.repairs.iter().all(|r| r.verified)
        && (rest_sure || !on(Rule::RepairNeedsRestSure))
        && check_digits_hold(rd.format, &out.mrz.lines);
    ok.then_some(out.mrz.lines)
}

/// The worst cost a character under the check digits may have, other than
/// the ones repair changes, for a repair to be accepted.
const REPAIR_DOUBT_COST: f32 = 0.15;

/// Repair costs in thousandths of correlation: a character the reader did not
/// propose, and how much cheaper the repair must be than any rival reading.
const REPAIR_WILDCARD: u16 = 300;
const REPAIR_MARGIN: u16 = 60;

/// The MRZ library's verdict: every check digit, every field's characters,
/// and state codes that exist (no check digit covers them).
pub fn mrz_valid(lines: &[String]) -> bool {
    aktiver_mrz::parse(&lines.join("\n")).is_ok_and(|m| m.is_valid() && states_ok(&m))
}

/// The issuing state is a known code, and so is the nationality unless it is
/// left blank (the identity card of a territory, Macao's, has none). Fillers
/// and letters look nothing alike, so a blank read is not a misread code.
fn states_ok(m: &aktiver_mrz::Mrz) -> bool {
    !on(Rule::KnownStates)
        || (aktiver_mrz::is_known_state(&m.issuing_state)
            && (m.nationality.is_empty() || aktiver_mrz::is_known_state(&m.nationality)))
}

/// Why a reading would not be accepted on its own, or `None` if it would be
/// (diagnostics; the gates of [`scan_frame`], first failing one).
pub fn refusal(rd: &Reading) -> Option<&'static str> {
    let calls = close_call_pairs(rd);
    if !rd.aligned {
        Some("lines not aligned")
    } else if rd.worst_cost > MAX_FRAME_ACCEPT_COST {
        Some("a poor match")
    } else if !unprotected_clear(rd) {
        Some("an unprotected character unclear")
    } else if calls.is_none() {
        Some("too many close calls")
    } else if !check_digits_hold(rd.format, &rd.lines) {
        Some("check digits fail")
    } else if !mrz_valid(&rd.lines) {
        Some("not a valid MRZ (state or field)")
    } else if calls
        .as_ref()
        .is_some_and(|c| lines_have_rival(rd.format, &rd.lines, c))
    {
        Some("a rival reading")
    } else {
        None
    }
}

/// Scans one frame. Its rotation is taken as a hint: an MRZ not found
/// upright in it is looked for turned (`orientation.rs`).
pub fn scan_frame(frame: &LumaFrame<'_>) -> FrameScan {
    crate::orientation::scan_frame_turned(frame, Rotation::R0)
}

/// Scans one frame as it stands, looking for the MRZ on `small`, the frame
/// downscaled.
pub(crate) fn scan_small(frame: &LumaFrame<'_>, small: &locate::Small) -> FrameScan {
    scan_located(frame, small).0
}

/// [`scan_small`], and the regions the locator found, best first.
pub(crate) fn scan_located(
    frame: &LumaFrame<'_>,
    small: &locate::Small,
) -> (FrameScan, Vec<locate::Region>) {
    let comps = locate::components(small);
    if comps.is_empty() {
        return (FrameScan::nothing(Feedback::NoDocument), Vec::new());
    }
    let regions = locate::regions(small, &comps);
    (scan_regions(frame, &regions), regions)
}

/// Reads the best of `regions` until one is accepted.
fn scan_regions(frame: &LumaFrame<'_>, regions: &[locate::Region]) -> FrameScan {
    let mut best: Option<Reading> = None;
    let mut miss: Option<Miss> = None;
    for r in regions.iter().take(MAX_REGIONS) {
        match read::read_region(frame, r) {
            Ok(rd) => {
                let mut rd = rd;
                // `None`: more close calls than are searched for rivals.
                let calls = close_call_pairs(&rd);
                let no_rival = |lines: &[String]| {
                    !on(Rule::NoRival)
                        || calls
                            .as_ref()
                            .is_some_and(|c| !lines_have_rival(rd.format, lines, c))
                };
                let gates = (rd.aligned || !on(Rule::Aligned))
                    && (rd.worst_cost <= MAX_FRAME_ACCEPT_COST || !on(Rule::NoPoorMatch))
                    && (!on(Rule::UnprotectedClear) || unprotected_clear(&rd))
                    && (calls.is_some() || !on(Rule::NoRival));
                let mut valid = gates
                    && check_digits_hold(rd.format, &rd.lines)
                    && mrz_valid(&rd.lines)
                    && no_rival(&rd.lines);
                if gates
                    && !valid
                    && on(Rule::Repair)
                    && let Some(lines) = repair(&rd)
                    && no_rival(&lines)
                {
                    rd.lines = lines;
                    valid = true;
                }
                if valid {
                    return FrameScan {
                        feedback: Feedback::Read,
                        reading: Some(rd),
                        valid: true,
                        turn: Rotation::R0,
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
        turn: Rotation::R0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_nationality_is_valid_an_unknown_one_is_not() {
        // Macao's identity card (PassportEye's 100_id-mac.jpg) leaves the
        // nationality blank.
        let mut lines: Vec<String> = [
            "I<MAC12281507<0<<<<<<<<0212300",
            "6106225M1212307<<<<<<<<<<<<<<6",
            "CHONG<<KA<KEONG<<<<<<<<<<<<<<<",
        ]
        .map(String::from)
        .to_vec();
        assert!(mrz_valid(&lines));
        lines[1].replace_range(15..18, "XQZ");
        assert!(!mrz_valid(&lines));
    }

    /// The ICAO 9303 TD1 specimen.
    fn td1() -> Vec<String> {
        [
            "I<UTOD231458907<<<<<<<<<<<<<<<",
            "7408122F1204159UTO<<<<<<<<<<<6",
            "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        ]
        .map(String::from)
        .to_vec()
    }

    #[test]
    fn substitutions_that_cancel_in_every_check_digit_are_a_rival() {
        let lines = td1();
        assert!(check_digits_hold(Format::Td1, &lines));
        // In the document number (and the composite, which starts with it) at
        // weights 3 and 1: `2` for `9` adds 7 * 3, `3` for `2` takes 1 * 1.
        let pair = [(0, 6, vec!['2', '9']), (0, 7, vec!['3', '2'])];
        assert!(lines_have_rival(Format::Td1, &lines, &pair));
        // Alone, either change breaks the document number's check digit.
        assert!(!lines_have_rival(Format::Td1, &lines, &pair[..1]));
        assert!(!lines_have_rival(Format::Td1, &lines, &pair[1..]));
        // At weights 3 and 7 these do not cancel.
        let apart = [(0, 6, vec!['2', '9']), (0, 8, vec!['1', '2'])];
        assert!(!lines_have_rival(Format::Td1, &lines, &apart));
        // One substitution whose value differs by 10 cancels on its own:
        // `D` (13) for `N` (23) at weight 7.
        assert!(lines_have_rival(
            Format::Td1,
            &lines,
            &[(0, 5, vec!['D', 'N'])]
        ));
    }

    /// A reading of `lines` where every character is clear, except the
    /// document number's `9` (line 0, column 12), read as `8` just ahead of `9`.
    fn reading_with_one_slip(lines: &[String]) -> Reading {
        let candidates: Vec<Vec<Vec<(char, f32)>>> = lines
            .iter()
            .enumerate()
            .map(|(li, l)| {
                l.chars()
                    .enumerate()
                    .map(|(ci, c)| match (li, ci) {
                        (0, 12) => vec![('8', 0.05), (c, 0.07)],
                        _ => vec![(c, 0.05), ('X', 0.5)],
                    })
                    .collect()
            })
            .collect();
        let read: Vec<String> = candidates
            .iter()
            .map(|l| l.iter().map(|c| c[0].0).collect())
            .collect();
        Reading {
            format: Format::Td1,
            margins: candidates
                .iter()
                .map(|l| l.iter().map(|c| c[1].1 - c[0].1).collect())
                .collect(),
            candidates: crate::read::CandidateLines(candidates),
            lines: read,
            worst_cost: 0.05,
            min_margin: 0.45,
            cap_px: 20.0,
            saturated: 0.0,
            sharpness: 0.5,
            aligned: true,
        }
    }

    #[test]
    fn repair_insists_on_a_state_that_exists() {
        let lines = td1();
        assert_eq!(&lines[0][12..13], "9");
        assert_eq!(repair(&reading_with_one_slip(&lines)), Some(lines.clone()));
        // The same slip on a document from a state that does not exist (`UTQ`;
        // no check digit covers the state) is not repaired into a valid MRZ.
        let mut unknown = lines.clone();
        unknown[0].replace_range(2..5, "UTQ");
        assert!(check_digits_hold(Format::Td1, &unknown));
        assert_eq!(repair(&reading_with_one_slip(&unknown)), None);
    }

    #[test]
    fn a_repair_is_refused_where_another_character_is_in_doubt() {
        let lines = td1();
        let mut rd = reading_with_one_slip(&lines);
        assert_eq!(repair(&rd), Some(lines.clone()));
        // The document code's second letter (line 0, column 1) is a filler
        // under no check digit: doubt there does not matter. The birth
        // date's first digit (line 1, column 0) is under two.
        rd.candidates.0[0][1] = vec![('<', 0.3), ('K', 0.35)];
        assert_eq!(repair(&rd), Some(lines.clone()));
        rd.candidates.0[1][0] = vec![('7', 0.2), ('1', 0.3)];
        assert_eq!(repair(&rd), None);
    }

    #[test]
    fn more_close_calls_than_searched_count_as_a_rival() {
        let lines = td1();
        let many: Vec<CloseCall> = (5..5 + MAX_CLOSE_CALLS + 1)
            .map(|ci| (0, ci, vec!['A', 'B']))
            .collect();
        assert!(lines_have_rival(Format::Td1, &lines, &many));
    }

    /// A reading of `lines` in `format` where every character is clear.
    fn clear_reading(format: Format, lines: &[&str]) -> Reading {
        let candidates: Vec<Vec<Vec<(char, f32)>>> = lines
            .iter()
            .map(|l| l.chars().map(|c| vec![(c, 0.05), ('X', 0.5)]).collect())
            .collect();
        Reading {
            format,
            margins: candidates
                .iter()
                .map(|l| l.iter().map(|c| c[1].1 - c[0].1).collect())
                .collect(),
            candidates: crate::read::CandidateLines(candidates),
            lines: lines.iter().map(|l| l.to_string()).collect(),
            worst_cost: 0.05,
            min_margin: 0.45,
            cap_px: 20.0,
            saturated: 0.0,
            sharpness: 0.5,
            aligned: true,
        }
    }

    /// Sets the candidates at one position (and its margin).
    fn set(rd: &mut Reading, li: usize, ci: usize, cands: Vec<(char, f32)>) {
        rd.margins[li][ci] = cands[1].1 - cands[0].1;
        rd.candidates.0[li][ci] = cands;
    }

    #[test]
    fn a_digit_and_a_letter_alike_in_unprotected_data_are_refused() {
        // PassportEye's 100_visa-usa.jpg: `LNDOOAMS` in a visa's optional
        // data (line 1, columns 30-37), which no check digit covers.
        let lines = [
            "VIUSATRAVELER<<HAPPYPERSON<<<<<<<<<<<<<<<<<<",
            "555123ABC6GBR6502056F0412236IFLNDOOAMS803085",
        ];
        let mut rd = clear_reading(Format::MrvA, &lines);
        assert!(unprotected_clear(&rd));
        // `O` ahead of `0` by 0.2: a clear match by the margins, but a
        // digit and a letter alike within 0.3.
        set(&mut rd, 1, 33, vec![('O', 0.05), ('0', 0.25)]);
        assert!(clear_match(0.05, 0.2));
        assert_eq!(unclear_unprotected(&rd), [(1, 33)]);
        // 0.35 apart: clear.
        set(&mut rd, 1, 33, vec![('O', 0.05), ('0', 0.40)]);
        assert!(unprotected_clear(&rd));
        // Two letters alike (`O`, `Q`) 0.2 apart: the margins decide.
        set(&mut rd, 1, 33, vec![('O', 0.05), ('Q', 0.25)]);
        assert!(unprotected_clear(&rd));
        // Under a check digit (the document number) the digits decide.
        set(&mut rd, 1, 2, vec![('5', 0.05), ('S', 0.25)]);
        assert!(unprotected_clear(&rd));
    }

    #[test]
    fn a_state_code_letter_is_in_doubt_only_before_a_known_code() {
        let lines = [
            "VIUSATRAVELER<<HAPPYPERSON<<<<<<<<<<<<<<<<<<",
            "555123ABC6GBR6502056F0412236IFLNDOOAMS803085",
        ];
        let mut rd = clear_reading(Format::MrvA, &lines);
        // `USA` against `UXA`, which no state has: `S` stands.
        set(&mut rd, 0, 3, vec![('S', 0.05), ('X', 0.07), ('G', 0.30)]);
        assert!(unprotected_clear(&rd));
        // Against `UGA` (Uganda) by 0.02: in doubt.
        set(&mut rd, 0, 3, vec![('S', 0.05), ('G', 0.07)]);
        assert_eq!(unclear_unprotected(&rd), [(0, 3)]);
        // The nationality likewise: `GBR` against `OBR`, unknown.
        let mut rd = clear_reading(Format::MrvA, &lines);
        set(&mut rd, 1, 10, vec![('G', 0.05), ('O', 0.06)]);
        assert!(unprotected_clear(&rd));
        // In a name the same gap is doubt.
        set(&mut rd, 0, 5, vec![('T', 0.05), ('Y', 0.06)]);
        assert_eq!(unclear_unprotected(&rd), [(0, 5)]);
    }

    #[test]
    fn look_alikes_are_the_confusable_pairs() {
        assert!(look_alike('0', 'O'));
        assert!(look_alike('O', 'G'));
        assert!(!look_alike('0', 'X'));
        assert!(!look_alike('<', 'K'));
    }

    #[test]
    fn a_poor_match_needs_a_wider_gap() {
        assert!(clear_match(0.05, 0.04));
        assert!(!clear_match(0.05, 0.03));
        // A filler read as `K` at 0.24 against 0.28.
        assert!(!clear_match(0.24, 0.043));
        assert!(clear_match(0.24, 0.08));
    }
}
