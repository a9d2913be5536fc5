//! A deterministic, seeded generator of labelled camera frames: TD1 card backs and
//! TD3 data pages in OCR-B at the real 2.54 mm pitch, on cluttered backgrounds,
//! degraded by level; and negative frames without an MRZ.

pub mod content;
pub mod degrade;
pub mod render;
pub mod rng;

use crate::frame::LumaImage;
use crate::layout::Format;
use rng::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Level {
    Clean,
    Moderate,
    Hard,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Clean, Level::Moderate, Level::Hard];

    pub fn name(self) -> &'static str {
        match self {
            Self::Clean => "clean",
            Self::Moderate => "moderate",
            Self::Hard => "hard",
        }
    }

    /// The level a command-line argument names (`clean`, `moderate`,
    /// `hard`); moderate for anything else, as the diagnostics default.
    pub fn from_arg(arg: Option<&str>) -> Level {
        Self::ALL
            .into_iter()
            .find(|l| Some(l.name()) == arg)
            .unwrap_or(Level::Moderate)
    }
}

/// What a generated frame shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subject {
    Document(Format),
    /// A card or page without an MRZ (the front, a wrong side).
    CardWithoutMrz(Format),
    /// No document at all.
    Scene,
}

/// One labelled frame.
pub struct Generated {
    pub image: LumaImage,
    pub subject: Subject,
    /// The true MRZ lines (empty for negative frames).
    pub truth: Vec<String>,
}

impl std::fmt::Debug for Generated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Generated")
            .field("image", &self.image)
            .field("subject", &self.subject)
            .finish_non_exhaustive()
    }
}

/// Everything that stays fixed across the frames of one burst.
#[derive(Clone, Debug)]
pub struct Scenario {
    pub subject: Subject,
    pub truth: Vec<String>,
    pub width: usize,
    pub height: usize,
    level: Level,
    card_seed: u64,
    /// Card width as a fraction of the frame width, centre, angle (radians).
    frac: f32,
    cx: f32,
    cy: f32,
    angle: f32,
    /// Corner displacements as fractions of the card size (perspective).
    persp: [f32; 8],
}

struct Params {
    angle_deg: f32,
    persp: f32,
    frac: (f32, f32),
    blur: (f32, f32),
    motion: (f32, f32, f32),
    noise: (f32, f32),
    light: f32,
    glare_p: f32,
    contrast: (f32, f32),
    jpeg: (u32, u32),
}

fn params(level: Level) -> Params {
    match level {
        Level::Clean => Params {
            angle_deg: 2.0,
            persp: 0.0,
            frac: (0.6, 0.8),
            blur: (0.4, 0.7),
            motion: (0.0, 0.0, 0.0),
            noise: (1.0, 2.0),
            light: 0.05,
            glare_p: 0.0,
            contrast: (0.9, 1.0),
            jpeg: (90, 95),
        },
        Level::Moderate => Params {
            angle_deg: 8.0,
            persp: 0.04,
            frac: (0.5, 0.9),
            blur: (0.5, 1.3),
            motion: (0.4, 0.0, 4.0),
            noise: (2.0, 5.0),
            light: 0.25,
            glare_p: 0.3,
            contrast: (0.6, 1.0),
            jpeg: (60, 90),
        },
        Level::Hard => Params {
            angle_deg: 18.0,
            persp: 0.08,
            frac: (0.4, 0.95),
            blur: (0.8, 2.2),
            motion: (0.6, 1.0, 8.0),
            noise: (4.0, 10.0),
            light: 0.4,
            glare_p: 0.5,
            contrast: (0.35, 0.9),
            jpeg: (35, 75),
        },
    }
}

