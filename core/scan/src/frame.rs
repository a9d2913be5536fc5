//! Camera frames: a borrowed luma plane read in place, in upright coordinates.

/// Clockwise rotation that turns the buffer upright (CameraX `rotationDegrees`,
/// the angle an iOS shell derives from the device orientation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Rotation {
    #[default]
    R0,
    R90,
    R180,
    R270,
}

impl Rotation {
    /// From degrees; anything but 0/90/180/270 (mod 360) is refused.
    pub fn from_degrees(deg: i32) -> Option<Self> {
        match deg.rem_euclid(360) {
            0 => Some(Self::R0),
            90 => Some(Self::R90),
            180 => Some(Self::R180),
            270 => Some(Self::R270),
            _ => None,
        }
    }

    pub fn degrees(self) -> u32 {
        match self {
            Self::R0 => 0,
            Self::R90 => 90,
            Self::R180 => 180,
            Self::R270 => 270,
        }
    }
}

/// A rectangle in buffer coordinates (before rotation), like CameraX's `cropRect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FrameError {
    #[error("row_stride {row_stride} is smaller than width {width}")]
    StrideTooSmall { width: u32, row_stride: u32 },
    #[error("luma plane has {len} bytes, needs at least {needed}")]
    BufferTooShort { len: usize, needed: u64 },
    #[error("region of interest exceeds the frame")]
    RoiOutside,
    #[error("rotation {0} is not 0, 90, 180 or 270")]
    BadRotation(i32),
    #[error("frame of {width}x{height} is too large")]
    TooLarge { width: u32, height: u32 },
}

/// The largest side accepted; far above any camera preview, small enough that
/// index arithmetic in i64 can never overflow.
pub const MAX_SIDE: u32 = 1 << 14;

/// Bilinear interpolation of the pixels `[p00, p10, p01, p11]` at the
/// fractions `fx`, `fy`: the one form every sampler uses, so a fast path
/// gives bit for bit the values of `LumaFrame::sample`.
#[inline(always)]
pub(crate) fn bilinear([p00, p10, p01, p11]: [f32; 4], fx: f32, fy: f32) -> f32 {
    let a = p00 + (p10 - p00) * fx;
    let b = p01 + (p11 - p01) * fx;
    a + (b - a) * fy
}

/// A borrowed 8-bit luma plane: Android `ImageProxy.planes[0]` or iOS 420f plane 0.
/// Nothing is copied; rotation and the region of interest are applied while reading.
#[derive(Clone, Copy)]
pub struct LumaFrame<'a> {
    data: &'a [u8],
    /// Upright size of the region read.
    width: u32,
    height: u32,
    base: i64,
    du: i64,
    dv: i64,
}

impl std::fmt::Debug for LumaFrame<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LumaFrame")
            .field("width", &self.width)
            .field("height", &self.height)
            .finish_non_exhaustive()
    }
}

impl<'a> LumaFrame<'a> {
    /// A luma plane of `width` x `height` pixels with rows `row_stride` bytes apart.
    pub fn new(
        data: &'a [u8],
        width: u32,
        height: u32,
        row_stride: u32,
        rotation: Rotation,
    ) -> Result<Self, FrameError> {
        Self::with_roi(data, width, height, row_stride, rotation, None)
    }

