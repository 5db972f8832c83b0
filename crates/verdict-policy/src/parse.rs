//! Policy parser: text or JSON tree → validated [`Policy`], or diagnostics (§2).

use crate::arn::{Arn, ResourcePattern};
use crate::condition::{
    parse_date, parse_number, parse_operator, BaseOp, BoolValue, CondValue, Condition, Family,
    OperatorError,
};
use crate::diag::{suggestion, Detail, Diagnostic, ErrorCode};
use crate::json::{self, Json, JsonKind, Member};
use crate::model::*;
use crate::principal::{PrincipalEntry, PrincipalKey};
use crate::source::{SourceFile, Span};
use crate::template::Template;
use std::sync::Arc;

/// Which SCP grammar to validate against (§2.3, T89).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ScpSyntax {
    /// The full policy language (current AWS behaviour).
    #[default]
    Current,
    /// The June-2023 rules: Allow only with `Action` and `Resource: "*"`.
    Legacy2023,
}

/// Options for parsing one policy.
#[derive(Clone, Copy, Debug)]
pub struct ParseOptions {
    /// The policy type to validate against.
    pub policy_type: PolicyType,
    /// SCP grammar mode.
    pub scp_syntax: ScpSyntax,
    /// Treat `{{NAME}}` as a value an IaC template fills in at deploy time: checks of the
    /// value's form skip text that holds one (the linter reads templates this way).
    pub placeholders: bool,
}

/// True if `s` holds an unresolved IaC placeholder `{{NAME}}` (see [`ParseOptions::placeholders`]).
pub fn has_placeholder(s: &str) -> bool {
    s.contains("{{") && s.contains("}}")
}

impl ParseOptions {
    /// Options for `policy_type` with defaults otherwise.
    pub fn new(policy_type: PolicyType) -> Self {
        ParseOptions {
            policy_type,
            scp_syntax: ScpSyntax::Current,
            placeholders: false,
        }
    }
}

const TOP_KEYS: &[&str] = &["Version", "Id", "Statement"];
const STMT_KEYS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Parse a policy from text: a JSON object, a JSON string holding one, or URL-encoded JSON.
pub fn parse_policy(
    source: &Arc<SourceFile>,
    opts: ParseOptions,
) -> Result<Policy, Vec<Diagnostic>> {
    let trimmed = source.text().trim_start();
    if trimmed
        .get(..3)
        .is_some_and(|p| p.eq_ignore_ascii_case("%7B"))
    {
        let decoded = percent_encoding::percent_decode_str(source.text().trim())
            .decode_utf8()
            .map_err(|_| {
                vec![Diagnostic::new(
                    ErrorCode::JsonSyntax,
                    "URL-encoded policy does not decode to UTF-8 text",
                )
                .at(source, Span::new(0, 0))]
            })?;
        let inner = SourceFile::new(
            format!("{} (URL-decoded)", source.name()),
            decoded.into_owned(),
        );
        return parse_policy(&inner, opts);
    }
    let tree = json::parse(source).map_err(|d| vec![d])?;
    parse_policy_json(&tree, source, opts)
}

/// Parse a policy from an already-parsed JSON value (an object, or a string holding the document).
pub fn parse_policy_json(
    tree: &Json,
    source: &Arc<SourceFile>,
    opts: ParseOptions,
) -> Result<Policy, Vec<Diagnostic>> {
    if let JsonKind::String(s) = &tree.kind {
        let pos = source.position(tree.span.start);
        let inner = SourceFile::new(
            format!(
                "{} (policy string at {}:{})",
                source.name(),
                pos.line,
                pos.column
            ),
            s.clone(),
        );
        return parse_policy(&inner, opts);
    }
    let mut p = Parser {
        src: source.clone(),
        opts,
        errors: Vec::new(),
        variables: false,
    };
    let policy = p.policy(tree);
    match policy {
        Some(pol) if p.errors.is_empty() => Ok(pol),
        _ => {
            if p.errors.is_empty() {
                p.errors.push(
                    Diagnostic::new(ErrorCode::WrongType, "policy could not be read")
                        .at(source, tree.span),
                );
            }
            Err(p.errors)
        }
    }
}

