//! Linting one policy: parse (with recovery), run the checks, map positions back to
//! the file the user gave.

use crate::detect::{detect, Detection};
use crate::finding::{Finding, Location, PolicyInfo, StatementRef};
use crate::input::spanmap::SpanMap;
use crate::input::{intrinsics, Body, PolicyUnit};
use crate::rules::{self, grammar, policy_type, semantics, Ctx, Raw};
use std::sync::Arc;
use verdict_policy::condition::{parse_operator, Family};
use verdict_policy::json::{Json, JsonKind, Member};
use verdict_policy::{
    parse_policy_json, Diagnostic, ErrorCode, ParseOptions, Policy, PolicyType, ScpSyntax,
    SourceFile, Span,
};

/// Options that change how policies are read.
#[derive(Clone, Copy, Debug, Default)]
pub struct LintOptions {
    /// Check every policy as this type instead of detecting it.
    pub policy_type: Option<PolicyType>,
    /// Which SCP grammar to apply.
    pub scp_syntax: ScpSyntax,
    /// Check resource-based policies as attached to this kind of resource (when the
    /// container does not say).
    pub resource_kind: Option<crate::ResourceKind>,
}

/// The findings for one policy.
#[derive(Clone, Debug)]
pub struct UnitReport {
    /// The policy.
    pub policy: Arc<PolicyInfo>,
    /// Its findings, in no particular order.
    pub findings: Vec<Finding>,
}

/// Lint one policy.
pub fn lint_unit(unit: &PolicyUnit, opts: &LintOptions) -> UnitReport {
    match &unit.body {
        Body::Issue {
            rule,
            span,
            message,
            help,
        } => {
            let policy = Arc::new(PolicyInfo {
                label: unit.label.clone(),
                policy_type: None,
                detection: "not read".into(),
            });
            let finding = Finding {
                rule,
                message: message.clone(),
                help: help.clone(),
                location: Location::new(&unit.file, *span, true, None),
                policy: policy.clone(),
                statement: None,
                path: None,
            };
            UnitReport {
                policy,
                findings: vec![finding],
            }
        }
        Body::Unknown { span, what } => {
            let policy = Arc::new(PolicyInfo {
                label: unit.label.clone(),
                policy_type: None,
                detection: "not known until apply".into(),
            });
            let finding = Finding {
                rule: &semantics::UNKNOWN_AT_PLAN_TIME,
                message: format!("the {what} is only known after apply, so it was not checked"),
                help: Some(
                    "build the policy from values known at plan time, or lint again after apply"
                        .into(),
                ),
                location: Location::new(&unit.file, *span, true, None),
                policy: policy.clone(),
                statement: None,
                path: None,
            };
            UnitReport {
                policy,
                findings: vec![finding],
            }
        }
        Body::Invalid {
            diagnostic,
            source,
            map,
        } => {
            let policy = Arc::new(PolicyInfo {
                label: unit.label.clone(),
                policy_type: None,
                detection: "unreadable".into(),
            });
            let raw = Raw {
                rule: grammar::rule_for(diagnostic),
                span: diagnostic.span.unwrap_or_default(),
                message: diagnostic.message.clone(),
                help: diagnostic.help.clone(),
            };
            let findings = vec![to_finding(unit, source, map, None, &policy, raw)];
            UnitReport { policy, findings }
        }
        Body::Tree { tree, source, map } => lint_tree(unit, tree, source, map, opts),
    }
}

