//! Symmetric primitives of ICAO 9303 Part 11: the key derivation function,
//! 3DES (two-key) and AES in CBC mode, the retail MAC (ISO 9797-1 MAC
//! algorithm 3) and AES-CMAC, and ISO 7816-4 (ISO 9797-1 method 2) padding.
//!
//! CBC is composed from the block ciphers directly: every eMRTD message is
//! already padded, and the IV rules (zero for 3DES, E(K, SSC) for AES) are the
//! protocol's business, so a generic mode adds nothing.

use aes::{Aes128, Aes192, Aes256};
use cmac::{Cmac, Mac};
use des::{Des, TdesEde2};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use thiserror::Error;
use zeroize::Zeroizing;

// The cipher traits come through the `aes` crate's re-export so they match its version.
use aes::cipher::{Array, BlockCipherDecrypt, BlockCipherEncrypt, KeyInit};

/// A secret byte string that is wiped when dropped and never printed.
pub type Secret = Zeroizing<Vec<u8>>;

/// Why a cryptographic operation failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CryptoError {
    #[error("key is {len} bytes, {cipher:?} needs {expected}")]
    KeyLength {
        cipher: CipherKind,
        len: usize,
        expected: usize,
    },
    #[error("data length {len} is not a multiple of the {block}-byte block")]
    NotBlockAligned { len: usize, block: usize },
    #[error("IV is {len} bytes, the block is {block}")]
    IvLength { len: usize, block: usize },
    #[error("ISO 7816-4 padding is missing or malformed")]
    BadPadding,
}

/// The block cipher of a secure-messaging or PACE suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CipherKind {
    /// Two-key triple DES (BAC and PACE-3DES).
    Tdes,
    Aes128,
    Aes192,
    Aes256,
}

impl CipherKind {
    pub fn block_size(self) -> usize {
        match self {
            CipherKind::Tdes => 8,
            _ => 16,
        }
    }

    pub fn key_len(self) -> usize {
        match self {
            CipherKind::Tdes | CipherKind::Aes128 => 16,
            CipherKind::Aes192 => 24,
            CipherKind::Aes256 => 32,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            CipherKind::Tdes => "3DES",
            CipherKind::Aes128 => "AES-128",
            CipherKind::Aes192 => "AES-192",
            CipherKind::Aes256 => "AES-256",
        }
    }
}

/// The KDF counter values of ICAO 9303 Part 11, 9.7.1.
pub const KDF_ENC: u32 = 1;
pub const KDF_MAC: u32 = 2;
pub const KDF_PACE: u32 = 3;

/// KDF(K, c) = H(K || c) truncated to the key length; SHA-1 for 3DES and
/// AES-128, SHA-256 for AES-192/256. 3DES keys get odd DES parity, which is
/// what the ICAO examples show.
pub fn kdf(shared: &[u8], counter: u32, cipher: CipherKind) -> Secret {
    let c = counter.to_be_bytes();
    let digest: Secret = match cipher {
        CipherKind::Tdes | CipherKind::Aes128 => {
            let mut h = Sha1::new();
            h.update(shared);
            h.update(c);
            Zeroizing::new(h.finalize().to_vec())
        }
        CipherKind::Aes192 | CipherKind::Aes256 => {
            let mut h = Sha256::new();
            h.update(shared);
            h.update(c);
            Zeroizing::new(h.finalize().to_vec())
        }
    };
    let mut key = Zeroizing::new(digest.get(..cipher.key_len()).unwrap_or(&[]).to_vec());
    if cipher == CipherKind::Tdes {
        set_des_parity(&mut key);
    }
    key
}

/// Sets each byte's low bit so the byte has odd parity.
pub fn set_des_parity(key: &mut [u8]) {
    for b in key.iter_mut() {
        let ones = (*b & 0xFE).count_ones();
        *b = (*b & 0xFE) | u8::from(ones % 2 == 0);
    }
}

/// Appends 0x80 and zeros up to the next block boundary (always adds at least one byte).
pub fn pad(data: &[u8], block: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + block);
    out.extend_from_slice(data);
    out.push(0x80);
    while out.len() % block != 0 {
        out.push(0);
    }
    out
}

/// Strips ISO 7816-4 padding.
pub fn unpad(data: &[u8]) -> Result<&[u8], CryptoError> {
    let end = data
        .iter()
        .rposition(|b| *b != 0)
        .ok_or(CryptoError::BadPadding)?;
    match data.get(end) {
        Some(0x80) => Ok(data.get(..end).unwrap_or(&[])),
        _ => Err(CryptoError::BadPadding),
    }
}

