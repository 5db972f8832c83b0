//! Role trust policies and federated principals: which principal can use which
//! `sts:AssumeRole…` action, provider syntax, Roles Anywhere, session tags and source
//! identity, GitHub Actions subjects.

use super::Ctx;
use crate::rule::{Rule, Severity};
use verdict_policy::principal::PrincipalEntry;
use verdict_policy::{Effect, PolicyType, Span, Statement};

/// `E413`
pub const TRUST_PRINCIPAL_STRING_WILDCARD: Rule = Rule {
    code: "E413",
    name: "trust-principal-string-wildcard",
    severity: Severity::Error,
    summary: "A role trust policy uses \"Principal\": \"*\"",
    docs: r#"**What it flags.** `"Principal": "*"` (the bare string) in a role trust policy.

**Why it matters.** Access Analyzer rejects it as an error: the role would trust every
principal in every account, and anonymous callers. Even with a narrowing condition, the
supported spelling for "any AWS principal, narrowed by a condition" is
`{"AWS": "*"}`, which `S105` then checks for the narrowing.

**Example.**
```json
{"Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRole"}
```

**Fix.** Name the accounts or roles that may assume the role, or use `{"AWS": "*"}` with
`aws:PrincipalOrgID` or `aws:PrincipalArn`.

**Class.** Error, Access Analyzer's class (`ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL`).
`verdict simulate` still evaluates such a policy, with everyone as the principal
(iam-semantics U22: accepted, flagged)."#,
    access_analyzer: &["ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL"],
    security_severity: None,
    tags: &["trust", "principal"],
};

/// `E414`
pub const TRUST_ACTION_MISMATCH: Rule = Rule {
    code: "E414",
    name: "trust-action-mismatch",
    severity: Severity::Error,
    summary: "A trust statement allows an assume action its principals cannot use",
    docs: r#"**What it flags.** `sts:AssumeRoleWithSAML` in a statement with no SAML provider
principal, `sts:AssumeRoleWithWebIdentity` with no OIDC or web-identity provider, or
`sts:AssumeRole` with only federated principals.

**Why it matters.** Each principal type assumes roles through one API: SAML providers
through `AssumeRoleWithSAML`, OIDC providers through `AssumeRoleWithWebIdentity`, AWS
and service principals through `AssumeRole`. A mismatched pair never matches a request,
so the trust grants nothing.

**Example.**
```json
{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::111122223333:saml-provider/Corp"}, "Action": "sts:AssumeRoleWithWebIdentity"}
```

**Fix.** Use the action of the principal's type (`sts:AssumeRoleWithSAML` here)."#,
    access_analyzer: &["MISMATCHED_ACTION_FOR_PRINCIPAL"],
    security_severity: None,
    tags: &["trust"],
};

/// `E415`
pub const INVALID_FEDERATED_PRINCIPAL: Rule = Rule {
    code: "E415",
    name: "invalid-federated-principal",
    severity: Severity::Error,
    summary: "A Federated principal is not a provider ARN or a known web-identity provider",
    docs: r#"**What it flags.** A `Federated` principal that is neither
`arn:PARTITION:iam::ACCOUNT:saml-provider/NAME`,
`arn:PARTITION:iam::ACCOUNT:oidc-provider/HOST…` (with a 12-digit account), nor one of
the web-identity providers AWS names directly (`accounts.google.com`,
`graph.facebook.com`, `www.amazon.com`, `cognito-identity.amazonaws.com`).

**Why it matters.** IAM rejects the trust policy.

**Example.**
```json
{"Principal": {"Federated": "arn:aws:iam::invalid:saml-provider/Corp"}}
```

**Fix.** Copy the provider's ARN from the IAM console or `aws iam list-saml-providers`."#,
    access_analyzer: &["INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY"],
    security_severity: None,
    tags: &["trust", "principal"],
};

