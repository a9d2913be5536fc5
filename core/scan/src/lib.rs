//! Reading the MRZ (and later QR codes) from camera frames, in pure Rust.
//!
//! Pipeline: a 1/4-scale copy of the luma plane gives text-line candidates
//! (horizontal gradient, row-wise closing, connected components, grouping of
//! parallel lines); each candidate is rectified at full resolution, deskewed,
//! split into 2 or 3 lines of fixed-pitch cells (the lines agree on where they
//! start and end). Per line, a subset of cells chooses the baseline offset, the
//! glyph height and the blur (one of 16 Gaussian template banks) that fit best;
//! every cell is then matched against the sharp OCR-B templates and its closest
//! classes rescored under the line's blur. The ranked candidates go to
//! `aktiver_mrz`'s repair under the check digits. [`Consensus`] votes across
//! frames.

pub mod consensus;
pub mod frame;
pub mod glyphs;
pub mod image_scan;
pub mod layout;
pub mod locate;
pub mod orientation;
pub mod qr;
pub mod read;
#[cfg(feature = "generator")]
pub mod report;
pub mod rules;
pub mod scan;
#[cfg(feature = "still")]
pub mod still;
#[cfg(feature = "generator")]
pub mod synth;

pub use consensus::Consensus;
pub use frame::{FrameError, LumaFrame, LumaImage, Rect, Rotation};
pub use image_scan::scan_image;
pub use layout::Format;
pub use orientation::scan_frame_turned;
pub use read::{CandidateLines, Reading};
pub use scan::{Feedback, FrameScan, scan_frame};
