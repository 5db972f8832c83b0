//! `E4xx` restrictions by policy type (identity, resource, trust, SCP, RCP) and
//! `E5xx` size quotas.

use super::{placeholder, Ctx};
use crate::input::Container;
use crate::rule::{Rule, Severity};
use verdict_policy::json::Json;
use verdict_policy::PolicyType;

/// `E401`
pub const PRINCIPAL_NOT_ALLOWED: Rule = Rule {
    code: "E401",
    name: "principal-not-allowed",
    severity: Severity::Error,
    summary: "Principal or NotPrincipal in an identity policy, boundary or session policy",
    docs: r#"**What it flags.** A `Principal`/`NotPrincipal` element in a policy attached to a
user, group or role (identity policy, permissions boundary, session policy).

**Why it matters.** IAM rejects it ("Policy document should not specify a principal"):
the principal of an identity policy is whoever it is attached to. A `Principal` there
usually means a resource or trust policy was pasted into the wrong place — or the
policy type was detected wrongly; pass `--policy-type`.

**Example.**
```json
{"Statement": {"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "*"}}
```

**Fix.** Remove the element, or attach the document as the resource policy it is."#,
    access_analyzer: &["UNSUPPORTED_PRINCIPAL"],
    security_severity: None,
    tags: &["policy-type"],
};

/// `E402`
pub const MISSING_PRINCIPAL: Rule = Rule {
    code: "E402",
    name: "missing-principal",
    severity: Severity::Error,
    summary: "A resource, trust or resource control policy statement has no Principal",
    docs: r#"**What it flags.** A statement without `Principal`/`NotPrincipal` in a resource-based
policy, a role trust policy or an RCP.

**Why it matters.** These policies must say whom they apply to; the service rejects the
document otherwise.

**Example.**
```json
{"Statement": {"Effect": "Allow", "Action": "sts:AssumeRole"}}
```

**Fix.** Add the principal, e.g. `"Principal": {"Service": "lambda.amazonaws.com"}`."#,
    access_analyzer: &["MISSING_PRINCIPAL"],
    security_severity: None,
    tags: &["policy-type"],
};

/// `E403`
pub const NOT_PRINCIPAL_NOT_ALLOWED: Rule = Rule {
    code: "E403",
    name: "not-principal-not-allowed",
    severity: Severity::Error,
    summary: "NotPrincipal in a role trust policy",
    docs: r#"**What it flags.** `NotPrincipal` in a role trust policy.

**Why it matters.** IAM does not accept `NotPrincipal` in trust policies.

**Example.**
```json
{"Statement": {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole"}}
```

**Fix.** Name the principals that may assume the role in an Allow statement; use
conditions such as `aws:PrincipalOrgID` to restrict further."#,
    access_analyzer: &["ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL"],
    security_severity: None,
    tags: &["policy-type", "trust"],
};

/// `E404`
pub const RCP_ALLOW_NOT_PERMITTED: Rule = Rule {
    code: "E404",
    name: "rcp-allow-not-permitted",
    severity: Severity::Error,
    summary: "An RCP statement allows (custom RCPs may only deny)",
    docs: r#"**What it flags.** An `Allow` statement in a resource control policy other than the
exact `RCPFullAWSAccess` statement (`Principal` `*`, `Action` `*`, `Resource` `*`, no
condition).

**Why it matters.** AWS Organizations accepts only Deny statements in custom RCPs; the
AWS-managed `RCPFullAWSAccess` is attached everywhere and cannot be detached.

**Example.**
```json
{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}}
```

**Fix.** Express the control as a Deny with conditions, e.g. deny `s3:*` unless
`aws:PrincipalOrgID` is your organization."#,
    access_analyzer: &[],
    security_severity: None,
    tags: &["policy-type", "rcp"],
};

/// `E405`
pub const RCP_PRINCIPAL_NOT_WILDCARD: Rule = Rule {
    code: "E405",
    name: "rcp-principal-not-wildcard",
    severity: Severity::Error,
    summary: "An RCP statement's Principal is not \"*\"",
    docs: r#"**What it flags.** An RCP statement whose `Principal` is anything but `"*"`.

**Why it matters.** RCPs apply to every caller; AWS Organizations requires
`"Principal": "*"` and expects narrowing through conditions.

**Example.**
```json
{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": "*"}}
```

**Fix.** Use `"Principal": "*"` and a condition such as `aws:PrincipalAccount`."#,
    access_analyzer: &[],
    security_severity: None,
    tags: &["policy-type", "rcp"],
};

