//! ECDSA verification on prime curves that have no RustCrypto crate of the
//! current generation (brainpoolP192r1/P224r1/P320r1/P512r1, P-192, P-224),
//! over `crypto-bigint`'s Montgomery arithmetic with the curve's constants.
//!
//! Verification handles public data only (key, signature, hash), so the
//! variable-time double-and-add below leaks nothing secret. It is checked
//! against Wycheproof's vectors and against the RustCrypto curve crates
//! (tests below and in tests/curves.rs).

use super::signature::SignatureError;
use crypto_bigint::modular::{BoxedMontyForm, BoxedMontyParams};
use crypto_bigint::{BoxedUint, Odd};

/// Short Weierstrass curve `y^2 = x^3 + a x + b` over GF(p), cofactor 1,
/// as hex strings (big-endian, as RFC 5639 and SEC 2 print them).
pub(crate) struct CurveParams {
    pub p: &'static str,
    pub a: &'static str,
    pub b: &'static str,
    pub gx: &'static str,
    pub gy: &'static str,
    pub n: &'static str,
}

/// A curve's field and order arithmetic, ready for verification.
struct Curve {
    fp: BoxedMontyParams,
    fnp: BoxedMontyParams,
    a: BoxedMontyForm,
    b: BoxedMontyForm,
    g: Affine,
    n: BoxedUint,
    p: BoxedUint,
    field_len: usize,
}

#[derive(Clone)]
struct Affine {
    x: BoxedMontyForm,
    y: BoxedMontyForm,
}

/// Jacobian coordinates; `z = 0` is the point at infinity.
#[derive(Clone)]
struct Jacobian {
    x: BoxedMontyForm,
    y: BoxedMontyForm,
    z: BoxedMontyForm,
}

fn unhex(s: &str) -> Vec<u8> {
    s.as_bytes()
        .chunks(2)
        .map(|c| {
            let d = |x: u8| match x {
                b'0'..=b'9' => x - b'0',
                b'a'..=b'f' => x - b'a' + 10,
                b'A'..=b'F' => x - b'A' + 10,
                _ => 0,
            };
            (d(c.first().copied().unwrap_or(b'0')) << 4) | d(c.get(1).copied().unwrap_or(b'0'))
        })
        .collect()
}

impl Curve {
    fn new(c: &CurveParams) -> Option<Self> {
        let p_bytes = unhex(c.p);
        let field_len = p_bytes.len();
        let bits = u32::try_from(field_len * 8).ok()?;
        let p = BoxedUint::from_be_slice(&p_bytes, bits).ok()?;
        let n_bytes = unhex(c.n);
        let n_bits = u32::try_from(n_bytes.len() * 8).ok()?;
        let n = BoxedUint::from_be_slice(&n_bytes, n_bits).ok()?;
        let fp = BoxedMontyParams::new_vartime(Odd::new(p.clone()).into_option()?);
        let fnp = BoxedMontyParams::new_vartime(Odd::new(n.clone()).into_option()?);
        let fe = |s: &str| {
            BoxedUint::from_be_slice(&unhex(s), bits)
                .ok()
                .map(|v| BoxedMontyForm::new(v, &fp))
        };
        Some(Self {
            a: fe(c.a)?,
            b: fe(c.b)?,
            g: Affine {
                x: fe(c.gx)?,
                y: fe(c.gy)?,
            },
            fp: fp.clone(),
            fnp,
            n,
            p,
            field_len,
        })
    }

    fn zero(&self) -> BoxedMontyForm {
        BoxedMontyForm::zero(&self.fp)
    }

    fn one(&self) -> BoxedMontyForm {
        BoxedMontyForm::one(&self.fp)
    }

    /// A field element from big-endian bytes, `None` unless `< p`.
    fn element(&self, bytes: &[u8]) -> Option<BoxedMontyForm> {
        let v = BoxedUint::from_be_slice(bytes, self.p.bits_precision()).ok()?;
        (v < self.p).then(|| BoxedMontyForm::new(v, &self.fp))
    }

