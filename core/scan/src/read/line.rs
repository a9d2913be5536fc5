//! One line: its grid of cells, the baseline offset, glyph height and blur
//! that fit it best, and every cell classified.

use super::bands::Band;
use super::classify::{clear_winner, faint_cells};
use super::grid::{grid_fit, line_baseline, segment};
use super::heights::{glyph_height, weigh_heights, zero_or_o_in_doubt};
use super::model::weigh_model;
use super::shape::weigh_shapes;
use super::strip::Strip;
use super::{CAP_PER_PITCH, Candidates, GLYPH_W, TOP};
use crate::glyphs;
use crate::glyphs::CLASSES;
use crate::layout;
use crate::layout::Format;

/// Horizontal sample placements per cell, in grid steps: the grid is only known
/// to about half a step. The centred one first: when it already gives a clear
/// winner the others are skipped (most characters of a sharp frame).
pub(super) const SHIFTS: [(f32, f32); 5] =
    [(0.0, 0.0), (-0.5, 0.0), (0.5, 0.0), (0.0, -0.5), (0.0, 0.5)];

/// Vertical offsets of the whole line tried, in grid steps: the baseline is
/// measured to about a step.
/// (+1 was chosen once in 150 lines: the baseline is found low rather than high.)
pub(super) const LINE_OFFSETS: [f32; 7] = [0.0, -0.25, 0.25, -0.5, 0.5, -0.75, -1.0];

/// Glyph heights tried per line, relative to what the pitch predicts.
/// (0.92 and 1.08 were never chosen on the generated frames.)
pub(super) const LINE_SCALES: [f32; 5] = [1.0, 0.98, 1.02, 0.96, 1.04];

/// Every how many cells one is used to choose the line's offset and lens.
pub(super) const LENS_STRIDE: usize = 3;

/// The (glyph height, blur bank) under which the cells fit the templates of
/// their classes best, in sum; `fitted` are the cells at the nominal height.
pub(super) fn line_lens(
    cells: &[Centre],
    fitted: &[Fitted],
    sample: &dyn Fn(Centre, f32) -> Option<[f32; glyphs::N]>,
) -> (f32, usize) {
    let banks = &glyphs::templates().banks;
    let mut best = (f32::MIN, 1.0f32, 0usize);
    for kv in LINE_SCALES {
        let cells: Vec<([f32; glyphs::N], usize)> = if kv == 1.0 {
            fitted.iter().flatten().copied().collect()
        } else {
            cells
                .iter()
                .zip(fitted)
                .filter_map(|(&c, f)| Some((sample(c, kv)?, f.as_ref()?.1)))
                .collect()
        };
        for (b, bank) in banks.iter().enumerate() {
            let total: f32 = cells
                .iter()
                .filter_map(|(g, class)| bank.get(*class).map(|t| glyphs::dot(g, t)))
                .sum();
            if total > best.0 {
                best = (total, kv, b);
            }
        }
    }
    (best.1, best.2)
}

/// Glyph heights tried below the lowest of [`LINE_SCALES`] when the fit
/// chose that one: printers differ, and one prints OCR-B at 0.85 of the
/// height its pitch predicts (PassportEye's `100_pass-lux`). (Taller ones,
/// 1.08 to 1.16 past the highest, were tried as well: no image read better,
/// and a held-out card's name read less clearly.)
pub(super) const LINE_SCALES_BELOW: [f32; 3] = [0.92, 0.88, 0.84];

/// How much better per cell a lower height must fit for [`lens_beyond`] to
/// take it.
pub(super) const LENS_BEYOND_MARGIN: f32 = 0.05;

