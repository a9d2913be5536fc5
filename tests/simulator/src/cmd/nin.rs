use clap::Subcommand;
#[derive(Subcommand)]
pub enum NinCommand {
    Check { numbers: Vec<String> },
}
pub fn run(_c: NinCommand) -> u8 {
    0
}
