//! PACE integrated mapping's pseudo-random function R_p(s, t) (ICAO 9303-11,
//! 4.4.3.3.2, figure 2) and the chip-authentication-mapping data encryption
//! (4.4.3.5).

use crate::crypto::{self, CipherKind, CryptoError};
use zeroize::Zeroizing;

/// c0 and c1 for 3DES and AES-128 (l = 128).
const C0_128: [u8; 16] = [
    0xA6, 0x68, 0x89, 0x2A, 0x7C, 0x41, 0xE3, 0xCA, 0x73, 0x9F, 0x40, 0xB0, 0x57, 0xD8, 0x59, 0x04,
];
const C1_128: [u8; 16] = [
    0xA4, 0xE1, 0x36, 0xAC, 0x72, 0x5F, 0x73, 0x8B, 0x01, 0xC1, 0xF6, 0x02, 0x17, 0xC1, 0x88, 0xAD,
];
/// c0 and c1 for AES-192 and AES-256 (l = 256).
const C0_256: [u8; 32] = [
    0xD4, 0x63, 0xD6, 0x52, 0x34, 0x12, 0x4E, 0xF7, 0x89, 0x70, 0x54, 0x98, 0x6D, 0xCA, 0x0A, 0x17,
    0x4E, 0x28, 0xDF, 0x75, 0x8C, 0xBA, 0xA0, 0x3F, 0x24, 0x06, 0x16, 0x41, 0x4D, 0x5A, 0x16, 0x76,
];
const C1_256: [u8; 32] = [
    0x54, 0xBD, 0x72, 0x55, 0xF0, 0xAA, 0xF8, 0x31, 0xBE, 0xC3, 0x42, 0x3F, 0xCF, 0x39, 0xD6, 0x9B,
    0x6C, 0xBF, 0x06, 0x66, 0x77, 0xD0, 0xFA, 0xAE, 0x5A, 0xAD, 0xD9, 0x9D, 0xF8, 0xE5, 0x35, 0x17,
];

/// R(s, t) before the reduction mod p: `x_1 || ... || x_n` with n the
/// smallest count such that n*l >= `p_bits` + 64. `s` is the chip's nonce,
/// `t` the reader's (one key long); every key k_i is cut to the key length.
pub fn pseudo_random(
    cipher: CipherKind,
    s: &[u8],
    t: &[u8],
    p_bits: usize,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let k = cipher.key_len();
    let (c0, c1): (&[u8], &[u8]) = if k == 16 {
        (&C0_128, &C1_128)
    } else {
        (&C0_256, &C1_256)
    };
    let iv = vec![0u8; cipher.block_size()];
    let mut key = Zeroizing::new(crypto::encrypt_cbc(cipher, t, &iv, s)?);
    let mut out = Zeroizing::new(Vec::new());
    while out.len() * 8 < p_bits + 64 {
        let round = Zeroizing::new(key.get(..k).unwrap_or(&key).to_vec());
        out.extend(crypto::encrypt_cbc(cipher, &round, &iv, c1)?);
        key = Zeroizing::new(crypto::encrypt_cbc(cipher, &round, &iv, c0)?);
    }
    Ok(out)
}

/// The IV of the encrypted chip-authentication data: E(KSenc, -1), the
/// all-ones block (ICAO 9303-11, 4.4.3.5.4).
fn cam_iv(cipher: CipherKind, ks_enc: &[u8]) -> Result<Vec<u8>, CryptoError> {
    crypto::encrypt_block(cipher, ks_enc, &vec![0xFF; cipher.block_size()])
}

/// A_IC = E(KSenc, CA_IC) with padding method 2 (chip side).
pub fn encrypt_ca_data(
    cipher: CipherKind,
    ks_enc: &[u8],
    ca_ic: &[u8],
) -> Result<Vec<u8>, CryptoError> {
    let padded = Zeroizing::new(crypto::pad(ca_ic, cipher.block_size()));
    crypto::encrypt_cbc(cipher, ks_enc, &cam_iv(cipher, ks_enc)?, &padded)
}

