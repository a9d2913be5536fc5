//! Recording of every read line's glyph samples with the text read there
//! (feature `cell-dump`, tools only): the training and measurement data of
//! the learned character model in `tools/scan-eval/model`.

#[cfg(feature = "cell-dump")]
pub mod dump {
    use super::super::line::{Centre, SHIFTS};
    use crate::glyphs;
    use std::cell::{Cell, RefCell};

    /// One line as the reader read it: its text, and per cell the
    /// standardized samples at every placement of [`SHIFTS`] (`None` where
    /// a sample was flat), centred first.
    pub struct DumpedLine {
        pub text: String,
        /// Per cell, the runner-up's lead over the best (what the
        /// acceptance rule's margins see).
        pub margins: Vec<f32>,
        pub samples: Vec<Vec<Option<[f32; glyphs::N]>>>,
    }

    thread_local! {
        static ON: Cell<bool> = const { Cell::new(false) };
        static LINES: RefCell<Vec<DumpedLine>> = const { RefCell::new(Vec::new()) };
    }

    /// Starts recording on this thread (clearing what was recorded).
    pub fn start() {
        ON.with(|o| o.set(true));
        LINES.with(|l| l.borrow_mut().clear());
    }

    /// Stops recording and returns every line read since [`start`].
    pub fn take() -> Vec<DumpedLine> {
        ON.with(|o| o.set(false));
        LINES.with(|l| std::mem::take(&mut *l.borrow_mut()))
    }

    pub(in super::super) fn record(
        text: &str,
        margins: &[f32],
        centres: &[Centre],
        oy: f32,
        sample: &dyn Fn(Centre, (f32, f32)) -> Option<[f32; glyphs::N]>,
    ) {
        if !ON.with(Cell::get) {
            return;
        }
        let samples = centres
            .iter()
            .map(|&c| {
                SHIFTS
                    .iter()
                    .map(|&(ox, dy)| sample(c, (ox, oy + dy)))
                    .collect()
            })
            .collect();
        LINES.with(|l| {
            l.borrow_mut().push(DumpedLine {
                text: text.to_string(),
                margins: margins.to_vec(),
                samples,
            });
        });
    }
}

use crate::glyphs;

/// The trained weights (`tools/scan-eval/model/train.py`; the command that
/// made them is in `tools/scan-eval/model/README.md`).
const WEIGHTS: &[u8] = include_bytes!("../../assets/glyph_model.bin");

/// One dense layer: `outputs` x `inputs` weights, row-major, and biases.
struct Layer {
    inputs: usize,
    outputs: usize,
    w: Vec<f32>,
    b: Vec<f32>,
}

/// A multi-layer perceptron, ReLU between layers, softmax at the end.
struct Mlp {
    layers: Vec<Layer>,
}

/// Parses the weights file: `AKGM`, the layer count, then per layer its
/// sizes, weights and biases (u32 and f32, little endian). `None` when the
/// file is malformed or its shapes do not chain from a glyph cell to the
/// classes.
fn parse(bytes: &[u8]) -> Option<Mlp> {
    let mut at = bytes.strip_prefix(b"AKGM")?;
    let u32_le = |at: &mut &[u8]| -> Option<u32> {
        let (head, rest) = at.split_first_chunk::<4>()?;
        *at = rest;
        Some(u32::from_le_bytes(*head))
    };
    let count = u32_le(&mut at)? as usize;
    let mut layers = Vec::with_capacity(count.min(8));
    let mut width = glyphs::N;
    for _ in 0..count {
        let inputs = u32_le(&mut at)? as usize;
        let outputs = u32_le(&mut at)? as usize;
        if inputs != width || outputs == 0 || outputs > 4096 {
            return None;
        }
        let floats = |at: &mut &[u8], n: usize| -> Option<Vec<f32>> {
            let (head, rest) = at.split_at_checked(n.checked_mul(4)?)?;
            *at = rest;
            Some(
                head.chunks_exact(4)
                    .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                    .collect(),
            )
        };
        let w = floats(&mut at, inputs * outputs)?;
        let b = floats(&mut at, outputs)?;
        layers.push(Layer {
            inputs,
            outputs,
            w,
            b,
        });
        width = outputs;
    }
    (width == glyphs::CLASSES.len() && at.is_empty()).then_some(Mlp { layers })
}

fn model() -> Option<&'static Mlp> {
    static M: std::sync::OnceLock<Option<Mlp>> = std::sync::OnceLock::new();
    M.get_or_init(|| parse(WEIGHTS)).as_ref()
}

