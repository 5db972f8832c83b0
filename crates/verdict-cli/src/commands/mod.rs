//! Subcommands of the `verdict` binary.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Offline AWS IAM authorization simulator and AccessDenied explainer.
#[derive(Parser)]
#[command(name = "verdict", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {}

/// Parse the command line and run the chosen subcommand.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {}
}