/// `E406`
pub const RCP_ELEMENT_NOT_PERMITTED: Rule = Rule {
    code: "E406",
    name: "rcp-element-not-permitted",
    severity: Severity::Error,
    summary: "An RCP uses NotAction or NotPrincipal",
    docs: r#"**What it flags.** `NotAction` or `NotPrincipal` in a resource control policy.

**Why it matters.** The RCP grammar has neither element; AWS Organizations rejects the
policy.

**Example.**
```json
{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": "*"}}
```

**Fix.** List the actions to deny with `Action`."#,
    access_analyzer: &[],
    security_severity: None,
    tags: &["policy-type", "rcp"],
};

/// `E407`
pub const RCP_UNSUPPORTED_SERVICE: Rule = Rule {
    code: "E407",
    name: "rcp-unsupported-service",
    severity: Severity::Error,
    summary: "An RCP names an action of a service that RCPs do not cover",
    docs: r#"**What it flags.** An action in a resource control policy whose service does not
support RCPs (RCPs cover a fixed list of services, such as Amazon S3, AWS STS, AWS KMS,
Amazon SQS and AWS Secrets Manager; the catalog records which).

**Why it matters.** AWS Organizations rejects RCPs with such actions, and even if it did
not, the statement would never apply.

**Example.**
```json
{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*", "Action": "ec2:RunInstances", "Resource": "*"}}
```

**Fix.** Control that service with an SCP instead."#,
    access_analyzer: &[],
    security_severity: None,
    tags: &["policy-type", "rcp", "catalog"],
};

/// `E408`
pub const SCP_PRINCIPAL_NOT_PERMITTED: Rule = Rule {
    code: "E408",
    name: "scp-principal-not-permitted",
    severity: Severity::Error,
    summary: "Principal or NotPrincipal in a service control policy",
    docs: r#"**What it flags.** `Principal`/`NotPrincipal` in an SCP.

**Why it matters.** SCPs apply to every IAM principal of the accounts they are attached
to and have no principal element; AWS Organizations rejects the policy.

**Example.**
```json
{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}}
```

**Fix.** Remove it; to exempt a role, add a condition such as `ArnNotLike` on
`aws:PrincipalArn`."#,
    access_analyzer: &["SCP_SYNTAX_ERROR_PRINCIPAL"],
    security_severity: None,
    tags: &["policy-type", "scp"],
};

/// `E409`
pub const SCP_LEGACY_SYNTAX: Rule = Rule {
    code: "E409",
    name: "scp-legacy-syntax",
    severity: Severity::Error,
    summary:
        "An SCP uses syntax the 2023 SCP grammar did not allow (with --scp-syntax legacy-2023)",
    docs: r#"**What it flags.** Only when linting with `--scp-syntax legacy-2023` (for
organizations or tools that still apply the June-2023 rules): an Allow statement with
`NotAction`, `NotResource`, a `Condition` or a Resource other than `*`, or an action
with a wildcard that is not at its end (`s3:*Object`).

**Why it matters.** Under the old grammar those forms were rejected. Since September
2025 SCPs accept the full policy language, so by default (`--scp-syntax current`) this
check does not run.

**Example.**
```json
{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::logs/*"}}
```

**Fix.** Allow with `Resource: "*"` and move restrictions into Deny statements."#,
    access_analyzer: &[
        "SCP_SYNTAX_ERROR_ACTION_WILDCARD",
        "SCP_SYNTAX_ERROR_ALLOW_CONDITION",
        "SCP_SYNTAX_ERROR_ALLOW_NOTACTION",
        "SCP_SYNTAX_ERROR_ALLOW_RESOURCE",
        "SCP_SYNTAX_ERROR_NOTRESOURCE",
    ],
    security_severity: None,
    tags: &["policy-type", "scp"],
};

/// `E410`
pub const RESOURCE_IN_TRUST_POLICY: Rule = Rule {
    code: "E410",
    name: "resource-in-trust-policy",
    severity: Severity::Error,
    summary: "A role trust policy has Resource or NotResource",
    docs: r#"**What it flags.** `Resource`/`NotResource` in a role trust policy.

**Why it matters.** The resource of a trust policy is the role itself; IAM rejects
trust policies with a resource element ("Has prohibited field Resource").

**Example.**
```json
{"Statement": {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*"}}
```

**Fix.** Remove the element."#,
    access_analyzer: &["ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE"],
    security_severity: None,
    tags: &["policy-type", "trust"],
};

