//! The checks. Each rule's definition (code, name, severity, documentation) sits
//! directly above the function that implements it; [`ALL`] is the registry.
//!
//! Code scheme: a class letter and three digits. `E` = error (AWS rejects the
//! policy or an element cannot work), `S` = security warning, `W` = warning,
//! `N` = suggestion. The first digit groups related checks: `E1xx` document
//! grammar, `E2xx` references to the service catalog and policy variables, `E3xx`
//! conditions, `E4xx` policy-type restrictions, `E5xx` size quotas; `S1xx` security;
//! `W1xx` warnings; `N1xx` suggestions. Codes are never reused.

pub mod condition;
pub mod grammar;
pub mod policy_type;
pub mod reference;
pub mod security;
pub mod semantics;
pub mod style;
pub mod trust;

use crate::rule::Rule;
use verdict_catalog::{Action, Catalog, Service};
use verdict_policy::json::Json;
use verdict_policy::model::ActionPattern;
use verdict_policy::{Policy, PolicyType, Span, Statement};

/// Every rule, in code order.
pub static ALL: &[&Rule] = &[
    &grammar::INVALID_JSON,
    &grammar::DUPLICATE_KEY,
    &grammar::WRONG_TYPE,
    &grammar::UNKNOWN_ELEMENT,
    &grammar::MISSING_ELEMENT,
    &grammar::MISSING_RESOURCE,
    &grammar::CONFLICTING_ELEMENTS,
    &grammar::INVALID_EFFECT,
    &grammar::INVALID_VERSION,
    &grammar::INVALID_PRINCIPAL,
    &grammar::INVALID_SID,
    &grammar::DUPLICATE_SID,
    &grammar::EMPTY_STATEMENT,
    &grammar::INVALID_ACTION_FORMAT,
    &grammar::INVALID_ARN,
    &grammar::VARIABLE_IN_ARN_PREFIX,
    &grammar::UNREADABLE_FILE,
    &semantics::ARN_DOES_NOT_FIT_SERVICE,
    &semantics::INVALID_ARN_REGION,
    &reference::UNKNOWN_SERVICE,
    &reference::UNKNOWN_ACTION,
    &reference::UNKNOWN_GLOBAL_CONDITION_KEY,
    &reference::UNKNOWN_SERVICE_CONDITION_KEY,
    &reference::MALFORMED_POLICY_VARIABLE,
    &reference::VARIABLE_IN_UNSUPPORTED_ELEMENT,
    &reference::VARIABLE_WITHOUT_VERSION,
    &condition::UNKNOWN_OPERATOR,
    &condition::IF_EXISTS_ON_NULL,
    &condition::INVALID_IP_ADDRESS,
    &condition::SINGLE_VALUED_OPERATOR_ON_MULTIVALUED_KEY,
    &condition::INVALID_VALUE_FORMAT,
    &condition::MULTIPLE_BOOLEAN_VALUES,
    &condition::MIXED_VALUE_TYPES,
    &condition::PRIVATE_IP_IN_SOURCE_IP,
    &semantics::ACTION_WITHOUT_CONDITION_KEY,
    &condition::DUPLICATE_KEY_CASE,
    &condition::VARIABLE_IN_TYPED_OPERATOR,
    &security::PRINCIPAL_KEY_FOR_SERVICE,
    &policy_type::PRINCIPAL_NOT_ALLOWED,
    &policy_type::MISSING_PRINCIPAL,
    &policy_type::NOT_PRINCIPAL_NOT_ALLOWED,
    &policy_type::RCP_ALLOW_NOT_PERMITTED,
    &policy_type::RCP_PRINCIPAL_NOT_WILDCARD,
    &policy_type::RCP_ELEMENT_NOT_PERMITTED,
    &policy_type::RCP_UNSUPPORTED_SERVICE,
    &policy_type::SCP_PRINCIPAL_NOT_PERMITTED,
    &policy_type::SCP_LEGACY_SYNTAX,
    &policy_type::RESOURCE_IN_TRUST_POLICY,
    &policy_type::ACTION_NOT_FOR_RESOURCE,
    &policy_type::RESOURCE_NOT_FOR_RESOURCE,
    &trust::TRUST_PRINCIPAL_STRING_WILDCARD,
    &trust::TRUST_ACTION_MISMATCH,
    &trust::INVALID_FEDERATED_PRINCIPAL,
    &trust::FEDERATED_PRINCIPAL_NOT_SUPPORTED,
    &trust::ROLES_ANYWHERE_MISSING_ACTIONS,
    &trust::MISSING_ACTION_FOR_CONDITION_KEY,
    &trust::GITHUB_OIDC_OWNER_WILDCARD,
    &policy_type::POLICY_TOO_LARGE,
    &security::ALLOW_WITH_NOT_ACTION,
    &security::ALLOW_WITH_NOT_RESOURCE,
    &security::PASS_ROLE_WITH_STAR_RESOURCE,
    &security::PUBLIC_RESOURCE_POLICY,
    &security::OPEN_TRUST_POLICY,
    &security::UNSCOPED_WEB_IDENTITY_TRUST,
    &security::ALLOW_WITH_NOT_PRINCIPAL,
    &security::PRIVILEGE_ESCALATION,
    &security::SERVICE_PRINCIPAL_WITHOUT_SOURCE,
    &condition::FOR_ALL_VALUES_ON_SINGLE_VALUED_KEY,
    &condition::VPC_SOURCE_IP_WITHOUT_VPC,
    &semantics::DENY_ON_UNTAGGED_ACTIONS,
    &semantics::ACTION_RESOURCE_MISMATCH,
    &semantics::CONDITION_KEY_NOT_APPLICABLE,
    &semantics::NETWORK_CONDITION_ON_SERVICE_CALLS,
    &semantics::STATEMENT_SHADOWED_BY_DENY,
    &condition::MFA_BOOL_WITHOUT_IF_EXISTS,
    &condition::WILDCARD_WITHOUT_LIKE_OPERATOR,
    &semantics::UNKNOWN_AT_PLAN_TIME,
    &grammar::SHORT_ARN_PATTERN,
    &semantics::NO_POLICY_READ,
    &condition::INVALID_DATE,
    &condition::INVALID_NUMBER,
    &condition::INVALID_CONDITION_VALUE,
    &condition::OPERATOR_TYPE_MISMATCH,
    &style::MISSING_VERSION,
    &style::NON_UNIQUE_SID,
    &trust::GITHUB_OIDC_SUB_BROAD,
    &policy_type::POLICY_MAY_EXCEED_QUOTA,
    &security::UNIQUE_ID_PRINCIPAL,
    &security::CREATE_SLR_UNSCOPED,
    &style::EMPTY_SID,
    &style::RESOURCE_WILDCARD_COULD_BE_NARROWED,
    &style::ACTION_WILDCARD_COULD_BE_NARROWED,
    &style::REDUNDANT_ACTION,
    &style::REDUNDANT_RESOURCE,
    &condition::OPERATOR_NAME_CASE,
    &condition::IMPROVABLE_IP_RANGE,
    &condition::NULL_WITH_QUALIFIER,
    &style::NOT_A_POLICY,
    &condition::EMPTY_CONDITION_VALUES,
    &grammar::WILDCARD_IN_SERVICE,
    &style::EMPTY_PRINCIPAL,
    &style::EMPTY_ARRAY,
    &style::EMPTY_CONDITION,
    &condition::REDUNDANT_NUMERIC_BOUND,
    &condition::PRIVATE_IP_AMONG_PUBLIC,
    &trust::REDUNDANT_TRUST_PRINCIPAL,
    &trust::AUDIENCE_SET_OPERATOR,
    &semantics::ALLOW_ON_UNTAGGED_ACTIONS,
    &semantics::IRRELEVANT_CONDITION_KEY,
    &semantics::REDUNDANT_STATEMENT,
];

