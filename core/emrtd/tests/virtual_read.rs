//! End to end: the reader state machine against the virtual chip, for BAC and
//! every PACE suite, with faults and resumption.
#![cfg(feature = "virtual-chip")]
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use aktiver_emrtd::apdu::TransportLimits;
use aktiver_emrtd::bac::AccessKey;
use aktiver_emrtd::crypto::CipherKind;
use aktiver_emrtd::issuer::{self, DocumentSpec, SPECIMEN_TD1, SPECIMEN_TD3, TestPki};
use aktiver_emrtd::pace::{Curve, Mapping, PaceSuite};
use aktiver_emrtd::reader::driver::{self, DriveError};
use aktiver_emrtd::reader::{
    AccessPolicy, AccessProtocol, AuthOutcome, ReadOutcome, Reader, ReaderConfig, ReaderError,
};
use aktiver_emrtd::tlv;
use aktiver_emrtd::virtual_chip::{ChipProfile, Faults, LinkModel, VirtualChip, VirtualTransport};

const LINK: LinkModel = LinkModel::new(424_000, 10_000);

fn issued(spec: &DocumentSpec) -> ChipProfile {
    let pki = TestPki::generate(Default::default()).unwrap();
    let doc = issuer::issue(&pki, spec).unwrap();
    ChipProfile::from_issued(doc, spec).unwrap()
}

/// A small fabricated document: COM, DG1, DG2 of `dg2_len` bytes, SOD.
fn fabricated(pace: Vec<PaceSuite>, dg2_len: usize) -> ChipProfile {
    let mut files = BTreeMap::new();
    files.insert(0x011E, tlv::encode(0x60, &[0x5C, 0x02, 0x61, 0x75]));
    files.insert(0x0101, tlv::encode(0x61, &tlv::encode(0x5F1F, &[b'<'; 88])));
    let body: Vec<u8> = (0..dg2_len).map(|i| (i % 251) as u8).collect();
    files.insert(0x0102, tlv::encode(0x75, &body));
    files.insert(0x011D, tlv::encode(0x77, &[0x30, 0x00]));
    if !pace.is_empty() {
        let mut set = Vec::new();
        for s in &pace {
            let mut info = tlv::encode(0x06, &s.oid());
            info.extend(tlv::encode(0x02, &[2]));
            info.extend(tlv::encode(0x02, &[s.curve.parameter_id()]));
            set.extend(tlv::encode(0x30, &info));
        }
        files.insert(0x011C, tlv::encode(0x31, &set));
    }
    ChipProfile {
        files,
        mrz: key(),
        can: Some(AccessKey::Can("123456".into())),
        bac: true,
        pace,
        chip_authentication: None,
        active_authentication: None,
    }
}

fn key() -> AccessKey {
    AccessKey::from_mrz("L898902C", "690806", "940623").unwrap()
}

fn read(
    profile: ChipProfile,
    faults: Faults,
    limits: TransportLimits,
    cfg: ReaderConfig,
) -> (Result<ReadOutcome, DriveError>, VirtualTransport) {
    let chip = VirtualChip::new(profile, faults);
    let mut t = VirtualTransport::new(chip, limits, LINK);
    let mut reader = Reader::new(ReaderConfig { limits, ..cfg });
    let mut last = None;
    let r = pollster::block_on(driver::run_with_resume(&mut reader, &mut t, |p| {
        last = Some(p)
    }));
    if let Ok(o) = &r {
        let p = last.unwrap();
        assert_eq!(p.bytes_read, p.bytes_expected);
        assert_eq!(p.bytes_read, o.files.values().map(Vec::len).sum::<usize>());
    }
    (r, t)
}

#[test]
fn bac_reads_fabricated_document() {
    let profile = fabricated(vec![], 2000);
    let expected = profile.files.clone();
    let (r, t) = read(
        profile,
        Faults::default(),
        TransportLimits::default(),
        ReaderConfig::new(key()),
    );
    let o = r.unwrap();
    assert_eq!(o.access, AccessProtocol::Bac);
    for fid in [0x011E, 0x0101, 0x0102, 0x011D] {
        assert_eq!(o.files[&fid], expected[&fid], "{fid:04X}");
    }
    assert_eq!(o.stats.apdus, t.apdus);
    assert_eq!(o.stats.final_read_size, 0xE7);
}