fn check_key(cipher: CipherKind, key: &[u8]) -> Result<(), CryptoError> {
    if key.len() != cipher.key_len() {
        return Err(CryptoError::KeyLength {
            cipher,
            len: key.len(),
            expected: cipher.key_len(),
        });
    }
    Ok(())
}

fn check_blocks(data: &[u8], iv: &[u8], block: usize) -> Result<(), CryptoError> {
    if data.len().checked_rem(block) != Some(0) {
        return Err(CryptoError::NotBlockAligned {
            len: data.len(),
            block,
        });
    }
    if iv.len() != block {
        return Err(CryptoError::IvLength {
            len: iv.len(),
            block,
        });
    }
    Ok(())
}

fn cbc_enc<C: BlockCipherEncrypt>(c: &C, iv: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut prev: Vec<u8> = iv.to_vec();
    for chunk in data.chunks(prev.len()) {
        let mut block = Array::<u8, C::BlockSize>::default();
        for ((o, a), b) in block.iter_mut().zip(chunk).zip(&prev) {
            *o = a ^ b;
        }
        c.encrypt_block(&mut block);
        prev.copy_from_slice(&block);
        out.extend_from_slice(&block);
    }
    out
}

fn cbc_dec<C: BlockCipherDecrypt>(c: &C, iv: &[u8], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut prev: &[u8] = iv;
    for chunk in data.chunks(iv.len()) {
        let mut block = Array::<u8, C::BlockSize>::default();
        block.iter_mut().zip(chunk).for_each(|(o, i)| *o = *i);
        c.decrypt_block(&mut block);
        out.extend(block.iter().zip(prev).map(|(a, b)| a ^ b));
        prev = chunk;
    }
    out
}

macro_rules! with_cipher {
    ($kind:expr, $key:expr, |$c:ident| $body:expr) => {{
        check_key($kind, $key)?;
        let bad_key = || CryptoError::KeyLength {
            cipher: $kind,
            len: $key.len(),
            expected: $kind.key_len(),
        };
        match $kind {
            CipherKind::Tdes => {
                let $c = TdesEde2::new_from_slice($key).map_err(|_| bad_key())?;
                $body
            }
            CipherKind::Aes128 => {
                let $c = Aes128::new_from_slice($key).map_err(|_| bad_key())?;
                $body
            }
            CipherKind::Aes192 => {
                let $c = Aes192::new_from_slice($key).map_err(|_| bad_key())?;
                $body
            }
            CipherKind::Aes256 => {
                let $c = Aes256::new_from_slice($key).map_err(|_| bad_key())?;
                $body
            }
        }
    }};
}

/// CBC encryption of block-aligned data.
pub fn encrypt_cbc(
    cipher: CipherKind,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    check_blocks(data, iv, cipher.block_size())?;
    with_cipher!(cipher, key, |c| Ok(cbc_enc(&c, iv, data)))
}

/// CBC decryption of block-aligned data.
pub fn decrypt_cbc(
    cipher: CipherKind,
    key: &[u8],
    iv: &[u8],
    data: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    check_blocks(data, iv, cipher.block_size())?;
    with_cipher!(cipher, key, |c| Ok(cbc_dec(&c, iv, data)))
}

/// One block encrypted in ECB mode (the AES secure-messaging IV is E(K, SSC)).
pub fn encrypt_block(cipher: CipherKind, key: &[u8], block: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let zero = vec![0u8; cipher.block_size()];
    encrypt_cbc(cipher, key, &zero, block)
}

/// The 8-byte MAC of ICAO 9303: retail MAC for 3DES (over data the caller
/// has already padded), AES-CMAC truncated to 8 bytes for AES.
pub fn mac(cipher: CipherKind, key: &[u8], data: &[u8]) -> Result<[u8; 8], CryptoError> {
    check_key(cipher, key)?;
    let full: Vec<u8> = match cipher {
        CipherKind::Tdes => retail_mac(key, data)?,
        CipherKind::Aes128 => cmac_bytes::<Cmac<Aes128>>(key, data)?,
        CipherKind::Aes192 => cmac_bytes::<Cmac<Aes192>>(key, data)?,
        CipherKind::Aes256 => cmac_bytes::<Cmac<Aes256>>(key, data)?,
    };
    let mut out = [0u8; 8];
    out.iter_mut().zip(&full).for_each(|(o, i)| *o = *i);
    Ok(out)
}

