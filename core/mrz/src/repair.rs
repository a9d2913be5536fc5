//! OCR-confusion repair.
//!
//! A reader (a person typing, an OCR engine, our own scanner) proposes, for
//! every position, one or more characters with a cost. Repair looks for the
//! cheapest reading in which every character fits its field and every check
//! digit holds, changing at most `max_changes` characters.
//!
//! The safety rule: a repair is accepted only if no *other* valid reading is
//! about as cheap, where "other readings" also include those that need one
//! arbitrary substitution the reader never proposed (the `wildcard`). A
//! repaired MRZ that a single further error would explain equally well is
//! reported as [`RepairStatus::Ambiguous`], and nothing is changed.
//!
//! ICAO check digits are blind to substitutions between characters whose
//! values agree mod 10 (`0`/`A`/`K`/`U`/`<`, `2`/`C`/`M`/`W`, ...). In a
//! field that allows both letters and digits (document numbers, optional
//! data) a single confusion therefore usually has such a twin, and text
//! repair says "ambiguous" there; a scanner that ranks its candidates by
//! how the glyph looked can still decide, through the costs it supplies.
//!
//! Positions no check digit covers (names, codes, sex) are repaired only when
//! their field forces it (a digit in a name with exactly one cheapest letter
//! for it) and such repairs are marked unverified: for names, agreement of
//! several camera frames is the only protection.

use crate::MrzError;
use crate::charset::{char_value, weight};
use crate::document::{CheckField, CheckRule, Mrz, check_rules, number_layout};
use crate::layout::{Format, Kind, Layout};
use std::collections::HashMap;
use time::Date;

/// One character changed by repair. Line and column are 1-based.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Repair {
    pub line: usize,
    pub column: usize,
    pub from: char,
    pub to: char,
    /// Confirmed by check digits; `false` when only the field's kind forced
    /// it (a digit in a name).
    pub verified: bool,
}

impl core::fmt::Debug for Repair {
    // The characters are personal data; positions are not.
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Repair")
            .field("line", &self.line)
            .field("column", &self.column)
            .field("verified", &self.verified)
            .finish_non_exhaustive()
    }
}

/// A character a reader proposes for a position, and how unlikely it is
/// (0 = what was read). Costs of different positions add up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub ch: u8,
    pub cost: u16,
}

/// How hard repair may try, and how sure it must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepairPolicy {
    /// At most this many characters change.
    pub max_changes: usize,
    /// The cost of a character the reader did not propose at all. Such
    /// readings only ever challenge a repair; they are never the result.
    pub wildcard_cost: u16,
    /// A repair must be cheaper than every other valid reading by more
    /// than this.
    pub margin: u16,
}

impl RepairPolicy {
    /// For typed or OCR text without per-character scores: every
    /// confusion and every arbitrary substitution costs 1, and the repair
    /// must need strictly fewer changes than any other valid reading.
    pub fn text(max_changes: usize) -> RepairPolicy {
        RepairPolicy {
            max_changes,
            wildcard_cost: 1,
            margin: 0,
        }
    }
}

/// What repair concluded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RepairStatus {
    /// Valid as read; nothing changed.
    Valid,
    /// Valid after the listed repairs.
    Repaired,
    /// More than one valid reading is about as likely; nothing changed.
    Ambiguous,
    /// No valid reading within the allowed changes; nothing changed.
    Unrepairable,
}

impl RepairStatus {
    /// A stable snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            RepairStatus::Valid => "valid",
            RepairStatus::Repaired => "repaired",
            RepairStatus::Ambiguous => "ambiguous",
            RepairStatus::Unrepairable => "unrepairable",
        }
    }
}

/// The result of repair: the MRZ (repaired, or as read when repair did not
/// succeed) and the verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepairOutcome {
    pub mrz: Mrz,
    pub status: RepairStatus,
}

/// Pairs of characters OCR engines mix up, both ways, and how common the
/// mix-up is (1 common, 2 less so).
const CONFUSIONS: &[(u8, u8, u16)] = &[
    (b'0', b'O', 1),
    (b'1', b'I', 1),
    (b'2', b'Z', 1),
    (b'5', b'S', 1),
    (b'8', b'B', 1),
    (b'<', b'K', 1),
    (b'0', b'D', 2),
    (b'0', b'Q', 2),
    (b'1', b'L', 2),
    (b'4', b'A', 2),
    (b'6', b'G', 2),
    (b'7', b'T', 2),
];