#[test]
fn every_pace_suite_with_mrz_and_can() {
    // Generic and integrated mapping; CAM needs a chip key (see pace_cam_*).
    for suite in PaceSuite::all()
        .into_iter()
        .filter(|s| s.mapping != Mapping::ChipAuthentication)
    {
        for k in [key(), AccessKey::Can("123456".into())] {
            let profile = fabricated(vec![suite], 600);
            let (r, _) = read(
                profile,
                Faults::default(),
                TransportLimits::default(),
                ReaderConfig::new(k),
            );
            let o = r.unwrap();
            assert_eq!(o.access, AccessProtocol::Pace(suite), "{}", suite.name());
            assert_eq!(o.files[&0x0102].len(), 600 + 4);
            let expected = if suite.cipher == CipherKind::Tdes {
                0xE7
            } else {
                0xDF
            };
            assert_eq!(o.stats.final_read_size, expected);
        }
    }
}

#[test]
fn wrong_key_is_access_denied() {
    let wrong = AccessKey::from_mrz("X12345678", "690806", "940623").unwrap();
    let (r, _) = read(
        fabricated(vec![], 100),
        Faults::default(),
        TransportLimits::default(),
        ReaderConfig::new(wrong.clone()),
    );
    assert!(
        matches!(r, Err(DriveError::Reader(ReaderError::AccessDenied))),
        "{r:?}"
    );
    // With PACE offered, PACE's wrong token ends the read (no BAC attempt).
    let suite = PaceSuite::new(Curve::P256, CipherKind::Aes128);
    let (r, _) = read(
        fabricated(vec![suite], 100),
        Faults::default(),
        TransportLimits::default(),
        ReaderConfig::new(wrong.clone()),
    );
    assert!(
        matches!(r, Err(DriveError::Reader(ReaderError::AccessDenied))),
        "{r:?}"
    );
    let mut cfg = ReaderConfig::new(wrong);
    cfg.access = AccessPolicy::PaceOnly;
    let (r, _) = read(
        fabricated(vec![suite], 100),
        Faults::default(),
        TransportLimits::default(),
        cfg,
    );
    assert!(
        matches!(r, Err(DriveError::Reader(ReaderError::AccessDenied))),
        "{r:?}"
    );
}

/// No silent downgrade: a chip that offers PACE and then fails it is not read
/// with BAC unless the policy says so, and neither is a chip that offers
/// PACE only with parameters the reader does not implement.
#[test]
fn no_bac_after_pace_unless_the_policy_allows_it() {
    let suite = PaceSuite::new(Curve::P256, CipherKind::Aes128);
    // EF.CardAccess offers PACE, but the chip refuses it (as an attacker in the middle could).
    let refusing = || {
        let mut p = fabricated(vec![suite], 100);
        p.pace = vec![];
        p
    };
    let (r, t) = read(
        refusing(),
        Faults::default(),
        TransportLimits::default(),
        ReaderConfig::new(key()),
    );
    assert!(
        matches!(r, Err(DriveError::Reader(ReaderError::Pace(_)))),
        "{r:?}"
    );
    assert!(
        t.apdus <= 3,
        "{} APDUs: no BAC after the failed PACE",
        t.apdus
    );
    let mut cfg = ReaderConfig::new(key());
    cfg.access = AccessPolicy::AutoWithBacFallback;
    let (r, _) = read(
        refusing(),
        Faults::default(),
        TransportLimits::default(),
        cfg,
    );
    assert_eq!(r.unwrap().access, AccessProtocol::Bac);

    // EF.CardAccess offers only PACE-DH-GM (not implemented): no BAC in its place under Auto.
    let dh_only = || {
        let mut p = fabricated(vec![], 100);
        let mut info = tlv::encode(
            0x06,
            &[0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x04, 0x01, 0x02],
        );
        info.extend(tlv::encode(0x02, &[2]));
        info.extend(tlv::encode(0x02, &[0]));
        p.files
            .insert(0x011C, tlv::encode(0x31, &tlv::encode(0x30, &info)));
        p
    };
    let (r, _) = read(
        dh_only(),
        Faults::default(),
        TransportLimits::default(),
        ReaderConfig::new(key()),
    );
    assert!(
        matches!(r, Err(DriveError::Reader(ReaderError::PaceNotSupported))),
        "{r:?}"
    );
    let mut cfg = ReaderConfig::new(key());
    cfg.access = AccessPolicy::AutoWithBacFallback;
    let (r, _) = read(
        dh_only(),
        Faults::default(),
        TransportLimits::default(),
        cfg,
    );
    assert_eq!(r.unwrap().access, AccessProtocol::Bac);
    // A chip without EF.CardAccess offers no PACE: BAC under Auto.
    let (r, _) = read(
        fabricated(vec![], 100),
        Faults::default(),
        TransportLimits::default(),
        ReaderConfig::new(key()),
    );
    assert_eq!(r.unwrap().access, AccessProtocol::Bac);
}