/// The model's probability of each class (in `glyphs::CLASSES` order) for a
/// standardized glyph sample (as the templates see it); `None` if the
/// embedded weights do not parse.
pub(super) fn probabilities(sample: &[f32; glyphs::N]) -> Option<[f32; 37]> {
    let m = model()?;
    // Standardized samples have unit norm; the model was trained at unit
    // variance.
    let scale = (glyphs::N as f32).sqrt();
    let mut x: Vec<f32> = sample.iter().map(|v| v * scale).collect();
    for (li, layer) in m.layers.iter().enumerate() {
        let mut y = layer.b.clone();
        for (o, row) in y.iter_mut().zip(layer.w.chunks_exact(layer.inputs)) {
            *o += dot(row, &x);
        }
        if li + 1 < m.layers.len() {
            for v in &mut y {
                *v = v.max(0.0);
            }
        }
        debug_assert_eq!(y.len(), layer.outputs);
        x = y;
    }
    let top = x.iter().copied().fold(f32::MIN, f32::max);
    let mut out = [0.0f32; 37];
    let mut sum = 0.0;
    for (o, v) in out.iter_mut().zip(&x) {
        *o = (v - top).exp();
        sum += *o;
    }
    for o in &mut out {
        *o /= sum;
    }
    Some(out)
}

/// A cell's two best allowed classes closer than this (under a check digit;
/// where none covers it, [`ASK_UNPROTECTED`]) are put to the model: beyond
/// it no acceptance rule looks at the runner-up.
const ASK_PROTECTED: f32 = 0.12;
const ASK_UNPROTECTED: f32 = 0.3;
/// The model's probability for the templates' best class (among the
/// classes the position allows) that confirms it.
pub(super) const SURE: f32 = 0.999;
/// The model's probability for another class (of the same kind) that
/// makes the templates' call a tie.
pub(super) const DISSENT: f32 = 0.5;
/// How far behind the templates' best a dissenting class is raised.
const TIE: f32 = 1e-4;
/// The lead a confirmed class gets over every other allowed class: past
/// every margin of the acceptance rule (the digit/letter one is 0.3).
const CONFIRMED_LEAD: f32 = 0.31;

/// A second opinion on close calls: where the templates' two best allowed
/// classes are close and the model, restricted to the same classes, is
/// sure of the templates' best, every other class of its kind (digit, or
/// letter and filler) is moved back to [`CONFIRMED_LEAD`] behind it. A
/// digit and a letter that look alike are left to the templates and the
/// glyph heights: printers' fonts differ there, and a model trained on
/// OCR-B is as sure as the templates of the `0`s in `LNDOOAMS` on a US visa
/// (PassportEye's `100_visa-usa.jpg`). Where the model favours another
/// class of the same kind ([`DISSENT`]), that class is raised to a tie with
/// the best: a close call, for the check digits or the rules to settle
/// (`25_pass-uto.jpg`: one pass read an `E` as `F` 0.038 ahead, past the
/// templates' margin; the model gave the `E` 0.986). `samples` are the cells' centred samples; `allowed(cell,
/// class)` and `covered(cell)` the position's class and check digit.
pub(super) fn weigh_model(
    scored: &mut [[f32; 37]],
    samples: &[Option<[f32; glyphs::N]>],
    allowed: &dyn Fn(usize, usize) -> bool,
    covered: &dyn Fn(usize) -> bool,
) {
    if !crate::rules::on(crate::rules::Rule::GlyphModel) {
        return;
    }
    for (ci, (sc, sample)) in scored.iter_mut().zip(samples).enumerate() {
        let Some(sample) = sample else { continue };
        let (mut best, mut second) = ((usize::MAX, f32::MIN), f32::MIN);
        for (k, &v) in sc.iter().enumerate() {
            if !allowed(ci, k) {
                continue;
            }
            if v > best.1 {
                second = best.1;
                best = (k, v);
            } else if v > second {
                second = v;
            }
        }
        let ask = if covered(ci) {
            ASK_PROTECTED
        } else {
            ASK_UNPROTECTED
        };
        if best.0 == usize::MAX || best.1 - second >= ask {
            continue;
        }
        let Some(p) = probabilities(sample) else {
            return;
        };
        let total: f32 = p
            .iter()
            .enumerate()
            .filter(|&(k, _)| allowed(ci, k))
            .map(|(_, v)| v)
            .sum();
        // The model's favourite among the allowed classes, and its share.
        let (top, q) = p.iter().enumerate().filter(|&(k, _)| allowed(ci, k)).fold(
            (best.0, 0.0f32),
            |a, (k, &q)| if q > a.1 { (k, q) } else { a },
        );
        if top == best.0 && q >= SURE * total {
            for (j, v) in sc.iter_mut().enumerate() {
                if j != top && is_digit(j) == is_digit(top) {
                    *v = v.min(best.1 - CONFIRMED_LEAD);
                }
            }
        } else if top != best.0 && is_digit(top) == is_digit(best.0) && q >= DISSENT * total {
            // The model prefers another class of the same kind: a tie,
            // which no rule lets pass unless a check digit settles it. The
            // templates' class stays first (an exact tie would be broken by
            // class order), a hair ahead.
            if let Some(v) = sc.get_mut(top) {
                *v = v.max(best.1 - TIE);
            }
        }
    }
}

