//! Random but valid MRZ content (synthetic people, never real ones).

use super::rng::Rng;
use crate::layout::{Format, check_digit};

const STATES: [&str; 8] = ["NOR", "UTO", "SWE", "DNK", "FIN", "D<<", "GBR", "NLD"];
const SYLL: [&str; 24] = [
    "AN", "BER", "KA", "LI", "MO", "NOR", "SEN", "TH", "OL", "VIK", "ER", "HAN", "SON", "DAL",
    "BY", "QU", "ZE", "WI", "JO", "GU", "STA", "FY", "PE", "RIX",
];

fn name(rng: &mut Rng) -> String {
    let n = 2 + rng.below(3);
    (0..n)
        .filter_map(|_| rng.pick(&SYLL).copied())
        .collect::<String>()
}

fn alnum(rng: &mut Rng, n: usize, digit_bias: f32) -> String {
    (0..n)
        .map(|_| {
            if rng.chance(digit_bias) {
                char::from(b'0' + rng.below(10) as u8)
            } else {
                char::from(b'A' + rng.below(26) as u8)
            }
        })
        .collect()
}

fn date(rng: &mut Rng) -> String {
    format!(
        "{:02}{:02}{:02}",
        rng.below(100),
        1 + rng.below(12),
        1 + rng.below(28)
    )
}

fn pad(s: &str, n: usize) -> String {
    let mut s: String = s.chars().take(n).collect();
    while s.len() < n {
        s.push('<');
    }
    s
}

fn cd(s: &str) -> char {
    check_digit(s).unwrap_or('0')
}

fn names_field(rng: &mut Rng, n: usize) -> String {
    let mut s = name(rng);
    s.push_str("<<");
    s.push_str(&name(rng));
    if rng.chance(0.5) {
        s.push('<');
        s.push_str(&name(rng));
    }
    pad(&s, n)
}

/// The lines of a random valid MRZ.
pub fn random_mrz(rng: &mut Rng, format: Format) -> Vec<String> {
    let state = rng.pick(&STATES).copied().unwrap_or("UTO");
    let number = alnum(rng, 9, 0.6);
    let dob = date(rng);
    let exp = date(rng);
    let sex = *rng.pick(&['M', 'F', '<']).unwrap_or(&'<');
    match format {
        // The generator makes TD1 and TD3; any other format gets a TD3.
        Format::Td3 | Format::Td2 | Format::MrvA | Format::MrvB => {
            let l1 = pad(&format!("P<{state}{}", names_field(rng, 39)), 44);
            let personal = if rng.chance(0.5) {
                pad(&alnum(rng, 11, 1.0), 14)
            } else {
                "<".repeat(14)
            };
            let pcd = if personal.starts_with('<') {
                '<'
            } else {
                cd(&personal)
            };
            let head = format!(
                "{number}{}{state}{dob}{}{sex}{exp}{}{personal}{pcd}",
                cd(&number),
                cd(&dob),
                cd(&exp)
            );
            let comp = format!("{}{}{}", &head[0..10], &head[13..20], &head[21..43]);
            vec![l1, format!("{head}{}", cd(&comp))]
        }
        Format::Td1 => {
            let kind = *rng.pick(&["I<", "ID", "IR", "AC"]).unwrap_or(&"I<");
            let opt1 = if rng.chance(0.5) {
                pad(&alnum(rng, 11, 1.0), 15)
            } else {
                "<".repeat(15)
            };
            let l1 = format!("{kind}{state}{number}{}{opt1}", cd(&number));
            let n2 = rng.below(5);
            let opt2 = pad(&alnum(rng, n2, 0.5), 11);
            let l2h = format!("{dob}{}{sex}{exp}{}{state}{opt2}", cd(&dob), cd(&exp));
            let comp = format!(
                "{}{}{}{}",
                &l1[5..30],
                &l2h[0..7],
                &l2h[8..15],
                &l2h[18..29]
            );
            let l2 = format!("{l2h}{}", cd(&comp));
            vec![l1, l2, names_field(rng, 30)]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::check_digits_hold;

    #[test]
    fn generated_mrz_is_valid() {
        let mut rng = Rng::new(7);
        for i in 0..200 {
            let f = if i % 2 == 0 { Format::Td1 } else { Format::Td3 };
            let m = random_mrz(&mut rng, f);
            assert!(check_digits_hold(f, &m), "{i}");
        }
    }
}
