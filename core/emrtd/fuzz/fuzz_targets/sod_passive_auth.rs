#![no_main]
//! EF.SOD parsing and passive authentication (signature checks included)
//! on arbitrary bytes, with the input's own tail as a data group.

use aktiver_emrtd::lds::{DataGroup, Sod};
use aktiver_emrtd::pki::{TrustStore, passive_authentication};
use libfuzzer_sys::fuzz_target;
use std::time::UNIX_EPOCH;

fuzz_target!(|data: &[u8]| {
    let _ = Sod::parse(data);
    let dg1 = data.get(data.len() / 2..).unwrap_or(&[]);
    let groups = [(DataGroup::DG1, dg1)];
    let report = passive_authentication(&TrustStore::new(), data, &groups, UNIX_EPOCH);
    let _ = report.failure();
});
