//! `E2xx`: references to the embedded service catalog (services, actions, condition
//! keys) and policy variables.

use super::{placeholder, Ctx};
use crate::rule::{Rule, Severity};
use verdict_policy::condition::Family;
use verdict_policy::diag::suggestion;
use verdict_policy::template::Template;
use verdict_policy::Span;

/// `E201`
pub const UNKNOWN_SERVICE: Rule = Rule {
    code: "E201",
    name: "unknown-service",
    severity: Severity::Error,
    summary: "An action's service prefix is not in the embedded service reference",
    docs: r#"**What it flags.** An `Action`/`NotAction` entry whose prefix (`s4` in
`s4:GetObject`) names no service of the embedded AWS Service Authorization Reference.
The message gives the date of that data; the help line suggests the nearest prefix.

**Why it matters.** IAM accepts any prefix, so a typo silently grants (or, in a Deny,
blocks) nothing. Unknown here means absent from the catalog as of its date: a service
launched later, or a retired one, is reported too.

**Example.**
```json
{"Statement": {"Effect": "Allow", "Action": "s4:GetObject", "Resource": "*"}}
```

**Fix.** Correct the prefix. If the service is newer than the catalog, update verdict or
ignore the finding for that file."#,
    access_analyzer: &["INVALID_SERVICE_IN_ACTION"],
    security_severity: None,
    tags: &["catalog"],
};

/// `E202`
pub const UNKNOWN_ACTION: Rule = Rule {
    code: "E202",
    name: "unknown-action",
    severity: Severity::Error,
    summary: "An action (or action pattern) matches no action of its service",
    docs: r#"**What it flags.** An action name the service does not have (`s3:GetObjcet`), or a
wildcard pattern that matches none of the service's actions (`s3:Gett*`). Names are
compared ignoring case, as IAM does. The message gives the catalog date; the help line
suggests the nearest action.

**Why it matters.** IAM accepts the policy but the entry never matches a request.

**Example.**
```json
{"Statement": {"Effect": "Allow", "Action": "s3:GetObjcet", "Resource": "arn:aws:s3:::b/*"}}
```

**Fix.** Use the suggested name. If the action is newer than the catalog, update verdict
or ignore the finding."#,
    access_analyzer: &["INVALID_ACTION"],
    security_severity: None,
    tags: &["catalog"],
};

/// `E203`
pub const UNKNOWN_GLOBAL_CONDITION_KEY: Rule = Rule {
    code: "E203",
    name: "unknown-global-condition-key",
    severity: Severity::Error,
    summary: "An aws: condition key (or policy variable) does not exist",
    docs: r#"**What it flags.** A condition key or policy variable in the `aws:` namespace that
is not a global condition key, e.g. `aws:SourceIP4` or `${aws:usename}`. Key names are
compared ignoring case; tag keys (`aws:PrincipalTag/…`) accept any suffix.

**Why it matters.** An unknown key is never present in the request, so a positive
operator is always false (the statement never applies) and a negated one always true.

**Example.**
```json
{"Condition": {"StringEquals": {"aws:PrincipalOrgId2": "o-abc123"}}}
```

**Fix.** Use the suggested key."#,
    access_analyzer: &["INVALID_GLOBAL_CONDITION_KEY"],
    security_severity: None,
    tags: &["catalog", "condition"],
};

/// `E204`
pub const UNKNOWN_SERVICE_CONDITION_KEY: Rule = Rule {
    code: "E204",
    name: "unknown-service-condition-key",
    severity: Severity::Error,
    summary: "A service condition key is not defined by that service",
    docs: r#"**What it flags.** A key such as `s3:prefixx` that the service named by its prefix
does not define, a key whose prefix is no known service, or a key without the
`prefix:name` form. Keys of identity providers (`accounts.google.com:aud`,
`token.actions.githubusercontent.com:sub`, `saml:aud`, …) are accepted.

**Why it matters.** The key is never in the request context, so the condition is
constant: the statement never applies (positive operators) or always does (negated
operators).

**Example.**
```json
{"Condition": {"StringLike": {"s3:prefixx": "home/*"}}}
```

**Fix.** Use the suggested key, or one from the service's table in the Service
Authorization Reference."#,
    access_analyzer: &[
        "INVALID_SERVICE_CONDITION_KEY",
        "INVALID_CONDITION_KEY_FORMAT",
        "INVALID_SERVICE",
    ],
    security_severity: None,
    tags: &["catalog", "condition"],
};