/// `E416`
pub const FEDERATED_PRINCIPAL_NOT_SUPPORTED: Rule = Rule {
    code: "E416",
    name: "federated-principal-not-supported",
    severity: Severity::Error,
    summary: "A Federated principal appears outside a role trust policy",
    docs: r#"**What it flags.** `{"Federated": …}` in a bucket, queue, key or other
resource policy.

**Why it matters.** Identity providers are not callers: a federated user acts through
the role it assumed, so a resource policy must name that role (or test
`aws:PrincipalArn`). The statement never matches, and Access Analyzer rejects it.

**Example.**
```json
{"Effect": "Allow", "Principal": {"Federated": "cognito-identity.amazonaws.com"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}
```

**Fix.** Name the role the federated users assume."#,
    access_analyzer: &["FEDERATED_PRINCIPAL_NOT_SUPPORTED"],
    security_severity: None,
    tags: &["principal"],
};

/// `E417`
pub const ROLES_ANYWHERE_MISSING_ACTIONS: Rule = Rule {
    code: "E417",
    name: "roles-anywhere-missing-actions",
    severity: Severity::Error,
    summary: "A trust for IAM Roles Anywhere lacks sts:TagSession or sts:SetSourceIdentity",
    docs: r#"**What it flags.** A statement trusting `rolesanywhere.amazonaws.com` whose
actions do not include all of `sts:AssumeRole`, `sts:TagSession` and
`sts:SetSourceIdentity`.

**Why it matters.** Roles Anywhere always tags the session with the certificate's
attributes and sets the source identity; without those actions every
`CreateSession` fails with AccessDenied.

**Example.**
```json
{"Effect": "Allow", "Principal": {"Service": "rolesanywhere.amazonaws.com"}, "Action": "sts:AssumeRole"}
```

**Fix.** `"Action": ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]`."#,
    access_analyzer: &["MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY"],
    security_severity: None,
    tags: &["trust"],
};

/// `E418`
pub const MISSING_ACTION_FOR_CONDITION_KEY: Rule = Rule {
    code: "E418",
    name: "missing-action-for-condition-key",
    severity: Severity::Error,
    summary: "A trust statement tests a key that only an action it does not allow sets",
    docs: r#"**What it flags.** A trust statement that tests `sts:SourceIdentity` without
allowing `sts:SetSourceIdentity`, or session tags (`aws:RequestTag/…`, `aws:TagKeys`,
`sts:TransitiveTagKeys`) without allowing `sts:TagSession`.

**Why it matters.** The key is only present when the caller sets a source identity or
passes tags, and doing so needs the matching action: the statement then fails, so a
condition meant to narrow the trust makes it unusable.

**Example.**
```json
{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole",
 "Condition": {"StringEquals": {"sts:SourceIdentity": "ana@example.com"}}}
```

**Fix.** Add the action (`sts:SetSourceIdentity`, `sts:TagSession`)."#,
    access_analyzer: &["MISSING_ACTION_FOR_CONDITION_KEY"],
    security_severity: None,
    tags: &["trust", "condition"],
};

/// `E419`
pub const GITHUB_OIDC_OWNER_WILDCARD: Rule = Rule {
    code: "E419",
    name: "github-oidc-owner-wildcard",
    severity: Severity::Error,
    summary: "A GitHub Actions trust matches repositories of any owner",
    docs: r#"**What it flags.** A `token.actions.githubusercontent.com:sub` value whose
owner part (between `repo:` and `/`) is or holds a wildcard: `repo:*`,
`repo:*/ledger:*`, `repo:*@1234/*`.

**Why it matters.** Any GitHub account can create a repository that matches, so any
workflow on GitHub can assume the role.

**Example.**
```json
{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:*/ledger-api:*"}}
```

**Fix.** Name the owner: `repo:northwind-labs/ledger-api:ref:refs/heads/main`."#,
    access_analyzer: &["WILDCARD_USAGE_TOO_PERMISSIVE"],
    security_severity: None,
    tags: &["trust", "oidc"],
};

/// `W120`
pub const GITHUB_OIDC_SUB_BROAD: Rule = Rule {
    code: "W120",
    name: "github-oidc-sub-broad",
    severity: Severity::Warning,
    summary: "A GitHub Actions trust matches every repository of an owner, or every branch",
    docs: r#"**What it flags.** A `token.actions.githubusercontent.com:sub` value that names
the owner but leaves the repository open (`repo:northwind-labs/*`), or names the
repository but leaves the branch, environment or event open
(`repo:northwind-labs/ledger-api:*`).

**Why it matters.** Every repository of the organization (or every branch, including
pull requests from forks where allowed) can assume the role.

**Example.**
```json
{"StringLike": {"token.actions.githubusercontent.com:sub": "repo:northwind-labs/*"}}
```

**Fix.** Name the repository and the branch or environment:
`repo:northwind-labs/ledger-api:environment:production`."#,
    access_analyzer: &["SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED"],
    security_severity: None,
    tags: &["trust", "oidc"],
};

