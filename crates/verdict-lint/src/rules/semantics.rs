//! `W1xx`: statements that may not do what their author expects.

use super::{placeholder, ActionInfo, Ctx, StmtInfo};
use crate::rule::{Rule, Severity};
use std::collections::{HashMap, HashSet};
use verdict_catalog::Action;
use verdict_policy::glob::Glob;
use verdict_policy::model::{ActionBlock, ResourceBlock};
use verdict_policy::principal::PrincipalEntry;
use verdict_policy::{Effect, PolicyType, Span, Statement};

/// `W101`
pub const ACTION_RESOURCE_MISMATCH: Rule = Rule {
    code: "W101",
    name: "action-resource-mismatch",
    severity: Severity::Warning,
    summary: "An action cannot act on any resource its statement names",
    docs: r#"**What it flags.** An `Action` entry none of whose actions can act on any of the
statement's `Resource` ARNs, by the resource types of the Service Authorization
Reference: `s3:GetObject` on a bucket ARN (it needs an object ARN), `s3:ListBucket` on
`arn:aws:s3:::bucket/*`, or an action without resource-level permissions
(`s3:ListAllMyBuckets`, `ec2:DescribeInstances`) on a specific ARN instead of `*`.
Wildcards in ARNs are taken into account.

**Why it matters.** The grant (or the Deny) silently does nothing for that action. This
is one of the most common reasons for an AccessDenied that "should be allowed".

**Example.**
```json
{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::reports"}
```

**Fix.** Add the ARN form the action needs (`arn:aws:s3:::reports/*` for object
actions), or move actions without resource-level permissions to a statement with
`"Resource": "*"`."#,
    access_analyzer: &["UNSUPPORTED_RESOURCE_ARN_IN_POLICY"],
    security_severity: None,
    tags: &["catalog", "arn"],
};

/// `W102`
pub const CONDITION_KEY_NOT_APPLICABLE: Rule = Rule {
    code: "W102",
    name: "condition-key-not-applicable",
    severity: Severity::Warning,
    summary: "No action of the statement ever receives this condition key",
    docs: r#"**What it flags.** A service-specific condition key (not a global `aws:` key) that
none of the statement's actions supports, according to the Service Authorization
Reference: `ec2:InstanceType` in a statement that only allows `s3:GetObject`.
`…IfExists` and `Null` conditions are not flagged.

**Why it matters.** The key is never in those requests. A positive operator is then
always false — the statement never applies — and a negated one always true, so the
condition has no effect.

**Example.**
```json
{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
 "Condition": {"StringEquals": {"ec2:InstanceType": "t3.micro"}}}
```

**Fix.** Use a key the actions support (see the action's "Condition keys" column), or
split the statement."#,
    access_analyzer: &["UNSUPPORTED_ACTION_FOR_CONDITION_KEY"],
    security_severity: None,
    tags: &["catalog", "condition"],
};

/// `W105`
pub const NETWORK_CONDITION_ON_SERVICE_CALLS: Rule = Rule {
    code: "W105",
    name: "network-condition-on-service-calls",
    severity: Severity::Warning,
    summary: "aws:SourceIp/aws:SourceVpc also restricts calls AWS services make for you",
    docs: r#"**What it flags.** A statement that restricts by network location —
`aws:SourceIp`, `aws:VpcSourceIp`, `aws:SourceVpc` or `aws:SourceVpce` in an Allow with a
positive operator (identity policies), or in a Deny with a negated one (any policy) —
without an exception for requests
that AWS services make on the principal's behalf (`aws:ViaAWSService`,
`aws:CalledVia…`, `aws:PrincipalIsAWSService`).

**Why it matters.** When a service acts for you (CloudFormation creating resources, S3
calling KMS for SSE-KMS, Athena reading S3), the request comes from the service's
network: `aws:SourceIp` is the service's address and `aws:SourceVpc` is absent. A
network Deny then breaks those workflows, and a network Allow does not cover them.

**Example.**
```json
{"Effect": "Deny", "Action": "*", "Resource": "*",
 "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/24"}}}
```

**Fix.** Add `"Bool": {"aws:ViaAWSService": "false"}` to the Deny's condition (the Deny
then only applies to direct calls), or `aws:CalledVia` for specific services."#,
    access_analyzer: &[],
    security_severity: None,
    tags: &["condition", "network"],
};

/// `N123`
pub const REDUNDANT_STATEMENT: Rule = Rule {
    code: "N123",
    name: "redundant-statement",
    severity: Severity::Suggestion,
    summary: "A statement is entirely covered by another statement with the same effect",
    docs: r#"**What it flags.** A statement whose actions, resources and principals are all
covered by another statement of the same effect that has no condition (or the same
conditions): a duplicate, or `s3:GetObject` on `arn:aws:s3:::b/*` next to `s3:*` on `*`.

**Why it matters.** The statement changes nothing. Often it is a leftover of an edit —
for example a statement meant to be narrowed that is still covered by a broad one — so
the policy is wider than its author believes.

**Example.**
```json
{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
               {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}
```

**Fix.** Delete the redundant statement, or narrow the broader one.

**Class.** Suggestion, Access Analyzer's class (`REDUNDANT_STATEMENT`): it changes nothing. It was `W106` before; that code still selects it."#,
    access_analyzer: &["REDUNDANT_STATEMENT"],
    security_severity: None,
    tags: &["redundancy"],
};