fn lint_tree(
    unit: &PolicyUnit,
    tree: &Json,
    source: &Arc<SourceFile>,
    map: &SpanMap,
    opts: &LintOptions,
) -> UnitReport {
    let mut tree = tree.clone();
    let mut placeholders = unit.placeholders.clone();
    fixup_placeholders(&mut tree, &mut placeholders);
    let kind = unit.resource_kind.or(opts.resource_kind);
    if kind.is_some_and(|k| k.resource_implied()) {
        imply_resource(&mut tree);
    }
    let Detection {
        policy_type,
        reason,
    } = detect(
        &tree,
        unit.file.name(),
        unit.hint.as_ref(),
        opts.policy_type,
    );
    let policy = Arc::new(PolicyInfo {
        label: unit.label.clone(),
        policy_type: Some(policy_type),
        detection: reason,
    });
    let popts = ParseOptions {
        policy_type,
        scp_syntax: opts.scp_syntax,
        placeholders: true,
    };
    let mut raws: Vec<Raw> = Vec::new();
    let parsed: Option<(Policy, Json)> = match parse_policy_json(&tree, source, popts) {
        Ok(p) => Some((p, tree.clone())),
        Err(diags) => {
            for d in &diags {
                raws.push(Raw {
                    rule: grammar::rule_for(d),
                    span: d.span.unwrap_or(tree.span),
                    message: d.message.clone(),
                    help: d.help.clone(),
                });
            }
            recover(&tree, source, popts, diags)
        }
    };
    if let Some((mut pol, ptree)) = parsed {
        restore_indexes(&mut pol, &tree);
        let mut ctx = Ctx::new(&pol, &ptree);
        ctx.resource_kind = unit.resource_kind.or(opts.resource_kind);
        rules::run_all(&mut ctx);
        raws.append(&mut ctx.out);
    }
    let own_text = !matches!(map, SpanMap::Identity) || unit.label.is_empty();
    let text = own_text.then(|| source.slice(tree.span));
    if matches!(tree.kind, JsonKind::Object(_)) {
        let kind = unit.resource_kind.or(opts.resource_kind);
        if let Some((rule, msg, help)) =
            policy_type::size_finding(&tree, text, unit.container, policy_type, kind)
        {
            raws.push(Raw {
                rule,
                span: Span::new(tree.span.start, tree.span.start + 1),
                message: msg,
                help,
            });
        }
    }
    // Drop findings on unresolved placeholders and exact duplicates.
    raws.retain(|r| {
        !placeholders
            .iter()
            .any(|p| p.start <= r.span.start && r.span.end <= p.end)
    });
    let mut seen = std::collections::HashSet::new();
    raws.retain(|r| seen.insert((r.rule.code, r.span, r.message.clone())));
    let findings = raws
        .into_iter()
        .map(|r| to_finding(unit, source, map, Some(&tree), &policy, r))
        .collect();
    UnitReport { policy, findings }
}

fn to_finding(
    unit: &PolicyUnit,
    source: &Arc<SourceFile>,
    map: &SpanMap,
    tree: Option<&Json>,
    policy: &Arc<PolicyInfo>,
    raw: Raw,
) -> Finding {
    let (outer, exact) = map.map(raw.span);
    let embedded = (!exact).then(|| source.position(raw.span.start));
    let (statement, path) = match tree {
        Some(t) => locate(t, raw.span),
        None => (None, None),
    };
    Finding {
        rule: raw.rule,
        message: raw.message,
        help: raw.help,
        location: Location::new(&unit.file, outer, exact, embedded),
        policy: policy.clone(),
        statement,
        path,
    }
}

fn statement_nodes(tree: &Json) -> Vec<&Json> {
    match tree.get("Statement").map(|s| &s.kind) {
        Some(JsonKind::Array(a)) => a.iter().collect(),
        Some(JsonKind::Object(_)) => tree.get("Statement").into_iter().collect(),
        _ => Vec::new(),
    }
}

