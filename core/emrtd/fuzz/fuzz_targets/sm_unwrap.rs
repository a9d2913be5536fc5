#![no_main]
//! Secure-messaging unwrap on both sides (responses for the reader, commands
//! for the chip), for 3DES and AES sessions, plus APDU parsing.

use aktiver_emrtd::apdu::{CommandApdu, ResponseApdu};
use aktiver_emrtd::crypto::CipherKind;
use aktiver_emrtd::sm::SmSession;
use libfuzzer_sys::fuzz_target;
use zeroize::Zeroizing;

fuzz_target!(|data: &[u8]| {
    let _ = ResponseApdu::parse(data);
    let _ = CommandApdu::parse(data);
    for cipher in [CipherKind::Tdes, CipherKind::Aes128, CipherKind::Aes256] {
        let key = || Zeroizing::new(vec![0x5A; cipher.key_len()]);
        if let Ok(mut sm) = SmSession::with_zero_ssc(cipher, key(), key()) {
            let _ = sm.unwrap(data);
            let _ = sm.unwrap_command(data);
        }
    }
});