/// The lens of [`line_lens`], or, when its height is the lowest of
/// [`LINE_SCALES`], a lower one under which the cells fit better. Judged by each cell's best class its position allows
/// (`allowed`) at each height, not by the class read at the nominal height:
/// a squat `0` read there as an `O` fits the `O` of a box too tall, and the
/// fit by that class would hold on to the box. The blur bank is chosen again
/// at the new height.
pub(super) fn lens_beyond(
    cells: &[Centre],
    allowed: &[layout::Class],
    sample: &dyn Fn(Centre, f32) -> Option<[f32; glyphs::N]>,
    (kv, bank): (f32, usize),
) -> (f32, usize) {
    let lowest = LINE_SCALES.iter().copied().fold(f32::MAX, f32::min);
    if kv > lowest {
        return (kv, bank);
    }
    // Per height, each cell's sample and best allowed class, and their fit.
    let fit = |kv: f32| {
        let mut sc = [0.0f32; 37];
        let mut total = 0.0;
        let mut cells_at = Vec::with_capacity(cells.len());
        for (&c, class) in cells.iter().zip(allowed) {
            let Some(g) = sample(c, kv) else { continue };
            glyphs::correlate(&g, &mut sc);
            let best = (0..sc.len())
                .filter(|&i| CLASSES.get(i).is_some_and(|&ch| class.allows(ch)))
                .max_by(|&p, &q| {
                    sc.get(p)
                        .copied()
                        .unwrap_or(f32::MIN)
                        .total_cmp(&sc.get(q).copied().unwrap_or(f32::MIN))
                });
            if let Some(i) = best {
                total += sc.get(i).copied().unwrap_or(0.0);
                cells_at.push((g, i));
            }
        }
        (total, cells_at)
    };
    // Only a clearly better fit moves the lens: on a blurred frame of the
    // font's own height a lower one may fit a hundredth or two better per
    // cell (the own generator's moderate frames: up to 0.033), squat print
    // fits from 0.075 better.
    let margin = LENS_BEYOND_MARGIN * cells.len() as f32;
    let mut best = (fit(kv).0 + margin, kv, Vec::new());
    for k in LINE_SCALES_BELOW {
        let (total, cells_at) = fit(k);
        if total > best.0 {
            best = (total, k, cells_at);
        }
    }
    if best.1 == kv {
        return (kv, bank);
    }
    let banks = &glyphs::templates().banks;
    let bank = (0..banks.len())
        .max_by(|&p, &q| {
            let total = |b: usize| -> f32 {
                best.2
                    .iter()
                    .filter_map(|(g, i)| banks.get(b)?.get(*i).map(|t| glyphs::dot(g, t)))
                    .sum()
            };
            total(p).total_cmp(&total(q))
        })
        .unwrap_or(bank);
    (best.1, bank)
}

/// A glyph sample at a cell centre, moved by (x, y) grid steps.
pub(super) type SampleAt<'a> = dyn Fn(Centre, (f32, f32)) -> Option<[f32; glyphs::N]> + 'a;

/// A cell: its ink centre (strip column), the skew offset there, and the
/// local pitch relative to the line's mean.
pub(super) type Centre = (f32, f32, f32);

/// A cell's sample and its best class.
pub(super) type Fitted = Option<([f32; glyphs::N], usize)>;

/// The vertical offset (grid steps) under which the cells fit their best
/// templates best, in sum, and each cell's sample and best class there.
pub(super) fn line_offset(cells: &[Centre], sample: &SampleAt<'_>) -> (f32, Vec<Fitted>, f32) {
    let mut sc = [0.0f32; 37];
    let mut best = (f32::MIN, 0.0f32, Vec::new());
    for oy in LINE_OFFSETS {
        let mut total = 0.0;
        let mut fitted = Vec::with_capacity(cells.len());
        for &c in cells {
            let Some(g) = sample(c, (0.0, oy)) else {
                fitted.push(None);
                continue;
            };
            glyphs::correlate(&g, &mut sc);
            let (i, v) = sc
                .iter()
                .copied()
                .enumerate()
                .fold((0, f32::MIN), |a, b| if b.1 > a.1 { b } else { a });
            total += v;
            fitted.push(Some((g, i)));
        }
        if total > best.0 {
            best = (total, oy, fitted);
        }
    }
    (best.1, best.2, best.0)
}

