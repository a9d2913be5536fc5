//! `aktiver-sim`: the desktop simulator. Every core capability is a subcommand.

mod cmd;
mod out;
mod sim;
mod studio;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "aktiver-sim",
    version,
    about = "Step through aktiver's capabilities on the desktop"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// The whole activation, screen by screen, against a sandbox this command starts.
    Demo(cmd::demo::DemoArgs),
    /// The activation in a phone-shaped page on loopback, with the sandbox, faults and pictures.
    Studio(studio::StudioArgs),
    /// The activation screen by screen in the terminal, with the same faults.
    Run(cmd::run::RunArgs),
    /// Run scripted scenarios (TOML): actions and the screens expected.
    Scenario(cmd::scenario::ScenarioArgs),
    /// Machine-readable zones (ICAO 9303): parse typed lines, scan camera frames.
    #[command(subcommand)]
    Mrz(cmd::mrz::MrzCommand),
    /// Norwegian national identity numbers.
    #[command(subcommand)]
    Nin(cmd::nin::NinCommand),
    /// The eMRTD chip: read a virtual passport or ID card, derive access keys.
    #[command(subcommand)]
    Chip(cmd::chip::ChipCommand),
    /// Run the sandbox activation server.
    Serve(cmd::serve::ServeArgs),
    /// Read the sandbox SMS inbox.
    Sms(cmd::serve::SmsArgs),
    /// A sandbox person's code-unit one-time code, now.
    Otp(cmd::helpers::OtpArgs),
    /// Sandbox helpers for the curl walkthrough: chip evidence, reset, abandon.
    #[command(subcommand)]
    Sandbox(cmd::helpers::SandboxCommand),
}

fn main() -> ExitCode {
    out::quiet_on_closed_pipe();
    let cli = Cli::parse();
    let status = match cli.command {
        Command::Demo(a) => cmd::demo::run(a),
        Command::Scenario(a) => cmd::scenario::run(a),
        Command::Studio(a) => studio::run(a),
        Command::Run(a) => cmd::run::run(a),
        Command::Mrz(c) => cmd::mrz::run(c),
        Command::Nin(c) => cmd::nin::run(c),
        Command::Chip(c) => cmd::chip::run(c),
        Command::Serve(a) => cmd::serve::serve(a),
        Command::Sms(a) => cmd::serve::sms(a),
        Command::Otp(a) => cmd::helpers::otp(a),
        Command::Sandbox(c) => cmd::helpers::run(c),
    };
    ExitCode::from(status)
}
