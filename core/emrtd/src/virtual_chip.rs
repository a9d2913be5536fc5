//! A virtual eMRTD chip: an ICAO 9303 applet in Rust that answers APDUs.
//!
//! It implements the chip side of BAC, PACE (ECDH generic mapping, every
//! suite of [`crate::pace`]), secure messaging, SELECT and READ BINARY
//! (B0/B1, short and extended), chip authentication and active
//! authentication, over a file map supplied by the caller (the
//! [`crate::issuer`] produces one). Faults can be switched on to exercise the
//! reader: a lost tag, read-size limits, no extended length, a cloned chip.
//! [`VirtualTransport`] puts it behind the [`Transport`] trait with a latency
//! model of the NFC link, so reads report a simulated time.

use std::collections::BTreeMap;

use crate::apdu::{
    CommandApdu, ResponseApdu, StatusWord as Sw, Transport, TransportError, TransportLimits,
};
use crate::bac::{self, AccessKey, BacKeys};
use crate::crypto::{self, CipherKind, OsRng, Rng};
use crate::pace::{ChipStep, Curve, Mapping, PaceChip, PaceSuite};
use crate::reader::driver::Reconnect;
use crate::reader::{EMRTD_AID, FID_CARD_ACCESS};
use crate::sm::SmSession;
use crate::tlv;
use zeroize::Zeroizing;

/// Signs an active-authentication challenge (the chip's DG15 private key).
pub type AaSigner = Box<dyn Fn(&[u8]) -> Option<Vec<u8>> + Send + Sync>;

/// The chip-authentication private key (static ECDH, matching DG14).
pub struct CaPrivateKey {
    pub curve: Curve,
    pub secret: Zeroizing<Vec<u8>>,
}

impl core::fmt::Debug for CaPrivateKey {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "CaPrivateKey({:?})", self.curve)
    }
}

/// What the chip holds.
pub struct ChipProfile {
    /// Files by FID; EF.CardAccess (011C) lives in the master file, the rest in the applet.
    pub files: BTreeMap<u16, Vec<u8>>,
    pub mrz: AccessKey,
    pub can: Option<AccessKey>,
    /// Whether BAC is available.
    pub bac: bool,
    /// PACE suites accepted (should match EF.CardAccess).
    pub pace: Vec<PaceSuite>,
    pub chip_authentication: Option<CaPrivateKey>,
    pub active_authentication: Option<AaSigner>,
}

impl core::fmt::Debug for ChipProfile {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ChipProfile")
            .field(
                "files",
                &self
                    .files
                    .keys()
                    .map(|k| format!("{k:04X}"))
                    .collect::<Vec<_>>(),
            )
            .field("bac", &self.bac)
            .field("pace", &self.pace)
            .field("chip_authentication", &self.chip_authentication)
            .field(
                "active_authentication",
                &self.active_authentication.is_some(),
            )
            .finish_non_exhaustive()
    }
}

/// Faults to switch on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// The tag leaves the field at these APDU numbers (1-based, counted over the whole read).
    pub tag_lost_at: Vec<u32>,
    /// READ BINARY asking for more than this answers 6700 (forces chunk fallback).
    pub max_read: Option<usize>,
    /// The chip rejects extended-length APDUs with 6700.
    pub no_extended_length: bool,
    /// The chip does not hold the private keys matching DG14/DG15 (a clone).
    pub cloned: bool,
}

/// A model of the NFC link: bit rate plus a fixed turnaround per APDU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinkModel {
    pub bit_rate: u32,
    /// Reader-chip turnaround and chip processing per APDU, in microseconds.
    pub turnaround_us: u64,
}

impl LinkModel {
    pub const fn new(bit_rate: u32, turnaround_us: u64) -> Self {
        Self {
            bit_rate,
            turnaround_us,
        }
    }