    /// Like [`LumaFrame::new`], reading only `roi` (buffer coordinates).
    pub fn with_roi(
        data: &'a [u8],
        width: u32,
        height: u32,
        row_stride: u32,
        rotation: Rotation,
        roi: Option<Rect>,
    ) -> Result<Self, FrameError> {
        if width > MAX_SIDE || height > MAX_SIDE || row_stride > 4 * MAX_SIDE {
            return Err(FrameError::TooLarge { width, height });
        }
        if row_stride < width {
            return Err(FrameError::StrideTooSmall { width, row_stride });
        }
        if width > 0 && height > 0 {
            let needed = u64::from(row_stride) * u64::from(height - 1) + u64::from(width);
            if (data.len() as u64) < needed {
                return Err(FrameError::BufferTooShort {
                    len: data.len(),
                    needed,
                });
            }
        }
        let r = roi.unwrap_or(Rect {
            x: 0,
            y: 0,
            width,
            height,
        });
        if u64::from(r.x) + u64::from(r.width) > u64::from(width)
            || u64::from(r.y) + u64::from(r.height) > u64::from(height)
        {
            return Err(FrameError::RoiOutside);
        }
        let s = i64::from(row_stride);
        let (x0, y0) = (i64::from(r.x), i64::from(r.y));
        let (rw, rh) = (i64::from(r.width), i64::from(r.height));
        // Upright (u, v) -> buffer (x, y), expressed as base + u*du + v*dv.
        let (base_x, base_y, du, dv, uw, uh) = match rotation {
            Rotation::R0 => (x0, y0, 1, s, r.width, r.height),
            Rotation::R90 => (x0, y0 + rh - 1, -s, 1, r.height, r.width),
            Rotation::R180 => (x0 + rw - 1, y0 + rh - 1, -1, -s, r.width, r.height),
            Rotation::R270 => (x0 + rw - 1, y0, s, -1, r.height, r.width),
        };
        let (uw, uh) = if r.width == 0 || r.height == 0 {
            (0, 0)
        } else {
            (uw, uh)
        };
        Ok(Self {
            data,
            width: uw,
            height: uh,
            base: base_y * s + base_x,
            du,
            dv,
        })
    }

    /// Upright width of the region read.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Upright height of the region read.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Pixel at upright (u, v); 0 outside.
    #[inline]
    pub fn get(&self, u: i32, v: i32) -> u8 {
        if u < 0 || v < 0 || u as u32 >= self.width || v as u32 >= self.height {
            return 0;
        }
        let i = self.base + i64::from(u) * self.du + i64::from(v) * self.dv;
        usize::try_from(i)
            .ok()
            .and_then(|i| self.data.get(i))
            .copied()
            .unwrap_or(0)
    }

    /// Pixel at upright (u, v), clamped to the frame.
    #[inline]
    pub fn get_clamped(&self, u: i32, v: i32) -> u8 {
        if self.width == 0 || self.height == 0 {
            return 0;
        }
        let u = u.clamp(0, self.width as i32 - 1);
        let v = v.clamp(0, self.height as i32 - 1);
        self.get(u, v)
    }

    /// Bilinear sample at upright (x, y), clamped to the frame.
    #[inline]
    pub fn sample(&self, x: f32, y: f32) -> f32 {
        // Truncation is floor for non-negative values, and far cheaper than a
        // libm call on targets without SSE4.1.
        // The integer part is converted once: (v as i32) as f32 as i32 is
        // v as i32.
        let floor = |v: f32| {
            if v >= 0.0 {
                let i = v as i32;
                (i as f32, i)
            } else {
                let f = v.floor();
                (f, f as i32)
            }
        };
        let (xf, xi) = floor(x);
        let (yf, yi) = floor(y);
        let (fx, fy) = (x - xf, y - yf);
        if self.du == 1
            && xi >= 0
            && yi >= 0
            && ((xi + 1) as u32) < self.width
            && ((yi + 1) as u32) < self.height
            && let Ok(i) = usize::try_from(self.base + i64::from(xi) + i64::from(yi) * self.dv)
            && let Ok(dv) = usize::try_from(self.dv)
            && let (Some(&[p00, p10]), Some(&[p01, p11])) = (
                self.data
                    .get(i..i + 2)
                    .and_then(|s| <&[u8; 2]>::try_from(s).ok()),
                self.data
                    .get(i + dv..i + dv + 2)
                    .and_then(|s| <&[u8; 2]>::try_from(s).ok()),
            )
        {
            // Upright rows in memory: two adjacent pairs.
            return bilinear([p00, p10, p01, p11].map(f32::from), fx, fy);
        }
        let pixels = if xi >= 0
            && yi >= 0
            && ((xi + 1) as u32) < self.width
            && ((yi + 1) as u32) < self.height
        {
            // Fast path: all four neighbours inside.
            let i = self.base + i64::from(xi) * self.du + i64::from(yi) * self.dv;
            let at = |k: i64| {
                usize::try_from(k)
                    .ok()
                    .and_then(|k| self.data.get(k))
                    .copied()
                    .map_or(0.0, f32::from)
            };
            [
                at(i),
                at(i + self.du),
                at(i + self.dv),
                at(i + self.du + self.dv),
            ]
        } else {
            [
                f32::from(self.get_clamped(xi, yi)),
                f32::from(self.get_clamped(xi + 1, yi)),
                f32::from(self.get_clamped(xi, yi + 1)),
                f32::from(self.get_clamped(xi + 1, yi + 1)),
            ]
        };
        bilinear(pixels, fx, fy)
    }

