//! Account snapshots: `get-account-authorization-details` output, Organizations
//! outputs, and single policy files (resource, session and VPC endpoint policies).

pub mod files;
pub mod iam;
pub mod org;

use std::sync::Arc;
use verdict_eval::NamedPolicy;
use verdict_policy::json::{Json, JsonKind};
use verdict_policy::{
    parse_policy_json, Diagnostic, ErrorCode, ParseOptions, PolicyType, SourceFile,
};

pub use files::{policy_file, policy_files, PolicyFile, PolicyFileKind};
pub use iam::{AuthDetails, PrincipalRef, Resolved};
pub use org::{OrgDir, OrgFacts, OrgSnapshot};

/// A named piece of input text (a file's path and contents).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextInput {
    /// Path or label.
    pub name: String,
    /// Contents.
    pub text: String,
}

impl TextInput {
    /// Wrap a name and text.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        TextInput {
            name: name.into(),
            text: text.into(),
        }
    }
}

/// A diagnostic without a location.
pub(crate) fn input_error(msg: impl Into<String>) -> Diagnostic {
    Diagnostic::new(ErrorCode::InvalidScenario, msg)
}

/// Parse a policy document node (object, JSON string or URL-encoded string) of `src`.
pub(crate) fn parse_doc(
    node: &Json,
    src: &Arc<SourceFile>,
    ty: PolicyType,
    name: Option<String>,
    arn: Option<String>,
    label: String,
) -> Result<NamedPolicy, Vec<Diagnostic>> {
    let policy = parse_policy_json(node, src, ParseOptions::new(ty))?;
    Ok(NamedPolicy {
        name,
        arn,
        label,
        policy: policy.into(),
    })
}

/// Members of an array node (empty for anything else).
pub(crate) fn items(v: Option<&Json>) -> &[Json] {
    match v.map(|v| &v.kind) {
        Some(JsonKind::Array(a)) => a,
        _ => &[],
    }
}

/// A string member.
pub(crate) fn str_at<'a>(v: &'a Json, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Json::as_str).filter(|s| !s.is_empty())
}

/// The account of an ARN, when it has a 12-digit one.
pub(crate) fn arn_account(arn: &str) -> Option<&str> {
    let a = arn.split(':').nth(4)?;
    (a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit())).then_some(a)
}

pub use verdict_catalog::managed::aws_managed_policy;
