//! Multi-frame consensus: a per-character vote over the last frames. A result is
//! reported only when the voted MRZ passes its check digits and every character
//! of it was read by at least two frames (and by more frames than any rival);
//! the names have no check digit, so agreement is what protects them. A frame
//! votes for a character outside the check-digit fields only when its match was
//! clear, so one systematic confusion repeated across frames does not win.

use crate::frame::Rotation;
use crate::layout::{Format, check_covered, check_digits_hold};
use crate::read::Candidates;
use crate::scan::{
    CloseCall, FrameScan, MAX_ACCEPT_COST, MAX_CLOSE_CALLS, best_cost, clear_match, close_calls,
    close_margin, lines_have_rival,
};
use std::collections::VecDeque;

/// Frames remembered for the vote.
pub const WINDOW: usize = 8;

/// One frame's vote: format, lines, per character whether it may vote, and
/// its ranked candidates.
type Voter = (Format, Vec<String>, Vec<Vec<bool>>, Vec<Vec<Candidates>>);

/// Cost above a frame's best candidate assumed for a character not among its
/// ranked candidates.
const UNRANKED: f32 = 0.1;

#[derive(Default)]
pub struct Consensus {
    /// Per frame: format, lines, and per character whether the frame may vote
    /// for it (a clear winner, or a field with its own check digit).
    frames: VecDeque<Voter>,
    /// The turn the last voting frame was read in (`orientation.rs`).
    turn: Rotation,
}

impl std::fmt::Debug for Consensus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Consensus({} frames)", self.frames.len())
    }
}

impl Consensus {
    pub fn new() -> Self {
        Self::default()
    }

    /// Forgets the frames (not the turn they were read in: the camera and
    /// the document are still held as they were).
    pub fn reset(&mut self) {
        self.frames.clear();
    }

    /// The turn (clockwise, on top of the shell's rotation) the last frame
    /// that voted was read in: where to look first in the next frame
    /// ([`crate::scan_frame_turned`]). `R0` until a frame voted.
    pub fn turn(&self) -> Rotation {
        self.turn
    }

    /// Number of frames with a reading in the window.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Adds a frame; returns the agreed MRZ lines once there is one.
    pub fn push(&mut self, scan: &FrameScan) -> Option<Vec<String>> {
        let rd = scan.reading.as_ref()?;
        // A frame with a poor match anywhere, or lines whose grids disagree,
        // is probably misaligned, and one with close calls everywhere too
        // blurred: no vote. Close calls under check digits are weighed over
        // all frames when the vote is checked for rivals (see `vote`).
        if !rd.aligned || rd.worst_cost > MAX_ACCEPT_COST || close_calls(rd) > MAX_CLOSE_CALLS {
            return None;
        }
        let sure: Vec<Vec<bool>> = rd
            .margins
            .iter()
            .enumerate()
            .map(|(li, line)| {
                line.iter()
                    .enumerate()
                    .map(|(ci, &gap)| {
                        check_covered(rd.format, li, ci) || clear_match(best_cost(rd, li, ci), gap)
                    })
                    .collect()
            })
            .collect();
        self.frames
            .push_back((rd.format, rd.lines.clone(), sure, rd.candidates.0.clone()));
        if !crate::orientation::garbled(rd) {
            self.turn = scan.turn;
        }
        while self.frames.len() > WINDOW {
            self.frames.pop_front();
        }
        self.vote(rd.format)
    }

    /// The per-character vote among frames of `format`.
    pub fn vote(&self, format: Format) -> Option<Vec<String>> {
        let same: Vec<(&Vec<String>, &Vec<Vec<bool>>)> = self
            .frames
            .iter()
            .filter(|(f, l, _, _)| *f == format && l.len() == format.lines())
            .map(|(_, l, s, _)| (l, s))
            .collect();
        if same.len() < 2 {
            return None;
        }
        let mut out = Vec::with_capacity(format.lines());
        for li in 0..format.lines() {
            let mut line = String::with_capacity(format.chars());
            for ci in 0..format.chars() {
                let mut counts: Vec<(u8, u32)> = Vec::with_capacity(4);
                for (l, sure) in &same {
                    let Some(&b) = l.get(li).and_then(|s| s.as_bytes().get(ci)) else {
                        continue;
                    };
                    if !sure
                        .get(li)
                        .and_then(|s| s.get(ci))
                        .copied()
                        .unwrap_or(false)
                    {
                        continue;
                    }
                    match counts.iter_mut().find(|(c, _)| *c == b) {
                        Some(e) => e.1 += 1,
                        None => counts.push((b, 1)),
                    }
                }
                counts.sort_by_key(|e| std::cmp::Reverse(e.1));
                let (c, n) = counts.first().copied()?;
                let rival = counts.get(1).map_or(0, |e| e.1);
                if n < 2 || n <= rival {
                    return None;
                }
                line.push(char::from(c));
            }
            out.push(line);
        }
        let calls = self.close_calls(format, &out);
        (check_digits_hold(format, &out)
            && crate::scan::mrz_valid(&out)
            && calls
                .as_ref()
                .is_some_and(|c| !lines_have_rival(format, &out, c)))
        .then_some(out)
    }