    /// An uncompressed SEC1 point that lies on the curve.
    fn decode_point(&self, sec1: &[u8]) -> Result<Affine, SignatureError> {
        let bad = SignatureError::MalformedKey("EC point not on the curve or not uncompressed");
        let (x, y) = match sec1.split_first() {
            Some((0x04, xy)) if xy.len() == 2 * self.field_len => xy.split_at(self.field_len),
            _ => return Err(bad),
        };
        let x = self.element(x).ok_or(bad.clone())?;
        let y = self.element(y).ok_or(bad.clone())?;
        let lhs = y.square();
        let rhs = &(&(&x.square() * &x) + &(&self.a * &x)) + &self.b;
        if !is_zero(&(&lhs - &rhs)) {
            return Err(bad);
        }
        Ok(Affine { x, y })
    }

    fn to_jacobian(&self, p: &Affine) -> Jacobian {
        Jacobian {
            x: p.x.clone(),
            y: p.y.clone(),
            z: self.one(),
        }
    }

    fn infinity(&self) -> Jacobian {
        Jacobian {
            x: self.one(),
            y: self.one(),
            z: self.zero(),
        }
    }

    /// dbl-2007-bl (any `a`).
    fn double(&self, p: &Jacobian) -> Jacobian {
        if is_zero(&p.z) || is_zero(&p.y) {
            return self.infinity();
        }
        let xx = p.x.square();
        let yy = p.y.square();
        let yyyy = yy.square();
        let zz = p.z.square();
        let s = (&(&p.x + &yy).square() - &xx - &yyyy).double();
        let m = &(&xx.double() + &xx) + &(&self.a * &zz.square());
        let t = &m.square() - &s.double();
        let y3 = &(&m * &(&s - &t)) - &yyyy.double().double().double();
        let z3 = &(&(&p.y + &p.z).square() - &yy) - &zz;
        Jacobian { x: t, y: y3, z: z3 }
    }

    /// add-2007-bl, with the doubling and inverse cases.
    fn add(&self, p: &Jacobian, q: &Jacobian) -> Jacobian {
        if is_zero(&p.z) {
            return q.clone();
        }
        if is_zero(&q.z) {
            return p.clone();
        }
        let z1z1 = p.z.square();
        let z2z2 = q.z.square();
        let u1 = &p.x * &z2z2;
        let u2 = &q.x * &z1z1;
        let s1 = &(&p.y * &q.z) * &z2z2;
        let s2 = &(&q.y * &p.z) * &z1z1;
        let h = &u2 - &u1;
        let r = (&s2 - &s1).double();
        if is_zero(&h) {
            return if is_zero(&r) {
                self.double(p)
            } else {
                self.infinity()
            };
        }
        let i = h.double().square();
        let j = &h * &i;
        let v = &u1 * &i;
        let x3 = &(&r.square() - &j) - &v.double();
        let y3 = &(&r * &(&v - &x3)) - &(&s1 * &j).double();
        let z3 = &(&(&p.z + &q.z).square() - &z1z1 - &z2z2) * &h;
        Jacobian {
            x: x3,
            y: y3,
            z: z3,
        }
    }

    /// `u1 G + u2 Q` by Shamir's trick (public scalars only).
    fn double_mul(&self, u1: &BoxedUint, u2: &BoxedUint, q: &Affine) -> Jacobian {
        let g = self.to_jacobian(&self.g);
        let q = self.to_jacobian(q);
        let gq = self.add(&g, &q);
        let bits = u1.bits_vartime().max(u2.bits_vartime());
        let mut acc = self.infinity();
        for i in (0..bits).rev() {
            acc = self.double(&acc);
            match (u1.bit_vartime(i), u2.bit_vartime(i)) {
                (true, true) => acc = self.add(&acc, &gq),
                (true, false) => acc = self.add(&acc, &g),
                (false, true) => acc = self.add(&acc, &q),
                (false, false) => {}
            }
        }
        acc
    }

