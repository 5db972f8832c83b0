//! `S1xx`: statements that allow more than their author probably meant.

use super::Ctx;
use crate::rule::{Rule, Severity};
use verdict_policy::arn::Arn;
use verdict_policy::condition::{BaseOp, Condition, SetOp};
use verdict_policy::principal::PrincipalEntry;
use verdict_policy::{Effect, PolicyType, Span, Statement};

/// `S101`
pub const ALLOW_WITH_NOT_ACTION: Rule = Rule {
    code: "S101",
    name: "allow-with-not-action",
    severity: Severity::SecurityWarning,
    summary: "An Allow statement uses NotAction",
    docs: r#"**What it flags.** `"Effect": "Allow"` with `NotAction` in an identity or resource
policy.

**Why it matters.** `NotAction` allows every action of every service except those
listed — including services and actions AWS adds later. With `"Resource": "*"` that is
close to administrator access.

**Example.**
```json
{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
```

**Fix.** List the actions to allow with `Action`; if you need "everything except",
combine a broad `Action` with an explicit Deny for the exceptions."#,
    access_analyzer: &[],
    security_severity: Some("7.5"),
    tags: &["security"],
};

/// `S102`
pub const ALLOW_WITH_NOT_RESOURCE: Rule = Rule {
    code: "S102",
    name: "allow-with-not-resource",
    severity: Severity::SecurityWarning,
    summary: "An Allow statement uses NotResource",
    docs: r#"**What it flags.** `"Effect": "Allow"` with `NotResource` in an identity or
resource policy.

**Why it matters.** The statement allows its actions on every resource except those
listed — in every account, including resources created later.

**Example.**
```json
{"Effect": "Allow", "Action": "s3:*", "NotResource": "arn:aws:s3:::payroll/*"}
```

**Fix.** List the resources to allow; express exceptions as an explicit Deny."#,
    access_analyzer: &[],
    security_severity: Some("6.5"),
    tags: &["security"],
};

/// `S103`
pub const PASS_ROLE_WITH_STAR_RESOURCE: Rule = Rule {
    code: "S103",
    name: "pass-role-with-star-resource",
    severity: Severity::SecurityWarning,
    summary: "iam:PassRole is allowed on every role",
    docs: r#"**What it flags.** An Allow statement whose actions include `iam:PassRole` (named,
or through `iam:*`, `iam:Pass*`, `*` or `NotAction`) on `"Resource": "*"`, on every role
(`arn:aws:iam::*:role/*`) or through `NotResource`.

**Why it matters.** Passing a role hands its permissions to a service (EC2, Lambda,
Glue, …) that then acts with them. Being able to pass *any* role — including
administrator roles — is a privilege-escalation path.

**Example.**
```json
{"Effect": "Allow", "Action": ["iam:PassRole", "ec2:RunInstances"], "Resource": "*"}
```

**Fix.** Name the roles: `"Resource": "arn:aws:iam::111122223333:role/app-ec2-role"`,
and restrict the receiving service with `iam:PassedToService`."#,
    access_analyzer: &[
        "PASS_ROLE_WITH_STAR_IN_RESOURCE",
        "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
        "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOTACTION",
        "PASS_ROLE_WITH_NOTRESOURCE",
        "PASS_ROLE_WITH_NOTACTION_AND_NOTRESOURCE",
        "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOTRESOURCE",
    ],
    security_severity: Some("8.0"),
    tags: &["security", "privilege-escalation"],
};

/// `S104`
pub const PUBLIC_RESOURCE_POLICY: Rule = Rule {
    code: "S104",
    name: "public-resource-policy",
    severity: Severity::SecurityWarning,
    summary: "A resource policy allows Principal \"*\" without a narrowing condition",
    docs: r#"**What it flags.** An Allow statement in a resource-based policy whose principal is
`"*"` or `{"AWS": "*"}` and which has no condition that narrows who can call: a positive
condition (not `…IfExists`, not negated) on `aws:PrincipalOrgID`,
`aws:PrincipalOrgPaths`, `aws:PrincipalAccount`, `aws:PrincipalArn`, `aws:SourceArn`,
`aws:SourceAccount`, `aws:SourceOrgID`, `aws:SourceVpc(e)`, `aws:SourceIp`,
`aws:userid`, `kms:CallerAccount`, `s3:DataAccessPointAccount` and similar keys.

**Why it matters.** `*` means everyone, including anonymous callers and every other AWS
account: the resource is public.

**Example.**
```json
{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
```

**Fix.** Name the principals, or keep `*` and add e.g.
`"Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}`."#,
    access_analyzer: &[],
    security_severity: Some("8.5"),
    tags: &["security", "public-access"],
};