/// `W107`
pub const STATEMENT_SHADOWED_BY_DENY: Rule = Rule {
    code: "W107",
    name: "statement-shadowed-by-deny",
    severity: Severity::Warning,
    summary: "An Allow statement is entirely denied by an unconditional Deny",
    docs: r#"**What it flags.** An Allow statement all of whose actions and resources are
denied by a Deny statement of the same policy that has no condition.

**Why it matters.** An explicit Deny always wins, so the Allow grants nothing.

**Example.**
```json
{"Statement": [{"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/*"},
               {"Effect": "Deny", "Action": "s3:Delete*", "Resource": "*"}]}
```

**Fix.** Remove the Allow, or add a condition to the Deny so it only applies where
intended."#,
    access_analyzer: &[],
    security_severity: None,
    tags: &["redundancy"],
};

/// `W111`
pub const UNKNOWN_AT_PLAN_TIME: Rule = Rule {
    code: "W111",
    name: "unknown-at-plan-time",
    severity: Severity::Warning,
    summary: "A policy in a Terraform plan is only known after apply",
    docs: r#"**What it flags.** A policy attribute that the Terraform plan marks as unknown
(`change.after_unknown.<attribute>` is `true`) because it depends on values computed
during apply — typically a policy built from the ARN of a resource created in the same
run.

**Why it matters.** Nothing can be checked before the apply; the policy reaches AWS
unreviewed.

**Example.** `aws_iam_role_policy.app` with
`policy = jsonencode({ … Resource = aws_s3_bucket.new.arn … })` in a plan that creates the
bucket.

**Fix.** Build the policy from known values (names instead of computed ARNs, or an
`aws_iam_policy_document` data source over known inputs), or lint again after a first
apply."#,
    access_analyzer: &[],
    security_severity: None,
    tags: &["terraform"],
};

/// `W113`
pub const NO_POLICY_READ: Rule = Rule {
    code: "W113",
    name: "no-policy-read",
    severity: Severity::Warning,
    summary: "An IaC file has IAM-bearing resources but no policy could be read from it",
    docs: r#"**What it flags.** A CloudFormation template, Terraform plan or Terraform state
that declares IAM-bearing resources (roles, policies, bucket and key policies, Lambda
permissions, …) from which no policy document could be read: the documents are built by
intrinsics that cannot be resolved offline, or a plan holds only unknown values. Terraform
configuration in HCL (`.tf`) that mentions IAM-bearing resources is flagged too: Verdict
reads Terraform as JSON (`terraform show -json`), not HCL.

**Why it matters.** "No findings" would mean "nothing checked": a CI gate must not pass
such a file in silence.

**Example.** `terraform show -json` of a plan whose every policy is
`(known after apply)`.

**Fix.** Lint a plan whose policies are known (or the state after apply); in
CloudFormation, inline the documents or resolve their parameters. For HCL, lint
`terraform show -json` of a plan or of the state."#,
    access_analyzer: &[],
    security_severity: None,
    tags: &["input", "terraform", "cloudformation"],
};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tok {
    Lit(u8),
    /// Any run of characters: `*` or a variable in the policy.
    Any,
    /// One character (`?` in the policy).
    One,
    /// A `${…}` placeholder of a template; `last` when it ends the template.
    Var {
        last: bool,
    },
}

fn tokens(s: &str, policy: bool) -> Vec<Tok> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'$' && b.get(i + 1) == Some(&b'{') {
            if let Some(end) = b
                .get(i..)
                .and_then(|rest| rest.iter().position(|&x| x == b'}'))
            {
                out.push(if policy {
                    Tok::Any
                } else {
                    Tok::Var {
                        last: i + end + 1 == b.len(),
                    }
                });
                i += end + 1;
                continue;
            }
        }
        match c {
            b'*' if policy => out.push(Tok::Any),
            b'?' if policy => out.push(Tok::One),
            c => out.push(Tok::Lit(c.to_ascii_lowercase())),
        }
        i += 1;
    }
    out
}

/// Can some ARN match both the policy pattern `a` and the resource-type template `b`?
/// `Some(false)` when it can without a template placeholder standing for a `/` written
/// in the policy, `Some(true)` when only that way, `None` when not at all. A policy `*`
/// may span colons (IAM lets a segment-ending `*` do so); a template placeholder never
/// takes a colon written in the policy, except the last one after some other text
/// (qualified names such as `function:name:alias`).
fn intersects(a: &[Tok], b: &[Tok]) -> Option<bool> {
    let (n, m) = (a.len(), b.len());
    let idx = |i: usize, j: usize, f: bool, st: bool| {
        ((i * (m + 1) + j) * 2 + usize::from(f)) * 2 + usize::from(st)
    };
    let mut seen = vec![false; (n + 1) * (m + 1) * 4];
    let mut stack = vec![(0usize, 0usize, false, false)];
    let mut with_slash = false;
    while let Some((i, j, f, st)) = stack.pop() {
        // Every pushed state has i <= n and j <= m, so the slot exists.
        let Some(visited) = seen.get_mut(idx(i, j, f, st)) else {
            continue;
        };
        if *visited {
            continue;
        }
        *visited = true;
        if i == n && j == m {
            if !f {
                return Some(false);
            }
            with_slash = true;
            continue;
        }
        let ai = a.get(i).copied();
        let bj = b.get(j).copied();
        if ai == Some(Tok::Any) {
            stack.push((i + 1, j, f, st));
            if j < m {
                stack.push((i, j + 1, f, false));
            }
        }
        if let Some(Tok::Var { last }) = bj {
            stack.push((i, j + 1, f, false));
            if let Some(tok) = ai {
                let colon = tok == Tok::Lit(b':');
                if !colon || (last && st) {
                    stack.push((i + 1, j, f || tok == Tok::Lit(b'/'), true));
                }
            }
        }
        match (ai, bj) {
            (Some(Tok::Lit(x)), Some(Tok::Lit(y))) if x == y => {
                stack.push((i + 1, j + 1, f, false))
            }
            (Some(Tok::One), Some(Tok::Lit(_))) => stack.push((i + 1, j + 1, f, false)),
            _ => {}
        }
    }
    with_slash.then_some(true)
}

