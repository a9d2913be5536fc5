//! PACE (ICAO 9303 Part 11, 4.4): ECDH with the generic, integrated and
//! chip-authentication mappings on the four eMRTD curves, with 3DES or
//! AES-128/192/256 secure messaging; reader and chip side.
//!
//! Finite-field DH is not implemented.

pub mod ec;
pub mod im;

use crate::apdu::{CommandApdu, ResponseApdu};
use crate::bac::AccessKey;
use crate::crypto::{
    self, CipherKind, CryptoError, KDF_ENC, KDF_MAC, KDF_PACE, RandomError, Rng, Secret,
};
use crate::sm::{SmError, SmSession};
use crate::tlv::{self, TlvError, TlvReader};
pub use ec::{Curve, EcError};
use thiserror::Error;
use zeroize::Zeroizing;

/// The id-PACE arc 0.4.0.127.0.7.2.2.4 as OID content bytes (from the LDS OID table).
pub const ID_PACE: &[u8] = crate::lds::oid::ID_PACE.as_bytes();

/// Why PACE failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PaceError {
    #[error("PACE protocol OID is not ECDH generic mapping with a known cipher")]
    UnsupportedProtocol,
    #[error("PACE domain parameters {0} are not supported")]
    UnsupportedParameters(u64),
    #[error("chip refused {step} with status {sw}")]
    Refused {
        step: &'static str,
        sw: crate::apdu::StatusWord,
    },
    #[error("dynamic authentication data of {step} is malformed")]
    BadResponse { step: &'static str },
    #[error("dynamic authentication data TLV: {0}")]
    Tlv(#[from] TlvError),
    #[error("the chip's authentication token does not verify (wrong password?)")]
    BadToken,
    #[error("the ephemeral public keys are equal")]
    SameKeys,
    #[error("unexpected command in PACE step {step}")]
    UnexpectedCommand { step: &'static str },
    #[error("PACE already finished or failed")]
    Finished,
    #[error(transparent)]
    Ec(#[from] EcError),
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    #[error(transparent)]
    Sm(#[from] SmError),
    #[error(transparent)]
    Random(#[from] RandomError),
}

/// How PACE maps the nonce to the ephemeral generator (ICAO 9303-11, 4.4.3.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mapping {
    /// G' = s*G + H, H from an anonymous ECDH.
    Generic,
    /// G' = f_G(R_p(s, t)) with the reader's nonce t sent in clear.
    Integrated,
    /// Generic mapping plus the chip's encrypted chip-authentication data in
    /// the last step, checked against the DG14 key (replaces chip authentication).
    ChipAuthentication,
}

impl Mapping {
    /// The arc after id-PACE (ECDH only).
    fn arc(self) -> u8 {
        match self {
            Mapping::Generic => 2,
            Mapping::Integrated => 4,
            Mapping::ChipAuthentication => 6,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Mapping::Generic => "GM",
            Mapping::Integrated => "IM",
            Mapping::ChipAuthentication => "CAM",
        }
    }
}

/// A PACE cipher suite: ECDH, the mapping, the curve and the cipher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PaceSuite {
    pub curve: Curve,
    pub cipher: CipherKind,
    pub mapping: Mapping,
}

impl PaceSuite {
    /// A generic-mapping suite.
    pub fn new(curve: Curve, cipher: CipherKind) -> Self {
        Self::with_mapping(curve, cipher, Mapping::Generic)
    }

    pub fn with_mapping(curve: Curve, cipher: CipherKind, mapping: Mapping) -> Self {
        Self {
            curve,
            cipher,
            mapping,
        }
    }

    /// The protocol OID content bytes (id-PACE-ECDH-<mapping>-<cipher>).
    pub fn oid(&self) -> Vec<u8> {
        let mut o = ID_PACE.to_vec();
        o.push(self.mapping.arc());
        o.push(cipher_arc(self.cipher));
        o
    }

    /// The nonce length in bytes: the smallest multiple of the block size
    /// not shorter than the key (ICAO 9303-11, 4.4.3.3).
    pub fn nonce_len(&self) -> usize {
        let b = self.cipher.block_size();
        self.cipher.key_len().div_ceil(b) * b
    }

    /// The suite named by a PACEInfo's protocol OID content bytes and parameter ID.
    pub fn from_oid(oid: &[u8], parameter_id: u64) -> Result<Self, PaceError> {
        let rest = oid
            .strip_prefix(ID_PACE)
            .ok_or(PaceError::UnsupportedProtocol)?;
        let (mapping, cipher) = match rest {
            [m, c] => (
                match m {
                    2 => Mapping::Generic,
                    4 => Mapping::Integrated,
                    6 => Mapping::ChipAuthentication,
                    _ => return Err(PaceError::UnsupportedProtocol),
                },
                match c {
                    1 => CipherKind::Tdes,
                    2 => CipherKind::Aes128,
                    3 => CipherKind::Aes192,
                    4 => CipherKind::Aes256,
                    _ => return Err(PaceError::UnsupportedProtocol),
                },
            ),
            _ => return Err(PaceError::UnsupportedProtocol),
        };
        // ICAO 9303-11 table 3 defines CAM with AES only.
        if mapping == Mapping::ChipAuthentication && cipher == CipherKind::Tdes {
            return Err(PaceError::UnsupportedProtocol);
        }
        let curve = Curve::from_parameter_id(parameter_id)
            .ok_or(PaceError::UnsupportedParameters(parameter_id))?;
        // Integrated mapping's point encoding here is the simplified SWU map
        // for p = 3 mod 4; P-224's prime is 1 mod 4 (it would need
        // Tonelli-Shanks square roots).
        if mapping == Mapping::Integrated && curve == Curve::P224 {
            return Err(PaceError::UnsupportedParameters(parameter_id));
        }
        Ok(Self::with_mapping(curve, cipher, mapping))
    }

    /// Every suite this crate implements: [`PaceSuite::all_generic`], the
    /// same with integrated mapping, and chip-authentication mapping with AES.
    pub fn all() -> Vec<Self> {
        let gm = Self::all_generic();
        let mut v = gm.clone();
        for s in &gm {
            v.push(Self::with_mapping(s.curve, s.cipher, Mapping::Integrated));
        }
        for s in gm.iter().filter(|s| s.cipher != CipherKind::Tdes) {
            v.push(Self::with_mapping(
                s.curve,
                s.cipher,
                Mapping::ChipAuthentication,
            ));
        }
        v
    }

    /// Every generic-mapping suite, strongest first.
    pub fn all_generic() -> Vec<Self> {
        let mut v = Vec::new();
        for curve in [
            Curve::BrainpoolP384r1,
            Curve::P384,
            Curve::BrainpoolP256r1,
            Curve::P256,
        ] {
            for cipher in [
                CipherKind::Aes256,
                CipherKind::Aes192,
                CipherKind::Aes128,
                CipherKind::Tdes,
            ] {
                v.push(Self::new(curve, cipher));
            }
        }
        v
    }

    /// A short human name, e.g. `ECDH-GM-AES-128/brainpoolP256r1`.
    pub fn name(&self) -> String {
        format!(
            "ECDH-{}-{}/{}",
            self.mapping.name(),
            self.cipher.name(),
            self.curve.name()
        )
    }
}

fn cipher_arc(c: CipherKind) -> u8 {
    match c {
        CipherKind::Tdes => 1,
        CipherKind::Aes128 => 2,
        CipherKind::Aes192 => 3,
        CipherKind::Aes256 => 4,
    }
}

/// K_pi = KDF(password, 3) for the suite's cipher.
pub fn password_key(key: &AccessKey, cipher: CipherKind) -> Secret {
    crypto::kdf(&key.pace_password(), KDF_PACE, cipher)
}

/// MSE:Set AT for PACE: `80 oid`, `83 password ref`, `84 paramId`, no Le.
pub fn mse_set_at(suite: &PaceSuite, password_ref: u8) -> CommandApdu {
    let mut data = tlv::encode(0x80, &suite.oid());
    data.extend(tlv::encode(0x83, &[password_ref]));
    data.extend(tlv::encode(0x84, &[suite.curve.parameter_id()]));
    CommandApdu::new(0x00, 0x22, 0xC1, 0xA4).with_data(data)
}

fn general_authenticate(last: bool, inner_tag: u32, value: &[u8]) -> CommandApdu {
    let inner = if value.is_empty() && inner_tag == 0 {
        Vec::new()
    } else {
        tlv::encode(inner_tag, value)
    };
    CommandApdu::new(if last { 0x00 } else { 0x10 }, 0x86, 0x00, 0x00)
        .with_data(tlv::encode(0x7C, &inner))
        .with_le(256)
}

/// The value of the single object `tag` inside `7C`.
fn dynamic_data(data: &[u8], tag: u32, step: &'static str) -> Result<Vec<u8>, PaceError> {
    let outer = tlv::parse_single(data).map_err(|_| PaceError::BadResponse { step })?;
    if outer.tag != 0x7C {
        return Err(PaceError::BadResponse { step });
    }
    let found = outer.find(tag)?.ok_or(PaceError::BadResponse { step })?;
    Ok(found.value.to_vec())
}

/// The public key data object the tokens are computed over (ICAO 9303 Part 11, 4.4.3.4).
pub fn public_key_data_object(suite: &PaceSuite, point: &[u8]) -> Vec<u8> {
    let mut inner = tlv::encode(0x06, &suite.oid());
    inner.extend(tlv::encode(0x86, point));
    tlv::encode(0x7F49, &inner)
}

/// Authentication token: MAC(KSmac, public key data object), padded for 3DES only.
pub fn token(suite: &PaceSuite, ks_mac: &[u8], other_point: &[u8]) -> Result<[u8; 8], PaceError> {
    let pk = public_key_data_object(suite, other_point);
    let input = match suite.cipher {
        CipherKind::Tdes => crypto::pad(&pk, 8),
        _ => pk,
    };
    Ok(crypto::mac(suite.cipher, ks_mac, &input)?)
}

/// Session keys from the shared secret.
fn session_keys(suite: &PaceSuite, shared: &[u8]) -> (Secret, Secret) {
    (
        crypto::kdf(shared, KDF_ENC, suite.cipher),
        crypto::kdf(shared, KDF_MAC, suite.cipher),
    )
}

/// What the reader does next.
#[derive(Debug)]
pub enum PaceStep {
    /// Send this command and feed the answer to [`PaceReader::step`].
    Send(CommandApdu),
    /// PACE succeeded: use this secure-messaging session from now on.
    Done(SmSession),
}

/// What PACE-CAM leaves to check once DG14 is read (and vouched for by
/// passive authentication): CA_IC * PK_IC must equal the chip's mapping key.
#[derive(Clone, PartialEq, Eq)]
pub struct CamEvidence {
    pub curve: Curve,
    /// The chip's ephemeral mapping public key PK_Map,IC.
    pub pk_map_ic: Vec<u8>,
    /// The decrypted chip authentication data CA_IC.
    pub ca_ic: Zeroizing<Vec<u8>>,
}

impl core::fmt::Debug for CamEvidence {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("CamEvidence")
            .field("curve", &self.curve)
            .finish_non_exhaustive()
    }
}

impl CamEvidence {
    /// ICAO 9303-11, 4.4.3.5.2: PK_Map,IC = KA(CA_IC, PK_IC), with PK_IC the
    /// chip-authentication public key of DG14 (an uncompressed point).
    pub fn verify(&self, pk_ic: &[u8]) -> bool {
        match self.curve.mul(pk_ic, &self.ca_ic) {
            Ok(p) => crypto::ct_eq(&p, &self.pk_map_ic),
            Err(_) => false,
        }
    }
}

enum ReaderState {
    SetAt,
    Nonce,
    Map {
        sk_map: Secret,
    },
    MapIntegrated {
        t: Secret,
    },
    KeyAgreement {
        sk: Secret,
        pk: Vec<u8>,
    },
    Token {
        ks_enc: Secret,
        ks_mac: Secret,
        pk_ifd: Vec<u8>,
    },
    Finished,
}

/// The reader side of PACE as a state machine: it emits commands and consumes answers.
pub struct PaceReader {
    suite: PaceSuite,
    k_pi: Secret,
    nonce: Secret,
    /// PK_Map,IC (chip-authentication mapping keeps it for the final check).
    pk_map_ic: Vec<u8>,
    cam: Option<CamEvidence>,
    state: ReaderState,
}

impl core::fmt::Debug for PaceReader {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PaceReader")
            .field("suite", &self.suite)
            .finish_non_exhaustive()
    }
}

impl PaceReader {
    /// Starts PACE; the first command is MSE:Set AT.
    pub fn start(key: &AccessKey, suite: PaceSuite) -> (Self, CommandApdu) {
        let me = Self {
            suite,
            k_pi: password_key(key, suite.cipher),
            nonce: Zeroizing::new(Vec::new()),
            pk_map_ic: Vec::new(),
            cam: None,
            state: ReaderState::SetAt,
        };
        (me, mse_set_at(&suite, key.pace_reference()))
    }

    pub fn suite(&self) -> PaceSuite {
        self.suite
    }

    /// After chip-authentication mapping: what to check against DG14.
    pub fn cam_evidence(&self) -> Option<&CamEvidence> {
        self.cam.as_ref()
    }

    /// Consumes the chip's answer to the last command.
    pub fn step(&mut self, resp: &ResponseApdu, rng: &mut dyn Rng) -> Result<PaceStep, PaceError> {
        let state = core::mem::replace(&mut self.state, ReaderState::Finished);
        let step_name = match state {
            ReaderState::SetAt => "MSE:Set AT",
            ReaderState::Nonce => "GA encrypted nonce",
            ReaderState::Map { .. } | ReaderState::MapIntegrated { .. } => "GA map nonce",
            ReaderState::KeyAgreement { .. } => "GA key agreement",
            ReaderState::Token { .. } => "GA mutual authentication",
            ReaderState::Finished => return Err(PaceError::Finished),
        };
        if !resp.sw.is_success() {
            return Err(PaceError::Refused {
                step: step_name,
                sw: resp.sw,
            });
        }
        let curve = self.suite.curve;
        match state {
            ReaderState::SetAt => {
                self.state = ReaderState::Nonce;
                Ok(PaceStep::Send(general_authenticate(false, 0, &[])))
            }
            ReaderState::Nonce => {
                let z = dynamic_data(&resp.data, 0x80, step_name)?;
                let iv = vec![0u8; self.suite.cipher.block_size()];
                self.nonce =
                    Zeroizing::new(crypto::decrypt_cbc(self.suite.cipher, &self.k_pi, &iv, &z)?);
                if self.suite.mapping == Mapping::Integrated {
                    // The reader's nonce t, one key long, sent in clear.
                    let mut t = Zeroizing::new(vec![0u8; self.suite.cipher.key_len()]);
                    rng.fill(&mut t)?;
                    let cmd = general_authenticate(false, 0x81, &t);
                    self.state = ReaderState::MapIntegrated { t };
                    return Ok(PaceStep::Send(cmd));
                }
                let sk_map = curve.random_scalar(rng)?;
                let pk_map = curve.mul_generator(&sk_map)?;
                self.state = ReaderState::Map { sk_map };
                Ok(PaceStep::Send(general_authenticate(false, 0x81, &pk_map)))
            }
            ReaderState::Map { sk_map } => {
                let pk_map_ic = dynamic_data(&resp.data, 0x82, step_name)?;
                let h = Zeroizing::new(curve.mul(&pk_map_ic, &sk_map)?);
                let g_map = curve.map_generator(&self.nonce, &h)?;
                self.pk_map_ic = pk_map_ic;
                self.key_agreement(&g_map, rng)
            }
            ReaderState::MapIntegrated { t } => {
                // DO'82' is empty for the integrated mapping (ICAO 9303-11, 4.4.5.2.2).
                if !dynamic_data(&resp.data, 0x82, step_name)?.is_empty() {
                    return Err(PaceError::BadResponse { step: step_name });
                }
                let g_map = integrated_generator(&self.suite, &self.nonce, &t)?;
                self.key_agreement(&g_map, rng)
            }
            ReaderState::KeyAgreement { sk, pk } => {
                let pk_ic = dynamic_data(&resp.data, 0x84, step_name)?;
                curve.validate_point(&pk_ic)?;
                if pk_ic == pk {
                    return Err(PaceError::SameKeys);
                }
                let shared = curve.shared_secret(&pk_ic, &sk)?;
                let (ks_enc, ks_mac) = session_keys(&self.suite, &shared);
                let t_ifd = token(&self.suite, &ks_mac, &pk_ic)?;
                self.state = ReaderState::Token {
                    ks_enc,
                    ks_mac,
                    pk_ifd: pk,
                };
                Ok(PaceStep::Send(general_authenticate(true, 0x85, &t_ifd)))
            }
            ReaderState::Token {
                ks_enc,
                ks_mac,
                pk_ifd,
            } => {
                let t_ic = dynamic_data(&resp.data, 0x86, step_name)?;
                let expected = token(&self.suite, &ks_mac, &pk_ifd)?;
                if !crypto::ct_eq(&expected, &t_ic) {
                    return Err(PaceError::BadToken);
                }
                let a_ic = dynamic_data(&resp.data, 0x8A, step_name).ok();
                match (self.suite.mapping, a_ic) {
                    (Mapping::ChipAuthentication, Some(a_ic)) => {
                        let ca_ic = im::decrypt_ca_data(self.suite.cipher, &ks_enc, &a_ic)
                            .map_err(|_| PaceError::BadResponse { step: step_name })?;
                        self.cam = Some(CamEvidence {
                            curve,
                            pk_map_ic: core::mem::take(&mut self.pk_map_ic),
                            ca_ic,
                        });
                    }
                    // CAM without its data, or the data without CAM: ICAO 9303-11, 4.4.5.
                    (Mapping::ChipAuthentication, None) | (_, Some(_)) => {
                        return Err(PaceError::BadResponse { step: step_name });
                    }
                    (_, None) => {}
                }
                Ok(PaceStep::Done(SmSession::with_zero_ssc(
                    self.suite.cipher,
                    ks_enc,
                    ks_mac,
                )?))
            }
            ReaderState::Finished => Err(PaceError::Finished),
        }
    }

    fn key_agreement(&mut self, g_map: &[u8], rng: &mut dyn Rng) -> Result<PaceStep, PaceError> {
        let curve = self.suite.curve;
        let sk = curve.random_scalar(rng)?;
        let pk = curve.mul(g_map, &sk)?;
        self.state = ReaderState::KeyAgreement { sk, pk: pk.clone() };
        Ok(PaceStep::Send(general_authenticate(false, 0x83, &pk)))
    }
}

/// G' = f_G(R_p(s, t)) of the integrated mapping.
fn integrated_generator(suite: &PaceSuite, s: &[u8], t: &[u8]) -> Result<Vec<u8>, PaceError> {
    let r = im::pseudo_random(suite.cipher, s, t, suite.curve.prime_bits())?;
    Ok(suite.curve.encode_to_point(&r)?)
}

enum ChipState {
    AwaitSetAt,
    AwaitNonce,
    AwaitMap {
        nonce: Secret,
    },
    AwaitKeyAgreement {
        g_map: Vec<u8>,
        /// SK_Map,IC, kept for chip-authentication mapping.
        sk_map: Option<Secret>,
    },
    AwaitToken {
        ks_enc: Secret,
        ks_mac: Secret,
        pk_ifd: Vec<u8>,
        pk_ic: Vec<u8>,
        sk_map: Option<Secret>,
    },
    Finished,
}

/// The chip side of PACE (the virtual chip uses it).
pub struct PaceChip {
    suites: Vec<PaceSuite>,
    suite: Option<PaceSuite>,
    mrz_password: Secret,
    can_password: Option<Secret>,
    /// The static chip-authentication private key (DG14's), for CAM.
    chip_key: Option<(Curve, Secret)>,
    k_pi: Secret,
    state: ChipState,
}

impl core::fmt::Debug for PaceChip {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("PaceChip")
            .field("suite", &self.suite)
            .finish_non_exhaustive()
    }
}

