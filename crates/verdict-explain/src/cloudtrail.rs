//! CloudTrail records: the four container shapes, the AccessDenied records in them,
//! and what a record tells about the request (iam-semantics data notes §3.1–3.2).

use crate::event_actions::{actions_for_event, service_prefix};
use crate::message::{parse_message, ParsedMessage};
use serde::Serialize;
use serde_json::Value;

/// Error codes that mean "access denied" (the `Client.` prefix is ignored).
pub const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
    "UnauthorizedException",
    "Unauthorized",
    "AuthorizationError",
    "AuthorizationErrorException",
    "AuthorizationFailure",
    "NotAuthorized",
    "NotAuthorizedException",
    "Forbidden",
    "ForbiddenException",
    "403",
    "VpceAccessDenied",
];

/// One request-context value taken from the record, and where it came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ContextFact {
    /// Context key.
    pub key: String,
    /// Value (string, or array for multivalued keys).
    pub value: Value,
    /// The record field it came from.
    pub from: String,
}

/// The caller as the record's `userIdentity` describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct EventCaller {
    /// `userIdentity.type`.
    pub kind: String,
    /// The principal to evaluate: an IAM/STS ARN, a service principal or `anonymous`.
    pub principal: Option<String>,
    /// The value of `aws:PrincipalArn` (for role sessions: the role ARN with its path).
    pub principal_arn: Option<String>,
    /// The unique id without the session name (`AIDA…`, `AROA…`).
    pub principal_id: Option<String>,
    /// The caller's account.
    pub account: Option<String>,
    /// For a federated user: the IAM user that called GetFederationToken.
    pub federated_parent: Option<String>,
    /// Why the caller cannot be evaluated, when it cannot.
    pub not_evaluable: Option<String>,
}

/// What one AccessDenied record tells about the request.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventFacts {
    /// `eventSource`.
    pub event_source: String,
    /// `eventName`.
    pub event_name: String,
    /// `eventTime`.
    pub event_time: Option<String>,
    /// `eventID`.
    pub event_id: Option<String>,
    /// `eventType`.
    pub event_type: Option<String>,
    /// `awsRegion`.
    pub region: Option<String>,
    /// `errorCode`.
    pub error_code: Option<String>,
    /// `errorMessage`.
    pub error_message: Option<String>,
    /// The parsed `errorMessage`, when it is a known AccessDenied form.
    pub message: Option<ParsedMessage>,
    /// The caller.
    pub caller: EventCaller,
    /// The IAM action(s) the operation needs, most likely denied first.
    pub actions: Vec<String>,
    /// Why the action differs from the event name, when it does.
    pub action_note: Option<String>,
    /// The resource ARN, when the record tells.
    pub resource: Option<String>,
    /// Where the resource came from.
    pub resource_from: Option<String>,
    /// The account that owns the resource, when the record tells.
    pub resource_account: Option<String>,
    /// `recipientAccountId`.
    pub recipient_account: Option<String>,
    /// `vpcEndpointId`.
    pub vpc_endpoint_id: Option<String>,
    /// Context keys the record supports.
    pub context: Vec<ContextFact>,
    /// Remarks about the record.
    pub notes: Vec<String>,
}

/// Why an event file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventError(pub String);

impl std::fmt::Display for EventError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Every CloudTrail record in `text`: a single record, a trail log file
/// (`{"Records": […]}`), `lookup-events` output (`{"Events": [{"CloudTrailEvent": "…"}]}`),
/// an EventBridge envelope (`{"detail": record}`), a JSON array of records, or JSON lines.
pub fn records(text: &str) -> Result<Vec<Value>, EventError> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => unwrap_container(v),
        Err(first) => {
            let mut out = Vec::new();
            for (i, line) in text
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
            {
                let v: Value = serde_json::from_str(line).map_err(|_| {
                    EventError(format!(
                        "not JSON ({first}); nor JSON lines (line {} does not parse)",
                        i + 1
                    ))
                })?;
                out.extend(unwrap_container(v)?);
            }
            Ok(out)
        }
    }
}