/// `S105`
pub const OPEN_TRUST_POLICY: Rule = Rule {
    code: "S105",
    name: "open-trust-policy",
    severity: Severity::SecurityWarning,
    summary: "A role trust policy lets any principal assume the role",
    docs: r#"**What it flags.** An Allow statement in a role trust policy whose principal is
`"*"` or `{"AWS": "*"}` without a narrowing condition (the keys listed for `S104`).

**Why it matters.** Anyone with AWS credentials, in any account, can assume the role and
use its permissions.

**Example.**
```json
{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
```

**Fix.** Name the trusted accounts or roles, or add a condition on
`aws:PrincipalOrgID`/`aws:PrincipalArn`; for third parties require `sts:ExternalId`."#,
    access_analyzer: &["ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL"],
    security_severity: Some("9.0"),
    tags: &["security", "trust"],
};

/// `S106`
pub const UNSCOPED_WEB_IDENTITY_TRUST: Rule = Rule {
    code: "S106",
    name: "unscoped-web-identity-trust",
    severity: Severity::SecurityWarning,
    summary: "A web-identity (OIDC) trust has no aud/sub condition",
    docs: r#"**What it flags.** An Allow statement whose principal is a web-identity provider
(`{"Federated": "cognito-identity.amazonaws.com"}`, `accounts.google.com`, an
`oidc-provider/…` ARN) without a positive condition on that provider's audience or
subject (`<provider>:aud`, `<provider>:sub`, `…:app_id`). For GitHub Actions
(`token.actions.githubusercontent.com`) a `sub` condition that names the repository is
required; a bare `*` does not count.

**Why it matters.** Without an audience the role trusts every application of the
provider; for GitHub, every workflow of every repository on github.com can assume the
role.

**Example.**
```json
{"Effect": "Allow",
 "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
 "Action": "sts:AssumeRoleWithWebIdentity"}
```

**Fix.** Add `"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}`
and `"StringLike": {"token.actions.githubusercontent.com:sub": "repo:my-org/my-repo:ref:refs/heads/main"}`."#,
    access_analyzer: &[
        "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL",
        "MISSING_GITHUB_REPO_CONDITION_KEY",
    ],
    security_severity: Some("8.5"),
    tags: &["security", "trust", "oidc"],
};

/// `S107`
pub const ALLOW_WITH_NOT_PRINCIPAL: Rule = Rule {
    code: "S107",
    name: "allow-with-not-principal",
    severity: Severity::SecurityWarning,
    summary: "NotPrincipal is combined with Allow",
    docs: r#"**What it flags.** `"Effect": "Allow"` with `NotPrincipal`.

**Why it matters.** It allows every principal except those listed — including anonymous
callers and every other account. AWS no longer supports the combination.

**Example.**
```json
{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/intern"},
 "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
```

**Fix.** Name the allowed principals in `Principal`; use `NotPrincipal` only with Deny
(or better, a Deny with a condition on `aws:PrincipalArn`)."#,
    access_analyzer: &["ALLOW_WITH_NOT_PRINCIPAL"],
    security_severity: Some("8.5"),
    tags: &["security", "public-access"],
};

/// `S108`
pub const PRIVILEGE_ESCALATION: Rule = Rule {
    code: "S108",
    name: "privilege-escalation",
    severity: Severity::SecurityWarning,
    summary: "The policy allows a known privilege-escalation action set",
    docs: r#"**What it flags.** An identity policy whose Allow statements (together, minus
unconditional Denies) grant every action of a known privilege-escalation set:

* `iam:CreatePolicyVersion` — rewrite a managed policy attached to yourself;
* `iam:SetDefaultPolicyVersion` — switch to a more permissive old version;
* `iam:AttachUserPolicy`, `iam:AttachGroupPolicy`, `iam:AttachRolePolicy` — attach
  `AdministratorAccess`;
* `iam:PutUserPolicy`, `iam:PutGroupPolicy`, `iam:PutRolePolicy` — write an inline
  policy;
* `iam:AddUserToGroup` — join an administrators group;
* `iam:CreateAccessKey`, `iam:CreateLoginProfile`, `iam:UpdateLoginProfile` — obtain
  another user's credentials;
* `iam:UpdateAssumeRolePolicy` — make a privileged role trust you;
* `iam:DeleteUserPermissionsBoundary`, `iam:DeleteRolePermissionsBoundary`,
  `iam:PutUserPermissionsBoundary`, `iam:PutRolePermissionsBoundary` — lift a boundary;
