//! `verdict explain`: troubleshoot a real AccessDenied from what the user has in hand.

use super::{color_stdout, report_diagnostics_as, Format, EXIT_BAD_INPUT};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use verdict_api::explain::{report_json, reports, Directory, ExplainCall};
use verdict_api::Document;
use verdict_explain::{output, scenario_json};
use verdict_policy::Diagnostic;

/// Arguments of `verdict explain`.
#[derive(Args)]
pub struct ExplainArgs {
    /// Scenario file (JSON or YAML) to start from; the other inputs override it.
    scenario: Option<PathBuf>,
    /// The AccessDenied message, or anything holding it (CLI output, an SDK traceback,
    /// Terraform output, a JSON or XML body, a log): TEXT, `-` for standard input, or
    /// `@FILE`. Every message in it is explained.
    #[arg(long, value_name = "TEXT|-|@FILE")]
    message: Option<String>,
    /// A CloudTrail record, trail log file, `lookup-events` output or EventBridge event.
    #[arg(long, value_name = "FILE")]
    event: Option<PathBuf>,
    /// Which AccessDenied record of --event to explain (1-based; default: all).
    #[arg(long, value_name = "N")]
    record: Option<usize>,
    /// `aws iam get-account-authorization-details` output (raw or CLI-decoded); repeat for several accounts.
    #[arg(long, value_name = "FILE")]
    auth_details: Vec<PathBuf>,
    /// Directory of Organizations outputs (describe-organization, list-parents, list-policies-for-target, describe-policy); repeat per account.
    #[arg(long, value_name = "DIR")]
    org: Vec<PathBuf>,
    /// The resource's policy (bucket, key, API, queue, …): a document or the CLI output that holds it.
    #[arg(long, value_name = "FILE")]
    resource_policy: Option<PathBuf>,
    /// The session policy passed to AssumeRole/GetFederationToken.
    #[arg(long, value_name = "FILE")]
    session_policy: Option<PathBuf>,
    /// The VPC endpoint policy (a document or `aws ec2 describe-vpc-endpoints` output).
    #[arg(long, value_name = "FILE")]
    vpc_endpoint_policy: Option<PathBuf>,
    /// An identity-based policy of the caller (a document, a JSON array of them, or a
    /// `get-policy-version`/`get-role-policy` output); repeat for several.
    #[arg(long, value_name = "FILE")]
    identity_policy: Vec<PathBuf>,
    /// The caller's permissions boundary.
    #[arg(long, value_name = "FILE")]
    permissions_boundary: Option<PathBuf>,
    /// The SCPs of one organization level (a document or a JSON array); repeat once per
    /// level, root first, then each OU, then the account.
    #[arg(long, value_name = "FILE")]
    scp: Vec<PathBuf>,
    /// Output of `aws sts decode-authorization-message` for an encoded EC2 message.
    #[arg(long, value_name = "FILE")]
    decoded_message: Option<PathBuf>,
    /// A request context value (KEY=VALUE; a JSON array for several values); later ones win over the event.
    #[arg(long, value_name = "K=V")]
    context: Vec<String>,
    /// API Gateway method authorization type (NONE, AWS_IAM, CUSTOM, COGNITO_USER_POOLS).
    #[arg(long, value_name = "TYPE", value_parser = ["NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"])]
    authorization_type: Option<String>,
    /// Write the scenario Verdict built (with an `expect`) to FILE, to keep it as a `verdict test`.
    #[arg(long, value_name = "FILE")]
    emit_scenario: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
    /// Print a result shaped like `aws sts decode-authorization-message` output.
    #[arg(long)]
    decoded: bool,
}