/// The characters commonly confused with `c`, commonest first, with the
/// cost text repair gives them.
pub fn confusions(c: u8) -> impl Iterator<Item = (u8, u16)> {
    CONFUSIONS.iter().filter_map(move |&(a, b, cost)| {
        if a == c {
            Some((b, cost))
        } else if b == c {
            Some((a, cost))
        } else {
            None
        }
    })
}

/// Candidates for text: what was read (cost 0) and its confusions.
pub(crate) fn text_candidates(lines: &[Vec<u8>]) -> Vec<Vec<Vec<Candidate>>> {
    lines
        .iter()
        .map(|row| {
            row.iter()
                .map(|&c| {
                    std::iter::once(Candidate { ch: c, cost: 0 })
                        .chain(confusions(c).map(|(ch, cost)| Candidate { ch, cost }))
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// Options at one position, after the field's kind has had its say.
struct Slot {
    read: u8,
    /// Legal candidates, costs as the reader gave them.
    options: Vec<Candidate>,
    /// The same, no dearer than a wildcard: a character the reader did
    /// propose is never less likely than one it did not.
    capped: Vec<Candidate>,
    wildcards: Vec<u8>,
}

type Pos = (usize, usize);

/// Repair candidate lines. `candidates[line][column]` lists what the reader
/// proposes, best first; the first one is "what was read".
pub fn repair_candidates(
    candidates: &[Vec<Vec<Candidate>>],
    policy: &RepairPolicy,
    today: Date,
) -> Result<RepairOutcome, MrzError> {
    let read: Vec<Vec<u8>> = candidates
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| c.first().map_or(b'<', |c| c.ch))
                .collect()
        })
        .collect();
    let format = crate::validate_shape(&read)?;
    let layout = Layout::of(format);
    let kinds = layout.kinds(format);
    let rules = check_rules(format, &layout, &read);
    let as_read = Mrz::from_lines(format, read.clone(), today);

    let slots = build_slots(format, &layout, &read, candidates, &kinds, policy);

    // Positions no check covers: decide each on its own.
    let mut covered: HashMap<Pos, ()> = HashMap::new();
    for r in &rules {
        for &p in r.data.iter().chain(std::iter::once(&r.digit)) {
            covered.insert(p, ());
        }
    }
    let mut chosen = read.clone();
    let mut repairs = Vec::new();
    let mut unchecked_changes = 0;
    for (l, row) in slots.iter().enumerate() {
        for (c, slot) in row.iter().enumerate() {
            if covered.contains_key(&(l, c)) {
                continue;
            }
            let mut best = slot.options.iter().map(|o| o.cost).min();
            let Some(min) = best.take() else {
                return Ok(unchanged(as_read, RepairStatus::Unrepairable));
            };
            let cheapest: Vec<u8> = slot
                .options
                .iter()
                .filter(|o| o.cost == min)
                .map(|o| o.ch)
                .collect();
            match cheapest.as_slice() {
                [one] => {
                    if *one != slot.read {
                        unchecked_changes += 1;
                        chosen[l][c] = *one;
                        repairs.push(repair(l, c, slot.read, *one, false));
                    }
                }
                _ => return Ok(unchanged(as_read, RepairStatus::Ambiguous)),
            }
        }
    }
    if unchecked_changes > policy.max_changes {
        return Ok(unchanged(as_read, RepairStatus::Unrepairable));
    }
    let budget = policy.max_changes - unchecked_changes;

    // Positions under checks: one dynamic programme over them, field by
    // field, then the positions only the composite covers, then the
    // composite digit.
    let steps = plan(&rules);
    let dearest = slots
        .iter()
        .flatten()
        .flat_map(|s| s.capped.iter().map(|o| u32::from(o.cost)))
        .max()
        .unwrap_or(0);
    let cap = dearest * budget as u32;
    // First without wildcards, for the cost of the best repair; then again
    // with them, but only as far as a rival could reach. A scanner's
    // wildcards are dear, so the second pass is usually as small as the first.
    let plain = Space {
        cap,
        max_changes: budget,
        wildcard_cost: u32::from(policy.wildcard_cost),
        wildcards: false,
    };
    let Some(best_cost) = run(&steps, &slots, &plain)
        .last()
        .and_then(|last| last.iter().map(|n| plain.decode(n.key).cost).min())
    else {
        return Ok(unchanged(as_read, RepairStatus::Unrepairable));
    };
    let space = Space {
        cap: best_cost + u32::from(policy.margin),
        max_changes: budget + 1,
        wildcard_cost: u32::from(policy.wildcard_cost),
        wildcards: true,
    };
    let layers = run(&steps, &slots, &space);

    let Some(last) = layers.last() else {
        return Ok(unchanged(as_read, RepairStatus::Unrepairable));
    };
    let best = last
        .iter()
        .enumerate()
        .filter(|(_, n)| {
            let st = space.decode(n.key);
            st.wild == 0 && st.changes <= budget
        })
        .min_by_key(|(_, n)| space.decode(n.key).cost);
    let Some((best_index, best_node)) = best else {
        return Ok(unchanged(as_read, RepairStatus::Unrepairable));
    };
    let best_cost = space.decode(best_node.key).cost;
    let rivals: u32 = last
        .iter()
        .filter(|n| space.decode(n.key).cost <= best_cost + u32::from(policy.margin))
        .map(|n| u32::from(n.count))
        .sum();
    if best_node.count > 1 || rivals > 1 {
        return Ok(unchanged(as_read, RepairStatus::Ambiguous));
    }

    // Walk back to the characters that made the best reading.
    let mut index = best_index;
    for (step, layer) in steps.iter().zip(layers.iter().skip(1)).rev() {
        let Some(node) = layer.get(index) else {
            return Ok(unchanged(as_read, RepairStatus::Unrepairable));
        };
        let (l, c) = step.pos;
        if node.ch != read[l][c] {
            chosen[l][c] = node.ch;
            repairs.push(repair(l, c, read[l][c], node.ch, true));
        }
        index = node.back as usize;
    }

    let mut mrz = Mrz::from_lines(format, chosen, today);
    if !mrz.is_valid() {
        // The groups and the document's own checks disagree: never claim
        // a repair we cannot stand behind.
        return Ok(unchanged(as_read, RepairStatus::Unrepairable));
    }
    repairs.sort_by_key(|r| (r.line, r.column));
    let status = if repairs.is_empty() {
        RepairStatus::Valid
    } else {
        RepairStatus::Repaired
    };
    mrz.repairs = repairs;
    Ok(RepairOutcome { mrz, status })
}

fn repair(l: usize, c: usize, from: u8, to: u8, verified: bool) -> Repair {
    Repair {
        line: l + 1,
        column: c + 1,
        from: from as char,
        to: to as char,
        verified,
    }
}

fn unchanged(mrz: Mrz, status: RepairStatus) -> RepairOutcome {
    let status = if mrz.is_valid() && status == RepairStatus::Unrepairable {
        RepairStatus::Valid
    } else {
        status
    };
    RepairOutcome { mrz, status }
}

fn build_slots(
    format: Format,
    layout: &Layout,
    read: &[Vec<u8>],
    candidates: &[Vec<Vec<Candidate>>],
    kinds: &[Vec<Kind>],
    policy: &RepairPolicy,
) -> Vec<Vec<Slot>> {
    let number = number_layout(format, layout, read);
    let marker = (
        layout.document_number_check.line,
        layout.document_number_check.start,
    );
    // A long document number is announced by `<` in the check position;
    // repair keeps the layout it was read with.
    let pinned = number.digit != marker;
    candidates
        .iter()
        .enumerate()
        .map(|(l, row)| {
            row.iter()
                .enumerate()
                .map(|(c, cands)| {
                    let kind = kinds
                        .get(l)
                        .and_then(|k| k.get(c))
                        .copied()
                        .unwrap_or(Kind::AlphaNum);
                    let read_ch = read[l][c];
                    if pinned && (l, c) == marker {
                        let only = vec![Candidate {
                            ch: read_ch,
                            cost: 0,
                        }];
                        return Slot {
                            read: read_ch,
                            options: only.clone(),
                            capped: only,
                            wildcards: Vec::new(),
                        };
                    }
                    let alphabet = kind.repair_alphabet();
                    let mut options: Vec<Candidate> = Vec::new();
                    for (i, cand) in cands.iter().enumerate() {
                        let legal = if i == 0 {
                            kind.allows(cand.ch)
                        } else {
                            alphabet.contains(&cand.ch)
                        };
                        let same_value = |o: &Candidate| {
                            o.ch == cand.ch
                                || (kind == Kind::Check && char_value(o.ch) == char_value(cand.ch))
                        };
                        if legal && !options.iter().any(same_value) {
                            options.push(*cand);
                        }
                    }
                    let wildcards = alphabet
                        .iter()
                        .copied()
                        .filter(|&w| {
                            !options.iter().any(|o| {
                                o.ch == w
                                    || (kind == Kind::Check && char_value(o.ch) == char_value(w))
                            })
                        })
                        .collect();
                    let capped = options
                        .iter()
                        .map(|o| Candidate {
                            ch: o.ch,
                            cost: o.cost.min(policy.wildcard_cost),
                        })
                        .collect();
                    Slot {
                        read: read_ch,
                        options,
                        capped,
                        wildcards,
                    }
                })
                .collect()
        })
        .collect()
}

/// What a step of the programme does with the character it places.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Data of a field (or only of the composite).
    Data,
    /// A field's check digit: closes the field.
    FieldDigit { filler_when_empty: bool },
    /// The composite check digit: closes everything.
    CompositeDigit,
}

#[derive(Debug, Clone, Copy)]
struct Step {
    pos: Pos,
    field_weight: u32,
    composite_weight: u32,
    role: Role,
}

/// The order in which checked positions are decided.
fn plan(rules: &[CheckRule]) -> Vec<Step> {
    let composite = rules.iter().find(|r| r.field == CheckField::Composite);
    let cw: HashMap<Pos, u32> = composite
        .map(|r| {
            r.data
                .iter()
                .enumerate()
                .map(|(i, &p)| (p, weight(i)))
                .collect()
        })
        .unwrap_or_default();
    let weight_in_composite = |p: &Pos| cw.get(p).copied().unwrap_or(0);
    let mut steps = Vec::new();
    for r in rules.iter().filter(|r| r.field != CheckField::Composite) {
        for (i, p) in r.data.iter().enumerate() {
            steps.push(Step {
                pos: *p,
                field_weight: weight(i),
                composite_weight: weight_in_composite(p),
                role: Role::Data,
            });
        }
        steps.push(Step {
            pos: r.digit,
            field_weight: 0,
            composite_weight: weight_in_composite(&r.digit),
            role: Role::FieldDigit {
                filler_when_empty: r.filler_when_empty,
            },
        });
    }
    if let Some(comp) = composite {
        let placed: Vec<Pos> = steps.iter().map(|s| s.pos).collect();
        for p in comp.data.iter().filter(|p| !placed.contains(p)) {
            steps.push(Step {
                pos: *p,
                field_weight: 0,
                composite_weight: weight_in_composite(p),
                role: Role::Data,
            });
        }
        steps.push(Step {
            pos: comp.digit,
            field_weight: 0,
            composite_weight: 0,
            role: Role::CompositeDigit,
        });
    }
    steps
}

/// A state of the programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct State {
    cost: u32,
    changes: usize,
    wild: usize,
    /// The current field is all fillers so far.
    all_filler: bool,
    field_residue: u32,
    composite_residue: u32,
}

