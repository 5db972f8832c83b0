//! `actions`, `action` and `keys`: look things up in the embedded AWS service
//! authorization reference.

use serde::Deserialize;
use serde_json::{json, Value};
use verdict_catalog::{catalog, AccessLevel, Action, Catalog, ConditionKey, GlobalKey};
use verdict_policy::{Diagnostic, ErrorCode};

/// Arguments of an `actions` call.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionsCall {
    /// Action patterns as in a policy's `Action` element (`s3:Get*`, `*`).
    pub patterns: Vec<String>,
    /// Only actions of this access level (list, read, write, permissions-management,
    /// tagging).
    #[serde(default)]
    pub level: Option<String>,
}

/// Arguments of an `action` call.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionCall {
    /// `SERVICE:ACTION`, e.g. `s3:GetObject` (case is ignored).
    pub name: String,
}

/// Arguments of a `keys` call.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeysCall {
    /// A service prefix, an action, or `aws` for the global keys.
    pub target: String,
}

/// Parse an access level name.
pub fn parse_level(text: &str) -> Result<AccessLevel, String> {
    AccessLevel::parse(text).ok_or_else(|| {
        format!(
            "unknown access level \"{text}\" (list, read, write, permissions-management, tagging)"
        )
    })
}

/// The actions that patterns match, and the patterns that match none (each with a hint).
pub struct Expansion<'c> {
    /// Matched actions, sorted by service and name, without repeats.
    pub found: Vec<Action<'c>>,
    /// Patterns that match nothing, with a "did you mean" where one exists.
    pub unmatched: Vec<(String, Option<String>)>,
}

/// Expand `patterns`, keeping actions of `level` when given.
pub fn expand<'c>(
    c: &'c Catalog,
    patterns: &[String],
    level: Option<AccessLevel>,
) -> Expansion<'c> {
    let mut found: Vec<Action<'c>> = Vec::new();
    let mut unmatched = Vec::new();
    for pattern in patterns {
        let matches = c.expand(pattern);
        if matches.is_empty() {
            let hint = if pattern.contains(['*', '?']) {
                let prefix = pattern.split(':').next().unwrap_or_default();
                match c.service(prefix) {
                    Some(_) => None,
                    None => c
                        .suggest_service(prefix)
                        .map(|s| format!("did you mean service `{s}`?")),
                }
            } else if !pattern.contains(':') {
                Some("write actions as `SERVICE:ACTION`, e.g. `s3:GetObject`".to_owned())
            } else {
                did_you_mean(c.suggest_action(pattern))
            };
            unmatched.push((pattern.clone(), hint));
        }
        found.extend(matches);
    }
    if let Some(level) = level {
        found.retain(|action| action.access_level() == level);
    }
    found.sort_by_cached_key(|a| {
        (
            a.service().prefix().to_ascii_lowercase(),
            a.name().to_ascii_lowercase(),
        )
    });
    found.dedup();
    Expansion { found, unmatched }
}

fn did_you_mean(suggestion: Option<String>) -> Option<String> {
    suggestion.map(|s| format!("did you mean `{s}`?"))
}

fn catalog_json(c: &Catalog) -> Value {
    json!({
        "source": c.data_source(),
        "version": c.data_version(),
        "date": c.data_date(),
    })
}

fn key_json(key: ConditionKey<'_>) -> Value {
    json!({
        "name": key.name(),
        "type": key.key_type().to_string(),
        "multivalued": key.is_multivalued(),
    })
}

fn global_json(key: &GlobalKey) -> Value {
    json!({
        "name": key.name(),
        "type": key.key_type().to_string(),
        "multivalued": key.is_multivalued(),
        "category": key.category().as_str(),
        "present": key.presence(),
    })
}