/// `E205`
pub const MALFORMED_POLICY_VARIABLE: Rule = Rule {
    code: "E205",
    name: "malformed-policy-variable",
    severity: Severity::Error,
    summary: "A ${…} policy variable is malformed",
    docs: r#"**What it flags.** `${` without a closing brace, `${}`, spaces or symbols inside the
key, or a default value that is not written `${key, 'default'}` (comma, one space,
single quotes).

**Why it matters.** A malformed variable is not substituted; it stays literal text, so
the resource or condition value never matches what was intended.

**Example.**
```json
{"Resource": "arn:aws:s3:::home/${aws:username/*"}
```

**Fix.** Close the brace, remove the spaces, or quote the default:
`${aws:PrincipalTag/team, 'none'}`."#,
    access_analyzer: &[
        "MISSING_BRACE_IN_VARIABLE",
        "EMPTY_VARIABLE",
        "UNSUPPORTED_SPACE_IN_VARIABLE",
        "MISSING_QUOTE_IN_VARIABLE",
        "UNSUPPORTED_SYMBOL_IN_VARIABLE",
    ],
    security_severity: None,
    tags: &["variables"],
};

/// `E206`
pub const VARIABLE_IN_UNSUPPORTED_ELEMENT: Rule = Rule {
    code: "E206",
    name: "variable-in-unsupported-element",
    severity: Severity::Error,
    summary: "A policy variable is used in an element that does not substitute variables",
    docs: r#"**What it flags.** `${…}` in `Action`, `NotAction`, `Principal`, `NotPrincipal` or a
condition key name.

**Why it matters.** IAM substitutes variables only in `Resource`/`NotResource` and in
condition values; elsewhere the text is taken literally and never matches.

**Example.**
```json
{"Statement": {"Effect": "Allow", "Action": "s3:${aws:PrincipalTag/op}", "Resource": "*"}}
```

**Fix.** Move the variable into `Resource` or a condition value."#,
    access_analyzer: &["VARIABLE_UNSUPPORTED_IN_ELEMENT"],
    security_severity: None,
    tags: &["variables"],
};

/// `E207`
pub const VARIABLE_WITHOUT_VERSION: Rule = Rule {
    code: "E207",
    name: "variable-without-version",
    severity: Severity::Error,
    summary: "A policy variable is used without \"Version\": \"2012-10-17\"",
    docs: r#"**What it flags.** A well-formed `${…}` variable in a policy whose `Version` is
missing or `2008-10-17`.

**Why it matters.** Only version `2012-10-17` substitutes variables. Under the old
version (the default when `Version` is missing) `${aws:username}` is the literal text
`${aws:username}`, so the grant or restriction never applies.

**Example.**
```json
{"Statement": {"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}}
```

**Fix.** Add `"Version": "2012-10-17"` to the top of the document."#,
    access_analyzer: &["VARIABLE_UNSUPPORTED_IN_VERSION"],
    security_severity: None,
    tags: &["variables"],
};

/// `Catalog::suggest_action`, cached for the process (the same unknown actions recur
/// across policies, and the search is an edit-distance scan).
fn suggest_action_cached(ctx: &Ctx<'_>, raw: &str) -> Option<String> {
    type Cache = std::sync::Mutex<std::collections::HashMap<String, Option<String>>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = raw.to_ascii_lowercase();
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return hit;
    }
    let found = ctx.catalog.suggest_action(raw);
    if let Ok(mut c) = cache.lock() {
        if c.len() > 10_000 {
            c.clear();
        }
        c.insert(key, found.clone());
    }
    found
}

/// `E201`, `E202`: every Action/NotAction entry against the catalog.
pub(crate) fn check_actions(ctx: &mut Ctx<'_>) {
    let date = ctx.catalog_date();
    let mut found = Vec::new();
    for st in &ctx.stmts {
        for a in &st.actions {
            if a.placeholder || a.pattern.is_any() {
                continue;
            }
            let raw = &a.pattern.raw;
            let (prefix, name) = raw.split_once(':').unwrap_or((raw.as_str(), ""));
            match (&a.service, &a.expanded) {
                (None, _) => {
                    let help = suggest_action_cached(ctx, raw)
                        .map(|s| format!("did you mean \"{s}\"?"))
                        .or_else(|| {
                            ctx.catalog
                                .suggest_service(prefix)
                                .map(|s| format!("did you mean the service prefix \"{s}\"?"))
                        });
                    found.push((
                        &UNKNOWN_SERVICE,
                        a.pattern.span,
                        format!("unknown service prefix \"{prefix}\" in \"{raw}\" (not in the service reference of {date})"),
                        help,
                    ));
                }
                (Some(_), Some(list)) if list.is_empty() => {
                    let wildcard = name.contains(['*', '?']);
                    let msg = if wildcard {
                        format!("\"{raw}\" matches no action of \"{prefix}\" (service reference of {date})")
                    } else {
                        format!("unknown action \"{raw}\" (not in the service reference of {date})")
                    };
                    let help = if wildcard {
                        None
                    } else {
                        suggest_action_cached(ctx, raw).map(|s| format!("did you mean \"{s}\"?"))
                    };
                    found.push((&UNKNOWN_ACTION, a.pattern.span, msg, help));
                }
                _ => {}
            }
        }
    }
    for (rule, span, msg, help) in found {
        ctx.report(rule, span, msg, help);
    }
}