/// CA_IC from A_IC (reader side).
pub fn decrypt_ca_data(
    cipher: CipherKind,
    ks_enc: &[u8],
    a_ic: &[u8],
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let plain = Zeroizing::new(crypto::decrypt_cbc(
        cipher,
        ks_enc,
        &cam_iv(cipher, ks_enc)?,
        a_ic,
    )?);
    Ok(Zeroizing::new(crypto::unpad(&plain)?.to_vec()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::crypto::tests::hex;
    use crate::pace::Curve;

    /// ICAO 9303-11 Appendix H.1 (ECDH integrated mapping, brainpoolP256r1, AES-128).
    #[test]
    fn icao_h1_pseudo_random_and_point_encoding() {
        let s = hex("2923BE84E16CD6AE529049F1F1BBE9EB");
        let t = hex("5DD4CBFC96F5453B130D890A1CDBAE32");
        let r = pseudo_random(CipherKind::Aes128, &s, &t, 256).unwrap();
        assert_eq!(
            *r,
            hex(
                "E4447E2DFB3586BAC05DDB00156B57FBB2179A3949294C97254189800C517BAA8DA0FF397ED8C445D3E421E4FEB57322"
            )
        );
        let c = Curve::BrainpoolP256r1;
        assert_eq!(
            c.reduce(&r).unwrap(),
            hex("A2F8FF2DF50E52C6599F386ADCB595D229F6A167ADE2BE5F2C3296ADD5B7430E")
        );
        let g = c.encode_to_point(&r).unwrap();
        assert_eq!(
            g,
            hex(
                "048E82D31559ED0FDE92A4D0498ADD3C23BABA94FB77691E31E90AEA77FB17D4274C1AE14BD0C3DBAC0C871B7F3608169364437CA30AC243A089D3F266C1E60FAD"
            )
        );
    }

    /// ICAO 9303-11 Appendix I.1 (chip-authentication mapping): the IV, the
    /// decryption of A_IC and the check CA_IC * PK_IC = PK_Map,IC.
    #[test]
    fn icao_i1_chip_authentication_data() {
        let c = Curve::BrainpoolP256r1;
        let k = hex("67950559D0C06B4D4B86972D14460837461087F8419FDBC36AAF6CEAAC462832");
        let ks_enc = crypto::kdf(&k, crypto::KDF_ENC, CipherKind::Aes128);
        assert_eq!(
            cam_iv(CipherKind::Aes128, &ks_enc).unwrap(),
            hex("F6A3B75A1E933941DD7A13E2520779DF")
        );
        let a_ic = hex(
            "1EEA964DAAE372AC990E3EFDE6333353BFC89A6704D93DA8798CF77F5B7A54BD10CBA372B42BE0B9B5F28AA8DE2F4F92",
        );
        let ca_ic = decrypt_ca_data(CipherKind::Aes128, &ks_enc, &a_ic).unwrap();
        assert_eq!(
            *ca_ic,
            hex("85DC3FA93D0952BFA82F5FD189EE75BD82F11D1F0B8ED4BF5319AC9B53C426B3")
        );
        let pk_ic = hex(
            "041872709494399E7470A6431BE25E83EEE24FEA568C2ED28DB48E05DB3A610DC884D256A40E35EFCB59BF6753D3A489D28C7A4D973C2DA138A6E7A4A08F68E16F",
        );
        let pk_map_ic = hex(
            "04A234236AA9B9621E8EFB73B5245C0E09D2576E5277183C1208BDD55280CAE8B304F365713A356E65A451E165ECC9AC0AC46E3771342C8FE5AEDD092685338E23",
        );
        assert_eq!(c.mul(&pk_ic, &ca_ic).unwrap(), pk_map_ic);
        // And the chip side round trip.
        assert_eq!(
            encrypt_ca_data(CipherKind::Aes128, &ks_enc, &ca_ic).unwrap(),
            a_ic
        );
    }
}