    /// Simulated microseconds for one exchange. ISO 14443 sends 9 bits per
    /// byte (8 data + parity) and each I-block adds a PCB and a 2-byte CRC.
    pub fn exchange_us(&self, command: usize, response: usize) -> u64 {
        let bytes = (command + 3 + response + 3) as u64;
        let bits = bytes * 9;
        self.turnaround_us + bits * 1_000_000 / u64::from(self.bit_rate.max(1))
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Df {
    Mf,
    Applet,
}

enum Pending {
    None,
    /// MSE:Set AT for chip authentication received; GA with the key follows.
    CaSetAt(CipherKind),
}

/// The virtual chip.
pub struct VirtualChip {
    profile: ChipProfile,
    faults: Faults,
    rng: Box<dyn Rng + Send>,
    df: Df,
    ef: Option<u16>,
    sm: Option<SmSession>,
    bac_challenge: Option<[u8; 8]>,
    pace: PaceChip,
    pending: Pending,
}

impl core::fmt::Debug for VirtualChip {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("VirtualChip")
            .field("profile", &self.profile)
            .field("faults", &self.faults)
            .finish_non_exhaustive()
    }
}

fn sw(s: Sw) -> ResponseApdu {
    ResponseApdu::new(Vec::new(), s)
}

/// The file identifier a short EF identifier stands for.
fn fid_from_sfi(sfi: u8) -> u16 {
    crate::lds::fid::of_sfi(sfi).unwrap_or(0x0100 | u16::from(sfi))
}

fn do53_header(n: usize) -> usize {
    if n < 0x80 {
        2
    } else if n < 0x100 {
        3
    } else if n < 0x1_0000 {
        4
    } else {
        5
    }
}

impl VirtualChip {
    pub fn new(profile: ChipProfile, faults: Faults) -> Self {
        Self::with_rng(profile, faults, Box::new(OsRng))
    }

