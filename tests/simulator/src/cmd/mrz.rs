//! `aktiver-sim mrz ...`
use clap::Subcommand;

#[derive(Subcommand)]
pub enum MrzCommand {
    /// Parse MRZ lines from standard input.
    Parse,
    /// Read the MRZ from camera frames (PNG or JPEG).
    Scan(super::scan::ScanArgs),
}

pub fn run(c: MrzCommand) -> u8 {
    match c {
        MrzCommand::Parse => 0,
        MrzCommand::Scan(a) => super::scan::run(a),
    }
}
