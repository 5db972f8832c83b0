//! Policies in CloudFormation templates (JSON or YAML).
//!
//! | Resource type | Property | Linted as |
//! |---|---|---|
//! | `AWS::IAM::Policy`, `AWS::IAM::RolePolicy`, `…::UserPolicy`, `…::GroupPolicy` | `PolicyDocument` | identity (inline) |
//! | `AWS::IAM::ManagedPolicy` | `PolicyDocument` | identity (managed) |
//! | `AWS::IAM::Role` | `AssumeRolePolicyDocument`; `Policies[].PolicyDocument` | trust; identity (inline) |
//! | `AWS::IAM::User`, `AWS::IAM::Group` | `Policies[].PolicyDocument` | identity (inline) |
//! | `AWS::S3::BucketPolicy`, `AWS::SQS::QueuePolicy`, `AWS::SNS::TopicPolicy` | `PolicyDocument` | resource |
//! | `AWS::KMS::Key` | `KeyPolicy` | resource |
//! | `AWS::ApiGateway::RestApi` | `Policy` | resource |
//! | `AWS::SecretsManager::ResourcePolicy` | `ResourcePolicy` | resource |
//! | `AWS::ECR::Repository` | `RepositoryPolicyText` | resource |
//! | `AWS::S3::AccessPoint` | `Policy` | resource |
//! | `AWS::EC2::VPCEndpoint` | `PolicyDocument` | VPC endpoint |
//! | `AWS::Organizations::Policy` (`SERVICE_CONTROL_POLICY`, `RESOURCE_CONTROL_POLICY`) | `Content` | SCP / RCP |
//! | `AWS::Lambda::Permission` | the permission's properties, as one statement | resource |

use super::intrinsics;
use super::{unit_from_node, Container, PolicyUnit, TypeHint};
use std::sync::Arc;
use verdict_policy::json::{Json, JsonKind, Member};
use verdict_policy::{PolicyType, SourceFile, Span};

/// True for a CloudFormation (or SAM) template.
pub fn is_template(tree: &Json) -> bool {
    tree.get("AWSTemplateFormatVersion").is_some()
        || tree
            .get("Resources")
            .and_then(Json::as_object)
            .is_some_and(|rs| {
                rs.iter().any(|r| {
                    r.value
                        .get("Type")
                        .and_then(Json::as_str)
                        .is_some_and(|t| t.contains("::"))
                })
            })
}

/// The resources of a template that carry IAM policies, by logical ID.
pub fn iam_resources(tree: &Json) -> Vec<String> {
    let Some(resources) = tree.get("Resources").and_then(Json::as_object) else {
        return Vec::new();
    };
    resources
        .iter()
        .filter(|r| {
            r.value.get("Type").and_then(Json::as_str).is_some_and(|t| {
                !targets(t).is_empty()
                    || t.starts_with("AWS::IAM::")
                    || t.ends_with("Policy")
                    || t == "AWS::Lambda::Permission"
            })
        })
        .map(|r| r.key.clone())
        .collect()
}

struct Target {
    property: &'static str,
    ty: PolicyType,
    container: Container,
}

fn targets(resource_type: &str) -> &'static [Target] {
    const fn t(property: &'static str, ty: PolicyType, container: Container) -> Target {
        Target {
            property,
            ty,
            container,
        }
    }
    static MANAGED: [Target; 1] = [t(
        "PolicyDocument",
        PolicyType::Identity,
        Container::ManagedPolicy,
    )];
    static ROLE_POLICY: [Target; 1] = [t(
        "PolicyDocument",
        PolicyType::Identity,
        Container::RoleInline,
    )];
    static USER_POLICY: [Target; 1] = [t(
        "PolicyDocument",
        PolicyType::Identity,
        Container::UserInline,
    )];
    static GROUP_POLICY: [Target; 1] = [t(
        "PolicyDocument",
        PolicyType::Identity,
        Container::GroupInline,
    )];
    static ROLE: [Target; 1] = [t(
        "AssumeRolePolicyDocument",
        PolicyType::Trust,
        Container::RoleTrust,
    )];
    static BUCKET: [Target; 1] = [t(
        "PolicyDocument",
        PolicyType::Resource,
        Container::S3Bucket,
    )];
    static RESOURCE_DOC: [Target; 1] = [t(
        "PolicyDocument",
        PolicyType::Resource,
        Container::OtherResource,
    )];
    static KMS: [Target; 1] = [t("KeyPolicy", PolicyType::Resource, Container::KmsKey)];
    static POLICY_PROP: [Target; 1] = [t("Policy", PolicyType::Resource, Container::OtherResource)];
    static SECRET: [Target; 1] = [t(
        "ResourcePolicy",
        PolicyType::Resource,
        Container::OtherResource,
    )];
    static ECR: [Target; 1] = [t(
        "RepositoryPolicyText",
        PolicyType::Resource,
        Container::OtherResource,
    )];
    static VPCE: [Target; 1] = [t(
        "PolicyDocument",
        PolicyType::VpcEndpoint,
        Container::OtherResource,
    )];
    match resource_type {
        "AWS::IAM::ManagedPolicy" => &MANAGED,
        "AWS::IAM::RolePolicy" => &ROLE_POLICY,
        "AWS::IAM::UserPolicy" => &USER_POLICY,
        "AWS::IAM::GroupPolicy" => &GROUP_POLICY,
        "AWS::IAM::Role" => &ROLE,
        "AWS::S3::BucketPolicy" => &BUCKET,
        "AWS::SQS::QueuePolicy" | "AWS::SNS::TopicPolicy" | "AWS::Logs::ResourcePolicy" => {
            &RESOURCE_DOC
        }
        "AWS::KMS::Key" | "AWS::KMS::ReplicaKey" => &KMS,
        "AWS::ApiGateway::RestApi" | "AWS::S3::AccessPoint" | "AWS::S3::MultiRegionAccessPoint" => {
            &POLICY_PROP
        }
        "AWS::SecretsManager::ResourcePolicy" => &SECRET,
        "AWS::ECR::Repository" => &ECR,
        "AWS::EC2::VPCEndpoint" => &VPCE,
        _ => &[],
    }
}

