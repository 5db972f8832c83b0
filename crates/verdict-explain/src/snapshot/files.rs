//! Single policy files: a bare policy document, or the output of the AWS CLI command
//! that fetches it (`s3api get-bucket-policy`, `kms get-key-policy`, `lambda get-policy`,
//! `sqs get-queue-attributes`, `secretsmanager get-resource-policy`,
//! `apigateway get-rest-api`, `ec2 describe-vpc-endpoints`), or a CloudTrail
//! `AssumeRole`/`GetFederationToken` record whose `requestParameters.policy` is the
//! session policy.

use super::{input_error, items, str_at, TextInput};
use std::sync::Arc;
use verdict_policy::json::{self, Json, JsonKind};
use verdict_policy::{Diagnostic, SourceFile};

/// What shape the file had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyFileKind {
    /// A policy document.
    Document,
    /// A CLI output wrapping the document in a field.
    CliOutput(&'static str),
    /// `ec2 describe-vpc-endpoints` output.
    VpcEndpoints,
    /// A CloudTrail record carrying the session policy.
    CloudTrail,
}

/// A policy document located in a file.
pub struct PolicyFile {
    /// The text the document node belongs to.
    pub src: Arc<SourceFile>,
    /// The document (object or string).
    pub node: Json,
    /// The shape the file had.
    pub kind: PolicyFileKind,
    /// A name the file gives (`PolicyName`, a VPC endpoint id).
    pub name: Option<String>,
}

fn is_document(v: &Json) -> bool {
    v.get("Statement").is_some()
}

/// Unescape API Gateway's doubly-escaped policy text (`{\"Version\":…}`).
fn unescape_apigw(s: &str) -> String {
    s.replace("\\\"", "\"")
        .replace("\\\\", "\\")
        .replace("\\/", "/")
}

/// Find the policy document in `input`. `vpce` selects a VPC endpoint by id in
/// `describe-vpc-endpoints` output.
pub fn policy_file(input: &TextInput, vpce: Option<&str>) -> Result<PolicyFile, Vec<Diagnostic>> {
    let trimmed = input.text.trim_start();
    if trimmed
        .get(..3)
        .is_some_and(|p| p.eq_ignore_ascii_case("%7B"))
    {
        let src = SourceFile::new(input.name.clone(), input.text.clone());
        let node = Json {
            kind: JsonKind::String(input.text.trim().to_string()),
            span: verdict_policy::Span::new(0, input.text.len()),
        };
        return Ok(PolicyFile {
            src,
            node,
            kind: PolicyFileKind::Document,
            name: None,
        });
    }
    let src = SourceFile::new(input.name.clone(), input.text.clone());
    let tree = json::parse(&src).map_err(|d| vec![d])?;
    if is_document(&tree) {
        return Ok(PolicyFile {
            src,
            node: tree,
            kind: PolicyFileKind::Document,
            name: None,
        });
    }
    let found = |key: &'static str, v: &Json| -> Option<(Json, &'static str)> {
        v.get(key).map(|n| (n.clone(), key))
    };
    let wrapped = found("Policy", &tree)
        .or_else(|| found("ResourcePolicy", &tree))
        .or_else(|| found("policyText", &tree))
        .or_else(|| tree.get("Attributes").and_then(|a| found("Policy", a)))
        .or_else(|| found("policy", &tree))
        .or_else(|| found("PolicyDocument", &tree))
        .or_else(|| tree.get("PolicyVersion").and_then(|v| found("Document", v)))
        .or_else(|| found("document", &tree));
    if let Some((node, key)) = wrapped {
        let name = str_at(&tree, "PolicyName")
            .or_else(|| str_at(&tree, "Name"))
            .or_else(|| str_at(&tree, "name"))
            .or_else(|| str_at(&tree, "arn"))
            .map(str::to_string);
        if key == "policy" {
            // API Gateway returns the policy JSON with its quotes escaped a second time.
            if let Some(text) = node.as_str().filter(|t| t.contains("\\\"")) {
                let inner =
                    SourceFile::new(format!("{} (policy)", input.name), unescape_apigw(text));
                let t = json::parse(&inner).map_err(|d| vec![d])?;
                return Ok(PolicyFile {
                    src: inner,
                    node: t,
                    kind: PolicyFileKind::CliOutput("policy"),
                    name,
                });
            }
        }
        return Ok(PolicyFile {
            src,
            node,
            kind: PolicyFileKind::CliOutput(key),
            name,
        });
    }
    if let Some(eps) = tree.get("VpcEndpoints") {
        let list = items(Some(eps));
        let pick = list
            .iter()
            .find(|e| vpce.is_some() && str_at(e, "VpcEndpointId") == vpce)
            .or_else(|| if list.len() == 1 { list.first() } else { None });
        let Some(ep) = pick else {
            return Err(vec![input_error(format!(
                "{} lists {} VPC endpoints and none is {}; give the endpoint the request used",
                input.name,
                list.len(),
                vpce.unwrap_or("the request's endpoint (unknown)")
            ))]);
        };
        if let Some(doc) = ep.get("PolicyDocument") {
            return Ok(PolicyFile {
                src,
                node: doc.clone(),
                kind: PolicyFileKind::VpcEndpoints,
                name: str_at(ep, "VpcEndpointId").map(str::to_string),
            });
        }
    }
    if let Some(p) = tree.get("requestParameters").and_then(|r| r.get("policy")) {
        return Ok(PolicyFile {
            src,
            node: p.clone(),
            kind: PolicyFileKind::CloudTrail,
            name: str_at(&tree, "eventName").map(str::to_string),
        });
    }
    Err(vec![input_error(format!(
        "{} holds no policy document (expected a document with \"Statement\", or CLI output with a Policy field)",
        input.name
    ))
    .at(&src, tree.span)])
}

