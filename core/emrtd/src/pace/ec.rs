//! Elliptic-curve arithmetic over byte strings for every standardized eMRTD
//! curve (BSI TR-03110 part 3 table 4, ids 8 to 18).
//!
//! PACE's generic mapping needs operations a key-agreement API does not
//! offer (G' = s*G + H, scalar multiplication of arbitrary points), so this
//! works on points and scalars directly: generic over the RustCrypto curves
//! where a current-generation crate exists (P-256, P-384, brainpoolP256r1,
//! brainpoolP384r1), and on the document side's constant-time ladder
//! ([`crate::pki::weierstrass`]) for the others.

use elliptic_curve::group::Group;
use elliptic_curve::point::AffineCoordinates;
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use elliptic_curve::{
    AffinePoint, CurveArithmetic, FieldBytes, FieldBytesSize, PrimeField, ProjectivePoint, Scalar,
};
use zeroize::Zeroizing;

use crate::crypto::{RandomError, Rng};
use crate::lds::EcCurve;
use crate::pki::weierstrass::{CurveParams, KeyAgreementCurve};

/// The standardized eMRTD curves (parameter IDs 8 to 18).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Curve {
    P256,
    P384,
    BrainpoolP256r1,
    BrainpoolP384r1,
    P192,
    BrainpoolP192r1,
    P224,
    BrainpoolP224r1,
    BrainpoolP320r1,
    BrainpoolP512r1,
    P521,
}

/// Why an EC operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EcError {
    #[error("point is not a valid uncompressed point on {0:?}")]
    BadPoint(Curve),
    #[error("scalar is zero or not below the group order of {0:?}")]
    BadScalar(Curve),
    #[error("result is the point at infinity")]
    Identity,
    #[error(transparent)]
    Random(#[from] RandomError),
}

impl Curve {
    /// The standardized domain parameter ID of BSI TR-03110 / ICAO 9303 Part 11.
    pub const ALL: [Self; 11] = [
        Curve::P192,
        Curve::BrainpoolP192r1,
        Curve::P224,
        Curve::BrainpoolP224r1,
        Curve::P256,
        Curve::BrainpoolP256r1,
        Curve::BrainpoolP320r1,
        Curve::P384,
        Curve::BrainpoolP384r1,
        Curve::BrainpoolP512r1,
        Curve::P521,
    ];

    pub fn parameter_id(self) -> u8 {
        match self {
            Curve::P192 => 8,
            Curve::BrainpoolP192r1 => 9,
            Curve::P224 => 10,
            Curve::BrainpoolP224r1 => 11,
            Curve::P256 => 12,
            Curve::BrainpoolP256r1 => 13,
            Curve::BrainpoolP320r1 => 14,
            Curve::P384 => 15,
            Curve::BrainpoolP384r1 => 16,
            Curve::BrainpoolP512r1 => 17,
            Curve::P521 => 18,
        }
    }