struct Parser {
    src: Arc<SourceFile>,
    opts: ParseOptions,
    errors: Vec<Diagnostic>,
    variables: bool,
}

impl Parser {
    fn err(&mut self, code: ErrorCode, span: Span, msg: impl Into<String>) {
        self.errors
            .push(Diagnostic::new(code, msg).at(&self.src, span));
    }

    fn err_detail(&mut self, code: ErrorCode, span: Span, msg: impl Into<String>, detail: Detail) {
        self.errors.push(
            Diagnostic::new(code, msg)
                .at(&self.src, span)
                .with_detail(detail),
        );
    }

    fn err_help(
        &mut self,
        code: ErrorCode,
        span: Span,
        msg: impl Into<String>,
        help: Option<String>,
    ) {
        self.errors.push(
            Diagnostic::new(code, msg)
                .at(&self.src, span)
                .with_help_opt(help),
        );
    }

    fn wrong_type(&mut self, what: &str, expected: &str, v: &Json) {
        let msg = format!("{what} must be {expected}, found {}", v.type_name());
        self.err(ErrorCode::WrongType, v.span, msg);
    }

    fn string<'a>(&mut self, what: &str, v: &'a Json) -> Option<&'a str> {
        match &v.kind {
            JsonKind::String(s) => Some(s),
            _ => {
                self.wrong_type(what, "a string", v);
                None
            }
        }
    }

    /// A string or a non-empty array of strings.
    fn string_list<'a>(&mut self, what: &str, v: &'a Json) -> Vec<(&'a str, Span)> {
        match &v.kind {
            JsonKind::String(s) => vec![(s.as_str(), v.span)],
            JsonKind::Array(items) => {
                if items.is_empty() {
                    self.err_detail(
                        ErrorCode::MissingElement,
                        v.span,
                        format!("{what} must not be an empty array; expected at least one string"),
                        Detail::EmptyArray,
                    );
                }
                let mut out = Vec::new();
                for i in items {
                    if let Some(s) = self.string(what, i) {
                        out.push((s, i.span));
                    }
                }
                out
            }
            _ => {
                self.wrong_type(what, "a string or an array of strings", v);
                Vec::new()
            }
        }
    }

    fn object<'a>(&mut self, what: &str, v: &'a Json) -> Option<&'a [Member]> {
        match &v.kind {
            JsonKind::Object(m) => Some(m),
            _ => {
                self.wrong_type(what, "an object", v);
                None
            }
        }
    }

    fn policy(&mut self, tree: &Json) -> Option<Policy> {
        let members = self.object("a policy document", tree)?;
        let mut version = None;
        let mut id = None;
        let mut statement = None;
        for m in members {
            match m.key.as_str() {
                "Version" => {
                    if let Some(v) = self.string("Version", &m.value) {
                        version = match v {
                            "2012-10-17" => Some(Version::V2012_10_17),
                            "2008-10-17" => Some(Version::V2008_10_17),
                            other => {
                                let help = suggestion(other, ["2012-10-17", "2008-10-17"])
                                    .or_else(|| Some("use \"2012-10-17\"".into()));
                                self.err_help(
                                    ErrorCode::InvalidVersion,
                                    m.value.span,
                                    format!("Version \"{other}\" is not valid; expected \"2012-10-17\" or \"2008-10-17\""),
                                    help,
                                );
                                None
                            }
                        };
                    }
                }
                "Id" => id = self.string("Id", &m.value).map(str::to_string),
                "Statement" => statement = Some(&m.value),
                other => {
                    let help = suggestion(other, TOP_KEYS.iter().copied());
                    self.err_help(
                        ErrorCode::UnknownElement,
                        m.key_span,
                        format!("unknown policy element \"{other}\"; expected one of Version, Id, Statement"),
                        help,
                    );
                }
            }
        }
        self.variables = version == Some(Version::V2012_10_17);
        if matches!(self.opts.policy_type, PolicyType::Scp | PolicyType::Rcp)
            && version != Some(Version::V2012_10_17)
            && self.errors.is_empty()
        {
            self.err(
                ErrorCode::InvalidVersion,
                tree.span,
                format!(
                    "{} must declare \"Version\": \"2012-10-17\"",
                    if self.opts.policy_type == PolicyType::Scp {
                        "a service control policy"
                    } else {
                        "a resource control policy"
                    }
                ),
            );
        }
        let Some(stmt_json) = statement else {
            self.err(
                ErrorCode::MissingElement,
                tree.span,
                "policy has no \"Statement\"; expected a statement object or an array of them",
            );
            return None;
        };
        let items: Vec<&Json> = match &stmt_json.kind {
            JsonKind::Object(_) => vec![stmt_json],
            JsonKind::Array(a) => a.iter().collect(),
            _ => {
                self.wrong_type("Statement", "an object or an array of objects", stmt_json);
                return None;
            }
        };
        if items.is_empty() {
            self.err(
                ErrorCode::EmptyStatement,
                stmt_json.span,
                "Statement is empty; expected at least one statement",
            );
        }
        let mut statements = Vec::with_capacity(items.len());
        for (i, s) in items.into_iter().enumerate() {
            if let Some(st) = self.statement(i, s) {
                statements.push(st);
            }
        }
        if self.opts.policy_type.is_iam() {
            for (i, a) in statements.iter().enumerate() {
                let Some(sid) = a.sid.as_deref().filter(|s| !s.is_empty()) else {
                    continue;
                };
                if statements
                    .iter()
                    .take(i)
                    .any(|b| b.sid.as_deref() == Some(sid))
                {
                    self.err(
                        ErrorCode::DuplicateSid,
                        a.span,
                        format!("Statement IDs (SID) in a single policy must be unique: \"{sid}\" is used twice"),
                    );
                }
            }
        }
        Some(Policy::new(
            self.src.clone(),
            tree.span,
            self.opts.policy_type,
            version,
            id,
            statements,
        ))
    }

    fn statement(&mut self, index: usize, v: &Json) -> Option<Statement> {
        let members = self.object("each statement", v)?;
        let ty = self.opts.policy_type;
        let before = self.errors.len();
        let get = |k: &str| members.iter().find(|m| m.key == k);
        for m in members {
            if !STMT_KEYS.contains(&m.key.as_str()) {
                let help = suggestion(&m.key, STMT_KEYS.iter().copied());
                self.err_help(
                    ErrorCode::UnknownElement,
                    m.key_span,
                    format!(
                        "unknown statement element \"{}\"; expected one of {}",
                        m.key,
                        STMT_KEYS.join(", ")
                    ),
                    help,
                );
            }
        }
        let sid = match get("Sid") {
            Some(m) => {
                let s = self.string("Sid", &m.value).map(str::to_string);
                if let Some(s) = &s {
                    if ty.is_iam() && !s.chars().all(|c| c.is_ascii_alphanumeric()) {
                        self.err(
                            ErrorCode::InvalidSid,
                            m.value.span,
                            format!("Sid \"{s}\" must be alpha-numeric in IAM policies (letters and digits only, [0-9A-Za-z]*)"),
                        );
                    }
                }
                s
            }
            None => None,
        };
        let effect = match get("Effect") {
            Some(m) => match self.string("Effect", &m.value) {
                Some("Allow") => Some(Effect::Allow),
                Some("Deny") => Some(Effect::Deny),
                Some(other) => {
                    let help = suggestion(other, ["Allow", "Deny"]);
                    self.err_help(
                        ErrorCode::InvalidEffect,
                        m.value.span,
                        format!("Effect \"{other}\" is not valid; expected \"Allow\" or \"Deny\" (case-sensitive)"),
                        help,
                    );
                    None
                }
                None => None,
            },
            None => {
                self.err(
                    ErrorCode::MissingElement,
                    v.span,
                    "statement has no \"Effect\"; expected \"Allow\" or \"Deny\"",
                );
                None
            }
        };

        // Principal / NotPrincipal
        let principal = match (get("Principal"), get("NotPrincipal")) {
            (Some(_), Some(n)) => {
                self.err(
                    ErrorCode::ConflictingElements,
                    n.key_span,
                    "a statement may have Principal or NotPrincipal, not both",
                );
                None
            }
            (Some(m), None) => self.principal(m, false),
            (None, Some(m)) => self.principal(m, true),
            (None, None) => None,
        };
        if let Some(m) = get("Principal").or(get("NotPrincipal")) {
            match ty {
                PolicyType::Scp => {
                    self.err(
                        ErrorCode::ScpElementNotPermitted,
                        m.key_span,
                        format!("service control policies do not support {}; an SCP applies to every principal of the accounts it is attached to", m.key),
                    );
                }
                PolicyType::Identity
                | PolicyType::Boundary
                | PolicyType::Session
                | PolicyType::Authorizer => {
                    self.err(
                        ErrorCode::PrincipalNotAllowed,
                        m.key_span,
                        format!("Policy document should not specify a principal: {} policies take no {}", ty.as_str(), m.key),
                    );
                }
                _ => {}
            }
        } else if matches!(
            ty,
            PolicyType::Resource | PolicyType::Trust | PolicyType::Rcp
        ) {
            self.err(
                ErrorCode::PrincipalRequired,
                v.span,
                format!("a {} policy statement needs a Principal", ty.as_str()),
            );
        }
        if let Some(m) = get("NotPrincipal") {
            if matches!(ty, PolicyType::Trust) {
                self.err(
                    ErrorCode::NotPrincipalNotAllowed,
                    m.key_span,
                    "NotPrincipal is not allowed in a role trust policy",
                );
            } else if ty == PolicyType::Rcp {
                self.err(
                    ErrorCode::RcpElementNotPermitted,
                    m.key_span,
                    "resource control policies do not support NotPrincipal",
                );
            } else if effect == Some(Effect::Allow) {
                self.err_detail(
                    ErrorCode::NotPrincipalNotAllowed,
                    m.key_span,
                    "NotPrincipal is only supported with \"Effect\": \"Deny\"",
                    Detail::NotPrincipalWithAllow,
                );
            }
        }

        // Action / NotAction
        let action = match (get("Action"), get("NotAction")) {
            (Some(_), Some(n)) => {
                self.err(
                    ErrorCode::ConflictingElements,
                    n.key_span,
                    "a statement may have Action or NotAction, not both",
                );
                None
            }
            (Some(m), None) => self.actions(m, false),
            (None, Some(m)) => self.actions(m, true),
            (None, None) => {
                self.err(
                    ErrorCode::MissingElement,
                    v.span,
                    "statement has no \"Action\" or \"NotAction\"",
                );
                None
            }
        };
        if ty == PolicyType::Rcp {
            if let Some(m) = get("NotAction") {
                self.err(
                    ErrorCode::RcpElementNotPermitted,
                    m.key_span,
                    "resource control policies do not support NotAction",
                );
            }
        }

        // Resource / NotResource
        let resource = match (get("Resource"), get("NotResource")) {
            (Some(_), Some(n)) => {
                self.err(
                    ErrorCode::ConflictingElements,
                    n.key_span,
                    "a statement may have Resource or NotResource, not both",
                );
                None
            }
            (Some(m), None) => self.resources(m, false),
            (None, Some(m)) => self.resources(m, true),
            (None, None) => {
                if ty != PolicyType::Trust {
                    self.err_detail(
                        ErrorCode::MissingElement,
                        v.span,
                        "statement has no \"Resource\" or \"NotResource\"",
                        Detail::MissingResource,
                    );
                }
                None
            }
        };

        let (conditions, condition_span) = match get("Condition") {
            Some(m) => (self.conditions(&m.value), Some(m.value.span)),
            None => (Vec::new(), None),
        };

        // Policy-type rules that need the whole statement.
        if ty == PolicyType::Rcp {
            if let Some(p) = &principal {
                if !(p.negated || matches!(p.raw.as_slice(), [only] if only == "*")) {
                    self.err(
                        ErrorCode::RcpPrincipalMustBeWildcard,
                        p.span,
                        "an RCP statement's Principal must be \"*\"",
                    );
                }
            }
            if effect == Some(Effect::Allow) {
                let full_access = action.as_ref().is_some_and(|a| {
                    !a.negated && matches!(a.patterns.as_slice(), [only] if only.is_any())
                }) && resource.as_ref().is_some_and(|r| {
                    !r.negated && matches!(r.entries.as_slice(), [only] if only.raw == "*")
                }) && conditions.is_empty();
                if !full_access {
                    self.err(
                        ErrorCode::RcpAllowNotPermitted,
                        v.span,
                        "custom resource control policies may only Deny; only RCPFullAWSAccess uses Allow",
                    );
                }
            }
        }
        if ty == PolicyType::Scp
            && self.opts.scp_syntax == ScpSyntax::Legacy2023
            && effect == Some(Effect::Allow)
        {
            if let Some(m) = get("NotAction") {
                self.err(
                    ErrorCode::ScpLegacySyntax,
                    m.key_span,
                    "in the 2023 SCP grammar an Allow statement cannot use NotAction",
                );
            }
            if let Some(m) = get("Condition") {
                self.err(
                    ErrorCode::ScpLegacySyntax,
                    m.key_span,
                    "in the 2023 SCP grammar an Allow statement cannot have a Condition",
                );
            }
            if let Some(r) = &resource {
                if r.entries.iter().any(|e| e.raw != "*") {
                    self.err(
                        ErrorCode::ScpLegacySyntax,
                        r.span,
                        "in the 2023 SCP grammar an Allow statement's Resource must be \"*\"",
                    );
                }
            }
        }
        // These two hold for every statement of a 2023-grammar SCP, Deny included.
        if ty == PolicyType::Scp && self.opts.scp_syntax == ScpSyntax::Legacy2023 {
            if let Some(m) = get("NotResource") {
                self.err(
                    ErrorCode::ScpLegacySyntax,
                    m.key_span,
                    "the 2023 SCP grammar has no NotResource",
                );
            }
            if let Some(a) = &action {
                for p in &a.patterns {
                    let name = p.raw.split_once(':').map(|x| x.1).unwrap_or("");
                    if name.trim_end_matches('*').contains(['*', '?']) {
                        self.err(
                            ErrorCode::ScpLegacySyntax,
                            p.span,
                            format!(
                                "in the 2023 SCP grammar a wildcard may only end an action: \"{}\"",
                                p.raw
                            ),
                        );
                    }
                }
            }
        }

        if self.errors.len() > before {
            return None;
        }
        Some(Statement {
            index,
            span: v.span,
            sid,
            effect: effect?,
            principal,
            action: action?,
            resource,
            conditions,
            condition_span,
        })
    }

    fn principal(&mut self, m: &Member, negated: bool) -> Option<PrincipalBlock> {
        let v = &m.value;
        let mut entries = Vec::new();
        let mut raw = Vec::new();
        match &v.kind {
            JsonKind::String(s) if s == "*" => {
                entries.push(PrincipalEntry::Everyone { aws_form: false });
                raw.push("*".to_string());
            }
            JsonKind::String(s) => {
                self.err_help(
                    ErrorCode::InvalidPrincipal,
                    v.span,
                    format!("{} \"{s}\" is not valid; expected \"*\" or an object such as {{\"AWS\": \"arn:aws:iam::111122223333:root\"}}", m.key),
                    Some(format!("write {{\"AWS\": \"{s}\"}}")),
                );
                return None;
            }
            JsonKind::Object(members) => {
                if members.is_empty() {
                    self.err_detail(ErrorCode::InvalidPrincipal, v.span, format!("{} is empty; expected at least one of AWS, Service, Federated, CanonicalUser", m.key), Detail::EmptyPrincipalObject);
                }
                for pm in members {
                    let Some(key) = PrincipalKey::ALL
                        .iter()
                        .find(|(n, _)| *n == pm.key)
                        .map(|x| x.1)
                    else {
                        let help = suggestion(&pm.key, PrincipalKey::ALL.iter().map(|x| x.0));
                        self.err_help(
                            ErrorCode::UnknownElement,
                            pm.key_span,
                            format!("unknown principal type \"{}\"; expected AWS, Service, Federated or CanonicalUser", pm.key),
                            help,
                        );
                        continue;
                    };
                    for (s, span) in self.string_list(&format!("{}.{}", m.key, pm.key), &pm.value) {
                        match PrincipalEntry::parse(key, s) {
                            Ok(e) => {
                                entries.push(e);
                                raw.push(if s == "*" && key == PrincipalKey::Aws {
                                    "AWS:*".to_string()
                                } else {
                                    s.to_string()
                                });
                            }
                            Err(e) => self.err(ErrorCode::InvalidPrincipal, span, e.0),
                        }
                    }
                }
            }
            _ => {
                self.wrong_type(&m.key, "\"*\" or an object", v);
                return None;
            }
        }
        Some(PrincipalBlock {
            negated,
            entries,
            raw,
            span: v.span,
        })
    }

    fn actions(&mut self, m: &Member, negated: bool) -> Option<ActionBlock> {
        let mut patterns = Vec::new();
        for (s, span) in self.string_list(&m.key, &m.value) {
            if s == "*" {
                patterns.push(ActionPattern::new(s, span));
                continue;
            }
            let colons = s.matches(':').count();
            let Some((svc, name)) = s.split_once(':') else {
                self.err(
                    ErrorCode::InvalidAction,
                    span,
                    format!("action \"{s}\" must have the form service:Action (for example \"s3:GetObject\") or be \"*\""),
                );
                continue;
            };
            if colons > 1 {
                self.err(
                    ErrorCode::InvalidAction,
                    span,
                    format!("action \"{s}\": Actions/Condition can contain only one colon"),
                );
                continue;
            }
            if svc.contains(['*', '?']) {
                self.err(
                    ErrorCode::WildcardInService,
                    span,
                    format!("action \"{s}\" has a wildcard in the service prefix; wildcards are allowed only in the action name"),
                );
                continue;
            }
            if svc.is_empty()
                || name.is_empty()
                || !svc.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                self.err(
                    ErrorCode::InvalidAction,
                    span,
                    format!("action \"{s}\" must have the form service:Action with a service prefix of letters, digits and '-'"),
                );
                continue;
            }
            patterns.push(ActionPattern::new(s, span));
        }
        Some(ActionBlock::new(negated, patterns, m.value.span))
    }

    fn resources(&mut self, m: &Member, negated: bool) -> Option<ResourceBlock> {
        let mut entries = Vec::new();
        for (s, span) in self.string_list(&m.key, &m.value) {
            let placeholder = self.opts.placeholders && has_placeholder(s);
            if let Some(problem) = crate::arn::resource_text_problem(s).filter(|_| !placeholder) {
                let help = (!s.contains(':') && !s.contains('.'))
                    .then(|| format!("for an S3 bucket write \"arn:aws:s3:::{s}\""));
                self.err_help(ErrorCode::InvalidResource, span, problem, help);
                continue;
            }
            let full = match crate::arn::arn_shape(s) {
                crate::arn::ArnShape::ShortWildcard(padded) => padded,
                _ => s.to_string(),
            };
            if let Some(a) = Arn::parse(&full) {
                // Variables may not name the partition or the service (T87). AWS's own managed
                // policies use them in the account segment, so region and account may hold one.
                if self.variables && (a.partition.contains("${") || a.service.contains("${")) {
                    self.err(
                            ErrorCode::VariableBeforeFifthColon,
                            span,
                            format!("\"{s}\": policy variables are not allowed in the partition or service of an ARN; use them in the resource part (after the fifth colon)"),
                        );
                    continue;
                }
                if a.service.contains(['*', '?']) {
                    self.err(
                        ErrorCode::WildcardInService,
                        span,
                        format!("\"{s}\" has a wildcard in the service segment of the ARN; name the service"),
                    );
                    continue;
                }
            }
            entries.push(ResourceEntry::new(
                s.to_string(),
                span,
                ResourcePattern::new(s, self.variables),
            ));
        }
        Some(ResourceBlock {
            negated,
            entries,
            span: m.value.span,
        })
    }

    fn conditions(&mut self, v: &Json) -> Vec<Condition> {
        let mut out = Vec::new();
        let Some(ops) = self.object("Condition", v) else {
            return out;
        };
        for om in ops {
            let op = match parse_operator(&om.key) {
                Ok(op) => op,
                Err(OperatorError::IfExistsOnNull) => {
                    self.err(ErrorCode::IfExistsOnNull, om.key_span, "the Null operator cannot take IfExists; Null already tests whether the key exists");
                    continue;
                }
                Err(OperatorError::Unknown(hint)) => {
                    self.err_help(
                        ErrorCode::UnknownOperator,
                        om.key_span,
                        format!("unknown condition operator \"{}\"; expected [ForAllValues:|ForAnyValue:]Operator[IfExists], e.g. StringEquals", om.key),
                        hint.map(|h| format!("did you mean \"{h}\"?")),
                    );
                    continue;
                }
            };
            let Some(keys) = self.object(&format!("condition operator {}", om.key), &om.value)
            else {
                continue;
            };
            for km in keys {
                let raw_values = self.condition_values(&km.key, &km.value);
                let mut values = Vec::with_capacity(raw_values.len());
                for (raw, span) in &raw_values {
                    if let Some(cv) = self.typed_value(op.base, raw, *span) {
                        values.push(cv);
                    }
                }
                out.push(Condition {
                    op: op.clone(),
                    op_name: om.key.clone(),
                    op_span: om.key_span,
                    key: km.key.clone(),
                    key_lc: km.key.to_ascii_lowercase(),
                    key_span: km.key_span,
                    values,
                    raw_values: raw_values.into_iter().map(|x| x.0).collect(),
                });
            }
        }
        out
    }

    /// Scalars (string, number, boolean) or a non-empty array of them, rendered as strings.
    fn condition_values(&mut self, key: &str, v: &Json) -> Vec<(String, Span)> {
        let scalar = |p: &mut Parser, j: &Json| -> Option<(String, Span)> {
            match &j.kind {
                JsonKind::String(s) => Some((s.clone(), j.span)),
                JsonKind::Number(n) => Some((n.clone(), j.span)),
                JsonKind::Bool(b) => Some((b.to_string(), j.span)),
                _ => {
                    p.wrong_type(
                        &format!("the value of condition key \"{key}\""),
                        "a string, number or boolean",
                        j,
                    );
                    None
                }
            }
        };
        match &v.kind {
            JsonKind::Array(items) => {
                if items.is_empty() {
                    self.err_detail(
                        ErrorCode::InvalidConditionValue,
                        v.span,
                        format!("condition key \"{key}\" has an empty list of values; expected at least one value"),
                        Detail::EmptyConditionValues,
                    );
                }
                items.iter().filter_map(|j| scalar(self, j)).collect()
            }
            _ => scalar(self, v).into_iter().collect(),
        }
    }

    fn typed_value(&mut self, base: BaseOp, raw: &str, span: Span) -> Option<CondValue> {
        let detail = if raw.contains("${") {
            Detail::VariableInTypedValue
        } else {
            Detail::ConditionValue(base.family())
        };
        let bad = |p: &mut Parser, expected: &str| {
            p.err_detail(
                ErrorCode::InvalidConditionValue,
                span,
                format!(
                    "\"{raw}\" is not a valid value for {}; expected {expected}",
                    base.name()
                ),
                detail,
            );
            None
        };
        match base.family() {
            Family::String | Family::Arn => Some(CondValue::Text(crate::condition::TextValue::new(
                Template::parse(raw, self.variables),
            ))),
            Family::Numeric => match parse_number(raw) {
                Some(n) => Some(CondValue::Number(n)),
                None => bad(self, "a decimal number such as 10 or 2.5 (policy variables are not supported here)"),
            },
            Family::Date => match parse_date(raw) {
                Some(d) => Some(CondValue::Date(d)),
                None => bad(self, "an ISO 8601 date such as 2024-01-31T00:00:00Z, or epoch seconds (no wildcards or variables)"),
            },
            Family::Bool => {
                if raw.eq_ignore_ascii_case("true") {
                    Some(CondValue::Bool(BoolValue::Literal(true)))
                } else if raw.eq_ignore_ascii_case("false") {
                    Some(CondValue::Bool(BoolValue::Literal(false)))
                } else {
                    let t = Template::parse(raw, self.variables);
                    if t.has_variables() {
                        Some(CondValue::Bool(BoolValue::Template(t)))
                    } else {
                        bad(self, "\"true\" or \"false\"")
                    }
                }
            }
            Family::Binary => {
                use base64::Engine;
                match base64::engine::general_purpose::STANDARD.decode(raw) {
                    Ok(b) => Some(CondValue::Binary(b)),
                    Err(_) => bad(self, "base64-encoded bytes"),
                }
            }
            Family::Ip => match parse_ip(raw) {
                Some(n) => Some(CondValue::Ip(n)),
                None => bad(self, "an IPv4 or IPv6 address or CIDR block such as 203.0.113.0/24"),
            },
            Family::Null => {
                if raw.eq_ignore_ascii_case("true") {
                    Some(CondValue::Null(true))
                } else if raw.eq_ignore_ascii_case("false") {
                    Some(CondValue::Null(false))
                } else {
                    bad(self, "\"true\" (key absent) or \"false\" (key present)")
                }
            }
        }
    }
}