/// EF.CardAccess offers two suites but the chip takes only the second: the
/// reader tries the next offered suite (still PACE) instead of giving up.
#[test]
fn a_refused_suite_gives_way_to_the_next_offered() {
    let first = PaceSuite::new(Curve::P384, CipherKind::Aes256);
    let second = PaceSuite::new(Curve::P256, CipherKind::Aes128);
    let mut profile = fabricated(vec![first, second], 100);
    profile.pace = vec![second];
    profile.bac = false;
    let (r, _) = read(
        profile,
        Faults::default(),
        TransportLimits::default(),
        ReaderConfig::new(key()),
    );
    assert_eq!(r.unwrap().access, AccessProtocol::Pace(second));
}

#[test]
fn pace_only_and_bac_only_chips() {
    let suite = PaceSuite::new(Curve::BrainpoolP256r1, CipherKind::Aes128);
    let mut pace_only = fabricated(vec![suite], 100);
    pace_only.bac = false;
    let (r, _) = read(
        pace_only,
        Faults::default(),
        TransportLimits::default(),
        ReaderConfig::new(key()),
    );
    assert_eq!(r.unwrap().access, AccessProtocol::Pace(suite));

    let mut cfg = ReaderConfig::new(key());
    cfg.access = AccessPolicy::PaceOnly;
    let (r, _) = read(
        fabricated(vec![], 100),
        Faults::default(),
        TransportLimits::default(),
        cfg,
    );
    assert!(
        matches!(r, Err(DriveError::Reader(ReaderError::PaceUnavailable))),
        "{r:?}"
    );
}

#[test]
fn chunk_fallback_on_wrong_length() {
    let faults = Faults {
        max_read: Some(0xA0),
        ..Faults::default()
    };
    let profile = fabricated(vec![PaceSuite::new(Curve::P256, CipherKind::Aes128)], 5000);
    let expected = profile.files[&0x0102].clone();
    let (r, _) = read(
        profile,
        faults,
        TransportLimits::default(),
        ReaderConfig::new(key()),
    );
    let o = r.unwrap();
    assert_eq!(o.files[&0x0102], expected);
    assert_eq!(o.stats.final_read_size, 0xA0);
    assert!(o.stats.chunk_fallbacks >= 1);
}

/// Drives a read step by step with a bound on the number of APDUs, so a
/// reader that loops fails the test instead of hanging it.
fn read_bounded(
    profile: ChipProfile,
    faults: Faults,
    cfg: ReaderConfig,
    bound: u32,
) -> Result<ReadOutcome, String> {
    use aktiver_emrtd::reader::Step;
    let mut chip = VirtualChip::new(profile, faults);
    let mut reader = Reader::new(cfg);
    let mut step = reader.start().map_err(|e| e.to_string())?;
    for _ in 0..bound {
        match step {
            Step::Done(o) => return Ok(*o),
            Step::Transmit(apdu) => {
                let answer = chip.process(&apdu);
                step = reader.on_response(&answer).map_err(|e| e.to_string())?;
            }
        }
    }
    Err(format!("no outcome after {bound} APDUs"))
}

/// A chip with a small read limit (below the 0xA0 first step of the ladder)
/// is read to the end, EF.CardAccess included: the plain read remembers its
/// step-downs (it used to start from 256 on every answer and never finish).
#[test]
fn small_read_limits_finish_card_access_and_files() {
    let suite = PaceSuite::new(Curve::P256, CipherKind::Aes128);
    for max in [0x9F, 0x40, 0x21, 0x08] {
        let profile = fabricated(vec![suite], 600);
        let expected = profile.files.clone();
        let faults = Faults {
            max_read: Some(max),
            ..Faults::default()
        };
        let o = read_bounded(profile, faults, ReaderConfig::new(key()), 2_000)
            .unwrap_or_else(|e| panic!("max_read {max}: {e}"));
        assert!(
            matches!(o.access, AccessProtocol::Pace(_)),
            "max_read {max}"
        );
        assert_eq!(o.card_access.as_ref(), expected.get(&0x011C));
        assert_eq!(o.files[&0x0102], expected[&0x0102]);
        assert!(o.stats.final_read_size <= max);
    }
}