/// Cheap test: the service fields must agree (they cannot hold wildcards).
fn may_intersect(policy_arn: &str, template: &str) -> bool {
    match (policy_arn.split(':').nth(2), template.split(':').nth(2)) {
        (Some(p), Some(t)) if !t.contains('$') => p.eq_ignore_ascii_case(t),
        _ => true,
    }
}

type TypeCache =
    std::sync::Mutex<HashMap<(&'static str, String), std::sync::Arc<HashSet<&'static str>>>>;

/// The names of the resource types of `service` that the policy resource `arn` can
/// name (cached for the process: the same ARNs recur across policies).
fn types_for(
    ctx: &Ctx<'_>,
    service: verdict_catalog::Service<'static>,
    arn: &str,
) -> std::sync::Arc<HashSet<&'static str>> {
    static CACHE: std::sync::OnceLock<TypeCache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (service.prefix(), arn.to_string());
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    let computed = std::sync::Arc::new(compute_types(ctx, service, arn));
    if let Ok(mut c) = cache.lock() {
        if c.len() > 100_000 {
            c.clear();
        }
        c.insert(key, computed.clone());
    }
    computed
}

fn compute_types(
    ctx: &Ctx<'_>,
    service: verdict_catalog::Service<'static>,
    arn: &str,
) -> HashSet<&'static str> {
    let wild = arn.contains(['*', '?']) || arn.contains("${");
    if !wild {
        return ctx
            .catalog
            .resource_types_for_arn(service.prefix(), arn)
            .iter()
            .map(|t| t.name())
            .collect();
    }
    let a = tokens(arn, true);
    let hits: Vec<(&'static str, &'static str, bool)> = service
        .resource_types()
        .filter_map(|t| {
            t.arn_patterns()
                .filter(|p| may_intersect(arn, p))
                .filter_map(|p| intersects(&a, &tokens(p, false)).map(|slash| (p, slash)))
                .min_by_key(|(_, slash)| *slash)
                .map(|(p, slash)| (t.name(), p, slash))
        })
        .collect();
    hits.iter()
        .filter(|(_, p, slash)| {
            // Like the catalog's tie-break: a type that fits only by letting a
            // placeholder stand for a written `/` (a bucket for `bucket/*`) is set aside
            // when a type continuing its pattern with `/…` fits too (the object).
            !(*slash
                && hits.iter().any(|(_, q, _)| {
                    q.len() > p.len() && q.strip_prefix(p).is_some_and(|rest| rest.starts_with('/'))
                }))
        })
        .map(|(n, _, _)| *n)
        .collect()
}

/// `E119`
pub const ARN_DOES_NOT_FIT_SERVICE: Rule = Rule {
    code: "E119",
    name: "arn-does-not-fit-service",
    severity: Severity::Error,
    summary: "A Resource ARN matches no resource type of its service",
    docs: r#"**What it flags.** A `Resource` or `NotResource` ARN of a known service that fits
none of the ARN formats the Service Authorization Reference gives for that service's
resource types, and why: a Region where the type has none (`arn:aws:iam:eu-west-3:…`,
an S3 bucket with a Region), an account where the type has none (S3 buckets and
objects, API Gateway management ARNs), an empty Region or account where the type needs
one (DynamoDB tables, SQS queues, IAM roles), or a resource part that is no type of the
service (`table/` misspelt `tables/`, `roles/` for `role/`). Wildcards and policy
variables are taken into account.

**Why it matters.** Such an ARN matches no resource, so the statement never applies to
it: a grant that grants nothing, or a Deny that denies nothing.

**Example.**
```json
{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3::111122223333:reports/*"}
```

**Fix.** Write the ARN in the form the help shows (`arn:aws:s3:::reports/*`)."#,
    access_analyzer: &[
        "ARN_ACCOUNT_NOT_ALLOWED",
        "ARN_REGION_NOT_ALLOWED",
        "MISSING_ARN_REGION",
        "MISSING_ARN_ACCOUNT",
        "INVALID_ARN_RESOURCE",
    ],
    security_severity: None,
    tags: &["catalog", "arn"],
};

/// `E120`
pub const INVALID_ARN_REGION: Rule = Rule {
    code: "E120",
    name: "invalid-arn-region",
    severity: Severity::Error,
    summary: "The Region field of a Resource ARN is not an AWS Region of its partition",
    docs: r#"**What it flags.** A `Resource` ARN whose Region field is neither empty, a
wildcard, a policy variable, nor a Region of the ARN's partition: a misspelling
(`eu-west-9`), an Availability Zone (`us-east-1a`), or a Region of another partition
(`us-gov-west-1` in an `arn:aws:` ARN). Regions come from botocore's endpoint data
(`tools/catalog/regions.py`).

**Why it matters.** The ARN matches no resource.

**Example.**
```json
{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1f:111122223333:orders"}
```

**Fix.** Write the Region (`us-east-1`), or `*`."#,
    access_analyzer: &["INVALID_ARN_REGION"],
    security_severity: None,
    tags: &["arn"],
};

