//! Scenario files (docs/scenario-extensions.md): loading with located errors.

use crate::context::{Context, CtxValue};
use crate::request::{Caller, Request};
use std::sync::Arc;
use verdict_policy::arn::RequestResource;
use verdict_policy::diag::suggestion;
use verdict_policy::json::{self, Json, JsonKind, Member};
use verdict_policy::{
    parse_policy_json, Diagnostic, ErrorCode, ParseOptions, Policy, PolicyType, ScpSyntax,
    SourceFile,
};

/// A policy with the name or ARN it is known by.
#[derive(Clone, Debug)]
pub struct NamedPolicy {
    /// `name`, if given.
    pub name: Option<String>,
    /// `arn`, if given.
    pub arn: Option<String>,
    /// A label for explanations: name, ARN, or its position in the scenario.
    pub label: String,
    /// The parsed policy, shared: copying a scenario copies no statements.
    pub policy: Arc<Policy>,
}

impl NamedPolicy {
    /// Name a policy: it is shown by its name, else its ARN, else `position`.
    pub fn new(
        name: Option<String>,
        arn: Option<String>,
        position: String,
        policy: impl Into<Arc<Policy>>,
    ) -> Self {
        let label = name.clone().or_else(|| arn.clone()).unwrap_or(position);
        NamedPolicy {
            name,
            arn,
            label,
            policy: policy.into(),
        }
    }
}

/// All policies that may apply, by layer.
#[derive(Clone, Debug, Default)]
pub struct Policies {
    /// Identity-based policies.
    pub identity: Vec<NamedPolicy>,
    /// The resource-based policy.
    pub resource: Option<NamedPolicy>,
    /// The permissions boundary.
    pub permissions_boundary: Option<NamedPolicy>,
    /// Session policies.
    pub session: Vec<NamedPolicy>,
    /// SCPs per level, root first; `None` = not governed by SCPs.
    pub scps: Option<Vec<Vec<NamedPolicy>>>,
    /// RCPs per level; `None` = not governed by RCPs.
    pub rcps: Option<Vec<Vec<NamedPolicy>>>,
    /// VPC endpoint policies (normally one).
    pub vpc_endpoint: Option<Vec<NamedPolicy>>,
}

impl Policies {
    /// Every policy of every layer: identity, resource, boundary, session, SCP and RCP
    /// levels, VPC endpoint (the API Gateway authorizer's policy is the scenario's own).
    pub fn all(&self) -> impl Iterator<Item = &NamedPolicy> + '_ {
        self.identity
            .iter()
            .chain(self.resource.iter())
            .chain(self.permissions_boundary.iter())
            .chain(self.session.iter())
            .chain(self.scps.iter().flatten().flatten())
            .chain(self.rcps.iter().flatten().flatten())
            .chain(self.vpc_endpoint.iter().flatten())
    }
}

/// API Gateway method authorization type (§6.9.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorizationType {
    /// `NONE`
    None,
    /// `AWS_IAM`
    AwsIam,
    /// `CUSTOM` (Lambda authorizer)
    Custom,
    /// `COGNITO_USER_POOLS`
    CognitoUserPools,
}

impl AuthorizationType {
    /// API Gateway's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorizationType::None => "NONE",
            AuthorizationType::AwsIam => "AWS_IAM",
            AuthorizationType::Custom => "CUSTOM",
            AuthorizationType::CognitoUserPools => "COGNITO_USER_POOLS",
        }
    }
}

/// The `apigateway` block.
#[derive(Clone, Debug)]
pub struct ApiGateway {
    /// Method authorization type.
    pub authorization_type: AuthorizationType,
    /// Policy returned by the Lambda authorizer.
    pub authorizer_policy: Option<NamedPolicy>,
    /// Whether the Cognito token is valid.
    pub cognito_token_valid: bool,
}

/// How to word AccessDenied messages (T90).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MessageStyle {
    /// No policy ARN.
    #[default]
    Plain,
    /// `…: arn:aws:iam::…:policy/P`
    AccessTroubleshooter,
    /// `…, with policy ARN: arn:…`
    S3,
}

/// Evaluation options.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// SCP grammar.
    pub scp_syntax: ScpSyntax,
    /// Message style.
    pub message_style: MessageStyle,
}

/// A decision an `expect` block names (`conditional` only for a request with unknown
/// context keys).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpectedDecision {
    /// `allow`
    Allow,
    /// `explicit_deny`
    ExplicitDeny,
    /// `implicit_deny`
    ImplicitDeny,
    /// `conditional`
    Conditional,
}

impl ExpectedDecision {
    /// Read a decision name.
    pub fn parse(s: &str) -> Option<ExpectedDecision> {
        Some(match s {
            "allow" => ExpectedDecision::Allow,
            "explicit_deny" => ExpectedDecision::ExplicitDeny,
            "implicit_deny" => ExpectedDecision::ImplicitDeny,
            "conditional" => ExpectedDecision::Conditional,
            _ => return None,
        })
    }

    /// The snake_case name (as the JSON results spell decisions).
    pub fn as_str(self) -> &'static str {
        match self {
            ExpectedDecision::Allow => "allow",
            ExpectedDecision::ExplicitDeny => "explicit_deny",
            ExpectedDecision::ImplicitDeny => "implicit_deny",
            ExpectedDecision::Conditional => "conditional",
        }
    }
}

impl std::fmt::Display for ExpectedDecision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `expect` block.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expect {
    /// Expected decision.
    pub decision: Option<ExpectedDecision>,
    /// Expected deciding layer (None = unchecked).
    pub denied_by: Option<crate::trace::Layer>,
    /// Exact message.
    pub message: Option<String>,
    /// Message substring.
    pub message_contains: Option<String>,
    /// Exact missing-context list.
    pub missing_context: Option<Vec<String>>,
    /// Expected rejection code.
    pub error: Option<String>,
    /// Exact set of rule ids the decision must rest on (§10.1), e.g. `["T26"]`.
    pub uncertain: Option<Vec<String>>,
    /// The service rule that must refuse the call (§10.2), or `"none"`.
    pub service_refusal: Option<String>,
    /// With unknown context keys: the exact residual in words.
    pub residual: Option<String>,
    /// With unknown context keys: completions (`{"key": value-or-null}`) that must be
    /// allowed, by the residual and by the concrete engine alike.
    pub allowed_when: Vec<serde_json::Value>,
    /// As `allowed_when`, for completions that must be denied.
    pub denied_when: Vec<serde_json::Value>,
}