impl ExplainArgs {
    /// Run the subcommand: 0 when explained, 2 on bad input.
    pub fn run(self) -> ExitCode {
        let message = self.message.as_deref();
        let message = match (message, message.and_then(|m| m.strip_prefix('@'))) {
            (Some("-"), _) => {
                let mut t = String::new();
                if let Err(e) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut t) {
                    anstream::eprintln!("error: cannot read the message from standard input: {e}");
                    return ExitCode::from(EXIT_BAD_INPUT);
                }
                Some(t)
            }
            (_, Some(path)) => match std::fs::read(path) {
                Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
                Err(e) => {
                    anstream::eprintln!("error: cannot read the message file {path}: {e}");
                    return ExitCode::from(EXIT_BAD_INPUT);
                }
            },
            (other, None) => other.map(str::to_string),
        };
        let call = match self.call(message) {
            Ok(c) => c,
            Err(d) => return report_diagnostics_as(&d, self.format),
        };
        let reports = match reports(&call) {
            Ok(x) => x,
            Err(d) => return report_diagnostics_as(&d, self.format),
        };
        if let Some(path) = &self.emit_scenario {
            let [report] = reports.as_slice() else {
                anstream::eprintln!("error: --emit-scenario writes one scenario, but {} AccessDenied records were explained; choose one with --record N", reports.len());
                return ExitCode::from(EXIT_BAD_INPUT);
            };
            let Some(x) = report.full() else {
                anstream::eprintln!("error: --emit-scenario needs the caller and the action, which the message alone does not give");
                return ExitCode::from(EXIT_BAD_INPUT);
            };
            let expect = expect_of(x);
            let text = serde_json::to_string_pretty(&scenario_json(&x.built, Some(expect)))
                .unwrap_or_default();
            if let Err(e) = std::fs::write(path, format!("{text}\n")) {
                anstream::eprintln!("error: cannot write {}: {e}", path.display());
                return ExitCode::from(EXIT_BAD_INPUT);
            }
        }
        let mut out = anstream::stdout();
        if self.decoded || self.format == Format::Json {
            super::print_json(
                &mut out,
                reports
                    .iter()
                    .map(|r| report_json(r, self.decoded))
                    .collect(),
            );
            return ExitCode::SUCCESS;
        }
        match self.format {
            Format::Json => {}
            Format::Text => {
                let color = color_stdout();
                for (i, r) in reports.iter().enumerate() {
                    if i > 0 {
                        let _ = writeln!(out);
                    }
                    let _ = write!(out, "{}", output::render_report(r, color));
                }
            }
        }
        ExitCode::SUCCESS
    }
}

impl ExplainArgs {
    /// The inputs as a call, every file read.
    fn call(&self, message: Option<String>) -> Result<ExplainCall, Vec<Diagnostic>> {
        let one = |p: &Option<PathBuf>| p.as_deref().map(super::read_document).transpose();
        let all = |ps: &[PathBuf]| {
            ps.iter()
                .map(|p| super::read_document(p))
                .collect::<Result<Vec<Document>, _>>()
        };
        Ok(ExplainCall {
            scenario: one(&self.scenario)?,
            message,
            event: one(&self.event)?,
            record: self.record,
            auth_details: all(&self.auth_details)?,
            org: self
                .org
                .iter()
                .map(|p| super::read_directory(p))
                .collect::<Result<Vec<Directory>, _>>()?,
            resource_policy: one(&self.resource_policy)?,
            session_policy: one(&self.session_policy)?,
            vpc_endpoint_policy: one(&self.vpc_endpoint_policy)?,
            identity_policies: all(&self.identity_policy)?,
            permissions_boundary: one(&self.permissions_boundary)?,
            scps: all(&self.scp)?,
            decoded_message: one(&self.decoded_message)?,
            context: self.context.clone(),
            authorization_type: self.authorization_type.clone(),
            decoded: self.decoded,
        })
    }
}

/// The `expect` block of an emitted scenario: what AWS reported when it is unambiguous,
/// else what Verdict found.
fn expect_of(x: &verdict_explain::Explanation) -> serde_json::Value {
    use verdict_explain::message::DenyKind;
    let mut e = serde_json::Map::new();
    let reported = x.reported.as_ref();
    let decision = match reported.map(|m| m.kind) {
        Some(DenyKind::Explicit) => Some("explicit_deny"),
        Some(DenyKind::Implicit) => Some("implicit_deny"),
        _ => None,
    }
    .unwrap_or(x.decision.as_str());
    e.insert("decision".into(), decision.into());
    let layer = reported
        .and_then(|m| m.layer)
        .map(|l| l.layer())
        .or(x.denied_by);
    if decision != "allow" {
        if let Some(l) = layer {
            e.insert("denied_by".into(), l.as_str().into());
        }
    }
    serde_json::Value::Object(e)
}