    /// An integer mod n from big-endian bytes; `None` unless `0 < v < n`.
    fn scalar(&self, bytes: &[u8]) -> Option<BoxedUint> {
        let bytes = strip(bytes);
        let v = BoxedUint::from_be_slice(bytes, self.n.bits_precision()).ok()?;
        (bool::from(!v.is_zero()) && v < self.n).then_some(v)
    }

    /// bits2int (SEC 1 §4.1.3 step 5): the leftmost `bits(n)` bits of the
    /// hash, reduced mod n.
    fn hash_to_scalar(&self, hash: &[u8]) -> BoxedUint {
        let n_bits = self.n.bits_vartime();
        let h = BoxedUint::from_be_slice_vartime(hash);
        let hash_bits = u32::try_from(hash.len() * 8).unwrap_or(u32::MAX);
        let h = if hash_bits > n_bits {
            h.shr_vartime(hash_bits - n_bits).unwrap_or(h)
        } else {
            h
        };
        // Now h < 2^bits(n) < 2n: one conditional subtraction reduces it.
        let h = widen(&h, self.n.bits_precision());
        if h >= self.n {
            h.wrapping_sub(&self.n)
        } else {
            h
        }
    }

    fn verify(&self, point: &[u8], hash: &[u8], r: &[u8], s: &[u8]) -> Result<(), SignatureError> {
        let q = self.decode_point(point)?;
        let r = self.scalar(r).ok_or(SignatureError::Invalid)?;
        let s = self.scalar(s).ok_or(SignatureError::Invalid)?;
        let e = self.hash_to_scalar(hash);
        let s_inv = BoxedMontyForm::new(s, &self.fnp)
            .invert_vartime()
            .into_option()
            .ok_or(SignatureError::Invalid)?;
        let u1 = (&BoxedMontyForm::new(e, &self.fnp) * &s_inv).retrieve();
        let u2 = (&BoxedMontyForm::new(r.clone(), &self.fnp) * &s_inv).retrieve();
        let sum = self.double_mul(&u1, &u2, &q);
        if is_zero(&sum.z) {
            return Err(SignatureError::Invalid);
        }
        let z_inv = sum
            .z
            .invert_vartime()
            .into_option()
            .ok_or(SignatureError::Invalid)?;
        let x = (&sum.x * &z_inv.square()).retrieve();
        // x mod n: x < p, and p < 2n for every curve here.
        let x = widen(&x, self.n.bits_precision().max(x.bits_precision()));
        let n = widen(&self.n, x.bits_precision());
        let x = if x >= n { x.wrapping_sub(&n) } else { x };
        if widen(&x, r.bits_precision().max(x.bits_precision()))
            == widen(&r, r.bits_precision().max(x.bits_precision()))
        {
            Ok(())
        } else {
            Err(SignatureError::Invalid)
        }
    }
}

fn is_zero(v: &BoxedMontyForm) -> bool {
    bool::from(v.is_zero())
}

fn strip(b: &[u8]) -> &[u8] {
    let skip = b.iter().take_while(|&&x| x == 0).count();
    b.get(skip..).unwrap_or(&[])
}

/// `v` at `bits` precision (value unchanged; `v` must fit).
fn widen(v: &BoxedUint, bits: u32) -> BoxedUint {
    let bytes = v.to_be_bytes();
    let bytes = strip(&bytes);
    BoxedUint::from_be_slice(bytes, bits).unwrap_or_else(|_| BoxedUint::zero_with_precision(bits))
}

/// Verifies an ECDSA signature `(r, s)` over a message hash with an
/// uncompressed SEC1 point on `params`.
pub(crate) fn verify_prehash(
    params: &CurveParams,
    point: &[u8],
    hash: &[u8],
    r: &[u8],
    s: &[u8],
) -> Result<(), SignatureError> {
    let curve = Curve::new(params).ok_or(SignatureError::UnsupportedCurve)?;
    curve.verify(point, hash, r, s)
}