/// A context key whose value is not known: it may be absent (unless `present`) or hold
/// any value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownKey {
    /// The key as written.
    pub key: String,
    /// The key is known to be in the request (only its value is unknown).
    pub present: bool,
}

/// One scenario, ready to evaluate.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Label.
    pub name: Option<String>,
    /// Rule citation.
    pub rule: Option<String>,
    /// Free text.
    pub description: Option<String>,
    /// The request.
    pub request: Request,
    /// Further resources (T92); `request.resource` is the first.
    pub extra_resources: Vec<String>,
    /// The account that owns the resource, when known.
    pub resource_account: Option<String>,
    /// The resource belongs to AWS, not to an account (`arn:aws:iam::aws:policy/…`, §10.2).
    pub aws_owned: bool,
    /// The organization's management account.
    pub management_account: Option<String>,
    /// Policies by layer.
    pub policies: Policies,
    /// API Gateway settings.
    pub apigateway: Option<ApiGateway>,
    /// Options.
    pub options: Options,
    /// Expectation, if the scenario is a test.
    pub expect: Option<Expect>,
    /// Notes produced while loading (e.g. a role ARN given as caller).
    pub load_notes: Vec<crate::trace::Warning>,
    /// Context keys declared unknown (`{"unknown": true}`): the answer is a residual
    /// condition over them (see [`crate::residual`]). Empty for a concrete request.
    pub unknown: Vec<UnknownKey>,
    /// The requested resource is a set (`{"pattern": …, "for": …}`); `request.resource`
    /// then holds one member of it. See [`crate::resource_set`].
    pub resource_set: Option<crate::resource_set::ResourceSet>,
    /// Where it came from.
    pub source: Arc<SourceFile>,
}

impl Scenario {
    /// A scenario built in code: `request` under `policies`, with no expectation. The
    /// resource's owner is its ARN's account (or none, for an AWS-owned or account-less
    /// ARN; set `resource_account` for those).
    pub fn new(request: Request, policies: Policies) -> Scenario {
        let aws_owned = request.resource.account() == Some("aws");
        let resource_account = if aws_owned {
            None
        } else {
            request.resource.account().map(str::to_string)
        };
        Scenario {
            name: None,
            rule: None,
            description: None,
            request,
            extra_resources: Vec::new(),
            resource_account,
            aws_owned,
            management_account: None,
            policies,
            apigateway: None,
            options: Options::default(),
            expect: None,
            load_notes: Vec::new(),
            unknown: Vec::new(),
            resource_set: None,
            source: SourceFile::new("<built>", String::new()),
        }
    }
}

/// A request given as plain values rather than as a document: AWS-CLI-style flags, an
/// API call. [`Scenario::from_parts`] checks it with the loader's rules.
#[derive(Clone, Debug, Default)]
pub struct RequestParts {
    /// The caller: an IAM or STS ARN, a service principal, or `anonymous`.
    pub principal: String,
    /// One action, `service:Action`.
    pub action: String,
    /// The resource ARN, or `*`.
    pub resource: String,
    /// Context values, in order (a later value of a key replaces an earlier one).
    pub context: Vec<(String, CtxValue)>,
    /// Context keys whose value is unknown.
    pub unknown: Vec<UnknownKey>,
    /// The account that owns the resource, when its ARN does not say.
    pub resource_account: Option<String>,
}

impl Scenario {
    /// Build a scenario from `parts` with the rules the document loader applies: one
    /// action without wildcards, a principal that parses, an ARN or `*` as resource, a
    /// `resource_account` that agrees with the ARN (§10.2), unknown keys that are not
    /// known ones, and the context-value type notes. `policies` receives the request
    /// (to tell a trust request, say) and gives the policies; `label` names the origin
    /// in diagnostics (`<command line>`).
    pub fn from_parts(
        parts: RequestParts,
        policies: impl FnOnce(&Request) -> Result<Policies, Vec<Diagnostic>>,
        label: &str,
    ) -> Result<Scenario, Vec<Diagnostic>> {
        let bad =
            |code: ErrorCode, msg: String| vec![Diagnostic::new(code, format!("{label}: {msg}"))];
        let Some((service_lc, name_lc)) = Request::split_action(&parts.action) else {
            return Err(bad(ErrorCode::InvalidRequest, format!("action \"{}\" must have the form service:Action, such as s3:GetObject (no wildcards)", parts.action)));
        };
        if name_lc.contains(['*', '?']) {
            return Err(bad(
                ErrorCode::InvalidRequest,
                format!(
                    "action \"{}\" must name one action, without wildcards",
                    parts.action
                ),
            ));
        }
        if let RequestResource::Other(o) = RequestResource::new(&parts.resource) {
            return Err(bad(ErrorCode::InvalidRequest, format!("resource \"{o}\" is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE) or \"*\"")));
        }
        let (caller, note) = Caller::parse(&parts.principal, &format!("{service_lc}:{name_lc}"))
            .map_err(|e| bad(ErrorCode::InvalidRequest, e))?;
        let mut load_notes: Vec<crate::trace::Warning> = note
            .map(|n| crate::trace::Warning::new("role-as-caller", n))
            .into_iter()
            .collect();
        let mut context = Context::new();
        let mut given = Vec::new();
        for (key, value) in parts.context {
            given.extend(
                value
                    .values()
                    .into_iter()
                    .map(|v| crate::checks::GivenValue {
                        key: key.clone(),
                        value: v.to_string(),
                        span: None,
                    }),
            );
            context.insert(&key, value);
        }
        let service_role_path = parts.principal.contains(":role/aws-service-role/");
        let Some(mut request) = Request::new(caller, &parts.action, &parts.resource, context, None)
        else {
            return Err(bad(
                ErrorCode::InvalidRequest,
                format!(
                    "action \"{}\" must have the form service:Action",
                    parts.action
                ),
            ));
        };
        request.service_linked_role |= service_role_path;
        let (resource_account, problems) = resource_account_of(
            &request,
            &[],
            parts.resource_account.as_deref(),
            &mut load_notes,
        );
        let mut errors: Vec<Diagnostic> = problems
            .into_iter()
            .map(|m| Diagnostic::new(ErrorCode::InvalidScenario, format!("{label}: {m}")))
            .collect();
        errors.extend(
            unknown_clashes(&request, &parts.unknown)
                .into_iter()
                .map(|m| Diagnostic::new(ErrorCode::InvalidContext, format!("{label}: {m}"))),
        );
        if !errors.is_empty() {
            return Err(errors);
        }
        let policies = policies(&request)?;
        let mut s = Scenario::new(request, policies);
        s.resource_account = resource_account;
        s.unknown = parts.unknown;
        s.source = SourceFile::new(label, String::new());
        let notes = crate::checks::context_value_warnings(&s, &given);
        load_notes.extend(notes);
        s.load_notes = load_notes;
        Ok(s)
    }
}