/// Codes that were renamed when a check moved to another severity class, with the
/// code that replaced each. Selectors and `verdict rule` accept the old code.
pub static REDIRECTS: &[(&str, &str)] = &[
    ("E115", "N113"),
    ("E303", "W114"),
    ("E304", "W115"),
    ("E306", "W116"),
    ("E307", "N112"),
    ("E308", "W117"),
    ("N102", "W119"),
    ("N103", "W118"),
    ("W103", "E309"),
    ("W104", "S110"),
    ("W110", "E313"),
    ("W106", "N123"),
];

/// The current code for `code`, following [`REDIRECTS`].
pub fn redirect(code: &str) -> Option<&'static str> {
    REDIRECTS
        .iter()
        .find(|(old, _)| old.eq_ignore_ascii_case(code.trim()))
        .map(|(_, new)| *new)
}

/// The rule with `code` or kebab-case `name` (ASCII case ignored); a renamed code
/// finds the rule that replaced it.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    let q = code_or_name.trim();
    let q = redirect(q).unwrap_or(q);
    ALL.iter()
        .copied()
        .find(|r| r.code.eq_ignore_ascii_case(q) || r.name.eq_ignore_ascii_case(q))
}

/// A finding before its position is mapped to the outer file.
#[derive(Clone, Debug)]
pub(crate) struct Raw {
    pub rule: &'static Rule,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

/// One `Action`/`NotAction` entry resolved against the catalog.
pub(crate) struct ActionInfo<'a> {
    pub pattern: &'a ActionPattern,
    /// The service, when the prefix is known.
    pub service: Option<Service<'static>>,
    /// The actions the entry names (`None` for `*`, placeholders and unknown services).
    pub expanded: Option<Vec<Action<'static>>>,
    /// The entry holds an unresolved placeholder.
    pub placeholder: bool,
    /// Lower-cased service prefix (empty for `*`).
    pub svc_lc: String,
    /// Lower-cased action name (empty for `*`).
    pub name_lc: String,
    /// The name has `*` or `?`.
    pub wild: bool,
}