fn cmac_bytes<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let mut m = <M as KeyInit>::new_from_slice(key).map_err(|_| CryptoError::KeyLength {
        cipher: CipherKind::Aes128,
        len: key.len(),
        expected: 16,
    })?;
    m.update(data);
    Ok(m.finalize().into_bytes().to_vec())
}

/// ISO 9797-1 MAC algorithm 3 with DES: single-DES CBC-MAC under Ka, then the
/// last block decrypted under Kb and encrypted under Ka.
fn retail_mac(key: &[u8], data: &[u8]) -> Result<Vec<u8>, CryptoError> {
    check_blocks(data, &[0u8; 8], 8)?;
    let (ka, kb) = key.split_at(8);
    let bad = || CryptoError::KeyLength {
        cipher: CipherKind::Tdes,
        len: key.len(),
        expected: 16,
    };
    let a = Des::new_from_slice(ka).map_err(|_| bad())?;
    let b = Des::new_from_slice(kb).map_err(|_| bad())?;
    let mut state = Array::<u8, <Des as aes::cipher::BlockSizeUser>::BlockSize>::default();
    for chunk in data.chunks(8) {
        state.iter_mut().zip(chunk).for_each(|(s, d)| *s ^= d);
        a.encrypt_block(&mut state);
    }
    b.decrypt_block(&mut state);
    a.encrypt_block(&mut state);
    Ok(state.to_vec())
}

/// `base ^ exponent mod modulus` on big-endian byte strings, left-padded to
/// the modulus length: the raw RSA operation of ISO/IEC 9796-2 active
/// authentication. `None` for an even or zero modulus or a base not below it.
pub fn rsa_raw(base: &[u8], exponent: &[u8], modulus: &[u8]) -> Option<Vec<u8>> {
    use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
    use crypto_bigint::{BoxedUint, Odd};
    let skip = modulus.iter().take_while(|b| **b == 0).count();
    let modulus = modulus.get(skip..)?;
    if modulus.is_empty() || modulus.len() > 2048 {
        return None;
    }
    let bits = u32::try_from(modulus.len() * 8).ok()?;
    let n = BoxedUint::from_be_slice(modulus, bits).ok()?;
    let precision = n.bits_precision();
    let b = BoxedUint::from_be_slice(base, precision).ok()?;
    if b >= n {
        return None;
    }
    let n: Odd<BoxedUint> = Odd::new(n).into_option()?;
    let params = BoxedMontyParams::new_vartime(n);
    let e = BoxedUint::from_be_slice_vartime(exponent);
    let r = BoxedMontyForm::new(b, &params).pow(&e).retrieve();
    let bytes = r.to_be_bytes();
    let start = bytes.len().checked_sub(modulus.len())?;
    Some(bytes.get(start..)?.to_vec())
}

/// Constant-time comparison of MACs, tokens, codes and MRZs: the project's one
/// (subtle's, whose optimisation barrier a hand-written fold lacks). Only the
/// length is allowed to leak.
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// SHA-1 of data (the BAC key seed).
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut out = [0u8; 20];
    out.copy_from_slice(&Sha1::digest(data));
    out
}

/// Fills `buf` from the operating system's random source.
pub fn random_bytes(buf: &mut [u8]) -> Result<(), RandomError> {
    getrandom::fill(buf).map_err(|_| RandomError)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
#[error("the operating system's random source failed")]
pub struct RandomError;

/// Where the protocol gets randomness: the OS in production, fixed bytes in
/// tests that replay the ICAO worked examples.
pub trait Rng {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RandomError>;
}

/// The operating system's random source.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsRng;

impl Rng for OsRng {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RandomError> {
        random_bytes(buf)
    }
}

/// Replays a fixed byte sequence (tests and the ICAO examples), then fails.
#[derive(Clone, Default)]
pub struct FixedRng {
    bytes: Vec<u8>,
    pos: usize,
}

impl core::fmt::Debug for FixedRng {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "FixedRng({} bytes left)", self.bytes.len() - self.pos)
    }
}

impl FixedRng {
    pub fn new(bytes: Vec<u8>) -> Self {
        Self { bytes, pos: 0 }
    }
}

