use super::grid::{grid_fit, periodic_pitch};
use super::heights::{O_CLASS, ZERO_CLASS, glyph_height, weigh_heights};
use super::line::Centre;
use super::shape;
use super::strip::Strip;
use super::*;
use crate::glyphs::{self, CLASSES};

fn strip(w: usize, h: usize) -> Strip {
    let ink = (0..w * h)
        .map(|i| ((i * 7919 % 1000) as f32 / 1000.0).powi(2))
        .collect();
    Strip {
        w,
        h,
        ink,
        saturated: 0.0,
        clipped: false,
        inside: Vec::new(),
        sharp: 0.0,
    }
}

/// A column profile of `n` glyphs whose pitch grows linearly from
/// `p_left` to `p_right`, each glyph a bump over 0.69 of its cell, with a
/// dark block (a card edge) a pitch past the end. Returns it with the true
/// boundaries.
fn perspective_profile(n: usize, x0: f32, p_left: f32, p_right: f32) -> (Vec<f32>, Vec<f32>) {
    let mut bounds = vec![x0];
    for j in 0..n {
        let p = p_left + (p_right - p_left) * (j as f32 + 0.5) / n as f32;
        bounds.push(bounds[j] + p);
    }
    let end = bounds[n];
    let w = (end + 3.0 * p_right) as usize;
    let col = (0..w)
        .map(|x| {
            let x = x as f32 + 0.5;
            if x > end + p_right && x < end + 2.0 * p_right {
                return 12.0;
            }
            bounds
                .windows(2)
                .find(|b| x >= b[0] && x < b[1])
                .map_or(0.0, |b| {
                    let t = (x - b[0]) / (b[1] - b[0]);
                    let margin = (1.0 - GLYPH_W) / 2.0;
                    if t > margin && t < 1.0 - margin {
                        8.0
                    } else {
                        0.0
                    }
                })
        })
        .collect();
    (col, bounds)
}

#[test]
fn the_grid_follows_a_pitch_that_changes_by_a_fifth() {
    let (n, p_left, p_right) = (44, 13.5, 16.5);
    let (col, truth) = perspective_profile(n, 20.0, p_left, p_right);
    let first = truth[0] + (1.0 - GLYPH_W) / 2.0 * p_left;
    // The extent as measured, stretched to the dark edge past the line.
    let last = truth[n] + 2.0 * p_right;
    let grid = grid_fit(&col, first, last, n, 14.0).expect("grid");
    for (j, (g, t)) in grid.iter().zip(&truth).enumerate() {
        assert!((g - t).abs() < 0.25 * p_left, "boundary {j}: {g} vs {t}");
    }
}

#[test]
fn the_pitch_is_read_from_the_periodicity() {
    let (col, truth) = perspective_profile(30, 10.0, 15.0, 15.0);
    let p = periodic_pitch(&col, truth[0], truth[30], 16.5).expect("pitch");
    assert!((p - 15.0).abs() < 0.2, "{p}");
    // Flat: no period.
    assert_eq!(periodic_pitch(&[1.0; 600], 0.0, 600.0, 15.0), None);
}

#[test]
fn separable_glyph_sampling_matches_the_generic_one() {
    let s = strip(120, 60);
    // Inside (every sub-sample count), and across the edges (fallback).
    for (cx, top, cap) in [
        (40.3, 10.2, 12.0),
        (60.0, 20.7, 20.0),
        (70.5, 5.1, 33.0),
        (3.0, 2.0, 14.0),
        (115.0, 40.0, 25.0),
    ] {
        // As wide as tall, and stretched either way.
        for width in [cap, 0.8 * cap, 1.2 * cap] {
            let fast = s.glyph(cx, top, top + cap, width);
            let slow = glyphs::normalize(
                |x, y| s.ink_bilinear(x - 0.5, y - 0.5),
                cx,
                top,
                top + cap,
                width,
            );
            for (a, b) in fast.iter().zip(slow.iter()) {
                assert!((a - b).abs() < 1e-4, "{cx} {top} {cap} {width}: {a} vs {b}");
            }
        }
    }
}