/// A read limit learnt once (on the plain EF.CardAccess) is kept for the
/// PACE session and after chip authentication re-keys: the ladder is walked
/// once per read, not once per session.
#[test]
fn a_learnt_read_limit_outlives_the_session() {
    let faults = Faults {
        max_read: Some(0x40),
        ..Faults::default()
    };
    let (r, _) = read(
        issued(&DocumentSpec::passport(SPECIMEN_TD3)),
        faults,
        TransportLimits::default(),
        ReaderConfig::new(AccessKey::from_mrz_text(SPECIMEN_TD3).unwrap()),
    );
    let o = r.unwrap();
    assert_eq!(o.chip_authentication, AuthOutcome::Passed);
    assert_eq!(o.stats.final_read_size, 0x40);
    // 256 -> 0xA0 -> 0x80 -> 0x40 on EF.CardAccess, nothing after.
    assert_eq!(o.stats.chunk_fallbacks, 3);
}

#[test]
fn extended_length_and_its_absence() {
    let ext = TransportLimits {
        max_transceive: 65_546,
        extended_length: true,
    };
    let suite = PaceSuite::new(Curve::P256, CipherKind::Aes128);
    let profile = fabricated(vec![suite], 40_000);
    let expected = profile.files[&0x0102].clone();
    let (r, t) = read(profile, Faults::default(), ext, ReaderConfig::new(key()));
    let o = r.unwrap();
    assert_eq!(o.files[&0x0102], expected);
    assert!(o.stats.extended_length_used);
    assert!(t.apdus <= 15, "{} APDUs", t.apdus);

    // The chip refuses extended APDUs: the reader steps down to short reads and carries on.
    let faults = Faults {
        no_extended_length: true,
        ..Faults::default()
    };
    let (r, _) = read(
        fabricated(vec![suite], 40_000),
        faults,
        ext,
        ReaderConfig::new(key()),
    );
    let o = r.map_err(|e| format!("{e:?}")).unwrap();
    assert_eq!(o.files[&0x0102], expected);
    assert!(!o.stats.extended_length_used);
    assert_eq!(o.stats.final_read_size, 0xDF);
}

#[test]
fn resumes_after_lost_tag_without_rereading() {
    let suite = PaceSuite::new(Curve::BrainpoolP256r1, CipherKind::Aes128);
    let profile = fabricated(vec![suite], 18_000);
    let expected = profile.files.clone();
    let (clean, _) = read(
        fabricated(vec![suite], 18_000),
        Faults::default(),
        TransportLimits::default(),
        ReaderConfig::new(key()),
    );
    let clean = clean.unwrap();
    let faults = Faults {
        tag_lost_at: vec![3, 40, 60],
        ..Faults::default()
    };
    let (r, t) = read(
        profile,
        faults,
        TransportLimits::default(),
        ReaderConfig::new(key()),
    );
    let o = r.unwrap();
    assert_eq!(o.files, clean.files);
    assert_eq!(o.files[&0x0102], expected[&0x0102]);
    assert_eq!(o.stats.resumptions, 3);
    // Each resumption costs access control again (about 10 APDUs), not the file read so far.
    assert!(
        t.apdus < clean.stats.apdus + 3 * 12,
        "{} vs {}",
        t.apdus,
        clean.stats.apdus
    );
}

