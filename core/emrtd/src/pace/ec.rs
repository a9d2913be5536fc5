//! Elliptic-curve arithmetic over byte strings for the four eMRTD curves.
//!
//! PACE's generic mapping needs operations a key-agreement API does not
//! offer (G' = s*G + H, scalar multiplication of arbitrary points), so this
//! works on points and scalars directly, generic over the RustCrypto curves.

use elliptic_curve::group::Group;
use elliptic_curve::point::AffineCoordinates;
use elliptic_curve::sec1::{FromSec1Point, ModulusSize, ToSec1Point};
use elliptic_curve::{
    AffinePoint, CurveArithmetic, FieldBytes, FieldBytesSize, PrimeField, ProjectivePoint, Scalar,
};
use zeroize::Zeroizing;

use crate::crypto::{RandomError, Rng};

/// The curves an eMRTD uses in practice (standardized parameter IDs 12, 13, 15, 16).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Curve {
    P256,
    P384,
    BrainpoolP256r1,
    BrainpoolP384r1,
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
    pub fn parameter_id(self) -> u8 {
        match self {
            Curve::P256 => 12,
            Curve::BrainpoolP256r1 => 13,
            Curve::P384 => 15,
            Curve::BrainpoolP384r1 => 16,
        }
    }

    pub fn from_parameter_id(id: u64) -> Option<Self> {
        Some(match id {
            12 => Curve::P256,
            13 => Curve::BrainpoolP256r1,
            15 => Curve::P384,
            16 => Curve::BrainpoolP384r1,
            _ => return None,
        })
    }

    /// Bytes of a field element (and of a scalar: both orders have the field's size here).
    pub fn field_len(self) -> usize {
        match self {
            Curve::P256 | Curve::BrainpoolP256r1 => 32,
            Curve::P384 | Curve::BrainpoolP384r1 => 48,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::BrainpoolP256r1 => "brainpoolP256r1",
            Curve::BrainpoolP384r1 => "brainpoolP384r1",
        }
    }
}

macro_rules! dispatch {
    ($curve:expr, $f:ident ( $($arg:expr),* )) => {
        match $curve {
            Curve::P256 => $f::<p256::NistP256>($curve, $($arg),*),
            Curve::P384 => $f::<p384::NistP384>($curve, $($arg),*),
            Curve::BrainpoolP256r1 => $f::<bp256::BrainpoolP256r1>($curve, $($arg),*),
            Curve::BrainpoolP384r1 => $f::<bp384::BrainpoolP384r1>($curve, $($arg),*),
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
    let s = scalar::<C>(curve, s)?;
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
        dispatch!(self, mul_gen(k))
    }

    /// k*P for an uncompressed point P, uncompressed.
    pub fn mul(self, p: &[u8], k: &[u8]) -> Result<Vec<u8>, EcError> {
        dispatch!(self, mul_point(p, k))
    }

    /// The generic mapping G' = s*G + H, uncompressed.
    pub fn map_generator(self, s: &[u8], h: &[u8]) -> Result<Vec<u8>, EcError> {
        dispatch!(self, map_generic(s, h))
    }

    /// Checks that bytes are an uncompressed point on the curve other than infinity.
    pub fn validate_point(self, p: &[u8]) -> Result<(), EcError> {
        dispatch!(self, validate(p))
    }

    /// The x coordinate of a point, left-padded to the field size.
    pub fn x_coordinate(self, p: &[u8]) -> Result<Zeroizing<Vec<u8>>, EcError> {
        dispatch!(self, x_of(p)).map(Zeroizing::new)
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
            if dispatch!(self, check_scalar(&k)).is_ok() {
                return Ok(k);
            }
        }
        Err(EcError::BadScalar(self))
    }

    /// Checks that bytes are a scalar in [1, n-1].
    pub fn validate_scalar(self, k: &[u8]) -> Result<(), EcError> {
        dispatch!(self, check_scalar(k))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::crypto::FixedRng;

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
