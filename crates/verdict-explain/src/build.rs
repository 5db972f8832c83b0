//! Assemble a [`Scenario`] from whatever the user has: a scenario file, the message,
//! a CloudTrail record, a decoded authorization message, account snapshots, policy
//! files and explicit context. Later sources win: scenario < decoded message <
//! CloudTrail record < `--context`.

use crate::cloudtrail::EventFacts;
use crate::decoded::DecodedMessage;
use crate::message::{ParsedMessage, ResourceForm};
use crate::origin::{document_of, PolicyKind, PolicyOrigin, Slot};
use crate::snapshot::{
    arn_account, input_error, policy_file, policy_files, AuthDetails, OrgFacts, OrgSnapshot,
    PrincipalRef, TextInput,
};
use serde_json::{json, Map, Value};
use verdict_eval::scenario::{AuthorizationType, MessageStyle};
use verdict_eval::{scenario_from_json, Caller, CtxValue, Layer, NamedPolicy, Scenario};
use verdict_policy::{Diagnostic, PolicyType, SourceFile};

/// Everything the user gave, already read into memory.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// A scenario file to start from.
    pub scenario: Option<TextInput>,
    /// `--message`.
    pub message: Option<String>,
    /// `--event` file.
    pub event: Option<TextInput>,
    /// Which AccessDenied record of the event file (1-based); all when `None`.
    pub record: Option<usize>,
    /// `--auth-details` files.
    pub auth_details: Vec<TextInput>,
    /// `--org` directories.
    pub org: Vec<crate::snapshot::OrgDir>,
    /// `--resource-policy`.
    pub resource_policy: Option<TextInput>,
    /// `--session-policy`.
    pub session_policy: Option<TextInput>,
    /// `--vpc-endpoint-policy`.
    pub vpc_endpoint_policy: Option<TextInput>,
    /// `--identity-policy` files (each one policy, or a JSON array of them).
    pub identity_policies: Vec<TextInput>,
    /// `--permissions-boundary`.
    pub permissions_boundary: Option<TextInput>,
    /// `--scp` files, one per organization level, root first (each a policy or an array).
    pub scps: Vec<TextInput>,
    /// The message already located (one of several in a paste); wins over `message`.
    pub reported: Option<ParsedMessage>,
    /// `--decoded-message`.
    pub decoded_message: Option<TextInput>,
    /// `--context K=V`, in order (later wins).
    pub context: Vec<(String, String)>,
    /// `--authorization-type` for API Gateway.
    pub authorization_type: Option<String>,
}

/// Which kinds of input were given (to say what would settle a disagreement).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Given {
    /// A scenario file.
    pub scenario: bool,
    /// A CloudTrail record.
    pub event: bool,
    /// Authorization details.
    pub auth_details: bool,
    /// Organizations outputs.
    pub org: bool,
    /// A resource policy file.
    pub resource_policy: bool,
    /// A session policy file.
    pub session_policy: bool,
    /// A VPC endpoint policy file.
    pub vpc_endpoint_policy: bool,
    /// Identity policy files.
    pub identity_policies: bool,
    /// A permissions boundary file.
    pub permissions_boundary: bool,
    /// SCP files.
    pub scps: bool,
    /// A decoded authorization message.
    pub decoded_message: bool,
}

/// Where a context value came from.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ContextSource {
    /// Key.
    pub key: String,
    /// Source (`eventTime`, `--context`, `authorization details tags`, …).
    pub from: String,
}

/// A scenario built from the inputs, with what is known about each policy.
#[derive(Clone)]
pub struct Built {
    /// The scenario.
    pub scenario: Scenario,
    /// Origin of each policy.
    pub origins: Vec<(Slot, PolicyOrigin)>,
    /// What AWS reported, when a message was given or found in the record.
    pub reported: Option<ParsedMessage>,
    /// The CloudTrail facts, when a record was given.
    pub event: Option<EventFacts>,
    /// The decoded authorization message, when given.
    pub decoded: Option<DecodedMessage>,
    /// Where context values came from.
    pub context_sources: Vec<ContextSource>,
    /// What was given.
    pub given: Given,
    /// SCP level names, root first.
    pub scp_levels: Vec<String>,
    /// RCP level names, root first.
    pub rcp_levels: Vec<String>,
    /// The principal as found in the snapshot (`user engineering/alice`).
    pub principal_found: Option<String>,
    /// One line naming the inputs.
    pub sources: Vec<String>,
    /// Remarks made while building.
    pub notes: Vec<String>,
    /// Other IAM actions the operation needs (e.g. CopyObject → s3:GetObject too).
    pub other_actions: Vec<String>,
    /// Why the action differs from the operation name.
    pub action_note: Option<String>,
}

impl Built {
    /// The origin of the policy in `slot`.
    pub fn origin(&self, slot: Slot) -> Option<&PolicyOrigin> {
        self.origins
            .iter()
            .find(|(s, _)| *s == slot)
            .map(|(_, o)| o)
    }
}

#[derive(Default)]
struct Fields {
    principal: Option<String>,
    principal_id: Option<String>,
    federated_parent: Option<String>,
    action: Option<String>,
    resource: Option<String>,
    resource_account: Option<String>,
    context: Vec<(String, Value, String)>,
}

impl Fields {
    fn set_ctx(&mut self, key: &str, value: Value, from: &str) {
        self.context
            .retain(|(k, _, _)| !k.eq_ignore_ascii_case(key));
        self.context
            .push((key.to_string(), value, from.to_string()));
    }

    fn has(&self, key: &str) -> bool {
        self.context
            .iter()
            .any(|(k, _, _)| k.eq_ignore_ascii_case(key))
    }

    fn default_ctx(&mut self, key: &str, value: Value, from: &str) {
        if !self.has(key) {
            self.context
                .push((key.to_string(), value, from.to_string()));
        }
    }
}

/// `obj[key] = value` on a JSON object built here (a no-op on anything else), without
/// the `IndexMut` that panics on non-objects. Like it, a new key goes last and an
/// existing key keeps its place.
pub(crate) fn set_member(obj: &mut Value, key: &str, value: Value) {
    if let Some(map) = obj.as_object_mut() {
        map.insert(key.to_string(), value);
    }
}

fn ctx_json(v: &CtxValue) -> Value {
    match v {
        CtxValue::Single(s) => Value::from(s.as_str()),
        CtxValue::Multi(m) => Value::from(m.clone()),
    }
}