* `iam:PassRole` + `ec2:RunInstances`; `iam:PassRole` + `lambda:CreateFunction` +
  `lambda:InvokeFunction` (or `lambda:CreateEventSourceMapping`);
  `lambda:UpdateFunctionCode`; `iam:PassRole` + `glue:CreateDevEndpoint`;
  `glue:UpdateDevEndpoint`; `iam:PassRole` + `cloudformation:CreateStack`;
  `iam:PassRole` + `datapipeline:CreatePipeline` + `datapipeline:PutPipelineDefinition`;
  `iam:PassRole` + `codebuild:CreateProject` + `codebuild:StartBuild`; `iam:PassRole` +
  `sagemaker:CreateNotebookInstance` + `sagemaker:CreatePresignedNotebookInstanceUrl`;
  `iam:PassRole` + `ecs:RegisterTaskDefinition` + `ecs:RunTask`; `iam:PassRole` +
  `autoscaling:CreateLaunchConfiguration` + `autoscaling:CreateAutoScalingGroup` — run
  code as a more privileged role.

One finding per policy lists every set found. Resources and conditions are not taken
into account: a set scoped to specific resources may be intended, which is why this is a
warning to review, not an error.

**Why it matters.** A principal with any of these sets can give itself more permissions
than the policy grants, up to administrator access.

**Example.**
```json
{"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"], "Resource": "*"}
```

**Fix.** Scope the actions to specific resources (named roles for `iam:PassRole`,
specific policies for `iam:CreatePolicyVersion`), use permissions boundaries, or split
the duties between principals."#,
    access_analyzer: &[],
    security_severity: Some("8.8"),
    tags: &["security", "privilege-escalation"],
};

/// `S109`
pub const SERVICE_PRINCIPAL_WITHOUT_SOURCE: Rule = Rule {
    code: "S109",
    name: "service-principal-without-source",
    severity: Severity::SecurityWarning,
    summary:
        "A resource policy allows an AWS service principal without aws:SourceArn/aws:SourceAccount",
    docs: r#"**What it flags.** An Allow statement in a resource-based policy (not a trust
policy) that names a service principal (`{"Service": "sns.amazonaws.com"}`) without a
condition on `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceOrgID`,
`aws:SourceOrgPaths` or `aws:SourceOwner`.

**Why it matters.** The service acts for every customer. Without a source condition,
anyone can make the service use your resource on their behalf (the confused-deputy
problem): another account's SNS topic could publish into your queue.

**Example.**
```json
{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "sqs:SendMessage",
 "Resource": "arn:aws:sqs:us-east-1:111122223333:q"}
```

**Fix.** Add `"Condition": {"ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic"}}`
or `"StringEquals": {"aws:SourceAccount": "111122223333"}`."#,
    access_analyzer: &["RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL"],
    security_severity: Some("6.0"),
    tags: &["security", "confused-deputy"],
};

fn grants(ptype: PolicyType) -> bool {
    matches!(ptype, PolicyType::Identity | PolicyType::Resource)
}

/// Can the statement's `Resource` name a resource of `svc:name`? `*`, `NotResource`
/// and ARNs of the action's service can; for `iam:PassRole` only a wildcard can (a named
/// role is a deliberate grant, not an escalation path).
fn resource_may_cover(s: &Statement, svc: &str, name: &str) -> bool {
    let Some(r) = &s.resource else { return true };
    if r.negated {
        return true;
    }
    r.entries.iter().any(|e| {
        if e.raw == "*" {
            return true;
        }
        let Some(arn) = Arn::parse(&e.raw) else {
            return super::placeholder(&e.raw);
        };
        let service_ok = if arn.service.contains(['*', '?']) {
            verdict_policy::glob::Glob::new(arn.service).matches(svc)
        } else {
            arn.service.eq_ignore_ascii_case(svc)
        };
        service_ok && (name != "passrole" || arn.resource.contains(['*', '?']))
    })
}

/// Does a condition of the statement keep it from ever allowing `svc:name`: a positive
/// test of a key the action never receives (request tags on `iam:CreateAccessKey`)?
fn condition_excludes(
    catalog: &verdict_catalog::Catalog,
    s: &Statement,
    svc: &str,
    name: &str,
) -> bool {
    let Some(action) = catalog.action(&format!("{svc}:{name}")) else {
        return false;
    };
    s.conditions.iter().any(|c| {
        if c.op.if_exists || c.op.base == BaseOp::Null || c.op.base.is_negated() {
            return false;
        }
        let tag_key = c.key_lc.starts_with("aws:requesttag/")
            || c.key_lc.starts_with("aws:resourcetag/")
            || c.key_lc == "aws:tagkeys";
        if tag_key {
            !action.condition_keys().iter().any(|ck| ck.matches(&c.key))
        } else {
            !action.supports_key(&c.key)
        }
    })
}