    /// The same pixels turned clockwise by `turn` on top of the frame's own
    /// rotation: `LumaFrame::new(b, .., r)?.turned(t)` reads as
    /// `LumaFrame::new(b, .., r + t)` (a shell's rotation that was wrong).
    pub fn turned(&self, turn: Rotation) -> LumaFrame<'a> {
        let mut f = *self;
        for _ in 0..turn.degrees() / 90 {
            // Upright (u, v) of the turned frame is (v, height - 1 - u) of this one.
            f = LumaFrame {
                data: f.data,
                width: f.height,
                height: f.width,
                base: f.base + (i64::from(f.height) - 1) * f.dv,
                du: -f.dv,
                dv: f.du,
            };
        }
        f
    }

    /// A row of the upright image as a contiguous slice, when the layout allows it.
    #[inline]
    pub(crate) fn row_slice(&self, v: u32) -> Option<&'a [u8]> {
        if self.du != 1 || v >= self.height {
            return None;
        }
        let start = usize::try_from(self.base + i64::from(v) * self.dv).ok()?;
        self.data.get(start..start + self.width as usize)
    }
}

/// An owned upright luma image (still images, generated frames).
#[derive(Clone, PartialEq, Eq)]
pub struct LumaImage {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

impl std::fmt::Debug for LumaImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LumaImage({}x{})", self.width, self.height)
    }
}

impl LumaImage {
    pub fn new(width: u32, height: u32, fill: u8) -> Self {
        Self {
            width,
            height,
            data: vec![fill; width as usize * height as usize],
        }
    }

    /// BT.601 luma from tightly packed RGBA (what decoders and canvases give).
    pub fn from_rgba(width: u32, height: u32, rgba: &[u8]) -> Result<Self, FrameError> {
        let n = width as usize * height as usize;
        if width > MAX_SIDE || height > MAX_SIDE {
            return Err(FrameError::TooLarge { width, height });
        }
        if rgba.len() < n * 4 {
            return Err(FrameError::BufferTooShort {
                len: rgba.len(),
                needed: n as u64 * 4,
            });
        }
        let data = rgba
            .chunks_exact(4)
            .take(n)
            .map(|p| {
                let (r, g, b) = (u32::from(p[0]), u32::from(p[1]), u32::from(p[2]));
                ((77 * r + 150 * g + 29 * b + 128) >> 8) as u8
            })
            .collect();
        Ok(Self {
            width,
            height,
            data,
        })
    }