/// A resource from a message that is not an ARN (`user NAME`), turned into one when possible.
fn resource_from_message(
    m: &ParsedMessage,
    account: Option<&str>,
    notes: &mut Vec<String>,
) -> Option<String> {
    match &m.resource_form {
        ResourceForm::Arn(a) | ResourceForm::Quoted(a) => Some(a.clone()),
        ResourceForm::ThisResource => {
            notes.push("the message says \"this resource\" without naming it; evaluated on \"*\" (give --event or a scenario to be exact)".into());
            None
        }
        ResourceForm::NotArn(t) => {
            let mut it = t.splitn(2, ' ');
            let (kind, name) = (it.next().unwrap_or(""), it.next().unwrap_or("").trim());
            match (kind, account) {
                ("user" | "role" | "group", Some(a)) if !name.is_empty() && !name.contains(' ') => {
                    let arn = format!("arn:aws:iam::{a}:{kind}/{name}");
                    notes.push(format!(
                        "the message names the resource as \"{t}\"; evaluated as {arn}"
                    ));
                    Some(arn)
                }
                _ => {
                    notes.push(format!("the message names the resource as \"{t}\", which is not an ARN; evaluated on \"*\""));
                    None
                }
            }
        }
        ResourceForm::Absent => None,
    }
}

fn parse_context_value(v: &str) -> Value {
    let t = v.trim();
    if t.starts_with('[') {
        if let Ok(x @ Value::Array(_)) = serde_json::from_str::<Value>(t) {
            return x;
        }
    }
    Value::from(v)
}

/// A label for the resource's policy (`bucket policy of NAME`, `key policy of key/ID`, …).
pub fn resource_policy_label(resource: &str, trust: bool) -> String {
    if trust {
        return format!("trust policy of {}", resource_describe(resource, true));
    }
    let service = resource.split(':').nth(2).unwrap_or("");
    let what = resource_describe(resource, false);
    match service {
        "s3" => format!("bucket policy of {}", what.trim_start_matches("bucket ")),
        "kms" => format!("key policy of {}", what.trim_start_matches("KMS ")),
        "execute-api" => format!("resource policy of {what}"),
        _ => format!("resource policy of {what}"),
    }
}

/// The resource in words (`bucket NAME`, `role NAME`, `API ID`, …).
pub fn resource_describe(resource: &str, trust: bool) -> String {
    if trust {
        return format!(
            "role {}",
            resource.split(":role/").nth(1).unwrap_or(resource)
        );
    }
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    match parts.as_slice() {
        [_, _, "s3", _, _, rest] => format!("bucket {}", rest.split('/').next().unwrap_or(rest)),
        [_, _, "kms", _, _, rest] => format!("KMS {}", rest.replace('/', " ")),
        [_, _, "execute-api", _, _, rest] => {
            format!("API {}", rest.split('/').next().unwrap_or(rest))
        }
        [_, _, "sqs", _, _, rest] => format!("queue {rest}"),
        [_, _, "sns", _, _, rest] => format!("topic {rest}"),
        [_, _, "lambda", _, _, rest] => rest.replace(':', " "),
        [_, _, "secretsmanager", _, _, rest] => rest.replacen(':', " ", 1),
        _ => resource.to_string(),
    }
}

/// Build one scenario. `event` is one AccessDenied record's facts, if any.
pub fn build(inputs: &Inputs, event: Option<&EventFacts>) -> Result<Built, Vec<Diagnostic>> {
    let mut a = Assembly::new(inputs, event);
    // 1. The base scenario.
    a.read_scenario_file()?;
    // 2. The decoded authorization message.
    a.read_decoded_message()?;
    // 3. The CloudTrail record.
    a.read_event()?;
    // 4. The message, for whatever is still unknown.
    a.read_message()?;
    let target = a.target()?;
    // 5. Authorization details: identity policies, boundary, tags, trust policy.
    a.read_auth_details(&target)?;
    // 6. Organizations.
    a.read_organizations(&target)?;
    // 6b. SCP files, one per level (they replace the Organizations outputs' SCPs).
    a.read_scp_files()?;
    // 7. Single policy files.
    a.read_policy_files(&target)?;
    // 8. --context, which wins over everything.
    a.read_context_flags();
    // 9. The request, through the scenario loader (so it is validated as any scenario is).
    let s = a.request(&target)?;
    // 10. Policies: given inputs replace the base scenario's layers.
    Ok(a.policies(target, s))
}

/// A scenario being assembled by [`build`], one input source at a time.
struct Assembly<'a> {
    /// What the user gave.
    inputs: &'a Inputs,
    /// The CloudTrail record's facts, if any.
    event: Option<&'a EventFacts>,
    /// Which kinds of input were given.
    given: Given,
    /// The request's fields so far (later sources win).
    f: Fields,
    /// Remarks made while building.
    notes: Vec<String>,
    /// One line per input used.
    sources: Vec<String>,
    /// The scenario file, loaded.
    base: Option<Scenario>,
    /// The decoded authorization message, parsed.
    decoded: Option<DecodedMessage>,
    /// Why the record's action differs from the operation name.
    action_note: Option<String>,
    /// Other IAM actions the record's operation needs.
    other_actions: Vec<String>,
    /// What AWS reported.
    reported: Option<ParsedMessage>,
    /// Identity policies, when an input gave them.
    identity: Option<Vec<(NamedPolicy, PolicyOrigin)>>,
    /// The permissions boundary (or its known absence), when an input gave it.
    boundary: Option<Option<(NamedPolicy, PolicyOrigin)>>,
    /// The resource (or trust) policy, when an input gave it.
    resource_policy: Option<(NamedPolicy, PolicyOrigin)>,
    /// The principal as found in the authorization details.
    principal_found: Option<String>,
    /// SCPs per level, when an input gave them.
    scps: Option<Vec<Vec<(NamedPolicy, PolicyOrigin)>>>,
    /// RCPs per level, when an input gave them.
    rcps: Option<Vec<Vec<(NamedPolicy, PolicyOrigin)>>>,
    /// SCP level names, root first.
    scp_levels: Vec<String>,
    /// RCP level names, root first.
    rcp_levels: Vec<String>,
    /// The organization's management account.
    management_account: Option<String>,
    /// Session policies, when a file gave them.
    session: Option<Vec<(NamedPolicy, PolicyOrigin)>>,
    /// VPC endpoint policies, when a file gave them.
    vpce: Option<Vec<(NamedPolicy, PolicyOrigin)>>,
    /// Where each context value came from.
    context_sources: Vec<ContextSource>,
    /// The API Gateway authorization type.
    auth_type: Option<String>,
}