/// Curve constants from RFC 5639 (Brainpool) and SEC 2 (NIST), as printed
/// by `openssl ecparam -param_enc explicit -text`.
/// The same curves for key agreement (chip authentication, PACE), where
/// scalars are secret: scalar multiplication is a Montgomery ladder with
/// constant-time conditional swaps over constant-time field arithmetic, on
/// the scalar plus one or two times the order so that every scalar has the
/// same bit length. Points are uncompressed SEC1 bytes, scalars big-endian.
#[cfg(any(feature = "reader", feature = "issuer", test))]
pub(crate) struct KeyAgreementCurve(Curve);

#[cfg(any(feature = "reader", feature = "issuer", test))]
// The issuer needs only public keys; the reader all of it.
#[cfg_attr(not(feature = "reader"), allow(dead_code))]
impl KeyAgreementCurve {
    pub(crate) fn new(params: &CurveParams) -> Option<Self> {
        Curve::new(params).map(Self)
    }

    /// An uncompressed point on the curve (never infinity, which has no
    /// uncompressed encoding).
    pub(crate) fn is_valid_point(&self, sec1: &[u8]) -> bool {
        self.0.decode_point(sec1).is_ok()
    }

    /// A scalar in [1, n-1].
    pub(crate) fn is_valid_scalar(&self, k: &[u8]) -> bool {
        self.0.scalar(k).is_some()
    }

    /// k * P (P = the generator when `point` is `None`); `None` for an
    /// invalid point or scalar.
    pub(crate) fn mul(&self, point: Option<&[u8]>, k: &[u8]) -> Option<Vec<u8>> {
        let p = match point {
            Some(sec1) => self.0.decode_point(sec1).ok()?,
            None => self.0.g.clone(),
        };
        let k = self.0.scalar(k)?;
        self.encode(&self.ladder(&p, &k))
    }

    /// s * G + H with s (any length) reduced mod n: PACE's generic mapping.
    pub(crate) fn mul_generator_add(&self, s: &[u8], h: &[u8]) -> Option<Vec<u8>> {
        let h = self.0.decode_point(h).ok()?;
        let width = (u32::try_from(s.len()).ok()? * 8)
            .max(self.0.n.bits_precision())
            .div_ceil(64)
            * 64;
        let s = BoxedUint::from_be_slice(s, width).ok()?;
        let n = crypto_bigint::NonZero::new(widen(&self.0.n, width)).into_option()?;
        let s = widen(&(&s % &n), self.0.n.bits_precision());
        let h = self.0.to_jacobian(&h);
        if bool::from(s.is_zero()) {
            return self.encode(&h);
        }
        let sg = self.ladder(&self.0.g, &s);
        self.encode(&self.0.add(&sg, &h))
    }

    /// a^-1 * b mod n, left-padded to the field size (PACE-CAM's CA_IC).
    pub(crate) fn inverse_times(&self, a: &[u8], b: &[u8]) -> Option<Vec<u8>> {
        let a = BoxedMontyForm::new(self.0.scalar(a)?, &self.0.fnp);
        let b = BoxedMontyForm::new(self.0.scalar(b)?, &self.0.fnp);
        let inv = a.invert().into_option()?;
        Some(self.bytes(&(&inv * &b)))
    }

    fn bytes(&self, v: &BoxedMontyForm) -> Vec<u8> {
        let b = v.retrieve().to_be_bytes();
        let len = self.0.field_len;
        let mut out = vec![0u8; len.saturating_sub(b.len())];
        out.extend_from_slice(b.get(b.len().saturating_sub(len)..).unwrap_or(&[]));
        out
    }

    fn encode(&self, p: &Jacobian) -> Option<Vec<u8>> {
        if is_zero(&p.z) {
            return None;
        }
        let zi = p.z.invert().into_option()?;
        let zi2 = zi.square();
        let x = &p.x * &zi2;
        let y = &(&p.y * &zi2) * &zi;
        let mut out = Vec::with_capacity(1 + 2 * self.0.field_len);
        out.push(0x04);
        out.extend(self.bytes(&x));
        out.extend(self.bytes(&y));
        Some(out)
    }