impl Scenario {
    /// A document scenario (`None` subject picks TD1 or TD3 at random), or a negative one.
    pub fn new(seed: u64, level: Level, subject: Option<Subject>, size: (usize, usize)) -> Self {
        let mut rng = Rng::new(seed);
        let subject = subject.unwrap_or_else(|| {
            if rng.chance(0.5) {
                Subject::Document(Format::Td1)
            } else {
                Subject::Document(Format::Td3)
            }
        });
        let truth = match subject {
            Subject::Document(f) => content::random_mrz(&mut rng, f),
            _ => Vec::new(),
        };
        let p = params(level);
        let frac = rng.range(p.frac.0, p.frac.1);
        let mut persp = [0.0f32; 8];
        for v in persp.iter_mut() {
            *v = rng.range(-p.persp, p.persp);
        }
        Self {
            subject,
            truth,
            width: size.0,
            height: size.1,
            level,
            card_seed: rng.next_u64(),
            frac,
            cx: rng.range(0.4, 0.6),
            cy: rng.range(0.4, 0.6),
            angle: rng.range(-p.angle_deg, p.angle_deg).to_radians(),
            persp,
        }
    }

    /// A document scenario showing the given MRZ (three lines: a TD1 card,
    /// two: a TD3 page); `None` for any other number of lines.
    pub fn of_document(
        seed: u64,
        level: Level,
        mrz: &[String],
        size: (usize, usize),
    ) -> Option<Self> {
        let format = match mrz.len() {
            3 => Format::Td1,
            2 => Format::Td3,
            _ => return None,
        };
        let mut sc = Self::new(seed, level, Some(Subject::Document(format)), size);
        sc.truth = mrz.to_vec();
        Some(sc)
    }