/// The policies of every supported resource, in template order.
pub fn extract(file: &Arc<SourceFile>, tree: &Json, is_json: bool) -> Vec<PolicyUnit> {
    let mut out = Vec::new();
    let Some(resources) = tree.get("Resources").and_then(Json::as_object) else {
        return out;
    };
    for r in resources {
        let Some(ty) = r.value.get("Type").and_then(Json::as_str) else {
            continue;
        };
        let Some(props) = r.value.get("Properties") else {
            continue;
        };
        let base = format!("Resources.{}.Properties", r.key);
        let hint_reason = |p: &str| format!("{ty} {p}");
        for t in targets(ty) {
            if let Some(node) = props.get(t.property) {
                let label = format!("{base}.{}", t.property);
                let mut u = make_unit(
                    file,
                    label,
                    node,
                    is_json,
                    TypeHint::new(t.ty, hint_reason(t.property)),
                    t.container,
                );
                if t.ty == PolicyType::Resource {
                    u.resource_kind = crate::ResourceKind::from_name(ty);
                }
                out.push(u);
            }
        }
        match ty {
            "AWS::IAM::Policy" => {
                let container = ["Users", "Groups", "Roles"]
                    .iter()
                    .find(|k| props.get(k).is_some())
                    .map_or(Container::RoleInline, |k| match *k {
                        "Users" => Container::UserInline,
                        "Groups" => Container::GroupInline,
                        _ => Container::RoleInline,
                    });
                if let Some(node) = props.get("PolicyDocument") {
                    out.push(make_unit(
                        file,
                        format!("{base}.PolicyDocument"),
                        node,
                        is_json,
                        TypeHint::new(PolicyType::Identity, hint_reason("PolicyDocument")),
                        container,
                    ));
                }
            }
            "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::Group" => {
                let container = match ty {
                    "AWS::IAM::Role" => Container::RoleInline,
                    "AWS::IAM::User" => Container::UserInline,
                    _ => Container::GroupInline,
                };
                if let Some(JsonKind::Array(items)) = props.get("Policies").map(|p| &p.kind) {
                    for (i, p) in items.iter().enumerate() {
                        if let Some(node) = p.get("PolicyDocument") {
                            out.push(make_unit(
                                file,
                                format!("{base}.Policies[{i}].PolicyDocument"),
                                node,
                                is_json,
                                TypeHint::new(PolicyType::Identity, format!("{ty} inline policy")),
                                container,
                            ));
                        }
                    }
                }
            }
            "AWS::Organizations::Policy" => {
                let kind = props.get("Type").and_then(Json::as_str).unwrap_or("");
                let pt = match kind {
                    "SERVICE_CONTROL_POLICY" => Some(PolicyType::Scp),
                    "RESOURCE_CONTROL_POLICY" => Some(PolicyType::Rcp),
                    _ => None,
                };
                if let (Some(pt), Some(node)) = (pt, props.get("Content")) {
                    out.push(make_unit(
                        file,
                        format!("{base}.Content"),
                        node,
                        is_json,
                        TypeHint::new(pt, format!("AWS::Organizations::Policy of type {kind}")),
                        Container::Standalone,
                    ));
                }
            }
            "AWS::Lambda::Permission" => {
                if let Some(u) = lambda_permission(file, &base, props) {
                    out.push(u);
                }
            }
            _ => {}
        }
    }
    out
}