#[test]
fn issued_passport_with_chip_and_active_authentication() {
    let spec = DocumentSpec::passport(SPECIMEN_TD3);
    let profile = issued(&spec);
    let (r, t) = read(
        profile,
        Faults::default(),
        TransportLimits::default(),
        ReaderConfig::new(AccessKey::from_mrz_text(SPECIMEN_TD3).unwrap()),
    );
    let o = r.unwrap();
    assert!(matches!(o.access, AccessProtocol::Pace(_)));
    assert_eq!(o.chip_authentication, AuthOutcome::Passed);
    assert_eq!(o.active_authentication, AuthOutcome::Passed);
    for fid in [0x011E, 0x0101, 0x0102, 0x010E, 0x010F, 0x011D] {
        assert!(o.files.contains_key(&fid), "{fid:04X}");
    }
    assert!(t.elapsed_us < 3_000_000, "{} us", t.elapsed_us);

    // The same document after a lost tag in the middle of DG2 (after chip authentication).
    let faults = Faults {
        tag_lost_at: vec![30],
        ..Faults::default()
    };
    let (r2, _) = read(
        issued(&spec),
        faults,
        TransportLimits::default(),
        ReaderConfig::new(AccessKey::from_mrz_text(SPECIMEN_TD3).unwrap()),
    );
    let o2 = r2.unwrap();
    assert_eq!(o2.files, o.files);
    assert_eq!(o2.chip_authentication, AuthOutcome::Passed);
}

/// PACE with chip-authentication mapping against an issued document whose
/// DG14 key the chip holds: chip authentication passes without the separate
/// protocol; a clone (other keys) fails.
#[test]
fn pace_cam_proves_the_chip_and_a_clone_fails() {
    use aktiver_emrtd::lds::{
        KeyAgreement, PaceCipher, PaceMapping, PaceProtocol, StandardizedDomainParameters,
    };
    let mut spec = DocumentSpec::id_card(SPECIMEN_TD1);
    spec.pace = vec![(
        PaceProtocol {
            agreement: KeyAgreement::Ecdh,
            mapping: PaceMapping::ChipAuthentication,
            cipher: PaceCipher::AesCbcCmac128,
        },
        StandardizedDomainParameters::BrainpoolP256r1,
    )];
    spec.active_authentication = None;
    let key = || AccessKey::from_mrz_text(SPECIMEN_TD1).unwrap();
    let (r, t) = read(
        issued(&spec),
        Faults::default(),
        TransportLimits::default(),
        ReaderConfig::new(key()),
    );
    let o = r.unwrap();
    let cam = PaceSuite::with_mapping(
        Curve::BrainpoolP256r1,
        CipherKind::Aes128,
        Mapping::ChipAuthentication,
    );
    assert_eq!(o.access, AccessProtocol::Pace(cam));
    assert_eq!(o.chip_authentication, AuthOutcome::Passed);
    assert_eq!(o.chip_authentication_protocol(), Some("pace_cam"));
    assert!(o.files.contains_key(&0x010E));
    // No MSE:Set AT for chip authentication after PACE-CAM: fewer APDUs than GM + CA.
    let mut gm = spec.clone();
    gm.pace[0].0.mapping = PaceMapping::Generic;
    let (r2, t2) = read(
        issued(&gm),
        Faults::default(),
        TransportLimits::default(),
        ReaderConfig::new(key()),
    );
    let o2 = r2.unwrap();
    assert_eq!(o2.chip_authentication, AuthOutcome::Passed);
    assert_eq!(o2.chip_authentication_protocol(), Some("ca"));
    assert_eq!(t.apdus + 2, t2.apdus);
    let faults = Faults {
        cloned: true,
        ..Faults::default()
    };
    let (r, _) = read(
        issued(&spec),
        faults,
        TransportLimits::default(),
        ReaderConfig::new(key()),
    );
    assert!(
        matches!(
            r,
            Err(DriveError::Reader(ReaderError::ChipAuthenticationFailed(_)))
        ),
        "{r:?}"
    );
}

/// The reader reads a chip that offers only PACE integrated mapping.
#[test]
fn pace_integrated_mapping_end_to_end() {
    use aktiver_emrtd::lds::{
        KeyAgreement, PaceCipher, PaceMapping, PaceProtocol, StandardizedDomainParameters,
    };
    let mut spec = DocumentSpec::passport(SPECIMEN_TD3);
    spec.pace = vec![(
        PaceProtocol {
            agreement: KeyAgreement::Ecdh,
            mapping: PaceMapping::Integrated,
            cipher: PaceCipher::AesCbcCmac256,
        },
        StandardizedDomainParameters::NistP384,
    )];
    let (r, _) = read(
        issued(&spec),
        Faults::default(),
        TransportLimits::default(),
        ReaderConfig::new(AccessKey::from_mrz_text(SPECIMEN_TD3).unwrap()),
    );
    let o = r.unwrap();
    assert_eq!(
        o.access,
        AccessProtocol::Pace(PaceSuite::with_mapping(
            Curve::P384,
            CipherKind::Aes256,
            Mapping::Integrated
        ))
    );
    assert_eq!(o.chip_authentication, AuthOutcome::Passed);
}

