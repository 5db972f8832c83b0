//! `N1xx`: suggestions that make a policy clearer or tighter; none changes access.

use super::semantics::pattern_covers;
use super::{placeholder, Ctx};
use crate::rule::{Rule, Severity};
use verdict_policy::glob::Glob;
use verdict_policy::json::Json;
use verdict_policy::{Effect, PolicyType, Span};

/// `N101`
pub const EMPTY_SID: Rule = Rule {
    code: "N101",
    name: "empty-sid",
    severity: Severity::Suggestion,
    summary: "A statement has an empty Sid",
    docs: r#"**What it flags.** `"Sid": ""`.

**Why it matters.** An empty Sid identifies nothing; findings, CloudTrail evaluations and
reviewers can only refer to the statement by position.

**Example.**
```json
{"Sid": "", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}
```

**Fix.** Name the statement (`"Sid": "ReadReports"`) or remove the element."#,
    access_analyzer: &["EMPTY_SID_VALUE"],
    security_severity: None,
    tags: &["style"],
};

/// `W119`
pub const NON_UNIQUE_SID: Rule = Rule {
    code: "W119",
    name: "non-unique-sid",
    severity: Severity::Warning,
    summary: "Two statements share a Sid where duplicates are allowed",
    docs: r#"**What it flags.** A repeated `Sid` in a resource-based policy, SCP, RCP or other
policy type that does not require unique Sids (for IAM policies see `E112`).

**Why it matters.** Services that allow duplicates still use the Sid to identify
statements (SQS and SNS, for example); duplicates make findings and edits ambiguous.

**Example.**
```json
{"Statement": [{"Sid": "Read", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
               {"Sid": "Read", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}]}
```

**Fix.** Give each statement its own Sid.

**Class.** Warning, Access Analyzer's class (`UNIQUE_SIDS_RECOMMENDED`). It was `N102` before; that code still selects it."#,
    access_analyzer: &["UNIQUE_SIDS_RECOMMENDED"],
    security_severity: None,
    tags: &["style"],
};

/// `W118`
pub const MISSING_VERSION: Rule = Rule {
    code: "W118",
    name: "missing-version",
    severity: Severity::Warning,
    summary: "The policy has no Version",
    docs: r#"**What it flags.** A policy without a `Version` element.

**Why it matters.** Without it the policy is read with the 2008 grammar, in which
policy variables such as `${aws:username}` are plain text. Being explicit avoids that
surprise when someone adds a variable later.

**Example.**
```json
{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}
```

**Fix.** Add `"Version": "2012-10-17"`.

**Class.** Warning, Access Analyzer's class (`MISSING_VERSION`): without `"Version": "2012-10-17"` policy variables are read as literal text. It was `N103` before; that code still selects it."#,
    access_analyzer: &["MISSING_VERSION"],
    security_severity: None,
    tags: &["style"],
};

/// `N104`
pub const RESOURCE_WILDCARD_COULD_BE_NARROWED: Rule = Rule {
    code: "N104",
    name: "resource-wildcard-could-be-narrowed",
    severity: Severity::Suggestion,
    summary: "\"Resource\": \"*\" where every action supports resource-level permissions",
    docs: r#"**What it flags.** An Allow statement of an identity policy with `"Resource": "*"`
whose actions (all known to the catalog) all support resource-level permissions.

**Why it matters.** The statement applies to every resource of those services, in every
account the principal can reach. Naming the resources is the least-privilege form.

**Example.**
```json
{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}
```

**Fix.** Name the ARNs (`arn:aws:s3:::reports/*`)."#,
    access_analyzer: &[],
    security_severity: None,
    tags: &["least-privilege"],
};

/// `N105`
pub const ACTION_WILDCARD_COULD_BE_NARROWED: Rule = Rule {
    code: "N105",
    name: "action-wildcard-could-be-narrowed",
    severity: Severity::Suggestion,
    summary: "An action wildcard grants more actions than may be needed",
    docs: r#"**What it flags.** An Allow statement entry with a wildcard in the action name
(`s3:*`, `s3:Get*`, or `*`). The message says how many actions it covers today.

**Why it matters.** A wildcard also grants actions AWS adds later, and usually more than
the workload uses (`s3:Get*` includes reading ACLs, policies and replication settings).

**Example.**
```json
{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::reports/*"}
```

**Fix.** List the actions the workload needs (`s3:GetObject`, `s3:PutObject`)."#,
    access_analyzer: &[],
    security_severity: None,
    tags: &["least-privilege"],
};