/// Classes rescored against the line's blur bank, per character.
pub(super) const RESCORE: usize = 6;

/// A line whose worst character costs more than this is re-segmented.
pub(super) const RETRY_COST: f32 = 0.5;
/// A line whose worst character costs more than this is read again on the grid
/// of a line whose worst does not.
pub(super) const REGRID_COST: f32 = 0.3;

pub(super) struct LineRead {
    pub(super) cands: Vec<Candidates>,
    pub(super) margins: Vec<f32>,
    pub(super) text: String,
    pub(super) worst: f32,
    pub(super) sum: f32,
    pub(super) margin: f32,
    pub(super) cap: f32,
    /// Left edge of the first cell and the pitch (strip pixels).
    pub(super) start: f32,
    pub(super) pitch: f32,
    /// The cell boundaries the line was read with.
    pub(super) grid: Vec<f32>,
}

/// Where one line lies in the strip: its band, column profile, ink extent
/// [bs, be) and index.
#[derive(Clone, Copy)]
pub(super) struct LineGeometry<'a> {
    pub(super) band: &'a Band,
    pub(super) col: &'a [f32],
    pub(super) bs: f32,
    pub(super) be: f32,
    pub(super) li: usize,
    /// Cell boundaries to use instead of fitting them to the column profile.
    pub(super) grid: Option<&'a [f32]>,
    /// Only fit a subset of the cells, and give their mean cost as `sum`.
    pub(super) probe: bool,
}

