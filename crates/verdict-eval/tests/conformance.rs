//! The conformance corpus (`conformance/`) and the examples (`examples/`), run through
//! the same code path as `verdict test`, one test per file so a failure names its file.
//! Every conformance case cites its rule of iam-semantics.md.
//!
//! `conformance/known-failures.txt` lists files expected to fail (the goal is none): a
//! listed file that fails passes its test, a listed file that passes fails it (so the list
//! stays true), and an unlisted failure fails as usual.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::string_slice
)]

use libtest_mimic::{Arguments, Failed, Trial};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use verdict_eval::testing::{collect_files, run_file};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn known_failures() -> BTreeSet<String> {
    std::fs::read_to_string(root().join("conformance/known-failures.txt"))
        .unwrap_or_default()
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// Run one file's cases; `Err` names each failure.
fn check_file(path: &Path, cite: bool) -> Result<usize, String> {
    let mut problems = Vec::new();
    let cases = run_file(path);
    for case in &cases {
        if cite && case.rule.as_deref().is_none_or(str::is_empty) {
            problems.push(format!("{}: no rule citation", case.location));
        }
        if !case.passed {
            problems.push(format!(
                "{} [{}]\n    {}",
                case.location,
                case.rule.clone().unwrap_or_default(),
                case.failures.join("\n    ")
            ));
        }
    }
    if problems.is_empty() {
        Ok(cases.len())
    } else {
        Err(problems.join("\n"))
    }
}

fn main() {
    let args = Arguments::from_args();
    let known = known_failures();
    let mut trials = Vec::new();
    for (dir, cite, min_files) in [("conformance", true, 250), ("examples", false, 10)] {
        let files = match collect_files(&[root().join(dir)]) {
            Ok(f) => f,
            Err(e) => {
                let msg = format!("{dir}: {e}");
                trials.push(Trial::test(format!("{dir}/(unreadable)"), move || {
                    Err(Failed::from(msg))
                }));
                continue;
            }
        };
        let count = files.len();
        trials.push(Trial::test(format!("{dir}/(corpus size)"), move || {
            if count >= min_files {
                Ok(())
            } else {
                Err(format!("only {count} files in {dir}; expected at least {min_files}").into())
            }
        }));
        for f in files {
            let name = f
                .strip_prefix(root())
                .unwrap_or(&f)
                .display()
                .to_string()
                .replace('\\', "/");
            let expected_to_fail = known.contains(&name);
            trials.push(Trial::test(name.clone(), move || {
                match check_file(&f, cite) {
                    Ok(_) if expected_to_fail => Err(format!(
                        "{name} passes but is listed in conformance/known-failures.txt: remove it"
                    )
                    .into()),
                    Ok(_) => Ok(()),
                    Err(_) if expected_to_fail => Ok(()),
                    Err(e) => Err(e.into()),
                }
            }));
        }
    }
    // A listed file that no longer exists is a stale entry.
    let stale: Vec<String> = known
        .iter()
        .filter(|k| !root().join(k).exists())
        .cloned()
        .collect();
    trials.push(Trial::test(
        "conformance/(known-failures list)",
        move || {
            if stale.is_empty() {
                Ok(())
            } else {
                Err(format!("known-failures.txt names missing files: {stale:?}").into())
            }
        },
    ));
    libtest_mimic::run(&args, trials).exit();
}