impl Rng for FixedRng {
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), RandomError> {
        let end = self.pos + buf.len();
        let src = self.bytes.get(self.pos..end).ok_or(RandomError)?;
        buf.copy_from_slice(src);
        self.pos = end;
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used)]
    use super::Rng;
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn hex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn bac_kdf_matches_icao_d2() {
        let seed = hex("239AB9CB282DAF66231DC5A4DF6BFBAE");
        assert_eq!(
            *kdf(&seed, KDF_ENC, CipherKind::Tdes),
            hex("AB94FDECF2674FDFB9B391F85D7F76F2")
        );
        assert_eq!(
            *kdf(&seed, KDF_MAC, CipherKind::Tdes),
            hex("7962D9ECE03D1ACD4C76089DCE131543")
        );
    }

    #[test]
    fn padding() {
        assert_eq!(pad(&[1, 2, 3], 8), [1, 2, 3, 0x80, 0, 0, 0, 0]);
        assert_eq!(pad(&[0; 8], 8).len(), 16);
        assert_eq!(unpad(&[1, 2, 0x80, 0, 0]).unwrap(), [1, 2]);
        assert_eq!(unpad(&[0x80]).unwrap(), [] as [u8; 0]);
        assert!(unpad(&[1, 2, 0, 0]).is_err());
        assert!(unpad(&[0, 0]).is_err());
        assert!(unpad(&[]).is_err());
    }

    #[test]
    fn aes_cbc_and_cmac_known_answers() {
        // NIST SP 800-38A F.2.1 (CBC-AES128.Encrypt), first block.
        let key = hex("2b7e151628aed2a6abf7158809cf4f3c");
        let iv = hex("000102030405060708090a0b0c0d0e0f");
        let pt = hex("6bc1bee22e409f96e93d7e117393172a");
        let ct = encrypt_cbc(CipherKind::Aes128, &key, &iv, &pt).unwrap();
        assert_eq!(ct, hex("7649abac8119b246cee98e9b12e9197d"));
        assert_eq!(decrypt_cbc(CipherKind::Aes128, &key, &iv, &ct).unwrap(), pt);
        // NIST SP 800-38B D.1 example 2 (CMAC-AES128 over 16 bytes), truncated.
        assert_eq!(
            mac(CipherKind::Aes128, &key, &pt).unwrap().to_vec(),
            hex("070a16b46b4d4144")
        );
    }

    #[test]
    fn errors_are_typed() {
        assert!(matches!(
            encrypt_cbc(CipherKind::Aes256, &[0; 16], &[0; 16], &[0; 16]),
            Err(CryptoError::KeyLength { expected: 32, .. })
        ));
        assert!(matches!(
            encrypt_cbc(CipherKind::Tdes, &[0; 16], &[0; 8], &[0; 7]),
            Err(CryptoError::NotBlockAligned { .. })
        ));
        assert!(matches!(
            mac(CipherKind::Tdes, &[0; 16], &[0; 7]),
            Err(CryptoError::NotBlockAligned { .. })
        ));
    }

    #[test]
    fn raw_rsa_small_numbers() {
        // 4^13 mod 497 = 445, and the textbook key n = 3233 (61 * 53), e = 17, d = 2753.
        assert_eq!(rsa_raw(&[4], &[13], &[0x01, 0xF1]).unwrap(), [0x01, 0xBD]);
        let m = [0x00, 0x41];
        let c = rsa_raw(&m, &[17], &[0x0C, 0xA1]).unwrap();
        assert_eq!(rsa_raw(&c, &[0x0A, 0xC1], &[0x0C, 0xA1]).unwrap(), m);
        assert!(rsa_raw(&[0x0D, 0x00], &[3], &[0x0C, 0xA1]).is_none());
        assert!(rsa_raw(&[1], &[3], &[0x0C, 0xA0]).is_none());
        assert!(rsa_raw(&[1], &[3], &[]).is_none());
    }

    #[test]
    fn fixed_rng_runs_dry() {
        let mut r = FixedRng::new(vec![1, 2, 3]);
        let mut b = [0u8; 2];
        r.fill(&mut b).unwrap();
        assert_eq!(b, [1, 2]);
        assert!(r.fill(&mut b).is_err());
    }

    proptest! {
        #[test]
        fn cbc_roundtrip(kind in prop_oneof![Just(CipherKind::Tdes), Just(CipherKind::Aes128), Just(CipherKind::Aes192), Just(CipherKind::Aes256)],
                         data in proptest::collection::vec(any::<u8>(), 0..100)) {
            let key = vec![0x42u8; kind.key_len()];
            let iv = vec![7u8; kind.block_size()];
            let padded = pad(&data, kind.block_size());
            let ct = encrypt_cbc(kind, &key, &iv, &padded).unwrap();
            let pt = decrypt_cbc(kind, &key, &iv, &ct).unwrap();
            prop_assert_eq!(unpad(&pt).unwrap(), &data[..]);
        }

        #[test]
        fn unpad_never_panics(data in proptest::collection::vec(any::<u8>(), 0..40)) {
            let _ = unpad(&data);
        }
    }
}
