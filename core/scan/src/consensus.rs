//! Multi-frame consensus: a per-character vote over the last frames. A result is
//! reported only when the voted MRZ passes its check digits and every character
//! of it was read by at least two frames (and by more frames than any rival);
//! the names have no check digit, so agreement is what protects them. A frame
//! votes for a character outside the check-digit fields only when its match was
//! clear, so one systematic confusion repeated across frames does not win.

use crate::layout::{Format, check_digits_hold, field_checked};
use crate::scan::{FrameScan, MAX_ACCEPT_COST, MAX_CLOSE_CALLS, MIN_ACCEPT_MARGIN, close_calls};
use std::collections::VecDeque;

/// Frames remembered for the vote.
pub const WINDOW: usize = 8;

#[derive(Default)]
pub struct Consensus {
    /// Per frame: format, lines, and per character whether the frame may vote
    /// for it (a clear winner, or a field with its own check digit).
    frames: VecDeque<(Format, Vec<String>, Vec<Vec<bool>>)>,
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

    pub fn reset(&mut self) {
        self.frames.clear();
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
        // is probably misaligned: no vote.
        // Close calls under check digits can cancel out, and consistently so
        // across frames of one burst: such frames do not vote.
        if !rd.aligned || rd.worst_cost > MAX_ACCEPT_COST || close_calls(rd) >= MAX_CLOSE_CALLS {
            return None;
        }
        let sure: Vec<Vec<bool>> = rd
            .margins
            .iter()
            .enumerate()
            .map(|(li, line)| {
                line.iter()
                    .enumerate()
                    .map(|(ci, &gap)| field_checked(rd.format, li, ci) || gap >= MIN_ACCEPT_MARGIN)
                    .collect()
            })
            .collect();
        self.frames.push_back((rd.format, rd.lines.clone(), sure));
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
            .filter(|(f, l, _)| *f == format && l.len() == format.lines())
            .map(|(_, l, s)| (l, s))
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
        (check_digits_hold(format, &out) && crate::scan::mrz_valid(&out)).then_some(out)
    }
}
