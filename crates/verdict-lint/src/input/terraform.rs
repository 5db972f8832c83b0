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

/// True for the JSON form of a Terraform plan or state (`terraform show -json`).
pub fn is_plan(tree: &Json) -> bool {
    tree.get("resource_changes").is_some()
        || tree.get("planned_values").is_some()
        || tree
            .get("values")
            .is_some_and(|v| v.get("root_module").is_some())
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
        "aws_s3control_access_point_policy" | "aws_s3_access_point" => {
            &[("policy", Some(Resource), OtherResource)]
        }
        "aws_kms_key" | "aws_kms_key_policy" | "aws_kms_replica_key" => {
            &[("policy", Some(Resource), KmsKey)]
        }
        "aws_sqs_queue_policy"
        | "aws_sqs_queue"
        | "aws_sns_topic_policy"
        | "aws_sns_topic"
        | "aws_ecr_repository_policy"
        | "aws_ecrpublic_repository_policy"
        | "aws_secretsmanager_secret_policy"
        | "aws_secretsmanager_secret"
        | "aws_api_gateway_rest_api_policy"
        | "aws_api_gateway_rest_api"
        | "aws_efs_file_system_policy"
        | "aws_backup_vault_policy"
        | "aws_glue_resource_policy"
        | "aws_cloudwatch_event_bus_policy"
        | "aws_codeartifact_repository_permissions_policy" => {
            &[("policy", Some(Resource), OtherResource)]
        }
        "aws_cloudwatch_log_resource_policy" => {
            &[("policy_document", Some(Resource), OtherResource)]
        }
        "aws_opensearch_domain_policy" | "aws_elasticsearch_domain_policy" => {
            &[("access_policies", Some(Resource), OtherResource)]
        }
        "aws_glacier_vault" => &[("access_policy", Some(Resource), OtherResource)],
        "aws_vpc_endpoint" | "aws_vpc_endpoint_policy" => {
            &[("policy", Some(VpcEndpoint), OtherResource)]
        }
        "aws_iam_policy_document" => &[("json", None, Standalone)],
        _ => &[],
    }
}

/// Resource types that carry IAM policies; a file with some of them but no policy read
/// from any is reported (a gate must not pass what it never read).
pub fn iam_bearing(resource_type: &str) -> bool {
    !known(resource_type).is_empty()
        || matches!(
            resource_type,
            "aws_organizations_policy" | "aws_lambda_permission"
        )
        || (resource_type.starts_with("aws_iam_") && resource_type.ends_with("_attachment"))
}

/// One resource instance: from `resource_changes` (with what is unknown until apply),
/// or from `planned_values` / a state's `values`.
struct Instance<'a> {
    address: String,
    ty: &'a str,
    after: Option<&'a Json>,
    unknown: Option<&'a Json>,
}

fn module_instances<'a>(module: &'a Json, out: &mut Vec<Instance<'a>>) {
    if let Some(JsonKind::Array(rs)) = module.get("resources").map(|r| &r.kind) {
        for r in rs {
            out.push(Instance {
                address: r
                    .get("address")
                    .and_then(Json::as_str)
                    .unwrap_or("?")
                    .to_string(),
                ty: r.get("type").and_then(Json::as_str).unwrap_or(""),
                after: r.get("values").filter(|v| v.as_object().is_some()),
                unknown: None,
            });
        }
    }
    if let Some(JsonKind::Array(children)) = module.get("child_modules").map(|c| &c.kind) {
        for c in children {
            module_instances(c, out);
        }
    }
}

fn instances(tree: &Json) -> Vec<Instance<'_>> {
    let mut out = Vec::new();
    if let Some(JsonKind::Array(changes)) = tree.get("resource_changes").map(|c| &c.kind) {
        for rc in changes {
            let change = rc.get("change");
            out.push(Instance {
                address: rc
                    .get("address")
                    .and_then(Json::as_str)
                    .unwrap_or("?")
                    .to_string(),
                ty: rc.get("type").and_then(Json::as_str).unwrap_or(""),
                after: change
                    .and_then(|c| c.get("after"))
                    .filter(|a| a.as_object().is_some()),
                unknown: change.and_then(|c| c.get("after_unknown")),
            });
        }
    }
    // Values the changes do not cover: planned values, a state's values, and data sources
    // read before the plan (prior_state).
    let mut more = Vec::new();
    for root in [
        tree.get("planned_values")
            .and_then(|v| v.get("root_module")),
        tree.get("values").and_then(|v| v.get("root_module")),
        tree.get("prior_state")
            .and_then(|p| p.get("values"))
            .and_then(|v| v.get("root_module")),
    ]
    .into_iter()
    .flatten()
    {
        module_instances(root, &mut more);
    }
    for m in more {
        if !out.iter().any(|i| i.address == m.address) {
            out.push(m);
        }
    }
    out
}

