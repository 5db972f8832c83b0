//! Policies in Terraform plans (`terraform show -json plan.out`).
//!
//! Each `resource_changes[]` entry whose `change.after` holds a policy is linted; the
//! policy JSON is usually a string there, so its positions are mapped back through the
//! string's escapes to the exact column of the plan file. A policy that is only known
//! after apply (`change.after_unknown.<attribute>` is `true`) is reported as such.
//!
//! | Resource type | Attribute | Linted as |
//! |---|---|---|
//! | `aws_iam_policy` | `policy` | identity (managed) |
//! | `aws_iam_role` | `assume_role_policy`; `inline_policy[].policy` | trust; identity (inline) |
//! | `aws_iam_role_policy`, `aws_iam_user_policy`, `aws_iam_group_policy` | `policy` | identity (inline) |
//! | `aws_s3_bucket_policy`, `aws_s3_bucket` | `policy` | resource (S3) |
//! | `aws_kms_key`, `aws_kms_key_policy` | `policy` | resource (KMS) |
//! | `aws_sqs_queue(_policy)`, `aws_sns_topic(_policy)`, `aws_ecr_repository_policy`, `aws_secretsmanager_secret_policy`, `aws_api_gateway_rest_api(_policy)`, `aws_lambda_function_url`… | `policy` | resource |
//! | `aws_organizations_policy` (`SERVICE_CONTROL_POLICY`, `RESOURCE_CONTROL_POLICY`) | `content` | SCP / RCP |
//! | `aws_iam_policy_document` (data source read at apply) | `json` | detected |
//! | any other `aws_*` resource | `policy`, `*_policy`, `access_policies` holding a document | detected |

use super::{unit_from_node, Body, Container, PolicyUnit, TypeHint};
use std::sync::Arc;
use verdict_policy::json::{Json, JsonKind};
use verdict_policy::{PolicyType, SourceFile};

/// True for the JSON form of a Terraform plan.
pub fn is_plan(tree: &Json) -> bool {
    tree.get("resource_changes").is_some()
        || (tree.get("format_version").is_some() && tree.get("terraform_version").is_some())
}

fn known(resource_type: &str) -> &'static [(&'static str, Option<PolicyType>, Container)] {
    use Container::*;
    use PolicyType::*;
    match resource_type {
        "aws_iam_policy" => &[("policy", Some(Identity), ManagedPolicy)],
        "aws_iam_role" => &[("assume_role_policy", Some(Trust), RoleTrust)],
        "aws_iam_role_policy" => &[("policy", Some(Identity), RoleInline)],
        "aws_iam_user_policy" => &[("policy", Some(Identity), UserInline)],
        "aws_iam_group_policy" => &[("policy", Some(Identity), GroupInline)],
        "aws_s3_bucket_policy" | "aws_s3_bucket" => &[("policy", Some(Resource), S3Bucket)],
        "aws_kms_key" | "aws_kms_key_policy" | "aws_kms_replica_key" => {
            &[("policy", Some(Resource), KmsKey)]
        }
        "aws_vpc_endpoint" | "aws_vpc_endpoint_policy" => {
            &[("policy", Some(VpcEndpoint), OtherResource)]
        }
        "aws_iam_policy_document" => &[("json", None, Standalone)],
        _ => &[],
    }
}