fn unwrap_container(v: Value) -> Result<Vec<Value>, EventError> {
    if let Some(recs) = v.get("Records").and_then(Value::as_array) {
        return Ok(recs.clone());
    }
    if let Some(events) = v.get("Events").and_then(Value::as_array) {
        let mut out = Vec::new();
        for (i, e) in events.iter().enumerate() {
            match e.get("CloudTrailEvent") {
                Some(Value::String(s)) => out.push(
                    serde_json::from_str(s).map_err(|err| EventError(format!("Events[{i}].CloudTrailEvent is not a JSON record: {err}")))?,
                ),
                Some(obj @ Value::Object(_)) => out.push(obj.clone()),
                _ => return Err(EventError(format!("Events[{i}] has no CloudTrailEvent (expected `aws cloudtrail lookup-events` output)"))),
            }
        }
        return Ok(out);
    }
    if let Some(detail) = v.get("detail").filter(|d| d.is_object()) {
        return Ok(vec![detail.clone()]);
    }
    if let Value::Array(items) = v {
        let mut out = Vec::new();
        for it in items {
            out.extend(unwrap_container(it)?);
        }
        return Ok(out);
    }
    if v.get("eventName").is_some() || v.get("eventSource").is_some() {
        return Ok(vec![v]);
    }
    Err(EventError(
        "not a CloudTrail record: expected a record (eventName, eventSource, userIdentity …), {\"Records\": […]}, lookup-events output or an EventBridge event".into(),
    ))
}

fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(*p)?;
    }
    cur.as_str().filter(|x| !x.is_empty())
}

/// True if the record is a denied request.
pub fn is_access_denied(record: &Value) -> bool {
    let code = s(record, &["errorCode"]).unwrap_or("");
    let code = code.strip_prefix("Client.").unwrap_or(code);
    ACCESS_DENIED_CODES
        .iter()
        .any(|c| c.eq_ignore_ascii_case(code))
        || s(record, &["errorMessage"]).is_some_and(|m| m.contains("is not authorized to perform"))
}

fn is_ip(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
}

fn account_of_arn(arn: &str) -> Option<String> {
    let acct = arn.split(':').nth(4)?;
    (acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit())).then(|| acct.to_string())
}

fn caller(record: &Value) -> EventCaller {
    let ui = record.get("userIdentity").cloned().unwrap_or(Value::Null);
    let kind = s(&ui, &["type"]).unwrap_or("Unknown").to_string();
    let arn = s(&ui, &["arn"]).map(str::to_string);
    let account = s(&ui, &["accountId"])
        .map(str::to_string)
        .or_else(|| arn.as_deref().and_then(account_of_arn));
    let pid = s(&ui, &["principalId"]).map(str::to_string);
    let mut c = EventCaller {
        kind: kind.clone(),
        account: account.clone(),
        ..Default::default()
    };
    match kind.as_str() {
        "IAMUser" => {
            c.principal = arn.clone();
            c.principal_arn = arn;
            c.principal_id = pid;
        }
        "AssumedRole" => {
            c.principal = arn;
            c.principal_arn =
                s(&ui, &["sessionContext", "sessionIssuer", "arn"]).map(str::to_string);
            c.principal_id = s(&ui, &["sessionContext", "sessionIssuer", "principalId"])
                .map(str::to_string)
                .or_else(|| pid.and_then(|p| p.split_once(':').map(|(a, _)| a.to_string())));
        }
        "FederatedUser" => {
            c.principal = arn.clone();
            c.principal_arn = arn;
            c.federated_parent =
                s(&ui, &["sessionContext", "sessionIssuer", "userName"]).map(str::to_string);
        }
        "Root" => {
            c.principal = account
                .as_ref()
                .map(|a| format!("arn:aws:iam::{a}:root"))
                .or(arn);
            c.principal_arn = c.principal.clone();
        }
        "AWSService" => {
            c.principal = s(&ui, &["invokedBy"]).map(str::to_string);
            if c.principal.is_none() {
                c.not_evaluable =
                    Some("the AWSService identity does not name the service (no invokedBy)".into());
            }
        }
        "AWSAccount"
            if account.as_deref() == Some("ANONYMOUS_PRINCIPAL")
                || pid.as_deref() == Some("ANONYMOUS_PRINCIPAL") =>
        {
            c.kind = "Anonymous".into();
            c.principal = Some("anonymous".into());
            c.account = None;
        }
        "AWSAccount" => {
            // A caller from another account: the record gives only its account.
            c.principal = account.as_ref().map(|a| format!("arn:aws:iam::{a}:root"));
            c.principal_arn = c.principal.clone();
            c.not_evaluable = Some(format!(
                "the record is the resource owner's copy: it names only the caller's account ({}) and principal id {}; evaluated as that account's root, which may be more than the real caller holds",
                account.as_deref().unwrap_or("?"),
                pid.as_deref().unwrap_or("?")
            ));
        }
        "Anonymous" => c.principal = Some("anonymous".into()),
        "SAMLUser" | "WebIdentityUser" => {
            c.principal = s(&ui, &["identityProvider"]).map(str::to_string).or(arn);
        }
        other => {
            c.principal = arn;
            c.not_evaluable = Some(format!(
                "userIdentity type {other} is not an IAM principal Verdict can evaluate"
            ));
        }
    }
    c
}