/// Who was denied doing what on which resource, settled after step 4.
struct Target {
    /// The principal, as given.
    principal: String,
    /// The action.
    action: String,
    /// The resource (`*` when unknown).
    resource: String,
    /// The principal, parsed.
    caller: Caller,
    /// Whether the action is a role assumption, checked against the trust policy.
    trust: bool,
    /// The account that owns the resource.
    resource_account: Option<String>,
}

impl<'a> Assembly<'a> {
    /// An empty assembly for these inputs.
    fn new(inputs: &'a Inputs, event: Option<&'a EventFacts>) -> Self {
        let given = Given {
            scenario: inputs.scenario.is_some(),
            event: event.is_some(),
            auth_details: !inputs.auth_details.is_empty(),
            org: !inputs.org.is_empty(),
            resource_policy: inputs.resource_policy.is_some(),
            session_policy: inputs.session_policy.is_some(),
            vpc_endpoint_policy: inputs.vpc_endpoint_policy.is_some(),
            identity_policies: !inputs.identity_policies.is_empty(),
            permissions_boundary: inputs.permissions_boundary.is_some(),
            scps: !inputs.scps.is_empty(),
            decoded_message: inputs.decoded_message.is_some(),
        };
        Assembly {
            inputs,
            event,
            given,
            f: Fields::default(),
            notes: Vec::new(),
            sources: Vec::new(),
            base: None,
            decoded: None,
            action_note: None,
            other_actions: Vec::new(),
            reported: None,
            identity: None,
            boundary: None,
            resource_policy: None,
            principal_found: None,
            scps: None,
            rcps: None,
            scp_levels: Vec::new(),
            rcp_levels: Vec::new(),
            management_account: None,
            session: None,
            vpce: None,
            context_sources: Vec::new(),
            auth_type: None,
        }
    }

    /// Step 1: load the scenario file and take its request.
    fn read_scenario_file(&mut self) -> Result<(), Vec<Diagnostic>> {
        self.base = match &self.inputs.scenario {
            Some(t) => {
                let src = SourceFile::new(t.name.clone(), t.text.clone());
                let s = verdict_eval::load_scenario(
                    &src,
                    verdict_eval::scenario::is_yaml_path(&t.name),
                )?;
                if !s.unknown.is_empty() || s.resource_set.is_some() {
                    let what = if s.resource_set.is_some() {
                        "a resource set"
                    } else {
                        "unknown context values"
                    };
                    return Err(vec![verdict_policy::Diagnostic::new(
                        verdict_policy::ErrorCode::InvalidScenario,
                        format!("{}: the scenario asks about {what}; verdict explain explains one concrete request (run `verdict simulate {}` for the answer over the set)", t.name, t.name),
                    )]);
                }
                self.sources.push(format!("scenario {}", t.name));
                let r = &s.request;
                self.f.principal = Some(r.caller.display());
                self.f.principal_id = r.principal_id.clone();
                self.f.federated_parent = r.federated_parent.clone();
                self.f.action = Some(r.action.clone());
                self.f.resource = Some(r.resource.as_str().to_string());
                self.f.resource_account = s.resource_account.clone();
                for e in r.context.entries().filter(|e| !e.derived) {
                    if let Some(v) = e.values.first() {
                        self.f.context.push((
                            e.key.clone(),
                            ctx_json(v),
                            format!("scenario {}", t.name),
                        ));
                    }
                }
                Some(s)
            }
            None => None,
        };
        Ok(())
    }

    /// Step 2: parse the decoded authorization message and take its fields.
    fn read_decoded_message(&mut self) -> Result<(), Vec<Diagnostic>> {
        self.decoded = match &self.inputs.decoded_message {
            Some(t) => {
                let d = crate::decoded::parse_decoded(&t.text)
                    .map_err(|e| vec![input_error(format!("{}: {e}", t.name))])?;
                self.sources
                    .push(format!("decoded authorization message {}", t.name));
                if let Some(p) = &d.principal_arn {
                    self.f.principal = Some(p.clone());
                }
                if let Some(id) = d
                    .principal_id
                    .as_ref()
                    .map(|i| i.split(':').next().unwrap_or(i).to_string())
                {
                    if id.starts_with("AIDA") || id.starts_with("AROA") {
                        self.f.principal_id = Some(id);
                    }
                }
                if let Some(a) = &d.action {
                    self.f.action = Some(a.clone());
                }
                if let Some(r) = &d.resource {
                    self.f.resource = Some(r.clone());
                    self.f.resource_account = None;
                }
                for (k, v) in &d.context {
                    self.f
                        .set_ctx(k, v.clone(), "decoded authorization message");
                }
                Some(d)
            }
            None => None,
        };
        Ok(())
    }

    /// Step 3: take the CloudTrail record's caller, action, resource and context.
    fn read_event(&mut self) -> Result<(), Vec<Diagnostic>> {
        if let Some(ev) = self.event {
            if let Some(why) = &ev.caller.not_evaluable {
                self.notes.push(why.clone());
            }
            if let Some(p) = &ev.caller.principal {
                self.f.principal = Some(p.clone());
            }
            if ev.caller.principal_id.is_some() {
                self.f.principal_id = ev.caller.principal_id.clone();
            }
            if ev.caller.federated_parent.is_some() {
                self.f.federated_parent = ev.caller.federated_parent.clone();
            }
            if let Some((a, rest)) = ev.actions.split_first() {
                self.f.action = Some(a.clone());
                self.other_actions = rest.to_vec();
            } else if let Some(n) = &ev.action_note {
                return Err(vec![input_error(format!(
                    "{} {}: {n}",
                    ev.event_source, ev.event_name
                ))]);
            }
            self.action_note = ev.action_note.clone();
            if let Some(r) = &ev.resource {
                self.f.resource = Some(r.clone());
                self.f.resource_account = ev.resource_account.clone();
            } else if self.decoded.is_none() && self.base.is_none() {
                self.f.resource = None;
            }
            for c in &ev.context {
                self.f.set_ctx(&c.key, c.value.clone(), &c.from);
            }
            self.notes.extend(ev.notes.iter().cloned());
        }
        Ok(())
    }

