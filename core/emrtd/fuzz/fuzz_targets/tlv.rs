#![no_main]
//! The protocol-side BER-TLV reader: walking any bytes to full depth must not panic.

use aktiver_emrtd::tlv::{self, Tlv, TlvReader};
use libfuzzer_sys::fuzz_target;

fn walk(t: &Tlv<'_>) -> usize {
    let mut n = 1;
    if t.is_constructed() {
        if let Ok(children) = t.children() {
            for c in children {
                match c {
                    Ok(c) => n += walk(&c),
                    Err(_) => break,
                }
            }
        }
    }
    n
}

fuzz_target!(|data: &[u8]| {
    for t in TlvReader::new(data) {
        match t {
            Ok(t) => {
                let _ = walk(&t);
            }
            Err(_) => break,
        }
    }
    let _ = tlv::parse_single(data);
    let _ = tlv::parse_header(data);
});
