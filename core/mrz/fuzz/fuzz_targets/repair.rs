//! Repair never panics, never claims a repair it cannot stand behind, and
//! changes no more than it was allowed to.
#![no_main]

use aktiver_mrz::RepairStatus;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&max, rest)) = data.split_first() else { return };
    let max = usize::from(max % 4);
    // Map bytes onto the MRZ alphabet and a few separators so the fuzzer
    // spends its time in repair rather than in shape errors.
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ<<<<<<\n";
    let text: String = rest
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(*b) % ALPHABET.len()]))
        .collect();
    let today = time::Date::from_calendar_date(2026, time::Month::November, 21).unwrap_or(time::Date::MIN);
    if let Ok(out) = aktiver_mrz::parse_repairing_at(&text, max, today) {
        match out.status {
            RepairStatus::Repaired => {
                assert!(out.mrz.is_valid());
                assert!(!out.mrz.repairs.is_empty() && out.mrz.repairs.len() <= max);
            }
            RepairStatus::Valid => assert!(out.mrz.is_valid() && out.mrz.repairs.is_empty()),
            _ => assert!(out.mrz.repairs.is_empty()),
        }
    }
});
