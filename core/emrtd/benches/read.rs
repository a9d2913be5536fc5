//! CPU cost of the protocol: a full read of a Norwegian-sized document from
//! the virtual chip (both sides run in-process, so this is reader plus chip),
//! PACE alone, and secure-messaging wrap/unwrap of one 0xDF read.
//! Simulated NFC time and APDU counts are reported by `aktiver-sim chip bench`.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use aktiver_emrtd::apdu::{CommandApdu, ResponseApdu, StatusWord, TransportLimits};
use aktiver_emrtd::bac::AccessKey;
use aktiver_emrtd::crypto::{CipherKind, OsRng};
use aktiver_emrtd::pace::{ChipStep, Curve, Mapping, PaceChip, PaceReader, PaceStep, PaceSuite};
use aktiver_emrtd::reader::{ReadStrategy, Reader, ReaderConfig};
use aktiver_emrtd::sm::SmSession;
use aktiver_emrtd::tlv;
use aktiver_emrtd::virtual_chip::{
    ChipProfile, Faults, LinkModel, VirtualChip, VirtualTransport, run_blocking,
};
use criterion::{Criterion, criterion_group, criterion_main};
use zeroize::Zeroizing;

fn key() -> AccessKey {
    AccessKey::from_mrz("L898902C", "690806", "940623").unwrap()
}

fn profile(suite: PaceSuite) -> ChipProfile {
    let mut files = BTreeMap::new();
    files.insert(0x011E, tlv::encode(0x60, &[0x5C, 0x02, 0x61, 0x75]));
    files.insert(0x0101, tlv::encode(0x61, &[0x3C; 90]));
    files.insert(0x0102, tlv::encode(0x75, &vec![0xA5; 17_659]));
    files.insert(0x011D, tlv::encode(0x77, &vec![0x30; 2_026]));
    let mut info = tlv::encode(0x06, &suite.oid());
    info.extend(tlv::encode(0x02, &[2]));
    info.extend(tlv::encode(0x02, &[suite.curve.parameter_id()]));
    files.insert(0x011C, tlv::encode(0x31, &tlv::encode(0x30, &info)));
    ChipProfile {
        files,
        mrz: key(),
        can: None,
        bac: true,
        pace: vec![suite],
        chip_authentication: None,
        active_authentication: None,
    }
}

fn full_read(c: &mut Criterion) {
    let suite = PaceSuite::new(Curve::BrainpoolP256r1, CipherKind::Aes128);
    for (name, limits, strategy) in [
        (
            "read/adaptive-short",
            TransportLimits::default(),
            ReadStrategy::Adaptive,
        ),
        (
            "read/adaptive-extended",
            TransportLimits {
                max_transceive: 65_546,
                extended_length: true,
            },
            ReadStrategy::Adaptive,
        ),
        (
            "read/fixed-0xDF",
            TransportLimits::default(),
            ReadStrategy::Fixed(0xDF),
        ),
    ] {
        c.bench_function(name, |b| {
            b.iter(|| {
                let chip = VirtualChip::new(profile(suite), Faults::default());
                let mut t = VirtualTransport::new(chip, limits, LinkModel::new(424_000, 10_000));
                let mut cfg = ReaderConfig::new(key());
                cfg.limits = limits;
                cfg.strategy = strategy;
                let mut r = Reader::new(cfg);
                run_blocking(&mut r, &mut t).unwrap()
            })
        });
    }
}

fn pace(c: &mut Criterion) {
    for suite in [
        PaceSuite::new(Curve::BrainpoolP256r1, CipherKind::Aes128),
        PaceSuite::new(Curve::P384, CipherKind::Aes256),
        PaceSuite::with_mapping(
            Curve::BrainpoolP256r1,
            CipherKind::Aes128,
            Mapping::Integrated,
        ),
        PaceSuite::with_mapping(
            Curve::BrainpoolP256r1,
            CipherKind::Aes128,
            Mapping::ChipAuthentication,
        ),
    ] {
        c.bench_function(&format!("pace/{}", suite.name()), |b| {
            b.iter(|| {
                let k = key();
                let mut chip = PaceChip::new(vec![suite], &k, None)
                    .with_chip_key(suite.curve, Zeroizing::new(vec![5; 32]));
                let (mut reader, mut cmd) = PaceReader::start(&k, suite);
                loop {
                    let resp = match chip.handle(&cmd, &mut OsRng).unwrap() {
                        ChipStep::Respond(r) | ChipStep::Established(r, _) => r,
                    };
                    match reader.step(&resp, &mut OsRng).unwrap() {
                        PaceStep::Send(next) => cmd = next,
                        PaceStep::Done(sm) => break sm,
                    }
                }
            })
        });
    }
}

fn secure_messaging(c: &mut Criterion) {
    for cipher in [CipherKind::Tdes, CipherKind::Aes128] {
        let mk = || {
            SmSession::with_zero_ssc(
                cipher,
                Zeroizing::new(vec![1; cipher.key_len()]),
                Zeroizing::new(vec![2; cipher.key_len()]),
            )
            .unwrap()
        };
        let (mut reader, mut chip) = (mk(), mk());
        let read = CommandApdu::new(0, 0xB0, 0, 0).with_le(0xDF);
        let answer = ResponseApdu::new(vec![0x42; 0xDF], StatusWord::SUCCESS);
        c.bench_function(&format!("sm/{}-read-0xDF-roundtrip", cipher.name()), |b| {
            b.iter(|| {
                let wire = reader.wrap(&read).unwrap().encode().unwrap();
                let cmd = chip.unwrap_command(&wire).unwrap();
                let resp = chip.wrap_response(cmd.ins, &answer).unwrap();
                reader.unwrap(&resp).unwrap()
            })
        });
    }
}

criterion_group!(benches, full_read, pace, secure_messaging);
criterion_main!(benches);