/// `N119`
pub const REDUNDANT_TRUST_PRINCIPAL: Rule = Rule {
    code: "N119",
    name: "redundant-trust-principal",
    severity: Severity::Suggestion,
    summary: "A trust names a role and one of that role's sessions",
    docs: r#"**What it flags.** A principal list with both `arn:aws:iam::A:role/R` and
`arn:aws:sts::A:assumed-role/R/SESSION`.

**Why it matters.** The role already covers every one of its sessions; the session entry
adds nothing.

**Example.**
```json
{"Principal": {"AWS": ["arn:aws:iam::111122223333:role/etl", "arn:aws:sts::111122223333:assumed-role/etl/nightly"]}}
```

**Fix.** Keep the role, or keep only the session if one session was meant."#,
    access_analyzer: &["REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY"],
    security_severity: None,
    tags: &["trust", "principal"],
};

/// `N120`
pub const AUDIENCE_SET_OPERATOR: Rule = Rule {
    code: "N120",
    name: "audience-set-operator",
    severity: Severity::Suggestion,
    summary: "A web-identity audience is tested with ForAnyValue/ForAllValues",
    docs: r#"**What it flags.** `ForAnyValue:` or `ForAllValues:` on a provider's `aud`
claim (`accounts.google.com:aud`, `…:aud`).

**Why it matters.** Most providers send one audience, and then a set operator behaves
differently from what it suggests (`ForAllValues` also matches a token without the
claim). Confirm whether the provider's `aud` is a list.

**Example.**
```json
{"ForAnyValue:StringEquals": {"accounts.google.com:aud": ["1234.apps.googleusercontent.com"]}}
```

**Fix.** Use `StringEquals` when the claim is single-valued."#,
    access_analyzer: &["CONFIRM_AUDIENCE_CLAIM_TYPE"],
    security_severity: None,
    tags: &["trust", "oidc"],
};

/// Web-identity providers that trust policies name directly.
pub(crate) const WEB_IDENTITY_DOMAINS: &[&str] = &[
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
    "cognito-identity.amazonaws.com",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Saml,
    WebIdentity,
    AwsOrService,
}

fn federated_kind(f: &str) -> Option<Kind> {
    if f.contains(":saml-provider/") {
        Some(Kind::Saml)
    } else if f.contains(":oidc-provider/")
        || WEB_IDENTITY_DOMAINS.contains(&f.to_ascii_lowercase().as_str())
    {
        Some(Kind::WebIdentity)
    } else {
        None
    }
}

/// Why `f` is not a valid `Federated` principal, if it is not.
fn federated_problem(f: &str) -> Option<String> {
    if WEB_IDENTITY_DOMAINS.contains(&f.to_ascii_lowercase().as_str()) {
        return None;
    }
    let Some(arn) = verdict_policy::arn::Arn::parse(f) else {
        return Some(format!("\"{f}\" is neither an identity provider ARN (arn:aws:iam::ACCOUNT:saml-provider/NAME or …:oidc-provider/HOST) nor a web-identity provider (accounts.google.com, graph.facebook.com, www.amazon.com, cognito-identity.amazonaws.com)"));
    };
    let kind_ok = arn
        .resource
        .strip_prefix("saml-provider/")
        .or_else(|| arn.resource.strip_prefix("oidc-provider/"))
        .is_some_and(|n| !n.is_empty());
    if arn.service != "iam" || !arn.region.is_empty() || !kind_ok {
        return Some(format!("\"{f}\" is not an identity provider ARN (arn:aws:iam::ACCOUNT:saml-provider/NAME or arn:aws:iam::ACCOUNT:oidc-provider/HOST)"));
    }
    if !(arn.account.len() == 12 && arn.account.bytes().all(|b| b.is_ascii_digit())) {
        return Some(format!(
            "\"{f}\": the account field \"{}\" is not a 12-digit account ID",
            arn.account
        ));
    }
    None
}

