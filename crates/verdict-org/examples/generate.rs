//! Write a synthetic organization snapshot (see `verdict_org::synth`):
//! `cargo run --release -p verdict-org --example generate -- DIR [--accounts N]
//! [--principals N] [--policies N] [--statements N] [--pool N] [--ou-levels N] [--seed N]`.

use std::path::PathBuf;
use std::process::ExitCode;
use verdict_org::synth::{generate, OrgSpec};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next().map(PathBuf::from) else {
        eprintln!("usage: generate DIR [--accounts N] [--principals N] [--policies N] [--statements N] [--pool N] [--ou-levels N] [--seed N]");
        return ExitCode::from(2);
    };
    let mut spec = OrgSpec::default();
    while let Some(flag) = args.next() {
        let value: Option<u64> = args.next().and_then(|v| v.parse().ok());
        let Some(v) = value else {
            eprintln!("{flag} needs a number");
            return ExitCode::from(2);
        };
        let v_usize = usize::try_from(v).unwrap_or(usize::MAX);
        match flag.as_str() {
            "--accounts" => spec.accounts = v_usize,
            "--principals" => spec.principals = v_usize,
            "--policies" => spec.policies = v_usize,
            "--statements" => spec.statements = v_usize,
            "--pool" => spec.pool = v_usize,
            "--ou-levels" => spec.ou_levels = v_usize,
            "--seed" => spec.seed = v,
            other => {
                eprintln!("unknown flag {other}");
                return ExitCode::from(2);
            }
        }
    }
    let mut bytes = 0usize;
    let mut files = 0usize;
    for (rel, text) in generate(&spec) {
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            if let Err(e) = std::fs::create_dir_all(parent) {
                eprintln!("{}: {e}", parent.display());
                return ExitCode::from(1);
            }
        }
        bytes += text.len();
        files += 1;
        if let Err(e) = std::fs::write(&path, text) {
            eprintln!("{}: {e}", path.display());
            return ExitCode::from(1);
        }
    }
    eprintln!(
        "{files} files, {:.1} MB: {} accounts x {} principals ({} principals), {} policies of ~{} statements each per principal from a pool of {} per account, {} OU levels",
        bytes as f64 / 1e6,
        spec.accounts,
        spec.principals,
        spec.accounts * spec.principals,
        spec.policies,
        spec.statements,
        spec.pool,
        spec.ou_levels
    );
    ExitCode::SUCCESS
}
