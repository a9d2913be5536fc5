//! Still images (a photo, a scan): any size and any orientation, at the cost
//! of a few more passes than a camera frame gets.

use crate::frame::{LumaFrame, LumaImage, Rotation};
use crate::locate;
use crate::scan::{Feedback, FrameScan, MAX_FRAME_ACCEPT_COST, scan_small};

/// Scans a still image. Where a camera frame gets one pass (the shell knows
/// the rotation, and the next frame is another chance), a still image is
/// looked at again until an MRZ is read: at other locator scales (characters
/// from about 6 pixels wide in a low-resolution scan to 4K photos), then
/// turned by 90, 270 and 180 degrees. The first reading accepted wins; else
/// the closest reading any pass made (see [`keep_closest`]), or the upright
/// pass's feedback when none came close.
pub fn scan_image(img: &LumaImage) -> FrameScan {
    let mut first: Option<FrameScan> = None;
    if let Some(scan) = scan_upscaled(img, &mut first) {
        return scan;
    }
    first.unwrap_or(FrameScan::nothing(Feedback::NoDocument))
}

/// [`scan_turned`] on `img`, then on `img` at twice its size while it is
/// small: a small scan (characters 5-12 px wide) reads better upscaled, the
/// templates and the grid fit need a few pixels per stroke.
fn scan_upscaled(img: &LumaImage, first: &mut Option<FrameScan>) -> Option<FrameScan> {
    if let Some(scan) = scan_turned(img, first) {
        return Some(scan);
    }
    let mut img = std::borrow::Cow::Borrowed(img);
    while img.width.max(img.height) <= UPSCALE_BELOW {
        img = std::borrow::Cow::Owned(upscaled_2x(&img));
        if let Some(scan) = scan_turned(&img, first) {
            return Some(scan);
        }
    }
    None
}

/// The longest side up to which a still image is also read at twice its size
/// (and again at twice that: a 300-pixel scan is read at 4x).
const UPSCALE_BELOW: u32 = 1600;

/// The four orientations at every locator scale: the first accepted reading,
/// else `None` with the first pass's answer left in `first`.
fn scan_turned(img: &LumaImage, first: &mut Option<FrameScan>) -> Option<FrameScan> {
    for rot in [Rotation::R0, Rotation::R90, Rotation::R270, Rotation::R180] {
        let Ok(frame) = LumaFrame::new(&img.data, img.width, img.height, img.width, rot) else {
            break;
        };
        for f in factors(&frame) {
            let scan = scan_small(&frame, &locate::downscale_by(&frame, f));
            if scan.valid {
                return Some(scan);
            }
            keep_closest(first, scan);
        }
    }
    None
}

/// Keeps in `first` the answer to give when no pass is accepted: the first
/// pass's, unless a later one read an MRZ well enough to be worth holding
/// still for (every character a fair match) and better than any before. A
/// scan read at another scale or turned is then refused for what it is (a
/// close call, an unclear name), not for what the first pass missed.
fn keep_closest(first: &mut Option<FrameScan>, scan: FrameScan) {
    let cost = |s: &FrameScan| s.reading.as_ref().map_or(f32::INFINITY, |r| r.worst_cost);
    match first {
        None => *first = Some(scan),
        Some(kept) if cost(&scan) <= MAX_FRAME_ACCEPT_COST && cost(&scan) < cost(kept) => {
            *kept = scan;
        }
        Some(_) => {}
    }
}

/// `img` at twice its width and height, bilinear (pixel centres kept).
fn upscaled_2x(img: &LumaImage) -> LumaImage {
    let (w, h) = (img.width as usize, img.height as usize);
    let (ow, oh) = (2 * w, 2 * h);
    let mut data = vec![0u8; ow * oh];
    // Output pixel o samples the source at o/2 - 1/4: between o/2 - 1 and
    // o/2 (weights 1/4, 3/4) when o is even, o/2 and o/2 + 1 (3/4, 1/4) when
    // odd; the edges repeat. Returns both taps and the first's weight in 4ths.
    let tap = |o: usize, n: usize| -> (usize, usize, u32) {
        let k = o / 2;
        if o.is_multiple_of(2) {
            (k.saturating_sub(1), k, 1)
        } else {
            (k, (k + 1).min(n - 1), 3)
        }
    };
    for oy in 0..oh {
        let (y0, y1, wy) = tap(oy, h);
        for ox in 0..ow {
            let (x0, x1, wx) = tap(ox, w);
            let p = |x: usize, y: usize| u32::from(img.data[y * w + x]);
            let top = wx * p(x0, y0) + (4 - wx) * p(x1, y0);
            let bottom = wx * p(x0, y1) + (4 - wx) * p(x1, y1);
            data[oy * ow + ox] = ((wy * top + (4 - wy) * bottom + 8) / 16) as u8;
        }
    }
    LumaImage {
        width: ow as u32,
        height: oh as u32,
        data,
    }
}

/// The locator scales tried, the camera frame's first.
fn factors(frame: &LumaFrame<'_>) -> Vec<usize> {
    let f0 = locate::default_factor(frame);
    let mut out = vec![f0];
    for f in [2 * f0, f0.div_ceil(2), 3 * f0, f0 + f0.div_ceil(2)] {
        if f >= 1 && !out.contains(&f) {
            out.push(f);
        }
    }
    out
}
