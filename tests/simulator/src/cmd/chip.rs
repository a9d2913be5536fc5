//! `aktiver-sim chip ...` (issue 4).
use clap::Subcommand;

#[derive(Subcommand)]
pub enum ChipCommand {
    /// Read a virtual document end to end.
    Read,
}

pub fn run(_c: ChipCommand) -> u8 {
    eprintln!("aktiver-sim chip: not built yet");
    super::EXIT_MISUSE
}