/// The account that owns the request's resource: `given` (checked against every ARN,
/// §10.2), else the ARN's account, else the caller's (with a note). Also returns the
/// contradictions found, one message each.
fn resource_account_of(
    request: &Request,
    extra_resources: &[String],
    given: Option<&str>,
    notes: &mut Vec<crate::trace::Warning>,
) -> (Option<String>, Vec<String>) {
    let mut problems = Vec::new();
    let arns = std::iter::once(request.resource.as_str().to_string())
        .chain(extra_resources.iter().cloned());
    for arn in arns {
        let r = RequestResource::new(&arn);
        match (r.account(), given) {
            (Some("aws"), Some(g)) if g != "aws" => problems.push(format!("resource_account \"{g}\" contradicts {arn}, which belongs to AWS (account field \"aws\"), not to an account; remove resource_account")),
            (Some(a), Some(g)) if a != "aws" && !a.contains(['*', '?']) && a != g => problems.push(format!("resource_account \"{g}\" contradicts the account \"{a}\" in the resource ARN {arn}; give the account that owns the resource once, in the ARN")),
            _ => {}
        }
    }
    if request.resource.account() == Some("aws") {
        return (None, problems);
    }
    let account = given.map(str::to_string).or_else(|| {
        request.resource.account().map(str::to_string).or_else(|| {
            let caller = request.caller.account()?;
            if !matches!(request.resource, RequestResource::Star) {
                notes.push(crate::trace::Warning::new(
                    "resource-account-assumed",
                    format!("{} carries no account and no resource_account was given: the resource is taken to be in the caller's account {caller} (give resource_account if it is not)", request.resource.as_str()),
                ));
            }
            Some(caller.to_string())
        })
    });
    (account, problems)
}

/// A key derived from the caller (aws:PrincipalArn, …) is known, and a key given a value
/// is known: neither can be declared unknown. One message per clash.
fn unknown_clashes(request: &Request, unknown: &[UnknownKey]) -> Vec<String> {
    unknown
        .iter()
        .filter_map(|u| {
            let e = request.context.get(&u.key.to_ascii_lowercase())?;
            Some(if e.derived {
                format!("request.context \"{}\" is declared unknown, but Verdict derives it from the caller ({}); it is known", u.key, request.caller.display())
            } else {
                format!("request.context \"{}\" is declared unknown and also given a value (key names ignore case)", u.key)
            })
        })
        .collect()
}

const TOP: &[&str] = &[
    "name",
    "rule",
    "description",
    "request",
    "resource_account",
    "management_account",
    "policies",
    "apigateway",
    "options",
    "expect",
    "id",
    "note",
    "notes",
    "expected",
    "settings",
    "tags",
];
const REQUEST: &[&str] = &[
    "principal",
    "action",
    "resource",
    "resources",
    "context",
    "service_linked_role",
    "principal_id",
    "canonical_user_id",
    "federated_parent",
];
const POLICIES: &[&str] = &[
    "identity",
    "resource",
    "permissions_boundary",
    "session",
    "scps",
    "rcps",
    "vpc_endpoint",
];
const EXPECT: &[&str] = &[
    "residual",
    "allowed_when",
    "denied_when",
    "decision",
    "denied_by",
    "message",
    "message_contains",
    "missing_context",
    "error",
    "uncertain",
    "service_refusal",
];
const DECISIONS: &[&str] = &["allow", "explicit_deny", "implicit_deny", "conditional"];
const LAYERS: &[&str] = &[
    "scp",
    "rcp",
    "resource",
    "identity",
    "permissions_boundary",
    "session",
    "vpc_endpoint",
    "authorizer",
];

/// Parse scenario text (JSON, or YAML when `yaml` is set) into a scenario.
pub fn load_scenario(source: &Arc<SourceFile>, yaml: bool) -> Result<Scenario, Vec<Diagnostic>> {
    if yaml {
        // Positions stay those of the YAML text.
        let docs = verdict_policy::yaml::parse_yaml(source).map_err(|d| vec![d])?;
        return match docs.as_slice() {
            [tree] => scenario_from_json(tree, source),
            _ => Err(vec![Diagnostic::new(
                ErrorCode::InvalidScenario,
                format!(
                    "expected one YAML document holding a scenario, found {}",
                    docs.len()
                ),
            )
            .at(source, verdict_policy::Span::new(0, 0))]),
        };
    }
    let tree = json::parse(source).map_err(|d| vec![d])?;
    scenario_from_json(&tree, source)
}

/// True if a path names a YAML file.
pub fn is_yaml_path(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    p.ends_with(".yaml") || p.ends_with(".yml")
}