    pub fn from_parameter_id(id: u64) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|c| u64::from(c.parameter_id()) == id)
    }

    /// The document side's name for the curve (keys in DG14, certificates).
    pub fn ec_curve(self) -> EcCurve {
        match self {
            Curve::P256 => EcCurve::P256,
            Curve::P384 => EcCurve::P384,
            Curve::BrainpoolP256r1 => EcCurve::BrainpoolP256r1,
            Curve::BrainpoolP384r1 => EcCurve::BrainpoolP384r1,
            Curve::P192 => EcCurve::P192,
            Curve::BrainpoolP192r1 => EcCurve::BrainpoolP192r1,
            Curve::P224 => EcCurve::P224,
            Curve::BrainpoolP224r1 => EcCurve::BrainpoolP224r1,
            Curve::BrainpoolP320r1 => EcCurve::BrainpoolP320r1,
            Curve::BrainpoolP512r1 => EcCurve::BrainpoolP512r1,
            Curve::P521 => EcCurve::P521,
        }
    }

    /// Key agreement on a chip key of the document side's curve.
    pub fn from_ec_curve(c: EcCurve) -> Self {
        match c {
            EcCurve::P256 => Curve::P256,
            EcCurve::P384 => Curve::P384,
            EcCurve::BrainpoolP256r1 => Curve::BrainpoolP256r1,
            EcCurve::BrainpoolP384r1 => Curve::BrainpoolP384r1,
            EcCurve::P192 => Curve::P192,
            EcCurve::BrainpoolP192r1 => Curve::BrainpoolP192r1,
            EcCurve::P224 => Curve::P224,
            EcCurve::BrainpoolP224r1 => Curve::BrainpoolP224r1,
            EcCurve::BrainpoolP320r1 => Curve::BrainpoolP320r1,
            EcCurve::BrainpoolP512r1 => Curve::BrainpoolP512r1,
            EcCurve::P521 => Curve::P521,
        }
    }

    /// Bytes of a field element (and of a scalar: on every standardized
    /// curve the order has the field's byte length).
    pub fn field_len(self) -> usize {
        self.ec_curve().field_len()
    }

    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::BrainpoolP256r1 => "brainpoolP256r1",
            Curve::BrainpoolP384r1 => "brainpoolP384r1",
            Curve::P192 => "P-192",
            Curve::BrainpoolP192r1 => "brainpoolP192r1",
            Curve::P224 => "P-224",
            Curve::BrainpoolP224r1 => "brainpoolP224r1",
            Curve::BrainpoolP320r1 => "brainpoolP320r1",
            Curve::BrainpoolP512r1 => "brainpoolP512r1",
            Curve::P521 => "P-521",
        }
    }

    /// The generic arithmetic's constants, for the curves without a
    /// current-generation RustCrypto crate with arithmetic here (P-521's
    /// crate is used for signatures; key agreement takes the ladder too).
    fn generic_params(self) -> Option<&'static CurveParams> {
        use crate::pki::weierstrass as w;
        Some(match self {
            Curve::P192 => &w::P192,
            Curve::BrainpoolP192r1 => &w::BRAINPOOL_P192R1,
            Curve::P224 => &w::P224,
            Curve::BrainpoolP224r1 => &w::BRAINPOOL_P224R1,
            Curve::BrainpoolP320r1 => &w::BRAINPOOL_P320R1,
            Curve::BrainpoolP512r1 => &w::BRAINPOOL_P512R1,
            Curve::P521 => &w::P521,
            Curve::P256 | Curve::P384 | Curve::BrainpoolP256r1 | Curve::BrainpoolP384r1 => {
                return None;
            }
        })
    }

    fn generic(self) -> Result<KeyAgreementCurve, EcError> {
        self.generic_params()
            .and_then(KeyAgreementCurve::new)
            .ok_or(EcError::Identity)
    }
}

/// The RustCrypto curve's function where there is one, else `$generic`
/// with `g` bound to the curve's [`KeyAgreementCurve`].
macro_rules! dispatch {
    ($curve:expr, $f:ident ( $($arg:expr),* ), |$g:ident| $generic:expr) => {
        match $curve {
            Curve::P256 => $f::<p256::NistP256>($curve, $($arg),*),
            Curve::P384 => $f::<p384::NistP384>($curve, $($arg),*),
            Curve::BrainpoolP256r1 => $f::<bp256::BrainpoolP256r1>($curve, $($arg),*),
            Curve::BrainpoolP384r1 => $f::<bp384::BrainpoolP384r1>($curve, $($arg),*),
            _ => {
                let $g = $curve.generic()?;
                $generic
            }
        }
    };
}

fn scalar<C: CurveArithmetic>(curve: Curve, bytes: &[u8]) -> Result<Scalar<C>, EcError> {
    let mut repr = FieldBytes::<C>::default();
    let len = repr.len();
    let start = len
        .checked_sub(bytes.len())
        .ok_or(EcError::BadScalar(curve))?;
    repr.get_mut(start..)
        .ok_or(EcError::BadScalar(curve))?
        .copy_from_slice(bytes);
    let s: Option<Scalar<C>> = Scalar::<C>::from_repr(repr).into();
    match s {
        Some(s) if !bool::from(elliptic_curve::Field::is_zero(&s)) => Ok(s),
        _ => Err(EcError::BadScalar(curve)),
    }
}

fn point<C>(curve: Curve, bytes: &[u8]) -> Result<ProjectivePoint<C>, EcError>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    // Only uncompressed points: that is what PACE and CA exchange, and it
    // keeps the infinity encoding (a single 00) out.
    if bytes.first() != Some(&0x04) || bytes.len() != 1 + 2 * curve.field_len() {
        return Err(EcError::BadPoint(curve));
    }
    let a = AffinePoint::<C>::from_sec1_bytes(bytes).map_err(|_| EcError::BadPoint(curve))?;
    let p = ProjectivePoint::<C>::from(a);
    if bool::from(p.is_identity()) {
        return Err(EcError::BadPoint(curve));
    }
    Ok(p)
}