/// The bounds of the programme, and a dense numbering of its states.
struct Space {
    cap: u32,
    max_changes: usize,
    wildcard_cost: u32,
    /// Whether readings may use a wildcard at all.
    wildcards: bool,
}

impl Space {
    fn size(&self) -> usize {
        (self.cap as usize + 1) * (self.max_changes + 1) * 2 * 2 * 100
    }

    fn encode(&self, s: State) -> u32 {
        let mut k = s.cost as usize;
        k = k * (self.max_changes + 1) + s.changes;
        k = k * 2 + s.wild;
        k = k * 2 + usize::from(s.all_filler);
        k = k * 10 + s.field_residue as usize;
        k = k * 10 + s.composite_residue as usize;
        k as u32
    }

    fn decode(&self, k: u32) -> State {
        let mut k = k as usize;
        let composite_residue = (k % 10) as u32;
        k /= 10;
        let field_residue = (k % 10) as u32;
        k /= 10;
        let all_filler = k % 2 == 1;
        k /= 2;
        let wild = k % 2;
        k /= 2;
        let changes = k % (self.max_changes + 1);
        k /= self.max_changes + 1;
        State {
            cost: k as u32,
            changes,
            wild,
            all_filler,
            field_residue,
            composite_residue,
        }
    }
}

