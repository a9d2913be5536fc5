//! Strict parsing of arbitrary text never panics, and what it accepts is
//! shaped like its format.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let today = time::Date::from_calendar_date(2026, time::Month::November, 21).unwrap_or(time::Date::MIN);
    if let Ok(m) = aktiver_mrz::parse_at(&text, today) {
        let (lines, width) = m.format.shape();
        assert_eq!(m.lines.len(), lines);
        assert!(m.lines.iter().all(|l| l.len() == width));
        let _ = m.national_identity_number(aktiver_nin::Policy::SANDBOX);
        let _ = format!("{m:?}");
    }
});