/// `E317`
pub const PRINCIPAL_KEY_FOR_SERVICE: Rule = Rule {
    code: "E317",
    name: "principal-key-for-service",
    severity: Severity::Error,
    summary: "A statement for service principals tests a key service principals never have",
    docs: r#"**What it flags.** A statement whose only principals are AWS service principals
(`cloudfront.amazonaws.com`, `logging.s3.amazonaws.com`, …) and that tests
`aws:PrincipalOrgID`, `aws:PrincipalOrgPaths`, `aws:PrincipalAccount` or
`aws:PrincipalTag/…` with a positive operator.

**Why it matters.** A service principal belongs to no organization or account and has no
tags, so the key is absent and the statement never allows the service.

**Example.**
```json
{"Principal": {"Service": "cloudfront.amazonaws.com"}, "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-k3v9xq2m7d"}}}
```

**Fix.** Scope the service with `aws:SourceArn` or `aws:SourceAccount` (the resource it
acts for)."#,
    access_analyzer: &["UNSUPPORTED_CONDITION_KEY_FOR_SERVICE_PRINCIPAL"],
    security_severity: None,
    tags: &["principal", "condition"],
};

/// `W122`
pub const UNIQUE_ID_PRINCIPAL: Rule = Rule {
    code: "W122",
    name: "unique-id-principal",
    severity: Severity::Warning,
    summary: "A principal is named by its unique ID (AROA…, AIDA…) instead of its ARN",
    docs: r#"**What it flags.** `{"AWS": "AROA…"}` or `{"AWS": "AIDA…"}`: a role's or user's
unique ID.

**Why it matters.** IAM writes unique IDs into a policy when the role or user it named
was deleted; an ID never matches a role or user created later under the same name, so the
grant silently stopped working. Written on purpose, it breaks as soon as the role is
recreated.

**Example.**
```json
{"Principal": {"AWS": "AROAZ7Q2XK4HN5PLM8RTB"}}
```

**Fix.** Name the role or user by ARN (and recreate the grant if the principal was
deleted)."#,
    access_analyzer: &["INVALID_ROLE_REFERENCE", "INVALID_USER_REFERENCE"],
    security_severity: None,
    tags: &["principal"],
};

/// `W123`
pub const CREATE_SLR_UNSCOPED: Rule = Rule {
    code: "W123",
    name: "create-slr-unscoped",
    severity: Severity::Warning,
    summary: "iam:CreateServiceLinkedRole is allowed for every service",
    docs: r#"**What it flags.** An Allow of `iam:CreateServiceLinkedRole` on `"*"` (or with
`NotResource`) without an `iam:AWSServiceName` condition.

**Why it matters.** The caller can create the service-linked role of any service, and so
enable that service's access to the account.

**Example.**
```json
{"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*"}
```

**Fix.** Name the role ARN (`arn:aws:iam::*:role/aws-service-role/SERVICE/*`) or add
`"StringEquals": {"iam:AWSServiceName": "SERVICE.amazonaws.com"}`."#,
    access_analyzer: &[
        "CREATE_SLR_WITH_STAR_IN_RESOURCE",
        "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE",
        "CREATE_SLR_WITH_NOTRESOURCE",
        "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOTRESOURCE",
        "CREATE_SLR_WITH_NOTACTION_AND_NOTRESOURCE",
        "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOTACTION",
    ],
    security_severity: None,
    tags: &["iam"],
};