    /// k * P for k in [1, n-1].
    fn ladder(&self, p: &Affine, k: &BoxedUint) -> Jacobian {
        use crypto_bigint::CtSelect;
        let c = &self.0;
        let bits = c.n.bits_vartime();
        let width = c.n.bits_precision() + 64;
        let n = widen(&c.n, width);
        // k + n lies in [n, 2n); when it lacks bit `bits`, k + 2n has it.
        // Either way the top bit is `bits` and the multiple is the same.
        let k1 = widen(k, width).wrapping_add(&n);
        let k2 = k1.wrapping_add(&n);
        let k = k1.ct_select(&k2, !k1.bit(bits));
        let swap = |a: &mut Jacobian, b: &mut Jacobian, choice| {
            let (na, nb) = (
                Jacobian {
                    x: a.x.ct_select(&b.x, choice),
                    y: a.y.ct_select(&b.y, choice),
                    z: a.z.ct_select(&b.z, choice),
                },
                Jacobian {
                    x: b.x.ct_select(&a.x, choice),
                    y: b.y.ct_select(&a.y, choice),
                    z: b.z.ct_select(&a.z, choice),
                },
            );
            *a = na;
            *b = nb;
        };
        // Invariant: r1 = r0 + P, r0 = (the bits of k seen so far) * P.
        let mut r0 = c.to_jacobian(p);
        let mut r1 = c.double(&r0);
        for i in (0..bits).rev() {
            let bit = k.bit(i);
            swap(&mut r0, &mut r1, bit);
            r1 = c.add(&r0, &r1);
            r0 = c.double(&r0);
            swap(&mut r0, &mut r1, bit);
        }
        r0
    }
}