#[test]
fn cloned_chip_fails_chip_authentication() {
    let spec = DocumentSpec::id_card(SPECIMEN_TD1);
    let faults = Faults {
        cloned: true,
        ..Faults::default()
    };
    let (r, _) = read(
        issued(&spec),
        faults,
        TransportLimits::default(),
        ReaderConfig::new(AccessKey::from_mrz_text(SPECIMEN_TD1).unwrap()),
    );
    assert!(
        matches!(
            r,
            Err(DriveError::Reader(ReaderError::ChipAuthenticationFailed(_)))
        ),
        "{r:?}"
    );
    // Without chip authentication, the clone is caught by active authentication.
    let mut cfg = ReaderConfig::new(AccessKey::from_mrz_text(SPECIMEN_TD1).unwrap());
    cfg.chip_authentication = false;
    let faults = Faults {
        cloned: true,
        ..Faults::default()
    };
    let (r, _) = read(issued(&spec), faults, TransportLimits::default(), cfg);
    assert!(
        matches!(
            r,
            Err(DriveError::Reader(ReaderError::ActiveAuthenticationFailed(
                _
            )))
        ),
        "{r:?}"
    );
}

#[test]
fn rsa_active_authentication_iso9796_2() {
    let mut spec = DocumentSpec::id_card(SPECIMEN_TD1);
    spec.active_authentication = Some(issuer::KeyAlgorithm::RsaPkcs1 { bits: 1024 });
    spec.chip_authentication = None;
    let key = || AccessKey::from_mrz_text(SPECIMEN_TD1).unwrap();
    let (r, _) = read(
        issued(&spec),
        Faults::default(),
        TransportLimits::default(),
        ReaderConfig::new(key()),
    );
    let o = r.unwrap();
    assert_eq!(o.active_authentication, AuthOutcome::Passed);
    assert_eq!(o.chip_authentication, AuthOutcome::NotPerformed);
    let faults = Faults {
        cloned: true,
        ..Faults::default()
    };
    let (r, _) = read(
        issued(&spec),
        faults,
        TransportLimits::default(),
        ReaderConfig::new(key()),
    );
    assert!(
        matches!(
            r,
            Err(DriveError::Reader(ReaderError::ActiveAuthenticationFailed(
                _
            )))
        ),
        "{r:?}"
    );
}

/// The chip signs the verifier's challenge when the caller gives one, and the
/// evidence carries it (the server checks the signature over its own bytes).
#[test]
fn active_authentication_signs_the_callers_challenge() {
    use aktiver_emrtd::reader::aa;
    let server_challenge = [0x5E, 0x12, 0xC4, 0x00, 0xFF, 0x77, 0x01, 0x9A];
    for alg in [
        issuer::KeyAlgorithm::RsaPkcs1 { bits: 1024 },
        issuer::KeyAlgorithm::Ecdsa(aktiver_emrtd::lds::EcCurve::P256),
    ] {
        let mut spec = DocumentSpec::id_card(SPECIMEN_TD1);
        spec.active_authentication = Some(alg);
        let profile = issued(&spec);
        let dg15 = profile.files[&0x010F].clone();
        let dg14 = profile.files.get(&0x010E).cloned();
        let mut cfg = ReaderConfig::new(AccessKey::from_mrz_text(SPECIMEN_TD1).unwrap());
        cfg.aa_challenge = Some(server_challenge);
        let (r, _) = read(profile, Faults::default(), TransportLimits::default(), cfg);
        let o = r.unwrap();
        assert_eq!(o.active_authentication, AuthOutcome::Passed);
        let ev = o.active_auth_evidence.expect("evidence");
        assert_eq!(ev.challenge, server_challenge);
        aa::verify(&dg15, dg14.as_deref(), &ev).unwrap();
        // Without a caller's challenge the reader draws its own.
        let (r, _) = read(
            issued(&spec),
            Faults::default(),
            TransportLimits::default(),
            ReaderConfig::new(AccessKey::from_mrz_text(SPECIMEN_TD1).unwrap()),
        );
        assert_ne!(
            r.unwrap().active_auth_evidence.unwrap().challenge,
            server_challenge
        );
    }
}

