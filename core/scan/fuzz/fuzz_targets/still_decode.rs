//! Untrusted image bytes: decode errors, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(img) = aktiver_scan::still::decode(data) {
        let _ = aktiver_scan::scan_frame(&img.frame());
    }
});
