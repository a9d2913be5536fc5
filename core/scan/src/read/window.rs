//! Which lines of a strip are the MRZ, and in which format: the lowest window
//! of lines with an MRZ's geometry, read in the format the region's length
//! suggests first.

use super::bands::Band;
use super::lines::read_lines;
use super::strip::Strip;
use super::{Miss, Reading};
use crate::layout::{Format, FormatExt};
use crate::locate::Region;

/// A reading whose worst character costs at most this needs no other format
/// tried (and no second look at the strip).
pub(super) const GOOD_READING: f32 = 0.3;

/// The rows (top, bottom) of a window of lines in the strip, and how many lines.
pub(super) type Window = (f32, f32, usize);

/// The best reading of a window of `bands`, and the window read best (or else
/// the lowest window of the first format tried).
pub(super) fn read_window(
    strip: &Strip,
    bands: &[Band],
    r: &Region,
    delta: &dyn Fn(f32) -> f32,
    s: f32,
) -> (Result<Reading, Miss>, Option<Window>) {
    // The MRZ is the last two or three lines of the document; the strip may
    // also hold text above it or, widened, below a partial region. The lowest
    // window of lines with the MRZ's geometry is read.
    // The format the region's length suggests first (TD1 lines measure about
    // 32 text heights, TD3 lines 47); a good reading there ends the search.
    // TD2's 36 characters are tried only when the length says so most
    // clearly: two lines of a TD1 whose third was not found read, poorly,
    // as a TD2, and would stop the search for the third.
    let measured = 2.0 * r.half_len / r.line_thick.max(1.0);
    let mut try_formats = crate::layout::SHAPES.to_vec();
    try_formats.sort_by(|a, b| {
        (a.0.caps_per_line() - measured)
            .abs()
            .total_cmp(&(b.0.caps_per_line() - measured).abs())
    });
    if try_formats.first().is_some_and(|f| f.0 != Format::Td2) {
        try_formats.retain(|f| f.0 != Format::Td2);
    }
    let mut best: Option<Reading> = None;
    let mut miss = Miss::NotMrz;
    // The rows (top, bottom) of the window read best, or else of the lowest
    // window of the first format.
    let mut window: Option<(f32, f32, usize)> = None;
    for (format, n) in try_formats {
        if best.as_ref().is_some_and(|b| b.worst_cost <= GOOD_READING) {
            break;
        }
        for start in (0..=bands.len().saturating_sub(n)).rev() {
            let Some(chosen) = bands.get(start..start + n) else {
                continue;
            };
            let rows = match (chosen.first(), chosen.last()) {
                (Some(a), Some(b)) => Some((a.top, b.bottom, n)),
                _ => None,
            };
            window = window.or(rows);
            match read_lines(strip, chosen, format, delta, s) {
                Ok(rd) => {
                    if best.as_ref().is_none_or(|b| rd.worst_cost < b.worst_cost) {
                        best = Some(rd);
                        window = rows.or(window);
                    }
                    break;
                }
                // The most specific reason: a line that ran off the strip.
                Err(m) => {
                    if miss == Miss::NotMrz {
                        miss = m;
                    }
                }
            }
        }
    }
    (best.ok_or(miss), window)
}
