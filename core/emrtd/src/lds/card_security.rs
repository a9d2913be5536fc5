//! EF.CardSecurity (BSI TR-03110 part 3, ICAO 9303-11 §9.2): the chip's
//! SecurityInfos signed by a Document Signer, a CMS SignedData with
//! eContentType id-SecurityObject. It carries the chip-authentication key
//! that PACE-CAM and the CA protocols rest on.

use super::oid;
use super::{Ctx, LdsError, SecurityInfos, SignedData, ber};

/// A parsed EF.CardSecurity. Verify it with
/// [`crate::pki::verify_card_security`] before trusting its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSecurity {
    pub signed_data: SignedData,
    pub security_infos: SecurityInfos,
}

impl CardSecurity {
    pub fn parse(data: &[u8]) -> Result<Self, LdsError> {
        let cx = Ctx::new("EF.CardSecurity");
        cx.check_len(data)?;
        let ci = ber::parse_one(data).map_err(cx.tlv_err("ContentInfo"))?;
        let signed_data = SignedData::parse_content_info(&cx, &ci)?;
        if signed_data.content_type != oid::ID_SECURITY_OBJECT {
            return Err(cx.invalid("eContentType", "not id-SecurityObject"));
        }
        let security_infos = SecurityInfos::parse_card_access(&signed_data.content)?;
        Ok(Self {
            signed_data,
            security_infos,
        })
    }
}