    /// View as an upright frame.
    pub fn frame(&self) -> LumaFrame<'_> {
        // The constructor only fails for inconsistent sizes, which this type cannot have
        // unless its public fields were edited; fall back to an empty frame then.
        LumaFrame::new(
            &self.data,
            self.width,
            self.height,
            self.width,
            Rotation::R0,
        )
        .unwrap_or_else(|_| empty_frame())
    }

    /// The pixels as a buffer rotated so that `rotation` turns it back upright,
    /// with rows padded to `stride` (tests of the camera-buffer path).
    pub fn to_camera_buffer(
        &self,
        rotation: Rotation,
        stride_pad: u32,
    ) -> (Vec<u8>, u32, u32, u32) {
        let (w, h) = (self.width, self.height);
        let (bw, bh) = match rotation {
            Rotation::R0 | Rotation::R180 => (w, h),
            Rotation::R90 | Rotation::R270 => (h, w),
        };
        let stride = bw + stride_pad;
        let mut buf = vec![0u8; stride as usize * bh as usize];
        for v in 0..h {
            for u in 0..w {
                let (x, y) = match rotation {
                    Rotation::R0 => (u, v),
                    Rotation::R90 => (v, bh - 1 - u),
                    Rotation::R180 => (bw - 1 - u, bh - 1 - v),
                    Rotation::R270 => (bw - 1 - v, u),
                };
                if let (Some(d), Some(s)) = (
                    buf.get_mut((y * stride + x) as usize),
                    self.data.get((v * w + u) as usize),
                ) {
                    *d = *s;
                }
            }
        }
        (buf, bw, bh, stride)
    }
}

pub(crate) fn empty_frame() -> LumaFrame<'static> {
    LumaFrame {
        data: &[],
        width: 0,
        height: 0,
        base: 0,
        du: 1,
        dv: 0,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn img() -> LumaImage {
        let mut im = LumaImage::new(5, 3, 0);
        for (i, p) in im.data.iter_mut().enumerate() {
            *p = i as u8;
        }
        im
    }

    #[test]
    fn rotations_round_trip() {
        let im = img();
        for rot in [Rotation::R0, Rotation::R90, Rotation::R180, Rotation::R270] {
            for pad in [0, 3] {
                let (buf, bw, bh, stride) = im.to_camera_buffer(rot, pad);
                let f = LumaFrame::new(&buf, bw, bh, stride, rot).unwrap();
                assert_eq!((f.width(), f.height()), (5, 3), "{rot:?}");
                for v in 0..3 {
                    for u in 0..5 {
                        assert_eq!(f.get(u, v), im.data[(v * 5 + u) as usize], "{rot:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn a_turned_frame_reads_as_the_sum_of_the_rotations() {
        let im = img();
        let all = [Rotation::R0, Rotation::R90, Rotation::R180, Rotation::R270];
        for rot in all {
            let (buf, bw, bh, stride) = im.to_camera_buffer(rot, 2);
            let f = LumaFrame::new(&buf, bw, bh, stride, rot).unwrap();
            for turn in all {
                let sum = Rotation::from_degrees((rot.degrees() + turn.degrees()) as i32).unwrap();
                let want = LumaFrame::new(&buf, bw, bh, stride, sum).unwrap();
                let got = f.turned(turn);
                assert_eq!((got.width(), got.height()), (want.width(), want.height()));
                for v in -1..=got.height() as i32 {
                    for u in -1..=got.width() as i32 {
                        assert_eq!(
                            got.get(u, v),
                            want.get(u, v),
                            "{rot:?} + {turn:?} at {u},{v}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn roi_and_errors() {
        let im = img();
        let f = LumaFrame::with_roi(
            &im.data,
            5,
            3,
            5,
            Rotation::R0,
            Some(Rect {
                x: 1,
                y: 1,
                width: 3,
                height: 2,
            }),
        )
        .unwrap();
        assert_eq!((f.width(), f.height(), f.get(0, 0)), (3, 2, 6));
        assert!(LumaFrame::new(&im.data, 5, 3, 4, Rotation::R0).is_err());
        assert!(LumaFrame::new(&im.data[..10], 5, 3, 5, Rotation::R0).is_err());
        let e = LumaFrame::new(&[], 0, 0, 0, Rotation::R90).unwrap();
        assert_eq!((e.width(), e.height(), e.get(0, 0)), (0, 0, 0));
        assert_eq!(Rotation::from_degrees(-90), Some(Rotation::R270));
    }
}
