//! Subcommands of the `verdict` binary.

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
pub fn print_json(out: &mut impl std::io::Write, mut values: Vec<serde_json::Value>) {
    let v = if values.len() == 1 {
        values.pop().unwrap_or_default()
    } else {
        serde_json::Value::Array(values)
    };
    let _ = writeln!(
        out,
        "{}",
        serde_json::to_string_pretty(&v).unwrap_or_default()
    );
}

/// Version of the JSON output shapes (docs/schemas/); bumped only on a breaking change.
pub const SCHEMA_VERSION: u32 = 1;

/// Add `schema_version` and the `tool` block to a JSON output object.
pub fn stamp(v: &mut serde_json::Value) {
    if let Some(obj) = v.as_object_mut() {
        obj.insert("schema_version".into(), SCHEMA_VERSION.into());
        obj.insert("tool".into(), tool_json());
    }
}

/// The `"tool"` block every single-document JSON output carries: the Verdict version
/// and the embedded catalog's data version.
pub fn tool_json() -> serde_json::Value {
    serde_json::json!({
        "name": "verdict",
        "version": env!("CARGO_PKG_VERSION"),
        "catalog": verdict_catalog::data_version_line(),
    })
}
