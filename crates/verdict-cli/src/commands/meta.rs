//! `verdict completions` and `verdict man`: generated from the clap definitions, so they
//! never drift from the real flags.

use clap::{Args, CommandFactory};
use std::process::ExitCode;

/// Arguments of `verdict completions`.
#[derive(Args)]
pub struct CompletionsArgs {
    /// The shell to write a completion script for.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

impl CompletionsArgs {
    /// Write the completion script to standard output.
    pub fn run(self) -> ExitCode {
        let mut cmd = super::Cli::command();
        clap_complete::generate(self.shell, &mut cmd, "verdict", &mut std::io::stdout());
        ExitCode::SUCCESS
    }
}

/// Arguments of `verdict man`.
#[derive(Args)]
pub struct ManArgs {
    /// Write one page per subcommand (verdict.1, verdict-simulate.1, …) into DIR instead
    /// of the main page to standard output.
    #[arg(long, value_name = "DIR")]
    dir: Option<std::path::PathBuf>,
}

impl ManArgs {
    /// Write the man page(s).
    pub fn run(self) -> ExitCode {
        let cmd = super::Cli::command();
        let result = match &self.dir {
            None => clap_mangen::Man::new(cmd).render(&mut std::io::stdout()),
            Some(dir) => {
                std::fs::create_dir_all(dir).and_then(|_| clap_mangen::generate_to(cmd, dir))
            }
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                anstream::eprintln!("error: cannot write the man page: {e}");
                ExitCode::from(super::EXIT_BAD_INPUT)
            }
        }
    }
}
