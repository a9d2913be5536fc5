#![no_main]
//! The reader state machine fed hostile answers: the first byte says how many
//! genuine exchanges with the virtual chip come first (reaching EF.CardAccess,
//! PACE (generic, integrated or chip-authentication mapping) or BAC states),
//! the rest is the answer to the next command. Bit 4 of the first byte puts
//! PACE and the chip key on brainpoolP224r1 (the generic curve arithmetic)
//! instead of P-256. A second
//! pass feeds the rest as a series of plaintext READ BINARY answers.

use std::collections::BTreeMap;

use aktiver_emrtd::apdu::{ResponseApdu, TransportLimits};
use aktiver_emrtd::bac::AccessKey;
use aktiver_emrtd::crypto::{CipherKind, FixedRng};
use aktiver_emrtd::pace::{Curve, Mapping, PaceSuite};
use aktiver_emrtd::reader::{
    AccessPolicy, ChunkPolicy, FileRead, ReadNext, ReadStrategy, Reader, ReaderConfig, Step,
};
use aktiver_emrtd::tlv;
use aktiver_emrtd::virtual_chip::{CaPrivateKey, ChipProfile, Faults, VirtualChip};
use libfuzzer_sys::fuzz_target;

fn chip(pace: bool, mapping: Mapping, curve: Curve) -> VirtualChip {
    let suite = PaceSuite::with_mapping(curve, CipherKind::Aes128, mapping);
    let mut files = BTreeMap::new();
    files.insert(0x011E, tlv::encode(0x60, &[0x5C, 0x02, 0x61, 0x75]));
    files.insert(0x0101, tlv::encode(0x61, &[0x3C; 90]));
    if pace {
        let mut info = tlv::encode(0x06, &suite.oid());
        info.extend(tlv::encode(0x02, &[2]));
        info.extend(tlv::encode(0x02, &[suite.curve.parameter_id()]));
        files.insert(0x011C, tlv::encode(0x31, &tlv::encode(0x30, &info)));
    }
    let profile = ChipProfile {
        files,
        mrz: key(),
        can: None,
        bac: true,
        pace: if pace { vec![suite] } else { vec![] },
        // PACE-CAM needs the chip's static key.
        chip_authentication: Some(CaPrivateKey {
            curve,
            secret: zeroize::Zeroizing::new(vec![5; curve.field_len()]),
        }),
        active_authentication: None,
    };
    VirtualChip::with_rng(
        profile,
        Faults::default(),
        Box::new(FixedRng::new(vec![7; 4096])),
    )
}

fn key() -> AccessKey {
    AccessKey::Mrz("L898902C<369080619406236".into())
}

fuzz_target!(|data: &[u8]| {
    let Some((&k, rest)) = data.split_first() else {
        return;
    };
    let pace = k & 0x80 != 0;
    let mapping = match (k >> 5) & 3 {
        2 => Mapping::Integrated,
        3 => Mapping::ChipAuthentication,
        _ => Mapping::Generic,
    };
    let curve = if k & 0x10 != 0 {
        Curve::BrainpoolP224r1
    } else {
        Curve::P256
    };
    let genuine = usize::from(k & 0x0F);
    let mut cfg = ReaderConfig::new(key());
    cfg.access = if pace {
        AccessPolicy::Auto
    } else {
        AccessPolicy::BacOnly
    };
    cfg.limits = TransportLimits::default();
    let mut reader = Reader::with_rng(cfg, Box::new(FixedRng::new(vec![3; 4096])));
    let mut chip = chip(pace, mapping, curve);
    let Ok(mut step) = reader.start() else { return };
    for _ in 0..genuine {
        let Step::Transmit(apdu) = step else { return };
        let answer = chip.process(&apdu);
        step = match reader.on_response(&answer) {
            Ok(s) => s,
            Err(_) => return,
        };
    }
    if let Step::Transmit(_) = step {
        let _ = reader.on_response(rest);
        let _ = reader.progress();
    }

    let mut policy = ChunkPolicy::new(
        ReadStrategy::Adaptive,
        Some(CipherKind::Aes128),
        261,
        k & 1 == 1,
    );
    let mut f = FileRead::new(0x0102);
    let _ = f.next_command(&policy);
    for chunk in rest.chunks(97) {
        let Ok(r) = ResponseApdu::parse(chunk) else {
            break;
        };
        match f.on_response(&r, &mut policy) {
            Ok(ReadNext::Read(_)) => {}
            _ => break,
        }
    }
});
