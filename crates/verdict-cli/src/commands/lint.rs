//! `verdict lint`: validate policies offline, with stable codes, for CI.
//!
//! Exit codes: 0 when no finding reaches `--fail-on` (default `error`), 1 when one
//! does, 2 on usage errors and unreadable inputs (missing files, bad `verdict.toml`).

use super::{color_stdout, EXIT_BAD_INPUT};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use verdict_lint::config::Config;
use verdict_lint::output::{self, text::TextOptions};
use verdict_lint::{FileReport, Severity};
use verdict_policy::PolicyType;

/// Output format of `verdict lint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// Findings with the underlined source line, and a summary.
    Text,
    /// One line per finding, and a summary.
    Concise,
    /// The JSON report (findings and summary).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning.
    Sarif,
}

/// Severity threshold for the exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail only on errors.
    Error,
    /// Fail on security warnings and errors.
    SecurityWarning,
    /// Fail on warnings and above.
    Warning,
    /// Fail on any finding.
    Suggestion,
}

impl From<FailOn> for Severity {
    fn from(f: FailOn) -> Severity {
        match f {
            FailOn::Error => Severity::Error,
            FailOn::SecurityWarning => Severity::SecurityWarning,
            FailOn::Warning => Severity::Warning,
            FailOn::Suggestion => Severity::Suggestion,
        }
    }
}

/// The policy types `--policy-type` accepts (parsed by [`PolicyType::from_name`]).
const POLICY_TYPES: [&str; 8] = [
    "identity",
    "resource",
    "trust",
    "scp",
    "rcp",
    "boundary",
    "session",
    "vpc-endpoint",
];

pub(crate) fn policy_type_parser() -> impl clap::builder::TypedValueParser<Value = PolicyType> {
    use clap::builder::TypedValueParser;
    clap::builder::PossibleValuesParser::new(POLICY_TYPES)
        .try_map(|name: String| PolicyType::from_name(&name).ok_or("unknown policy type"))
}

/// SCP grammar.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ScpSyntaxArg {
    /// The full policy language SCPs accept since September 2025.
    Current,
    /// The June-2023 rules (Allow only with Action and Resource "*").
    #[value(name = "legacy-2023")]
    Legacy2023,
}

/// Arguments of `verdict lint`.
#[derive(Args, Debug)]
pub struct LintArgs {
    /// Policy files, CloudFormation templates, Terraform plans (`terraform show -json`) or
    /// directories (searched for .json, .yaml, .yml, .jsonl, .template); `-` reads stdin.
    /// Default: the current directory.
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
    /// Exit with 1 when a finding of this severity or a more serious one remains
    /// [default: error, or `fail-on` in verdict.toml].
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Suppress a rule by code (E202), name (unknown-action) or code prefix (N); repeatable.
    #[arg(long, value_name = "CODE")]
    pub ignore: Vec<String>,
    /// Check every policy as this type instead of detecting it.
    #[arg(long, value_parser = policy_type_parser(), value_name = "TYPE")]
    pub policy_type: Option<PolicyType>,
    /// SCP grammar to validate against.
    #[arg(long, value_enum, value_name = "SYNTAX")]
    pub scp_syntax: Option<ScpSyntaxArg>,
    /// The resource that resource-based policies are attached to, when no template
    /// says: a CloudFormation type (AWS::S3::Bucket, AWS::KMS::Key, AWS::SQS::Queue,
    /// AWS::S3::AccessPoint, …), a Terraform type or a short name (s3-bucket).
    #[arg(long, value_name = "TYPE")]
    pub resource_type: Option<String>,
    /// Read settings from this file instead of looking for verdict.toml upwards from
    /// the current directory.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,
    /// Do not read verdict.toml.
    #[arg(long)]
    pub no_config: bool,
    /// Write the report to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Name to show for standard input.
    #[arg(long, value_name = "NAME", default_value = "<stdin>")]
    pub stdin_filename: String,
    /// Explain which files were read, what they contained and how each policy's type
    /// was chosen (on standard error).
    #[arg(long, short)]
    pub verbose: bool,
}

fn fail(msg: impl std::fmt::Display) -> ExitCode {
    anstream::eprintln!("error: {msg}");
    ExitCode::from(EXIT_BAD_INPUT)
}

