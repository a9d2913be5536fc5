#![no_main]
//! Every LDS file parser on the same bytes: none may panic.

use aktiver_emrtd::lds::{
    CardSecurity, Dg1, Dg2, Dg11, Dg12, Dg15, EfCom, PublicKeyInfo, SecurityInfos,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = EfCom::parse(data);
    let _ = Dg1::parse(data);
    if let Ok(dg2) = Dg2::parse(data) {
        for face in &dg2.faces {
            let _ = face.image().len();
        }
    }
    let _ = Dg11::parse(data).map(|d| d.full_name());
    let _ = Dg11::parse(data).map(|d| d.full_date_of_birth());
    let _ = Dg12::parse(data).map(|d| (d.date_of_issue(), d.personalization_time()));
    let _ = CardSecurity::parse(data);
    let _ = Dg15::parse(data);
    let _ = SecurityInfos::parse_card_access(data);
    let _ = SecurityInfos::parse_dg14(data);
    let _ = PublicKeyInfo::parse(data);
});
