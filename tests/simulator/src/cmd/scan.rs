//! `aktiver-sim mrz scan ...` (issue 3).
use clap::Args;

#[derive(Args)]
pub struct ScanArgs {
    /// PNG or JPEG images.
    pub images: Vec<std::path::PathBuf>,
    /// Treat the images as consecutive frames and report the consensus.
    #[arg(long)]
    pub burst: bool,
}

pub fn run(_a: ScanArgs) -> u8 {
    eprintln!("aktiver-sim mrz scan: not built yet");
    super::EXIT_MISUSE
}