    pub fn with_rng(profile: ChipProfile, faults: Faults, mut rng: Box<dyn Rng + Send>) -> Self {
        let mut pace = PaceChip::new(profile.pace.clone(), &profile.mrz, profile.can.as_ref());
        if let Some(k) = &profile.chip_authentication {
            // PACE-CAM proves the same key chip authentication would; a clone has another.
            let secret = match faults.cloned {
                true => k.curve.random_scalar(rng.as_mut()).ok(),
                false => Some(k.secret.clone()),
            };
            if let Some(secret) = secret {
                pace = pace.with_chip_key(k.curve, secret);
            }
        }
        Self {
            profile,
            faults,
            rng,
            df: Df::Mf,
            ef: None,
            sm: None,
            bac_challenge: None,
            pace,
            pending: Pending::None,
        }
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// The chip leaves and re-enters the field: every session state is lost.
    pub fn power_cycle(&mut self) {
        self.df = Df::Mf;
        self.ef = None;
        self.sm = None;
        self.bac_challenge = None;
        self.pace.reset();
        self.pending = Pending::None;
    }

    /// Answers one command APDU. Never panics, whatever the bytes.
    pub fn process(&mut self, raw: &[u8]) -> Vec<u8> {
        let extended = raw.len() >= 7 && raw.get(4) == Some(&0);
        if extended && self.faults.no_extended_length {
            self.sm = None;
            return sw(Sw::WRONG_LENGTH).encode();
        }
        let protected = raw.first().is_some_and(|cla| cla & 0x0C == 0x0C);
        let Some(mut session) = self.sm.take() else {
            let Ok(cmd) = CommandApdu::parse(raw) else {
                return sw(Sw::WRONG_LENGTH).encode();
            };
            if protected {
                return sw(Sw::SM_OBJECTS_MISSING).encode();
            }
            return self.handle(&cmd, None).encode();
        };
        if !protected {
            // ISO 7816-4: a plain command ends the secure-messaging session.
            return sw(Sw::SECURITY_STATUS_NOT_SATISFIED).encode();
        }
        let cmd = match session.unwrap_command(raw) {
            Ok(c) => c,
            Err(_) => return sw(Sw::SM_OBJECTS_INCORRECT).encode(),
        };
        let resp = self.handle(&cmd, Some(&mut session));
        let out = match session.wrap_response(cmd.ins, &resp) {
            Ok(o) => o,
            Err(_) => return sw(Sw::NO_PRECISE_DIAGNOSIS).encode(),
        };
        // handle() may have installed a new session (chip authentication);
        // otherwise the current one continues.
        if self.sm.is_none() {
            self.sm = Some(session);
        }
        out
    }

    fn handle(&mut self, cmd: &CommandApdu, sm: Option<&mut SmSession>) -> ResponseApdu {
        let secured = sm.is_some();
        match (cmd.ins, cmd.p1, cmd.p2) {
            (0xA4, _, _) => self.select(cmd, secured),
            (0xB0 | 0xB1, _, _) => self.read_binary(cmd, secured),
            (0x84, _, _) if !secured => self.get_challenge(),
            (0x82, _, _) if !secured => self.mutual_authenticate(cmd),
            (0x22, 0xC1, 0xA4) if !secured => self.pace_command(cmd),
            (0x86, _, _) if !secured => self.pace_command(cmd),
            (0x22, 0x41, 0xA4) if secured => self.ca_set_at(cmd),
            (0x22, 0x41, 0xA6) if secured => self.ca_kat(cmd),
            (0x86, _, _) if secured => self.ca_general_authenticate(cmd),
            (0x88, _, _) if secured => self.internal_authenticate(cmd),
            (0x84 | 0x82 | 0x22 | 0x86 | 0x88, _, _) => sw(Sw::CONDITIONS_NOT_SATISFIED),
            _ => sw(Sw::INS_NOT_SUPPORTED),
        }
    }

    fn select(&mut self, cmd: &CommandApdu, secured: bool) -> ResponseApdu {
        match cmd.p1 {
            0x04 => {
                if cmd.data == EMRTD_AID {
                    self.df = Df::Applet;
                    self.ef = None;
                    sw(Sw::SUCCESS)
                } else {
                    sw(Sw::FILE_NOT_FOUND)
                }
            }
            0x00 if cmd.data.is_empty() || cmd.data == [0x3F, 0x00] => {
                self.df = Df::Mf;
                self.ef = None;
                sw(Sw::SUCCESS)
            }
            0x00 | 0x02 => {
                let fid = match cmd.data.as_slice() {
                    [a, b] => u16::from_be_bytes([*a, *b]),
                    _ => return sw(Sw::WRONG_P1P2_PARAMS),
                };
                if !self.profile.files.contains_key(&fid) {
                    return sw(Sw::FILE_NOT_FOUND);
                }
                if fid != FID_CARD_ACCESS {
                    if self.df != Df::Applet {
                        return sw(Sw::FILE_NOT_FOUND);
                    }
                    if !secured {
                        return sw(Sw::SECURITY_STATUS_NOT_SATISFIED);
                    }
                }
                self.ef = Some(fid);
                sw(Sw::SUCCESS)
            }
            _ => sw(Sw::WRONG_P1P2_PARAMS),
        }
    }

    fn read_binary(&mut self, cmd: &CommandApdu, secured: bool) -> ResponseApdu {
        let (fid, offset) = if cmd.ins == 0xB1 {
            let Ok(t) = tlv::parse_single(&cmd.data) else {
                return sw(Sw::WRONG_DATA);
            };
            if t.tag != 0x54 || t.value.is_empty() || t.value.len() > 3 {
                return sw(Sw::WRONG_DATA);
            }
            let off = t
                .value
                .iter()
                .fold(0usize, |a, b| (a << 8) | usize::from(*b));
            (self.ef, off)
        } else if cmd.p1 & 0x80 != 0 {
            let fid = fid_from_sfi(cmd.p1 & 0x1F);
            self.ef = Some(fid);
            (Some(fid), usize::from(cmd.p2))
        } else {
            (self.ef, (usize::from(cmd.p1) << 8) | usize::from(cmd.p2))
        };
        let Some(fid) = fid else {
            return sw(Sw::CONDITIONS_NOT_SATISFIED);
        };
        if fid != FID_CARD_ACCESS && !secured {
            return sw(Sw::SECURITY_STATUS_NOT_SATISFIED);
        }
        let Some(file) = self.profile.files.get(&fid) else {
            return sw(Sw::FILE_NOT_FOUND);
        };
        let Some(le) = cmd.le else {
            return sw(Sw::WRONG_LENGTH);
        };
        if self.faults.max_read.is_some_and(|m| le > m) {
            return sw(Sw::WRONG_LENGTH);
        }
        if offset >= file.len() {
            return sw(Sw::WRONG_P1P2);
        }
        let room = if cmd.ins == 0xB1 {
            let mut n = le.saturating_sub(do53_header(le));
            while n + 1 + do53_header(n + 1) <= le {
                n += 1;
            }
            n
        } else {
            le
        };
        let end = offset.saturating_add(room).min(file.len());
        let chunk = file.get(offset..end).unwrap_or(&[]);
        let status = if chunk.len() < room {
            Sw::END_OF_FILE
        } else {
            Sw::SUCCESS
        };
        let data = if cmd.ins == 0xB1 {
            tlv::encode(0x53, chunk)
        } else {
            chunk.to_vec()
        };
        ResponseApdu::new(data, status)
    }

    fn get_challenge(&mut self) -> ResponseApdu {
        if !self.profile.bac {
            return sw(Sw::INS_NOT_SUPPORTED);
        }
        let mut c = [0u8; 8];
        if self.rng.fill(&mut c).is_err() {
            return sw(Sw::NO_PRECISE_DIAGNOSIS);
        }
        self.bac_challenge = Some(c);
        ResponseApdu::new(c.to_vec(), Sw::SUCCESS)
    }

    fn mutual_authenticate(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        let Some(challenge) = self.bac_challenge.take() else {
            return sw(Sw::CONDITIONS_NOT_SATISFIED);
        };
        let Some(keys): Option<BacKeys> = self.profile.mrz.bac_keys() else {
            return sw(Sw::CONDITIONS_NOT_SATISFIED);
        };
        match bac::chip_respond(&keys, &challenge, &cmd.data, self.rng.as_mut()) {
            Ok((answer, session)) => {
                self.sm = Some(session);
                ResponseApdu::new(answer, Sw::SUCCESS)
            }
            Err(_) => sw(Sw::SECURITY_STATUS_NOT_SATISFIED),
        }
    }

    fn pace_command(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        if self.profile.pace.is_empty() {
            return sw(Sw::INS_NOT_SUPPORTED);
        }
        match self.pace.handle(cmd, self.rng.as_mut()) {
            Ok(ChipStep::Respond(r)) => r,
            Ok(ChipStep::Established(r, session)) => {
                self.sm = Some(session);
                r
            }
            Err(_) => sw(Sw::WRONG_DATA),
        }
    }

    fn ca_set_at(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        if self.profile.chip_authentication.is_none() {
            return sw(Sw::REFERENCED_DATA_NOT_FOUND);
        }
        let Ok(Some(oid)) = tlv::TlvReader::new(&cmd.data).find_tag(0x80) else {
            return sw(Sw::WRONG_DATA);
        };
        let cipher = match oid.value {
            [0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02, 0x03, 0x02, c] => match c {
                1 => CipherKind::Tdes,
                2 => CipherKind::Aes128,
                3 => CipherKind::Aes192,
                4 => CipherKind::Aes256,
                _ => return sw(Sw::REFERENCED_DATA_NOT_FOUND),
            },
            _ => return sw(Sw::REFERENCED_DATA_NOT_FOUND),
        };
        self.pending = Pending::CaSetAt(cipher);
        sw(Sw::SUCCESS)
    }

    fn ca_kat(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        let Ok(Some(pk)) = tlv::TlvReader::new(&cmd.data).find_tag(0x91) else {
            return sw(Sw::WRONG_DATA);
        };
        self.ca_rekey(CipherKind::Tdes, pk.value)
    }

    fn ca_general_authenticate(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        let Pending::CaSetAt(cipher) = core::mem::replace(&mut self.pending, Pending::None) else {
            return sw(Sw::CONDITIONS_NOT_SATISFIED);
        };
        let pk = tlv::parse_single(&cmd.data)
            .ok()
            .filter(|t| t.tag == 0x7C)
            .and_then(|t| t.find(0x80).ok().flatten())
            .map(|t| t.value.to_vec());
        let Some(pk) = pk else {
            return sw(Sw::WRONG_DATA);
        };
        let resp = self.ca_rekey(cipher, &pk);
        if resp.sw.is_success() {
            ResponseApdu::new(vec![0x7C, 0x00], Sw::SUCCESS)
        } else {
            resp
        }
    }

    /// Derives the chip-authentication session; it takes effect after this answer.
    fn ca_rekey(&mut self, cipher: CipherKind, pk: &[u8]) -> ResponseApdu {
        let Some(key) = &self.profile.chip_authentication else {
            return sw(Sw::REFERENCED_DATA_NOT_FOUND);
        };
        let secret = if self.faults.cloned {
            // A clone has the public DG14 but not the private key.
            match key.curve.random_scalar(self.rng.as_mut()) {
                Ok(s) => s,
                Err(_) => return sw(Sw::NO_PRECISE_DIAGNOSIS),
            }
        } else {
            key.secret.clone()
        };
        let Ok(shared) = key.curve.shared_secret(pk, &secret) else {
            return sw(Sw::WRONG_DATA);
        };
        let ks_enc = crypto::kdf(&shared, crypto::KDF_ENC, cipher);
        let ks_mac = crypto::kdf(&shared, crypto::KDF_MAC, cipher);
        match SmSession::with_zero_ssc(cipher, ks_enc, ks_mac) {
            Ok(s) => {
                self.sm = Some(s);
                sw(Sw::SUCCESS)
            }
            Err(_) => sw(Sw::NO_PRECISE_DIAGNOSIS),
        }
    }

    fn internal_authenticate(&mut self, cmd: &CommandApdu) -> ResponseApdu {
        let Some(signer) = &self.profile.active_authentication else {
            return sw(Sw::INS_NOT_SUPPORTED);
        };
        if cmd.data.len() != 8 {
            return sw(Sw::WRONG_DATA);
        }
        match signer(&cmd.data) {
            Some(mut sig) => {
                // A clone cannot sign with the DG15 key: model it as a corrupted signature.
                match sig.last_mut() {
                    Some(b) if self.faults.cloned => *b ^= 0x01,
                    _ => {}
                }
                ResponseApdu::new(sig, Sw::SUCCESS)
            }
            None => sw(Sw::NO_PRECISE_DIAGNOSIS),
        }
    }
}

/// Why an issued document cannot be loaded into a chip.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("the document's MRZ does not yield an access key")]
    Mrz,
}

impl ChipProfile {
    /// The chip for a document from [`crate::issuer::issue`]: its files,
    /// its MRZ key, the PACE suites of its EF.CardAccess, BAC, and its
    /// chip- and active-authentication private keys.
    pub fn from_issued(
        doc: crate::issuer::IssuedDocument,
        spec: &crate::issuer::DocumentSpec,
    ) -> Result<Self, ProfileError> {
        use crate::lds::{EcCurve, KeyAgreement, PaceCipher, PaceMapping};
        let curve = |c: EcCurve| Some(Curve::from_ec_curve(c));
        let mrz = AccessKey::from_mrz_text(&spec.mrz).map_err(|_| ProfileError::Mrz)?;
        let pace = spec
            .pace
            .iter()
            .filter_map(|(p, params)| {
                let cipher = match p.cipher {
                    PaceCipher::Des3CbcCbc => CipherKind::Tdes,
                    PaceCipher::AesCbcCmac128 => CipherKind::Aes128,
                    PaceCipher::AesCbcCmac192 => CipherKind::Aes192,
                    PaceCipher::AesCbcCmac256 => CipherKind::Aes256,
                };
                if p.agreement != KeyAgreement::Ecdh {
                    return None;
                }
                let mapping = match p.mapping {
                    PaceMapping::Generic => Mapping::Generic,
                    PaceMapping::Integrated => Mapping::Integrated,
                    PaceMapping::ChipAuthentication => Mapping::ChipAuthentication,
                };
                Some(PaceSuite::with_mapping(
                    curve(params.curve()?)?,
                    cipher,
                    mapping,
                ))
            })
            .collect();
        let crate::issuer::IssuedDocument { files, keys, .. } = doc;
        let chip_authentication = keys.chip_authentication.and_then(|k| {
            Some(CaPrivateKey {
                curve: curve(k.curve)?,
                secret: k.secret.clone(),
            })
        });
        let active_authentication = keys.active_authentication.map(|k| {
            let signer: AaSigner = match k {
                crate::issuer::ActiveAuthenticationKey::Rsa(rsa_key) => {
                    use rsa::traits::{PrivateKeyParts, PublicKeyParts};
                    let n = rsa_key.n_bytes().to_vec();
                    let d = Zeroizing::new(rsa_key.d().to_be_bytes().to_vec());
                    Box::new(move |challenge: &[u8]| {
                        crate::reader::aa::sign_iso9796_2(&n, &d, 0x5A, challenge)
                    })
                }
                k => Box::new(move |challenge: &[u8]| k.sign_ecdsa_plain(challenge)),
            };
            signer
        });
        Ok(Self {
            files,
            mrz,
            can: None,
            bac: true,
            pace,
            chip_authentication,
            active_authentication,
        })
    }
}

/// The virtual chip behind the [`Transport`] trait, with the link model and
/// the lost-tag fault.
#[derive(Debug)]
pub struct VirtualTransport {
    pub chip: VirtualChip,
    pub limits: TransportLimits,
    pub link: LinkModel,
    /// Simulated time so far, in microseconds.
    pub elapsed_us: u64,
    /// APDUs exchanged (including the ones that hit a lost tag).
    pub apdus: u32,
    lost: bool,
}

impl VirtualTransport {
    pub fn new(chip: VirtualChip, limits: TransportLimits, link: LinkModel) -> Self {
        Self {
            chip,
            limits,
            link,
            elapsed_us: 0,
            apdus: 0,
            lost: false,
        }
    }

