//! Subcommands of the `verdict` binary.

mod api;
mod catalog;
mod compare;
mod explain;
mod lint;
mod meta;
mod org;
mod rule;
mod simulate;
mod test;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::process::ExitCode;

/// Offline AWS IAM authorization simulator and AccessDenied explainer.
#[derive(Parser)]
#[command(
    name = "verdict",
    version,
    about = "Offline AWS IAM authorization simulator: explains every Allow and AccessDenied",
    long_about = None
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Evaluate a scenario (or AWS-CLI-style flags, or a JSONL batch) and explain the decision.
    Simulate(Box<simulate::SimulateArgs>),
    /// Run every scenario that has an `expect` and report failures.
    Test(test::TestArgs),
    /// Explain a real AccessDenied from its message, CloudTrail record and account snapshots; propose verified fixes.
    Explain(Box<explain::ExplainArgs>),
    /// Compare two policies: what the new one allows that the old one does not, and the reverse, each with a request.
    Diff(Box<compare::DiffArgs>),
    /// CI gates on policies: no-new-access, access-not-granted (exit 1 with a counterexample).
    Check(Box<compare::CheckArgs>),
    /// Every caller in a snapshot that may do an action on a resource, with the condition where one remains.
    WhoCan(Box<org::WhoCanArgs>),
    /// What a principal of a snapshot may do, with every SCP, boundary and resource policy applied.
    Can(Box<org::CanArgs>),
    /// Privilege-escalation paths in a snapshot, each step decided exactly.
    Escalation(Box<org::EscalationArgs>),
    /// Validate policies (files, directories, CloudFormation, Terraform plans) with stable check codes.
    Lint(Box<lint::LintArgs>),
    /// Print a lint rule's documentation (`verdict rule E202` / `unknown-action`), or list every rule.
    Rule(rule::RuleArgs),
    /// List the actions that action patterns match (`s3:Get*`, `iam:*AccessKey*`), with access levels.
    Actions(catalog::ActionsArgs),
    /// Show one action: access level, resource types with ARN patterns, condition keys.
    Action(catalog::ActionArgs),
    /// List the condition keys of a service, an action, or `aws` (the global keys), with types.
    Keys(catalog::KeysArgs),
    /// Answer JSON calls (one per line on stdin, or a .json file) with JSON responses: the interface for scripts and servers.
    Api(api::ApiArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(meta::CompletionsArgs),
    /// Print the man page (or write one per subcommand with --dir).
    Man(meta::ManArgs),
}

/// Output formats shared by the subcommands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable explanation (coloured on a terminal, plain otherwise or with NO_COLOR).
    Text,
    /// The JSON result contract.
    Json,
}

/// The text of FILE, or of standard input for `-`.
pub(crate) fn read_input(name: &str) -> std::io::Result<String> {
    use std::io::Read;
    if name == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Ok(s)
    } else {
        std::fs::read_to_string(name)
    }
}

/// A file (or standard input, for `-`) read for a call.
pub(crate) fn read_document(
    path: &std::path::Path,
) -> Result<verdict_api::Document, Vec<verdict_policy::Diagnostic>> {
    let name = path.display().to_string();
    read_input(&name)
        .map(|text| verdict_api::Document::new(name.clone(), text))
        .map_err(|e| {
            vec![verdict_policy::Diagnostic::new(
                verdict_policy::ErrorCode::InvalidScenario,
                format!("cannot read {name}: {e}"),
            )]
        })
}

/// The `.json` files of a directory (sorted), or the one file `path` names.
pub(crate) fn read_directory(
    path: &std::path::Path,
) -> Result<verdict_api::explain::Directory, Vec<verdict_policy::Diagnostic>> {
    let name = path.display().to_string();
    let mut paths: Vec<std::path::PathBuf> = if path.is_dir() {
        std::fs::read_dir(path)
            .map_err(|e| {
                vec![verdict_policy::Diagnostic::new(
                    verdict_policy::ErrorCode::InvalidScenario,
                    format!("cannot read directory {name}: {e}"),
                )]
            })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect()
    } else {
        vec![path.to_path_buf()]
    };
    paths.sort();
    let files = paths
        .iter()
        .map(|p| read_document(p))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(verdict_api::explain::Directory { name, files })
}

/// Exit code for bad input.
pub const EXIT_BAD_INPUT: u8 = 2;

/// Parse the command line and run the chosen subcommand.
pub fn run() -> ExitCode {
    // The version line also names the embedded catalog's data version and date.
    let version: &'static str = Box::leak(
        format!(
            "{} ({})",
            env!("CARGO_PKG_VERSION"),
            verdict_catalog::data_version_line()
        )
        .into_boxed_str(),
    );
    let matches = Cli::command().version(version).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => e.exit(),
    };
    match cli.command {
        Command::Simulate(a) => a.run(),
        Command::Test(a) => a.run(),
        Command::Explain(a) => a.run(),
        Command::Lint(a) => a.run(),
        Command::Diff(a) => a.run(),
        Command::Check(a) => a.run(),
        Command::WhoCan(a) => a.run(),
        Command::Can(a) => a.run(),
        Command::Escalation(a) => a.run(),
        Command::Rule(a) => a.run(),
        Command::Actions(a) => a.run(),
        Command::Action(a) => a.run(),
        Command::Keys(a) => a.run(),
        Command::Api(a) => a.run(),
        Command::Completions(a) => a.run(),
        Command::Man(a) => a.run(),
    }
}

/// Print diagnostics to stderr (fancy on a terminal) and return exit code 2.
pub fn report_diagnostics(diags: &[verdict_policy::Diagnostic]) -> ExitCode {
    use std::io::IsTerminal;
    let fancy = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    for d in diags {
        if fancy && d.span.is_some() {
            let report = miette::Report::new(d.clone());
            anstream::eprintln!("{}: {report:?}", d.location());
        } else {
            anstream::eprintln!("{d}");
        }
    }
    ExitCode::from(EXIT_BAD_INPUT)
}

/// Report diagnostics as [`report_diagnostics`] does and, for `--format json`, also as
/// one JSON document on standard output: `{"schema_version", "tool", "errors": [...]}`.
pub fn report_diagnostics_as(diags: &[verdict_policy::Diagnostic], format: Format) -> ExitCode {
    if format == Format::Json {
        let mut v = serde_json::json!({ "errors": diags });
        stamp(&mut v);
        anstream::println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    }
    report_diagnostics(diags)
}

/// Should stdout be coloured?
pub fn color_stdout() -> bool {
    anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
}

/// Print one JSON document: the value itself for one result, an array for several.
pub fn print_json(out: &mut impl std::io::Write, values: Vec<serde_json::Value>) {
    let v = verdict_api::one_or_many(values);
    let _ = writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&v).unwrap_or_default()
    );
}

pub use verdict_api::{stamp, tool as tool_json, SCHEMA_VERSION};
