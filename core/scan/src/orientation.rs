//! Camera frames in any orientation. The shell passes the rotation that
//! turns its buffer upright when it knows it; it may not (a shell that
//! passes 0, a device held otherwise than the shell assumes, a document
//! held upside down). That rotation is taken as a hint: a frame is looked at
//! as the hint has it first, and only when that look reads no MRZ is it
//! looked at turned, by cues from the first look that cost little:
//!
//! - a reading whose characters match their templates poorly all along
//!   ([`garbled`]) of lines with the document's print below them (an MRZ
//!   sits at the foot of its page or card: [`upright_by_print`]) is looked
//!   at again turned by 180°;
//! - no MRZ read: the locator, on the first look's downscaled frame turned
//!   by 90°, looks for lines running across it, longer than any it found
//!   before (a frame without text costs one more pass of the locator, on
//!   320x180 pixels); the print beside them says which way up they stand,
//!   and they are read so, or the other way if that reading is garbled.
//!
//! The burst keeps the turn that read ([`crate::Consensus::turn`]), and the
//! next frame is looked at in it first: after the first frame, each frame
//! of a burst costs one look again.

use crate::frame::{LumaFrame, Rotation};
use crate::locate::{self, Small};
use crate::read::Reading;
use crate::scan::{Feedback, FrameScan, scan_located, scan_small};

/// A reading whose median character cost (the best candidate's) is above
/// this is garbled: text read turned. An MRZ upside down reads at 0.12 to
/// 0.35 in the median, an upright one at 0.01 to 0.07 on moderate and
/// independent frames (0.12 at the 95th percentile on hard ones).
pub const GARBLED_MEDIAN_COST: f32 = 0.1;

/// Whether `rd` reads like text turned away from upright (see
/// [`GARBLED_MEDIAN_COST`]).
pub fn garbled(rd: &Reading) -> bool {
    let mut costs: Vec<f32> = rd
        .candidates
        .0
        .iter()
        .flatten()
        .filter_map(|c| c.first().map(|x| x.1))
        .collect();
    if costs.is_empty() {
        return true;
    }
    let mid = costs.len() / 2;
    let (_, median, _) = costs.select_nth_unstable_by(mid, f32::total_cmp);
    *median > GARBLED_MEDIAN_COST
}

/// `a` then `b`, clockwise.
pub fn plus(a: Rotation, b: Rotation) -> Rotation {
    match (a.degrees() + b.degrees()) % 360 {
        90 => Rotation::R90,
        180 => Rotation::R180,
        270 => Rotation::R270,
        _ => Rotation::R0,
    }
}

/// How far one look got, for choosing among the looks at a frame.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Rank {
    /// Nothing document-like.
    Nothing,
    /// A region, but no reading.
    Located,
    /// A reading of text turned away from upright.
    Garbled,
    /// A reading, refused.
    Read,
    /// An MRZ accepted.
    Accepted,
}

/// Keeps `s` if it got further than `kept`; whether what is kept now reads.
fn take(s: FrameScan, kept: &mut FrameScan) -> bool {
    if rank(&s) > rank(kept) {
        *kept = s;
    }
    rank(kept) >= Rank::Read
}

fn rank(s: &FrameScan) -> Rank {
    match &s.reading {
        _ if s.valid => Rank::Accepted,
        Some(rd) if !garbled(rd) => Rank::Read,
        Some(_) => Rank::Garbled,
        None if s.feedback == Feedback::NoDocument => Rank::Nothing,
        None => Rank::Located,
    }
}

/// Scans one frame, looking at it turned clockwise by `first` (on top of its
/// own rotation) first: the turn the burst's last frames were read in
/// ([`crate::Consensus::turn`]), `R0` for the shell's rotation. Then, while
/// nothing is read, turned as the cues of the looks so far say (see the
/// module's notes). The answer is the first accepted reading, else the look
/// that got furthest (the first of equals).
pub fn scan_frame_turned(frame: &LumaFrame<'_>, first: Rotation) -> FrameScan {
    // Each look downscales the frame turned (reading it as the shell would
    // have passed it); only the test for lines running sideways turns a
    // downscaled frame instead, a fifth of the cost.
    let look = |turn: Rotation| {
        let turned = frame.turned(turn);
        let small = locate::downscale(&turned);
        let (mut s, regions) = scan_located(&turned, &small);
        s.turn = turn;
        (s, small, regions)
    };
    let (mut kept, first_small, first_regions) = look(first);
    if rank(&kept) >= Rank::Read {
        return kept;
    }
    // Upside down: garbled, and the document's print below the lines.
    if rank(&kept) == Rank::Garbled
        && let Some(mrz) = first_regions.first()
        && !upright_by_print(&first_small, mrz)
        && take(look(plus(first, Rotation::R180)).0, &mut kept)
    {
        return kept;
    }
    // Sideways: lines across the first look's orientation are found on its
    // downscaled frame turned by 90°, longer than any it found; which way
    // up they stand, the print beside them tells.
    let Some(side_small) = turned_small(&first_small, Rotation::R90) else {
        return kept;
    };
    let comps = locate::components(&side_small);
    let Some(mrz) = locate::regions(&side_small, &comps).into_iter().next() else {
        return kept;
    };
    if first_regions.first().is_some_and(|r| r.score >= mrz.score) {
        return kept;
    }
    let side = plus(first, Rotation::R90);
    let other = plus(side, Rotation::R180);
    let order = if upright_by_print(&side_small, &mrz) {
        [side, other]
    } else {
        [other, side]
    };
    for turn in order {
        let s = look(turn).0;
        // Lines that run sideways but read garbled run the other way.
        let again = matches!(rank(&s), Rank::Garbled | Rank::Located);
        if take(s, &mut kept) || !again {
            break;
        }
    }
    kept
}

