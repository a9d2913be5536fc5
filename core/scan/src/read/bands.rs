//! The text lines of a strip: row-profile bands between half-maximum edges.

#[allow(unused_imports)]
use super::*;

pub(super) struct Band {
    pub(super) top: f32,
    pub(super) bottom: f32,
}