    /// Step 4: parse the AccessDenied message and fill what is still unknown.
    fn read_message(&mut self) -> Result<(), Vec<Diagnostic>> {
        self.reported = match (&self.inputs.reported, &self.inputs.message) {
            (Some(r), _) => Some(r.clone()),
            (None, Some(m)) => Some(
                crate::message::parse_message(m).map_err(|e| vec![input_error(e.to_string())])?,
            ),
            (None, None) => self.event.and_then(|e| e.message.clone()),
        };
        if let Some(m) = &self.reported {
            if self.f.principal.is_none() {
                self.f.principal = m.principal.clone();
            }
            if self.f.action.is_none() {
                self.f.action = m.action.clone();
                if let Some(a) = m
                    .inferred_action
                    .as_ref()
                    .filter(|_| self.f.action.is_none())
                {
                    self.f.action = Some(a.clone());
                    self.notes.push(format!(
                        "the message names no action; {a} is inferred from the operation {} (inferred)",
                        m.operation.as_deref().unwrap_or("named around it")
                    ));
                }
            }
            if self.f.resource.is_none() {
                let acct = m
                    .principal
                    .as_deref()
                    .and_then(arn_account)
                    .map(str::to_string);
                self.f.resource = resource_from_message(m, acct.as_deref(), &mut self.notes);
                if let Some(r) = m
                    .inferred_resource
                    .as_ref()
                    .filter(|_| self.f.resource.is_none())
                {
                    self.f.resource = Some(r.clone());
                    self.notes.push(format!(
                        "the message names no resource; {r} is inferred from the S3 location in the text (inferred)"
                    ));
                }
            }
            if self.inputs.message.is_some() || self.inputs.reported.is_some() {
                self.sources.push("the AccessDenied message".into());
            }
            if let Some(cmd) = m.decode_command().filter(|_| self.decoded.is_none()) {
                self.notes.push(format!(
                    "the message carries an encoded authorization message, which only AWS can decode (it is encrypted). Decode it with\n    {cmd}\n  and give the file with --decoded-message decoded.json: it holds the request's full condition context"
                ));
            }
        }
        if let Some(ev) = self.event {
            self.sources.insert(
                0,
                format!(
                    "CloudTrail {} {} by {}",
                    ev.event_source.split('.').next().unwrap_or(""),
                    ev.event_name,
                    ev.caller.principal.as_deref().unwrap_or(&ev.caller.kind)
                ),
            );
        }
        Ok(())
    }

    /// Settle the principal, action and resource, or say which is missing.
    fn target(&mut self) -> Result<Target, Vec<Diagnostic>> {
        let Some(principal) = self.f.principal.clone() else {
            return Err(vec![input_error(
                "cannot tell who was denied: the message does not name the caller (bare \"Access Denied\"); give the CloudTrail record with --event, or a scenario file",
            )]);
        };
        let Some(action) = self.f.action.clone() else {
            return Err(vec![input_error("cannot tell which action was denied: give --event, --message with the enhanced AccessDenied text, or a scenario file")]);
        };
        if self.f.resource.is_none() {
            self.f.resource = Some("*".into());
            if self.event.is_some() {
                self.notes.push(
                    "the record does not tell which resource was acted on; evaluated on \"*\""
                        .into(),
                );
            }
        }
        let resource = self.f.resource.clone().unwrap_or_else(|| "*".into());
        let (caller, _) = Caller::parse(&principal, &action.to_ascii_lowercase())
            .map_err(|e| vec![input_error(e)])?;
        let trust = {
            let a = action.to_ascii_lowercase();
            let (svc, name) = a.split_once(':').unwrap_or(("", ""));
            verdict_eval::request::is_trust_action(svc, name, &resource)
                && resource.contains(":role/")
        };
        let resource_account = self
            .f
            .resource_account
            .clone()
            .or_else(|| arn_account(&resource).map(str::to_string))
            .or_else(|| self.base.as_ref().and_then(|b| b.resource_account.clone()));
        if resource_account.is_none()
            && resource.starts_with("arn:aws:s3:::")
            && self.event.is_none()
        {
            self.notes.push("an S3 ARN has no account: the bucket is assumed to be in the caller's account (give --event, or a scenario with resource_account, if it is not)".into());
        }
        Ok(Target {
            principal,
            action,
            resource,
            caller,
            trust,
            resource_account,
        })
    }