/// `N106`
pub const REDUNDANT_ACTION: Rule = Rule {
    code: "N106",
    name: "redundant-action",
    severity: Severity::Suggestion,
    summary: "An action entry is already covered by another entry of the statement",
    docs: r#"**What it flags.** An `Action` entry that another entry of the same statement
already covers: `s3:GetObject` next to `s3:Get*`, or the same action twice.

**Why it matters.** It adds length (policies have size quotas) and suggests the author
meant something narrower.

**Example.**
```json
{"Action": ["s3:*", "s3:GetObject"]}
```

**Fix.** Remove the redundant entry."#,
    access_analyzer: &["REDUNDANT_ACTION"],
    security_severity: None,
    tags: &["redundancy"],
};

/// `N107`
pub const REDUNDANT_RESOURCE: Rule = Rule {
    code: "N107",
    name: "redundant-resource",
    severity: Severity::Suggestion,
    summary: "A resource entry is already covered by another entry of the statement",
    docs: r#"**What it flags.** A `Resource` entry that another entry of the same statement
already covers: `arn:aws:s3:::b/reports/*` next to `arn:aws:s3:::b/*`, or `*` next to
anything.

**Why it matters.** As for `N106`: length, and a hint that something narrower was meant.

**Example.**
```json
{"Resource": ["arn:aws:s3:::b/*", "arn:aws:s3:::b/reports/*"]}
```

**Fix.** Remove the redundant entry."#,
    access_analyzer: &["REDUNDANT_RESOURCE"],
    security_severity: None,
    tags: &["redundancy"],
};

fn node_at(tree: &Json, span: Span) -> Option<&Json> {
    if tree.span == span {
        return Some(tree);
    }
    if tree.span.start > span.start || tree.span.end < span.end {
        return None;
    }
    match &tree.kind {
        verdict_policy::json::JsonKind::Object(ms) => {
            ms.iter().find_map(|m| node_at(&m.value, span))
        }
        verdict_policy::json::JsonKind::Array(items) => items.iter().find_map(|i| node_at(i, span)),
        _ => None,
    }
}