fn parse_queue_url(url: &str) -> Option<String> {
    // https://sqs.REGION.amazonaws.com/ACCOUNT/NAME
    let rest = url.split("://").nth(1)?;
    let mut parts = rest.split('/');
    let host = parts.next()?;
    let account = parts.next()?;
    let name = parts.next()?;
    let region = host.split('.').nth(1)?;
    Some(format!("arn:aws:sqs:{region}:{account}:{name}"))
}

/// Resource types an action can act on (catalog names such as `object`, `bucket`).
fn resource_type_names(action: &str) -> Vec<String> {
    verdict_catalog::catalog()
        .action(action)
        .map(|a| a.resource_types().map(|r| r.name().to_string()).collect())
        .unwrap_or_default()
}

fn s3_acts_on_object(action: &str) -> bool {
    let types = resource_type_names(action);
    if types.is_empty() {
        let n = action.to_ascii_lowercase();
        return n.contains("object") || n.ends_with("putobject") || n.contains("multipart");
    }
    types.iter().any(|t| t == "object")
}

fn resource_from_record(
    record: &Value,
    action: &str,
    prefix: &str,
    region: &str,
    account: &str,
) -> (Option<String>, Option<String>, Option<String>) {
    let rp = record
        .get("requestParameters")
        .cloned()
        .unwrap_or(Value::Null);
    let listed: Vec<(Option<String>, String, Option<String>)> = record
        .get("resources")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|r| {
                    let arn = r
                        .get("ARN")
                        .or_else(|| r.get("arn"))
                        .and_then(Value::as_str)?;
                    Some((
                        r.get("type").and_then(Value::as_str).map(str::to_string),
                        arn.to_string(),
                        r.get("accountId")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    let bucket_account = listed
        .iter()
        .find(|(t, _, a)| t.as_deref() == Some("AWS::S3::Bucket") && a.is_some())
        .and_then(|(_, _, a)| a.clone());
    if prefix == "s3" {
        let object = s3_acts_on_object(action);
        let want = if object {
            "AWS::S3::Object"
        } else {
            "AWS::S3::Bucket"
        };
        if let Some((_, arn, acct)) = listed.iter().find(|(t, _, _)| t.as_deref() == Some(want)) {
            return (
                Some(arn.clone()),
                Some("resources[]".into()),
                acct.clone().or(bucket_account),
            );
        }
        if let Some(b) = s(&rp, &["bucketName"]) {
            let arn = match (object, s(&rp, &["key"])) {
                (true, Some(k)) => format!("arn:aws:s3:::{b}/{k}"),
                _ => format!("arn:aws:s3:::{b}"),
            };
            return (
                Some(arn),
                Some("requestParameters.bucketName/key".into()),
                bucket_account,
            );
        }
    }
    if let Some((_, arn, acct)) = listed
        .iter()
        .find(|(_, a, _)| a.split(':').nth(2) == Some(prefix))
        .or(listed.first())
    {
        return (Some(arn.clone()), Some("resources[]".into()), acct.clone());
    }
    let arn_field = |k: &str| {
        s(&rp, &[k])
            .filter(|v| v.starts_with("arn:"))
            .map(str::to_string)
    };
    for k in [
        "roleArn",
        "secretId",
        "functionName",
        "keyId",
        "topicArn",
        "stateMachineArn",
        "resourceArn",
        "tableArn",
        "logGroupArn",
        "policyArn",
        "streamARN",
        "targetArn",
    ] {
        if let Some(a) = arn_field(k) {
            return (Some(a), Some(format!("requestParameters.{k}")), None);
        }
    }
    let built = match prefix {
        "dynamodb" => {
            s(&rp, &["tableName"]).map(|t| format!("arn:aws:dynamodb:{region}:{account}:table/{t}"))
        }
        "kms" => s(&rp, &["keyId"]).map(|k| {
            if k.starts_with("alias/") {
                format!("arn:aws:kms:{region}:{account}:{k}")
            } else {
                format!("arn:aws:kms:{region}:{account}:key/{k}")
            }
        }),
        "sqs" => s(&rp, &["queueUrl"]).and_then(parse_queue_url),
        "lambda" => s(&rp, &["functionName"])
            .map(|f| format!("arn:aws:lambda:{region}:{account}:function:{f}")),
        "secretsmanager" => s(&rp, &["secretId"])
            .map(|n| format!("arn:aws:secretsmanager:{region}:{account}:secret:{n}")),
        "iam" => s(&rp, &["roleName"])
            .map(|n| format!("arn:aws:iam::{account}:role/{n}"))
            .or_else(|| s(&rp, &["userName"]).map(|n| format!("arn:aws:iam::{account}:user/{n}"))),
        "ec2" if action.eq_ignore_ascii_case("ec2:RunInstances") => {
            Some(format!("arn:aws:ec2:{region}:{account}:instance/*"))
        }
        "logs" => s(&rp, &["logGroupName"])
            .map(|g| format!("arn:aws:logs:{region}:{account}:log-group:{g}")),
        _ => None,
    };
    match built {
        Some(b) => (Some(b), Some("requestParameters".into()), None),
        None => (None, None, None),
    }
}

fn epoch_seconds(iso: &str) -> Option<i128> {
    verdict_policy::condition::parse_date(iso).map(|n| n / 1_000_000_000)
}

fn push(ctx: &mut Vec<ContextFact>, key: &str, value: Value, from: &str) {
    if !ctx.iter().any(|c| c.key.eq_ignore_ascii_case(key)) {
        ctx.push(ContextFact {
            key: key.into(),
            value,
            from: from.into(),
        });
    }
}

fn request_tags(rp: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    // EC2: tagSpecificationSet.items[].tags[] {key, value}
    if let Some(items) = rp
        .pointer("/tagSpecificationSet/items")
        .and_then(Value::as_array)
    {
        for it in items {
            for t in it
                .get("tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if let (Some(k), Some(v)) = (
                    t.get("key").and_then(Value::as_str),
                    t.get("value").and_then(Value::as_str),
                ) {
                    out.push((k.to_string(), v.to_string()));
                }
            }
        }
    }
    // Most other services: tags[] {key|Key, value|Value}
    for t in rp
        .get("tags")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let k = t
            .get("key")
            .or_else(|| t.get("Key"))
            .and_then(Value::as_str);
        let v = t
            .get("value")
            .or_else(|| t.get("Value"))
            .and_then(Value::as_str);
        if let (Some(k), Some(v)) = (k, v) {
            out.push((k.to_string(), v.to_string()));
        }
    }
    out
}

/// Read what an AccessDenied record says about the request.
pub fn facts(record: &Value) -> EventFacts {
    let event_source = s(record, &["eventSource"]).unwrap_or("").to_string();
    let event_name = s(record, &["eventName"]).unwrap_or("").to_string();
    let prefix = service_prefix(&event_source);
    let (mut actions, action_note) = actions_for_event(&event_source, &event_name);
    let caller = caller(record);
    let region = s(record, &["awsRegion"]).map(str::to_string);
    let error_message = s(record, &["errorMessage"]).map(str::to_string);
    let message = error_message.as_deref().and_then(|m| parse_message(m).ok());
    let mut notes = Vec::new();
    // The message's action is what AWS actually evaluated; prefer it.
    if let Some(a) = message.as_ref().and_then(|m| m.action.clone()) {
        if !actions.iter().any(|x| x.eq_ignore_ascii_case(&a)) {
            notes.push(format!(
                "the message names {a}, not {} (the operation {event_name} checks several actions)",
                actions.join(" / ")
            ));
        }
        actions.retain(|x| !x.eq_ignore_ascii_case(&a));
        actions.insert(0, a);
    }
    let action = actions.first().cloned().unwrap_or_default();
    let account = caller
        .account
        .clone()
        .or_else(|| s(record, &["recipientAccountId"]).map(str::to_string))
        .unwrap_or_default();
    let (mut resource, mut resource_from, mut resource_account) = resource_from_record(
        record,
        &action,
        &prefix,
        region.as_deref().unwrap_or("us-east-1"),
        &account,
    );
    if let Some(r) = message
        .as_ref()
        .and_then(|m| m.resource())
        .filter(|r| r.starts_with("arn:"))
    {
        if resource.as_deref() != Some(r) {
            resource = Some(r.to_string());
            resource_from = Some("errorMessage".into());
            resource_account = None;
        }
    }
    if resource_account.is_none() {
        resource_account = resource.as_deref().and_then(account_of_arn);
    }
    let recipient_account = s(record, &["recipientAccountId"]).map(str::to_string);
    if resource_account.is_none()
        && record.get("sharedEventID").is_some()
        && recipient_account != caller.account
    {
        // The resource owner's copy of a cross-account event.
        resource_account = recipient_account.clone();
    }
    let vpc_endpoint_id = s(record, &["vpcEndpointId"]).map(str::to_string);
    let mut ctx = Vec::new();
    if let Some(r) = &region {
        push(
            &mut ctx,
            "aws:RequestedRegion",
            Value::from(r.as_str()),
            "awsRegion",
        );
    }
    if let Some(t) = s(record, &["eventTime"]) {
        push(&mut ctx, "aws:CurrentTime", Value::from(t), "eventTime");
        if let Some(e) = epoch_seconds(t) {
            push(
                &mut ctx,
                "aws:EpochTime",
                Value::from(e.to_string()),
                "eventTime",
            );
        }
    }
    if let Some(ip) = s(record, &["sourceIPAddress"]) {
        if !is_ip(ip) {
            notes.push(format!("sourceIPAddress is {ip}: the call was made by an AWS service on the caller's behalf, so aws:SourceIp is absent"));
        } else if vpc_endpoint_id.is_some() {
            push(
                &mut ctx,
                "aws:VpcSourceIp",
                Value::from(ip),
                "sourceIPAddress",
            );
            notes.push(format!("the call came through a VPC endpoint, so aws:SourceIp is absent; {ip} is the private address (aws:VpcSourceIp)"));
        } else {
            push(&mut ctx, "aws:SourceIp", Value::from(ip), "sourceIPAddress");
        }
    }
    if let Some(v) = &vpc_endpoint_id {
        push(
            &mut ctx,
            "aws:SourceVpce",
            Value::from(v.as_str()),
            "vpcEndpointId",
        );
    }
    if let Some(ua) = s(record, &["userAgent"]) {
        push(&mut ctx, "aws:UserAgent", Value::from(ua), "userAgent");
    }
    if record.get("tlsDetails").is_some_and(Value::is_object) {
        push(
            &mut ctx,
            "aws:SecureTransport",
            Value::from("true"),
            "tlsDetails",
        );
    }
    if let Some(arn) = &caller.principal_arn {
        if caller.kind == "AssumedRole" {
            push(
                &mut ctx,
                "aws:PrincipalArn",
                Value::from(arn.as_str()),
                "userIdentity.sessionContext.sessionIssuer.arn",
            );
        }
    }
    if let Some(m) = s(
        record,
        &[
            "userIdentity",
            "sessionContext",
            "attributes",
            "mfaAuthenticated",
        ],
    ) {
        push(
            &mut ctx,
            "aws:MultiFactorAuthPresent",
            Value::from(m),
            "userIdentity.sessionContext.attributes.mfaAuthenticated",
        );
    }
    if let Some(t) = s(
        record,
        &[
            "userIdentity",
            "sessionContext",
            "attributes",
            "creationDate",
        ],
    ) {
        push(
            &mut ctx,
            "aws:TokenIssueTime",
            Value::from(t),
            "userIdentity.sessionContext.attributes.creationDate",
        );
    }
    if let Some(si) = s(
        record,
        &["userIdentity", "sessionContext", "sourceIdentity"],
    ) {
        push(
            &mut ctx,
            "aws:SourceIdentity",
            Value::from(si),
            "userIdentity.sessionContext.sourceIdentity",
        );
    }
    if s(record, &["userIdentity", "invokedBy"]).is_some()
        && matches!(caller.kind.as_str(), "IAMUser" | "AssumedRole")
    {
        push(
            &mut ctx,
            "aws:ViaAWSService",
            Value::from("true"),
            "userIdentity.invokedBy",
        );
    }
    if let Some(a) = &resource_account {
        push(
            &mut ctx,
            "aws:ResourceAccount",
            Value::from(a.as_str()),
            "resource account",
        );
    }
    let rp = record
        .get("requestParameters")
        .cloned()
        .unwrap_or(Value::Null);
    let mut rp_key = |field: &str, key: &str| {
        if let Some(v) = rp.get(field).filter(|v| !v.is_null()) {
            let v = match v {
                Value::String(s) => Value::from(s.as_str()),
                Value::Number(n) => Value::from(n.to_string()),
                Value::Bool(b) => Value::from(b.to_string()),
                _ => return,
            };
            push(&mut ctx, key, v, &format!("requestParameters.{field}"));
        }
    };
    match prefix.as_str() {
        "s3" => {
            rp_key("prefix", "s3:prefix");
            rp_key("delimiter", "s3:delimiter");
            rp_key("max-keys", "s3:max-keys");
            rp_key("x-amz-acl", "s3:x-amz-acl");
            rp_key(
                "x-amz-server-side-encryption",
                "s3:x-amz-server-side-encryption",
            );
            rp_key(
                "x-amz-server-side-encryption-aws-kms-key-id",
                "s3:x-amz-server-side-encryption-aws-kms-key-id",
            );
            rp_key("x-amz-storage-class", "s3:x-amz-storage-class");
            if let Some(m) = s(record, &["additionalEventData", "AuthenticationMethod"]) {
                let t = match m {
                    "AuthHeader" => "REST-HEADER",
                    "QueryString" => "REST-QUERY-STRING",
                    other => other,
                };
                push(
                    &mut ctx,
                    "s3:authType",
                    Value::from(t),
                    "additionalEventData.AuthenticationMethod",
                );
            }
            if let Some(sv) = s(record, &["additionalEventData", "SignatureVersion"]) {
                let v = if sv == "SigV4" {
                    "AWS4-HMAC-SHA256"
                } else {
                    sv
                };
                push(
                    &mut ctx,
                    "s3:signatureversion",
                    Value::from(v),
                    "additionalEventData.SignatureVersion",
                );
            }
            if let Some(t) = s(record, &["tlsDetails", "tlsVersion"]) {
                push(
                    &mut ctx,
                    "s3:TlsVersion",
                    Value::from(t.trim_start_matches("TLSv")),
                    "tlsDetails.tlsVersion",
                );
            }
        }
        "ec2" => rp_key("instanceType", "ec2:InstanceType"),
        "sts" => {
            rp_key("roleSessionName", "sts:RoleSessionName");
            rp_key("sourceIdentity", "sts:SourceIdentity");
            rp_key("externalId", "sts:ExternalId");
            rp_key("durationSeconds", "sts:DurationSeconds");
        }
        "secretsmanager" => rp_key("secretId", "secretsmanager:SecretId"),
        _ => {}
    }
    if prefix == "kms" {
        if let Some(a) = &caller.account {
            push(
                &mut ctx,
                "kms:CallerAccount",
                Value::from(a.as_str()),
                "userIdentity.accountId",
            );
        }
        if let Some(Value::Object(ec)) = rp.get("encryptionContext") {
            for (k, v) in ec {
                if let Some(v) = v.as_str() {
                    push(
                        &mut ctx,
                        &format!("kms:EncryptionContext:{k}"),
                        Value::from(v),
                        "requestParameters.encryptionContext",
                    );
                }
            }
        }
    }
    let tags = request_tags(&rp);
    if !tags.is_empty() {
        for (k, v) in &tags {
            push(
                &mut ctx,
                &format!("aws:RequestTag/{k}"),
                Value::from(v.as_str()),
                "requestParameters tags",
            );
        }
        let keys: Vec<Value> = tags.iter().map(|(k, _)| Value::from(k.as_str())).collect();
        push(
            &mut ctx,
            "aws:TagKeys",
            Value::Array(keys),
            "requestParameters tags",
        );
    }
    if s(record, &["eventCategory"]) == Some("NetworkActivity") {
        notes.push("this is a VPC endpoint network-activity event delivered to the endpoint owner; the caller's own account may hold the matching API record".into());
    }
    if record.get("requestParameters").is_some_and(Value::is_null)
        && record.get("resources").is_none()
        && resource.is_none()
    {
        notes.push(
            "the record carries neither requestParameters nor resources[]: the resource is unknown"
                .into(),
        );
    }
    EventFacts {
        event_source,
        event_name,
        event_time: s(record, &["eventTime"]).map(str::to_string),
        event_id: s(record, &["eventID"]).map(str::to_string),
        event_type: s(record, &["eventType"]).map(str::to_string),
        region,
        error_code: s(record, &["errorCode"]).map(str::to_string),
        error_message,
        message,
        caller,
        actions,
        action_note,
        resource,
        resource_from,
        resource_account,
        recipient_account,
        vpc_endpoint_id,
        context: ctx,
        notes,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn containers() {
        let rec = r#"{"eventName":"GetObject","eventSource":"s3.amazonaws.com","errorCode":"AccessDenied"}"#;
        assert_eq!(records(rec).unwrap().len(), 1);
        assert_eq!(
            records(&format!("{{\"Records\":[{rec},{rec}]}}"))
                .unwrap()
                .len(),
            2
        );
        let lookup = serde_json::json!({"Events": [{"CloudTrailEvent": rec}]}).to_string();
        assert_eq!(records(&lookup).unwrap().len(), 1);
        assert_eq!(
            records(&format!(
                "{{\"detail-type\":\"AWS API Call via CloudTrail\",\"detail\":{rec}}}"
            ))
            .unwrap()
            .len(),
            1
        );
        assert_eq!(records(&format!("{rec}\n{rec}\n")).unwrap().len(), 2);
        assert!(records("{\"foo\": 1}").is_err());
    }

    #[test]
    fn denied_codes() {
        for c in [
            "AccessDenied",
            "Client.UnauthorizedOperation",
            "AccessDeniedException",
            "VpceAccessDenied",
        ] {
            assert!(
                is_access_denied(&serde_json::json!({"errorCode": c})),
                "{c}"
            );
        }
        assert!(!is_access_denied(
            &serde_json::json!({"errorCode": "ThrottlingException"})
        ));
    }

    #[test]
    fn s3_list_objects_v2_uses_bucket_arn() {
        let r = serde_json::json!({
            "eventSource": "s3.amazonaws.com", "eventName": "ListObjectsV2", "awsRegion": "us-east-1",
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/a", "accountId": "111122223333"},
            "errorCode": "AccessDenied",
            "requestParameters": {"bucketName": "b", "prefix": "logs/", "list-type": "2"}
        });
        let f = facts(&r);
        assert_eq!(f.actions, ["s3:ListBucket"]);
        assert_eq!(f.resource.as_deref(), Some("arn:aws:s3:::b"));
        assert!(f
            .context
            .iter()
            .any(|c| c.key == "s3:prefix" && c.value == "logs/"));
    }
}