/// `E501`
pub const POLICY_TOO_LARGE: Rule = Rule {
    code: "E501",
    name: "policy-too-large",
    severity: Severity::Error,
    summary: "The policy is longer than its type's size quota",
    docs: r#"**What it flags.** A policy longer than the quota for where it is attached:

| Policy | Quota | Counted |
|---|---|---|
| customer managed policy (also a standalone identity policy or boundary) | 6,144 characters | without whitespace |
| inline policy of a user | 2,048 characters | without whitespace |
| inline policy of a group | 5,120 characters | without whitespace |
| inline policy of a role (all of a role's inline policies together) | 10,240 characters | without whitespace |
| role trust policy | 2,048 characters by default (adjustable) | without whitespace |
| session policy | 2,048 characters | without whitespace |
| service control policy, resource control policy | 5,120 characters | every character, whitespace included |
| S3 bucket policy | 20 KB | bytes |
| KMS key policy | 32 KB | bytes |

Sources: the IAM and AWS STS quotas page of the IAM User Guide (managed, inline and
trust policy lengths; IAM does not count whitespace), the AWS Organizations quotas page
(maximum SCP and RCP size, whitespace counted), the Amazon S3 User Guide (bucket policy
size) and the AWS KMS quotas page (key policy document size). Other resource policies
are not checked.

This is an error where the quota is certain: the container is known (a CloudFormation
or Terraform resource says where the policy goes), or the type has one fixed quota (SCP,
RCP, session policy). A standalone identity, trust or resource policy file over the
usual quota is the warning `W121`.

**Why it matters.** The API call that saves the policy fails with `LimitExceeded`.

**Example.** An SCP listing every `ec2:Delete…` action one by one, indented.

**Fix.** Use wildcards for action families, split the policy into several managed
policies, or attach to a group or role (larger quotas). For SCPs, remove indentation."#,
    access_analyzer: &[
        "POLICY_SIZE_EXCEEDS_SCP_QUOTA",
        "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
        "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
        "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA",
    ],
    security_severity: None,
    tags: &["policy-type", "size"],
};

/// `W121`
pub const POLICY_MAY_EXCEED_QUOTA: Rule = Rule {
    code: "W121",
    name: "policy-may-exceed-quota",
    severity: Severity::Warning,
    summary: "A standalone policy is longer than the quota of where it is usually attached",
    docs: r#"**What it flags.** A policy file, not attached to anything Verdict can see, that
is longer than the usual quota for its type: 6,144 characters for an identity policy or
boundary (the customer managed policy quota), 2,048 for a role trust policy (the default,
adjustable to 4,096), and for a resource policy whose resource is given with
`--resource-type` (or `resource-type` in `verdict.toml`): 20 KB for an S3 bucket, 32 KB
for a KMS key. The quotas and how they count are those of `E501`.

**Why it matters.** Saving it where it is usually attached fails with
`LimitExceeded`; but the actual quota depends on the container (a role's inline policies
may hold 10,240 characters) or on a raised account quota, so this is a warning. When the
container is known (a CloudFormation or Terraform resource), the same excess is the
error `E501`.

**Example.** A 7,000-character identity policy file.

**Fix.** Use wildcards for action families or split the policy.

**Class.** Warning, Access Analyzer's class (`POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA`,
`POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA`, `POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA`)."#,
    access_analyzer: &[
        "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA",
        "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA",
        "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA",
    ],
    security_severity: None,
    tags: &["quota"],
};

/// `E411`
pub const ACTION_NOT_FOR_RESOURCE: Rule = Rule {
    code: "E411",
    name: "action-not-for-resource",
    severity: Severity::Error,
    summary: "A resource policy names an action of another service than its resource's",
    docs: r#"**What it flags.** In a resource-based policy whose resource is known (from the
CloudFormation or Terraform resource, or `--resource-type`), an action of another
service: `kms:Decrypt` in a bucket policy, `sns:Publish` in a queue policy,
`ec2:RunInstances` anywhere but an identity policy. `"*"` is accepted.

**Why it matters.** A resource policy only governs requests to its own resource, so the
action can never apply; S3, SQS and SNS reject such a policy.

**Example.**
```json
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": ["s3:GetObject", "kms:Decrypt"], "Resource": "arn:aws:s3:::reports/*"}
```