/// The policies of every resource change, in plan order.
pub fn extract(file: &Arc<SourceFile>, tree: &Json) -> Vec<PolicyUnit> {
    let mut out = Vec::new();
    let Some(JsonKind::Array(changes)) = tree.get("resource_changes").map(|c| &c.kind) else {
        return out;
    };
    for rc in changes {
        let address = rc
            .get("address")
            .and_then(Json::as_str)
            .unwrap_or("?")
            .to_string();
        let ty = rc.get("type").and_then(Json::as_str).unwrap_or("");
        let Some(change) = rc.get("change") else {
            continue;
        };
        let after = change.get("after").filter(|a| a.as_object().is_some());
        let unknown = change.get("after_unknown");
        let mut attrs: Vec<(String, Option<PolicyType>, Container)> = known(ty)
            .iter()
            .map(|(a, t, c)| ((*a).to_string(), *t, *c))
            .collect();
        if ty == "aws_organizations_policy" {
            let kind = after
                .and_then(|a| a.get("type"))
                .and_then(Json::as_str)
                .unwrap_or("");
            match kind {
                "SERVICE_CONTROL_POLICY" => attrs.push((
                    "content".into(),
                    Some(PolicyType::Scp),
                    Container::Standalone,
                )),
                "RESOURCE_CONTROL_POLICY" => attrs.push((
                    "content".into(),
                    Some(PolicyType::Rcp),
                    Container::Standalone,
                )),
                _ => {}
            }
        }
        if attrs.is_empty() && ty.starts_with("aws_") {
            // Generic: any policy-like attribute that holds a document.
            if let Some(members) = after.and_then(Json::as_object) {
                for m in members {
                    let k = m.key.as_str();
                    let policyish =
                        k == "policy" || k.ends_with("_policy") || k == "access_policies";
                    let holds = m.value.as_str().is_some_and(|s| s.contains("Statement"));
                    let is_unknown = unknown
                        .and_then(|u| u.get(k))
                        .is_some_and(|v| v.kind == JsonKind::Bool(true));
                    if policyish && (holds || is_unknown) {
                        let hint = (!ty.starts_with("aws_iam_")).then_some(PolicyType::Resource);
                        attrs.push((k.to_string(), hint, Container::OtherResource));
                    }
                }
            }
        }
        for (attr, pt, container) in &attrs {
            let label = format!("{address}.{attr}");
            let hint = pt.map(|t| TypeHint::new(t, format!("Terraform {ty}.{attr}")));
            if let Some(node) = after
                .and_then(|a| a.get(attr))
                .filter(|n| !matches!(n.kind, JsonKind::Null))
            {
                if node.as_str() == Some("") {
                    continue;
                }
                out.push(
                    unit_from_node(file, label, node, true)
                        .with_hint(hint)
                        .with_container(*container),
                );
            } else if let Some(u) = unknown
                .and_then(|u| u.as_object())
                .and_then(|m| m.iter().find(|m| &m.key == attr))
            {
                if u.value.kind == JsonKind::Bool(true) {
                    out.push(unknown_unit(
                        file,
                        label,
                        u.key_span,
                        format!("{attr} of {address}"),
                    ));
                }
            }
        }
        if ty == "aws_iam_role" {
            let inline = after.and_then(|a| a.get("inline_policy"));
            if let Some(JsonKind::Array(items)) = inline.map(|i| &i.kind) {
                let unknown_items = unknown.and_then(|u| u.get("inline_policy"));
                for (i, item) in items.iter().enumerate() {
                    let label = format!("{address}.inline_policy[{i}].policy");
                    let hint = Some(TypeHint::new(
                        PolicyType::Identity,
                        "Terraform aws_iam_role inline_policy",
                    ));
                    match item
                        .get("policy")
                        .filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
                    {
                        Some(node) => out.push(
                            unit_from_node(file, label, node, true)
                                .with_hint(hint)
                                .with_container(Container::RoleInline),
                        ),
                        None => {
                            let u = unknown_items
                                .and_then(|u| match &u.kind {
                                    JsonKind::Array(a) => a.get(i),
                                    _ => None,
                                })
                                .and_then(|u| u.as_object())
                                .and_then(|m| m.iter().find(|m| m.key == "policy"));
                            if let Some(u) = u.filter(|u| u.value.kind == JsonKind::Bool(true)) {
                                out.push(unknown_unit(
                                    file,
                                    label,
                                    u.key_span,
                                    format!("inline_policy[{i}].policy of {address}"),
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

fn unknown_unit(
    file: &Arc<SourceFile>,
    label: String,
    span: verdict_policy::Span,
    what: String,
) -> PolicyUnit {
    PolicyUnit {
        file: file.clone(),
        label,
        body: Body::Unknown { span, what },
        hint: None,
        container: Container::Standalone,
        placeholders: Vec::new(),
    }
}
