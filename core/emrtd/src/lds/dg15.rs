//! DG15: the active-authentication public key, `6F { SubjectPublicKeyInfo }`.

use super::spki::PublicKeyInfo;
use super::{Ctx, LdsError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dg15 {
    pub public_key: PublicKeyInfo,
}

impl Dg15 {
    pub fn parse(data: &[u8]) -> Result<Self, LdsError> {
        let cx = Ctx::new("DG15");
        let outer = cx.outer(data, 0x6F, "DG15 template")?;
        let mut r = outer.children();
        let spki = cx.next(&mut r, 0x30, "SubjectPublicKeyInfo")?;
        Ok(Self {
            public_key: PublicKeyInfo::parse_in(&cx, spki.raw)?,
        })
    }
}