/// The statement and JSON path of `span` in `tree`.
fn locate(tree: &Json, span: Span) -> (Option<StatementRef>, Option<String>) {
    let stmt = statement_nodes(tree)
        .into_iter()
        .enumerate()
        .find(|(_, s)| s.span.start <= span.start && span.end <= s.span.end && s.span != tree.span)
        .map(|(index, s)| StatementRef {
            index,
            sid: s.get("Sid").and_then(Json::as_str).map(str::to_string),
        });
    let mut path = String::new();
    let mut node = tree;
    'outer: loop {
        match &node.kind {
            JsonKind::Object(members) => {
                for m in members {
                    if m.key_span.start <= span.start
                        && span.end <= m.key_span.end
                        && m.key_span != Span::default()
                    {
                        push_key(&mut path, &m.key);
                        break 'outer;
                    }
                    if m.value.span.start <= span.start && span.end <= m.value.span.end {
                        push_key(&mut path, &m.key);
                        if m.value.span == span {
                            break 'outer;
                        }
                        node = &m.value;
                        continue 'outer;
                    }
                }
                break;
            }
            JsonKind::Array(items) => {
                for (i, it) in items.iter().enumerate() {
                    if it.span.start <= span.start && span.end <= it.span.end {
                        path.push_str(&format!("[{i}]"));
                        if it.span == span {
                            break 'outer;
                        }
                        node = it;
                        continue 'outer;
                    }
                }
                break;
            }
            _ => break,
        }
    }
    (stmt, (!path.is_empty()).then_some(path))
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// Give statements of a recovered policy their index in the original document.
fn restore_indexes(pol: &mut Policy, original: &Json) {
    let nodes = statement_nodes(original);
    for st in &mut pol.statements {
        if let Some(i) = nodes.iter().position(|n| n.span == st.span) {
            st.index = i;
        }
    }
}

/// Remove what the parser rejected (bad members, or whole statements) and parse again,
/// so the checks still see the valid statements of an invalid policy.
fn recover(
    tree: &Json,
    source: &Arc<SourceFile>,
    opts: ParseOptions,
    mut diags: Vec<Diagnostic>,
) -> Option<(Policy, Json)> {
    let mut t = tree.clone();
    for _ in 0..4 {
        if !repair(&mut t, &diags) {
            return None;
        }
        match parse_policy_json(&t, source, opts) {
            Ok(p) => return Some((p, t)),
            Err(d) => diags = d,
        }
    }
    None
}

fn remove_member(node: &mut Json, pred: &dyn Fn(&Member) -> bool) -> bool {
    match &mut node.kind {
        JsonKind::Object(members) => {
            if let Some(i) = members.iter().position(pred) {
                members.remove(i);
                return true;
            }
            members
                .iter_mut()
                .any(|m| remove_member(&mut m.value, pred))
        }
        JsonKind::Array(items) => items.iter_mut().any(|i| remove_member(i, pred)),
        _ => false,
    }
}

/// Remove the element at `span` from the array holding it, unless it is the only one.
fn remove_list_item(node: &mut Json, span: Span) -> bool {
    match &mut node.kind {
        JsonKind::Array(items) => {
            if let Some(i) = items.iter().position(|it| it.span == span) {
                if items.len() > 1 {
                    items.remove(i);
                    return true;
                }
                return false;
            }
            items.iter_mut().any(|it| remove_list_item(it, span))
        }
        JsonKind::Object(members) => members
            .iter_mut()
            .any(|m| remove_list_item(&mut m.value, span)),
        _ => false,
    }
}

