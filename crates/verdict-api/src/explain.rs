//! `explain`: troubleshoot a real AccessDenied from the texts the user has in hand.

use crate::Document;
use serde::Deserialize;
use serde_json::Value;
use verdict_explain::{explain, output, Inputs, OrgDir, Report, TextInput};
use verdict_policy::Diagnostic;

/// Arguments of an `explain` call; each field is the text of the CLI flag of that name.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExplainCall {
    /// A scenario file to start from; the other inputs override it.
    #[serde(default)]
    pub scenario: Option<Document>,
    /// The AccessDenied message, or anything holding it (CLI output, a traceback, a log).
    #[serde(default)]
    pub message: Option<String>,
    /// A CloudTrail record, trail log file, `lookup-events` output or EventBridge event.
    #[serde(default)]
    pub event: Option<Document>,
    /// Which AccessDenied record of `event` to explain (1-based; default: all).
    #[serde(default)]
    pub record: Option<usize>,
    /// `get-account-authorization-details` outputs.
    #[serde(default)]
    pub auth_details: Vec<Document>,
    /// Organizations outputs, one directory's files per account.
    #[serde(default)]
    pub org: Vec<Directory>,
    /// The resource's policy, or the CLI output that holds it.
    #[serde(default)]
    pub resource_policy: Option<Document>,
    /// The session policy.
    #[serde(default)]
    pub session_policy: Option<Document>,
    /// The VPC endpoint policy.
    #[serde(default)]
    pub vpc_endpoint_policy: Option<Document>,
    /// Identity-based policies of the caller.
    #[serde(default)]
    pub identity_policies: Vec<Document>,
    /// The caller's permissions boundary.
    #[serde(default)]
    pub permissions_boundary: Option<Document>,
    /// SCPs, one document per organization level, root first.
    #[serde(default)]
    pub scps: Vec<Document>,
    /// Output of `aws sts decode-authorization-message`.
    #[serde(default)]
    pub decoded_message: Option<Document>,
    /// Request context values, `KEY=VALUE`; later ones win over the event.
    #[serde(default)]
    pub context: Vec<String>,
    /// API Gateway method authorization type (NONE, AWS_IAM, CUSTOM, COGNITO_USER_POOLS).
    #[serde(default)]
    pub authorization_type: Option<String>,
    /// Shape each result like `aws sts decode-authorization-message` output.
    #[serde(default)]
    pub decoded: bool,
}

/// A directory's files, as the front end read them.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Directory {
    /// The directory's path or label.
    pub name: String,
    /// Its JSON files.
    pub files: Vec<Document>,
}

fn text(d: &Document) -> TextInput {
    let t = d.text.strip_prefix('\u{feff}').unwrap_or(&d.text);
    TextInput::new(d.name.clone(), t)
}

/// The explainer's inputs for a call.
pub fn inputs(call: &ExplainCall) -> Result<Inputs, Vec<Diagnostic>> {
    const TYPES: [&str; 4] = ["NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"];
    if let Some(t) = &call.authorization_type {
        if !TYPES.iter().any(|x| x.eq_ignore_ascii_case(t)) {
            let hint = verdict_policy::diag::suggestion(t, TYPES);
            return Err(vec![Diagnostic::new(
                verdict_policy::ErrorCode::InvalidRequest,
                format!(
                    "authorization_type \"{t}\" is not one of {}",
                    TYPES.join(", ")
                ),
            )
            .with_help_opt(hint)]);
        }
    }
    Ok(Inputs {
        scenario: call.scenario.as_ref().map(text),
        message: call.message.clone(),
        event: call.event.as_ref().map(text),
        record: call.record,
        auth_details: call.auth_details.iter().map(text).collect(),
        org: call
            .org
            .iter()
            .map(|d| OrgDir {
                name: d.name.clone(),
                files: d.files.iter().map(text).collect(),
            })
            .collect(),
        resource_policy: call.resource_policy.as_ref().map(text),
        session_policy: call.session_policy.as_ref().map(text),
        vpc_endpoint_policy: call.vpc_endpoint_policy.as_ref().map(text),
        identity_policies: call.identity_policies.iter().map(text).collect(),
        permissions_boundary: call.permissions_boundary.as_ref().map(text),
        scps: call.scps.iter().map(text).collect(),
        reported: None,
        decoded_message: call.decoded_message.as_ref().map(text),
        context: verdict_explain::parse_context(&call.context)?,
        authorization_type: call.authorization_type.clone(),
    })
}

/// The reports for a call.
pub fn reports(call: &ExplainCall) -> Result<Vec<Report>, Vec<Diagnostic>> {
    explain(&inputs(call)?)
}

/// One report as JSON: the explain result (docs/schemas/explain.schema.json), or with
/// `decoded` the shape of a decoded authorization message.
pub fn report_json(r: &Report, decoded: bool) -> Value {
    if decoded {
        return output::render_report_decoded(r);
    }
    let mut v = output::render_report_json(r);
    crate::stamp(&mut v);
    v
}

/// Answer an `explain` call: one report, or an array when several records were explained.
pub fn run(call: &ExplainCall) -> Result<Value, Vec<Diagnostic>> {
    let docs: Vec<Value> = reports(call)?
        .iter()
        .map(|r| report_json(r, call.decoded))
        .collect();
    Ok(crate::one_or_many(docs))
}