pub(crate) const P192: CurveParams = CurveParams {
    p: "fffffffffffffffffffffffffffffffeffffffffffffffff",
    a: "fffffffffffffffffffffffffffffffefffffffffffffffc",
    b: "64210519e59c80e70fa7e9ab72243049feb8deecc146b9b1",
    gx: "188da80eb03090f67cbf20eb43a18800f4ff0afd82ff1012",
    gy: "07192b95ffc8da78631011ed6b24cdd573f977a11e794811",
    n: "ffffffffffffffffffffffff99def836146bc9b1b4d22831",
};
pub(crate) const BRAINPOOL_P192R1: CurveParams = CurveParams {
    p: "c302f41d932a36cda7a3463093d18db78fce476de1a86297",
    a: "6a91174076b1e0e19c39c031fe8685c1cae040e5c69a28ef",
    b: "469a28ef7c28cca3dc721d044f4496bcca7ef4146fbf25c9",
    gx: "c0a0647eaab6a48753b033c56cb0f0900a2f5c4853375fd6",
    gy: "14b690866abd5bb88b5f4828c1490002e6773fa2fa299b8f",
    n: "c302f41d932a36cda7a3462f9e9e916b5be8f1029ac4acc1",
};
pub(crate) const P224: CurveParams = CurveParams {
    p: "ffffffffffffffffffffffffffffffff000000000000000000000001",
    a: "fffffffffffffffffffffffffffffffefffffffffffffffffffffffe",
    b: "b4050a850c04b3abf54132565044b0b7d7bfd8ba270b39432355ffb4",
    gx: "b70e0cbd6bb4bf7f321390b94a03c1d356c21122343280d6115c1d21",
    gy: "bd376388b5f723fb4c22dfe6cd4375a05a07476444d5819985007e34",
    n: "ffffffffffffffffffffffffffff16a2e0b8f03e13dd29455c5c2a3d",
};
pub(crate) const BRAINPOOL_P224R1: CurveParams = CurveParams {
    p: "d7c134aa264366862a18302575d1d787b09f075797da89f57ec8c0ff",
    a: "68a5e62ca9ce6c1c299803a6c1530b514e182ad8b0042a59cad29f43",
    b: "2580f63ccfe44138870713b1a92369e33e2135d266dbb372386c400b",
    gx: "0d9029ad2c7e5cf4340823b2a87dc68c9e4ce3174c1e6efdee12c07d",
    gy: "58aa56f772c0726f24c6b89e4ecdac24354b9e99caa3f6d3761402cd",
    n: "d7c134aa264366862a18302575d0fb98d116bc4b6ddebca3a5a7939f",
};
pub(crate) const BRAINPOOL_P320R1: CurveParams = CurveParams {
    p: "d35e472036bc4fb7e13c785ed201e065f98fcfa6f6f40def4f92b9ec7893ec28fcd412b1f1b32e27",
    a: "3ee30b568fbab0f883ccebd46d3f3bb8a2a73513f5eb79da66190eb085ffa9f492f375a97d860eb4",
    b: "520883949dfdbc42d3ad198640688a6fe13f41349554b49acc31dccd884539816f5eb4ac8fb1f1a6",
    gx: "43bd7e9afb53d8b85289bcc48ee5bfe6f20137d10a087eb6e7871e2a10a599c710af8d0d39e20611",
    gy: "14fdd05545ec1cc8ab4093247f77275e0743ffed117182eaa9c77877aaac6ac7d35245d1692e8ee1",
    n: "d35e472036bc4fb7e13c785ed201e065f98fcfa5b68f12a32d482ec7ee8658e98691555b44c59311",
};
pub(crate) const BRAINPOOL_P512R1: CurveParams = CurveParams {
    p: "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3",
    a: "7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94ca",
    b: "3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94cadc083e67984050b75ebae5dd2809bd638016f723",
    gx: "81aee4bdd82ed9645a21322e9c4c6a9385ed9f70b5d916c1b43b62eef4d0098eff3b1f78e2d0d48d50d1687b93b97d5f7c6d5047406a5e688b352209bcb9f822",
    gy: "7dde385d566332ecc0eabfa9cf7822fdf209f70024a57b1aa000c55b881f8111b2dcde494a5f485e5bca4bd88a2763aed1ca2b2fa8f0540678cd1e0f3ad80892",
    n: "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac10471db1d381085ddaddb58796829ca90069",
};
/// P-521 (verified by `p521`; kept to cross-check this code and to
/// recognise explicit parameters).
pub(crate) const P521: CurveParams = CurveParams {
    p: "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
    a: "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffc",
    b: "0051953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf073573df883d2c34f1ef451fd46b503f00",
    gx: "00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66",
    gy: "011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650",
    n: "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
};
/// brainpoolP256r1 (verified by `bp256`; kept to cross-check this code and
/// to recognise explicit parameters).
pub(crate) const BRAINPOOL_P256R1: CurveParams = CurveParams {
    p: "a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377",
    a: "7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9",
    b: "26dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b6",
    gx: "8bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262",
    gy: "547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997",
    n: "a9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7",
};

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use ecdsa::signature::hazmat::PrehashSigner;

    /// Every constant set describes a curve whose generator lies on it.
    #[test]
    fn generators_are_on_their_curves() {
        for c in [
            &P192,
            &BRAINPOOL_P192R1,
            &P224,
            &BRAINPOOL_P224R1,
            &BRAINPOOL_P320R1,
            &BRAINPOOL_P512R1,
            &BRAINPOOL_P256R1,
            &P521,
        ] {
            let curve = Curve::new(c).unwrap();
            let g = [&[4u8][..], &unhex(c.gx), &unhex(c.gy)].concat();
            assert!(curve.decode_point(&g).is_ok(), "{}", c.p);
            let mut bad = g.clone();
            let last = bad.len() - 1;
            bad[last] ^= 1;
            assert!(curve.decode_point(&bad).is_err());
        }
    }

    /// Signatures made by the `bp256` crate verify here; tampered ones do not.
    #[test]
    fn agrees_with_the_bp256_crate() {
        for seed in 1u8..=8 {
            let secret = [seed; 32];
            let key = ecdsa::SigningKey::<bp256::BrainpoolP256r1>::from_slice(&secret).unwrap();
            let point = key.verifying_key().to_sec1_point(false).as_bytes().to_vec();
            let hash = crate::pki::HashAlgorithm::Sha256.digest(&[seed; 5]);
            let sig: ecdsa::Signature<bp256::BrainpoolP256r1> = key.sign_prehash(&hash).unwrap();
            let bytes = sig.to_bytes();
            let (r, s) = bytes.split_at(32);
            assert_eq!(
                verify_prehash(&BRAINPOOL_P256R1, &point, &hash, r, s),
                Ok(())
            );
            let mut wrong = hash.clone();
            wrong[0] ^= 1;
            assert_eq!(
                verify_prehash(&BRAINPOOL_P256R1, &point, &wrong, r, s),
                Err(SignatureError::Invalid)
            );
            // A hash longer than the order is truncated (SHA-512 on a 256-bit curve).
            let long = crate::pki::HashAlgorithm::Sha512.digest(&[seed; 5]);
            let sig: ecdsa::Signature<bp256::BrainpoolP256r1> = key.sign_prehash(&long).unwrap();
            let bytes = sig.to_bytes();
            let (r, s) = bytes.split_at(32);
            assert_eq!(
                verify_prehash(&BRAINPOOL_P256R1, &point, &long, r, s),
                Ok(())
            );
        }
    }

    /// Signatures made by the `p521` crate verify here too (a 521-bit field
    /// is not a whole number of bytes: the encoding paths differ).
    #[test]
    fn agrees_with_the_p521_crate() {
        let mut secret = [7u8; 66];
        secret[0] = 1;
        let key = ecdsa::SigningKey::<p521::NistP521>::from_slice(&secret).unwrap();
        let point = key.verifying_key().to_sec1_point(false).as_bytes().to_vec();
        let hash = crate::pki::HashAlgorithm::Sha512.digest(b"p521");
        let hash66 = [&[0u8, 0][..], &hash[..]].concat();
        let sig: ecdsa::Signature<p521::NistP521> = key.sign_prehash(&hash66).unwrap();
        let bytes = sig.to_bytes();
        let (r, s) = bytes.split_at(66);
        assert_eq!(verify_prehash(&P521, &point, &hash, r, s), Ok(()));
        assert_eq!(
            verify_prehash(&P521, &point, &hash[1..], r, s),
            Err(SignatureError::Invalid)
        );
    }

    #[test]
    fn rejects_out_of_range_scalars() {
        let g = [
            &[4u8][..],
            &unhex(BRAINPOOL_P224R1.gx),
            &unhex(BRAINPOOL_P224R1.gy),
        ]
        .concat();
        let n = unhex(BRAINPOOL_P224R1.n);
        let h = [1u8; 28];
        for (r, s) in [
            (&[0u8][..], &[1u8][..]),
            (&[1u8][..], &[0u8][..]),
            (&n[..], &[1u8][..]),
        ] {
            assert_eq!(
                verify_prehash(&BRAINPOOL_P224R1, &g, &h, r, s),
                Err(SignatureError::Invalid)
            );
        }
    }

    /// Key agreement on the generic arithmetic agrees with the RustCrypto
    /// crates on the curves both have (brainpoolP256r1, P-521): public keys,
    /// ECDH, s*G + H and a^-1 * b mod n.
    #[test]
    fn key_agreement_agrees_with_the_curve_crates() {
        use bp256::elliptic_curve::{PrimeField, sec1::ToSec1Point};
        let bp = KeyAgreementCurve::new(&BRAINPOOL_P256R1).unwrap();
        for seed in 1u8..=6 {
            let a = [seed; 32];
            let b = [seed.wrapping_mul(7) | 1; 32];
            let ka = ecdsa::SigningKey::<bp256::BrainpoolP256r1>::from_slice(&a).unwrap();
            let kb = ecdsa::SigningKey::<bp256::BrainpoolP256r1>::from_slice(&b).unwrap();
            let pa = ka.verifying_key().to_sec1_point(false).as_bytes().to_vec();
            let pb = kb.verifying_key().to_sec1_point(false).as_bytes().to_vec();
            assert_eq!(bp.mul(None, &a).unwrap(), pa);
            // ECDH both ways.
            let ab = bp.mul(Some(&pb), &a).unwrap();
            assert_eq!(ab, bp.mul(Some(&pa), &b).unwrap());
            // s*G + H = (s + b) * G when H = b * G.
            let s = [seed; 32];
            let sum = bp.mul_generator_add(&s, &pb).unwrap();
            let sa: bp256::Scalar = *ka.as_nonzero_scalar().as_ref();
            let sb: bp256::Scalar = *kb.as_nonzero_scalar().as_ref();
            let expect = (bp256::r1::ProjectivePoint::GENERATOR * (sa + sb)).to_affine();
            assert_eq!(sum, expect.to_sec1_point(false).as_bytes().to_vec());
            // a^-1 * b mod n, and back.
            let ca = bp.inverse_times(&a, &b).unwrap();
            let expect = (sa.invert().unwrap() * sb).to_repr().to_vec();
            assert_eq!(ca, expect);
        }
        let p521 = KeyAgreementCurve::new(&P521).unwrap();
        let mut secret = [0x5Au8; 66];
        secret[0] = 1;
        let key = ecdsa::SigningKey::<p521::NistP521>::from_slice(&secret).unwrap();
        let point = key.verifying_key().to_sec1_point(false).as_bytes().to_vec();
        assert_eq!(p521.mul(None, &secret).unwrap(), point);
        // Bad inputs: zero and n as scalars, a point off the curve.
        let n = unhex(BRAINPOOL_P256R1.n);
        assert!(bp.mul(None, &[0u8; 32]).is_none());
        assert!(bp.mul(None, &n).is_none());
        let mut off = bp.mul(None, &[3u8; 32]).unwrap();
        off[64] ^= 1;
        assert!(bp.mul(Some(&off), &[3u8; 32]).is_none());
        // Scalars n-1 and 1 (the ladder's k + 2n path and k + n path).
        let mut n_1 = n.clone();
        *n_1.last_mut().unwrap() -= 1;
        let g = bp.mul(None, &[1u8]).unwrap();
        let minus_g = bp.mul(None, &n_1).unwrap();
        assert_eq!(g[..33], minus_g[..33]);
        assert_ne!(g[33..], minus_g[33..]);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
        /// The ladder agrees with the bp256 crate on arbitrary scalars and
        /// points (k * (m * G)).
        #[test]
        fn ladder_agrees_with_bp256(k in proptest::array::uniform32(proptest::prelude::any::<u8>()),
                                    m in proptest::array::uniform32(proptest::prelude::any::<u8>())) {
            use bp256::elliptic_curve::sec1::ToSec1Point;
            let bp = KeyAgreementCurve::new(&BRAINPOOL_P256R1).unwrap();
            let (Ok(kk), Ok(mk)) = (
                ecdsa::SigningKey::<bp256::BrainpoolP256r1>::from_slice(&k),
                ecdsa::SigningKey::<bp256::BrainpoolP256r1>::from_slice(&m),
            ) else {
                // Not a scalar in [1, n-1]: refused here too.
                proptest::prop_assert!(bp.mul(None, &k).is_none() || bp.mul(None, &m).is_none());
                return Ok(());
            };
            let sk: bp256::Scalar = *kk.as_nonzero_scalar().as_ref();
            let sm: bp256::Scalar = *mk.as_nonzero_scalar().as_ref();
            let point = mk.verifying_key().to_sec1_point(false).as_bytes().to_vec();
            let expect = (bp256::r1::ProjectivePoint::GENERATOR * (sk * sm)).to_affine();
            proptest::prop_assert_eq!(
                bp.mul(Some(&point), &k).unwrap(),
                expect.to_sec1_point(false).as_bytes().to_vec()
            );
        }
    }
}