fn repair(t: &mut Json, diags: &[Diagnostic]) -> bool {
    let mut changed = false;
    let mut drop_statements: Vec<Span> = Vec::new();
    let stmt_spans: Vec<Span> = statement_nodes(t).iter().map(|s| s.span).collect();
    let tree_span = t.span;
    for d in diags {
        let Some(span) = d.span else { continue };
        let done = match d.code {
            ErrorCode::UnknownElement
            | ErrorCode::ConflictingElements
            | ErrorCode::PrincipalNotAllowed
            | ErrorCode::ScpElementNotPermitted
            | ErrorCode::RcpElementNotPermitted
            | ErrorCode::NotPrincipalNotAllowed => {
                remove_member(t, &|m: &Member| m.key_span == span)
            }
            // A bad entry of a Resource list: drop the entry, keep the statement's others.
            ErrorCode::InvalidResource => remove_list_item(t, span),
            ErrorCode::InvalidSid => {
                remove_member(t, &|m: &Member| m.key == "Sid" && m.value.span == span)
            }
            ErrorCode::DuplicateSid => {
                let target = statement_nodes(t).iter().position(|s| s.span == span);
                match (target, &mut t.kind) {
                    (Some(i), JsonKind::Object(top)) => top
                        .iter_mut()
                        .find(|m| m.key == "Statement")
                        .map(|m| match &mut m.value.kind {
                            JsonKind::Array(items) => items
                                .get_mut(i)
                                .is_some_and(|s| remove_member(s, &|m: &Member| m.key == "Sid")),
                            _ => remove_member(&mut m.value, &|m: &Member| m.key == "Sid"),
                        })
                        .unwrap_or(false),
                    _ => false,
                }
            }
            ErrorCode::InvalidVersion => {
                if let JsonKind::Object(top) = &mut t.kind {
                    match top.iter_mut().find(|m| m.key == "Version") {
                        Some(m) => {
                            m.value.kind = JsonKind::String("2012-10-17".into());
                            true
                        }
                        None if span == tree_span => {
                            top.insert(
                                0,
                                Member {
                                    key: "Version".into(),
                                    key_span: Span::new(tree_span.start, tree_span.start),
                                    value: Json {
                                        kind: JsonKind::String("2012-10-17".into()),
                                        span: Span::new(tree_span.start, tree_span.start),
                                    },
                                },
                            );
                            true
                        }
                        None => false,
                    }
                } else {
                    false
                }
            }
            _ => false,
        };
        if done {
            changed = true;
            continue;
        }
        if let Some(s) = stmt_spans
            .iter()
            .find(|s| s.start <= span.start && span.end <= s.end && **s != tree_span)
        {
            if !drop_statements.contains(s) {
                drop_statements.push(*s);
            }
        }
    }
    if !drop_statements.is_empty() {
        if let JsonKind::Object(top) = &mut t.kind {
            if let Some(m) = top.iter_mut().find(|m| m.key == "Statement") {
                match &mut m.value.kind {
                    JsonKind::Array(items) => {
                        items.retain(|s| !drop_statements.contains(&s.span));
                        changed = true;
                    }
                    JsonKind::Object(_) => return changed,
                    _ => {}
                }
            }
        }
    }
    changed
}

const DUMMY_ACCOUNT_ARN: &str = "arn:aws:iam::000000000000:root";

/// Make placeholders acceptable to the parser where it validates values strictly, and
/// remember their spans so no finding is reported on them.
/// Give statements without `Resource`/`NotResource` the `"Resource": "*"` that their
/// resource implies (an ECR repository policy names no resource: it is the repository).
fn imply_resource(tree: &mut Json) {
    let statements: Vec<&mut Json> = match tree.kind {
        JsonKind::Object(ref mut members) => {
            match members.iter_mut().find(|m| m.key == "Statement") {
                Some(m) => match &mut m.value.kind {
                    JsonKind::Array(items) => items.iter_mut().collect(),
                    JsonKind::Object(_) => vec![&mut m.value],
                    _ => Vec::new(),
                },
                None => Vec::new(),
            }
        }
        _ => Vec::new(),
    };
    for st in statements {
        let span = st.span;
        if let JsonKind::Object(members) = &mut st.kind {
            if !members
                .iter()
                .any(|m| m.key == "Resource" || m.key == "NotResource")
            {
                members.push(Member {
                    key: "Resource".into(),
                    key_span: Span::new(span.start, span.start),
                    value: Json {
                        kind: JsonKind::String("*".into()),
                        span: Span::new(span.start, span.start),
                    },
                });
            }
        }
    }
}

