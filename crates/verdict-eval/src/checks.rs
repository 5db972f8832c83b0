//! Warnings from the AWS service catalog (issue 3): they never change the decision,
//! but they are the first things to look at when an answer surprises.

use crate::request::Request;
use crate::scenario::Scenario;
use crate::trace::Warning;
use verdict_catalog::{catalog, ValueType};
use verdict_policy::condition::{Condition, Family};
use verdict_policy::Policy;

fn family_fits(f: Family, v: ValueType) -> bool {
    match f {
        Family::Null => true,
        Family::String => matches!(v, ValueType::String | ValueType::Arn),
        Family::Arn => matches!(v, ValueType::Arn | ValueType::String),
        Family::Numeric => matches!(v, ValueType::Numeric | ValueType::Date),
        Family::Date => matches!(v, ValueType::Date | ValueType::Numeric),
        Family::Bool => v == ValueType::Bool,
        Family::Ip => v == ValueType::IpAddress,
        Family::Binary => v == ValueType::Binary,
    }
}

fn all_policies(s: &Scenario) -> Vec<&Policy> {
    let mut v: Vec<&Policy> = s.policies.all().map(|n| &*n.policy).collect();
    if let Some(a) = s
        .apigateway
        .as_ref()
        .and_then(|a| a.authorizer_policy.as_ref())
    {
        v.push(&a.policy);
    }
    v
}

/// Keys of web-identity and SAML providers (`accounts.google.com:aud`,
/// `token.actions.githubusercontent.com:sub`, `saml:aud`) are defined by the provider.
fn provider_key(key: &str) -> bool {
    let prefix = key.split(':').next().unwrap_or_default();
    prefix.contains('.') || prefix.eq_ignore_ascii_case("saml")
}

fn at(p: &Policy, c: &Condition) -> String {
    let pos = p.source.position(c.key_span.start);
    format!("{}:{}:{}", p.source.name(), pos.line, pos.column)
}

/// Catalog warnings for a scenario: unknown action, resource type mismatch, context
/// keys the action never receives, operator/key type mismatches, impossible conditions.
pub fn catalog_warnings(s: &Scenario) -> Vec<Warning> {
    let cat = catalog();
    if cat.service_count() == 0 {
        return Vec::new();
    }
    let req: &Request = &s.request;
    let action = req.action.as_str();
    let mut out = Vec::new();
    let data = format!(
        "{} {} of {}",
        cat.data_source(),
        cat.data_version(),
        cat.data_date()
    );
    let Some(a) = cat.action(action) else {
        let hint = cat
            .suggest_action(action)
            .map(|h| format!("; did you mean {h}?"))
            .unwrap_or_default();
        out.push(Warning::new(
            "unknown-action",
            format!("action {action} is not in the AWS service catalog ({data}){hint}"),
        ));
        return out;
    };
    let canonical = a.qualified_name();
    // The action's own keys, computed at most once (each lookup would rebuild and sort them).
    let action_keys = std::cell::OnceCell::new();
    let keys = || action_keys.get_or_init(|| a.condition_keys());
    let supports = |key: &str| cat.is_global_key(key) || keys().iter().any(|ck| ck.matches(key));
    let resource = req.resource.as_str();
    if resource != "*" && !a.fits_arn(resource) {
        let kinds: Vec<String> = a.resource_types().map(|r| r.name().to_string()).collect();
        if kinds.is_empty() {
            out.push(Warning::new("resource-type-mismatch", format!("{canonical} supports no resource-level permissions; AWS authorizes it against \"*\", not {resource}")));
        } else {
            out.push(Warning::new(
                "resource-type-mismatch",
                format!(
                    "{resource} is not a resource type that {canonical} acts on (it takes: {})",
                    kinds.join(", ")
                ),
            ));
        }
    }
    for e in req.context.entries().filter(|e| !e.derived) {
        if cat.is_global_key(&e.key) || provider_key(&e.key) {
            continue;
        }
        if !supports(&e.key) {
            out.push(Warning::new("key-not-sent", format!("context key {} is never sent with {canonical}; policies testing it see the value you gave, AWS would not", e.key)));
        }
    }
    for p in all_policies(s) {
        for st in &p.statements {
            if !st
                .action
                .covers_hashed(req.service_hash, &req.service_lc, &req.name_lc)
            {
                continue;
            }
            for c in &st.conditions {
                let fam = c.op.base.family();
                let kt = match cat.global_key(&c.key) {
                    Some(g) => Some(g.key_type()),
                    // The action's keys were just searched: look in the services'
                    // tables only (`key_type` with a service scope skips the action).
                    None => keys()
                        .iter()
                        .find(|ck| ck.matches(&c.key))
                        .map(|ck| ck.key_type())
                        .or_else(|| cat.key_type(&req.service_lc, &c.key)),
                };
                if let Some(kt) = kt {
                    if !family_fits(fam, kt.value_type()) {
                        out.push(Warning::new("operator-type-mismatch", format!(
                            "{}: {} tests {}, which the service reference types as {}; check that this comparison means what you intend (a value that does not parse as the operator's type never matches)",
                            at(p, c),
                            c.op_name,
                            c.key,
                            kt.value_type()
                        )));
                    }
                }
                if !provider_key(&c.key) && !supports(&c.key) && fam != Family::Null {
                    out.push(Warning::new("key-never-present", format!(
                        "{}: {} is never present in a {canonical} request, so {} {} always sees it absent",
                        at(p, c),
                        c.key,
                        c.op_name,
                        c.key
                    )));
                }
            }
        }
    }
    out.dedup();
    out
}