/// The policies in `input`: a JSON array of documents (or of CLI outputs holding one), or
/// one document as [`policy_file`] reads it. Each comes with a label naming the file.
pub fn policy_files(
    input: &TextInput,
    what: &str,
) -> Result<Vec<(PolicyFile, String)>, Vec<Diagnostic>> {
    let src = SourceFile::new(input.name.clone(), input.text.clone());
    if let Ok(tree) = json::parse(&src) {
        if let JsonKind::Array(items) = &tree.kind {
            if items.is_empty() {
                return Err(vec![Diagnostic::new(
                    verdict_policy::ErrorCode::InvalidScenario,
                    format!(
                        "{}: an empty list; expected one {what} or a list of them",
                        input.name
                    ),
                )
                .at(&src, tree.span)]);
            }
            return Ok(items
                .iter()
                .enumerate()
                .map(|(i, node)| {
                    (
                        PolicyFile {
                            src: src.clone(),
                            node: node.clone(),
                            kind: PolicyFileKind::Document,
                            name: None,
                        },
                        format!("{what} {}[{i}]", input.name),
                    )
                })
                .collect());
        }
    }
    let pf = policy_file(input, None)?;
    let label = pf
        .name
        .clone()
        .unwrap_or_else(|| format!("{what} {}", input.name));
    Ok(vec![(pf, label)])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn shapes() {
        let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]}"#;
        let k = |t: &str| policy_file(&TextInput::new("f", t), None).map(|p| p.kind);
        assert_eq!(k(doc).ok(), Some(PolicyFileKind::Document));
        let wrapped = serde_json::json!({"Policy": doc}).to_string();
        assert_eq!(k(&wrapped).ok(), Some(PolicyFileKind::CliOutput("Policy")));
        let sqs = serde_json::json!({"Attributes": {"Policy": doc}}).to_string();
        assert_eq!(k(&sqs).ok(), Some(PolicyFileKind::CliOutput("Policy")));
        let apigw =
            serde_json::json!({"id": "abc", "policy": doc.replace('"', "\\\"")}).to_string();
        let p = policy_file(&TextInput::new("f", apigw), None).unwrap();
        assert!(p.node.get("Statement").is_some());
        let vpce = serde_json::json!({"VpcEndpoints": [{"VpcEndpointId": "vpce-1", "PolicyDocument": doc}]}).to_string();
        assert_eq!(k(&vpce).ok(), Some(PolicyFileKind::VpcEndpoints));
        assert!(k("{\"x\": 1}").is_err());
    }
}