/// Does the statement's `Action` allow `name` (`sts:…`, lower-case)? `NotAction`
/// statements and wildcards count as allowing it.
fn allows(st: &Statement, name: &str) -> bool {
    let (svc, act) = name.split_once(':').unwrap_or(("", name));
    st.action
        .covers_hashed(verdict_policy::model::service_hash(svc), svc, act)
}

/// Explicit (wildcard-free) assume actions the statement names.
fn explicit_assume_actions(st: &Statement) -> Vec<(String, Span)> {
    if st.action.negated {
        return Vec::new();
    }
    st.action
        .patterns
        .iter()
        .filter(|p| !p.raw.contains(['*', '?']))
        .filter(|p| p.raw.to_ascii_lowercase().starts_with("sts:assumerole"))
        .map(|p| (p.raw.clone(), p.span))
        .collect()
}

/// `E413`-`E419`, `W120`, `N119`, `N120`
pub(crate) fn check_trust(ctx: &mut Ctx<'_>) {
    let trust = ctx.ptype == PolicyType::Trust;
    let mut found: Vec<(&'static Rule, Span, String, Option<String>)> = Vec::new();
    for st in &ctx.policy.statements {
        let Some(p) = &st.principal else { continue };
        if !trust {
            if p.entries
                .iter()
                .any(|e| matches!(e, PrincipalEntry::Federated(_)))
            {
                found.push((
                    &FEDERATED_PRINCIPAL_NOT_SUPPORTED,
                    p.span,
                    format!("statement {} names a Federated principal, which only role trust policies accept; federated users reach this resource through the role they assume", st.label()),
                    Some("name that role (or test aws:PrincipalArn)".into()),
                ));
            }
            continue;
        }
        if p.raw.iter().any(|r| r == "*") {
            found.push((
                &TRUST_PRINCIPAL_STRING_WILDCARD,
                p.span,
                format!(
                    "statement {} trusts \"Principal\": \"*\": every principal in every account",
                    st.label()
                ),
                Some(
                    "name the accounts or roles, or use {\"AWS\": \"*\"} with aws:PrincipalOrgID"
                        .into(),
                ),
            ));
        }
        if st.effect != Effect::Allow || p.negated {
            continue;
        }
        // Which assume API each principal can use.
        let mut kinds = Vec::new();
        for e in &p.entries {
            match e {
                PrincipalEntry::Federated(f) => {
                    if let Some(why) = federated_problem(f) {
                        found.push((&INVALID_FEDERATED_PRINCIPAL, p.span, why, None));
                    }
                    kinds.extend(federated_kind(f));
                }
                PrincipalEntry::Everyone { .. } => {
                    kinds.extend([Kind::Saml, Kind::WebIdentity, Kind::AwsOrService])
                }
                _ => kinds.push(Kind::AwsOrService),
            }
        }
        for (action, span) in explicit_assume_actions(st) {
            let need = match action.to_ascii_lowercase().as_str() {
                "sts:assumerolewithsaml" => Kind::Saml,
                "sts:assumerolewithwebidentity" => Kind::WebIdentity,
                "sts:assumerole" => Kind::AwsOrService,
                _ => continue,
            };
            if !kinds.is_empty() && !kinds.contains(&need) {
                let who = match need {
                    Kind::Saml => "a SAML provider (Federated …:saml-provider/…)",
                    Kind::WebIdentity => "an OIDC or web-identity provider",
                    Kind::AwsOrService => "an AWS or service principal",
                };
                found.push((
                    &TRUST_ACTION_MISMATCH,
                    span,
                    format!(
                        "{action} is used by {who}, and statement {} names none",
                        st.label()
                    ),
                    Some("use the assume action of the principal's type".into()),
                ));
            }
        }
        let roles_anywhere = p
            .entries
            .iter()
            .any(|e| matches!(e, PrincipalEntry::Service(s) if s == "rolesanywhere.amazonaws.com"));
        if roles_anywhere {
            let missing: Vec<&str> = ["sts:AssumeRole", "sts:TagSession", "sts:SetSourceIdentity"]
                .into_iter()
                .filter(|a| !allows(st, &a.to_ascii_lowercase()))
                .collect();
            if !missing.is_empty() {
                found.push((
                    &ROLES_ANYWHERE_MISSING_ACTIONS,
                    st.action.span,
                    format!("statement {} trusts IAM Roles Anywhere but does not allow {}; every CreateSession would be denied", st.label(), missing.join(", ")),
                    Some("allow sts:AssumeRole, sts:TagSession and sts:SetSourceIdentity".into()),
                ));
            }
        }
        for c in &st.conditions {
            let (needs, action) = if c.key_lc == "sts:sourceidentity" {
                (true, "sts:SetSourceIdentity")
            } else if c.key_lc.starts_with("aws:requesttag/")
                || c.key_lc == "aws:tagkeys"
                || c.key_lc == "sts:transitivetagkeys"
            {
                (true, "sts:TagSession")
            } else {
                (false, "")
            };
            if needs
                && !c.op.if_exists
                && c.op.base != verdict_policy::condition::BaseOp::Null
                && !allows(st, &action.to_ascii_lowercase())
            {
                found.push((
                    &MISSING_ACTION_FOR_CONDITION_KEY,
                    c.key_span,
                    format!("\"{}\" is only present when the caller uses {action}, which statement {} does not allow", c.key, st.label()),
                    Some(format!("add {action} to the statement's actions")),
                ));
            }
            if c.key_lc == "token.actions.githubusercontent.com:sub" {
                for v in &c.raw_values {
                    if let Some((rule, msg)) = github_sub_problem(v) {
                        found.push((rule, c.key_span, msg, Some("name the owner, the repository and the branch or environment, e.g. repo:ORG/REPO:ref:refs/heads/main".into())));
                    }
                }
            }
            if c.key_lc.ends_with(":aud") && c.op.set.is_some() {
                found.push((
                    &AUDIENCE_SET_OPERATOR,
                    c.op_span,
                    format!("\"{}\" tests the audience claim \"{}\" as a list; confirm the provider sends several audiences", c.op_name, c.key),
                    Some(format!("use \"{}\" if the claim is single-valued", c.op.canonical_name().split(':').nth(1).unwrap_or("StringEquals"))),
                ));
            }
        }
        // A role and one of its own sessions.
        for e in &p.entries {
            if let PrincipalEntry::AssumedRole { account, role, .. } = e {
                let covered = p.entries.iter().any(|o| {
                    matches!(o, PrincipalEntry::Role { account: a, name, .. } if a == account && name == role)
                });
                if covered {
                    found.push((
                        &REDUNDANT_TRUST_PRINCIPAL,
                        p.span,
                        format!("the role {role} is trusted, which already covers its session listed beside it"),
                        Some("remove the session entry".into()),
                    ));
                }
            }
        }
    }
    for (rule, span, msg, help) in found {
        ctx.report(rule, span, msg, help);
    }
}

/// The GitHub Actions `sub` problems: a wildcard owner (E419) or an open repository or
/// ref (W120).
fn github_sub_problem(v: &str) -> Option<(&'static Rule, String)> {
    let rest = v.strip_prefix("repo:")?;
    let (owner, after) = rest.split_once('/').unwrap_or((rest, ""));
    if owner.contains(['*', '?']) || owner.is_empty() {
        return Some((
            &GITHUB_OIDC_OWNER_WILDCARD,
            format!("\"{v}\" matches repositories of any GitHub owner, so any workflow on GitHub can assume the role"),
        ));
    }
    let (repo, qualifier) = after.split_once(':').unwrap_or((after, ""));
    if repo.contains(['*', '?']) || repo.is_empty() {
        return Some((
            &GITHUB_OIDC_SUB_BROAD,
            format!("\"{v}\" matches every repository of {owner}"),
        ));
    }
    if qualifier.is_empty() || qualifier == "*" {
        return Some((
            &GITHUB_OIDC_SUB_BROAD,
            format!("\"{v}\" matches every branch, environment and event of {owner}/{repo}"),
        ));
    }
    None
}