fn is_digit(class: usize) -> bool {
    glyphs::CLASSES.get(class).is_some_and(char::is_ascii_digit)
}

/// Dot product of two equally long rows with eight independent sums, so
/// that the compiler can vectorize it (the layers' widths are multiples of
/// eight; a remainder is summed on its own).
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(p, q)| p * q)
        .sum();
    for (x, y) in ca.zip(cb) {
        for ((s, p), q) in acc.iter_mut().zip(x).zip(y) {
            *s += p * q;
        }
    }
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Glyph `c` rendered clean with a `cap`-pixel cap height, sampled as
    /// the reader samples a cell.
    fn clean(c: char, cap: f32) -> [f32; glyphs::N] {
        let Some(font) = glyphs::font() else {
            panic!("font")
        };
        let Some(r) = glyphs::rasterize(&font, c, cap) else {
            panic!("raster {c}")
        };
        let ink = |x: f32, y: f32| {
            if x < 0.0 || y < 0.0 || x as usize >= r.width {
                return 0.0;
            }
            r.cov
                .get(y as usize * r.width + x as usize)
                .copied()
                .unwrap_or(0.0)
        };
        let mut g = glyphs::normalize(ink, r.cx, r.top, r.baseline, r.baseline - r.top);
        assert!(glyphs::standardize(&mut g));
        g
    }

    fn class(c: char) -> usize {
        glyphs::CLASSES.iter().position(|&k| k == c).unwrap_or(0)
    }

    /// Scores with `a` just ahead of `b` and every other class far behind.
    fn close_call(a: char, b: char) -> [f32; 37] {
        let mut sc = [0.2f32; 37];
        sc[class(a)] = 0.9;
        sc[class(b)] = 0.88;
        sc
    }

    /// Every class rendered clean at a few sizes, sampled as the reader
    /// samples a cell, is recognised by the embedded model.
    #[test]
    fn the_model_reads_clean_glyphs() {
        for (i, &c) in glyphs::CLASSES.iter().enumerate() {
            for cap in [12.0, 24.0, 48.0] {
                let g = clean(c, cap);
                let Some(p) = probabilities(&g) else {
                    panic!("the embedded weights do not parse")
                };
                let best = p
                    .iter()
                    .enumerate()
                    .fold((0, f32::MIN), |a, (j, &v)| if v > a.1 { (j, v) } else { a });
                assert_eq!(
                    best.0,
                    i,
                    "{c} at cap {cap}: read {}",
                    glyphs::CLASSES[best.0]
                );
            }
        }
    }

    /// An `I` the templates put just ahead of a `T` (a name: no check
    /// digit) is confirmed, the `T` moved back past every margin; the
    /// templates' `I` on a glyph the model is sure is a `T` becomes a tie.
    #[test]
    fn a_close_call_is_confirmed_or_tied_by_the_model() {
        let any = |_: usize, _: usize| true;
        let free = |_: usize| false;
        let mut sc = [close_call('I', 'T'), close_call('I', 'T')];
        weigh_model(
            &mut sc,
            &[Some(clean('I', 24.0)), Some(clean('T', 24.0))],
            &any,
            &free,
        );
        assert_eq!(sc[0][class('I')], 0.9);
        assert!(sc[0][class('T')] <= 0.9 - CONFIRMED_LEAD);
        assert_eq!(sc[1][class('I')], 0.9);
        assert_eq!(sc[1][class('T')], 0.9 - TIE);
        // Under a check digit, a lead beyond the close-call margin is not
        // asked about.
        let mut far = [0.2f32; 37];
        far[class('I')] = 0.9;
        far[class('T')] = 0.9 - ASK_PROTECTED;
        let mut sc = [far];
        weigh_model(&mut sc, &[Some(clean('T', 24.0))], &any, &|_| true);
        assert_eq!(sc[0], far);
    }

    /// A `0` just ahead of an `O` keeps its rival: digit/letter look-alikes
    /// are left to the templates and the heights, however sure the model.
    #[test]
    fn a_digit_and_a_letter_alike_are_left_alone() {
        let mut sc = [close_call('0', 'O')];
        let before = sc[0];
        weigh_model(&mut sc, &[Some(clean('0', 24.0))], &|_, _| true, &|_| false);
        assert_eq!(sc[0][class('O')], before[class('O')]);
    }

    #[test]
    fn malformed_weights_are_refused() {
        assert!(parse(WEIGHTS).is_some());
        assert!(parse(&WEIGHTS[..WEIGHTS.len() - 4]).is_none());
        assert!(parse(b"AKGM").is_none());
        let mut wrong = WEIGHTS.to_vec();
        wrong[8] ^= 1; // first layer's input count
        assert!(parse(&wrong).is_none());
    }
}