/// The policies of every resource in a plan or state, in plan order.
pub fn extract(file: &Arc<SourceFile>, tree: &Json) -> Vec<PolicyUnit> {
    let mut out = Vec::new();
    for inst in instances(tree) {
        let Instance {
            address,
            ty,
            after,
            unknown,
        } = inst;
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
        if ty == "aws_lambda_permission" {
            if let Some(u) = lambda_permission(file, &address, after) {
                out.push(u);
            }
            continue;
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
                let mut u = unit_from_node(file, label, node, true)
                    .with_hint(hint)
                    .with_container(*container);
                if *pt == Some(PolicyType::Resource) {
                    u.resource_kind = crate::ResourceKind::from_name(ty);
                }
                out.push(u);
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

/// The IAM-bearing resources of a plan or state, by address.
pub fn iam_resources(tree: &Json) -> Vec<String> {
    instances(tree)
        .into_iter()
        .filter(|i| iam_bearing(i.ty))
        .map(|i| i.address)
        .collect()
}

/// An `aws_lambda_permission` is one statement of the function's resource policy:
/// lint it as the statement it becomes.
fn lambda_permission(
    file: &Arc<SourceFile>,
    address: &str,
    after: Option<&Json>,
) -> Option<PolicyUnit> {
    let a = after?;
    let get = |k: &str| a.get(k).and_then(Json::as_str).filter(|s| !s.is_empty());
    let action = get("action")?;
    let principal = get("principal")?;
    let principal = if principal == "*" {
        serde_json::json!("*")
    } else if principal.contains('.') && !principal.starts_with("arn:") {
        serde_json::json!({ "Service": principal })
    } else {
        serde_json::json!({ "AWS": principal })
    };
    let mut st = serde_json::json!({
        "Sid": get("statement_id").unwrap_or("LambdaPermission"),
        "Effect": "Allow",
        "Principal": principal,
        "Action": action,
        "Resource": "*",
    });
    let mut cond = serde_json::Map::new();
    if let Some(v) = get("source_arn") {
        cond.insert("ArnLike".into(), serde_json::json!({ "AWS:SourceArn": v }));
    }
    let mut eq = serde_json::Map::new();
    if let Some(v) = get("source_account") {
        eq.insert("AWS:SourceAccount".into(), v.into());
    }
    if let Some(v) = get("principal_org_id") {
        eq.insert("aws:PrincipalOrgID".into(), v.into());
    }
    if let Some(v) = get("function_url_auth_type") {
        eq.insert("lambda:FunctionUrlAuthType".into(), v.into());
    }
    if !eq.is_empty() {
        cond.insert("StringEquals".into(), serde_json::Value::Object(eq));
    }
    if !cond.is_empty() {
        if let Some(st) = st.as_object_mut() {
            st.insert("Condition".into(), serde_json::Value::Object(cond));
        }
    }
    let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [st]});
    let text = serde_json::to_string_pretty(&doc).ok()?;
    let inner = SourceFile::new(
        format!("{} ({address}, as a policy statement)", file.name()),
        text,
    );
    let tree = verdict_policy::json::parse(&inner).ok()?;
    let mut u = PolicyUnit::from_tree(file, format!("{address} (lambda permission)"), tree);
    u.body = match u.body {
        Body::Tree { tree, .. } => Body::Tree {
            tree,
            source: inner,
            map: super::spanmap::SpanMap::Opaque(a.span),
        },
        other => other,
    };
    u.hint = Some(TypeHint::new(
        PolicyType::Resource,
        "Terraform aws_lambda_permission",
    ));
    u.container = Container::OtherResource;
    u.resource_kind = Some(crate::ResourceKind::LambdaFunction);
    Some(u)
}

fn unknown_unit(
    file: &Arc<SourceFile>,
    label: String,
    span: verdict_policy::Span,
    what: String,
) -> PolicyUnit {
    PolicyUnit {
        resource_kind: None,
        file: file.clone(),
        label,
        body: Body::Unknown { span, what },
        hint: None,
        container: Container::Standalone,
        placeholders: Vec::new(),
    }
}
