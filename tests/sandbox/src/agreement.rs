//! The user agreement the app signs at the end of activation.
use aktiver_protocol::{Agreement, encode_b64};
use sha2::{Digest, Sha256};

pub const AGREEMENT_ID: &str = "sandbox-agreement-2026-01";
const TEXT: &str = "Agreement on the use of BankID in the app (sandbox).\n\n\
1. The BankID is personal. Keep your password secret and your device locked.\n\
2. You may have the BankID app on one device at a time; activating a new device ends the old one.\n\
3. Contact your bank at once if you suspect that your password, device or code unit is lost.\n\
4. This is a sandbox: no real identity or money is involved.\n";

pub fn current() -> Agreement {
    Agreement {
        id: AGREEMENT_ID.to_owned(),
        text: TEXT.to_owned(),
        sha256_b64: encode_b64(&Sha256::digest(TEXT.as_bytes())),
    }
}