/// A statement with its actions resolved.
pub(crate) struct StmtInfo<'a> {
    pub stmt: &'a Statement,
    pub actions: Vec<ActionInfo<'a>>,
    /// `service:name` (lower-case) of the entries without wildcards.
    pub exact: std::collections::HashSet<String>,
}

impl StmtInfo<'_> {
    /// Every known action the statement's `Action` names (not for `NotAction`);
    /// `None` when some entry is `*`, a placeholder or unknown.
    pub fn explicit_actions(&self) -> Option<Vec<Action<'static>>> {
        if self.stmt.action.negated {
            return None;
        }
        let mut out = Vec::new();
        for a in &self.actions {
            out.extend(a.expanded.clone()?);
        }
        Some(out)
    }
}

/// Everything a check can look at.
pub(crate) struct Ctx<'a> {
    pub policy: &'a Policy,
    pub tree: &'a Json,
    pub ptype: PolicyType,
    pub catalog: &'static Catalog,
    pub stmts: Vec<StmtInfo<'a>>,
    pub out: Vec<Raw>,
    /// The resource a resource-based policy is attached to, when known.
    pub resource_kind: Option<crate::ResourceKind>,
}

impl<'a> Ctx<'a> {
    pub fn new(policy: &'a Policy, tree: &'a Json) -> Ctx<'a> {
        let catalog = verdict_catalog::catalog();
        let stmts = policy
            .statements
            .iter()
            .map(|stmt| {
                let actions: Vec<ActionInfo<'a>> = stmt
                    .action
                    .patterns
                    .iter()
                    .map(|pattern| resolve_action(catalog, pattern))
                    .collect();
                let exact = actions
                    .iter()
                    .filter(|a| !a.wild && !a.pattern.is_any() && !a.placeholder)
                    .map(|a| format!("{}:{}", a.svc_lc, a.name_lc))
                    .collect();
                StmtInfo {
                    stmt,
                    actions,
                    exact,
                }
            })
            .collect();
        Ctx {
            policy,
            tree,
            ptype: policy.policy_type,
            catalog,
            stmts,
            out: Vec::new(),
            resource_kind: None,
        }
    }

    /// Record a finding.
    pub fn report(
        &mut self,
        rule: &'static Rule,
        span: Span,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.out.push(Raw {
            rule,
            span,
            message: message.into(),
            help,
        });
    }

    /// The JSON member whose key starts at `key_span`.
    pub fn member_at(&self, key_span: Span) -> Option<&'a verdict_policy::json::Member> {
        fn find(j: &Json, span: Span) -> Option<&verdict_policy::json::Member> {
            if j.span.end < span.start || j.span.start > span.end {
                return None;
            }
            match &j.kind {
                verdict_policy::json::JsonKind::Object(ms) => {
                    for m in ms {
                        if m.key_span == span {
                            return Some(m);
                        }
                        if let Some(x) = find(&m.value, span) {
                            return Some(x);
                        }
                    }
                    None
                }
                verdict_policy::json::JsonKind::Array(items) => {
                    items.iter().find_map(|i| find(i, span))
                }
                _ => None,
            }
        }
        find(self.tree, key_span)
    }

    /// Spans of the values of the condition key at `key_span` (one per value).
    pub fn value_spans(&self, key_span: Span) -> Vec<Span> {
        match self.member_at(key_span).map(|m| &m.value) {
            Some(v) => match &v.kind {
                verdict_policy::json::JsonKind::Array(items) => {
                    items.iter().map(|i| i.span).collect()
                }
                _ => vec![v.span],
            },
            None => Vec::new(),
        }
    }

    /// The catalog's data date, for messages.
    pub fn catalog_date(&self) -> &'static str {
        self.catalog.data_date()
    }
}