/// `E317`, `W122`, `W123`
pub(crate) fn check_principal_forms(ctx: &mut Ctx<'_>) {
    let mut found: Vec<(&'static Rule, Span, String, Option<String>)> = Vec::new();
    for st in &ctx.policy.statements {
        if let Some(p) = &st.principal {
            for e in &p.entries {
                if let PrincipalEntry::UniqueId(id) = e {
                    let what = if id.starts_with("AROA") {
                        "role"
                    } else if id.starts_with("AIDA") {
                        "user"
                    } else {
                        "principal"
                    };
                    found.push((
                        &UNIQUE_ID_PRINCIPAL,
                        p.span,
                        format!("\"{id}\" is the unique ID of a {what}: it never matches a {what} created later under the same name"),
                        Some(format!("name the {what} by its ARN")),
                    ));
                }
            }
            let only_services = !p.negated
                && !p.entries.is_empty()
                && p.entries
                    .iter()
                    .all(|e| matches!(e, PrincipalEntry::Service(_)));
            // In trust policies some services pass principal tags (IAM Roles Anywhere
            // passes the certificate's attributes), so only resource policies count.
            if only_services && st.effect == Effect::Allow && ctx.ptype == PolicyType::Resource {
                for c in &st.conditions {
                    let k = c.key_lc.as_str();
                    let principal_key = matches!(
                        k,
                        "aws:principalorgid" | "aws:principalorgpaths" | "aws:principalaccount"
                    ) || k.starts_with("aws:principaltag/");
                    if principal_key && positive(c) {
                        found.push((
                            &PRINCIPAL_KEY_FOR_SERVICE,
                            c.key_span,
                            format!("\"{}\" is never present for a service principal, so statement {} never allows the service", c.key, st.label()),
                            Some("scope the service with aws:SourceArn or aws:SourceAccount".into()),
                        ));
                    }
                }
            }
        }
        if ctx.ptype == PolicyType::Identity
            && st.effect == Effect::Allow
            && st.action.covers("iam", "createservicelinkedrole")
        {
            let star = st
                .resource
                .as_ref()
                .is_some_and(|r| r.negated || r.entries.iter().any(|e| e.raw == "*"));
            let scoped = st
                .conditions
                .iter()
                .any(|c| c.key_lc == "iam:awsservicename" && positive(c));
            if star && !scoped {
                found.push((
                    &CREATE_SLR_UNSCOPED,
                    st.action.span,
                    format!(
                        "statement {} allows iam:CreateServiceLinkedRole for every service",
                        st.label()
                    ),
                    Some(
                        "name the service-linked role ARN, or add an iam:AWSServiceName condition"
                            .into(),
                    ),
                ));
            }
        }
    }
    for (rule, span, msg, help) in found {
        ctx.report(rule, span, msg, help);
    }
}

/// `S101`, `S102`
pub(crate) fn check_not_action_not_resource(ctx: &mut Ctx<'_>) {
    if !grants(ctx.ptype) {
        return;
    }
    let mut found = Vec::new();
    for st in &ctx.policy.statements {
        if st.effect != Effect::Allow {
            continue;
        }
        if st.action.negated {
            found.push((
                &ALLOW_WITH_NOT_ACTION,
                st.action.span,
                format!(
                    "statement {} allows every action except the {} listed, including actions of every other service",
                    st.label(),
                    st.action.patterns.len()
                ),
            ));
        }
        if let Some(r) = &st.resource {
            if r.negated {
                found.push((
                    &ALLOW_WITH_NOT_RESOURCE,
                    r.span,
                    format!(
                        "statement {} allows its actions on every resource except the {} listed",
                        st.label(),
                        r.entries.len()
                    ),
                ));
            }
        }
    }
    for (rule, span, msg) in found {
        let help = if rule.code == "S101" {
            "list the allowed actions with \"Action\" and deny exceptions explicitly"
        } else {
            "list the allowed resources with \"Resource\" and deny exceptions explicitly"
        };
        ctx.report(rule, span, msg, Some(help.into()));
    }
}

fn all_roles(raw: &str) -> bool {
    if raw == "*" {
        return true;
    }
    match Arn::parse(raw) {
        Some(a) => {
            a.service.eq_ignore_ascii_case("iam")
                && matches!(a.resource, "*" | "role/*" | "role*" | "role/**")
        }
        None => false,
    }
}

/// `S103`
pub(crate) fn check_pass_role(ctx: &mut Ctx<'_>) {
    // Only identity policies pass roles: a resource policy cannot grant iam:PassRole.
    if ctx.ptype != PolicyType::Identity {
        return;
    }
    let mut found = Vec::new();
    for st in &ctx.policy.statements {
        if st.effect != Effect::Allow || !st.action.covers("iam", "passrole") {
            continue;
        }
        // iam:PassedToService limits which service the roles can go to: the narrowing
        // Access Analyzer's fix text offers besides naming the roles.
        if st.conditions.iter().any(|c| {
            c.key_lc == "iam:passedtoservice" && !c.op.base.is_negated() && !c.op.if_exists
        }) {
            continue;
        }
        let Some(r) = &st.resource else { continue };
        let broad = if r.negated {
            Some("NotResource".to_string())
        } else {
            r.entries
                .iter()
                .find(|e| all_roles(&e.raw))
                .map(|e| format!("\"{}\"", e.raw))
        };
        let Some(what) = broad else { continue };
        let span = if st.action.negated {
            st.action.span
        } else {
            st.action
                .patterns
                .iter()
                .find(|p| p.matches("iam", "passrole"))
                .map_or(st.action.span, |p| p.span)
        };
        found.push((
            span,
            format!(
                "statement {} allows iam:PassRole on {what}: any role can be passed to a service",
                st.label()
            ),
        ));
    }
    for (span, msg) in found {
        ctx.report(
            &PASS_ROLE_WITH_STAR_RESOURCE,
            span,
            msg,
            Some("name the roles in Resource and restrict the service with the iam:PassedToService condition key".into()),
        );
    }
}

const NARROWING_KEYS: &[&str] = &[
    "aws:principalorgid",
    "aws:principalorgpaths",
    "aws:principalaccount",
    "aws:principalarn",
    "aws:principalisawsservice",
    "aws:principalservicename",
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourceowner",
    "aws:sourcevpc",
    "aws:sourcevpce",
    "aws:sourceip",
    "aws:vpcsourceip",
    "aws:userid",
    "aws:username",
    "aws:calledvia",
    "aws:calledviafirst",
    "aws:calledvialast",
    "kms:calleraccount",
    "s3:dataaccesspointaccount",
    "s3:dataaccesspointarn",
    "sts:externalid",
    "lambda:functionurlauthtype",
];

/// A condition that only matches when the key is present with a listed value.
fn positive(c: &Condition) -> bool {
    !c.op.base.is_negated()
        && !c.op.if_exists
        && c.op.set != Some(SetOp::ForAllValues)
        && c.op.base != BaseOp::Null
}

fn narrowed(st: &Statement) -> bool {
    st.conditions.iter().any(|c| {
        // A function URL with auth type NONE is public: only AWS_IAM narrows.
        if c.key_lc == "lambda:functionurlauthtype" {
            return positive(c) && c.raw_values.iter().all(|v| v == "AWS_IAM");
        }
        positive(c)
            && (NARROWING_KEYS.contains(&c.key_lc.as_str())
                || c.key_lc.ends_with(":sourcearn")
                || c.key_lc.ends_with(":sourceaccount"))
    })
}

fn everyone(st: &Statement) -> bool {
    st.principal.as_ref().is_some_and(|p| {
        !p.negated
            && p.entries
                .iter()
                .any(|e| matches!(e, PrincipalEntry::Everyone { .. }))
    })
}

/// `S104`, `S105`
pub(crate) fn check_public_principal(ctx: &mut Ctx<'_>) {
    let rule = match ctx.ptype {
        PolicyType::Resource => &PUBLIC_RESOURCE_POLICY,
        PolicyType::Trust => &OPEN_TRUST_POLICY,
        _ => return,
    };
    let mut found = Vec::new();
    for st in &ctx.policy.statements {
        if st.effect != Effect::Allow || !everyone(st) || narrowed(st) {
            continue;
        }
        let Some(p) = &st.principal else { continue };
        let msg = if rule.code == "S105" {
            format!(
                "statement {} lets any principal in any AWS account assume this role",
                st.label()
            )
        } else {
            format!("statement {} allows everyone, including anonymous callers and other accounts, with no condition narrowing the caller", st.label())
        };
        found.push((p.span, msg));
    }
    for (span, msg) in found {
        ctx.report(
            rule,
            span,
            msg,
            Some("name the principals, or add a condition such as StringEquals on aws:PrincipalOrgID or aws:SourceAccount".into()),
        );
    }
}

fn provider_host(federated: &str) -> Option<String> {
    if federated.contains(":saml-provider/") {
        return None;
    }
    let host = match federated.split_once(":oidc-provider/") {
        Some((_, h)) => h,
        None if federated.starts_with("arn:") => return None,
        None => federated,
    };
    Some(host.to_ascii_lowercase())
}

/// `S106`
pub(crate) fn check_web_identity(ctx: &mut Ctx<'_>) {
    // Federated principals elsewhere, and malformed ones, are E416 and E415.
    if ctx.ptype != verdict_policy::PolicyType::Trust {
        return;
    }
    let mut found = Vec::new();
    for st in &ctx.policy.statements {
        if st.effect != Effect::Allow {
            continue;
        }
        let Some(p) = &st.principal else { continue };
        if p.negated {
            continue;
        }
        for e in &p.entries {
            let PrincipalEntry::Federated(f) = e else {
                continue;
            };
            let Some(host) = provider_host(f) else {
                continue;
            };
            if !f.starts_with("arn:")
                && !super::trust::WEB_IDENTITY_DOMAINS.contains(&host.as_str())
            {
                continue;
            }
            let github = host == "token.actions.githubusercontent.com";
            let cognito = host == "cognito-identity.amazonaws.com";
            let ok = st.conditions.iter().any(|c| {
                let Some(claim) = c.key_lc.strip_prefix(&format!("{host}:")) else {
                    return false;
                };
                if !positive(c) {
                    return false;
                }
                let meaningful = c.raw_values.iter().any(|v| {
                    let t = v.trim();
                    !(t == "*" || t == "repo:*" || t.is_empty())
                });
                if github {
                    claim == "sub" && meaningful
                } else if cognito {
                    claim == "aud" && meaningful
                } else {
                    matches!(
                        claim,
                        "aud" | "sub" | "app_id" | "oaud" | "azp" | "id" | "user_id"
                    ) && meaningful
                }
            });
            if !ok {
                let need = if github {
                    format!("{host}:sub")
                } else {
                    format!("{host}:aud")
                };
                let msg = if github {
                    format!("statement {} trusts GitHub Actions OIDC tokens without a \"{need}\" condition naming the repository: any GitHub workflow can assume the role", st.label())
                } else {
                    format!("statement {} trusts web identities from \"{host}\" without an audience or subject condition: any application of that provider can assume the role", st.label())
                };
                found.push((p.span, msg, need));
            }
        }
    }
    for (span, msg, need) in found {
        ctx.report(
            &UNSCOPED_WEB_IDENTITY_TRUST,
            span,
            msg,
            Some(format!(
                "add a condition on \"{need}\" (StringEquals or StringLike with a specific value)"
            )),
        );
    }
}

struct Path {
    actions: &'static [(&'static str, &'static str)],
}

const PATHS: &[Path] = &[
    Path {
        actions: &[("iam", "createpolicyversion")],
    },
    Path {
        actions: &[("iam", "setdefaultpolicyversion")],
    },
    Path {
        actions: &[("iam", "attachuserpolicy")],
    },
    Path {
        actions: &[("iam", "attachgrouppolicy")],
    },
    Path {
        actions: &[("iam", "attachrolepolicy")],
    },
    Path {
        actions: &[("iam", "putuserpolicy")],
    },
    Path {
        actions: &[("iam", "putgrouppolicy")],
    },
    Path {
        actions: &[("iam", "putrolepolicy")],
    },
    Path {
        actions: &[("iam", "addusertogroup")],
    },
    Path {
        actions: &[("iam", "createaccesskey")],
    },
    Path {
        actions: &[("iam", "createloginprofile")],
    },
    Path {
        actions: &[("iam", "updateloginprofile")],
    },
    Path {
        actions: &[("iam", "updateassumerolepolicy")],
    },
    Path {
        actions: &[("iam", "deleteuserpermissionsboundary")],
    },
    Path {
        actions: &[("iam", "deleterolepermissionsboundary")],
    },
    Path {
        actions: &[("iam", "putuserpermissionsboundary")],
    },
    Path {
        actions: &[("iam", "putrolepermissionsboundary")],
    },
    Path {
        actions: &[("iam", "passrole"), ("ec2", "runinstances")],
    },
    Path {
        actions: &[
            ("iam", "passrole"),
            ("lambda", "createfunction"),
            ("lambda", "invokefunction"),
        ],
    },
    Path {
        actions: &[
            ("iam", "passrole"),
            ("lambda", "createfunction"),
            ("lambda", "createeventsourcemapping"),
        ],
    },
    Path {
        actions: &[("lambda", "updatefunctioncode")],
    },
    Path {
        actions: &[("iam", "passrole"), ("glue", "createdevendpoint")],
    },
    Path {
        actions: &[("glue", "updatedevendpoint")],
    },
    Path {
        actions: &[("iam", "passrole"), ("cloudformation", "createstack")],
    },
    Path {
        actions: &[
            ("iam", "passrole"),
            ("datapipeline", "createpipeline"),
            ("datapipeline", "putpipelinedefinition"),
        ],
    },
    Path {
        actions: &[
            ("iam", "passrole"),
            ("codebuild", "createproject"),
            ("codebuild", "startbuild"),
        ],
    },
    Path {
        actions: &[
            ("iam", "passrole"),
            ("sagemaker", "createnotebookinstance"),
            ("sagemaker", "createpresignednotebookinstanceurl"),
        ],
    },
    Path {
        actions: &[
            ("iam", "passrole"),
            ("ecs", "registertaskdefinition"),
            ("ecs", "runtask"),
        ],
    },
    Path {
        actions: &[
            ("iam", "passrole"),
            ("autoscaling", "createlaunchconfiguration"),
            ("autoscaling", "createautoscalinggroup"),
        ],
    },
];

/// The canonical spelling of a lower-case action, from the catalog.
fn canonical(ctx: &Ctx<'_>, svc: &str, name: &str) -> String {
    ctx.catalog
        .action(&format!("{svc}:{name}"))
        .map_or_else(|| format!("{svc}:{name}"), |a| a.to_string())
}

/// `S108`
pub(crate) fn check_privilege_escalation(ctx: &mut Ctx<'_>) {
    if ctx.ptype != PolicyType::Identity {
        return;
    }
    let stmts = &ctx.policy.statements;
    let denied = |svc: &str, name: &str| {
        stmts.iter().any(|s| {
            s.effect == Effect::Deny
                && s.conditions.is_empty()
                && s.action.covers(svc, name)
                && s.resource
                    .as_ref()
                    .is_some_and(|r| !r.negated && r.entries.iter().any(|e| e.raw == "*"))
        })
    };
    let catalog = ctx.catalog;
    let allowing = |svc: &str, name: &str| -> Option<&Statement> {
        if denied(svc, name) {
            return None;
        }
        stmts.iter().find(|s| {
            s.effect == Effect::Allow
                && s.action.covers(svc, name)
                && resource_may_cover(s, svc, name)
                && !condition_excludes(catalog, s, svc, name)
        })
    };
    let mut hits: Vec<(String, Span)> = Vec::new();
    for path in PATHS {
        let mut first_span = None;
        let mut all = true;
        for (svc, name) in path.actions {
            match allowing(svc, name) {
                Some(s) => {
                    if first_span.is_none() {
                        first_span = Some(if s.action.negated {
                            s.action.span
                        } else {
                            s.action
                                .patterns
                                .iter()
                                .find(|p| p.matches(svc, name))
                                .map_or(s.action.span, |p| p.span)
                        });
                    }
                }
                None => {
                    all = false;
                    break;
                }
            }
        }
        if let (true, Some(span)) = (all, first_span) {
            let names: Vec<String> = path
                .actions
                .iter()
                .map(|(s, n)| canonical(ctx, s, n))
                .collect();
            hits.push((names.join(" + "), span));
        }
    }
    let Some(span) = hits.first().map(|h| h.1) else {
        return;
    };
    let total = hits.len();
    let mut listed: Vec<String> = hits.iter().take(6).map(|h| h.0.clone()).collect();
    if total > 6 {
        listed.push(format!("and {} more", total - 6));
    }
    let msg = if total == 1 {
        format!(
            "the policy allows a privilege-escalation path: {}",
            listed.join("; ")
        )
    } else {
        format!(
            "the policy allows {total} privilege-escalation paths: {}",
            listed.join("; ")
        )
    };
    ctx.report(
        &PRIVILEGE_ESCALATION,
        span,
        msg,
        Some("scope these actions to specific resources, or deny them; run `verdict rule S108` for what each path enables".into()),
    );
}

const SOURCE_KEYS: &[&str] = &[
    "aws:sourcearn",
    "aws:sourceaccount",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:sourceowner",
];

/// `S109`
pub(crate) fn check_service_principal(ctx: &mut Ctx<'_>) {
    if ctx.ptype != PolicyType::Resource {
        return;
    }
    let mut found = Vec::new();
    for st in &ctx.policy.statements {
        if st.effect != Effect::Allow {
            continue;
        }
        let Some(p) = &st.principal else { continue };
        if p.negated {
            continue;
        }
        let services: Vec<&str> = p
            .entries
            .iter()
            .filter_map(|e| match e {
                PrincipalEntry::Service(s) => Some(s.as_str()),
                _ => None,
            })
            .collect();
        if services.is_empty() {
            continue;
        }
        let has_source = st.conditions.iter().any(|c| {
            !c.op.base.is_negated()
                && (SOURCE_KEYS.contains(&c.key_lc.as_str())
                    || c.key_lc.ends_with(":sourcearn")
                    || c.key_lc.ends_with(":sourceaccount"))
        });
        if has_source {
            continue;
        }
        found.push((
            p.span,
            format!(
                "statement {} allows {} without an aws:SourceArn or aws:SourceAccount condition; any customer's resource can make the service act on this one",
                st.label(),
                services.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    for (span, msg) in found {
        ctx.report(
            &SERVICE_PRINCIPAL_WITHOUT_SOURCE,
            span,
            msg,
            Some("add \"StringEquals\": {\"aws:SourceAccount\": \"<your account>\"} or \"ArnLike\": {\"aws:SourceArn\": \"<the source resource>\"}".into()),
        );
    }
}