    /// One synchronous exchange.
    pub fn exchange(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        if self.lost {
            return Err(TransportError::TagLost);
        }
        if apdu.len() > self.limits.max_transceive {
            return Err(TransportError::TooLong {
                len: apdu.len(),
                max: self.limits.max_transceive,
            });
        }
        self.apdus += 1;
        if self.chip.faults.tag_lost_at.contains(&self.apdus) {
            self.lost = true;
            self.chip.power_cycle();
            self.elapsed_us += self.link.turnaround_us;
            return Err(TransportError::TagLost);
        }
        let answer = self.chip.process(apdu);
        self.elapsed_us += self.link.exchange_us(apdu.len(), answer.len());
        if answer.len() > self.limits.max_transceive {
            return Err(TransportError::TooLong {
                len: answer.len(),
                max: self.limits.max_transceive,
            });
        }
        Ok(answer)
    }
}

impl Transport for VirtualTransport {
    fn limits(&self) -> TransportLimits {
        self.limits
    }

    async fn transceive(&mut self, apdu: &[u8]) -> Result<Vec<u8>, TransportError> {
        self.exchange(apdu)
    }
}

impl Reconnect for VirtualTransport {
    async fn reconnect(&mut self) -> Result<(), TransportError> {
        self.lost = false;
        self.chip.power_cycle();
        Ok(())
    }
}

/// Runs a read against the virtual chip without an async executor,
/// reconnecting and resuming after every lost tag.
pub fn run_blocking(
    reader: &mut crate::reader::Reader,
    transport: &mut VirtualTransport,
) -> Result<crate::reader::ReadOutcome, crate::reader::driver::DriveError> {
    use crate::reader::Step;
    let mut step = reader.start()?;
    loop {
        match step {
            Step::Done(outcome) => return Ok(*outcome),
            Step::Transmit(apdu) => match transport.exchange(&apdu) {
                Ok(answer) => step = reader.on_response(&answer)?,
                Err(TransportError::TagLost) => {
                    transport.lost = false;
                    transport.chip.power_cycle();
                    step = reader.resume()?;
                }
                Err(e) => return Err(e.into()),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn profile() -> ChipProfile {
        let mut files = BTreeMap::new();
        files.insert(0x011E, tlv::encode(0x60, &[0x5C, 0x02, 0x61, 0x75]));
        files.insert(0x0101, tlv::encode(0x61, &[0x5F; 91]));
        ChipProfile {
            files,
            mrz: AccessKey::from_mrz("L898902C", "690806", "940623").unwrap(),
            can: None,
            bac: true,
            pace: vec![],
            chip_authentication: None,
            active_authentication: None,
        }
    }

    #[test]
    fn plain_commands_before_access_control() {
        let mut chip = VirtualChip::new(profile(), Faults::default());
        let aid = [&[0x00, 0xA4, 0x04, 0x0C, 0x07][..], &EMRTD_AID].concat();
        assert_eq!(chip.process(&aid), [0x90, 0x00]);
        assert_eq!(
            chip.process(&[0x00, 0xA4, 0x02, 0x0C, 0x02, 0x01, 0x1E]),
            [0x69, 0x82]
        );
        assert_eq!(chip.process(&[0x00, 0xB0, 0x00, 0x00, 0x04]), [0x69, 0x85]);
        assert_eq!(chip.process(&[0x00, 0x84, 0x00, 0x00, 0x08]).len(), 10);
        assert_eq!(chip.process(&[0x00, 0xEE, 0x00, 0x00]), [0x6D, 0x00]);
        assert_eq!(chip.process(&[0x0C, 0xB0, 0x00, 0x00, 0x04]), [0x69, 0x87]);
    }

    #[test]
    fn link_model() {
        let l = LinkModel::new(424_000, 10_000);
        // 100 bytes each way plus framing: 206 bytes * 9 bits at 424 kbit/s = 4.5 ms, plus 10 ms.
        assert_eq!(
            l.exchange_us(100, 100),
            10_000 + 206 * 9 * 1_000_000 / 424_000
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(raw in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let mut chip = VirtualChip::new(profile(), Faults::default());
            let _ = chip.process(&raw);
        }
    }
}