/// `N101`, `W119`, `W118`
pub(crate) fn check_sids(ctx: &mut Ctx<'_>) {
    let mut found: Vec<(&'static Rule, Span, String, Option<String>)> = Vec::new();
    let iam = ctx.ptype.is_iam();
    for (i, st) in ctx.policy.statements.iter().enumerate() {
        let sid_span = node_at(ctx.tree, st.span)
            .and_then(|n| n.as_object())
            .and_then(|ms| ms.iter().find(|m| m.key == "Sid"))
            .map_or(st.span, |m| m.value.span);
        match st.sid.as_deref() {
            Some("") => found.push((
                &EMPTY_SID,
                sid_span,
                format!("statement {} has an empty Sid", st.label()),
                Some("name the statement or remove \"Sid\"".into()),
            )),
            Some(sid) if !iam => {
                if let Some(first) = ctx
                    .policy
                    .statements
                    .iter()
                    .take(i)
                    .find(|b| b.sid.as_deref() == Some(sid))
                {
                    let required = ctx.resource_kind.is_some_and(|k| k.unique_sids_required());
                    found.push((
                        if required {
                            &super::grammar::DUPLICATE_SID
                        } else {
                            &NON_UNIQUE_SID
                        },
                        sid_span,
                        format!(
                            "Sid \"{sid}\" is also used by statement #{}",
                            first.index + 1
                        ),
                        Some("give each statement its own Sid".into()),
                    ));
                }
            }
            _ => {}
        }
    }
    if ctx.policy.version.is_none() && !matches!(ctx.ptype, PolicyType::Scp | PolicyType::Rcp) {
        let span = Span::new(ctx.tree.span.start, ctx.tree.span.start + 1);
        found.push((
            &MISSING_VERSION,
            span,
            "the policy has no \"Version\", so it is read with the 2008-10-17 grammar (no policy variables)".into(),
            Some("add \"Version\": \"2012-10-17\"".into()),
        ));
    }
    for (rule, span, msg, help) in found {
        ctx.report(rule, span, msg, help);
    }
}

/// `N104`, `N105`
pub(crate) fn check_wildcards(ctx: &mut Ctx<'_>) {
    if !matches!(ctx.ptype, PolicyType::Identity | PolicyType::Resource) {
        return;
    }
    let mut found: Vec<(&'static Rule, Span, String, Option<String>)> = Vec::new();
    for st in &ctx.stmts {
        if st.stmt.effect != Effect::Allow || st.stmt.action.negated {
            continue;
        }
        for a in &st.actions {
            if a.placeholder {
                continue;
            }
            if a.pattern.is_any() {
                found.push((
                    &ACTION_WILDCARD_COULD_BE_NARROWED,
                    a.pattern.span,
                    format!(
                        "\"*\" grants every action of every service ({} today)",
                        ctx.catalog.action_count()
                    ),
                    Some("list the actions the workload needs".into()),
                ));
                continue;
            }
            let name = a.pattern.raw.split_once(':').map_or("", |x| x.1);
            if !name.contains(['*', '?']) {
                continue;
            }
            if let Some(list) = a.expanded.as_ref().filter(|l| !l.is_empty()) {
                let sample: Vec<String> = list.iter().take(3).map(|x| x.to_string()).collect();
                let more = if list.len() > 3 { ", …" } else { "" };
                found.push((
                    &ACTION_WILDCARD_COULD_BE_NARROWED,
                    a.pattern.span,
                    format!(
                        "\"{}\" grants {} action{} ({}{more})",
                        a.pattern.raw,
                        list.len(),
                        if list.len() == 1 { "" } else { "s" },
                        sample.join(", ")
                    ),
                    Some("list the actions the workload needs".into()),
                ));
            }
        }
        if ctx.ptype != PolicyType::Identity {
            continue;
        }
        let Some(r) = &st.stmt.resource else { continue };
        let [entry] = r.entries.as_slice() else {
            continue;
        };
        if r.negated || entry.raw != "*" {
            continue;
        }
        let Some(actions) = st.explicit_actions() else {
            continue;
        };
        if actions.is_empty() || actions.iter().any(|a| a.only_supports_star()) {
            continue;
        }
        found.push((
            &RESOURCE_WILDCARD_COULD_BE_NARROWED,
            entry.span,
            format!(
                "every action of statement {} supports resource-level permissions, but the statement applies to all resources",
                st.stmt.label()
            ),
            Some("name the resources (ARNs) instead of \"*\"".into()),
        ));
    }
    for (rule, span, msg, help) in found {
        ctx.report(rule, span, msg, help);
    }
}

/// `N106`, `N107`
pub(crate) fn check_redundant_entries(ctx: &mut Ctx<'_>) {
    let mut found: Vec<(&'static Rule, Span, String)> = Vec::new();
    for st in &ctx.stmts {
        if !st.stmt.action.negated {
            let wilds: Vec<(usize, &super::ActionInfo<'_>)> = st
                .actions
                .iter()
                .enumerate()
                .filter(|(_, q)| q.wild || q.pattern.is_any())
                .collect();
            let mut first_at: std::collections::HashMap<(&str, &str), &str> =
                std::collections::HashMap::new();
            for (i, p) in st.actions.iter().enumerate() {
                if p.placeholder {
                    continue;
                }
                if let Some(&other) = first_at.get(&(p.svc_lc.as_str(), p.name_lc.as_str())) {
                    let msg = if other == p.pattern.raw {
                        format!("\"{}\" is listed twice", p.pattern.raw)
                    } else {
                        format!(
                            "\"{}\" is listed twice (also as \"{other}\")",
                            p.pattern.raw
                        )
                    };
                    found.push((&REDUNDANT_ACTION, p.pattern.span, msg));
                    continue;
                }
                first_at.insert(
                    (p.svc_lc.as_str(), p.name_lc.as_str()),
                    p.pattern.raw.as_str(),
                );
                let by = wilds.iter().find(|(j, q)| {
                    *j != i
                        && !(q.svc_lc == p.svc_lc && q.name_lc == p.name_lc)
                        && pattern_covers(q, p)
                        && !(pattern_covers(p, q) && *j > i)
                });
                if let Some((_, q)) = by {
                    found.push((
                        &REDUNDANT_ACTION,
                        p.pattern.span,
                        format!(
                            "\"{}\" is already covered by \"{}\"",
                            p.pattern.raw, q.pattern.raw
                        ),
                    ));
                }
            }
        }
        let Some(r) = &st.stmt.resource else { continue };
        redundant_resources(r, &mut found);
    }
    for (rule, span, msg) in found {
        ctx.report(rule, span, msg, Some("remove the entry".into()));
    }
}

/// Comparisons of one resource list with its wildcard entries before N107 stops looking
/// (a suggestion is not worth minutes on a multi-megabyte policy).
const COVER_BUDGET: usize = 2_000_000;

/// `N107` for one Resource list: exact duplicates by hashing, and entries covered by a
/// wildcard entry, comparing each entry only with the wildcard entries whose literal
/// prefix it starts with. Linear in the list for the lists people write.
fn redundant_resources(
    r: &verdict_policy::model::ResourceBlock,
    found: &mut Vec<(&'static Rule, Span, String)>,
) {
    use std::collections::HashMap;
    let usable = |raw: &str| !placeholder(raw);
    // Wildcard entries (without `?`, as before), indexed by their literal prefix.
    let mut by_prefix: HashMap<&str, Vec<(usize, &str, Glob)>> = HashMap::new();
    for (j, f) in r.entries.iter().enumerate() {
        if !usable(&f.raw) || f.raw.contains('?') || !f.raw.contains('*') {
            continue;
        }
        let prefix = f
            .raw
            .split_once('*')
            .map_or(f.raw.as_str(), |(head, _)| head);
        by_prefix
            .entry(prefix)
            .or_default()
            .push((j, f.raw.as_str(), Glob::new(&f.raw)));
    }
    let mut first: HashMap<&str, usize> = HashMap::new();
    let mut budget = COVER_BUDGET;
    for (i, e) in r.entries.iter().enumerate() {
        if !usable(&e.raw) {
            continue;
        }
        if let Some(&j) = first.get(e.raw.as_str()) {
            let _ = j;
            found.push((
                &REDUNDANT_RESOURCE,
                e.span,
                format!("\"{}\" is listed twice", e.raw),
            ));
            continue;
        }
        first.insert(e.raw.as_str(), i);
        if e.raw.contains('?') || budget == 0 {
            continue;
        }
        let e_wild = e.raw.contains('*');
        let mut by: Option<&str> = None;
        // `get` yields exactly the prefixes that end on a character boundary.
        'prefixes: for prefix in (0..=e.raw.len()).filter_map(|k| e.raw.get(..k)) {
            let Some(cands) = by_prefix.get(prefix) else {
                continue;
            };
            for (j, raw, g) in cands {
                budget = budget.saturating_sub(1);
                if *j == i || !g.matches(&e.raw) {
                    continue;
                }
                // Two entries covering each other: keep the first, report the later one.
                let mutual = e_wild && Glob::new(&e.raw).matches(raw);
                if mutual && *j > i {
                    continue;
                }
                by = Some(raw);
                break 'prefixes;
            }
            if budget == 0 {
                break;
            }
        }
        if let Some(raw) = by {
            found.push((
                &REDUNDANT_RESOURCE,
                e.span,
                format!("\"{}\" is already covered by \"{raw}\"", e.raw),
            ));
        }
    }
}

/// `N111`
pub const NOT_A_POLICY: Rule = Rule {
    code: "N111",
    name: "not-a-policy",
    severity: Severity::Suggestion,
    summary: "A file found in a directory holds no policy, template or plan",
    docs: r#"**What it flags.** A JSON or YAML file that a directory walk found and that holds
no policy document, CloudFormation template or Terraform plan or state (for example
`package.json`), or an IaC file without any IAM-bearing resource.

**Why it matters.** Nothing in it was checked; the finding says so instead of skipping it
in silence. It is a suggestion, so it fails only `--fail-on suggestion`.

**Example.** `verdict lint .` in a repository with a `tsconfig.json`.

**Fix.** Nothing, if the file is not meant to hold a policy: ignore the rule for such
files (`--ignore N111`, or `[lint] ignore` in verdict.toml), or lint only the policy
directories."#,
    access_analyzer: &[],
    security_severity: None,
    tags: &["input"],
};

/// `N114`
pub const EMPTY_PRINCIPAL: Rule = Rule {
    code: "N114",
    name: "empty-principal",
    severity: Severity::Suggestion,
    summary: "A statement's Principal is an empty object",
    docs: r#"**What it flags.** `"Principal": {}` (or `"NotPrincipal": {}`): a principal block
that names nobody. CloudFormation leaves it behind when every entry is an `Fn::If` that
resolves to `AWS::NoValue`.

**Why it matters.** The statement applies to no caller, which is harmless but rarely
intended.

**Example.**
```json
{"Effect": "Allow", "Principal": {}, "Action": "sqs:SendMessage", "Resource": "*"}
```

**Fix.** Remove the statement, or name the principal.

**Class.** Suggestion, Access Analyzer's class (`EMPTY_OBJECT_PRINCIPAL`): IAM saves the
policy. `verdict simulate` refuses such a policy rather than guess."#,
    access_analyzer: &["EMPTY_OBJECT_PRINCIPAL"],
    security_severity: None,
    tags: &["principal"],
};

/// `N115`
pub const EMPTY_ARRAY: Rule = Rule {
    code: "N115",
    name: "empty-array",
    severity: Severity::Suggestion,
    summary: "Action, Resource or a principal list is an empty array",
    docs: r#"**What it flags.** `"Action": []`, `"Resource": []`, `"NotAction": []`,
`"NotResource": []` or a principal list such as `"Principal": {"AWS": []}`.

**Why it matters.** An empty list matches nothing: the statement never applies (for
`NotAction` and `NotResource`, it applies to everything), which is rarely what the author
meant. Templates often produce it when a list parameter is empty.

**Example.**
```json
{"Effect": "Allow", "Action": [], "Resource": "*"}
```

**Fix.** Fill the list, or remove the statement.

**Class.** Suggestion, Access Analyzer's class (`EMPTY_ARRAY_ACTION`,
`EMPTY_ARRAY_RESOURCE`, `EMPTY_ARRAY_PRINCIPAL`). `verdict simulate` refuses such a
policy rather than guess."#,
    access_analyzer: &[
        "EMPTY_ARRAY_ACTION",
        "EMPTY_ARRAY_RESOURCE",
        "EMPTY_ARRAY_PRINCIPAL",
    ],
    security_severity: None,
    tags: &["grammar"],
};

/// `N116`
pub const EMPTY_CONDITION: Rule = Rule {
    code: "N116",
    name: "empty-condition",
    severity: Severity::Suggestion,
    summary: "A Condition block, or an operator inside it, is an empty object",
    docs: r#"**What it flags.** `"Condition": {}`, or an operator with no keys
(`"Condition": {"StringEquals": {}}`).

**Why it matters.** An empty block tests nothing, so the statement is unconditional; if
a condition was meant to be there (a template parameter that resolved to nothing), the
statement grants more than intended.

**Example.**
```json
{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*", "Condition": {}}
```

**Fix.** Remove the empty block, or add the condition that was meant."#,
    access_analyzer: &["EMPTY_OBJECT_CONDITION"],
    security_severity: None,
    tags: &["condition"],
};

/// `N116`
pub(crate) fn check_empty_conditions(ctx: &mut Ctx<'_>) {
    use verdict_policy::json::JsonKind;
    let mut found = Vec::new();
    for st in super::statement_nodes(ctx.tree) {
        let Some(cond) = st.get("Condition") else {
            continue;
        };
        let JsonKind::Object(ops) = &cond.kind else {
            continue;
        };
        if ops.is_empty() {
            found.push((
                cond.span,
                "the Condition block is empty, so the statement is unconditional".to_string(),
            ));
        }
        for op in ops {
            if matches!(&op.value.kind, JsonKind::Object(keys) if keys.is_empty()) {
                found.push((
                    op.value.span,
                    format!("\"{}\" has no condition keys, so it tests nothing", op.key),
                ));
            }
        }
    }
    for (span, msg) in found {
        ctx.report(
            &EMPTY_CONDITION,
            span,
            msg,
            Some("remove it, or add the condition that was meant".into()),
        );
    }
}