fn encode<C>(p: &ProjectivePoint<C>) -> Result<Vec<u8>, EcError>
where
    C: CurveArithmetic,
    AffinePoint<C>: ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    if bool::from(p.is_identity()) {
        return Err(EcError::Identity);
    }
    let a: AffinePoint<C> = (*p).into();
    Ok(a.to_sec1_point(false).as_bytes().to_vec())
}

fn mul_gen<C>(curve: Curve, k: &[u8]) -> Result<Vec<u8>, EcError>
where
    C: CurveArithmetic,
    AffinePoint<C>: ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let k = scalar::<C>(curve, k)?;
    encode::<C>(&(ProjectivePoint::<C>::generator() * k))
}

fn mul_point<C>(curve: Curve, p: &[u8], k: &[u8]) -> Result<Vec<u8>, EcError>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let p = point::<C>(curve, p)?;
    let k = scalar::<C>(curve, k)?;
    encode::<C>(&(p * k))
}

fn map_generic<C>(curve: Curve, s: &[u8], h: &[u8]) -> Result<Vec<u8>, EcError>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C> + ToSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let h = point::<C>(curve, h)?;
    // The nonce is an integer of up to 32 bytes, possibly above the group
    // order on a 256-bit curve (AES-192/256 nonces): reduce it mod n.
    let mut repr = FieldBytes::<C>::default();
    let len = repr.len();
    let start = len.checked_sub(s.len()).ok_or(EcError::BadScalar(curve))?;
    repr.get_mut(start..)
        .ok_or(EcError::BadScalar(curve))?
        .copy_from_slice(s);
    let s = <Scalar<C> as elliptic_curve::ops::Reduce<FieldBytes<C>>>::reduce(&repr);
    encode::<C>(&(ProjectivePoint::<C>::generator() * s + h))
}

fn validate<C>(curve: Curve, p: &[u8]) -> Result<(), EcError>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    point::<C>(curve, p).map(|_| ())
}

fn x_of<C>(curve: Curve, p: &[u8]) -> Result<Vec<u8>, EcError>
where
    C: CurveArithmetic,
    AffinePoint<C>: FromSec1Point<C>,
    FieldBytesSize<C>: ModulusSize,
{
    let p = point::<C>(curve, p)?;
    let a: AffinePoint<C> = p.into();
    Ok(a.x().to_vec())
}

fn check_scalar<C: CurveArithmetic>(curve: Curve, k: &[u8]) -> Result<(), EcError> {
    scalar::<C>(curve, k).map(|_| ())
}

impl Curve {
    /// k*G, uncompressed.
    pub fn mul_generator(self, k: &[u8]) -> Result<Vec<u8>, EcError> {
        dispatch!(self, mul_gen(k), |g| g
            .mul(None, k)
            .ok_or(EcError::BadScalar(self)))
    }

    /// k*P for an uncompressed point P, uncompressed.
    pub fn mul(self, p: &[u8], k: &[u8]) -> Result<Vec<u8>, EcError> {
        dispatch!(self, mul_point(p, k), |g| {
            if !g.is_valid_point(p) {
                return Err(EcError::BadPoint(self));
            }
            g.mul(Some(p), k).ok_or(EcError::BadScalar(self))
        })
    }

    /// The generic mapping G' = s*G + H, uncompressed.
    pub fn map_generator(self, s: &[u8], h: &[u8]) -> Result<Vec<u8>, EcError> {
        dispatch!(self, map_generic(s, h), |g| {
            if !g.is_valid_point(h) {
                return Err(EcError::BadPoint(self));
            }
            g.mul_generator_add(s, h).ok_or(EcError::Identity)
        })
    }

    /// Checks that bytes are an uncompressed point on the curve other than infinity.
    pub fn validate_point(self, p: &[u8]) -> Result<(), EcError> {
        dispatch!(self, validate(p), |g| if g.is_valid_point(p) {
            Ok(())
        } else {
            Err(EcError::BadPoint(self))
        })
    }

    /// The x coordinate of a point, left-padded to the field size.
    pub fn x_coordinate(self, p: &[u8]) -> Result<Zeroizing<Vec<u8>>, EcError> {
        let n = self.field_len();
        dispatch!(self, x_of(p), |g| if g.is_valid_point(p) {
            Ok(p.get(1..1 + n).unwrap_or(&[]).to_vec())
        } else {
            Err(EcError::BadPoint(self))
        })
        .map(Zeroizing::new)
    }