fn make_unit(
    file: &Arc<SourceFile>,
    label: String,
    node: &Json,
    is_json: bool,
    hint: TypeHint,
    container: Container,
) -> PolicyUnit {
    let mut node = node.clone();
    let mut placeholders = Vec::new();
    // A document built by Fn::Sub / Fn::Join is text; resolve then treat as a string.
    intrinsics::resolve(&mut node, &mut placeholders);
    // A whole document that only an intrinsic yields (`!ImportValue`, `!Ref` to a
    // parameter) cannot be read offline: say so instead of calling it invalid JSON.
    if let Some(text) = node.as_str() {
        if intrinsics::has_placeholder(text) && !text.contains("Statement") {
            let mut u = super::issue_unit(
                file,
                &crate::rules::semantics::NO_POLICY_READ,
                format!("{label} is built by an intrinsic function ({text}) that cannot be resolved offline, so the policy was not checked"),
                Some("inline the document, or lint the deployed policy".into()),
            );
            if let super::Body::Issue { span, .. } = &mut u.body {
                *span = node.span;
            }
            u.label = label;
            return u;
        }
    }
    let mut unit = unit_from_node(file, label, &node, is_json)
        .with_hint(Some(hint))
        .with_container(container);
    unit.placeholders = placeholders;
    unit
}

fn str_node(s: &str, span: Span) -> Json {
    Json {
        kind: JsonKind::String(s.to_string()),
        span,
    }
}

fn member(key: &str, value: Json) -> Member {
    Member {
        key: key.to_string(),
        key_span: value.span,
        value,
    }
}

/// `AWS::Lambda::Permission` as the resource-policy statement Lambda adds for it.
fn lambda_permission(file: &Arc<SourceFile>, base: &str, props: &Json) -> Option<PolicyUnit> {
    let mut props = props.clone();
    let mut placeholders = Vec::new();
    intrinsics::resolve(&mut props, &mut placeholders);
    let action = props.get("Action")?.clone();
    let principal = props.get("Principal")?.clone();
    let function = props
        .get("FunctionName")
        .cloned()
        .unwrap_or_else(|| str_node("*", props.span));
    let p = principal.as_str().unwrap_or("");
    let principal_value = if p == "*" {
        principal.clone()
    } else {
        let key = if p.ends_with(".amazonaws.com") || p.ends_with(".amazonaws.com.cn") {
            "Service"
        } else {
            "AWS"
        };
        Json {
            kind: JsonKind::Object(vec![member(key, principal.clone())]),
            span: principal.span,
        }
    };
    let resource = match function.as_str() {
        Some(f) if f.starts_with("arn:") => function.clone(),
        Some(f) if !f.contains("{{") => str_node(
            &format!("arn:aws:lambda:{{{{AWS.Region}}}}:{{{{AWS.AccountId}}}}:function:{f}"),
            function.span,
        ),
        _ => str_node("*", function.span),
    };
    let mut conditions = Vec::new();
    let mut arn_like = Vec::new();
    if let Some(v) = props.get("SourceArn") {
        arn_like.push(member("aws:SourceArn", v.clone()));
    }
    let mut equals = Vec::new();
    if let Some(v) = props.get("SourceAccount") {
        equals.push(member("aws:SourceAccount", v.clone()));
    }
    if let Some(v) = props.get("PrincipalOrgID") {
        equals.push(member("aws:PrincipalOrgID", v.clone()));
    }
    if let Some(v) = props.get("FunctionUrlAuthType") {
        equals.push(member("lambda:FunctionUrlAuthType", v.clone()));
    }
    if !arn_like.is_empty() {
        conditions.push(member(
            "ArnLike",
            Json {
                kind: JsonKind::Object(arn_like),
                span: props.span,
            },
        ));
    }
    if !equals.is_empty() {
        conditions.push(member(
            "StringEquals",
            Json {
                kind: JsonKind::Object(equals),
                span: props.span,
            },
        ));
    }
    let mut stmt = vec![
        member("Effect", str_node("Allow", props.span)),
        member("Principal", principal_value),
        member("Action", action),
        member("Resource", resource),
    ];
    if !conditions.is_empty() {
        stmt.push(member(
            "Condition",
            Json {
                kind: JsonKind::Object(conditions),
                span: props.span,
            },
        ));
    }
    let doc = Json {
        kind: JsonKind::Object(vec![
            member("Version", str_node("2012-10-17", props.span)),
            member(
                "Statement",
                Json {
                    kind: JsonKind::Array(vec![Json {
                        kind: JsonKind::Object(stmt),
                        span: props.span,
                    }]),
                    span: props.span,
                },
            ),
        ]),
        span: props.span,
    };
    let mut unit = PolicyUnit::from_tree(
        file,
        format!("{base} (as a Lambda resource-policy statement)"),
        doc,
    )
    .with_hint(Some(TypeHint::new(
        PolicyType::Resource,
        "AWS::Lambda::Permission",
    )))
    .with_container(Container::OtherResource);
    unit.placeholders = placeholders;
    Some(unit)
}