/// A reachable state: how many readings reach it (capped at 2), and the
/// step back to one of them.
#[derive(Debug, Clone, Copy)]
struct Node {
    key: u32,
    count: u8,
    back: u32,
    ch: u8,
}

/// One way to place a character: the character, its cost, whether it is a
/// wildcard, and how many characters it stands for (wildcards that behave
/// alike are merged).
struct Choice {
    ch: u8,
    cost: u32,
    wild: bool,
    multiplicity: u8,
}

fn choices(slot: &Slot, space: &Space) -> Vec<Choice> {
    let mut out: Vec<Choice> = slot
        .capped
        .iter()
        .map(|o| Choice {
            ch: o.ch,
            cost: u32::from(o.cost),
            wild: false,
            multiplicity: 1,
        })
        .collect();
    if !space.wildcards || space.wildcard_cost > space.cap {
        return out;
    }
    // Wildcards matter only through their value mod 10 and whether they are
    // a filler; digits stay apart because check positions test the digit.
    let mut classes: Vec<(u32, bool, bool, Choice)> = Vec::new();
    for &w in &slot.wildcards {
        let v = char_value(w).unwrap_or(0) % 10;
        let filler = w == b'<';
        let digit = w.is_ascii_digit();
        match classes
            .iter_mut()
            .find(|(cv, cf, cd, _)| *cv == v && *cf == filler && *cd == digit)
        {
            Some((_, _, _, c)) => c.multiplicity = (c.multiplicity + 1).min(2),
            None => classes.push((
                v,
                filler,
                digit,
                Choice {
                    ch: w,
                    cost: space.wildcard_cost,
                    wild: true,
                    multiplicity: 1,
                },
            )),
        }
    }
    out.extend(classes.into_iter().map(|(_, _, _, c)| c));
    out
}