    /// Renders frame `index` of the burst: the pose jitters slightly and the
    /// degradations are drawn anew.
    pub fn frame(&self, index: u64) -> Generated {
        let (w, h) = (self.width, self.height);
        let mut rng = Rng::new(self.card_seed ^ index.wrapping_mul(0x9E37_79B9));
        let mut card_rng = Rng::new(self.card_seed);
        let p = params(self.level);
        let mut px = render::scene(&mut card_rng.fork(1), w, h);
        let format = match self.subject {
            Subject::Document(f) | Subject::CardWithoutMrz(f) => Some(f),
            Subject::Scene => None,
        };
        if let Some(format) = format {
            let (w_mm, h_mm) = match format {
                Format::Td1 => (85.6f32, 54.0f32),
                _ => (125.0, 88.0),
            };
            let jitter = if index == 0 { 0.0 } else { 1.0 };
            let frac = self.frac * (1.0 + jitter * rng.range(-0.02, 0.02));
            let scale = frac * w as f32 / w_mm; // px per mm
            let angle = self.angle + jitter * rng.range(-0.01, 0.01);
            let cx = (self.cx + jitter * rng.range(-0.01, 0.01)) * w as f32;
            let cy = (self.cy + jitter * rng.range(-0.01, 0.01)) * h as f32;
            let (ca, sa) = (angle.cos(), angle.sin());
            let corners_mm = [(0.0, 0.0), (w_mm, 0.0), (w_mm, h_mm), (0.0, h_mm)];
            let mut dst = [(0.0f64, 0.0f64); 4];
            for (i, &(mx, my)) in corners_mm.iter().enumerate() {
                let (dx, dy) = ((mx - w_mm / 2.0) * scale, (my - h_mm / 2.0) * scale);
                let px_ = cx + dx * ca - dy * sa
                    + self.persp.get(2 * i).copied().unwrap_or(0.0) * w_mm * scale;
                let py_ = cy
                    + dx * sa
                    + dy * ca
                    + self.persp.get(2 * i + 1).copied().unwrap_or(0.0) * h_mm * scale;
                dst[i] = (f64::from(px_), f64::from(py_));
            }
            // Below the hard level the document stays in the frame (the user follows
            // the viewfinder); shrink about the centre, then shift, until it fits.
            if self.level != Level::Hard {
                let m = 4.0f64;
                let (fw, fh) = (w as f64 - m, h as f64 - m);
                let (ccx, ccy) = (f64::from(cx), f64::from(cy));
                let mut k = 1.0f64;
                for &(x, y) in &dst {
                    let (dx, dy) = (x - ccx, y - ccy);
                    if dx.abs() > 1e-6 {
                        k = k.min(if dx > 0.0 {
                            (fw - ccx) / dx
                        } else {
                            (m - ccx) / dx
                        });
                    }
                    if dy.abs() > 1e-6 {
                        k = k.min(if dy > 0.0 {
                            (fh - ccy) / dy
                        } else {
                            (m - ccy) / dy
                        });
                    }
                }
                let k = k.clamp(0.3, 1.0);
                for d in dst.iter_mut() {
                    *d = (ccx + (d.0 - ccx) * k, ccy + (d.1 - ccy) * k);
                }
            }
            let src = corners_mm.map(|(x, y)| (f64::from(x), f64::from(y)));
            if let Some(hinv) = render::homography(&dst, &src) {
                // Canvas at about 1.5x the frame resolution, so warping does not alias.
                let res = (scale * 1.5).clamp(4.0, 30.0);
                let mrz = match self.subject {
                    Subject::Document(_) => Some(self.truth.as_slice()),
                    _ => None,
                };
                let card = render::render_card(&mut card_rng.fork(2), format, mrz, res);
                let xs = dst.iter().map(|d| d.0);
                let ys = dst.iter().map(|d| d.1);
                let bbox = (
                    xs.clone().fold(f64::MAX, f64::min).max(0.0) as usize,
                    ys.clone().fold(f64::MAX, f64::min).max(0.0) as usize,
                    xs.fold(0.0, f64::max).max(0.0) as usize + 1,
                    ys.fold(0.0, f64::max).max(0.0) as usize + 1,
                );
                render::warp_into(&mut px, w, h, &card, &hinv, bbox);
            }
        }
        let mut d = rng.fork(3);
        degrade::uneven_light(&mut px, w, h, d.range(0.0, p.light), &mut d.fork(4));
        if d.chance(p.glare_p) {
            let (gx, gy) = (d.range(0.2, 0.8) * w as f32, d.range(0.2, 0.8) * h as f32);
            let r = d.range(0.03, 0.08) * w as f32;
            degrade::glare(&mut px, w, h, gx, gy, r, d.range(60.0, 160.0));
        }
        degrade::contrast(
            &mut px,
            d.range(p.contrast.0, p.contrast.1),
            d.range(-20.0, 20.0),
        );
        degrade::gaussian_blur(&mut px, w, h, d.range(p.blur.0, p.blur.1));
        if d.chance(p.motion.0) {
            degrade::motion_blur(
                &mut px,
                w,
                h,
                d.range(p.motion.1, p.motion.2),
                d.range(0.0, std::f32::consts::PI),
            );
        }
        degrade::noise(&mut px, d.range(p.noise.0, p.noise.1), &mut d.fork(5));
        for v in px.iter_mut() {
            *v = v.clamp(0.0, 255.0);
        }
        let q = p.jpeg.0 + d.below((p.jpeg.1 - p.jpeg.0 + 1) as usize) as u32;
        degrade::jpeg(&mut px, w, h, q);
        let data = px
            .iter()
            .map(|v| v.clamp(0.0, 255.0).round() as u8)
            .collect();
        Generated {
            image: LumaImage {
                width: w as u32,
                height: h as u32,
                data,
            },
            subject: self.subject,
            truth: self.truth.clone(),
        }
    }
}

/// Convenience: one frame of a fresh scenario.
pub fn generate(
    seed: u64,
    level: Level,
    subject: Option<Subject>,
    size: (usize, usize),
) -> Generated {
    Scenario::new(seed, level, subject, size).frame(0)
}

/// A negative scenario: half cards without MRZ, half plain scenes.
pub fn negative(seed: u64, level: Level, size: (usize, usize)) -> Generated {
    let subject = match seed % 3 {
        0 => Subject::Scene,
        1 => Subject::CardWithoutMrz(Format::Td1),
        _ => Subject::CardWithoutMrz(Format::Td3),
    };
    Scenario::new(seed, level, Some(subject), size).frame(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic() {
        let a = generate(3, Level::Moderate, None, (160, 90));
        let b = generate(3, Level::Moderate, None, (160, 90));
        assert_eq!(a.image, b.image);
        assert_eq!(a.truth, b.truth);
        assert!(!a.truth.is_empty());
    }
}
