//! `verdict api`: answer JSON calls with JSON responses, through the same facade every
//! front end uses (`verdict-api`). Calls carry their documents' text; nothing is read
//! from the file system on a call's behalf.

use super::EXIT_BAD_INPUT;
use clap::Args;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `verdict api`.
#[derive(Args)]
pub struct ApiArgs {
    /// Calls: a `.json` file holds one call; any other file, or standard input (the
    /// default, or `-`), one call per line, each answered as soon as it is read.
    calls: Option<PathBuf>,
    /// Print the JSON Schema of calls and exit.
    #[arg(long)]
    schema: bool,
}

impl ApiArgs {
    /// Run the subcommand: 0 when every call was answered with a result, 2 when one
    /// was answered with errors.
    pub fn run(self) -> ExitCode {
        if self.schema {
            anstream::println!("{}", verdict_api::CALL_SCHEMA.trim_end());
            return ExitCode::SUCCESS;
        }
        let name = self
            .calls
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "-".into());
        let one_document = name != "-" && name.to_ascii_lowercase().ends_with(".json");
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        if one_document {
            let text = match super::read_input(&name) {
                Ok(t) => t,
                Err(e) => {
                    anstream::eprintln!("error: cannot read {name}: {e}");
                    return ExitCode::from(EXIT_BAD_INPUT);
                }
            };
            let r = verdict_api::handle_named(&name, &text);
            let _ = writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(&r).unwrap_or_default()
            );
            return exit(r.is_ok());
        }
        let reader: Box<dyn BufRead> = if name == "-" {
            Box::new(std::io::stdin().lock())
        } else {
            match std::fs::File::open(&name) {
                Ok(f) => Box::new(std::io::BufReader::new(f)),
                Err(e) => {
                    anstream::eprintln!("error: cannot read {name}: {e}");
                    return ExitCode::from(EXIT_BAD_INPUT);
                }
            }
        };
        let label = if name == "-" {
            "<stdin>"
        } else {
            name.as_str()
        };
        let mut all_ok = true;
        for (i, line) in reader.lines().enumerate() {
            let line = match line {
                Ok(l) => l,
                Err(e) => {
                    anstream::eprintln!("error: reading {label} failed after line {i}: {e}; the calls after it were not answered");
                    return ExitCode::from(EXIT_BAD_INPUT);
                }
            };
            if line.trim().is_empty() {
                continue;
            }
            let r = verdict_api::handle_named(&format!("{label} line {}", i + 1), &line);
            all_ok &= r.is_ok();
            // One response per call, flushed at once, so a caller can converse over a pipe.
            if writeln!(out, "{}", r.to_json_line()).is_err() || out.flush().is_err() {
                return ExitCode::SUCCESS;
            }
        }
        exit(all_ok)
    }
}

fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_BAD_INPUT)
    }
}