/// `text` set in OCR-B on white, capitals `cap` rows tall on the baseline
/// row `base`, at the MRZ's pitch, slightly blurred; with each cell's
/// centre column.
fn set_line(text: &str, cap: f32, base: f32) -> (Strip, Vec<f32>, f32) {
    let font = glyphs::font().expect("font");
    let pitch = cap / CAP_PER_PITCH;
    let w = ((text.len() as f32 + 2.0) * pitch) as usize;
    let h = (base + cap) as usize;
    let mut ink = vec![0.0f32; w * h];
    let mut centres = Vec::new();
    for (i, c) in text.chars().enumerate() {
        let xc = (i as f32 + 1.5) * pitch;
        centres.push(xc);
        let r = glyphs::rasterize(&font, c, cap).expect("glyph");
        let (ox, oy) = (
            (xc - r.cx).round() as i32,
            (base - r.baseline).round() as i32,
        );
        for y in 0..r.height {
            for x in 0..r.width {
                let (sx, sy) = (x as i32 + ox, y as i32 + oy);
                if sx >= 0 && sy >= 0 && (sx as usize) < w && (sy as usize) < h {
                    ink[sy as usize * w + sx as usize] += r.cov[y * r.width + x];
                }
            }
        }
    }
    // A [1 2 1] blur both ways: the lens.
    let blur = |v: &[f32], at: &dyn Fn(usize, i32) -> Option<usize>| -> Vec<f32> {
        (0..v.len())
            .map(|i| {
                let g = |d| at(i, d).and_then(|j| v.get(j)).copied().unwrap_or(0.0);
                (g(-1) + 2.0 * g(0) + g(1)) / 4.0
            })
            .collect()
    };
    let ink = blur(&ink, &|i, d| {
        let x = (i % w) as i32 + d;
        (x >= 0 && (x as usize) < w).then(|| i - (i % w) + x as usize)
    });
    let ink = blur(&ink, &|i, d| {
        let y = (i / w) as i32 + d;
        (y >= 0 && (y as usize) < h).then(|| y as usize * w + i % w)
    });
    let strip = Strip {
        w,
        h,
        ink,
        saturated: 0.0,
        clipped: false,
        inside: Vec::new(),
        sharp: 0.0,
    };
    (strip, centres, pitch)
}

/// Scores as the template match leaves them on a blurred frame: every
/// character clear, except each `0` and `O`, which tie.
fn tied_scores(text: &str) -> Vec<[f32; 37]> {
    text.chars()
        .map(|c| {
            let mut sc = [0.5f32; 37];
            for (k, v) in sc.iter_mut().enumerate() {
                let class = CLASSES.get(k).copied();
                if class == Some(c) || (matches!(c, '0' | 'O') && matches!(class, Some('0' | 'O')))
                {
                    *v = 0.9;
                }
            }
            sc
        })
        .collect()
}

fn weighed(text: &str, cap: f32) -> Vec<[f32; 37]> {
    let base = 2.0 * cap;
    let (strip, xs, pitch) = set_line(text, cap, base);
    let centres: Vec<Centre> = xs.iter().map(|&x| (x, 0.0, 1.0)).collect();
    let heights: Vec<Option<f32>> = xs
        .iter()
        .map(|&x| glyph_height(&strip, x, base, cap, pitch))
        .collect();
    let mut scored = tied_scores(text);
    weigh_heights(&mut scored, &heights, &centres);
    scored
}

#[test]
fn a_zero_stands_taller_than_an_o_and_the_digits_beside_it_tell() {
    let (zero, oh) = (0, 24);
    assert_eq!((CLASSES[zero], CLASSES[oh]), ('0', 'O'));
    assert_eq!((ZERO_CLASS, O_CLASS), (zero, oh));
    // At 14 rows per capital a `0` stands one row above an `O`.
    for cap in [14.0, 20.0] {
        let text = "2350O7890O58E";
        for (i, (c, sc)) in text.chars().zip(weighed(text, cap)).enumerate() {
            let lead = sc[zero] - sc[oh];
            match c {
                '0' => assert!(lead > 0.1, "cap {cap}, cell {i}: {lead}"),
                'O' => assert!(lead < -0.1, "cap {cap}, cell {i}: {lead}"),
                _ => assert_eq!(sc, tied_scores(text)[i], "cell {i} untouched"),
            }
        }
    }
}

#[test]
fn without_enough_clear_neighbours_the_height_says_nothing() {
    // Two references only.
    let text = "<<0<<O<<25";
    assert_eq!(weighed(text, 14.0), tied_scores(text));
}

/// [`shape::left_corners`] over a line of `text` with capitals `cap` rows
/// tall, per cell.
fn corners(text: &str, cap: f32) -> Vec<Option<f32>> {
    let base = 2.0 * cap;
    let (strip, xs, _) = set_line(text, cap, base);
    xs.iter()
        .map(|&x| shape::left_corners(&strip, x, base, cap))
        .collect()
}

