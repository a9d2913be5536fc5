//! Still images (a photo, a scan): any size and any orientation, at the cost
//! of a few more passes than a camera frame gets.

use crate::frame::{LumaFrame, LumaImage, Rotation};
use crate::locate;
use crate::scan::{Feedback, FrameScan, scan_small};

/// Scans a still image. Where a camera frame gets one pass (the shell knows
/// the rotation, and the next frame is another chance), a still image is
/// looked at again until an MRZ is read: at other locator scales (characters
/// from about 6 pixels wide in a low-resolution scan to 4K photos), then
/// turned by 90, 270 and 180 degrees. The first reading accepted wins; else
/// the upright pass's feedback.
pub fn scan_image(img: &LumaImage) -> FrameScan {
    let mut first: Option<FrameScan> = None;
    for rot in [Rotation::R0, Rotation::R90, Rotation::R270, Rotation::R180] {
        let Ok(frame) = LumaFrame::new(&img.data, img.width, img.height, img.width, rot) else {
            break;
        };
        for f in factors(&frame) {
            let scan = scan_small(&frame, &locate::downscale_by(&frame, f));
            if scan.valid {
                return scan;
            }
            first.get_or_insert(scan);
        }
    }
    first.unwrap_or(FrameScan {
        feedback: Feedback::NoDocument,
        reading: None,
        valid: false,
    })
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