    /// ECDH over an arbitrary generator: x(k * P), left-padded.
    pub fn shared_secret(self, p: &[u8], k: &[u8]) -> Result<Zeroizing<Vec<u8>>, EcError> {
        let q = Zeroizing::new(self.mul(p, k)?);
        self.x_coordinate(&q)
    }

    /// A uniformly drawn private scalar in [1, n-1] (rejection sampling).
    pub fn random_scalar(self, rng: &mut dyn Rng) -> Result<Zeroizing<Vec<u8>>, EcError> {
        for _ in 0..64 {
            let mut k = Zeroizing::new(vec![0u8; self.field_len()]);
            rng.fill(&mut k)?;
            // P-521's order has 521 bits: draw only those (else 127 of 128
            // draws would be rejected).
            if let (Some(top), 1..) = (k.first_mut(), self.prime_bits() % 8) {
                *top &= (1u8 << (self.prime_bits() % 8)) - 1;
            }
            if self.validate_scalar(&k).is_ok() {
                return Ok(k);
            }
        }
        Err(EcError::BadScalar(self))
    }

    /// Checks that bytes are a scalar in [1, n-1].
    pub fn validate_scalar(self, k: &[u8]) -> Result<(), EcError> {
        dispatch!(
            self,
            check_scalar(k),
            |g| if g.is_valid_scalar(k) && k.len() <= self.field_len() {
                Ok(())
            } else {
                Err(EcError::BadScalar(self))
            }
        )
    }
}

/// The prime p and the coefficients a, b of y^2 = x^3 + ax + b (big-endian
/// hex; SEC 2 and RFC 5639). Checked against each curve's generator in the
/// tests below.
fn equation(curve: Curve) -> (&'static str, &'static str, &'static str) {
    if let Some(c) = curve.generic_params() {
        return (c.p, c.a, c.b);
    }
    match curve {
        Curve::P256 => (
            "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF",
            "FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFC",
            "5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B",
        ),
        Curve::P384 => (
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFF",
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEFFFFFFFF0000000000000000FFFFFFFC",
            "B3312FA7E23EE7E4988E056BE3F82D19181D9C6EFE8141120314088F5013875AC656398D8A2ED19D2A85C8EDD3EC2AEF",
        ),
        Curve::BrainpoolP256r1 => (
            "A9FB57DBA1EEA9BC3E660A909D838D726E3BF623D52620282013481D1F6E5377",
            "7D5A0975FC2C3057EEF67530417AFFE7FB8055C126DC5C6CE94A4B44F330B5D9",
            "26DC5C6CE94A4B44F330B5D9BBD77CBF958416295CF7E1CE6BCCDC18FF8C07B6",
        ),
        Curve::BrainpoolP384r1 => (
            "8CB91E82A3386D280F5D6F7E50E641DF152F7109ED5456B412B1DA197FB71123ACD3A729901D1A71874700133107EC53",
            "7BC382C63D8C150C3C72080ACE05AFA0C2BEA28E4FB22787139165EFBA91F90F8AA5814A503AD4EB04A8C7DD22CE2826",
            "04A8C7DD22CE28268B39B55416F0447C2FB77DE107DCD2A62E880EA53EEB62D57CB4390295DBC9943AB78696FA504C11",
        ),
        // Answered from generic_params above; an empty p fails GfP::of.
        _ => ("", "", ""),
    }
}

fn from_hex(h: &str) -> Vec<u8> {
    (0..h.len() / 2)
        .filter_map(|i| h.get(2 * i..2 * i + 2))
        .filter_map(|b| u8::from_str_radix(b, 16).ok())
        .collect()
}

/// Arithmetic in GF(p) of one curve (for the point encoding of PACE-IM).
struct GfP {
    params: crypto_bigint::modular::BoxedMontyParams,
    p: crypto_bigint::BoxedUint,
    bits: u32,
}

type Fe = crypto_bigint::modular::BoxedMontyForm;

