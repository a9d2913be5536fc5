//! The password policy, shared by the client (live feedback while typing) and
//! the server (enforcement), so both always agree.
//!
//! Rules (bank guidance plus the explicit MitID anchor): 8 to 64 characters,
//! at least one letter and one digit, not the birth date (DDMMYY or DDMMYYYY),
//! not a common password, no run of 10 or more digits, no run of
//! [`KEYBOARD_RUN`] or more neighbouring keys of one keyboard row.
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub const MIN_LEN: usize = 8;
pub const MAX_LEN: usize = 64;
/// The shortest digit run that is refused.
pub const MAX_DIGIT_RUN: usize = 10;
/// The shortest run of neighbouring keys on one keyboard row that is refused.
pub const KEYBOARD_RUN: usize = 6;

/// Why a password is refused. Serialized as a tagged object so clients can
/// show one message per violation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "rule")]
pub enum PasswordViolation {
    TooShort { min: u32 },
    TooLong { max: u32 },
    NoLetter,
    NoDigit,
    ContainsBirthDate,
    Common,
    DigitRun { max: u32 },
    KeyboardRow,
}

/// What the policy knows about the user. Holds only the birth date digits,
/// never the identity number itself.
#[derive(Clone, Copy, Default)]
pub struct PasswordContext {
    /// (day, month, four-digit year)
    pub birth_date: Option<(u8, u8, u16)>,
}

impl std::fmt::Debug for PasswordContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordContext { .. }")
    }
}

/// Lower-cased whole passwords (and stems before trailing digits) that are refused.
const COMMON: &[&str] = &[
    "password",
    "passord",
    "passw0rd",
    "qwerty",
    "qwertyuiop",
    "asdfgh",
    "abc",
    "abcd",
    "iloveyou",
    "welcome",
    "velkommen",
    "admin",
    "letmein",
    "monkey",
    "dragon",
    "sommer",
    "vinter",
    "hemmelig",
    "bankid",
    "norge",
    "oslo",
    "bergen",
    "trondheim",
    "fotball",
    "rosenborg",
    "brann",
    "test",
    "secret",
    "sunshine",
    "princess",
    "football",
    "master",
    "hello",
    "hallo",
    "kake",
    "katt",
    "hund",
    "elsker",
    "jegelskerdeg",
    "12345678",
    "123456789",
    "1234567890",
    "11111111",
    "00000000",
    "87654321",
    "1q2w3e4r",
    "1qaz2wsx",
    "zaq12wsx",
    "abc12345",
    "a1b2c3d4",
];

const ROWS: &[&str] = &["1234567890", "qwertyuiopå", "asdfghjkløæ", "zxcvbnm"];

/// Checks `password` against the policy; an empty list means it is accepted.
pub fn check_password(password: &str, ctx: &PasswordContext) -> Vec<PasswordViolation> {
    let mut v = Vec::new();
    let len = password.chars().count();
    if len < MIN_LEN {
        v.push(PasswordViolation::TooShort {
            min: MIN_LEN as u32,
        });
    }
    if len > MAX_LEN {
        v.push(PasswordViolation::TooLong {
            max: MAX_LEN as u32,
        });
    }
    if !password.chars().any(char::is_alphabetic) {
        v.push(PasswordViolation::NoLetter);
    }
    if !password.chars().any(|c| c.is_ascii_digit()) {
        v.push(PasswordViolation::NoDigit);
    }
    if let Some(b) = ctx.birth_date
        && contains_birth_date(password, b)
    {
        v.push(PasswordViolation::ContainsBirthDate);
    }
    if is_common(password) {
        v.push(PasswordViolation::Common);
    }
    if longest_digit_run(password) >= MAX_DIGIT_RUN {
        v.push(PasswordViolation::DigitRun {
            max: (MAX_DIGIT_RUN - 1) as u32,
        });
    }
    if has_keyboard_run(password) {
        v.push(PasswordViolation::KeyboardRow);
    }
    v
}