#[test]
fn driver_reports_lost_tag_and_resumes_on_request() {
    use aktiver_emrtd::apdu::TransportError;
    use aktiver_emrtd::reader::driver::Reconnect;
    let suite = PaceSuite::new(Curve::P256, CipherKind::Aes128);
    let profile = fabricated(vec![suite], 5_000);
    let expected = profile.files[&0x0102].clone();
    let faults = Faults {
        tag_lost_at: vec![15],
        ..Faults::default()
    };
    let mut t = VirtualTransport::new(
        VirtualChip::new(profile, faults),
        TransportLimits::default(),
        LINK,
    );
    let mut reader = Reader::new(ReaderConfig::new(key()));
    let mut seen = Vec::new();
    let r = pollster::block_on(driver::run(&mut reader, &mut t, |p| seen.push(p)));
    assert_eq!(
        r.unwrap_err(),
        DriveError::Transport(TransportError::TagLost)
    );
    let before = reader.progress();
    assert!(
        before.bytes_read > 0 && before.bytes_read < before.bytes_expected,
        "{before:?}"
    );
    pollster::block_on(t.reconnect()).unwrap();
    let o = pollster::block_on(driver::resume(&mut reader, &mut t, |p| seen.push(p))).unwrap();
    assert_eq!(o.files[&0x0102], expected);
    assert_eq!(o.stats.resumptions, 1);
    // Progress never goes backwards across the interruption.
    assert!(seen.windows(2).all(|w| w[1].bytes_read >= w[0].bytes_read));
}

/// Every standardized curve beyond the four with RustCrypto arithmetic
/// (brainpoolP192/224/320/512r1, P-192/224, P-521: a Dutch specimen's chip
/// key is on brainpoolP224r1): PACE and chip authentication on the generic
/// curve arithmetic, end to end; a cloned chip still fails.
#[test]
fn pace_and_chip_authentication_on_every_other_curve() {
    use aktiver_emrtd::lds::{
        EcCurve, KeyAgreement, PaceCipher, PaceMapping, PaceProtocol, StandardizedDomainParameters,
    };
    let cases = [
        (EcCurve::P192, PaceMapping::Generic),
        (EcCurve::BrainpoolP192r1, PaceMapping::Integrated),
        (EcCurve::P224, PaceMapping::Generic),
        (EcCurve::BrainpoolP224r1, PaceMapping::ChipAuthentication),
        (EcCurve::BrainpoolP320r1, PaceMapping::Generic),
        (EcCurve::BrainpoolP512r1, PaceMapping::Integrated),
        (EcCurve::P521, PaceMapping::ChipAuthentication),
    ];
    for (c, mapping) in cases {
        let mut spec = DocumentSpec::id_card(SPECIMEN_TD1);
        spec.pace = vec![(
            PaceProtocol {
                agreement: KeyAgreement::Ecdh,
                mapping,
                cipher: PaceCipher::AesCbcCmac128,
            },
            StandardizedDomainParameters::from_curve(c),
        )];
        spec.chip_authentication = Some(c);
        spec.active_authentication = None;
        let key = || AccessKey::from_mrz_text(SPECIMEN_TD1).unwrap();
        let (r, _) = read(
            issued(&spec),
            Faults::default(),
            TransportLimits::default(),
            ReaderConfig::new(key()),
        );
        let o = r.unwrap_or_else(|e| panic!("{c:?} {mapping:?}: {e:?}"));
        let m = match mapping {
            PaceMapping::Generic => Mapping::Generic,
            PaceMapping::Integrated => Mapping::Integrated,
            PaceMapping::ChipAuthentication => Mapping::ChipAuthentication,
        };
        let suite = PaceSuite::with_mapping(Curve::from_ec_curve(c), CipherKind::Aes128, m);
        assert_eq!(o.access, AccessProtocol::Pace(suite), "{c:?}");
        assert_eq!(o.chip_authentication, AuthOutcome::Passed, "{c:?}");
        let faults = Faults {
            cloned: true,
            ..Faults::default()
        };
        let (r, _) = read(
            issued(&spec),
            faults,
            TransportLimits::default(),
            ReaderConfig::new(key()),
        );
        assert!(
            matches!(
                r,
                Err(DriveError::Reader(ReaderError::ChipAuthenticationFailed(_)))
            ),
            "{c:?} clone: {r:?}"
        );
    }
}