fn resolve_action<'a>(catalog: &'static Catalog, pattern: &'a ActionPattern) -> ActionInfo<'a> {
    let placeholder = crate::input::intrinsics::has_placeholder(&pattern.raw);
    let (svc, name) = pattern.raw.split_once(':').unwrap_or(("", ""));
    let (svc_lc, name_lc) = (svc.to_ascii_lowercase(), name.to_ascii_lowercase());
    let wild = name.contains(['*', '?']);
    if pattern.is_any() || placeholder {
        return ActionInfo {
            pattern,
            service: None,
            expanded: None,
            placeholder,
            svc_lc,
            name_lc,
            wild,
        };
    }
    let prefix = pattern.raw.split(':').next().unwrap_or("");
    let service = catalog.service(prefix);
    let expanded = service.map(|_| catalog.expand(&pattern.raw));
    ActionInfo {
        pattern,
        service,
        expanded,
        placeholder,
        svc_lc,
        name_lc,
        wild,
    }
}

/// Run every semantic check (the parser's own errors are mapped in the engine).
pub(crate) fn run_all(ctx: &mut Ctx<'_>) {
    grammar::check_arns(ctx);
    semantics::check_arn_fit(ctx);
    policy_type::check_resource_in_trust(ctx);
    policy_type::check_resource_kind(ctx);
    policy_type::check_rcp_services(ctx);
    reference::check_actions(ctx);
    reference::check_condition_keys(ctx);
    condition::check_conditions(ctx);
    condition::check_duplicate_key_case(ctx);
    security::check_principal_forms(ctx);
    security::check_not_action_not_resource(ctx);
    security::check_pass_role(ctx);
    security::check_public_principal(ctx);
    security::check_web_identity(ctx);
    trust::check_trust(ctx);
    security::check_privilege_escalation(ctx);
    security::check_service_principal(ctx);
    semantics::check_action_resource(ctx);
    semantics::check_condition_keys_applicable(ctx);
    semantics::check_network_conditions(ctx);
    semantics::check_redundant_statements(ctx);
    style::check_sids(ctx);
    style::check_empty_conditions(ctx);
    style::check_wildcards(ctx);
    style::check_redundant_entries(ctx);
}

/// The statement objects of a policy tree (one for an object `Statement`).
pub(crate) fn statement_nodes(tree: &Json) -> Vec<&Json> {
    use verdict_policy::json::JsonKind;
    match tree.get("Statement").map(|s| &s.kind) {
        Some(JsonKind::Array(a)) => a.iter().collect(),
        Some(JsonKind::Object(_)) => tree.get("Statement").into_iter().collect(),
        _ => Vec::new(),
    }
}

/// True when `s` holds an unresolved placeholder.
pub(crate) fn placeholder(s: &str) -> bool {
    crate::input::intrinsics::has_placeholder(s)
}