impl LintArgs {
    /// Run the subcommand.
    pub fn run(self) -> ExitCode {
        let config = if self.no_config {
            Config::default()
        } else {
            let path = match &self.config {
                Some(p) => Some(p.clone()),
                None => std::env::current_dir()
                    .ok()
                    .and_then(|d| Config::discover(&d)),
            };
            match path {
                Some(p) => match Config::load(&p) {
                    Ok(c) => c,
                    Err(e) => return fail(e),
                },
                None => Config::default(),
            }
        };
        let scp_syntax = self.scp_syntax.map(|s| match s {
            ScpSyntaxArg::Current => "current",
            ScpSyntaxArg::Legacy2023 => "legacy-2023",
        });
        let config_path = config.path.clone();
        let settings = match verdict_api::lint::settings(
            config,
            self.policy_type,
            scp_syntax,
            self.resource_type.as_deref(),
            &self.ignore,
            self.fail_on.map(Severity::from),
        ) {
            Ok(s) => s,
            Err(e) => return fail(e),
        };
        if self.verbose {
            match &config_path {
                Some(p) => anstream::eprintln!("config: {}", p.display()),
                None => anstream::eprintln!("config: none"),
            }
        }
        let paths = if self.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            self.paths.clone()
        };
        let files = match verdict_lint::input::collect_files(&paths) {
            Ok(f) => f,
            Err(e) => return fail(e),
        };
        if files.is_empty() {
            let places: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
            return fail(format!(
                "no file to lint under {} (looked for .{}); a CI gate must not pass what it never read",
                places.join(", "),
                verdict_lint::input::EXTENSIONS.join(", .")
            ));
        }
        // Every file found is linted or reported as a finding of its own; one bad file
        // never hides the others, and none is skipped in silence.
        let mut sources = Vec::with_capacity(files.len());
        let mut unreadable: Vec<FileReport> = Vec::new();
        for (path, explicit) in &files {
            match verdict_lint::input::read_source(path, &self.stdin_filename) {
                Ok(s) => sources.push((s, *explicit)),
                Err(e) => unreadable.push(verdict_lint::unreadable_report(&e, &settings.options)),
            }
        }
        let run = verdict_api::lint::lint_sources(&sources, unreadable, &settings);
        if self.verbose {
            for r in &run.reports {
                anstream::eprintln!("{}: {}", r.file.name(), r.kind);
                for u in &r.units {
                    let label = if u.policy.label.is_empty() {
                        "policy".to_string()
                    } else {
                        u.policy.label.clone()
                    };
                    let ty = u.policy.policy_type.map_or("-", |t| t.as_str());
                    anstream::eprintln!("  {label}: {ty} ({})", u.policy.detection);
                }
            }
        }
        let (findings, summary) = (&run.findings, &run.summary);
        let to_file = self.output.is_some();
        let body = match self.format {
            LintFormat::Text | LintFormat::Concise => {
                let color = !to_file && color_stdout();
                let mut s = output::text::render(
                    findings,
                    TextOptions {
                        color,
                        concise: self.format == LintFormat::Concise,
                    },
                );
                s.push_str(&summary.line());
                s.push('\n');
                s
            }
            LintFormat::Json => {
                let mut s = serde_json::to_string_pretty(&run.json()).unwrap_or_default();
                s.push('\n');
                s
            }
            LintFormat::Sarif => {
                let mut s = serde_json::to_string_pretty(&output::sarif::render(findings))
                    .unwrap_or_default();
                s.push('\n');
                s
            }
        };
        let written = match &self.output {
            Some(path) => std::fs::write(path, body.as_bytes())
                .map_err(|e| format!("cannot write {}: {e}", path.display())),
            None => {
                let mut out = anstream::stdout();
                out.write_all(body.as_bytes())
                    .map_err(|e| format!("cannot write output: {e}"))
            }
        };
        if let Err(e) = written {
            return fail(e);
        }
        if to_file || matches!(self.format, LintFormat::Json | LintFormat::Sarif) {
            anstream::eprintln!("{}", summary.line());
        }
        if summary.fails(settings.fail_on) {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        }
    }
}
