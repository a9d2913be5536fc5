//! `NationalId::parse` on arbitrary text must never panic, and whatever it
//! accepts must keep its invariants.
#![no_main]

use aktiver_nin::{NationalId, NinKind, Policy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let sandbox = NationalId::parse(&input, Policy::SANDBOX);
    let production = NationalId::parse(&input, Policy::PRODUCTION);
    if let Ok(id) = &sandbox {
        let n = id.as_str();
        assert!(n.len() == 11 && n.bytes().all(|b| b.is_ascii_digit()));
        assert!(!format!("{id:?}").contains(&n[6..]));
        assert!(id.masked(true).ends_with("*****"));
        if let Some(date) = id.birth_date() {
            assert_eq!(id.birth_day_month(), Some((date.day(), date.month())));
        }
        assert_eq!(
            id.kind() == NinKind::FhNumber,
            id.birth_day_month().is_none()
        );
        // Production differs from sandbox only for synthetic numbers.
        assert_eq!(production.is_ok(), id.synthetic().is_none());
        // Re-parsing the canonical digits gives the same number.
        assert_eq!(NationalId::parse(n, Policy::SANDBOX).as_ref(), Ok(id));
    } else {
        assert!(production.is_err());
    }
});
