//! The rules a single frame's reading must pass to be accepted, by name, so
//! that each can be switched off to measure what it costs (right readings it
//! refuses) and what it saves (wrong readings it stops): the `ablation` tool
//! of `tools/scan-eval`. Without the `ablation` feature every rule is always
//! on and [`on`] is a constant.

/// One acceptance rule of [`crate::scan_frame`] (see `docs/scanner.md`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Rule {
    /// The lines' grids agree on where the MRZ starts and ends.
    Aligned,
    /// No character is a poor match for its template.
    NoPoorMatch,
    /// Every character no check digit covers beats its runner-up clearly.
    UnprotectedClear,
    /// The state codes exist (no check digit covers them).
    KnownStates,
    /// No other close reading satisfies the check digits too (more close
    /// calls than [`crate::scan::MAX_CLOSE_CALLS`] count as a rival).
    NoRival,
    /// A repair under the check digits is taken only when every other
    /// character under them is clearly read.
    RepairNeedsRestSure,
    /// Repair under the check digits at all.
    Repair,
    /// The learned glyph model's second opinion on close calls
    /// (`read/model.rs`). Not a gate but a relaxation: without it the
    /// templates alone decide, so its row in the ablation shows what it
    /// gains (right readings) and whether it lets anything wrong through.
    GlyphModel,
}

impl Rule {
    /// Every rule, in the order the gates are applied.
    pub const ALL: [Rule; 8] = [
        Rule::Aligned,
        Rule::NoPoorMatch,
        Rule::UnprotectedClear,
        Rule::KnownStates,
        Rule::NoRival,
        Rule::RepairNeedsRestSure,
        Rule::Repair,
        Rule::GlyphModel,
    ];

    /// A short name for reports.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Aligned => "aligned",
            Rule::NoPoorMatch => "no_poor_match",
            Rule::UnprotectedClear => "unprotected_clear",
            Rule::KnownStates => "known_states",
            Rule::NoRival => "no_rival",
            Rule::RepairNeedsRestSure => "repair_needs_rest_sure",
            Rule::Repair => "repair",
            Rule::GlyphModel => "glyph_model",
        }
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

#[cfg(feature = "ablation")]
thread_local! {
    static OFF: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Whether `rule` applies (always, unless the `ablation` feature switched it
/// off on this thread).
#[inline]
pub fn on(rule: Rule) -> bool {
    #[cfg(feature = "ablation")]
    {
        OFF.with(|off| off.get() & rule.bit() == 0)
    }
    #[cfg(not(feature = "ablation"))]
    {
        let _ = rule.bit();
        true
    }
}

/// Runs `f` with `off` switched off on this thread, then switches them on
/// again.
#[cfg(feature = "ablation")]
pub fn without<T>(off: &[Rule], f: impl FnOnce() -> T) -> T {
    let mask = off.iter().fold(0, |m, r| m | r.bit());
    let before = OFF.with(|o| o.replace(mask));
    let out = f();
    OFF.with(|o| o.set(before));
    out
}

#[cfg(all(test, feature = "ablation"))]
mod tests {
    use super::*;

    #[test]
    fn a_rule_is_off_only_inside_without() {
        assert!(on(Rule::NoRival));
        without(&[Rule::NoRival], || {
            assert!(!on(Rule::NoRival));
            assert!(on(Rule::Repair));
        });
        assert!(on(Rule::NoRival));
    }
}
