//! The text lines of a strip: row-profile bands between half-maximum edges.

pub(super) struct Band {
    pub(super) top: f32,
    pub(super) bottom: f32,
}