/// Parse an IP address or CIDR; a bare address is /32 or /128 (§4.4.6, U11).
pub fn parse_ip(s: &str) -> Option<ipnet::IpNet> {
    if !s.contains('/') {
        return s.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from);
    }
    s.parse::<ipnet::IpNet>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(ty: PolicyType, text: &str) -> Result<Policy, Vec<Diagnostic>> {
        parse_policy(&SourceFile::new("p.json", text), ParseOptions::new(ty))
    }

    fn first_err(ty: PolicyType, text: &str) -> String {
        match parse(ty, text) {
            Ok(_) => "ok".into(),
            Err(e) => e[0].to_string(),
        }
    }

    #[test]
    fn accepts_string_and_url_encoded_forms() {
        let doc = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#;
        assert!(parse(PolicyType::Identity, doc).is_ok());
        let quoted = serde_json::to_string(doc).unwrap();
        assert!(parse(PolicyType::Identity, &quoted).is_ok());
        let enc: String =
            percent_encoding::utf8_percent_encode(doc, percent_encoding::NON_ALPHANUMERIC)
                .to_string();
        assert!(parse(PolicyType::Identity, &enc).is_ok());
    }

    #[test]
    fn messages_name_location_and_suggest() {
        let e = first_err(
            PolicyType::Identity,
            "{\"Statement\": {\"Efect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"}}",
        );
        assert_eq!(
            e,
            "p.json:1:16: error[unknown-element]: unknown statement element \"Efect\"; expected one of Sid, Effect, Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition\n  help: did you mean \"Effect\"?"
        );
        let e = first_err(
            PolicyType::Identity,
            "{\"Statement\": {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\",\n \"Condition\": {\"StringEqual\": {\"a:b\": \"c\"}}}}",
        );
        assert_eq!(
            e,
            "p.json:2:16: error[unknown-operator]: unknown condition operator \"StringEqual\"; expected [ForAllValues:|ForAnyValue:]Operator[IfExists], e.g. StringEquals\n  help: did you mean \"StringEquals\"?"
        );
        let e = first_err(
            PolicyType::Identity,
            "{\"Statement\": {\"Effect\": \"allow\", \"Action\": \"*\", \"Resource\": \"*\"}}",
        );
        assert_eq!(
            e,
            "p.json:1:26: error[invalid-effect]: Effect \"allow\" is not valid; expected \"Allow\" or \"Deny\" (case-sensitive)\n  help: did you mean \"Allow\"?"
        );
    }

    #[test]
    fn type_rules() {
        let with_principal =
            r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}"#;
        assert!(first_err(PolicyType::Identity, with_principal).contains("principal-not-allowed"));
        assert!(parse(PolicyType::Resource, with_principal).is_ok());
        let rcp_allow = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}}"#;
        assert!(first_err(PolicyType::Rcp, rcp_allow).contains("rcp-allow-not-permitted"));
        let trust = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#;
        assert!(parse(PolicyType::Trust, trust).is_ok());
    }
}