/// `E119`, `E120`
pub(crate) fn check_arn_fit(ctx: &mut Ctx<'_>) {
    if matches!(ctx.ptype, PolicyType::Trust) {
        return;
    }
    let mut found = Vec::new();
    for st in &ctx.policy.statements {
        let Some(r) = &st.resource else { continue };
        for e in &r.entries {
            if e.raw == "*" || placeholder(&e.raw) || !e.raw.starts_with("arn:") {
                continue;
            }
            let masked = super::grammar::mask_variables(&e.raw);
            let Some(arn) = verdict_policy::arn::Arn::parse(&masked) else {
                continue;
            };
            if let Some(why) = verdict_catalog::regions::region_problem(arn.region) {
                found.push((
                    &INVALID_ARN_REGION,
                    e.span,
                    format!("\"{}\": {why}", e.raw),
                    None,
                ));
                continue;
            }
            if let (Some(p), false) = (
                verdict_catalog::regions::region_partition(arn.region),
                arn.partition.contains(['*', '?']),
            ) {
                if p != arn.partition && verdict_catalog::regions::is_partition(arn.partition) {
                    found.push((
                        &INVALID_ARN_REGION,
                        e.span,
                        format!(
                            "\"{}\": Region \"{}\" belongs to the {p} partition, not {}",
                            e.raw, arn.region, arn.partition
                        ),
                        Some(format!("write arn:{p}:… or a Region of {}", arn.partition)),
                    ));
                    continue;
                }
            }
            if let Some((msg, help)) = fit_problem(ctx, &e.raw, &masked, &arn) {
                found.push((&ARN_DOES_NOT_FIT_SERVICE, e.span, msg, help));
            }
        }
    }
    for (rule, span, msg, help) in found {
        ctx.report(rule, span, msg, help);
    }
}

