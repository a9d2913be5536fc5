#![no_main]
//! The virtual chip answering arbitrary command APDUs (it parses untrusted
//! bytes from whatever drives it): a sequence of length-prefixed commands.

use std::collections::BTreeMap;

use aktiver_emrtd::bac::AccessKey;
use aktiver_emrtd::crypto::{CipherKind, FixedRng};
use aktiver_emrtd::pace::{Curve, PaceSuite};
use aktiver_emrtd::tlv;
use aktiver_emrtd::virtual_chip::{ChipProfile, Faults, VirtualChip};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut files = BTreeMap::new();
    files.insert(0x011E, tlv::encode(0x60, &[0x5C, 0x02, 0x61, 0x75]));
    files.insert(0x011C, vec![0x31, 0x00]);
    let profile = ChipProfile {
        files,
        mrz: AccessKey::Mrz("L898902C<369080619406236".into()),
        can: Some(AccessKey::Can("123456".into())),
        bac: true,
        pace: vec![PaceSuite::new(Curve::BrainpoolP256r1, CipherKind::Aes128)],
        chip_authentication: None,
        active_authentication: None,
    };
    let mut chip = VirtualChip::with_rng(
        profile,
        Faults::default(),
        Box::new(FixedRng::new(vec![9; 1 << 16])),
    );
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let len = usize::from(len).min(tail.len());
        let (cmd, next) = tail.split_at(len);
        let _ = chip.process(cmd);
        rest = next;
    }
});