/// What the chip does after a PACE command.
#[derive(Debug)]
pub enum ChipStep {
    Respond(ResponseApdu),
    /// PACE succeeded: answer this, then switch to the session.
    Established(ResponseApdu, SmSession),
}

impl PaceChip {
    /// A chip that accepts `suites`, with the MRZ password and optionally a CAN.
    pub fn new(suites: Vec<PaceSuite>, mrz: &AccessKey, can: Option<&AccessKey>) -> Self {
        Self {
            suites,
            suite: None,
            mrz_password: mrz.pace_password(),
            can_password: can.map(|c| c.pace_password()),
            chip_key: None,
            k_pi: Zeroizing::new(Vec::new()),
            state: ChipState::AwaitSetAt,
        }
    }

    /// Gives the chip its static chip-authentication key (needed for CAM
    /// suites; a CAM suite on another curve is refused).
    pub fn with_chip_key(mut self, curve: Curve, secret: Secret) -> Self {
        self.chip_key = Some((curve, secret));
        self
    }

    /// Starts over (a new MSE:Set AT always restarts the protocol).
    pub fn reset(&mut self) {
        self.state = ChipState::AwaitSetAt;
        self.suite = None;
    }

    /// Handles MSE:Set AT (INS 22) or GENERAL AUTHENTICATE (INS 86).
    pub fn handle(&mut self, cmd: &CommandApdu, rng: &mut dyn Rng) -> Result<ChipStep, PaceError> {
        use crate::apdu::StatusWord as Sw;
        let fail = |sw: Sw| Ok(ChipStep::Respond(ResponseApdu::new(Vec::new(), sw)));
        if cmd.ins == 0x22 {
            self.reset();
            let mut oid = None;
            let mut pw = None;
            let mut param = None;
            for t in TlvReader::new(&cmd.data) {
                let t = t?;
                match t.tag {
                    0x80 => oid = Some(t.value.to_vec()),
                    0x83 => pw = t.value.first().copied(),
                    0x84 => param = t.value.first().copied(),
                    _ => {}
                }
            }
            let (Some(oid), Some(pw)) = (oid, pw) else {
                return fail(Sw::WRONG_DATA);
            };
            let Some(param) = param else {
                return fail(Sw::REFERENCED_DATA_NOT_FOUND);
            };
            let suite = match PaceSuite::from_oid(&oid, u64::from(param)) {
                Ok(s) if self.suites.contains(&s) => s,
                _ => return fail(Sw::REFERENCED_DATA_NOT_FOUND),
            };
            if suite.mapping == Mapping::ChipAuthentication
                && self
                    .chip_key
                    .as_ref()
                    .is_none_or(|(c, _)| *c != suite.curve)
            {
                return fail(Sw::REFERENCED_DATA_NOT_FOUND);
            }
            let password = match (pw, &self.can_password) {
                (1, _) => &self.mrz_password,
                (2, Some(can)) => can,
                _ => return fail(Sw::REFERENCED_DATA_NOT_FOUND),
            };
            self.k_pi = crypto::kdf(password, KDF_PACE, suite.cipher);
            self.suite = Some(suite);
            self.state = ChipState::AwaitNonce;
            return Ok(ChipStep::Respond(ResponseApdu::new(
                Vec::new(),
                Sw::SUCCESS,
            )));
        }
        if cmd.ins != 0x86 {
            return Err(PaceError::UnexpectedCommand { step: "PACE" });
        }
        let Some(suite) = self.suite else {
            return fail(Sw::CONDITIONS_NOT_SATISFIED);
        };
        let curve = suite.curve;
        let state = core::mem::replace(&mut self.state, ChipState::Finished);
        let last = cmd.cla & 0x10 == 0;
        let bad = |step| PaceError::BadResponse { step };
        let ok = |inner_tag: u32, value: &[u8]| {
            ChipStep::Respond(ResponseApdu::new(
                tlv::encode(0x7C, &tlv::encode(inner_tag, value)),
                Sw::SUCCESS,
            ))
        };
        match state {
            ChipState::AwaitNonce if !last => {
                let mut nonce = Zeroizing::new(vec![0u8; suite.nonce_len()]);
                rng.fill(&mut nonce)?;
                let iv = vec![0u8; suite.cipher.block_size()];
                let z = crypto::encrypt_cbc(suite.cipher, &self.k_pi, &iv, &nonce)?;
                self.state = ChipState::AwaitMap { nonce };
                Ok(ok(0x80, &z))
            }
            ChipState::AwaitMap { nonce } if !last && suite.mapping == Mapping::Integrated => {
                let t = dynamic_data(&cmd.data, 0x81, "map").map_err(|_| bad("map"))?;
                if t.len() != suite.cipher.key_len() {
                    return fail(Sw::WRONG_DATA);
                }
                let g_map = integrated_generator(&suite, &nonce, &t)?;
                self.state = ChipState::AwaitKeyAgreement {
                    g_map,
                    sk_map: None,
                };
                Ok(ok(0x82, &[]))
            }
            ChipState::AwaitMap { nonce } if !last => {
                let pk_map_ifd = dynamic_data(&cmd.data, 0x81, "map").map_err(|_| bad("map"))?;
                curve.validate_point(&pk_map_ifd)?;
                let sk_map = curve.random_scalar(rng)?;
                let pk_map = curve.mul_generator(&sk_map)?;
                let h = Zeroizing::new(curve.mul(&pk_map_ifd, &sk_map)?);
                let g_map = curve.map_generator(&nonce, &h)?;
                let sk_map = (suite.mapping == Mapping::ChipAuthentication).then_some(sk_map);
                self.state = ChipState::AwaitKeyAgreement { g_map, sk_map };
                Ok(ok(0x82, &pk_map))
            }
            ChipState::AwaitKeyAgreement { g_map, sk_map } if !last => {
                let pk_ifd = dynamic_data(&cmd.data, 0x83, "key agreement")
                    .map_err(|_| bad("key agreement"))?;
                curve.validate_point(&pk_ifd)?;
                let sk = curve.random_scalar(rng)?;
                let pk_ic = curve.mul(&g_map, &sk)?;
                if pk_ic == pk_ifd {
                    return Err(PaceError::SameKeys);
                }
                let shared = curve.shared_secret(&pk_ifd, &sk)?;
                let (ks_enc, ks_mac) = session_keys(&suite, &shared);
                self.state = ChipState::AwaitToken {
                    ks_enc,
                    ks_mac,
                    pk_ifd,
                    pk_ic: pk_ic.clone(),
                    sk_map,
                };
                Ok(ok(0x84, &pk_ic))
            }
            ChipState::AwaitToken {
                ks_enc,
                ks_mac,
                pk_ifd,
                pk_ic,
                sk_map,
            } if last => {
                let t_ifd = dynamic_data(&cmd.data, 0x85, "token").map_err(|_| bad("token"))?;
                let expected = token(&suite, &ks_mac, &pk_ic)?;
                if !crypto::ct_eq(&expected, &t_ifd) {
                    return fail(Sw(0x6300));
                }
                let t_ic = token(&suite, &ks_mac, &pk_ifd)?;
                let mut data = tlv::encode(0x86, &t_ic);
                if let (Some(sk_map), Some((_, sk_ic))) = (&sk_map, &self.chip_key) {
                    let ca_ic = curve.ca_data(sk_ic, sk_map)?;
                    data.extend(tlv::encode(
                        0x8A,
                        &im::encrypt_ca_data(suite.cipher, &ks_enc, &ca_ic)?,
                    ));
                }
                let resp = ResponseApdu::new(tlv::encode(0x7C, &data), Sw::SUCCESS);
                Ok(ChipStep::Established(
                    resp,
                    SmSession::with_zero_ssc(suite.cipher, ks_enc, ks_mac)?,
                ))
            }
            _ => fail(Sw::CONDITIONS_NOT_SATISFIED),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::apdu::StatusWord;
    use crate::crypto::FixedRng;
    use crate::crypto::tests::hex;

    fn g1_key() -> AccessKey {
        AccessKey::from_mrz("T22000129", "640812", "101031").unwrap()
    }

    #[test]
    fn integrated_mapping_on_p224_is_not_offered() {
        // id-PACE-ECDH-IM-AES-CBC-CMAC-128 on P-224 (10): refused, so the
        // reader moves on; generic mapping on P-224 is fine.
        let im = [ID_PACE, &[4, 2]].concat();
        let gm = [ID_PACE, &[2, 2]].concat();
        assert!(PaceSuite::from_oid(&im, 10).is_err());
        assert!(PaceSuite::from_oid(&gm, 10).is_ok());
        assert!(PaceSuite::from_oid(&im, 11).is_ok());
    }

    #[test]
    fn icao_g1_card_access_and_set_at() {
        // EF.CardAccess of G.1: one PACEInfo with id-PACE-ECDH-GM-AES-CBC-CMAC-128 and parameter 13.
        let card_access = hex("31143012060A04007F0007020204020202010202010D");
        let set = tlv::parse_single(&card_access).unwrap();
        let info = set.require(0x30).unwrap();
        let mut r = info.children().unwrap();
        let oid = r.expect(0x06).unwrap().value.to_vec();
        let _version = r.expect(0x02).unwrap();
        let param = r.expect(0x02).unwrap().value[0];
        let suite = PaceSuite::from_oid(&oid, u64::from(param)).unwrap();
        assert_eq!(
            suite,
            PaceSuite::new(Curve::BrainpoolP256r1, CipherKind::Aes128)
        );
        let key = g1_key();
        match &key {
            AccessKey::Mrz(info) => assert_eq!(info, "T22000129364081251010318"),
            AccessKey::Can(_) => unreachable!(),
        }
        let (_, cmd) = PaceReader::start(&key, suite);
        assert_eq!(
            cmd.encode().unwrap(),
            hex("0022C1A412800A04007F0007020204020283010184010D")
        );
    }

    #[test]
    fn icao_g1_values() {
        let suite = PaceSuite::new(Curve::BrainpoolP256r1, CipherKind::Aes128);
        let c = suite.curve;
        let k_pi = password_key(&g1_key(), suite.cipher);
        assert_eq!(*k_pi, hex("89DED1B26624EC1E634C1989302849DD"));
        let z = hex("95A3A016522EE98D01E76CB6B98B42C3");
        let s = crypto::decrypt_cbc(suite.cipher, &k_pi, &[0; 16], &z).unwrap();
        assert_eq!(s, hex("3F00C4D39D153F2B2A214A078D899B22"));

        let sk_map_ifd = hex("7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99");
        let sk_map_ic = hex("498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560");
        let pk_map_ifd = c.mul_generator(&sk_map_ifd).unwrap();
        let pk_map_ic = c.mul_generator(&sk_map_ic).unwrap();
        let h = c.mul(&pk_map_ic, &sk_map_ifd).unwrap();
        assert_eq!(h, c.mul(&pk_map_ifd, &sk_map_ic).unwrap());
        let g_map = c.map_generator(&s, &h).unwrap();

        let sk_ifd = hex("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595");
        let sk_ic = hex("107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A");
        let pk_ifd = c.mul(&g_map, &sk_ifd).unwrap();
        let pk_ic = c.mul(&g_map, &sk_ic).unwrap();
        let shared = c.shared_secret(&pk_ic, &sk_ifd).unwrap();
        assert_eq!(
            *shared,
            hex("28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925")
        );
        assert_eq!(*c.shared_secret(&pk_ifd, &sk_ic).unwrap(), *shared);
        let (ks_enc, ks_mac) = session_keys(&suite, &shared);
        assert_eq!(*ks_enc, hex("F5F0E35C0D7161EE6724EE513A0D9A7F"));
        assert_eq!(*ks_mac, hex("FE251C7858B356B24514B3BD5F4297D1"));
        assert_eq!(
            token(&suite, &ks_mac, &pk_ic).unwrap().to_vec(),
            hex("C2B0BD78D94BA866")
        );
        assert_eq!(
            token(&suite, &ks_mac, &pk_ifd).unwrap().to_vec(),
            hex("3ABB9674BCE93C08")
        );
    }

    /// The whole G.1 exchange through both state machines, with the example's randomness.
    #[test]
    fn icao_g1_reader_and_chip_state_machines() {
        let suite = PaceSuite::new(Curve::BrainpoolP256r1, CipherKind::Aes128);
        let key = g1_key();
        let mut chip = PaceChip::new(vec![suite], &key, None);
        let mut chip_rng = FixedRng::new(
            [
                hex("3F00C4D39D153F2B2A214A078D899B22"),
                hex("498FF49756F2DC1587840041839A85982BE7761D14715FB091EFA7BCE9058560"),
                hex("107CF58696EF6155053340FD633392BA81909DF7B9706F226F32086C7AFF974A"),
            ]
            .concat(),
        );
        let mut reader_rng = FixedRng::new(
            [
                hex("7F4EF07B9EA82FD78AD689B38D0BC78CF21F249D953BC46F4C6E19259C010F99"),
                hex("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595"),
            ]
            .concat(),
        );
        let (mut reader, mut cmd) = PaceReader::start(&key, suite);
        let mut seen = Vec::new();
        let (reader_sm, chip_sm) = loop {
            assert!(cmd.le.is_none() || cmd.ins == 0x86);
            seen.push(cmd.encode().unwrap());
            let (resp, chip_sm) = match chip.handle(&cmd, &mut chip_rng).unwrap() {
                ChipStep::Respond(r) => (r, None),
                ChipStep::Established(r, sm) => (r, Some(sm)),
            };
            if cmd.ins == 0x86 && seen.len() == 2 {
                assert_eq!(resp.data, hex("7C12801095A3A016522EE98D01E76CB6B98B42C3"));
            }
            match reader.step(&resp, &mut reader_rng).unwrap() {
                PaceStep::Send(next) => cmd = next,
                PaceStep::Done(sm) => break (sm, chip_sm.unwrap()),
            }
        };
        assert_eq!(seen.len(), 5);
        assert_eq!(seen[1], hex("10860000027C0000"));
        assert_eq!(seen[4], hex("008600000C7C0A8508C2B0BD78D94BA86600"));
        assert_eq!(reader_sm.ssc(), vec![0; 16]);
        assert_eq!(chip_sm.ssc(), vec![0; 16]);
    }

    /// ICAO 9303-11 Appendix H.1: integrated mapping (brainpoolP256r1,
    /// AES-128, CAN 123456) through the reader state machine with the
    /// example's nonces and key; the chip's answers are the example's.
    #[test]
    fn icao_h1_reader_state_machine() {
        let suite = PaceSuite::with_mapping(
            Curve::BrainpoolP256r1,
            CipherKind::Aes128,
            Mapping::Integrated,
        );
        assert_eq!(suite.oid(), hex("04007F00070202040402"));
        let key = AccessKey::Can("123456".into());
        assert_eq!(
            *password_key(&key, suite.cipher),
            hex("591468CDA83D65219CCCB8560233600F")
        );
        let t = hex("5DD4CBFC96F5453B130D890A1CDBAE32");
        let sk_ifd = hex("A73FB703AC1436A18E0CFA5ABB3F7BEC7A070E7A6788486BEE230C4A22762595");
        let mut rng = FixedRng::new([t.clone(), sk_ifd.clone()].concat());
        let (mut reader, _) = PaceReader::start(&key, suite);
        let ok = |data: Vec<u8>| ResponseApdu::new(data, StatusWord::SUCCESS);
        let send = |s: PaceStep| match s {
            PaceStep::Send(c) => c,
            PaceStep::Done(_) => panic!("done early"),
        };
        send(reader.step(&ok(vec![]), &mut rng).unwrap());
        let map = send(
            reader
                .step(
                    &ok(hex("7C128010143DC40C08C8E891FBED7DEDB92B64AD")),
                    &mut rng,
                )
                .unwrap(),
        );
        assert_eq!(map.data, [hex("7C128110"), t].concat());
        let ka = send(reader.step(&ok(hex("7C028200")), &mut rng).unwrap());
        // PK_IFD = SK_IFD * G' with the example's mapped generator.
        let g_map = hex(
            "048E82D31559ED0FDE92A4D0498ADD3C23BABA94FB77691E31E90AEA77FB17D4274C1AE14BD0C3DBAC0C871B7F3608169364437CA30AC243A089D3F266C1E60FAD",
        );
        let pk_ifd = suite.curve.mul(&g_map, &sk_ifd).unwrap();
        assert_eq!(ka.data, [hex("7C438341"), pk_ifd.clone()].concat());
        let pk_ic = hex(
            "0467F78E5F7F7686082B293E8D087E056916D0F74BC01A5F8957D0DE45691E51E8932B69A962B52A0985AD2C0A271EE6A13A8ADDDCD1A3A994B9DED257F4D22753",
        );
        let tok = send(
            reader
                .step(&ok([hex("7C438441"), pk_ic].concat()), &mut rng)
                .unwrap(),
        );
        assert_eq!(tok.data, hex("7C0A8508450F02B86F6A0909"));
        let shared = hex("4F150FDE1D4F0E38E95017B891BAE17133A0DF45B0D3E18B60BA7BEAFDC2C713");
        let (_, ks_mac) = session_keys(&suite, &shared);
        let t_ic = token(&suite, &ks_mac, &pk_ifd).unwrap();
        match reader
            .step(&ok(tlv::encode(0x7C, &tlv::encode(0x86, &t_ic))), &mut rng)
            .unwrap()
        {
            PaceStep::Done(sm) => assert_eq!(sm.ssc(), vec![0; 16]),
            PaceStep::Send(_) => panic!(),
        }
    }

    #[test]
    fn every_suite_and_can() {
        let mrz = AccessKey::from_mrz("D23145890", "340712", "950712").unwrap();
        let can = AccessKey::Can("123456".into());
        for suite in PaceSuite::all() {
            for key in [&mrz, &can] {
                let mut chip = PaceChip::new(vec![suite], &mrz, Some(&can));
                // Chip-authentication mapping needs the chip's static key.
                let sk_ic = suite.curve.random_scalar(&mut crypto::OsRng).unwrap();
                let pk_ic = suite.curve.mul_generator(&sk_ic).unwrap();
                if suite.mapping == Mapping::ChipAuthentication {
                    chip = chip.with_chip_key(suite.curve, sk_ic);
                }
                let mut rng = crypto::OsRng;
                let (mut reader, mut cmd) = PaceReader::start(key, suite);
                let (mut rsm, mut csm) = loop {
                    let (resp, csm) = match chip.handle(&cmd, &mut rng).unwrap() {
                        ChipStep::Respond(r) => (r, None),
                        ChipStep::Established(r, sm) => (r, Some(sm)),
                    };
                    match reader.step(&resp, &mut rng).unwrap() {
                        PaceStep::Send(next) => cmd = next,
                        PaceStep::Done(sm) => break (sm, csm.unwrap()),
                    }
                };
                let wire = rsm
                    .wrap(&CommandApdu::new(0, 0xB0, 0, 0).with_le(4))
                    .unwrap()
                    .encode()
                    .unwrap();
                let got = csm.unwrap_command(&wire).unwrap();
                assert_eq!(got.le, Some(4), "{}", suite.name());
                let cam = reader.cam_evidence();
                assert_eq!(
                    cam.is_some(),
                    suite.mapping == Mapping::ChipAuthentication,
                    "{}",
                    suite.name()
                );
                if let Some(cam) = cam {
                    assert!(cam.verify(&pk_ic), "{}", suite.name());
                    let other = suite
                        .curve
                        .mul_generator(&sk_ic_other(suite.curve))
                        .unwrap();
                    assert!(!cam.verify(&other), "{}", suite.name());
                }
            }
        }
    }

    fn sk_ic_other(c: Curve) -> Vec<u8> {
        vec![7; c.field_len()]
    }

    #[test]
    fn wrong_password_is_bad_token() {
        let suite = PaceSuite::new(Curve::P256, CipherKind::Aes128);
        let right = AccessKey::Can("123456".into());
        let wrong = AccessKey::Can("654321".into());
        let mut chip = PaceChip::new(vec![suite], &right, Some(&right));
        let mut rng = crypto::OsRng;
        let (mut reader, mut cmd) = PaceReader::start(&wrong, suite);
        let err = loop {
            let resp = match chip.handle(&cmd, &mut rng).unwrap() {
                ChipStep::Respond(r) => r,
                ChipStep::Established(..) => panic!("wrong password accepted"),
            };
            match reader.step(&resp, &mut rng) {
                Ok(PaceStep::Send(next)) => cmd = next,
                Ok(PaceStep::Done(_)) => panic!("wrong password accepted"),
                Err(e) => break e,
            }
        };
        assert!(matches!(
            err,
            PaceError::Refused {
                sw: StatusWord(0x6300),
                ..
            }
        ));
    }

    #[test]
    fn unsupported_suite_is_refused() {
        let suite = PaceSuite::new(Curve::P256, CipherKind::Aes128);
        let key = AccessKey::Can("123456".into());
        let mut chip = PaceChip::new(
            vec![PaceSuite::new(Curve::P384, CipherKind::Aes256)],
            &key,
            Some(&key),
        );
        let (_, cmd) = PaceReader::start(&key, suite);
        match chip.handle(&cmd, &mut crypto::OsRng).unwrap() {
            ChipStep::Respond(r) => assert_eq!(r.sw, StatusWord::REFERENCED_DATA_NOT_FOUND),
            ChipStep::Established(..) => panic!(),
        }
        // CAM with 3DES does not exist; DH-GM is not implemented.
        assert!(PaceSuite::from_oid(&[4, 0, 0x7F, 0, 7, 2, 2, 4, 6, 1], 13).is_err());
        assert!(PaceSuite::from_oid(&[4, 0, 0x7F, 0, 7, 2, 2, 4, 1, 2], 13).is_err());
        assert_eq!(
            PaceSuite::from_oid(&[4, 0, 0x7F, 0, 7, 2, 2, 4, 4, 2], 13).unwrap(),
            PaceSuite::with_mapping(
                Curve::BrainpoolP256r1,
                CipherKind::Aes128,
                Mapping::Integrated
            )
        );
        assert!(PaceSuite::from_oid(ID_PACE, 13).is_err());
    }
}