/// Parsed policies keyed by their exact text, policy type and SCP grammar, so that a batch
/// whose lines repeat the same documents parses each document once. A cached policy keeps
/// the positions of the line it was first read from, so use it only when no trace is printed.
#[derive(Default)]
pub struct PolicyCache {
    map: std::collections::HashMap<(PolicyType, bool, String), Arc<Policy>>,
    /// Bytes of policy text held, to keep a batch of all-distinct policies bounded.
    bytes: usize,
}

/// Policy text a cache holds before it starts over (per thread).
const CACHE_BYTES: usize = 1 << 20;

impl PolicyCache {
    /// An empty cache.
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn get(&self, key: &(PolicyType, bool, String)) -> Option<&Arc<Policy>> {
        self.map.get(key)
    }

    pub(crate) fn insert(&mut self, key: (PolicyType, bool, String), policy: Arc<Policy>) {
        // A parsed policy takes several times its text; start over rather than grow
        // without bound when a batch's policies do not repeat.
        if self.bytes + key.2.len() > CACHE_BYTES {
            self.map.clear();
            self.bytes = 0;
        }
        self.bytes += key.2.len();
        self.map.insert(key, policy);
    }
}

/// Build a scenario from a JSON tree of `source`.
pub fn scenario_from_json(
    tree: &Json,
    source: &Arc<SourceFile>,
) -> Result<Scenario, Vec<Diagnostic>> {
    scenario_from_json_cached(tree, source, None)
}

/// As [`scenario_from_json`], reusing policies parsed before (see [`PolicyCache`]).
pub fn scenario_from_json_cached(
    tree: &Json,
    source: &Arc<SourceFile>,
    cache: Option<&mut PolicyCache>,
) -> Result<Scenario, Vec<Diagnostic>> {
    let mut l = Loader {
        src: source.clone(),
        errors: Vec::new(),
        cache,
        context_values: Vec::new(),
        unknown: Vec::new(),
        resource_set: None,
    };
    let s = l.scenario(tree).map(|mut s| {
        let notes = crate::checks::context_value_warnings(&s, &l.context_values);
        s.load_notes.extend(notes);
        s
    });
    match s {
        Some(s) if l.errors.is_empty() => Ok(s),
        _ => {
            if l.errors.is_empty() {
                l.errors.push(
                    Diagnostic::new(ErrorCode::InvalidScenario, "scenario could not be read")
                        .at(source, tree.span),
                );
            }
            Err(l.errors)
        }
    }
}

struct Loader<'c> {
    src: Arc<SourceFile>,
    errors: Vec<Diagnostic>,
    cache: Option<&'c mut PolicyCache>,
    /// Each context value the scenario gives, with its key and position.
    context_values: Vec<crate::checks::GivenValue>,
    /// Context keys declared unknown.
    unknown: Vec<UnknownKey>,
    /// A resource set, when the request gives one.
    resource_set: Option<crate::resource_set::ResourceSet>,
}