impl GfP {
    fn of(curve: Curve) -> Result<Self, EcError> {
        use crypto_bigint::{BoxedUint, Odd};
        let (p, _, _) = equation(curve);
        let bits = (curve.field_len() * 8) as u32;
        let p = BoxedUint::from_be_slice(&from_hex(p), bits).map_err(|_| EcError::Identity)?;
        let odd: Odd<BoxedUint> = Odd::new(p.clone()).into_option().ok_or(EcError::Identity)?;
        Ok(Self {
            params: crypto_bigint::modular::BoxedMontyParams::new_vartime(odd),
            p,
            bits,
        })
    }

    /// A field element from big-endian bytes, reduced mod p.
    fn element(&self, bytes: &[u8]) -> Result<Fe, EcError> {
        use crypto_bigint::{BoxedUint, NonZero, Resize};
        let width = (bytes.len() as u32 * 8).max(self.bits).div_ceil(64) * 64;
        let x = BoxedUint::from_be_slice(bytes, width).map_err(|_| EcError::Identity)?;
        let p = NonZero::new(self.p.clone().resize(width))
            .into_option()
            .ok_or(EcError::Identity)?;
        let r = (&x % &p).resize(self.bits);
        Ok(Fe::new(r, &self.params))
    }

    fn bytes(&self, e: &Fe, len: usize) -> Vec<u8> {
        let b = e.retrieve().to_be_bytes();
        let start = b.len().saturating_sub(len);
        let mut out = vec![0u8; len.saturating_sub(b.len())];
        out.extend_from_slice(b.get(start..).unwrap_or(&[]));
        out
    }
}

impl Curve {
    /// The ECDH point encoding f_G of PACE integrated mapping (ICAO 9303-11
    /// Appendix B, the simplified SWU map of [BCIMRT2010] for p = 3 mod 4,
    /// every curve but P-224; all have cofactor 1): the uncompressed point for the
    /// field element `t` (big-endian, reduced mod p).
    pub fn encode_to_point(self, t: &[u8]) -> Result<Vec<u8>, EcError> {
        use crypto_bigint::{BoxedUint, Resize};
        let f = GfP::of(self)?;
        let (_, a, b) = equation(self);
        let a = f.element(&from_hex(a))?;
        let b = f.element(&from_hex(b))?;
        let one = Fe::one(&f.params);
        let t = f.element(t)?;
        if bool::from(t.is_zero()) {
            return Err(EcError::Identity);
        }
        // 1. alpha = -t^2
        let alpha = -(&t * &t);
        // 2. X2 = -b * a^-1 * (1 + (alpha + alpha^2)^-1)
        let denom = &alpha + &(&alpha * &alpha);
        let inv = Option::<Fe>::from(denom.invert()).ok_or(EcError::Identity)?;
        let a_inv = Option::<Fe>::from(a.invert()).ok_or(EcError::Identity)?;
        let x2 = &(&(-b.clone()) * &a_inv) * &(&one + &inv);
        // 3. X3 = alpha * X2
        let x3 = &alpha * &x2;
        // 4. h2 = X2^3 + a X2 + b
        let h2 = &(&(&(&x2 * &x2) * &x2) + &(&a * &x2)) + &b;
        // 6. U = t^3 h2
        let u = &(&(&t * &t) * &t) * &h2;
        // 7. A = h2^(p - 1 - (p + 1) / 4)
        let p = f.p.clone().resize(f.bits + 64);
        let one_u = BoxedUint::one_with_precision(p.bits_precision());
        let quarter = p.wrapping_add(&one_u).shr(2);
        let exp = p.wrapping_sub(&one_u).wrapping_sub(&quarter).resize(f.bits);
        let big_a = h2.pow(&exp);
        // 8. (X2, A h2) if A^2 h2 = 1, else (X3, A U)
        let (x, y) = if (&(&big_a * &big_a) * &h2) == one {
            (x2, &big_a * &h2)
        } else {
            (x3, &big_a * &u)
        };
        let n = self.field_len();
        let mut point = vec![0x04];
        point.extend(f.bytes(&x, n));
        point.extend(f.bytes(&y, n));
        self.validate_point(&point)?;
        Ok(point)
    }

    /// `x mod p` as a field element of this curve's size (big-endian).
    pub fn reduce(self, x: &[u8]) -> Result<Vec<u8>, EcError> {
        let f = GfP::of(self)?;
        let e = f.element(x)?;
        Ok(f.bytes(&e, self.field_len()))
    }

    /// Bits of the prime p (every curve but P-521 fills its bytes).
    pub fn prime_bits(self) -> usize {
        match self {
            Curve::P521 => 521,
            _ => self.field_len() * 8,
        }
    }

