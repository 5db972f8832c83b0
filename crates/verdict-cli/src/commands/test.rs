//! `verdict test`: policy unit tests for CI.

use super::{color_stdout, Format, EXIT_BAD_INPUT};
use anstyle::{AnsiColor, Style};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use verdict_api::test::TestRun;
use verdict_eval::testing::{collect_files, run_file_counted, CaseResult};

/// Arguments of `verdict test`.
#[derive(Args)]
pub struct TestArgs {
    /// Scenario files or directories (searched recursively for .json, .yaml, .yml, .jsonl).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Also write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Print every case, not only failures.
    #[arg(long, short)]
    verbose: bool,
    /// Fail a case whose expected decision holds only under an unconfirmed reading
    /// of the spec (iam-semantics §10.1); by default such cases pass and are listed.
    #[arg(long)]
    strict: bool,
    /// Exit with 2 when the paths hold no test case (a CI job pointed at the wrong
    /// directory would otherwise pass); without it, that is a warning.
    #[arg(long)]
    require_tests: bool,
    /// Output format: the readable report, or one JSON document with every case and
    /// the counts (docs/schemas/test.schema.json).
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

impl TestArgs {
    /// Run the subcommand.
    pub fn run(self) -> ExitCode {
        let files = match collect_files(&self.paths) {
            Ok(f) => f,
            Err(e) => {
                anstream::eprintln!("error: {e}");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
        };
        let color = color_stdout();
        let red = Style::new().bold().fg_color(Some(AnsiColor::Red.into()));
        let green = Style::new().bold().fg_color(Some(AnsiColor::Green.into()));
        let paint = |s: Style, t: &str| {
            if color {
                format!("{}{t}{}", s.render(), s.render_reset())
            } else {
                t.to_string()
            }
        };
        let mut out = anstream::stdout();
        let json = self.format == Format::Json;
        let yellow = Style::new().fg_color(Some(AnsiColor::Yellow.into()));
        let mut run = TestRun::new(self.strict);
        for f in &files {
            let (cases, skipped) = run_file_counted(f);
            run.skipped += skipped;
            for case in cases {
                run.add(case);
                let Some(case) = run.cases.last() else {
                    continue;
                };
                if json {
                    continue;
                }
                if case.passed && !case.assumed.is_empty() {
                    let _ = writeln!(
                        out,
                        "{} {} ({}): passes under the assumed reading of {}",
                        paint(yellow, "assumed"),
                        case.name,
                        case.location,
                        case.assumed.join(", ")
                    );
                }
                if !case.passed {
                    let _ = writeln!(
                        out,
                        "{} {} ({})",
                        paint(red, if case.error { "ERROR" } else { "FAIL" }),
                        case.name,
                        case.location
                    );
                    if let Some(r) = &case.rule {
                        let _ = writeln!(out, "  rule: {r}");
                    }
                    for f in &case.failures {
                        let _ = writeln!(out, "  {f}");
                    }
                    if let Some(e) = &case.evaluation {
                        for line in verdict_eval::render::render(e, color).lines() {
                            let _ = writeln!(out, "    {line}");
                        }
                    }
                } else if self.verbose {
                    let _ = writeln!(
                        out,
                        "{} {} ({})",
                        paint(green, "ok"),
                        case.name,
                        case.location
                    );
                }
            }
        }
        let (errors, failed, passed) = (run.errors(), run.failed(), run.passed());
        let (assumed_only, not_tests) = (run.assumed_only, run.skipped);
        let results = &run.cases;
        if let Some(path) = &self.junit {
            if let Err(e) = write_junit(path, results) {
                anstream::eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::from(EXIT_BAD_INPUT);
            }
        }
        let mut summary = if assumed_only > 0 {
            format!(
                "{passed} passed ({assumed_only} only under an assumed reading), {failed} failed"
            )
        } else {
            format!("{passed} passed, {failed} failed")
        };
        if errors > 0 {
            summary.push_str(&format!(", {errors} could not be run"));
        }
        if not_tests > 0 {
            summary.push_str(&format!(
                "; {not_tests} scenario{} without an expect block skipped",
                if not_tests == 1 { "" } else { "s" }
            ));
        }
        if json {
            super::print_json(&mut out, vec![run.json()]);
        } else {
            let _ = writeln!(out, "{summary}");
        }
        if results.is_empty() {
            let places: Vec<String> = self.paths.iter().map(|p| p.display().to_string()).collect();
            let level = if self.require_tests {
                "error"
            } else {
                "warning"
            };
            anstream::eprintln!(
                "{level}: no test case found in {} ({} scenario file{} read; a test is a scenario with an expect block)",
                places.join(", "),
                files.len(),
                if files.len() == 1 { "" } else { "s" }
            );
            if self.require_tests {
                return ExitCode::from(EXIT_BAD_INPUT);
            }
        }
        if errors > 0 {
            ExitCode::from(EXIT_BAD_INPUT)
        } else if failed > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
}

fn write_junit(path: &PathBuf, results: &[CaseResult]) -> std::io::Result<()> {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut report = Report::new("verdict");
    let mut suite = TestSuite::new("verdict test");
    for c in results {
        let status = if c.passed {
            TestCaseStatus::success()
        } else {
            let kind = if c.error {
                NonSuccessKind::Error
            } else {
                NonSuccessKind::Failure
            };
            let mut s = TestCaseStatus::non_success(kind);
            s.set_message(c.failures.first().cloned().unwrap_or_default());
            s.set_description(c.failures.join("\n"));
            s
        };
        let mut tc = TestCase::new(c.name.clone(), status);
        tc.set_classname(c.location.clone());
        suite.add_test_case(tc);
    }
    report.add_test_suite(suite);
    let xml = report.to_string().map_err(std::io::Error::other)?;
    std::fs::write(path, xml)
}