#[test]
fn a_d_has_square_left_corners_an_o_round_ones() {
    for cap in [9.0, 12.0, 14.0, 20.0] {
        let text = "<DO<ODDOBO";
        for (i, (c, f)) in text.chars().zip(corners(text, cap)).enumerate() {
            match c {
                'D' => assert!(f.expect("D") > 0.35, "cap {cap}, cell {i}: {f:?}"),
                'O' => assert!(f.expect("O").abs() < 0.1, "cap {cap}, cell {i}: {f:?}"),
                _ => {}
            }
        }
    }
}

/// `text` set at a 13-row capital with every `a` and `b` tied between the
/// two classes (every other cell clear), and the same scores after the shape
/// rules: `(tied, weighed)`.
fn shape_weighed_tie(
    text: &str,
    (a, ka): (char, usize),
    (b, kb): (char, usize),
) -> (Vec<[f32; 37]>, Vec<[f32; 37]>) {
    let cap = 13.0;
    let base = 2.0 * cap;
    let (strip, xs, _) = set_line(text, cap, base);
    let centres: Vec<Centre> = xs.iter().map(|&x| (x, 0.0, 1.0)).collect();
    let tied: Vec<[f32; 37]> = text
        .chars()
        .map(|c| {
            let mut sc = [0.5f32; 37];
            for (k, v) in sc.iter_mut().enumerate() {
                if CLASSES[k] == c || ((c == a || c == b) && (k == ka || k == kb)) {
                    *v = 0.9;
                }
            }
            sc
        })
        .collect();
    let mut scored = tied.clone();
    shape::weigh_shapes(&mut scored, &strip, &centres, base, cap);
    (tied, scored)
}

#[test]
fn the_shape_settles_a_d_o_tie_and_nothing_else() {
    let (d, oh) = (shape::D_CLASS, O_CLASS);
    assert_eq!((CLASSES[d], CLASSES[oh]), ('D', 'O'));
    let text = "DUBOIS<DO<ODD";
    let (tied, scored) = shape_weighed_tie(text, ('D', d), ('O', oh));
    for (i, (c, sc)) in text.chars().zip(&scored).enumerate() {
        let lead = sc[d] - sc[oh];
        match c {
            'D' => assert!(lead >= 0.09, "cell {i}: {lead}"),
            // A sharp `O` measures about 0: no push either way.
            'O' => assert!(lead <= 0.0, "cell {i}: {lead}"),
            _ => assert_eq!(*sc, tied[i], "cell {i} untouched"),
        }
    }
    // Between the two letters' tails the shape says nothing.
    assert_eq!(shape::shape_vote(0.1), 0.0);
    assert_eq!(shape::shape_vote(0.5), 1.0);
    assert_eq!(shape::shape_vote(-0.2), -1.0);
}

#[test]
fn a_u_is_open_at_the_top_a_zero_and_an_o_closed() {
    for cap in [9.0, 12.0, 14.0, 20.0] {
        let text = "<0U<OU0UO";
        let base = 2.0 * cap;
        let (strip, xs, _) = set_line(text, cap, base);
        for (i, (c, &x)) in text.chars().zip(&xs).enumerate() {
            let f = shape::top_closed(&strip, x, base, cap);
            match c {
                '0' | 'O' => assert!(f.expect("closed") > 0.8, "cap {cap}, cell {i}: {f:?}"),
                'U' => assert!(f.expect("open") < 0.2, "cap {cap}, cell {i}: {f:?}"),
                _ => {}
            }
        }
    }
}

#[test]
fn the_shape_settles_a_zero_u_tie() {
    let (zero, u) = (ZERO_CLASS, shape::U_CLASS);
    assert_eq!(CLASSES[u], 'U');
    let text = "30U0U7";
    let (tied, scored) = shape_weighed_tie(text, ('0', zero), ('U', u));
    for (i, (c, sc)) in text.chars().zip(&scored).enumerate() {
        let lead = sc[zero] - sc[u];
        match c {
            '0' => assert!(lead >= 0.09, "cell {i}: {lead}"),
            'U' => assert!(lead <= -0.09, "cell {i}: {lead}"),
            _ => assert_eq!(*sc, tied[i], "cell {i} untouched"),
        }
    }
    assert_eq!(shape::top_vote(0.5), 0.0);
}
