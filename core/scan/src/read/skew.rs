//! The skew of a strip's lines: a straight line through the block shifts,
//! and a bow where the page or the lens bends them.

/// The lines' vertical offset along the strip (strip rows against strip
/// columns): a straight skew, and a bow where the page is curved (a passport
/// page bulges by its binding) or the lens bends lines near the frame's edge.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Skew {
    pub(super) icpt: f32,
    pub(super) slope: f32,
    /// Second-order term about `xm`, the middle of the points fitted.
    pub(super) curve: f32,
    pub(super) xm: f32,
}

/// A bow (the middle against the ends) smaller than this share of the text
/// height is taken for noise in the block shifts: the straight skew alone
/// holds.
pub(super) const MIN_BOW: f32 = 0.1;

impl Skew {
    pub(super) fn at(&self, x: f32) -> f32 {
        let u = x - self.xm;
        self.icpt + self.slope * x + self.curve * u * u
    }

    /// Theil-Sen fit of (column, shift) points: the bow from the median
    /// second divided difference over triples of points well apart, kept when
    /// it bends the line by at least `min_bow` rows between its middle and its
    /// ends; then slope and intercept from the medians over pairs. Robust to a
    /// few blocks of card edge or background at the strip ends.
    pub(super) fn fit(pts: &[(f32, f32)], min_bow: f32) -> Skew {
        let median = |v: &mut Vec<f32>| {
            v.sort_by(f32::total_cmp);
            v.get(v.len() / 2).copied().unwrap_or(0.0)
        };
        let (lo, hi) = pts
            .iter()
            .fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
        let xm = if pts.is_empty() { 0.0 } else { (lo + hi) / 2.0 };
        let half = (hi - lo) / 2.0;
        // Triples whose gaps are each at least a quarter of the span: closer
        // points turn the shifts' noise into curvature.
        let gap = half / 2.0;
        let mut curves = Vec::new();
        for (i, a) in pts.iter().enumerate() {
            for (j, b) in pts.iter().enumerate().skip(i + 1) {
                if b.0 - a.0 < gap {
                    continue;
                }
                for c in pts.iter().skip(j + 1) {
                    if c.0 - b.0 < gap {
                        continue;
                    }
                    let d1 = (b.1 - a.1) / (b.0 - a.0);
                    let d2 = (c.1 - b.1) / (c.0 - b.0);
                    curves.push((d2 - d1) / (c.0 - a.0));
                }
            }
        }
        let curve = median(&mut curves);
        let curve = if curves.len() >= 3 && curve.abs() * half * half >= min_bow {
            curve
        } else {
            0.0
        };
        let straight: Vec<(f32, f32)> = pts
            .iter()
            .map(|&(x, y)| (x, y - curve * (x - xm) * (x - xm)))
            .collect();
        let mut slopes = Vec::with_capacity(pts.len() * pts.len() / 2);
        for (i, a) in straight.iter().enumerate() {
            for b in straight.iter().skip(i + 1) {
                if (b.0 - a.0).abs() > 1.0 {
                    slopes.push((b.1 - a.1) / (b.0 - a.0));
                }
            }
        }
        let slope = median(&mut slopes);
        let mut icpts: Vec<f32> = straight.iter().map(|p| p.1 - slope * p.0).collect();
        let icpt = median(&mut icpts);
        Skew {
            icpt,
            slope,
            curve,
            xm,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Skew;

    /// Block centres of a strip 600 columns wide in 12 blocks.
    fn xs() -> impl Iterator<Item = f32> {
        (0..12).map(|b| 25.0 + 50.0 * b as f32)
    }

    #[test]
    fn a_bowed_line_is_followed() {
        // 3 rows lower in the middle than at the ends, tilted, and one block
        // of background that correlated with nothing.
        let bow = |x: f32| 0.01 * x + 3.0 * (1.0 - ((x - 300.0) / 275.0).powi(2));
        let mut pts: Vec<(f32, f32)> = xs().map(|x| (x, bow(x))).collect();
        if let Some(p) = pts.first_mut() {
            p.1 = -9.0;
        }
        let skew = Skew::fit(&pts, 1.0);
        for x in xs().skip(1) {
            assert!((skew.at(x) - bow(x)).abs() < 0.3, "{x}: {}", skew.at(x));
        }
    }

    #[test]
    fn a_straight_line_gets_no_bow_from_noise() {
        // Half a row of noise either way: below the bow that is kept.
        let noise = [0.3, -0.2, 0.1, -0.3, 0.2, 0.0, -0.1, 0.3, -0.2, 0.1, -0.3, 0.2];
        let pts: Vec<(f32, f32)> = xs()
            .zip(noise)
            .map(|(x, n)| (x, 2.0 - 0.02 * x + n))
            .collect();
        let skew = Skew::fit(&pts, 1.0);
        assert_eq!(skew.curve, 0.0);
        assert!((skew.slope + 0.02).abs() < 0.002, "{}", skew.slope);
    }
}