fn run(steps: &[Step], slots: &[Vec<Slot>], space: &Space) -> Vec<Vec<Node>> {
    let start = State {
        cost: 0,
        changes: 0,
        wild: 0,
        all_filler: true,
        field_residue: 0,
        composite_residue: 0,
    };
    let mut layers = vec![vec![Node {
        key: space.encode(start),
        count: 1,
        back: u32::MAX,
        ch: 0,
    }]];
    let mut slot_of = vec![u32::MAX; space.size()];
    for step in steps {
        let (l, c) = step.pos;
        let Some(slot) = slots.get(l).and_then(|r| r.get(c)) else {
            return Vec::new();
        };
        let choices = choices(slot, space);
        let mut next: Vec<Node> = Vec::new();
        if let Some(prev) = layers.last() {
            for (pi, node) in prev.iter().enumerate() {
                let s = space.decode(node.key);
                for ch in &choices {
                    let mut t = s;
                    t.cost += ch.cost;
                    t.changes += usize::from(ch.ch != slot.read);
                    t.wild += usize::from(ch.wild);
                    if t.cost > space.cap || t.changes > space.max_changes || t.wild > 1 {
                        continue;
                    }
                    let v = char_value(ch.ch).unwrap_or(0);
                    t.composite_residue = (t.composite_residue + v * step.composite_weight) % 10;
                    match step.role {
                        Role::Data => {
                            t.field_residue = (t.field_residue + v * step.field_weight) % 10;
                            t.all_filler &= ch.ch == b'<';
                        }
                        Role::FieldDigit { filler_when_empty } => {
                            let ok = if ch.ch == b'<' {
                                filler_when_empty && s.all_filler
                            } else {
                                ch.ch.is_ascii_digit() && v == s.field_residue
                            };
                            if !ok {
                                continue;
                            }
                            t.field_residue = 0;
                            t.all_filler = true;
                        }
                        Role::CompositeDigit => {
                            if !(ch.ch.is_ascii_digit() && v == s.composite_residue) {
                                continue;
                            }
                            t.composite_residue = 0;
                        }
                    }
                    let key = space.encode(t);
                    let Some(entry) = slot_of.get_mut(key as usize) else {
                        continue;
                    };
                    if *entry == u32::MAX {
                        *entry = next.len() as u32;
                        next.push(Node {
                            key,
                            count: 0,
                            back: pi as u32,
                            ch: ch.ch,
                        });
                    }
                    if let Some(n) = next.get_mut(*entry as usize) {
                        n.count = (n.count + node.count * ch.multiplicity).min(2);
                    }
                }
            }
        }
        for n in &next {
            if let Some(e) = slot_of.get_mut(n.key as usize) {
                *e = u32::MAX;
            }
        }
        layers.push(next);
    }
    layers
}