/// The `actions` result.
pub fn actions_json(c: &Catalog, x: &Expansion<'_>) -> Value {
    stamped(json!({
        "catalog": catalog_json(c),
        "actions": x.found.iter().map(|a| json!({
            "action": a.to_string(),
            "service": a.service().name(),
            "access_level": a.access_level().as_str(),
            "access_level_label": a.access_level_label(),
            "resource_types": a.resource_types().map(|rt| rt.name()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "unmatched": x.unmatched.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>(),
    }))
}

/// Find one action by name, with a hint for a pattern, a service name or a near miss.
pub fn lookup_action<'c>(c: &'c Catalog, name: &str) -> Result<Action<'c>, Diagnostic> {
    if name.contains(['*', '?']) {
        return Err(
            Diagnostic::new(ErrorCode::InvalidAction, format!("`{name}` is a pattern")).with_help(
                format!("list the actions it matches with `verdict actions '{name}'`"),
            ),
        );
    }
    if !name.contains(':') {
        let help = match c.service(name) {
            Some(_) => format!(
                "`{name}` is a service; try `verdict keys {name}` or `verdict actions '{name}:*'`"
            ),
            None => "write actions as `SERVICE:ACTION`, e.g. `s3:GetObject`".to_owned(),
        };
        return Err(Diagnostic::new(
            ErrorCode::InvalidAction,
            format!("`{name}` is not an action name"),
        )
        .with_help(help));
    }
    c.action(name).ok_or_else(|| {
        Diagnostic::new(
            ErrorCode::InvalidAction,
            format!(
                "unknown action `{name}` (catalog {} {})",
                c.data_source(),
                c.data_version()
            ),
        )
        .with_help_opt(did_you_mean(c.suggest_action(name)))
    })
}

/// The `action` result.
pub fn action_json(c: &Catalog, action: Action<'_>) -> Value {
    stamped(json!({
        "catalog": catalog_json(c),
        "action": action.to_string(),
        "service": action.service().name(),
        "access_level": action.access_level().as_str(),
        "access_level_label": action.access_level_label(),
        "resource_types": action.resource_types().map(|rt| json!({
            "name": rt.name(),
            "required": rt.is_required(),
            "arn_patterns": rt.resource_type()
                .map(|t| t.arn_patterns().collect::<Vec<_>>())
                .unwrap_or_default(),
            "condition_keys": rt.condition_keys()
                .chain(rt.resource_type().into_iter().flat_map(|t| t.condition_keys()))
                .collect::<std::collections::BTreeSet<_>>(),
        })).collect::<Vec<_>>(),
        "action_condition_keys": action.action_condition_keys().collect::<Vec<_>>(),
        "condition_keys": action.condition_keys().iter().map(|k| key_json(*k)).collect::<Vec<_>>(),
        "dependent_actions": action.dependent_actions().collect::<Vec<_>>(),
    }))
}

/// What `keys` lists.
pub enum KeySet<'c> {
    /// The global condition keys.
    Global(&'c [GlobalKey]),
    /// The keys of a service or an action (`scope` names it).
    Scoped {
        /// The service prefix or the action.
        scope: String,
        /// Its keys.
        keys: Vec<ConditionKey<'c>>,
    },
}

/// The keys of a service prefix, an action, or `aws`/`global`.
pub fn key_set<'c>(c: &'c Catalog, target: &str) -> Result<KeySet<'c>, Diagnostic> {
    let target = target.trim();
    if target.eq_ignore_ascii_case("aws") || target.eq_ignore_ascii_case("global") {
        return Ok(KeySet::Global(c.global_keys()));
    }
    if target.contains(':') {
        let action = lookup_action(c, target)?;
        return Ok(KeySet::Scoped {
            scope: action.to_string(),
            keys: action.condition_keys(),
        });
    }
    match c.service(target) {
        Some(service) => Ok(KeySet::Scoped {
            scope: service.prefix().to_owned(),
            keys: service.condition_keys().collect(),
        }),
        None => Err(Diagnostic::new(
            ErrorCode::InvalidAction,
            format!("unknown service `{target}`"),
        )
        .with_help_opt(
            c.suggest_service(target)
                .map(|s| format!("did you mean `{s}`?")),
        )),
    }
}

/// The `keys` result.
pub fn keys_json(c: &Catalog, set: &KeySet<'_>) -> Value {
    stamped(match set {
        KeySet::Global(keys) => json!({
                "catalog": catalog_json(c),
            "scope": "global",
            "condition_keys": keys.iter().map(global_json).collect::<Vec<_>>(),
        }),
        KeySet::Scoped { scope, keys } => json!({
                "catalog": catalog_json(c),
            "scope": scope,
            "condition_keys": keys.iter().map(|k| key_json(*k)).collect::<Vec<_>>(),
            "global_keys_apply": true,
        }),
    })
}

/// `v` with `schema_version` and the `tool` block.
fn stamped(mut v: Value) -> Value {
    crate::stamp(&mut v);
    v
}

/// Answer an `actions` call.
pub fn actions(call: &ActionsCall) -> Result<Value, Vec<Diagnostic>> {
    let level = call
        .level
        .as_deref()
        .map(parse_level)
        .transpose()
        .map_err(|e| crate::error(ErrorCode::InvalidCall, e))?;
    let c = catalog();
    Ok(actions_json(c, &expand(c, &call.patterns, level)))
}

/// Answer an `action` call.
pub fn action(call: &ActionCall) -> Result<Value, Vec<Diagnostic>> {
    let c = catalog();
    let action = lookup_action(c, &call.name).map_err(|d| vec![d])?;
    Ok(action_json(c, action))
}

/// Answer a `keys` call.
pub fn keys(call: &KeysCall) -> Result<Value, Vec<Diagnostic>> {
    let c = catalog();
    let set = key_set(c, &call.target).map_err(|d| vec![d])?;
    Ok(keys_json(c, &set))
}