**Fix.** Grant the other service's action in that resource's own policy (the key
policy for `kms:Decrypt`) or in the caller's identity policy."#,
    access_analyzer: &["UNSUPPORTED_ACTION_IN_POLICY"],
    security_severity: None,
    tags: &["resource-policy"],
};

/// `E412`
pub const RESOURCE_NOT_FOR_RESOURCE: Rule = Rule {
    code: "E412",
    name: "resource-not-for-resource",
    severity: Severity::Error,
    summary: "A resource policy names a resource of another kind than its own",
    docs: r#"**What it flags.** In a resource-based policy whose resource is known, a
`Resource` ARN of another kind: a KMS key ARN in a bucket policy, a bucket ARN in an
access point policy (it must name `…:accesspoint/NAME` and `…/object/…`), a topic ARN in
a queue policy.

**Why it matters.** The entry can never match the policy's own resource; the service
rejects the policy or the statement never applies.

**Example.**
```json
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::reports/*"}
```
(in an access point policy)

**Fix.** Name the policy's own resource, in its ARN form."#,
    access_analyzer: &["UNSUPPORTED_RESOURCE_ARN_IN_POLICY"],
    security_severity: None,
    tags: &["resource-policy", "arn"],
};

/// `E411`, `E412`
pub(crate) fn check_resource_kind(ctx: &mut Ctx<'_>) {
    let Some(kind) = ctx.resource_kind else {
        return;
    };
    if ctx.ptype != PolicyType::Resource {
        return;
    }
    let mut found = Vec::new();
    for st in &ctx.policy.statements {
        if !st.action.negated {
            for p in &st.action.patterns {
                if p.is_any() || placeholder(&p.raw) {
                    continue;
                }
                let svc = p.raw.split(':').next().unwrap_or("").to_ascii_lowercase();
                if svc.contains(['*', '?']) || kind.services().contains(&svc.as_str()) {
                    continue;
                }
                found.push((
                    &ACTION_NOT_FOR_RESOURCE,
                    p.span,
                    format!(
                        "\"{}\" is not an action of {}: the policy of an {} governs only requests to that resource",
                        p.raw,
                        kind.services().join("/"),
                        kind.as_str()
                    ),
                    Some("grant it in the other resource's policy or in an identity policy".to_string()),
                ));
            }
        }
        let Some(r) = &st.resource else { continue };
        for e in &r.entries {
            if e.raw == "*" && kind == crate::ResourceKind::S3Bucket && !r.negated {
                found.push((
                    &RESOURCE_NOT_FOR_RESOURCE,
                    e.span,
                    "S3 requires a bucket policy's Resource to name the bucket (arn:aws:s3:::BUCKET or arn:aws:s3:::BUCKET/…), not \"*\"".to_string(),
                    Some("write the bucket's ARN, and arn:aws:s3:::BUCKET/* for its objects".to_string()),
                ));
                continue;
            }
            if e.raw == "*" || placeholder(&e.raw) || e.raw.contains("${") {
                continue;
            }
            let Some(arn) = verdict_policy::arn::Arn::parse(&e.raw) else {
                continue;
            };
            if !kind.fits_arn(arn.service, arn.resource) {
                found.push((
                    &RESOURCE_NOT_FOR_RESOURCE,
                    e.span,
                    format!(
                        "\"{}\" is not a resource the policy of an {} can govern",
                        e.raw,
                        kind.as_str()
                    ),
                    Some("name the policy's own resource".to_string()),
                ));
            }
        }
    }
    for (rule, span, msg, help) in found {
        ctx.report(rule, span, msg, help);
    }
}

/// `E410`
pub(crate) fn check_resource_in_trust(ctx: &mut Ctx<'_>) {
    if ctx.ptype != PolicyType::Trust {
        return;
    }
    let mut found = Vec::new();
    for st in &ctx.policy.statements {
        if let Some(r) = &st.resource {
            found.push((r.span, if r.negated { "NotResource" } else { "Resource" }));
        }
    }
    for (span, what) in found {
        ctx.report(
            &RESOURCE_IN_TRUST_POLICY,
            span,
            format!("a role trust policy cannot have {what}: the resource is the role itself"),
            Some(format!("remove \"{what}\"")),
        );
    }
}