impl Loader<'_> {
    fn err(&mut self, code: ErrorCode, span: verdict_policy::Span, msg: impl Into<String>) {
        self.errors
            .push(Diagnostic::new(code, msg).at(&self.src, span));
    }

    fn check_keys(&mut self, members: &[Member], allowed: &[&str], what: &str) {
        for m in members {
            if !allowed.contains(&m.key.as_str()) {
                let help = suggestion(&m.key, allowed.iter().copied());
                self.errors.push(
                    Diagnostic::new(
                        ErrorCode::InvalidScenario,
                        format!(
                            "unknown field \"{}\" in {what}; expected one of {}",
                            m.key,
                            allowed.join(", ")
                        ),
                    )
                    .at(&self.src, m.key_span)
                    .with_help_opt(help),
                );
            }
        }
    }

    fn obj<'a>(&mut self, v: &'a Json, what: &str) -> Option<&'a [Member]> {
        match &v.kind {
            JsonKind::Object(m) => Some(m),
            _ => {
                self.err(
                    ErrorCode::InvalidScenario,
                    v.span,
                    format!("{what} must be an object, found {}", v.type_name()),
                );
                None
            }
        }
    }

    fn str_of(&mut self, v: &Json, what: &str) -> Option<String> {
        match &v.kind {
            JsonKind::String(s) => Some(s.clone()),
            _ => {
                self.err(
                    ErrorCode::InvalidScenario,
                    v.span,
                    format!("{what} must be a string, found {}", v.type_name()),
                );
                None
            }
        }
    }

    fn opt_str(&mut self, members: &[Member], key: &str, what: &str) -> Option<String> {
        let m = members.iter().find(|m| m.key == key)?;
        if matches!(m.value.kind, JsonKind::Null) {
            return None;
        }
        self.str_of(&m.value, &format!("{what}.{key}"))
    }

    fn bool_of(&mut self, members: &[Member], key: &str, what: &str) -> Option<bool> {
        let m = members.iter().find(|m| m.key == key)?;
        match m.value.kind {
            JsonKind::Bool(b) => Some(b),
            _ => {
                self.err(
                    ErrorCode::InvalidScenario,
                    m.value.span,
                    format!("{what}.{key} must be true or false"),
                );
                None
            }
        }
    }

    fn scenario(&mut self, tree: &Json) -> Option<Scenario> {
        let top = self.obj(tree, "a scenario")?;
        self.check_keys(top, TOP, "the scenario");
        let get = |k: &str| top.iter().find(|m| m.key == k).map(|m| &m.value);
        let name = self.opt_str(top, "name", "scenario");
        let rule = self.opt_str(top, "rule", "scenario");
        let description = self.opt_str(top, "description", "scenario");
        let management_account = self.opt_str(top, "management_account", "scenario");
        let mut options = Options::default();
        if let Some(o) = get("options") {
            if let Some(om) = self.obj(o, "options") {
                self.check_keys(om, &["scp_syntax", "message_style"], "options");
                match self.opt_str(om, "scp_syntax", "options").as_deref() {
                    None | Some("current") => {}
                    Some("legacy-2023") => options.scp_syntax = ScpSyntax::Legacy2023,
                    Some(x) => {
                        let span = om
                            .iter()
                            .find(|m| m.key == "scp_syntax")
                            .map(|m| m.value.span)
                            .unwrap_or_default();
                        self.err(ErrorCode::InvalidScenario, span, format!("options.scp_syntax \"{x}\" is not valid; expected \"current\" or \"legacy-2023\""));
                    }
                }
                match self.opt_str(om, "message_style", "options").as_deref() {
                    None | Some("plain") => {}
                    Some("access-troubleshooter") => {
                        options.message_style = MessageStyle::AccessTroubleshooter
                    }
                    Some("s3") => options.message_style = MessageStyle::S3,
                    Some(x) => {
                        let span = om
                            .iter()
                            .find(|m| m.key == "message_style")
                            .map(|m| m.value.span)
                            .unwrap_or_default();
                        self.err(ErrorCode::InvalidScenario, span, format!("options.message_style \"{x}\" is not valid; expected plain, access-troubleshooter or s3"));
                    }
                }
            }
        }
        let expect = get("expect").and_then(|e| self.expect(e));
        let Some(req_json) = get("request") else {
            self.err(ErrorCode::InvalidScenario, tree.span, "scenario has no \"request\"; expected {\"principal\", \"action\", \"resource\", \"context\"}");
            return None;
        };
        let mut load_notes = Vec::new();
        let (request, extra_resources) = self.request(req_json, &mut load_notes)?;
        let given_account = self.opt_str(top, "resource_account", "scenario");
        let account_span = top
            .iter()
            .find(|m| m.key == "resource_account")
            .map(|m| m.value.span)
            .unwrap_or(tree.span);
        let aws_owned = request.resource.account() == Some("aws");
        let (resource_account, problems) = resource_account_of(
            &request,
            &extra_resources,
            given_account.as_deref(),
            &mut load_notes,
        );
        for msg in problems {
            self.err(ErrorCode::InvalidScenario, account_span, msg);
        }
        let trust = crate::request::is_trust_request(&request);
        let policies = match get("policies") {
            Some(p) => self.policies(p, trust, options.scp_syntax)?,
            None => Policies::default(),
        };
        let apigateway = match get("apigateway") {
            Some(a) if !matches!(a.kind, JsonKind::Null) => self.apigateway(a),
            _ => None,
        };
        for msg in unknown_clashes(&request, &self.unknown) {
            self.err(ErrorCode::InvalidContext, tree.span, msg);
        }
        if self.resource_set.is_some() && !self.unknown.is_empty() {
            self.err(ErrorCode::InvalidRequest, tree.span, "a resource set and unknown context values in one scenario are not supported yet; give the context values, or ask about one resource");
        }
        if self.resource_set.is_some() && !extra_resources.is_empty() {
            self.err(
                ErrorCode::InvalidRequest,
                tree.span,
                "request.resources cannot be combined with a resource set",
            );
        }
        Some(Scenario {
            name,
            rule,
            description,
            request,
            extra_resources,
            resource_account,
            aws_owned,
            management_account,
            policies,
            apigateway,
            options,
            expect,
            load_notes,
            unknown: std::mem::take(&mut self.unknown),
            resource_set: self.resource_set.take(),
            source: self.src.clone(),
        })
    }

    fn expect(&mut self, e: &Json) -> Option<Expect> {
        let m = self.obj(e, "expect")?;
        self.check_keys(m, EXPECT, "expect");
        let decision = self.opt_str(m, "decision", "expect");
        let denied_by = self.opt_str(m, "denied_by", "expect");
        let mut x = Expect {
            decision: decision.as_deref().and_then(ExpectedDecision::parse),
            denied_by: denied_by.as_deref().and_then(crate::trace::Layer::parse),
            message: self.opt_str(m, "message", "expect"),
            message_contains: self.opt_str(m, "message_contains", "expect"),
            missing_context: None,
            error: self.opt_str(m, "error", "expect"),
            uncertain: None,
            service_refusal: self.opt_str(m, "service_refusal", "expect"),
            residual: self.opt_str(m, "residual", "expect"),
            allowed_when: Vec::new(),
            denied_when: Vec::new(),
        };
        for (field, slot) in [("allowed_when", 0), ("denied_when", 1)] {
            let Some(f) = m.iter().find(|k| k.key == field) else {
                continue;
            };
            match &f.value.kind {
                JsonKind::Array(items) if items.iter().all(|i| matches!(i.kind, JsonKind::Object(_))) => {
                    let v: Vec<serde_json::Value> = items.iter().map(|i| i.to_value()).collect();
                    if slot == 0 {
                        x.allowed_when = v;
                    } else {
                        x.denied_when = v;
                    }
                }
                _ => self.err(
                    ErrorCode::InvalidScenario,
                    f.value.span,
                    format!("expect.{field} must be an array of objects giving values to the unknown keys, e.g. [{{\"aws:SourceIp\": \"10.0.0.1\"}}] (null: absent)"),
                ),
            }
        }
        if let Some(d) = &decision {
            if !DECISIONS.contains(&d.as_str()) {
                let span = m
                    .iter()
                    .find(|k| k.key == "decision")
                    .map(|k| k.value.span)
                    .unwrap_or_default();
                let help = suggestion(d, DECISIONS.iter().copied());
                self.errors.push(Diagnostic::new(ErrorCode::InvalidScenario, format!("expect.decision \"{d}\" is not valid; expected allow, explicit_deny, implicit_deny or (with unknown context keys) conditional")).at(&self.src, span).with_help_opt(help));
            }
        }
        if let Some(d) = &denied_by {
            if !LAYERS.contains(&d.as_str()) {
                let span = m
                    .iter()
                    .find(|k| k.key == "denied_by")
                    .map(|k| k.value.span)
                    .unwrap_or_default();
                let help = suggestion(d, LAYERS.iter().copied());
                self.errors.push(
                    Diagnostic::new(
                        ErrorCode::InvalidScenario,
                        format!(
                            "expect.denied_by \"{d}\" is not valid; expected one of {}",
                            LAYERS.join(", ")
                        ),
                    )
                    .at(&self.src, span)
                    .with_help_opt(help),
                );
            }
        }
        if let Some(u) = m.iter().find(|k| k.key == "uncertain") {
            match &u.value.kind {
                JsonKind::Array(items) => {
                    let mut v = Vec::new();
                    for i in items {
                        if let Some(s) = self.str_of(i, "expect.uncertain[]") {
                            v.push(s);
                        }
                    }
                    x.uncertain = Some(v);
                }
                _ => self.err(
                    ErrorCode::InvalidScenario,
                    u.value.span,
                    "expect.uncertain must be an array of rule ids such as [\"T26\"]",
                ),
            }
        }
        if let Some(mc) = m.iter().find(|k| k.key == "missing_context") {
            match &mc.value.kind {
                JsonKind::Array(items) => {
                    let mut v = Vec::new();
                    for i in items {
                        if let Some(s) = self.str_of(i, "expect.missing_context[]") {
                            v.push(s);
                        }
                    }
                    x.missing_context = Some(v);
                }
                _ => self.err(
                    ErrorCode::InvalidScenario,
                    mc.value.span,
                    "expect.missing_context must be an array of key names",
                ),
            }
        }
        Some(x)
    }

    /// `"resource": {"pattern": "arn:…/*", "for": "any" | "all"}`.
    fn resource_set_of(
        &mut self,
        members: &[Member],
        span: verdict_policy::Span,
    ) -> Option<crate::resource_set::ResourceSet> {
        let mut pattern = None;
        let mut quant = None;
        for m in members {
            match (m.key.as_str(), &m.value.kind) {
                ("pattern", JsonKind::String(p)) => pattern = Some((p.clone(), m.value.span)),
                ("for", JsonKind::String(q)) => quant = Some((q.clone(), m.value.span)),
                ("pattern" | "for", _) => self.err(
                    ErrorCode::InvalidRequest,
                    m.value.span,
                    format!("request.resource.{} must be a string", m.key),
                ),
                (other, _) => {
                    let hint = verdict_policy::diag::suggestion(other, ["pattern", "for"]);
                    let d = Diagnostic::new(
                        ErrorCode::InvalidRequest,
                        format!("request.resource: unknown field \"{other}\"; a resource set is {{\"pattern\": \"arn:…\", \"for\": \"any\" or \"all\"}}"),
                    )
                    .at(&self.src, m.key_span)
                    .with_help_opt(hint);
                    self.errors.push(d);
                }
            }
        }
        let Some((pattern, pspan)) = pattern else {
            self.err(ErrorCode::InvalidRequest, span, "request.resource: a resource set needs \"pattern\" (an ARN whose resource part may hold * and ?)");
            return None;
        };
        if let Err(why) = crate::resource_set::check_pattern(&pattern) {
            self.err(
                ErrorCode::InvalidRequest,
                pspan,
                format!("request.resource.pattern \"{pattern}\": {why}"),
            );
            return None;
        }
        let all = match quant {
            Some((q, _)) if q == "all" => true,
            Some((q, _)) if q == "any" => false,
            Some((q, qspan)) => {
                let hint = verdict_policy::diag::suggestion(&q, ["any", "all"]);
                let d = Diagnostic::new(
                    ErrorCode::InvalidRequest,
                    format!("request.resource.for \"{q}\" is not valid; expected \"any\" (is some resource in the set allowed?) or \"all\" (is every one?)"),
                )
                .at(&self.src, qspan)
                .with_help_opt(hint);
                self.errors.push(d);
                return None;
            }
            None => {
                self.err(
                    ErrorCode::InvalidRequest,
                    span,
                    "request.resource: a resource set needs \"for\": \"any\" or \"all\"",
                );
                return None;
            }
        };
        Some(crate::resource_set::ResourceSet { pattern, all })
    }

    /// `"KEY": {"unknown": true}` or `{"unknown": true, "present": true}`.
    fn unknown_key(&mut self, key: &str, members: &[Member], span: verdict_policy::Span) {
        let mut unknown = false;
        let mut present = false;
        for m in members {
            match (m.key.as_str(), &m.value.kind) {
                ("unknown", JsonKind::Bool(b)) => unknown = *b,
                ("present", JsonKind::Bool(b)) => present = *b,
                ("unknown" | "present", _) => self.err(
                    ErrorCode::InvalidContext,
                    m.value.span,
                    format!(
                        "request.context \"{key}\": \"{}\" must be true or false",
                        m.key
                    ),
                ),
                (other, _) => {
                    let hint = verdict_policy::diag::suggestion(other, ["unknown", "present"]);
                    let d = Diagnostic::new(
                        ErrorCode::InvalidContext,
                        format!("request.context \"{key}\": unknown field \"{other}\"; a context value is a string, number, boolean, a list of those, or {{\"unknown\": true}} (with \"present\": true when the key is known to be sent)"),
                    )
                    .at(&self.src, m.key_span)
                    .with_help_opt(hint);
                    self.errors.push(d);
                }
            }
        }
        if !unknown {
            self.err(
                ErrorCode::InvalidContext,
                span,
                format!("request.context \"{key}\": an object value must be {{\"unknown\": true}} (optionally with \"present\": true)"),
            );
            return;
        }
        if self.unknown.iter().any(|u| u.key.eq_ignore_ascii_case(key)) {
            self.err(
                ErrorCode::InvalidContext,
                span,
                format!("request.context \"{key}\" is declared unknown twice"),
            );
            return;
        }
        self.unknown.push(UnknownKey {
            key: key.to_string(),
            present,
        });
    }

    fn request(
        &mut self,
        r: &Json,
        notes: &mut Vec<crate::trace::Warning>,
    ) -> Option<(Request, Vec<String>)> {
        let m = self.obj(r, "request")?;
        self.check_keys(m, REQUEST, "request");
        let field = |k: &str| m.iter().find(|x| x.key == k);
        let action_m = field("action");
        let Some(action_m) = action_m else {
            self.err(
                ErrorCode::InvalidRequest,
                r.span,
                "request has no \"action\"; expected \"service:Action\" such as \"s3:GetObject\"",
            );
            return None;
        };
        let action = self.str_of(&action_m.value, "request.action")?;
        let Some((service_lc, name_lc)) = Request::split_action(&action) else {
            self.err(ErrorCode::InvalidRequest, action_m.value.span, format!("request.action \"{action}\" must have the form service:Action, such as \"s3:GetObject\" (no wildcards)"));
            return None;
        };
        if name_lc.contains(['*', '?']) {
            self.err(
                ErrorCode::InvalidRequest,
                action_m.value.span,
                format!("request.action \"{action}\" must name one action, without wildcards"),
            );
            return None;
        }
        let Some(principal_m) = field("principal") else {
            self.err(ErrorCode::InvalidRequest, r.span, "request has no \"principal\"; expected an IAM/STS ARN, a service principal or \"anonymous\"");
            return None;
        };
        let principal = self.str_of(&principal_m.value, "request.principal")?;
        let (caller, note) = match Caller::parse(&principal, &format!("{service_lc}:{name_lc}")) {
            Ok(x) => x,
            Err(e) => {
                self.err(ErrorCode::InvalidRequest, principal_m.value.span, e);
                return None;
            }
        };
        notes.extend(note.map(|n| crate::trace::Warning::new("role-as-caller", n)));
        let mut resources = Vec::new();
        if let Some(res) = field("resource") {
            if let JsonKind::Object(members) = &res.value.kind {
                let set = self.resource_set_of(members, res.value.span)?;
                resources.push(crate::resource_set::instance(&set.pattern, "example", "x"));
                self.resource_set = Some(set);
            } else if let Some(s) = self.str_of(&res.value, "request.resource") {
                resources.push(s);
            }
        }
        if let Some(res) = field("resources") {
            match &res.value.kind {
                JsonKind::Array(items) => {
                    for i in items {
                        if let Some(s) = self.str_of(i, "request.resources[]") {
                            resources.push(s);
                        }
                    }
                }
                _ => self.err(
                    ErrorCode::InvalidRequest,
                    res.value.span,
                    "request.resources must be an array of ARNs",
                ),
            }
        }
        if resources.is_empty() {
            self.err(ErrorCode::InvalidRequest, r.span, "request has no \"resource\"; give the ARN acted on, or \"*\" for actions without resource-level permissions");
            return None;
        }
        for (i, res) in resources.iter().enumerate() {
            if let RequestResource::Other(o) = RequestResource::new(res) {
                let span = field("resource").map(|f| f.value.span).unwrap_or(r.span);
                self.err(ErrorCode::InvalidRequest, span, format!("resource #{} \"{o}\" is not an ARN (arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE) or \"*\"", i + 1));
                return None;
            }
        }
        let mut context = Context::new();
        if let Some(c) = field("context") {
            if let Some(cm) = self.obj(&c.value, "request.context") {
                for kv in cm {
                    if let JsonKind::Object(members) = &kv.value.kind {
                        self.unknown_key(&kv.key, members, kv.value.span);
                        continue;
                    }
                    let items = match &kv.value.kind {
                        JsonKind::Array(items) => items.iter().collect(),
                        _ => vec![&kv.value],
                    };
                    for it in items {
                        if let Some(text) = scalar(it) {
                            self.context_values.push(crate::checks::GivenValue {
                                key: kv.key.clone(),
                                value: text,
                                span: Some(it.span),
                            });
                        }
                    }
                    match ctx_value(&kv.value) {
                        Some(v) => context.insert(&kv.key, v),
                        None => self.err(
                            ErrorCode::InvalidContext,
                            kv.value.span,
                            format!("context value of \"{}\" must be a string, number, boolean or an array of those, found {}", kv.key, kv.value.type_name()),
                        ),
                    }
                }
            }
        }
        let principal_id = self.opt_str(m, "principal_id", "request");
        let canonical_user_id = self.opt_str(m, "canonical_user_id", "request");
        let federated_parent = self.opt_str(m, "federated_parent", "request");
        let slr_flag = self
            .bool_of(m, "service_linked_role", "request")
            .unwrap_or(false);
        let slr_inferred = match &caller {
            Caller::AssumedRole { role, .. } => role.starts_with("AWSServiceRoleFor"),
            _ => false,
        } || principal.contains(":role/aws-service-role/");
        caller.derive_keys(&mut context, principal_id.as_deref());
        let first = resources.remove(0);
        Some((
            Request {
                caller,
                action,
                service_hash: verdict_policy::model::service_hash(&service_lc),
                service_lc,
                name_lc,
                resource: RequestResource::new(&first),
                context,
                principal_id,
                canonical_user_id,
                service_linked_role: slr_flag || slr_inferred,
                federated_parent,
            },
            resources,
        ))
    }

    fn named_policy(
        &mut self,
        v: &Json,
        ty: PolicyType,
        label: String,
        scp_syntax: ScpSyntax,
    ) -> Option<NamedPolicy> {
        let mut opts = ParseOptions::new(ty);
        opts.scp_syntax = scp_syntax;
        let (name, arn, doc) = match &v.kind {
            JsonKind::Object(m) if m.iter().any(|x| x.key == "document") => {
                self.check_keys(
                    m,
                    &["name", "arn", "document", "type"],
                    &format!("named policy {label}"),
                );
                let name = self.opt_str(m, "name", &label);
                let arn = self.opt_str(m, "arn", &label);
                let doc = m.iter().find(|x| x.key == "document").map(|x| &x.value)?;
                (name, arn, doc)
            }
            _ => (None, None, v),
        };
        let key = self.cache.as_ref().map(|_| {
            (
                ty,
                scp_syntax == ScpSyntax::Legacy2023,
                self.src.slice(doc.span).to_string(),
            )
        });
        if let (Some(cache), Some(k)) = (self.cache.as_deref(), key.as_ref()) {
            if let Some(policy) = cache.map.get(k) {
                return Some(NamedPolicy::new(name, arn, label, policy.clone()));
            }
        }
        match parse_policy_json(doc, &self.src, opts) {
            Ok(policy) => {
                let policy = Arc::new(policy);
                if let (Some(cache), Some(k)) = (self.cache.as_deref_mut(), key) {
                    cache.map.insert(k, Arc::clone(&policy));
                }
                Some(NamedPolicy::new(name, arn, label, policy))
            }
            Err(errs) => {
                self.errors.extend(errs);
                None
            }
        }
    }

    fn policy_list(
        &mut self,
        v: &Json,
        ty: PolicyType,
        base: &str,
        syn: ScpSyntax,
    ) -> Vec<NamedPolicy> {
        match &v.kind {
            JsonKind::Array(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, p)| self.named_policy(p, ty, format!("{base}[{i}]"), syn))
                .collect(),
            JsonKind::Null => Vec::new(),
            _ => self
                .named_policy(v, ty, base.to_string(), syn)
                .into_iter()
                .collect(),
        }
    }

    fn levels(
        &mut self,
        v: &Json,
        ty: PolicyType,
        base: &str,
        syn: ScpSyntax,
    ) -> Option<Vec<Vec<NamedPolicy>>> {
        match &v.kind {
            JsonKind::Null => None,
            JsonKind::Array(levels) => Some(
                levels
                    .iter()
                    .enumerate()
                    .map(|(i, lvl)| match &lvl.kind {
                        JsonKind::Array(_) => self.policy_list(lvl, ty, &format!("{base}[{i}]"), syn),
                        _ => {
                            self.err(ErrorCode::InvalidScenario, lvl.span, format!("{base}[{i}] must be an array of policies (one array per organization level: root, OUs, account)"));
                            Vec::new()
                        }
                    })
                    .collect(),
            ),
            _ => {
                self.err(ErrorCode::InvalidScenario, v.span, format!("{base} must be an array of levels, each an array of policies"));
                None
            }
        }
    }

    fn policies(&mut self, p: &Json, trust: bool, syn: ScpSyntax) -> Option<Policies> {
        let m = self.obj(p, "policies")?;
        self.check_keys(m, POLICIES, "policies");
        let mut out = Policies::default();
        for f in m {
            let v = &f.value;
            match f.key.as_str() {
                "identity" => {
                    out.identity = self.policy_list(v, PolicyType::Identity, "identity", syn)
                }
                "session" => out.session = self.policy_list(v, PolicyType::Session, "session", syn),
                "resource" if !matches!(v.kind, JsonKind::Null) => {
                    let ty = if trust {
                        PolicyType::Trust
                    } else {
                        PolicyType::Resource
                    };
                    let label = if trust {
                        "role trust policy"
                    } else {
                        "resource policy"
                    };
                    out.resource = self.named_policy(v, ty, label.into(), syn);
                }
                "permissions_boundary" if !matches!(v.kind, JsonKind::Null) => {
                    out.permissions_boundary = self.named_policy(
                        v,
                        PolicyType::Boundary,
                        "permissions boundary".into(),
                        syn,
                    )
                }
                "vpc_endpoint" if !matches!(v.kind, JsonKind::Null) => {
                    out.vpc_endpoint = Some(self.policy_list(
                        v,
                        PolicyType::VpcEndpoint,
                        "VPC endpoint policy",
                        syn,
                    ))
                }
                "scps" => out.scps = self.levels(v, PolicyType::Scp, "scps", syn),
                "rcps" => out.rcps = self.levels(v, PolicyType::Rcp, "rcps", syn),
                _ => {}
            }
        }
        Some(out)
    }

    fn apigateway(&mut self, a: &Json) -> Option<ApiGateway> {
        let m = self.obj(a, "apigateway")?;
        self.check_keys(
            m,
            &[
                "authorization_type",
                "authorizer_policy",
                "cognito_token_valid",
            ],
            "apigateway",
        );
        let t = self
            .opt_str(m, "authorization_type", "apigateway")
            .unwrap_or_else(|| "AWS_IAM".into());
        let authorization_type = match t.as_str() {
            "NONE" => AuthorizationType::None,
            "AWS_IAM" => AuthorizationType::AwsIam,
            "CUSTOM" => AuthorizationType::Custom,
            "COGNITO_USER_POOLS" => AuthorizationType::CognitoUserPools,
            other => {
                let span = m
                    .iter()
                    .find(|x| x.key == "authorization_type")
                    .map(|x| x.value.span)
                    .unwrap_or(a.span);
                let help = suggestion(other, ["NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS"]);
                self.errors.push(Diagnostic::new(ErrorCode::InvalidScenario, format!("apigateway.authorization_type \"{other}\" is not valid; expected NONE, AWS_IAM, CUSTOM or COGNITO_USER_POOLS")).at(&self.src, span).with_help_opt(help));
                return None;
            }
        };
        let authorizer_policy = m
            .iter()
            .find(|x| x.key == "authorizer_policy")
            .filter(|x| !matches!(x.value.kind, JsonKind::Null))
            .and_then(|x| {
                self.named_policy(
                    &x.value,
                    PolicyType::Authorizer,
                    "authorizer policy".into(),
                    ScpSyntax::Current,
                )
            });
        let cognito_token_valid = self
            .bool_of(m, "cognito_token_valid", "apigateway")
            .unwrap_or(true);
        Some(ApiGateway {
            authorization_type,
            authorizer_policy,
            cognito_token_valid,
        })
    }
}

fn scalar(v: &Json) -> Option<String> {
    match &v.kind {
        JsonKind::String(s) => Some(s.clone()),
        JsonKind::Number(n) => Some(n.clone()),
        JsonKind::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn ctx_value(v: &Json) -> Option<CtxValue> {
    match &v.kind {
        JsonKind::Array(items) => items
            .iter()
            .map(scalar)
            .collect::<Option<Vec<_>>>()
            .map(CtxValue::Multi),
        _ => scalar(v).map(CtxValue::Single),
    }
}