    /// The close calls of the voted lines over all voters of `format`: at each
    /// position under a check digit, the characters whose cost, summed over
    /// the frames, is within a frame's close margin times the square root of
    /// the number of frames of the voted one's. One frame's `O` for a `0` is
    /// outweighed by four frames' `0`, but the same confusion in every frame
    /// stays close. `None` if there are more than [`MAX_CLOSE_CALLS`].
    fn close_calls(&self, format: Format, lines: &[String]) -> Option<Vec<CloseCall>> {
        let voters: Vec<&Vec<Vec<Candidates>>> = self
            .frames
            .iter()
            .filter(|v| v.0 == format)
            .map(|v| &v.3)
            .collect();
        let scale = (voters.len() as f32).sqrt();
        let mut calls = Vec::new();
        for (li, line) in lines.iter().enumerate() {
            for (ci, voted) in line.chars().enumerate() {
                if !check_covered(format, li, ci) {
                    continue;
                }
                let ranked: Vec<&Candidates> = voters
                    .iter()
                    .filter_map(|v| v.get(li).and_then(|l| l.get(ci)))
                    .collect();
                // Each frame's cost of `c` above its best candidate.
                let above = |cands: &Candidates, c: char| {
                    let best = cands.first().map_or(0.0, |x| x.1);
                    let last = cands.last().map_or(0.0, |x| x.1);
                    cands
                        .iter()
                        .find(|x| x.0 == c)
                        .map_or(last + UNRANKED, |x| x.1)
                        - best
                };
                let mut close = vec![voted];
                for cands in &ranked {
                    for &(c, _) in cands.iter() {
                        if close.contains(&c) {
                            continue;
                        }
                        let gap: f32 = ranked.iter().map(|k| above(k, c) - above(k, voted)).sum();
                        if gap < close_margin(voted, c) * scale {
                            close.push(c);
                        }
                    }
                }
                if close.len() > 1 {
                    calls.push((li, ci, close));
                }
            }
        }
        (calls.len() <= MAX_CLOSE_CALLS).then_some(calls)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{CandidateLines, Reading};
    use crate::scan::Feedback;

    /// A frame read in `turn` with every character at `cost` (the ICAO TD1
    /// specimen).
    fn frame(turn: Rotation, cost: f32) -> FrameScan {
        let lines: Vec<String> = [
            "I<UTOD231458907<<<<<<<<<<<<<<<",
            "7408122F1204159UTO<<<<<<<<<<<6",
            "ERIKSSON<<ANNA<MARIA<<<<<<<<<<",
        ]
        .map(String::from)
        .to_vec();
        let candidates: Vec<Vec<Candidates>> = lines
            .iter()
            .map(|l| {
                l.chars()
                    .map(|c| vec![(c, cost), ('X', cost + 0.5)])
                    .collect()
            })
            .collect();
        FrameScan {
            feedback: Feedback::HoldStill,
            reading: Some(Reading {
                format: Format::Td1,
                margins: lines.iter().map(|l| vec![0.5; l.len()]).collect(),
                candidates: CandidateLines(candidates),
                lines,
                worst_cost: cost,
                min_margin: 0.5,
                cap_px: 20.0,
                saturated: 0.0,
                sharpness: 0.5,
                aligned: true,
            }),
            valid: false,
            turn,
        }
    }

    #[test]
    fn the_burst_keeps_the_turn_its_frames_read_in() {
        let mut c = Consensus::new();
        assert_eq!(c.turn(), Rotation::R0);
        assert_eq!(c.push(&frame(Rotation::R90, 0.05)), None);
        assert_eq!(c.turn(), Rotation::R90);
        // A garbled reading (text read turned) votes, but says nothing of
        // which way up the document stands.
        c.push(&frame(Rotation::R180, 0.3));
        assert_eq!(c.turn(), Rotation::R90);
        assert!(c.push(&frame(Rotation::R270, 0.05)).is_some());
        assert_eq!(c.turn(), Rotation::R270);
        c.reset();
        assert_eq!(c.turn(), Rotation::R270);
    }
}