/// Why `arn` (as `raw`, variables masked in `masked`) fits no resource type of its
/// service, or `None` when it fits one (or the service is unknown or has no types).
fn fit_problem(
    ctx: &Ctx<'_>,
    raw: &str,
    masked: &str,
    arn: &verdict_policy::arn::Arn<'_>,
) -> Option<(String, Option<String>)> {
    if arn.service.contains(['*', '?']) {
        return None;
    }
    let service = ctx.catalog.service(arn.service)?;
    service.resource_types().next()?;
    let matched = types_for(ctx, service, masked);
    if !matched.is_empty() {
        // A template placeholder also matches an empty field: an ARN that fits only by
        // leaving a required Region empty still names nothing. (An empty account is
        // how public and AWS-owned resources are named: AMIs, snapshots, SSM documents.)
        let wild = |f: &str| f.contains(['*', '?']);
        let field_ok = |tpl: &str, got: &str| wild(got) || tpl.is_empty() == got.is_empty();
        let fits = service
            .resource_types()
            .filter(|t| matched.contains(t.name()))
            .flat_map(|t| t.arn_patterns())
            .any(|tpl| {
                let f: Vec<&str> = tpl.splitn(6, ':').collect();
                matches!(f.as_slice(), [_, _, _, region, _, _] if field_ok(region, arn.region))
            });
        if fits {
            return None;
        }
        let t = service
            .resource_types()
            .find(|t| matched.contains(t.name()))?;
        let tpl = t.arn_patterns().next()?;
        let f: Vec<&str> = tpl.splitn(6, ':').collect();
        let why = if matches!(f.as_slice(), [_, _, _, region, _, _] if !region.is_empty())
            && arn.region.is_empty()
        {
            format!(
                "{} ARNs need a Region, and the Region field is empty",
                t.name()
            )
        } else {
            return None;
        };
        return Some((
            format!("\"{raw}\" matches no {} resource: {why}", arn.service),
            Some(format!("the format is {tpl}")),
        ));
    }
    // Try each type's template with the policy ARN's Region and account set as the type
    // wants them: if that fits, the Region or account field is what is wrong.
    let mut reasons: Vec<(String, &'static str)> = Vec::new();
    for t in service.resource_types() {
        for tpl in t.arn_patterns() {
            let f: Vec<&str> = tpl.splitn(6, ':').collect();
            let [_, _, _, t_region, t_account, _] = f.as_slice() else {
                continue;
            };
            let region = match (t_region.is_empty(), arn.region.is_empty()) {
                (true, false) => "",
                (false, true) => "us-east-1",
                _ => arn.region,
            };
            let account = match (t_account.is_empty(), arn.account.is_empty()) {
                (true, false) => "",
                (false, true) => "123456789012",
                _ => arn.account,
            };
            if region == arn.region && account == arn.account {
                continue;
            }
            let fixed = format!(
                "arn:{}:{}:{region}:{account}:{}",
                arn.partition, arn.service, arn.resource
            );
            if types_for(ctx, service, &fixed).contains(t.name()) {
                let why = match (region != arn.region, account != arn.account) {
                    (true, _) if arn.region.is_empty() => format!(
                        "{} ARNs need a Region, and the Region field is empty",
                        t.name()
                    ),
                    (true, _) => format!(
                        "{} ARNs have no Region, but this one has \"{}\"",
                        t.name(),
                        arn.region
                    ),
                    (false, true) if arn.account.is_empty() => format!(
                        "{} ARNs need an account ID, and the account field is empty",
                        t.name()
                    ),
                    _ => format!(
                        "{} ARNs have no account ID, but this one has \"{}\"",
                        t.name(),
                        arn.account
                    ),
                };
                reasons.push((why, tpl));
            }
        }
    }
    if let Some((why, tpl)) = reasons.into_iter().next() {
        return Some((
            format!("\"{raw}\" matches no {} resource: {why}", arn.service),
            Some(format!("the format is {tpl}")),
        ));
    }
    let formats: Vec<String> = service
        .resource_types()
        .filter_map(|t| {
            t.arn_patterns()
                .next()
                .map(|p| format!("{} ({p})", t.name()))
        })
        .take(4)
        .collect();
    Some((
        format!(
            "\"{raw}\" matches no resource type of {}: \"{}\" is not the resource part of any of them",
            arn.service, arn.resource
        ),
        Some(format!("{} resource types include: {}", arn.service, formats.join(", "))),
    ))
}

/// `W101`
pub(crate) fn check_action_resource(ctx: &mut Ctx<'_>) {
    if matches!(ctx.ptype, PolicyType::Trust) {
        return;
    }
    let mut found = Vec::new();
    for st in &ctx.stmts {
        if st.stmt.action.negated {
            continue;
        }
        let Some(r) = &st.stmt.resource else { continue };
        if r.negated
            || r.entries
                .iter()
                .any(|e| e.raw == "*" || placeholder(&e.raw) || !e.raw.starts_with("arn:"))
        {
            continue;
        }
        // An ARN that fits no resource type is already an error (E119, E120).
        let broken: HashSet<Span> = ctx
            .out
            .iter()
            .filter(|x| x.rule.code == "E119" || x.rule.code == "E120")
            .map(|x| x.span)
            .collect();
        if r.entries.iter().all(|e| broken.contains(&e.span)) {
            continue;
        }
        let resources: Vec<&str> = r.entries.iter().map(|e| e.raw.as_str()).collect();
        for a in &st.actions {
            let Some(list) = &a.expanded else { continue };
            if list.is_empty() {
                continue;
            }
            let Some(svc) = a.service else { continue };
            let fits = resources.iter().any(|res| {
                let types = types_for(ctx, svc, res);
                !types.is_empty()
                    && list
                        .iter()
                        .any(|action| action.resource_types().any(|rt| types.contains(rt.name())))
            });
            if !fits {
                found.push((
                    a.pattern.span,
                    mismatch_message(&a.pattern.raw, list, &resources),
                ));
            }
        }
    }
    for (span, (msg, help)) in found {
        ctx.report(&ACTION_RESOURCE_MISMATCH, span, msg, help);
    }
}

fn mismatch_message(
    raw: &str,
    list: &[Action<'static>],
    resources: &[&str],
) -> (String, Option<String>) {
    let shown = match resources {
        [only] => format!("\"{only}\""),
        _ => format!("any of the {} resources listed", resources.len()),
    };
    if list.iter().all(|a| a.only_supports_star()) {
        return (
            format!("\"{raw}\" does not support resource-level permissions, so it never matches {shown}"),
            Some("move it to a statement with \"Resource\": \"*\"".into()),
        );
    }
    let mut kinds: Vec<String> = Vec::new();
    for a in list.iter().take(40) {
        for rt in a.resource_types() {
            if let Some(t) = rt.resource_type() {
                if let Some(p) = t.arn_patterns().next() {
                    let s = format!("{} ({p})", rt.name());
                    if !kinds.contains(&s) {
                        kinds.push(s);
                    }
                }
            }
        }
    }
    kinds.truncate(3);
    let help = (!kinds.is_empty()).then(|| format!("it acts on: {}", kinds.join(", ")));
    (
        format!("\"{raw}\" cannot act on {shown}, so the statement never applies to it"),
        help,
    )
}

/// Keys some services define that are present for every service's requests.
const CROSS_SERVICE_KEYS: &[&str] = &[
    "ec2:sourceinstancearn",
    "ec2:sourceinstanceprivateipv4",
    "lambda:sourcefunctionarn",
    "glue:roleassumedby",
    "glue:credentialissuingservice",
    "ssm:sourceinstancearn",
    "iam:associatedresourcearn",
    "identitystore:userid",
    "sso:instancearn",
];

/// `W102`
pub(crate) fn check_condition_keys_applicable(ctx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    let mut unsupported: Vec<(Span, String)> = Vec::new();
    for st in &ctx.stmts {
        let Some(actions) = st.explicit_actions() else {
            continue;
        };
        if actions.is_empty() {
            continue;
        }
        for c in &st.stmt.conditions {
            if c.op.if_exists
                || c.op.base == verdict_policy::condition::BaseOp::Null
                || placeholder(&c.key)
            {
                continue;
            }
            let Some((prefix, _)) = c.key.split_once(':') else {
                continue;
            };
            if ctx.catalog.is_global_key(&c.key)
                || prefix.contains(['.', '/'])
                || CROSS_SERVICE_KEYS.contains(&c.key_lc.as_str())
            {
                continue;
            }
            if ctx.catalog.service(prefix).is_none()
                || ctx.catalog.key_type(prefix, &c.key).is_none()
            {
                continue; // unknown keys are E204
            }
            // Explicit actions that never receive the key (E314): an Allow with a
            // positive test of it never allows them.
            // Only when another action of the statement does receive it: a statement
            // that mixes the two is the mistake this catches, and the catalog's key
            // lists are not complete enough to judge a lone action (W102 does that).
            // Trust policies authorize the assume actions of one call together.
            let positive_allow = ctx.ptype != PolicyType::Trust
                && st.stmt.effect == Effect::Allow
                && !c.op.base.is_negated()
                && actions.iter().any(|a| a.supports_key(&c.key));
            let mut per_action = false;
            if positive_allow {
                for a in st.actions.iter().filter(|a| !a.wild && !a.placeholder) {
                    let Some([only]) = a.expanded.as_deref() else {
                        continue;
                    };
                    if !only.supports_key(&c.key) {
                        per_action = true;
                        unsupported.push((
                            a.pattern.span,
                            format!(
                                "{} never receives \"{}\", so with this condition the statement never allows {}",
                                only,
                                c.key,
                                a.pattern.raw
                            ),
                        ));
                    }
                }
            }
            if per_action || actions.iter().any(|a| a.supports_key(&c.key)) {
                continue;
            }
            let names: Vec<String> = actions.iter().take(3).map(|a| a.to_string()).collect();
            let more = if actions.len() > 3 {
                format!(" and {} more", actions.len() - 3)
            } else {
                String::new()
            };
            let effect = if c.op.base.is_negated() {
                "so the condition is always true and has no effect".to_string()
            } else if st.stmt.effect == Effect::Allow {
                "so the condition is never true and the statement never allows anything".to_string()
            } else {
                "so the condition is never true and this Deny never applies".to_string()
            };
            found.push((
                c.key_span,
                format!(
                    "none of the statement's actions ({}{more}) receives \"{}\", {effect}",
                    names.join(", "),
                    c.key
                ),
            ));
        }
    }
    for (span, msg) in found {
        ctx.report(
            &CONDITION_KEY_NOT_APPLICABLE,
            span,
            msg,
            Some("use a condition key the actions support, or move the condition to a statement with matching actions".into()),
        );
    }
    for (span, msg) in unsupported {
        ctx.report(
            &ACTION_WITHOUT_CONDITION_KEY,
            span,
            msg,
            Some("move the action to a statement without this condition".into()),
        );
    }
    check_tag_conditions(ctx);
    check_irrelevant_keys(ctx);
}

/// `E314`
pub const ACTION_WITHOUT_CONDITION_KEY: Rule = Rule {
    code: "E314",
    name: "action-without-condition-key",
    severity: Severity::Error,
    summary: "An Allow tests a service condition key that one of its actions never receives",
    docs: r#"**What it flags.** An `Allow` statement with a positive condition on a service
key (`s3:prefix`, `ec2:InstanceType`, …), another action of the statement that receives
the key, and an explicit action that never receives it, by the Service Authorization
Reference: `s3:GetObject` beside `s3:ListBucket` with `s3:prefix`, `ec2:CreateVolume`
beside `ec2:RunInstances` with `ec2:InstanceType`. Action wildcards are not judged per
action, and a statement none of whose actions receives the key is `W102` (a warning:
the reference's key lists are incomplete for some services, so Verdict does not fail a
build on them alone).

**Why it matters.** The key is absent from that action's requests, so the condition is
false and the statement never allows the action. The statement reads as a grant of it
but is not one.

**Example.**
```json
{"Effect": "Allow", "Action": ["s3:ListBucket", "s3:GetObject"],
 "Resource": ["arn:aws:s3:::reports", "arn:aws:s3:::reports/*"],
 "Condition": {"StringLike": {"s3:prefix": "2026/*"}}}
```

**Fix.** Move the action to a statement of its own, without the condition (or with a
key it receives)."#,
    access_analyzer: &["UNSUPPORTED_ACTION_FOR_CONDITION_KEY"],
    security_severity: None,
    tags: &["catalog", "condition"],
};

/// `S112`
pub const DENY_ON_UNTAGGED_ACTIONS: Rule = Rule {
    code: "S112",
    name: "deny-on-untagged-actions",
    severity: Severity::SecurityWarning,
    summary: "A Deny keyed on aws:ResourceTag covers actions whose resources carry no tags",
    docs: r#"**What it flags.** A `Deny` with a positive condition on `aws:ResourceTag/…`
whose actions include some that never receive the key (their resources cannot be tagged,
or the service does not support tag-based authorization), and every `Deny` with
`NotAction` and such a condition.

**Why it matters.** For those actions the key is absent, the condition is false, and the
Deny does not apply: the resources it was meant to protect are not protected for them.

**Example.**
```json
{"Effect": "Deny", "Action": ["ec2:TerminateInstances", "route53:DeleteHostedZone"], "Resource": "*",
 "Condition": {"StringEquals": {"aws:ResourceTag/status": "protected"}}}
```

**Fix.** Deny the untaggable actions in a statement of their own, scoped by resource
ARN instead of by tag."#,
    access_analyzer: &[
        "DENY_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
        "DENY_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
    ],
    security_severity: Some("6.0"),
    tags: &["condition", "tags"],
};

/// `N121`
pub const ALLOW_ON_UNTAGGED_ACTIONS: Rule = Rule {
    code: "N121",
    name: "allow-on-untagged-actions",
    severity: Severity::Suggestion,
    summary: "An Allow keyed on aws:ResourceTag covers actions whose resources carry no tags",
    docs: r#"**What it flags.** An `Allow` with a positive condition on `aws:ResourceTag/…`
and an action that never receives the key, or `NotAction` with such a condition.

**Why it matters.** The statement never allows those actions; the grant is narrower than
it reads.

**Example.**
```json
{"Effect": "Allow", "Action": ["ec2:StartInstances", "route53:ChangeResourceRecordSets"], "Resource": "*",
 "Condition": {"StringEquals": {"aws:ResourceTag/team": "ledger"}}}
```

**Fix.** Grant the untaggable actions in a statement scoped by resource ARN."#,
    access_analyzer: &[
        "ALLOW_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
        "ALLOW_NOTACTION_WITH_UNSUPPORTED_TAG_CONDITION_KEY_FOR_SERVICE",
    ],
    security_severity: None,
    tags: &["condition", "tags"],
};

/// `N122`
pub const IRRELEVANT_CONDITION_KEY: Rule = Rule {
    code: "N122",
    name: "irrelevant-condition-key",
    severity: Severity::Suggestion,
    summary: "A resource policy tests the account or organization of its own resource",
    docs: r#"**What it flags.** `aws:ResourceAccount`, `s3:ResourceAccount`,
`aws:ResourceOrgID` or `aws:ResourceOrgPaths` in a resource-based policy.

**Why it matters.** A resource policy only ever applies to its own resource, whose
account and organization are fixed: the condition is always true or always false.

**Example.**
```json
{"Condition": {"StringEquals": {"s3:ResourceAccount": "111122223333"}}}
```

**Fix.** Remove the condition (it belongs in identity policies, SCPs and endpoint
policies, where it limits which accounts' resources are reachable)."#,
    access_analyzer: &["IRRELEVANT_CONDITION_KEY_IN_POLICY"],
    security_severity: None,
    tags: &["condition"],
};

/// Does `action` receive `aws:ResourceTag/…`?
fn receives_resource_tag(action: &Action<'static>) -> bool {
    action
        .condition_keys()
        .iter()
        .any(|ck| ck.matches("aws:ResourceTag/x"))
}

/// `S112`, `N121`
fn check_tag_conditions(ctx: &mut Ctx<'_>) {
    let mut found = Vec::new();
    for st in &ctx.stmts {
        let Some(c) = st.stmt.conditions.iter().find(|c| {
            c.key_lc.starts_with("aws:resourcetag/")
                && !c.op.base.is_negated()
                && !c.op.if_exists
                && c.op.base != verdict_policy::condition::BaseOp::Null
        }) else {
            continue;
        };
        let untagged: Vec<String> = if st.stmt.action.negated {
            vec!["actions outside the NotAction list".into()]
        } else {
            let Some(actions) = st.explicit_actions() else {
                continue;
            };
            let mut names: Vec<String> = actions
                .iter()
                .filter(|a| !receives_resource_tag(a))
                .map(|a| a.to_string())
                .collect();
            names.dedup();
            names
        };
        if untagged.is_empty() {
            continue;
        }
        let shown = untagged
            .iter()
            .take(3)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        let (rule, what) = if st.stmt.effect == Effect::Deny {
            (&DENY_ON_UNTAGGED_ACTIONS, "this Deny never applies to")
        } else {
            (&ALLOW_ON_UNTAGGED_ACTIONS, "this Allow never allows")
        };
        found.push((
            rule,
            c.key_span,
            format!("{what} {shown}: their requests carry no \"{}\"", c.key),
        ));
    }
    for (rule, span, msg) in found {
        ctx.report(
            rule,
            span,
            msg,
            Some("handle those actions in a statement scoped by resource ARN".into()),
        );
    }
}

/// `N122`
fn check_irrelevant_keys(ctx: &mut Ctx<'_>) {
    if ctx.ptype != PolicyType::Resource {
        return;
    }
    let mut found = Vec::new();
    for st in &ctx.policy.statements {
        for c in &st.conditions {
            if matches!(
                c.key_lc.as_str(),
                "aws:resourceaccount"
                    | "s3:resourceaccount"
                    | "aws:resourceorgid"
                    | "aws:resourceorgpaths"
            ) {
                found.push((
                    c.key_span,
                    format!("\"{}\" is the resource's own account or organization, which is fixed for a resource policy", c.key),
                ));
            }
        }
    }
    for (span, msg) in found {
        ctx.report(
            &IRRELEVANT_CONDITION_KEY,
            span,
            msg,
            Some("remove the condition".into()),
        );
    }
}

const NETWORK_KEYS: &[&str] = &[
    "aws:sourceip",
    "aws:vpcsourceip",
    "aws:sourcevpc",
    "aws:sourcevpce",
];
const GUARD_KEYS: &[&str] = &[
    "aws:viaawsservice",
    "aws:calledvia",
    "aws:calledviafirst",
    "aws:calledvialast",
    "aws:principalisawsservice",
    "aws:principalservicename",
];

/// `W105`
pub(crate) fn check_network_conditions(ctx: &mut Ctx<'_>) {
    if matches!(ctx.ptype, PolicyType::Trust | PolicyType::VpcEndpoint) {
        return;
    }
    let mut found = Vec::new();
    for st in &ctx.policy.statements {
        if st
            .conditions
            .iter()
            .any(|c| GUARD_KEYS.contains(&c.key_lc.as_str()))
        {
            continue;
        }
        let hit = st.conditions.iter().find(|c| {
            NETWORK_KEYS.contains(&c.key_lc.as_str())
                && match st.effect {
                    Effect::Deny => c.op.base.is_negated(),
                    // A resource policy's Allow is one of several grants; only an
                    // identity-side Allow is the caller's whole permission.
                    Effect::Allow => {
                        matches!(
                            ctx.ptype,
                            PolicyType::Identity | PolicyType::Boundary | PolicyType::Session
                        ) && !c.op.base.is_negated()
                            && !c.op.if_exists
                            && c.op.base != verdict_policy::condition::BaseOp::Null
                    }
                }
        });
        if let Some(c) = hit {
            let msg = if st.effect == Effect::Deny {
                format!(
                    "this Deny on \"{}\" also blocks requests that AWS services make on the caller's behalf (they carry the service's network location)",
                    c.key
                )
            } else {
                format!(
                    "this Allow on \"{}\" does not cover requests that AWS services make on the caller's behalf (they carry the service's network location)",
                    c.key
                )
            };
            found.push((c.key_span, msg));
        }
    }
    for (span, msg) in found {
        ctx.report(
            &NETWORK_CONDITION_ON_SERVICE_CALLS,
            span,
            msg,
            Some("add \"Bool\": {\"aws:ViaAWSService\": \"false\"} so the network condition only applies to direct calls".into()),
        );
    }
}

fn principals_equal(a: &Statement, b: &Statement) -> bool {
    match (&a.principal, &b.principal) {
        (None, None) => true,
        (Some(x), Some(y)) => {
            let mut rx = x.raw.clone();
            let mut ry = y.raw.clone();
            rx.sort();
            ry.sort();
            x.negated == y.negated && rx == ry
        }
        _ => false,
    }
}

fn deny_principal_covers(deny: &Statement, allow: &Statement) -> bool {
    match &deny.principal {
        None => true,
        Some(p)
            if !p.negated
                && p.entries
                    .iter()
                    .any(|e| matches!(e, PrincipalEntry::Everyone { .. })) =>
        {
            true
        }
        Some(_) => principals_equal(deny, allow),
    }
}

fn conditions_key(st: &Statement) -> Vec<String> {
    let mut v: Vec<String> = st
        .conditions
        .iter()
        .map(|c| {
            let mut vals = c.raw_values.clone();
            vals.sort();
            format!(
                "{}|{}|{}",
                c.op.canonical_name(),
                c.key_lc,
                vals.join("\u{1}")
            )
        })
        .collect();
    v.sort();
    v
}

pub(crate) fn pattern_covers(q: &ActionInfo<'_>, p: &ActionInfo<'_>) -> bool {
    if q.placeholder || p.placeholder {
        return false;
    }
    if q.pattern.is_any() {
        return true;
    }
    if p.pattern.is_any() || q.svc_lc != p.svc_lc {
        return false;
    }
    if !p.wild {
        return q.pattern.matches(&p.svc_lc, &p.name_lc);
    }
    if !q.wild {
        return false;
    }
    if q.name_lc == p.name_lc || q.name_lc == "*" {
        return true;
    }
    match &p.expanded {
        Some(list) if !list.is_empty() => list
            .iter()
            .all(|a| q.pattern.matches(&p.svc_lc, &a.name().to_ascii_lowercase())),
        _ => false,
    }
}

fn actions_cover(t: &StmtInfo<'_>, s: &StmtInfo<'_>) -> bool {
    let (ta, sa): (&ActionBlock, &ActionBlock) = (&t.stmt.action, &s.stmt.action);
    if ta.negated || sa.negated {
        return false;
    }
    let t_wild: Vec<&ActionInfo<'_>> = t
        .actions
        .iter()
        .filter(|q| q.wild || q.pattern.is_any())
        .collect();
    s.actions.iter().all(|p| {
        (!p.wild && !p.pattern.is_any() && t.exact.contains(&format!("{}:{}", p.svc_lc, p.name_lc)))
            || t_wild.iter().any(|q| pattern_covers(q, p))
    })
}

pub(crate) fn resources_cover(t: Option<&ResourceBlock>, s: Option<&ResourceBlock>) -> bool {
    match (t, s) {
        (None, None) => true,
        (Some(t), Some(s)) if !t.negated && !s.negated => s.entries.iter().all(|e| {
            t.entries.iter().any(|f| {
                f.raw == "*"
                    || f.raw == e.raw
                    || (!f.raw.contains('?')
                        && !e.raw.contains('?')
                        && !placeholder(&f.raw)
                        && Glob::new(&f.raw).matches(&e.raw))
            })
        }),
        _ => false,
    }
}

/// `N123`, `W107`
pub(crate) fn check_redundant_statements(ctx: &mut Ctx<'_>) {
    let mut found: Vec<(&'static Rule, Span, String)> = Vec::new();
    let stmts = &ctx.stmts;
    for (i, s) in stmts.iter().enumerate() {
        for (j, t) in stmts.iter().enumerate() {
            if i == j {
                continue;
            }
            let (ss, ts) = (s.stmt, t.stmt);
            if ss.effect == ts.effect
                && principals_equal(ss, ts)
                && (ts.conditions.is_empty() || conditions_key(ss) == conditions_key(ts))
                && actions_cover(t, s)
                && resources_cover(ts.resource.as_ref(), ss.resource.as_ref())
            {
                let mutual = (ss.conditions.is_empty() || conditions_key(ss) == conditions_key(ts))
                    && actions_cover(s, t)
                    && resources_cover(ss.resource.as_ref(), ts.resource.as_ref());
                if mutual && i < j {
                    continue;
                }
                let what = if mutual {
                    "duplicates"
                } else {
                    "is covered by"
                };
                found.push((
                    &REDUNDANT_STATEMENT,
                    ss.span,
                    format!(
                        "statement {} {what} statement {}, so it changes nothing",
                        ss.label(),
                        ts.label()
                    ),
                ));
                break;
            }
            if ss.effect == Effect::Allow
                && ts.effect == Effect::Deny
                && ts.conditions.is_empty()
                && deny_principal_covers(ts, ss)
                && actions_cover(t, s)
                && resources_cover(ts.resource.as_ref(), ss.resource.as_ref())
            {
                found.push((
                    &STATEMENT_SHADOWED_BY_DENY,
                    ss.span,
                    format!("statement {} allows nothing: statement {} denies all of it without a condition", ss.label(), ts.label()),
                ));
                break;
            }
        }
    }
    for (rule, span, msg) in found {
        let help = if rule.code == "N123" {
            "delete the statement, or narrow the one that covers it"
        } else {
            "remove the Allow, or add a condition to the Deny"
        };
        ctx.report(rule, span, msg, Some(help.into()));
    }
}