fn fixup_placeholders(tree: &mut Json, placeholders: &mut Vec<Span>) {
    let JsonKind::Object(top) = &mut tree.kind else {
        return;
    };
    let Some(stmts) = top.iter_mut().find(|m| m.key == "Statement") else {
        return;
    };
    let items: Vec<&mut Json> = match &mut stmts.value.kind {
        JsonKind::Array(a) => a.iter_mut().collect(),
        JsonKind::Object(_) => vec![&mut stmts.value],
        _ => return,
    };
    for st in items {
        let JsonKind::Object(members) = &mut st.kind else {
            continue;
        };
        for m in members.iter_mut() {
            match m.key.as_str() {
                "Sid" => replace_placeholder(&mut m.value, "Placeholder", placeholders),
                "Principal" | "NotPrincipal" => {
                    if let Some(s) = m.value.as_str() {
                        if intrinsics::has_placeholder(s) {
                            placeholders.push(m.value.span);
                            let span = m.value.span;
                            m.value.kind = JsonKind::Object(vec![Member {
                                key: "AWS".into(),
                                key_span: span,
                                value: Json {
                                    kind: JsonKind::String(DUMMY_ACCOUNT_ARN.into()),
                                    span,
                                },
                            }]);
                        }
                    } else if let JsonKind::Object(pm) = &mut m.value.kind {
                        for p in pm.iter_mut().filter(|p| p.key == "AWS") {
                            for_each_string(&mut p.value, &mut |s: &mut Json| {
                                if let Some(text) =
                                    s.as_str().filter(|t| intrinsics::has_placeholder(t))
                                {
                                    let fixed = principal_dummy(text);
                                    placeholders.push(s.span);
                                    s.kind = JsonKind::String(fixed);
                                }
                            });
                        }
                    }
                }
                "Action" | "NotAction" => for_each_string(&mut m.value, &mut |s: &mut Json| {
                    if let Some(text) = s.as_str().filter(|t| intrinsics::has_placeholder(t)) {
                        let ok = text.split_once(':').is_some_and(|(svc, name)| {
                            !svc.is_empty()
                                && !name.is_empty()
                                && svc.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                                && !name.contains(':')
                        });
                        if !ok {
                            placeholders.push(s.span);
                            s.kind = JsonKind::String("placeholder:Placeholder".into());
                        }
                    }
                }),
                "Condition" => {
                    let JsonKind::Object(ops) = &mut m.value.kind else {
                        continue;
                    };
                    for op in ops.iter_mut() {
                        let Ok(parsed) = parse_operator(&op.key) else {
                            continue;
                        };
                        let dummy = match parsed.base.family() {
                            Family::Numeric => "0",
                            Family::Date => "2000-01-01T00:00:00Z",
                            Family::Bool | Family::Null => "true",
                            Family::Ip => "192.0.2.0/24",
                            Family::Binary => "AA==",
                            Family::String | Family::Arn => continue,
                        };
                        let JsonKind::Object(keys) = &mut op.value.kind else {
                            continue;
                        };
                        for k in keys.iter_mut() {
                            for_each_string(&mut k.value, &mut |s: &mut Json| {
                                replace_placeholder(s, dummy, placeholders)
                            });
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

fn principal_dummy(text: &str) -> String {
    if let Some(rest) = text.strip_prefix("arn:") {
        let mut parts: Vec<String> = rest.splitn(5, ':').map(str::to_string).collect();
        if parts.len() == 5 {
            let defaults = ["aws", "iam", "", "000000000000"];
            for (p, d) in parts.iter_mut().zip(defaults) {
                if intrinsics::has_placeholder(p) {
                    *p = d.to_string();
                }
            }
            return format!("arn:{}", parts.join(":"));
        }
    }
    if text.ends_with(".amazonaws.com") {
        return text.to_string();
    }
    DUMMY_ACCOUNT_ARN.into()
}

fn replace_placeholder(s: &mut Json, dummy: &str, placeholders: &mut Vec<Span>) {
    if let Some(text) = s.as_str() {
        if intrinsics::has_placeholder(text) {
            placeholders.push(s.span);
            s.kind = JsonKind::String(dummy.into());
        }
    }
}

fn for_each_string(v: &mut Json, f: &mut dyn FnMut(&mut Json)) {
    match &mut v.kind {
        JsonKind::String(_) => f(v),
        JsonKind::Array(items) => items.iter_mut().for_each(|i| for_each_string(i, f)),
        _ => {}
    }
}