    /// PACE-CAM's chip authentication data CA_IC = SK_IC^-1 * SK_Map,IC mod n
    /// (ICAO 9303-11, 4.4.3.5.1), left-padded to the field size.
    pub fn ca_data(self, sk_ic: &[u8], sk_map: &[u8]) -> Result<Zeroizing<Vec<u8>>, EcError> {
        dispatch!(self, ca_data_of(sk_ic, sk_map), |g| g
            .inverse_times(sk_ic, sk_map)
            .ok_or(EcError::BadScalar(self)))
        .map(Zeroizing::new)
    }
}

fn ca_data_of<C: CurveArithmetic>(
    curve: Curve,
    sk_ic: &[u8],
    sk_map: &[u8],
) -> Result<Vec<u8>, EcError> {
    let sk_ic = scalar::<C>(curve, sk_ic)?;
    let sk_map = scalar::<C>(curve, sk_map)?;
    let inv: Option<Scalar<C>> = elliptic_curve::Field::invert(&sk_ic).into();
    let ca = inv.ok_or(EcError::BadScalar(curve))? * sk_map;
    Ok(ca.to_repr().to_vec())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::crypto::FixedRng;

    /// The hard-coded p, a, b of each curve agree with the curve crate: its
    /// generator satisfies y^2 = x^3 + ax + b mod p.
    #[test]
    fn curve_equations_hold_for_the_generators() {
        for c in [
            Curve::P256,
            Curve::P384,
            Curve::BrainpoolP256r1,
            Curve::BrainpoolP384r1,
        ] {
            let mut one = vec![0u8; c.field_len()];
            *one.last_mut().unwrap() = 1;
            let g = c.mul_generator(&one).unwrap();
            let n = c.field_len();
            let f = GfP::of(c).unwrap();
            let x = f.element(&g[1..1 + n]).unwrap();
            let y = f.element(&g[1 + n..]).unwrap();
            let (_, a, b) = equation(c);
            let rhs = &(&(&(&x * &x) * &x) + &(&f.element(&from_hex(a)).unwrap() * &x))
                + &f.element(&from_hex(b)).unwrap();
            assert!(&y * &y == rhs, "{}", c.name());
        }
    }

    /// f_G lands on the curve for any input on every curve, in both of its
    /// branches (X2 and X3; each input takes one or the other about half the
    /// time, so 32 inputs miss one with probability 2^-31). The H.1 example
    /// checks one value on brainpoolP256r1 only.
    #[test]
    fn point_encoding_is_on_the_curve_for_any_input() {
        for c in [
            Curve::P256,
            Curve::P384,
            Curve::BrainpoolP256r1,
            Curve::BrainpoolP384r1,
        ] {
            for i in 0u8..32 {
                let t = crate::crypto::sha1(&[i, c.parameter_id()]).repeat(3);
                let p = c.encode_to_point(&t).unwrap();
                c.validate_point(&p).unwrap();
            }
            assert!(c.encode_to_point(&[0]).is_err());
        }
    }

    #[test]
    fn ecdh_agrees_on_every_curve() {
        for c in [
            Curve::P256,
            Curve::P384,
            Curve::BrainpoolP256r1,
            Curve::BrainpoolP384r1,
        ] {
            let a = vec![3u8; c.field_len()];
            let b = vec![5u8; c.field_len()];
            let pa = c.mul_generator(&a).unwrap();
            let pb = c.mul_generator(&b).unwrap();
            assert_eq!(pa.len(), 1 + 2 * c.field_len());
            assert_eq!(
                *c.shared_secret(&pb, &a).unwrap(),
                *c.shared_secret(&pa, &b).unwrap()
            );
            assert!(c.validate_point(&pa).is_ok());
            let mut bad = pa.clone();
            bad[5] ^= 1;
            assert!(c.validate_point(&bad).is_err());
            assert!(c.validate_point(&[0]).is_err());
            assert!(c.mul_generator(&vec![0u8; c.field_len()]).is_err());
            assert!(c.mul_generator(&vec![0xFFu8; c.field_len()]).is_err());
            let k = c
                .random_scalar(&mut FixedRng::new(
                    [vec![0xFF; c.field_len()], vec![7; c.field_len()]].concat(),
                ))
                .unwrap();
            assert_eq!(*k, vec![7; c.field_len()]);
        }
    }
}
