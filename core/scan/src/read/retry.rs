//! The retry policy of one region, in one place: every second look the reader
//! takes at a region the locator found, and why. (Across regions, at most
//! three per frame are read, best first: `scan.rs`. A still image is also
//! looked at turned and at other scales: `image_scan.rs`. Within a reading, a
//! line whose cells slipped one pitch is read again on a good line's grid:
//! `lines.rs`.)
//!
//! 1. A strip whose lines measure much thinner than it was sampled for is
//!    sampled again at the lines' own height, at most [`FINER_RESAMPLES`]
//!    times.
//! 2. A poor reading of a strip that holds much more than its lines is read
//!    again around those lines alone, once, unless the strip was already
//!    resampled that often.
//! 3. A region whose lines run off its strip is read again
//!    [`LONGER_STRIP`] times longer.
//! 4. A region of one or two lines that gave no MRZ is read again with room
//!    for the missing lines.

use super::look::{Look, look};
use super::window::GOOD_READING;
use super::{Miss, Reading};
use crate::frame::LumaFrame;
use crate::locate::Region;

/// How many times a coarse strip is sampled again (1 above).
const FINER_RESAMPLES: u8 = 2;

/// How much longer the second look at a region that ran off its strip is.
const LONGER_STRIP: f32 = 1.35;

/// MRZ line spacing over character pitch (ICAO 9303: 4.23 mm over 2.54 mm).
const LINE_PER_PITCH: f32 = 4.23 / 2.54;

/// Reads the region; `Err` says why not (3 and 4 above).
pub fn read_region(frame: &LumaFrame<'_>, r: &Region) -> Result<Reading, Miss> {
    let len = 2.0 * r.half_len;
    // The cap height lies between len/48 (TD3) and len/32 (TD1); aim for ~20 strip rows.
    let cap_guess = len / 44.0;
    if cap_guess < 5.0 {
        return Err(Miss::TooSmall);
    }
    let mut first = read_strip(frame, r, r.half_h + 1.2 * cap_guess, 1.0);
    if first.as_ref().err() == Some(&Miss::Clipped) {
        // Glare or shadow over one end of the MRZ shortens what the locator
        // joined, and a line then runs off the strip: look again, longer.
        first = read_strip(frame, r, r.half_h + 1.2 * cap_guess, LONGER_STRIP).or(first);
    }
    if first.is_ok()
        || r.lines >= 3
        || !matches!(first.as_ref().err(), Some(Miss::NotMrz | Miss::Clipped))
    {
        return first;
    }
    // The locator may have joined only some of the lines: a filler-heavy name
    // line breaks up at low resolution. Look again with room for the missing
    // lines on either side, at TD1's line spacing (the widest per length). Two
    // lines of a TD1 read as a TD3 seem to run off the strip: that too.
    let spacing = LINE_PER_PITCH * len / 30.0;
    let missing = (3 - r.lines) as f32;
    read_strip(
        frame,
        r,
        r.half_h + missing * spacing + 0.8 * cap_guess,
        1.0,
    )
    .or(first)
}

/// Reads the strip of `r` that reaches `perp` full-resolution pixels either
/// side of its centre line, and `longer` times the usual margin along it (1
/// and 2 above).
fn read_strip(frame: &LumaFrame<'_>, r: &Region, perp: f32, longer: f32) -> Result<Reading, Miss> {
    let mut region = r.clone();
    let mut resamples = FINER_RESAMPLES;
    loop {
        match look(frame, &region, perp, longer, resamples > 0) {
            // A barcode or a block of print beside the MRZ thickens what the
            // locator measured, and the strip comes out coarser than the
            // glyph grid needs: sample it again at the lines' own height.
            Look::Coarse { line_thick } => {
                region = Region {
                    line_thick,
                    ..region
                };
                resamples -= 1;
            }
            // Print or a barcode beside the MRZ, inside the strip, sways the
            // skew (every row of the strip votes for it): when the reading is
            // poor and the strip holds much more than the lines read, read
            // again around those lines alone.
            Look::Read { reading, narrow } => {
                let poor = !reading.as_ref().is_ok_and(|b| b.worst_cost <= GOOD_READING);
                let Some((narrow, reach)) = narrow.filter(|_| poor && resamples > 0) else {
                    return reading;
                };
                let alone = match look(frame, &narrow, reach, longer, false) {
                    Look::Read { reading, .. } => reading,
                    Look::Coarse { .. } => Err(Miss::NotMrz),
                };
                return match (reading, alone) {
                    (Ok(b), Ok(a)) if a.worst_cost < b.worst_cost => Ok(a),
                    (Err(_), Ok(a)) => Ok(a),
                    (reading, _) => reading,
                };
            }
        }
    }
}