/// Prefixes of keys defined by identity providers rather than services.
fn provider_key(prefix: &str) -> bool {
    prefix.contains('.')
        || prefix.contains('/')
        || matches!(prefix.to_ascii_lowercase().as_str(), "saml" | "oidc")
}

/// `E203`, `E204`: condition keys; `E205`–`E207`: variables.
pub(crate) fn check_condition_keys(ctx: &mut Ctx<'_>) {
    let mut found: Vec<(&'static Rule, Span, String, Option<String>)> = Vec::new();
    let variables = ctx.policy.variables_enabled();
    for st in &ctx.policy.statements {
        for c in &st.conditions {
            if placeholder(&c.key) {
                continue;
            }
            if let Some(problem) = key_problem(ctx, &c.key) {
                found.push((problem.0, c.key_span, problem.1, problem.2));
            }
            if variables && c.key.contains("${") {
                found.push((
                    &VARIABLE_IN_UNSUPPORTED_ELEMENT,
                    c.key_span,
                    format!("condition key \"{}\" contains a policy variable; keys are never substituted", c.key),
                    None,
                ));
            }
        }
    }
    // Variables in strings.
    for st in &ctx.policy.statements {
        let mut strings: Vec<(Span, &str, bool)> = Vec::new();
        if let Some(r) = &st.resource {
            strings.extend(r.entries.iter().map(|e| (e.span, e.raw.as_str(), true)));
        }
        for c in &st.conditions {
            let textual = matches!(
                c.op.base.family(),
                Family::String | Family::Arn | Family::Bool
            );
            let spans = ctx.value_spans(c.key_span);
            for (i, v) in c.raw_values.iter().enumerate() {
                let span = spans.get(i).copied().unwrap_or(c.key_span);
                strings.push((span, v.as_str(), textual));
            }
        }
        for (span, s, allowed) in strings {
            if !s.contains("${") || placeholder(s) {
                continue;
            }
            if !variables {
                if allowed && Template::parse(s, true).has_variables() {
                    found.push((
                        &VARIABLE_WITHOUT_VERSION,
                        span,
                        format!("\"{s}\" uses a policy variable but the policy has no \"Version\": \"2012-10-17\", so it is literal text"),
                        Some("add \"Version\": \"2012-10-17\" at the top of the policy".into()),
                    ));
                }
                continue;
            }
            for (rule, msg, help) in variable_problems(ctx, s) {
                found.push((rule, span, msg, help));
            }
        }
        if variables {
            for p in &st.action.patterns {
                if p.raw.contains("${") {
                    found.push((
                        &VARIABLE_IN_UNSUPPORTED_ELEMENT,
                        p.span,
                        format!(
                            "action \"{}\" contains a policy variable; Action is never substituted",
                            p.raw
                        ),
                        None,
                    ));
                }
            }
            if let Some(pb) = &st.principal {
                if pb.raw.iter().any(|r| r.contains("${")) {
                    found.push((
                        &VARIABLE_IN_UNSUPPORTED_ELEMENT,
                        pb.span,
                        "Principal contains a policy variable; Principal is never substituted".to_string(),
                        Some("use \"Principal\": {\"AWS\": \"*\"} with a condition on aws:PrincipalArn".into()),
                    ));
                }
            }
        }
    }
    for (rule, span, msg, help) in found {
        ctx.report(rule, span, msg, help);
    }
}

/// Global keys AWS's own policies use that the embedded global-key table lacks.
const EXTRA_GLOBAL_KEYS: &[&str] = &["aws:PrincipalOrgMasterAccountId"];

type Problem = (&'static Rule, String, Option<String>);

fn key_problem(ctx: &Ctx<'_>, key: &str) -> Option<Problem> {
    let cat = ctx.catalog;
    let Some((prefix, rest)) = key.split_once(':') else {
        return Some((
            &UNKNOWN_SERVICE_CONDITION_KEY,
            format!("condition key \"{key}\" is not of the form prefix:name"),
            None,
        ));
    };
    if prefix.eq_ignore_ascii_case("aws") {
        if cat.is_global_key(key)
            || EXTRA_GLOBAL_KEYS
                .iter()
                .any(|k| k.eq_ignore_ascii_case(key))
        {
            return None;
        }
        let names: Vec<String> = cat
            .global_keys()
            .iter()
            .map(|g| {
                g.name()
                    .replace("${TagKey}", rest.split_once('/').map_or("", |x| x.1))
            })
            .collect();
        let help = suggestion(key, names.iter().map(String::as_str));
        return Some((
            &UNKNOWN_GLOBAL_CONDITION_KEY,
            format!(
                "\"{key}\" is not a global condition key (service reference of {})",
                ctx.catalog_date()
            ),
            help,
        ));
    }
    if cat.key_type(prefix, key).is_some() || provider_key(prefix) {
        return None;
    }
    match cat.service(prefix) {
        Some(svc) => {
            let names: Vec<&str> = svc.condition_keys().map(|k| k.name()).collect();
            let help = suggestion(key, names.iter().copied());
            Some((
                &UNKNOWN_SERVICE_CONDITION_KEY,
                format!(
                    "\"{key}\" is not a condition key of {} (service reference of {})",
                    svc.prefix(),
                    ctx.catalog_date()
                ),
                help,
            ))
        }
        None => Some((
            &UNKNOWN_SERVICE_CONDITION_KEY,
            format!("condition key \"{key}\" has an unknown service prefix \"{prefix}\""),
            cat.suggest_service(prefix)
                .map(|s| format!("did you mean \"{s}:{rest}\"?")),
        )),
    }
}

/// Problems with the `${…}` occurrences of `s` (Version 2012-10-17).
fn variable_problems(ctx: &Ctx<'_>, s: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut rest = s;
    while let Some((_, after)) = rest.split_once("${") {
        let Some((inner, tail)) = after.split_once('}') else {
            out.push((
                &MALFORMED_POLICY_VARIABLE,
                format!("\"{s}\": \"${{\" has no closing brace, so the variable is literal text"),
                None,
            ));
            break;
        };
        rest = tail;
        if matches!(inner, "*" | "?" | "$") {
            continue;
        }
        if inner.trim().is_empty() {
            out.push((
                &MALFORMED_POLICY_VARIABLE,
                format!("\"{s}\": empty variable \"${{{inner}}}\""),
                None,
            ));
            continue;
        }
        let (key, default) = match inner.split_once(',') {
            Some((k, d)) => (k, Some(d)),
            None => (inner, None),
        };
        if let Some(d) = default {
            let ok = d
                .strip_prefix(" '")
                .and_then(|x| x.strip_suffix('\''))
                .is_some_and(|x| !x.contains('\''));
            if !ok {
                out.push((
                    &MALFORMED_POLICY_VARIABLE,
                    format!("\"{s}\": the default of \"${{{inner}}}\" must be written \", 'value'\" (comma, one space, single quotes)"),
                    Some(format!("write \"${{{}, '{}'}}\"", key.trim(), d.trim().trim_matches(['\'', '"']))),
                ));
                continue;
            }
        }
        if key.chars().any(char::is_whitespace) {
            out.push((
                &MALFORMED_POLICY_VARIABLE,
                format!("\"{s}\": the variable \"${{{inner}}}\" contains a space"),
                Some(format!(
                    "write \"${{{}}}\"",
                    key.split_whitespace().collect::<String>()
                )),
            ));
            continue;
        }
        // Tag keys allow letters, digits, spaces and _ . : / = + - @ (spaces are
        // reported below, with their own fix).
        if key
            .chars()
            .any(|c| !(c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c)))
        {
            out.push((
                &MALFORMED_POLICY_VARIABLE,
                format!("\"{s}\": the variable \"${{{inner}}}\" contains an unsupported symbol"),
                None,
            ));
            continue;
        }
        if !key.contains(':') {
            out.push((
                &MALFORMED_POLICY_VARIABLE,
                format!("\"{s}\": \"${{{inner}}}\" does not name a condition key (expected prefix:name, e.g. ${{aws:username}})"),
                None,
            ));
            continue;
        }
        if key.to_ascii_lowercase().starts_with("aws:") && !ctx.catalog.is_global_key(key) {
            let names: Vec<&str> = ctx.catalog.global_keys().iter().map(|g| g.name()).collect();
            out.push((
                &UNKNOWN_GLOBAL_CONDITION_KEY,
                format!("policy variable \"${{{inner}}}\" names \"{key}\", which is not a global condition key"),
                suggestion(key, names.iter().copied()),
            ));
        }
    }
    out
}