/// Scans one frame in its own rotation only, as [`scan_frame_turned`]'s
/// first look does when `first` is `R0`: what a camera frame cost before the
/// shell's rotation became a hint (the `turned` tool times the two side by
/// side).
pub fn scan_frame_as_passed(frame: &LumaFrame<'_>) -> FrameScan {
    scan_small(frame, &locate::downscale(frame))
}

/// Whether the print around an MRZ found at `r` on `s` says it stands
/// upright: an MRZ sits at the foot of its page or card, the rest of the
/// document's print above it. Compares the horizontal gradient over the
/// MRZ's length, from its edge to half its length away, above and below.
/// On the independent renderer's and the own generator's moderate frames
/// this told upright from upside down in all 400; on hard ones 167 of 174,
/// on PassportEye's images 73 of 80. It orders two looks, never replaces one.
pub fn upright_by_print(s: &Small, r: &locate::Region) -> bool {
    let f = s.f as f32;
    let (cx, cy) = (r.cx / f, r.cy / f);
    let (half_len, half_h) = (r.half_len / f, r.half_h / f + 1.0);
    let reach = half_h + half_len;
    let (mut above, mut below) = (0u64, 0u64);
    for y in 0..s.h {
        let Some(row) = s.px.get(y * s.w..(y + 1) * s.w) else {
            break;
        };
        for (x, pair) in row.windows(3).enumerate() {
            let (rx, ry) = (x as f32 + 1.0 - cx, y as f32 - cy);
            let (along, across) = (rx * r.dx + ry * r.dy, ry * r.dx - rx * r.dy);
            if along.abs() > half_len || across.abs() <= half_h || across.abs() >= reach {
                continue;
            }
            let g = u64::from(pair[0].abs_diff(pair[2]));
            if across < 0.0 {
                above += g;
            } else {
                below += g;
            }
        }
    }
    above >= below
}

/// `s` turned clockwise by `turn`: the downscaled frame of the frame turned
/// so (exactly when the frame's sides are multiples of the factor, else
/// within a block); `None` for `R0`, `s` itself.
pub fn turned_small(s: &Small, turn: Rotation) -> Option<Small> {
    let (w, h) = (s.w, s.h);
    let (nw, nh) = match turn {
        Rotation::R0 => return None,
        Rotation::R180 => (w, h),
        Rotation::R90 | Rotation::R270 => (h, w),
    };
    let mut px = vec![0u8; nw * nh];
    if w > 0 {
        for (y, row) in s.px.chunks_exact(w).take(h).enumerate() {
            for (x, &p) in row.iter().enumerate() {
                // Where (x, y) goes when the small frame turns clockwise.
                let (u, v) = match turn {
                    Rotation::R90 => (h - 1 - y, x),
                    Rotation::R180 => (w - 1 - x, h - 1 - y),
                    _ => (y, w - 1 - x),
                };
                if let Some(o) = px.get_mut(v * nw + u) {
                    *o = p;
                }
            }
        }
    }
    Some(Small {
        w: nw,
        h: nh,
        f: s.f,
        px,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::frame::LumaImage;

    #[test]
    fn a_turned_small_is_the_small_of_the_turned_frame() {
        // At factor 2 the downscale averages every pixel of its blocks: the
        // turned small is the turned frame's exactly, when the sides are
        // multiples of the factor.
        for (w, h) in [(64, 40), (65, 41)] {
            let mut im = LumaImage::new(w, h, 0);
            for (i, p) in im.data.iter_mut().enumerate() {
                *p = ((i * 7919) % 251) as u8;
            }
            let frame = im.frame();
            let small = locate::downscale_by(&frame, 2);
            for turn in [Rotation::R0, Rotation::R90, Rotation::R180, Rotation::R270] {
                let want = locate::downscale_by(&frame.turned(turn), 2);
                let got =
                    turned_small(&small, turn).unwrap_or_else(|| locate::downscale_by(&frame, 2));
                assert_eq!((got.w, got.h, got.f), (want.w, want.h, 2), "{turn:?}");
                if w % 2 == 0 && h % 2 == 0 {
                    assert!(got.px == want.px, "{turn:?}");
                }
            }
        }
    }

    #[test]
    fn turns_add_up() {
        assert_eq!(plus(Rotation::R90, Rotation::R270), Rotation::R0);
        assert_eq!(plus(Rotation::R180, Rotation::R270), Rotation::R90);
        assert_eq!(plus(Rotation::R0, Rotation::R180), Rotation::R180);
    }
}