    /// Step 5: find the principal in the authorization details (policies, tags, trust policy).
    fn read_auth_details(&mut self, target: &Target) -> Result<(), Vec<Diagnostic>> {
        if !self.inputs.auth_details.is_empty() {
            let auth = AuthDetails::load(&self.inputs.auth_details)?;
            self.notes.extend(auth.notes.iter().cloned());
            self.sources.push(format!(
                "authorization details {}",
                self.inputs
                    .auth_details
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            let known_arn = self
                .f
                .context
                .iter()
                .find(|(k, _, _)| k.eq_ignore_ascii_case("aws:PrincipalArn"))
                .and_then(|(_, v, _)| v.as_str().map(str::to_string));
            let who = match &target.caller {
                Caller::User {
                    account, name, arn, ..
                } => Some(PrincipalRef::User {
                    account: account.clone(),
                    name: name.clone(),
                    arn: Some(arn.clone()),
                }),
                Caller::AssumedRole { account, role, .. } => Some(PrincipalRef::Role {
                    account: account.clone(),
                    name: role.clone(),
                    arn: known_arn,
                }),
                Caller::FederatedUser { account, name, .. } => {
                    let parent = self
                        .f
                        .federated_parent
                        .clone()
                        .unwrap_or_else(|| name.clone());
                    Some(PrincipalRef::User {
                        account: account.clone(),
                        name: parent,
                        arn: None,
                    })
                }
                _ => None,
            };
            if let Some(who) = who {
                let r = auth.resolve(&who)?;
                self.notes.extend(r.notes.iter().cloned());
                match &r.found {
                    Some(found) => {
                        self.principal_found = Some(found.clone());
                        if matches!(target.caller, Caller::AssumedRole { .. }) {
                            if let Some(a) = &r.arn {
                                self.f.default_ctx(
                                    "aws:PrincipalArn",
                                    Value::from(a.as_str()),
                                    "authorization details (role ARN)",
                                );
                            }
                        }
                        if self.f.principal_id.is_none() {
                            self.f.principal_id = r.unique_id.clone();
                        }
                        for (k, v) in &r.tags {
                            self.f.default_ctx(
                                &format!("aws:PrincipalTag/{k}"),
                                Value::from(v.as_str()),
                                &format!("authorization details (tags of {found})"),
                            );
                        }
                        self.identity = Some(r.identity);
                        self.boundary = Some(r.boundary);
                    }
                    None => {
                        let who = match (&target.caller, &self.f.federated_parent) {
                            (Caller::FederatedUser { .. }, Some(p)) => {
                                format!(
                                    "{} (through its parent IAM user {p})",
                                    target.caller.display()
                                )
                            }
                            _ => target.caller.display(),
                        };
                        self.notes.push(format!(
                            "{who} is not in the authorization details given (which cover account(s) {}); its identity policies are unknown",
                            auth.accounts().join(", ")
                        ))
                    }
                }
            }
            if target.trust && self.inputs.resource_policy.is_none() {
                match auth.trust_policy(&target.resource)? {
                    Some(t) => self.resource_policy = Some(t),
                    None => self.notes.push(format!("the role {resource} is not in the authorization details; its trust policy is unknown (give the role's account snapshot too)", resource = target.resource)),
                }
            }
        }
        Ok(())
    }

    /// Step 6: take org IDs, paths, SCPs and RCPs from the Organizations outputs.
    fn read_organizations(&mut self, target: &Target) -> Result<(), Vec<Diagnostic>> {
        let caller = &target.caller;
        self.management_account = self
            .base
            .as_ref()
            .and_then(|b| b.management_account.clone());
        if !self.inputs.org.is_empty() {
            let org = OrgSnapshot::load(&self.inputs.org)?;
            self.notes.extend(org.notes.iter().cloned());
            self.sources.push(format!(
                "Organizations outputs in {}",
                self.inputs
                    .org
                    .iter()
                    .map(|d| d.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            if let Some(m) = org.management_account() {
                self.management_account = Some(m.to_string());
            }
            let mut principal_facts: Option<OrgFacts> = None;
            if let Some(acct) = caller.account() {
                if let Some(pf) = org.facts_for(acct, 0)? {
                    self.notes.extend(pf.notes.iter().cloned());
                    if let Some(o) = &pf.org_id {
                        self.f.default_ctx(
                            "aws:PrincipalOrgID",
                            Value::from(o.as_str()),
                            "Organizations (describe-organization)",
                        );
                    }
                    if let Some(p) = &pf.org_path {
                        self.f.default_ctx(
                            "aws:PrincipalOrgPaths",
                            Value::from(vec![p.clone()]),
                            "Organizations (list-parents)",
                        );
                    }
                    self.scp_levels = pf.levels.clone();
                    self.scps = pf.scps.clone();
                    principal_facts = Some(pf);
                }
            }
            if let Some(racct) = target.resource_account.as_deref().or(caller.account()) {
                let same = Some(racct) == caller.account();
                let rf = if same {
                    principal_facts.clone()
                } else {
                    org.facts_for(racct, 1)?
                };
                if let Some(rf) = rf {
                    if !same {
                        self.notes.extend(rf.notes.iter().cloned());
                    }
                    if let Some(o) = &rf.org_id {
                        self.f.default_ctx(
                            "aws:ResourceOrgID",
                            Value::from(o.as_str()),
                            "Organizations (describe-organization)",
                        );
                    }
                    if let Some(p) = &rf.org_path {
                        self.f.default_ctx(
                            "aws:ResourceOrgPaths",
                            Value::from(vec![p.clone()]),
                            "Organizations (list-parents)",
                        );
                    }
                    self.rcp_levels = rf.levels.clone();
                    self.rcps = rf.rcps;
                }
            }
        }
        Ok(())
    }

    /// Step 6b: load the SCP files, one per level, replacing any SCPs found so far.
    fn read_scp_files(&mut self) -> Result<(), Vec<Diagnostic>> {
        let inputs = self.inputs;
        if !inputs.scps.is_empty() {
            let mut levels = Vec::new();
            self.scp_levels.clear();
            for (i, t) in inputs.scps.iter().enumerate() {
                let level_name = match (i, inputs.scps.len()) {
                    (0, _) => "the organization root".to_string(),
                    (i, n) if i + 1 == n => "the account".to_string(),
                    (i, _) => format!("OU level {i}"),
                };
                let mut level = Vec::new();
                for (j, (pf, label)) in policy_files(t, "SCP")?.into_iter().enumerate() {
                    let np = crate::snapshot::parse_doc(
                        &pf.node,
                        &pf.src,
                        PolicyType::Scp,
                        pf.name.clone(),
                        None,
                        format!("{label} at {level_name}"),
                    )?;
                    let origin = PolicyOrigin {
                        account: None,
                        attached_to: level_name.clone(),
                        kind: PolicyKind::Scp,
                        editable: true,
                        file: t.name.clone(),
                    };
                    let _ = j;
                    level.push((np, origin));
                }
                self.scp_levels.push(level_name);
                levels.push(level);
            }
            self.scps = Some(levels);
            self.sources.push(format!(
                "SCP files {}",
                inputs
                    .scps
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Ok(())
    }

    /// Step 7: load the identity, boundary, resource, session and VPC endpoint policy files.
    fn read_policy_files(&mut self, target: &Target) -> Result<(), Vec<Diagnostic>> {
        let inputs = self.inputs;
        let Target {
            caller,
            resource,
            trust,
            resource_account,
            ..
        } = target;
        let trust = *trust;
        if !inputs.identity_policies.is_empty() {
            let mut list = self.identity.take().unwrap_or_default();
            for t in &inputs.identity_policies {
                for (pf, label) in policy_files(t, "identity policy")? {
                    let np = crate::snapshot::parse_doc(
                        &pf.node,
                        &pf.src,
                        PolicyType::Identity,
                        pf.name.clone(),
                        None,
                        label,
                    )?;
                    let origin = PolicyOrigin {
                        account: caller.account().map(str::to_string),
                        attached_to: caller.display(),
                        kind: PolicyKind::Inline,
                        editable: true,
                        file: t.name.clone(),
                    };
                    list.push((np, origin));
                }
            }
            self.identity = Some(list);
            self.sources.push(format!(
                "identity policy files {}",
                inputs
                    .identity_policies
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        if let Some(t) = &inputs.permissions_boundary {
            let pf = policy_file(t, None)?;
            let np = crate::snapshot::parse_doc(
                &pf.node,
                &pf.src,
                PolicyType::Boundary,
                pf.name.clone(),
                None,
                "permissions boundary".into(),
            )?;
            let origin = PolicyOrigin {
                account: caller.account().map(str::to_string),
                attached_to: caller.display(),
                kind: PolicyKind::PermissionsBoundary,
                editable: true,
                file: t.name.clone(),
            };
            self.boundary = Some(Some((np, origin)));
            self.sources
                .push(format!("permissions boundary {}", t.name));
        }
        if let Some(t) = &inputs.resource_policy {
            let pf = policy_file(t, None)?;
            let ty = if trust {
                PolicyType::Trust
            } else {
                PolicyType::Resource
            };
            let label = resource_policy_label(resource, trust);
            let np =
                crate::snapshot::parse_doc(&pf.node, &pf.src, ty, pf.name.clone(), None, label)?;
            let origin = PolicyOrigin {
                account: resource_account.clone(),
                attached_to: resource_describe(resource, trust),
                kind: if trust {
                    PolicyKind::Trust
                } else {
                    PolicyKind::ResourcePolicy
                },
                editable: true,
                file: t.name.clone(),
            };
            self.resource_policy = Some((np, origin));
            self.sources.push(format!("resource policy {}", t.name));
        }
        if let Some(t) = &inputs.session_policy {
            let pf = policy_file(t, None)?;
            let np = crate::snapshot::parse_doc(
                &pf.node,
                &pf.src,
                PolicyType::Session,
                None,
                None,
                format!("session policy of {}", caller.display()),
            )?;
            let origin = PolicyOrigin {
                account: caller.account().map(str::to_string),
                attached_to: format!("the session {}", caller.display()),
                kind: PolicyKind::SessionPolicy,
                editable: true,
                file: t.name.clone(),
            };
            self.session = Some(vec![(np, origin)]);
            self.sources.push(format!("session policy {}", t.name));
        }
        if let Some(t) = &inputs.vpc_endpoint_policy {
            let endpoint = self.event.and_then(|e| e.vpc_endpoint_id.clone());
            let pf = policy_file(t, endpoint.as_deref())?;
            let ep = pf
                .name
                .clone()
                .or(endpoint)
                .unwrap_or_else(|| "the VPC endpoint".into());
            let np = crate::snapshot::parse_doc(
                &pf.node,
                &pf.src,
                PolicyType::VpcEndpoint,
                None,
                None,
                format!("endpoint policy of {ep}"),
            )?;
            let origin = PolicyOrigin {
                account: None,
                attached_to: format!("VPC endpoint {ep}"),
                kind: PolicyKind::VpcEndpoint,
                editable: true,
                file: t.name.clone(),
            };
            self.vpce = Some(vec![(np, origin)]);
            self.sources.push(format!("VPC endpoint policy {}", t.name));
            if !self.f.has("aws:SourceVpce") && ep.starts_with("vpce-") {
                self.f.set_ctx(
                    "aws:SourceVpce",
                    Value::from(ep.as_str()),
                    "VPC endpoint policy file",
                );
            }
        }
        Ok(())
    }

    /// Step 8: apply `--context`, which wins over everything.
    fn read_context_flags(&mut self) {
        for (k, v) in &self.inputs.context {
            self.f.set_ctx(k, parse_context_value(v), "--context");
        }
    }

    /// Step 9: build the scenario's request and load it as any scenario is loaded.
    fn request(&mut self, target: &Target) -> Result<Scenario, Vec<Diagnostic>> {
        let Target {
            principal,
            action,
            resource,
            resource_account,
            ..
        } = target;
        let base = &self.base;
        let mut ctx = Map::new();
        for (k, v, from) in &self.f.context {
            ctx.insert(k.clone(), v.clone());
            self.context_sources.push(ContextSource {
                key: k.clone(),
                from: from.clone(),
            });
        }
        let mut req = json!({ "principal": principal, "action": action, "resource": resource, "context": Value::Object(ctx) });
        if let Some(p) = &self.f.principal_id {
            set_member(&mut req, "principal_id", Value::from(p.as_str()));
        }
        if let Some(p) = &self.f.federated_parent {
            set_member(&mut req, "federated_parent", Value::from(p.as_str()));
        }
        if base.as_ref().is_some_and(|b| b.request.service_linked_role) {
            set_member(&mut req, "service_linked_role", Value::Bool(true));
        }
        let mut top = json!({ "request": req });
        if let Some(a) = resource_account {
            set_member(&mut top, "resource_account", Value::from(a.as_str()));
        }
        if let Some(m) = &self.management_account {
            set_member(&mut top, "management_account", Value::from(m.as_str()));
        }
        self.auth_type = self.inputs.authorization_type.clone().or_else(|| {
            base.as_ref()
                .and_then(|b| b.apigateway.as_ref())
                .map(|a| a.authorization_type.as_str().to_string())
        });
        if let Some(t) = &self.auth_type {
            set_member(
                &mut top,
                "apigateway",
                json!({ "authorization_type": t.to_ascii_uppercase() }),
            );
        }
        let src = SourceFile::new(
            "<request built by verdict explain>",
            serde_json::to_string_pretty(&top).unwrap_or_default(),
        );
        let tree = verdict_policy::json::parse(&src).map_err(|d| vec![d])?;
        let mut s = scenario_from_json(&tree, &src)?;
        s.name = base.as_ref().and_then(|b| b.name.clone());
        s.rule = base.as_ref().and_then(|b| b.rule.clone());
        s.description = base.as_ref().and_then(|b| b.description.clone());
        if let Some(b) = base {
            s.options = b.options;
            if let (Some(ba), Some(sa)) = (&b.apigateway, s.apigateway.as_mut()) {
                sa.authorizer_policy = ba.authorizer_policy.clone();
                sa.cognito_token_valid = ba.cognito_token_valid;
            }
            s.policies = b.policies.clone();
            s.extra_resources = b.extra_resources.clone();
            s.load_notes.extend(b.load_notes.iter().cloned());
        }
        s.options.message_style = match self.reported.as_ref().and_then(|m| m.policy_arn_style) {
            Some(crate::message::PolicyArnStyle::S3) => MessageStyle::S3,
            Some(crate::message::PolicyArnStyle::AccessTroubleshooter) => {
                MessageStyle::AccessTroubleshooter
            }
            None => s.options.message_style,
        };
        Ok(s)
    }

    /// Step 10: put the policies into the scenario, with their origins, and finish.
    fn policies(self, target: Target, mut s: Scenario) -> Built {
        let Assembly {
            inputs,
            event,
            given,
            mut notes,
            sources,
            decoded,
            action_note,
            other_actions,
            reported,
            identity,
            boundary,
            resource_policy,
            principal_found,
            scps,
            rcps,
            mut scp_levels,
            mut rcp_levels,
            management_account,
            session,
            vpce,
            context_sources,
            auth_type,
            ..
        } = self;
        let Target {
            resource,
            caller,
            trust,
            resource_account,
            ..
        } = target;
        let mut origins: Vec<(Slot, PolicyOrigin)> = Vec::new();
        let base_file = inputs
            .scenario
            .as_ref()
            .map(|t| t.name.clone())
            .unwrap_or_default();
        let scenario_origin = |account: Option<String>, attached_to: String| PolicyOrigin {
            account,
            attached_to,
            kind: PolicyKind::Scenario,
            editable: true,
            file: base_file.clone(),
        };
        let caller_acct = caller.account().map(str::to_string);
        if let Some(list) = identity {
            s.policies.identity = list.iter().map(|(p, _)| p.clone()).collect();
            origins.extend(list.into_iter().enumerate().map(|(i, (_, o))| {
                (
                    Slot {
                        layer: Layer::Identity,
                        level: None,
                        index: i,
                    },
                    o,
                )
            }));
        } else {
            origins.extend((0..s.policies.identity.len()).map(|i| {
                (
                    Slot {
                        layer: Layer::Identity,
                        level: None,
                        index: i,
                    },
                    scenario_origin(caller_acct.clone(), caller.display()),
                )
            }));
        }
        if let Some(b) = boundary {
            s.policies.permissions_boundary = b.as_ref().map(|(p, _)| p.clone());
            if let Some((_, o)) = b {
                origins.push((
                    Slot {
                        layer: Layer::PermissionsBoundary,
                        level: None,
                        index: 0,
                    },
                    o,
                ));
            }
        } else if s.policies.permissions_boundary.is_some() {
            origins.push((
                Slot {
                    layer: Layer::PermissionsBoundary,
                    level: None,
                    index: 0,
                },
                scenario_origin(caller_acct.clone(), caller.display()),
            ));
        }
        if let Some((p, o)) = resource_policy {
            s.policies.resource = Some(p);
            origins.push((
                Slot {
                    layer: Layer::Resource,
                    level: None,
                    index: 0,
                },
                o,
            ));
        } else if s.policies.resource.is_some() {
            origins.push((
                Slot {
                    layer: Layer::Resource,
                    level: None,
                    index: 0,
                },
                scenario_origin(
                    resource_account.clone(),
                    resource_describe(&resource, trust),
                ),
            ));
        }
        if let Some(list) = session {
            s.policies.session = list.iter().map(|(p, _)| p.clone()).collect();
            origins.extend(list.into_iter().enumerate().map(|(i, (_, o))| {
                (
                    Slot {
                        layer: Layer::Session,
                        level: None,
                        index: i,
                    },
                    o,
                )
            }));
        } else {
            origins.extend((0..s.policies.session.len()).map(|i| {
                (
                    Slot {
                        layer: Layer::Session,
                        level: None,
                        index: i,
                    },
                    scenario_origin(
                        caller_acct.clone(),
                        format!("the session {}", caller.display()),
                    ),
                )
            }));
        }
        if let Some(list) = vpce {
            s.policies.vpc_endpoint = Some(list.iter().map(|(p, _)| p.clone()).collect());
            origins.extend(list.into_iter().enumerate().map(|(i, (_, o))| {
                (
                    Slot {
                        layer: Layer::VpcEndpoint,
                        level: None,
                        index: i,
                    },
                    o,
                )
            }));
        } else if let Some(v) = &s.policies.vpc_endpoint {
            origins.extend((0..v.len()).map(|i| {
                (
                    Slot {
                        layer: Layer::VpcEndpoint,
                        level: None,
                        index: i,
                    },
                    scenario_origin(None, "the VPC endpoint".into()),
                )
            }));
        }
        for (layer, levels, names) in [
            (Layer::Scp, scps, &mut scp_levels),
            (Layer::Rcp, rcps, &mut rcp_levels),
        ] {
            match levels {
                Some(levels) => {
                    let parsed: Vec<Vec<NamedPolicy>> = levels
                        .iter()
                        .map(|l| l.iter().map(|(p, _)| p.clone()).collect())
                        .collect();
                    for (li, l) in levels.into_iter().enumerate() {
                        origins.extend(l.into_iter().enumerate().map(|(i, (_, o))| {
                            (
                                Slot {
                                    layer,
                                    level: Some(li),
                                    index: i,
                                },
                                o,
                            )
                        }));
                    }
                    if layer == Layer::Scp {
                        s.policies.scps = Some(parsed);
                    } else {
                        s.policies.rcps = Some(parsed);
                    }
                }
                None => {
                    let existing = if layer == Layer::Scp {
                        &s.policies.scps
                    } else {
                        &s.policies.rcps
                    };
                    if let Some(ls) = existing {
                        let n = ls.len();
                        if names.is_empty() {
                            *names = (0..n)
                                .map(|i| {
                                    if i == 0 {
                                        "the organization root".to_string()
                                    } else if i + 1 == n {
                                        "the account".to_string()
                                    } else {
                                        format!("OU level {i}")
                                    }
                                })
                                .collect();
                        }
                        for (li, l) in ls.iter().enumerate() {
                            let at = names.get(li).cloned().unwrap_or_default();
                            origins.extend((0..l.len()).map(|i| {
                                (
                                    Slot {
                                        layer,
                                        level: Some(li),
                                        index: i,
                                    },
                                    PolicyOrigin {
                                        account: management_account.clone(),
                                        attached_to: at.clone(),
                                        kind: if layer == Layer::Scp {
                                            PolicyKind::Scp
                                        } else {
                                            PolicyKind::Rcp
                                        },
                                        editable: true,
                                        file: base_file.clone(),
                                    },
                                )
                            }));
                        }
                    }
                }
            }
        }
        if s.apigateway
            .as_ref()
            .is_some_and(|a| a.authorizer_policy.is_some())
        {
            origins.push((
                Slot {
                    layer: Layer::Authorizer,
                    level: None,
                    index: 0,
                },
                PolicyOrigin {
                    account: resource_account.clone(),
                    attached_to: "the Lambda authorizer".into(),
                    kind: PolicyKind::Authorizer,
                    editable: true,
                    file: base_file.clone(),
                },
            ));
        }
        if let Some(at) = &auth_type {
            if AuthorizationType::CognitoUserPools.as_str() == at.to_ascii_uppercase() {
                notes.push("COGNITO_USER_POOLS: the token is taken as valid".into());
            }
        }
        Built {
            scenario: s,
            origins,
            reported,
            event: event.cloned(),
            decoded,
            context_sources,
            given,
            scp_levels,
            rcp_levels,
            principal_found,
            sources,
            notes,
            other_actions,
            action_note,
        }
    }
}

/// The scenario as JSON the loader accepts (for `--emit-scenario`), with an `expect`.
pub fn scenario_json(b: &Built, expect: Option<Value>) -> Value {
    let s = &b.scenario;
    let r = &s.request;
    let mut ctx = Map::new();
    let mut entries: Vec<_> = r.context.entries().filter(|e| !e.derived).collect();
    entries.sort_by_key(|a| a.key.to_ascii_lowercase());
    for e in entries {
        if let Some(v) = e.values.first() {
            ctx.insert(e.key.clone(), ctx_json(v));
        }
    }
    let mut req = json!({
        "principal": r.caller.display(),
        "action": r.action,
        "resource": r.resource.as_str(),
        "context": Value::Object(ctx),
    });
    if !s.extra_resources.is_empty() {
        let mut all = vec![Value::from(r.resource.as_str())];
        all.extend(s.extra_resources.iter().map(|x| Value::from(x.as_str())));
        set_member(&mut req, "resources", Value::Array(all));
        if let Some(o) = req.as_object_mut() {
            o.remove("resource");
        }
    }
    if let Some(p) = &r.principal_id {
        set_member(&mut req, "principal_id", Value::from(p.as_str()));
    }
    if let Some(p) = &r.federated_parent {
        set_member(&mut req, "federated_parent", Value::from(p.as_str()));
    }
    if r.service_linked_role {
        set_member(&mut req, "service_linked_role", Value::Bool(true));
    }
    let named = |np: &NamedPolicy| -> Value {
        let doc = document_of(np).unwrap_or(Value::Null);
        let mut o = Map::new();
        o.insert("name".into(), Value::from(np.label.as_str()));
        if let Some(a) = &np.arn {
            o.insert("arn".into(), Value::from(a.as_str()));
        }
        o.insert("document".into(), doc);
        Value::Object(o)
    };
    let p = &s.policies;
    let mut pol = Map::new();
    if !p.identity.is_empty() {
        pol.insert(
            "identity".into(),
            Value::Array(p.identity.iter().map(named).collect()),
        );
    }
    if let Some(x) = &p.resource {
        pol.insert("resource".into(), named(x));
    }
    if let Some(x) = &p.permissions_boundary {
        pol.insert("permissions_boundary".into(), named(x));
    }
    if !p.session.is_empty() {
        pol.insert(
            "session".into(),
            Value::Array(p.session.iter().map(named).collect()),
        );
    }
    for (k, levels) in [("scps", &p.scps), ("rcps", &p.rcps)] {
        if let Some(ls) = levels {
            pol.insert(
                k.into(),
                Value::Array(
                    ls.iter()
                        .map(|l| Value::Array(l.iter().map(named).collect()))
                        .collect(),
                ),
            );
        }
    }
    if let Some(v) = &p.vpc_endpoint {
        pol.insert(
            "vpc_endpoint".into(),
            Value::Array(v.iter().map(named).collect()),
        );
    }
    let mut top = Map::new();
    top.insert(
        "name".into(),
        Value::from(s.name.clone().unwrap_or_else(|| {
            format!(
                "{} {} on {}",
                r.caller.display(),
                r.action,
                r.resource.as_str()
            )
        })),
    );
    top.insert(
        "description".into(),
        Value::from(format!(
            "Built by verdict explain from: {}",
            b.sources.join("; ")
        )),
    );
    top.insert("request".into(), req);
    if let Some(a) = &s.resource_account {
        top.insert("resource_account".into(), Value::from(a.as_str()));
    }
    if let Some(m) = &s.management_account {
        top.insert("management_account".into(), Value::from(m.as_str()));
    }
    let style = match s.options.message_style {
        MessageStyle::Plain => None,
        MessageStyle::AccessTroubleshooter => Some("access-troubleshooter"),
        MessageStyle::S3 => Some("s3"),
    };
    if let Some(st) = style {
        top.insert("options".into(), json!({ "message_style": st }));
    }
    if let Some(a) = &s.apigateway {
        let mut o = Map::new();
        o.insert(
            "authorization_type".into(),
            Value::from(a.authorization_type.as_str()),
        );
        if let Some(ap) = &a.authorizer_policy {
            o.insert("authorizer_policy".into(), named(ap));
        }
        if !a.cognito_token_valid {
            o.insert("cognito_token_valid".into(), Value::Bool(false));
        }
        top.insert("apigateway".into(), Value::Object(o));
    }
    top.insert("policies".into(), Value::Object(pol));
    if let Some(e) = expect {
        top.insert("expect".into(), e);
    }
    Value::Object(top)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn resources_named_in_messages() {
        let m = |t: &str| crate::message::parse_message(t).unwrap();
        let mut notes = Vec::new();
        let user = m("User: arn:aws:iam::111122223333:user/bob is not authorized to perform: iam:GetUser on resource: user bob because no identity-based policy allows the iam:GetUser action");
        assert_eq!(
            resource_from_message(&user, Some("111122223333"), &mut notes).as_deref(),
            Some("arn:aws:iam::111122223333:user/bob")
        );
        let path = m("User: arn:aws:iam::111122223333:user/bob is not authorized to perform: iam:ListPolicies on resource: policy path / because no identity-based policy allows the iam:ListPolicies action");
        assert_eq!(
            resource_from_message(&path, Some("111122223333"), &mut notes),
            None
        );
        assert_eq!(notes.len(), 2);
    }

    #[test]
    fn context_values_and_labels() {
        assert_eq!(
            parse_context_value("[\"a\",\"b\"]"),
            serde_json::json!(["a", "b"])
        );
        assert_eq!(parse_context_value("vpc-1"), serde_json::json!("vpc-1"));
        assert_eq!(
            resource_policy_label("arn:aws:s3:::b/k", false),
            "bucket policy of b"
        );
        assert_eq!(
            resource_policy_label("arn:aws:iam::1:role/p/R", true),
            "trust policy of role p/R"
        );
        assert_eq!(
            resource_describe("arn:aws:sqs:us-east-1:1:q", false),
            "queue q"
        );
    }

    #[test]
    fn a_scenario_file_is_the_base_and_inputs_override_it() {
        let scenario = r#"{"request": {"principal": "arn:aws:iam::111122223333:user/a", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
            "context": {"aws:SourceIp": "192.0.2.1"}},
            "policies": {"identity": [{"name": "p", "document": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}}]}}"#;
        let inputs = Inputs {
            scenario: Some(TextInput::new("s.json", scenario)),
            context: vec![("aws:SourceIp".into(), "198.51.100.9".into())],
            ..Default::default()
        };
        let b = build(&inputs, None).unwrap();
        assert_eq!(b.scenario.policies.identity.len(), 1);
        assert_eq!(
            b.scenario
                .request
                .context
                .variable("aws:sourceip")
                .as_deref(),
            Some("198.51.100.9")
        );
        assert_eq!(
            verdict_eval::decide(&b.scenario).decision,
            verdict_eval::Decision::Allow
        );
    }
}
