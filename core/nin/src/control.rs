//! The two mod-11 control digits.
//!
//! Every check works on the weighted sum *including* the control digit (its
//! weight is 1): the classic rule wants that sum to be 0 mod 11, the 2032 rule
//! allows a remainder of 0, 1, 2 or 3 for K1. Written that way the 2032 rule
//! needs no special case for "11 - 0 = 11 -> 0", and a control digit of 10
//! simply never satisfies the equation because it is not a digit.

/// K1 weights over digits 1-10 (the last is K1 itself).
const K1_WEIGHTS: [u32; 10] = [3, 7, 6, 1, 8, 9, 4, 5, 2, 1];
/// K2 weights over digits 1-11 (the last is K2 itself).
const K2_WEIGHTS: [u32; 11] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2, 1];

/// Which K1 rule a number satisfies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ControlRule {
    /// `K1 = 11 - (sum mod 11)`: every number issued before 2032, and the
    /// quarter of later numbers whose remainder happens to be 0.
    Classic,
    /// Valid only under the rule Skatteetaten introduces in 2032: the weighted
    /// sum including K1 leaves a remainder of 1, 2 or 3. Such numbers encode
    /// neither century nor gender.
    From2032,
}

fn remainder(digits: &[u8], weights: &[u32]) -> u32 {
    let sum: u32 = digits
        .iter()
        .zip(weights)
        .map(|(&d, &w)| u32::from(d) * w)
        .sum();
    sum % 11
}

/// The K1 remainder over digits 1-10 (K1 included).
pub(crate) fn k1_remainder(digits: &[u8; 11]) -> u32 {
    remainder(&digits[..10], &K1_WEIGHTS)
}

/// K2 is the same under both rules: the weighted sum over all 11 digits must
/// be 0 mod 11.
pub(crate) fn k2_ok(digits: &[u8; 11]) -> bool {
    remainder(digits, &K2_WEIGHTS) == 0
}

/// The rule K1 satisfies, if any. `allow_2032` is false for FH-numbers, whose
/// control digits are always computed the classic way.
pub(crate) fn k1_rule(digits: &[u8; 11], allow_2032: bool) -> Option<ControlRule> {
    match k1_remainder(digits) {
        0 => Some(ControlRule::Classic),
        1..=3 if allow_2032 => Some(ControlRule::From2032),
        _ => None,
    }
}

/// The digit that makes the weighted sum of `prefix` plus it leave
/// `target_remainder` mod 11, or `None` when that digit would be 10.
fn solve(prefix: &[u8], weights: &[u32], target_remainder: u32) -> Option<u8> {
    let r = remainder(prefix, weights);
    // The control digit has weight 1: want (r + k) mod 11 == target.
    let k = (target_remainder + 11 - r) % 11;
    u8::try_from(k).ok().filter(|&k| k <= 9)
}

/// The classic K1 for digits 1-9, `None` when it would be 10 (the individual
/// number cannot be used on that date).
pub fn classic_k1(first9: &[u8; 9]) -> Option<u8> {
    solve(first9, &K1_WEIGHTS, 0)
}

/// Every K1 the 2032 rule accepts for digits 1-9, classic remainder first.
pub fn k1_candidates_2032(first9: &[u8; 9]) -> Vec<u8> {
    (0..=3)
        .filter_map(|r| solve(first9, &K1_WEIGHTS, r))
        .collect()
}

/// K2 for digits 1-10, `None` when it would be 10.
pub fn k2(first10: &[u8; 10]) -> Option<u8> {
    solve(first10, &K2_WEIGHTS, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(s: &str) -> [u8; 11] {
        let mut out = [0u8; 11];
        for (o, b) in out.iter_mut().zip(s.bytes()) {
            *o = b - b'0';
        }
        out
    }

    #[test]
    fn reference_2032_examples() {
        // 02013299997 and 30108299920 happen to satisfy the classic rule too.
        assert_eq!(
            k1_rule(&digits("02013299997"), true),
            Some(ControlRule::Classic)
        );
        assert_eq!(
            k1_rule(&digits("30108299920"), true),
            Some(ControlRule::Classic)
        );
        assert_eq!(
            k1_rule(&digits("30108299939"), true),
            Some(ControlRule::From2032)
        );
        assert_eq!(k1_rule(&digits("30108299939"), false), None);
        for n in ["02013299997", "30108299920", "30108299939"] {
            assert!(k2_ok(&digits(n)), "{n}");
        }
    }

    #[test]
    fn solving_matches_checking() {
        let first9 = [3, 0, 1, 0, 8, 2, 9, 9, 9];
        assert_eq!(classic_k1(&first9), Some(2));
        assert_eq!(k1_candidates_2032(&first9), vec![2, 3, 4, 5]);
        assert_eq!(k2(&[3, 0, 1, 0, 8, 2, 9, 9, 9, 3]), Some(9));
    }

    #[test]
    fn control_digit_ten_is_refused() {
        // Some individual numbers are unusable on a given date because the
        // classic K1 would be 10.
        let mut found = false;
        for i in 0..1000u32 {
            let ind = [(i / 100) as u8, ((i / 10) % 10) as u8, (i % 10) as u8];
            let first9 = [0, 1, 0, 1, 9, 0, ind[0], ind[1], ind[2]];
            if remainder(&first9, &K1_WEIGHTS) == 1 {
                assert_eq!(classic_k1(&first9), None);
                // Under 2032 the remainders 1, 2, 3 are reached with 0, 1, 2.
                assert_eq!(k1_candidates_2032(&first9), vec![0, 1, 2]);
                found = true;
                break;
            }
        }
        assert!(found);
    }
}