/// Segments one line between the ink extent [bs, be) and classifies every cell.
pub(super) fn read_line(
    strip: &Strip,
    geometry: &LineGeometry<'_>,
    format: Format,
    delta: &dyn Fn(f32) -> f32,
) -> LineRead {
    let LineGeometry {
        band,
        col,
        bs,
        be,
        li,
        grid: _,
        probe: _,
    } = *geometry;
    let n = format.chars();
    // Digits stand taller than capitals in OCR-B, so the band height depends on
    // the line's content; the capital height follows from the pitch instead
    // (2.35 mm nominal at the 2.54 mm pitch), and the baseline is measured.
    let pitch = (be - bs) / (n as f32 - 1.0 + GLYPH_W);
    let expect = match geometry.grid {
        Some(g) => g.to_vec(),
        None => grid_fit(col, bs, be, n, band.bottom - band.top).unwrap_or_else(|| {
            let x0 = bs - (1.0 - GLYPH_W) / 2.0 * pitch;
            (0..=n).map(|i| x0 + i as f32 * pitch).collect()
        }),
    };
    let pitch =
        (expect.last().copied().unwrap_or(0.0) - expect.first().copied().unwrap_or(0.0)) / n as f32;
    let cap = CAP_PER_PITCH * pitch;
    let cells = segment(col, &expect, band.bottom - band.top);
    let base = line_baseline(strip, &cells, band, delta, cap);
    let mut out = LineRead {
        cands: Vec::with_capacity(n),
        margins: Vec::with_capacity(n),
        text: String::with_capacity(n),
        worst: 0.0,
        sum: 0.0,
        margin: f32::MAX,
        cap,
        start: cells.first().copied().unwrap_or(0) as f32,
        pitch,
        grid: expect.clone(),
    };
    // Ink centre of every cell, and the skew offset there.
    let centres: Vec<Centre> = cells
        .windows(2)
        .enumerate()
        .map(|(i, w)| {
            let (a, b) = match w {
                [a, b] => (*a, *b),
                _ => (0, 0),
            };
            let (mut m, mut mx) = (0.0f32, 0.0f32);
            for x in a..b {
                let c = col.get(x).copied().unwrap_or(0.0);
                m += c;
                mx += c * (x as f32 + 0.5);
            }
            let cx = if m > 0.0 {
                mx / m
            } else {
                (a + b) as f32 / 2.0
            };
            let local = match (expect.get(i), expect.get(i + 1)) {
                (Some(a), Some(b)) if pitch > 0.0 => (b - a) / pitch,
                _ => 1.0,
            };
            (cx, delta(cx), local)
        })
        .collect();
    let step = cap / 13.0;
    // A standardized glyph sample at a cell, moved by (ox, oy) grid steps, the
    // glyph box `kv` times the nominal height. Where perspective changes the
    // pitch along the line, a glyph's width follows the local pitch, and its
    // height the square root of it: along the direction of a tilt, lengths
    // shrink with the square of the distance, across it with the distance.
    // The line's `kv` is a vertical stretch only (a tilt about the line's own
    // axis): the width is known from the pitch. A `0` is an `O` 8% taller, so
    // any error in the height the glyph is sampled at is an error between them.
    let sample = |(cx, d, r): Centre, (ox, oy): (f32, f32), kv: f32| {
        let mut g = strip.glyph(
            cx + ox * step,
            base + d - cap * kv * r.sqrt() + oy * step,
            base + d + oy * step,
            cap * r,
        );
        glyphs::standardize(&mut g).then_some(g)
    };
    // The baseline holds for the whole line: its offset is chosen once, by the
    // fit of a subset of cells, so that no single character can slide up or
    // down until a shorter capital fits a taller digit. The subset's best
    // classes there then choose the line's lens: the whole line went through
    // one lens and one perspective, so the blur and the glyph height that best
    // explain those characters are the ones every close call is decided with.
    // Chosen per character, a blurred `0` passes for a sharp `O`, and a squat
    // `0` for an `O` (digits stand 7% taller than capitals in OCR-B).
    if geometry.probe {
        // A grid a whole pitch off fits the inner characters as well as the
        // right one (it reads them at the wrong indices); its end cells show
        // it. The subset's mean cost plus the end cells' mean cost, against
        // the sharp templates.
        let k = centres.len();
        let ends: Vec<Centre> = [0, 1, k.saturating_sub(2), k.saturating_sub(1)]
            .iter()
            .filter_map(|&i| centres.get(i).copied())
            .collect();
        let subset: Vec<Centre> = centres.iter().copied().step_by(LENS_STRIDE).collect();
        let (oy, _, fit) = line_offset(&subset, &|c, shift| sample(c, shift, 1.0));
        let mut sc = [0.0f32; 37];
        let end_fit: f32 = ends
            .iter()
            .filter_map(|&c| sample(c, (0.0, oy), 1.0))
            .map(|g| {
                glyphs::correlate(&g, &mut sc);
                sc.iter().copied().fold(f32::MIN, f32::max)
            })
            .sum();
        out.sum = 2.0 - fit / subset.len().max(1) as f32 - end_fit / ends.len().max(1) as f32;
        return out;
    }
    let subset: Vec<Centre> = centres.iter().copied().step_by(LENS_STRIDE).collect();
    let (oy, at_offset, _) = line_offset(&subset, &|c, shift| sample(c, shift, 1.0));
    let (kv, bank) = line_lens(&subset, &at_offset, &|c, kv| sample(c, (0.0, oy), kv));
    let allowed: Vec<layout::Class> = (0..centres.len())
        .step_by(LENS_STRIDE)
        .map(|ci| layout::class_at(format, li, ci))
        .collect();
    let (kv, bank) = lens_beyond(
        &subset,
        &allowed,
        &|c, kv| sample(c, (0.0, oy), kv),
        (kv, bank),
    );
    // Every cell against the sharp templates, at a few placements.
    let first: Vec<([f32; 37], Vec<[f32; glyphs::N]>)> = centres
        .iter()
        .map(|&centre| {
            let mut scores = [f32::MIN; 37];
            let mut samples = Vec::with_capacity(SHIFTS.len());
            for (ox, dy) in SHIFTS {
                let mut sc = [0.0f32; 37];
                if let Some(g) = sample(centre, (ox, oy + dy), kv) {
                    glyphs::correlate(&g, &mut sc);
                    samples.push(g);
                }
                for (a, b) in scores.iter_mut().zip(sc) {
                    *a = a.max(b);
                }
                if samples.len() == 1 && clear_winner(&scores) {
                    break;
                }
            }
            (scores, samples)
        })
        .collect();
    let order = |scores: &[f32; 37], idx: &mut Vec<usize>| {
        idx.sort_by(|&p, &q| {
            scores
                .get(q)
                .copied()
                .unwrap_or(0.0)
                .total_cmp(&scores.get(p).copied().unwrap_or(0.0))
        });
    };
    let centred: Vec<Option<[f32; glyphs::N]>> =
        first.iter().map(|(_, s)| s.first().copied()).collect();
    let mut scored: Vec<[f32; 37]> = first
        .into_iter()
        .map(|(mut scores, samples)| {
            let mut idx: Vec<usize> = (0..37).collect();
            order(&scores, &mut idx);
            for &i in idx.iter().take(RESCORE) {
                if let Some(sv) = scores.get_mut(i) {
                    *sv = glyphs::correlate_bank(&samples, bank, i);
                }
            }
            scores
        })
        .collect();
    // Heights are measured only on a line with a `0`/`O` call to settle (not
    // on a name line), faintness only where no check digit covers the cell.
    if scored.iter().any(zero_or_o_in_doubt) {
        let heights: Vec<Option<f32>> = centres
            .iter()
            .map(|&(cx, d, r)| glyph_height(strip, cx, base + d, cap * r.sqrt(), pitch * r))
            .collect();
        weigh_heights(&mut scored, &heights, &centres);
    }
    weigh_shapes(&mut scored, strip, &centres, base, cap);
    weigh_model(&mut scored, &centred, &|ci, k| {
        CLASSES
            .get(k)
            .is_some_and(|&c| layout::class_at(format, li, ci).allows(c))
    });
    let faint = faint_cells(strip, &cells, &centres, base, cap, &|ci| {
        !layout::check_covered(format, li, ci)
    });
    for (ci, scores) in scored.into_iter().enumerate() {
        let mut idx: Vec<usize> = (0..37).collect();
        order(&scores, &mut idx);
        let class = layout::class_at(format, li, ci);
        let allowed = |i: &usize| CLASSES.get(*i).is_some_and(|&c| class.allows(c));
        let best = idx.iter().copied().find(allowed).unwrap_or(0);
        let cost = |i: usize| 1.0 - scores.get(i).copied().unwrap_or(0.0);
        let best_cost = cost(best);
        out.worst = out.worst.max(best_cost);
        out.sum += best_cost;
        let second = idx
            .iter()
            .copied()
            .filter(|i| *i != best && allowed(i))
            .map(cost)
            .next()
            .unwrap_or(2.0);
        // A glyph washed out by glare or shadow may have lost a stroke (an `E`
        // its foot, and reads as a clear `F`): its lead says nothing.
        let lead = if faint.get(ci).copied().unwrap_or(false) {
            0.0
        } else {
            second - best_cost
        };
        out.margins.push(lead);
        // Only where no check digit will catch a confusion (a close call under
        // one is settled by it, unless a rival reading also holds: see
        // `scan::lines_have_rival`).
        if !layout::check_covered(format, li, ci) {
            out.margin = out.margin.min(lead);
        }
        out.text.push(CLASSES.get(best).copied().unwrap_or('<'));
        // Only what the position allows: repair starts from the best of these,
        // as the text does.
        out.cands.push(
            idx.iter()
                .filter(|i| allowed(i))
                .take(TOP)
                .map(|&i| (CLASSES.get(i).copied().unwrap_or('<'), cost(i)))
                .collect(),
        );
    }
    #[cfg(feature = "cell-dump")]
    super::model::dump::record(&out.text, &out.margins, &centres, oy, &|c, shift| {
        sample(c, shift, kv)
    });
    out
}