/// Every rule of the policy as it applies to this user, in the order
/// [`check_password`] checks them: the list a client shows met or unmet
/// while the user types (the birth-date rule only where the date is known).
pub fn policy_rules(ctx: &PasswordContext) -> Vec<PasswordViolation> {
    use PasswordViolation as P;
    let mut rules = vec![
        P::TooShort {
            min: MIN_LEN as u32,
        },
        P::TooLong {
            max: MAX_LEN as u32,
        },
        P::NoLetter,
        P::NoDigit,
    ];
    if ctx.birth_date.is_some() {
        rules.push(P::ContainsBirthDate);
    }
    rules.extend([
        P::Common,
        P::DigitRun {
            max: (MAX_DIGIT_RUN - 1) as u32,
        },
        P::KeyboardRow,
    ]);
    rules
}

fn contains_birth_date(pw: &str, (d, m, y): (u8, u8, u16)) -> bool {
    let short = format!("{d:02}{m:02}{:02}", y % 100);
    let long = format!("{d:02}{m:02}{y:04}");
    pw.contains(&short) || pw.contains(&long)
}

fn is_common(pw: &str) -> bool {
    let lower = pw.to_lowercase();
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c == '!' || c == '.');
    COMMON
        .iter()
        .any(|c| *c == lower || (!stem.is_empty() && *c == stem))
}

fn longest_digit_run(pw: &str) -> usize {
    let mut best = 0;
    let mut cur = 0;
    for c in pw.chars() {
        if c.is_ascii_digit() {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

fn has_keyboard_run(pw: &str) -> bool {
    let chars: Vec<char> = pw.to_lowercase().chars().collect();
    if chars.len() < KEYBOARD_RUN {
        return false;
    }
    chars.windows(KEYBOARD_RUN).any(|w| {
        let s: String = w.iter().collect();
        let r: String = w.iter().rev().collect();
        ROWS.iter().any(|row| row.contains(&s) || row.contains(&r))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ctx() -> PasswordContext {
        PasswordContext {
            birth_date: Some((1, 2, 1985)),
        }
    }

    #[test]
    fn accepts_a_good_password() {
        assert!(check_password("Fjord9Lyng4", &ctx()).is_empty());
        assert!(check_password("blåbær2kake7", &ctx()).is_empty());
    }

    #[test]
    fn names_each_violation() {
        use PasswordViolation::*;
        assert_eq!(check_password("ab1", &ctx()), vec![TooShort { min: 8 }]);
        assert!(check_password(&"a1".repeat(33), &ctx()).contains(&TooLong { max: 64 }));
        assert_eq!(check_password("abcdefgh", &ctx()), vec![NoDigit]);
        assert!(check_password("123498760", &ctx()).contains(&NoLetter));
        assert_eq!(check_password("x010285x", &ctx()), vec![ContainsBirthDate]);
        assert_eq!(check_password("x01021985", &ctx()), vec![ContainsBirthDate]);
        assert_eq!(check_password("Passord123", &ctx()), vec![Common]);
        assert_eq!(
            check_password("a9081726354x", &ctx()),
            vec![DigitRun { max: 9 }]
        );
        assert_eq!(check_password("qwerty7z", &ctx()), vec![KeyboardRow]);
        assert_eq!(check_password("xasdfgh7", &ctx()), vec![KeyboardRow]);
        assert_eq!(check_password("z7poiuyt", &ctx()), vec![KeyboardRow]);
        assert_eq!(check_password("k123456x", &ctx()), vec![KeyboardRow]);
    }

    #[test]
    fn no_birth_date_rule_without_context() {
        assert!(check_password("x010285x", &PasswordContext::default()).is_empty());
    }

    #[test]
    fn policy_rules_list_every_rule_once() {
        let all = policy_rules(&ctx());
        assert_eq!(all.len(), 8);
        assert!(
            !policy_rules(&PasswordContext::default())
                .contains(&PasswordViolation::ContainsBirthDate)
        );
        let mut dedup = all.clone();
        dedup.dedup();
        assert_eq!(dedup, all);
    }

    proptest! {
        #[test]
        fn never_panics_and_length_rules_hold(s in "\\PC{0,80}") {
            let v = check_password(&s, &ctx());
            // Whatever is broken is one of the listed rules, in their order.
            let listed: Vec<_> = policy_rules(&ctx()).into_iter().filter(|r| v.contains(r)).collect();
            prop_assert_eq!(&listed, &v);
            let n = s.chars().count();
            prop_assert_eq!(v.contains(&PasswordViolation::TooShort { min: 8 }), n < 8);
            prop_assert_eq!(v.contains(&PasswordViolation::TooLong { max: 64 }), n > 64);
        }
    }
}