/// `E407`
pub(crate) fn check_rcp_services(ctx: &mut Ctx<'_>) {
    if ctx.ptype != PolicyType::Rcp {
        return;
    }
    let mut found = Vec::new();
    for st in &ctx.stmts {
        for a in &st.actions {
            if let Some(svc) = a.service {
                if !svc.supports_rcp() {
                    found.push((a.pattern.span, a.pattern.raw.clone(), svc.prefix()));
                }
            }
        }
    }
    for (span, raw, svc) in found {
        ctx.report(
            &RCP_UNSUPPORTED_SERVICE,
            span,
            format!("\"{raw}\": resource control policies do not apply to {svc}"),
            Some("use a service control policy for this service".into()),
        );
    }
}

/// How a quota counts characters.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Count {
    NoWhitespace,
    Everything,
    Bytes,
}

/// The quota of a policy, and whether it is definite (the container is known and its
/// quota fixed) or only the usual one (a standalone file, an adjustable quota).
fn quota(
    container: Container,
    ptype: PolicyType,
    kind: Option<crate::ResourceKind>,
) -> Option<(usize, Count, &'static str, bool)> {
    use Count::*;
    let definite = match container {
        Container::Standalone | Container::RoleTrust => {
            matches!(
                ptype,
                PolicyType::Scp | PolicyType::Rcp | PolicyType::Session
            )
        }
        _ => true,
    };
    let container = match (container, ptype, kind) {
        (Container::Standalone, PolicyType::Resource, Some(crate::ResourceKind::S3Bucket)) => {
            Container::S3Bucket
        }
        (Container::Standalone, PolicyType::Resource, Some(crate::ResourceKind::KmsKey)) => {
            Container::KmsKey
        }
        (c, _, _) => c,
    };
    let (limit, count, what) = match container {
        Container::ManagedPolicy => (6144, NoWhitespace, "a customer managed policy"),
        Container::UserInline => (2048, NoWhitespace, "an inline policy of an IAM user"),
        Container::GroupInline => (5120, NoWhitespace, "an inline policy of an IAM group"),
        Container::RoleInline => (10240, NoWhitespace, "the inline policies of an IAM role"),
        Container::RoleTrust => (2048, NoWhitespace, "a role trust policy (default quota)"),
        Container::S3Bucket => (20 * 1024, Bytes, "an S3 bucket policy"),
        Container::KmsKey => (32 * 1024, Bytes, "a KMS key policy"),
        Container::OtherResource | Container::AwsManaged => return None,
        Container::Standalone => match ptype {
            PolicyType::Identity | PolicyType::Boundary => (6144, NoWhitespace, "a managed policy"),
            PolicyType::Trust => (2048, NoWhitespace, "a role trust policy (default quota)"),
            PolicyType::Session => (2048, NoWhitespace, "a session policy"),
            PolicyType::Scp => (5120, Everything, "a service control policy"),
            PolicyType::Rcp => (5120, Everything, "a resource control policy"),
            _ => return None,
        },
    };
    Some((limit, count, what, definite))
}

/// `E501`: `text` is the policy as written (None when it was embedded as an object in
/// a template, where the stored form is the compact JSON).
pub(crate) fn size_finding(
    tree: &Json,
    text: Option<&str>,
    container: Container,
    ptype: PolicyType,
    kind: Option<crate::ResourceKind>,
) -> Option<(&'static Rule, String, Option<String>)> {
    let (limit, count, what, definite) = quota(container, ptype, kind)?;
    let rule = if definite {
        &POLICY_TOO_LARGE
    } else {
        &POLICY_MAY_EXCEED_QUOTA
    };
    let compact = serde_json::to_string(&tree.to_value()).unwrap_or_default();
    if placeholder(&compact) {
        return None;
    }
    let n = match count {
        Count::NoWhitespace => compact.chars().filter(|c| !c.is_whitespace()).count(),
        Count::Everything => text.map_or_else(|| compact.chars().count(), |t| t.chars().count()),
        Count::Bytes => text.map_or(compact.len(), str::len),
    };
    if n <= limit {
        return None;
    }
    let unit = match count {
        Count::NoWhitespace => "characters, not counting whitespace",
        Count::Everything => "characters, whitespace included",
        Count::Bytes => "bytes",
    };
    let help = match count {
        Count::Everything => {
            "remove indentation and line breaks, or split the statements over several policies"
        }
        _ => "use wildcards for related actions or split the policy in two",
    };
    Some((
        rule,
        format!("the policy is {n} {unit}; {what} may have at most {limit}"),
        Some(help.into()),
    ))
}