/// One value the scenario gives for a context key, with its position in the scenario.
#[derive(Clone, Debug)]
pub struct GivenValue {
    /// The key as written.
    pub key: String,
    /// The value as text (numbers and booleans as written).
    pub value: String,
    /// Where the value is in the scenario's source (`None`: given outside a document,
    /// as by a command-line flag).
    pub span: Option<verdict_policy::Span>,
}

/// What a value of this type looks like, for messages.
fn type_hint(f: Family) -> Option<&'static str> {
    Some(match f {
        Family::Date => "a date (ISO 8601 such as 2026-12-07T12:00:00Z, or epoch seconds)",
        Family::Numeric => "a number (such as 3600 or 1.5)",
        Family::Bool => "true or false",
        Family::Ip => "an IP address or CIDR (such as 203.0.113.5 or 10.0.0.0/8)",
        _ => return None,
    })
}

fn parses_as(f: Family, v: &str) -> bool {
    match f {
        Family::Date => verdict_policy::condition::parse_date(v).is_some(),
        Family::Numeric => verdict_policy::condition::parse_number(v).is_some(),
        Family::Bool => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
        Family::Ip => verdict_policy::parse::parse_ip(v).is_some(),
        _ => true,
    }
}

fn family_of(v: ValueType) -> Family {
    match v {
        ValueType::Numeric => Family::Numeric,
        ValueType::Date => Family::Date,
        ValueType::Bool => Family::Bool,
        ValueType::IpAddress => Family::Ip,
        ValueType::Arn => Family::Arn,
        ValueType::Binary => Family::Binary,
        ValueType::String => Family::String,
    }
}

/// Context values that do not parse as the type their key is compared as (issue 10).
/// Each warning gives the value's position in the scenario and what was expected: the
/// operators testing the key in the scenario's policies first, else the key's type in
/// the service reference. A value that does not parse makes those conditions false,
/// negated or not (U12), which is rarely what the author of the scenario meant.
pub fn context_value_warnings(s: &Scenario, given: &[GivenValue]) -> Vec<Warning> {
    let mut out = Vec::new();
    if given.is_empty() {
        return out;
    }
    let policies = all_policies(s);
    let cat = catalog();
    let action = s.request.action.as_str();
    for g in given {
        let key_lc = g.key.to_ascii_lowercase();
        // Where the value is, worked out only for a value that gets a warning.
        let here = || match g.span {
            Some(span) => {
                let pos = s.source.position(span.start);
                format!(
                    "request.context \"{}\" = \"{}\" ({}:{}:{})",
                    g.key,
                    g.value,
                    s.source.name(),
                    pos.line,
                    pos.column
                )
            }
            None => format!(
                "request.context \"{}\" = \"{}\" ({})",
                g.key,
                g.value,
                s.source.name()
            ),
        };
        let mut warned = false;
        for p in &policies {
            for st in &p.statements {
                for c in st.conditions.iter().filter(|c| c.key_lc == key_lc) {
                    let fam = c.op.base.family();
                    let Some(hint) = type_hint(fam) else { continue };
                    if !parses_as(fam, &g.value) {
                        out.push(Warning::new(
                            "context-value-type",
                            format!(
                                "{} is not {hint}, which {} at {} expects; that condition is false, negated or not (U12)",
                                here(),
                                c.op_name,
                                at(p, c)
                            ),
                        ));
                        warned = true;
                    }
                }
            }
        }
        if warned {
            continue;
        }
        let declared = cat.key_type(action, &g.key);
        if let Some(kt) = declared {
            let fam = family_of(kt.value_type());
            if let Some(hint) = type_hint(fam) {
                if !parses_as(fam, &g.value) {
                    out.push(Warning::new(
                        "context-value-type",
                        format!(
                            "{} is not {hint}, the type the service reference gives {} ({}); AWS never sends such a value, and {} operators would not match it",
                            here(),
                            g.key,
                            kt.value_type(),
                            kt.value_type()
                        ),
                    ));
                }
            }
        }
    }
    out.dedup();
    out
}
