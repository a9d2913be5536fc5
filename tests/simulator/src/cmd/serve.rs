//! `aktiver-sim serve` and `aktiver-sim sms` (issue 5).
use clap::Args;

#[derive(Args)]
pub struct ServeArgs {}

#[derive(Args)]
pub struct SmsArgs {}

pub fn serve(_a: ServeArgs) -> u8 {
    eprintln!("aktiver-sim serve: not built yet");
    super::EXIT_MISUSE
}

pub fn sms(_a: SmsArgs) -> u8 {
    eprintln!("aktiver-sim sms: not built yet");
    super::EXIT_MISUSE
}
