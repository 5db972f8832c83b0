//! AccessDenied message text: every variant of iam-semantics §7.1–7.2, parsed into
//! what AWS reported (who, what, on which resource, which layer, explicit or implicit).

use regex::Regex;
use serde::Serialize;
use std::sync::OnceLock;
use verdict_eval::Layer;

/// The policy type an AccessDenied message names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportedLayer {
    /// "identity-based policy"
    Identity,
    /// "resource-based policy"
    Resource,
    /// "role trust policy"
    RoleTrust,
    /// "permissions boundary"
    PermissionsBoundary,
    /// "session policy" (also the documented typo "sessions policy")
    Session,
    /// "VPC endpoint policy"
    VpcEndpoint,
    /// "service control policy"
    Scp,
    /// "resource control policy"
    Rcp,
}

impl ReportedLayer {
    /// The engine layer this names (a role trust policy is the role's resource-based policy).
    pub fn layer(self) -> Layer {
        match self {
            ReportedLayer::Identity => Layer::Identity,
            ReportedLayer::Resource | ReportedLayer::RoleTrust => Layer::Resource,
            ReportedLayer::PermissionsBoundary => Layer::PermissionsBoundary,
            ReportedLayer::Session => Layer::Session,
            ReportedLayer::VpcEndpoint => Layer::VpcEndpoint,
            ReportedLayer::Scp => Layer::Scp,
            ReportedLayer::Rcp => Layer::Rcp,
        }
    }

    /// The phrase AWS uses.
    pub fn phrase(self) -> &'static str {
        match self {
            ReportedLayer::Identity => "identity-based policy",
            ReportedLayer::Resource => "resource-based policy",
            ReportedLayer::RoleTrust => "role trust policy",
            ReportedLayer::PermissionsBoundary => "permissions boundary",
            ReportedLayer::Session => "session policy",
            ReportedLayer::VpcEndpoint => "VPC endpoint policy",
            ReportedLayer::Scp => "service control policy",
            ReportedLayer::Rcp => "resource control policy",
        }
    }

    fn from_phrase(p: &str) -> Option<ReportedLayer> {
        let p = p.to_ascii_lowercase();
        Some(match p.as_str() {
            "identity-based policy" => ReportedLayer::Identity,
            "resource-based policy" => ReportedLayer::Resource,
            "role trust policy" => ReportedLayer::RoleTrust,
            "permissions boundary" => ReportedLayer::PermissionsBoundary,
            "session policy" | "sessions policy" => ReportedLayer::Session,
            "vpc endpoint policy" => ReportedLayer::VpcEndpoint,
            "service control policy" => ReportedLayer::Scp,
            "resource control policy" => ReportedLayer::Rcp,
            _ => return None,
        })
    }
}

/// Whether AWS reported an explicit or an implicit deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DenyKind {
    /// "with an explicit deny in …"
    Explicit,
    /// "because no … allows …"
    Implicit,
    /// The wording does not tell the two apart (legacy SCP wording, the KMS
    /// cross-account sentence, VPC endpoint network events).
    ExplicitOrImplicit,
    /// The message says nothing about why (bare `Access Denied`, EC2 without details).
    Unspecified,
}

/// Which family of message this was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variant {
    /// The enhanced `User: … is not authorized to perform: …` sentence.
    Enhanced,
    /// A bare `Access Denied` (S3 across organizations, anonymous callers, older services).
    BareAccessDenied,
    /// The KMS sentence "the resource does not exist in this Region, no resource-based
    /// policies allow access, or a resource-based policy explicitly denies access".
    KmsCrossAccount,
    /// EC2's `You are not authorized to perform this operation.` (with or without the
    /// enhanced sentence and the encoded authorization message).
    Ec2,
    /// A CloudTrail network-activity `VpceAccessDenied` message.
    VpceNetwork,
    /// API Gateway's `User is not authorized to access this resource[ with an explicit deny]`.
    ApiGateway,
    /// SQS's legacy `Access to the resource https://sqs.… is denied.`
    SqsLegacy,
    /// KMS's legacy `The ciphertext refers to a customer master key that does not exist …`.
    KmsLegacy,
    /// A service's own wording that names no policy type (Bedrock, Lake Formation, …).
    ServiceSpecific,
}

/// How the resource was written in the message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "form", content = "text", rename_all = "snake_case")]
pub enum ResourceForm {
    /// A bare ARN.
    Arn(String),
    /// A double-quoted ARN (S3).
    Quoted(String),
    /// `on this resource`: AWS did not say which.
    ThisResource,
    /// Not an ARN, such as `user NAME` or `policy path /` (IAM).
    NotArn(String),
    /// No resource in the message.
    Absent,
}

/// What an AccessDenied message says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParsedMessage {
    /// The text as given.
    pub raw: String,
    /// The text with whitespace runs collapsed.
    pub normalized: String,
    /// The family of message.
    pub variant: Variant,
    /// Error code from a CLI/SDK wrapper (`AccessDenied`, `UnauthorizedOperation`, …).
    pub error_code: Option<String>,
    /// Operation from the CLI wrapper (`GetObject`).
    pub operation: Option<String>,
    /// The caller ARN.
    pub principal: Option<String>,
    /// The action, as AWS spelled it (may differ in case from policies, e.g. `SNS:Publish`).
    pub action: Option<String>,
    /// How the resource was given.
    pub resource_form: ResourceForm,
    /// Explicit or implicit.
    pub kind: DenyKind,
    /// The layer named.
    pub layer: Option<ReportedLayer>,
    /// `… transitively through a service control policy` (T91).
    pub transitive_scp: bool,
    /// The action repeated in `allows the ACTION action`, when it differs from `action`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason_action: Option<String>,
    /// The policy ARN appended to explicit denies (both styles).
    pub policy_arn: Option<String>,
    /// `: ARN` (access troubleshooter) or `, with policy ARN: ARN` (S3) style.
    pub policy_arn_style: Option<PolicyArnStyle>,
    /// Console URL of the access troubleshooter trailer.
    pub details_url: Option<String>,
    /// Authorization id of the access troubleshooter trailer.
    pub authorization_id: Option<String>,
    /// The EC2 encoded authorization failure message, if any.
    pub encoded_message: Option<String>,
    /// The service the client or SDK names around the message (`S3`, `Amazon S3`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    /// The HTTP status the wrapper shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
    /// The action inferred from the operation when the message names none (marked inferred).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inferred_action: Option<String>,
    /// The resource inferred from an S3 URI or URL when the message names none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inferred_resource: Option<String>,
    /// The principal is masked, redacted or not of a documented form (reported as printed).
    pub masked_principal: bool,
    /// The trailer cut after the message (never part of a field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cut: Option<String>,
    /// Wrappers undone to read it (HTML entities, escapes, quote marks, Terraform box).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unwrapped: Vec<String>,
    /// Where the message ends in the unwrapped text.
    #[serde(skip)]
    pub sentence_end: usize,
}

/// The two documented ways a policy ARN is appended (T90).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyArnStyle {
    /// `… policy: arn:…`
    AccessTroubleshooter,
    /// `… policy, with policy ARN: arn:…`
    S3,
}

impl ParsedMessage {
    /// The resource text without quotes, when the message names one.
    pub fn resource(&self) -> Option<&str> {
        match &self.resource_form {
            ResourceForm::Arn(s) | ResourceForm::Quoted(s) | ResourceForm::NotArn(s) => Some(s),
            _ => None,
        }
    }

    /// The exact `aws sts decode-authorization-message` command for the encoded blob.
    pub fn decode_command(&self) -> Option<String> {
        self.encoded_message.as_ref().map(|m| {
            format!("aws sts decode-authorization-message --encoded-message {m} --query DecodedMessage --output text > decoded.json")
        })
    }

    /// One line saying what AWS reported.
    pub fn summary(&self) -> String {
        let what = match (self.kind, self.layer) {
            (DenyKind::Explicit, Some(l)) => {
                format!("an explicit deny in {} {}", article(l.phrase()), l.phrase())
            }
            (DenyKind::Explicit, None) => {
                "an explicit deny (the message does not say where)".to_string()
            }
            (DenyKind::Implicit, Some(l)) => {
                format!("an implicit deny: no {} allows it", l.phrase())
            }
            (DenyKind::Implicit, None) => "an implicit deny".to_string(),
            (DenyKind::ExplicitOrImplicit, Some(l)) => format!(
                "a deny by {} {} (explicit or implicit; the wording does not tell)",
                article(l.phrase()),
                l.phrase()
            ),
            (DenyKind::ExplicitOrImplicit, None) => "a deny, explicit or implicit".to_string(),
            (DenyKind::Unspecified, _) => "a denial without a reason".to_string(),
        };
        let mut s = what;
        if self.transitive_scp {
            s.push_str(", transitively through a service control policy");
        }
        if let Some(a) = &self.policy_arn {
            s.push_str(&format!(" ({a})"));
        }
        s
    }
}

fn article(phrase: &str) -> &'static str {
    if phrase.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// Why a message could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnrecognisedMessage {
    /// The normalised text.
    pub text: String,
}

impl std::fmt::Display for UnrecognisedMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the message is not a recognised AccessDenied form (expected \"User: ARN is not authorized to perform: ACTION …\", \"Access Denied\", or EC2's \"You are not authorized to perform this operation\"): {}",
            self.text
        )
    }
}

/// Collapse every whitespace run (line breaks from terminals and tools) to one space.
pub fn normalize_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

macro_rules! regex {
    ($p:expr) => {{
        static R: OnceLock<Option<Regex>> = OnceLock::new();
        R.get_or_init(|| Regex::new($p).ok()).as_ref()
    }};
}

/// The policy-type phrases of §7.1 (case ignored; `sessions` is the documented typo).
const TYPES: &str = r"(?i:identity-based policy|resource-based policy|permissions boundary|sessions? policy|service control policy|resource control policy|VPC endpoint policy|role trust policy)";

/// Where each message starts in the unwrapped text, and of which family it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anchor {
    /// `… is not authorized to perform …` / `Not authorized to perform …`.
    Enhanced,
    /// API Gateway's `User is not authorized to access this resource`.
    ApiGateway,
    /// EC2's `You are not authorized to perform this operation`.
    Ec2,
    /// SQS's `Access to the resource URL is denied`.
    Sqs,
    /// A bare `Access Denied` / `Forbidden`.
    Bare,
    /// `The request was denied due to a VPC endpoint policy`.
    VpceNetwork,
    /// KMS's legacy `The ciphertext refers to a customer master key that does not exist …`.
    KmsCiphertext,
    /// Another service's own wording (Bedrock, Lake Formation, CloudFormation).
    Service,
}

fn anchors(t: &str) -> Vec<(usize, usize, Anchor)> {
    let mut out: Vec<(usize, usize, Anchor)> = Vec::new();
    let mut push = |re: Option<&'static Regex>, a: Anchor| {
        if let Some(re) = re {
            for m in re.find_iter(t) {
                out.push((m.start(), m.end(), a));
            }
        }
    };
    push(
        regex!(r"\bis not authorized to perform\b|\bNot authorized to perform\b"),
        Anchor::Enhanced,
    );
    push(
        regex!(r"\bUser is not authorized to access th(?:is|e) resource\b"),
        Anchor::ApiGateway,
    );
    push(
        regex!(r"You are not authorized to perform this operation"),
        Anchor::Ec2,
    );
    push(regex!(r"Access to the resource \S+ is denied"), Anchor::Sqs);
    push(
        regex!(r"The request was denied due to a VPC endpoint policy"),
        Anchor::VpceNetwork,
    );
    push(
        regex!(
            r"The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access"
        ),
        Anchor::KmsCiphertext,
    );
    push(
        regex!(r"Your account is not authorized to invoke this API operation"),
        Anchor::Service,
    );
    push(
        regex!(r"Insufficient Lake Formation permission\(s\)"),
        Anchor::Service,
    );
    push(
        regex!(r"Access denied for operation '[^']*'"),
        Anchor::Service,
    );
    // A bare "Access Denied"/"Forbidden" is a message only where a message stands: after
    // a `: `, inside <Message> or a JSON "message", or alone.
    push(
        regex!(
            r#"(?:^|: |<Message>|[Mm]essage["']?\s*[:=]\s*["']|"|\| )(?:Access Denied|Access denied|Forbidden|UnknownError)\b"#
        ),
        Anchor::Bare,
    );
    out.sort_by_key(|x| x.0);
    // A bare anchor overlapping another one is part of it.
    let strong: Vec<(usize, usize)> = out
        .iter()
        .filter(|x| x.2 != Anchor::Bare)
        .map(|x| (x.0, x.1))
        .collect();
    out.retain(|x| x.2 != Anchor::Bare || !strong.iter().any(|(s, e)| x.0 < *e && *s < x.1));
    // An enhanced anchor preceded by EC2's sentence belongs to it.
    let mut merged: Vec<(usize, usize, Anchor)> = Vec::new();
    for a in out {
        if let Some(prev) = merged.last() {
            if prev.2 == Anchor::Ec2 && a.2 == Anchor::Enhanced && a.0.saturating_sub(prev.1) < 300
            {
                continue;
            }
            if prev.2 == Anchor::Bare && a.2 == Anchor::Bare && a.0.saturating_sub(prev.1) < 40 {
                continue;
            }
        }
        merged.push(a);
    }
    merged
}

/// Find every AccessDenied message in `text`, whatever surrounds it (see [`crate::paste`]).
/// Identical messages are reported once; a paste with none gives an empty list.
pub fn find_messages(text: &str) -> Vec<ParsedMessage> {
    let u = crate::paste::unwrap(text);
    let t = u.text.as_str();
    let found = anchors(t);
    let mut out: Vec<ParsedMessage> = Vec::new();
    let mut prev_end = 0usize;
    for (i, &(start, end, kind)) in found.iter().enumerate() {
        if start < prev_end {
            continue;
        }
        let next = found.get(i + 1).map_or(t.len(), |n| n.0);
        let seg_start = prev_end.min(start);
        let Some(mut m) = read_at(t, seg_start, start, end, next, kind) else {
            continue;
        };
        prev_end = m.sentence_end.max(end);
        m.raw = text.to_string();
        m.unwrapped = u.undone.iter().map(|s| s.to_string()).collect();
        // The same failure printed again (an SDK's message and its stack, a truncated
        // preview and the full body) is one message; a bare "Access Denied" that
        // only wraps a fuller message is dropped.
        let same = |o: &ParsedMessage| {
            o.variant == m.variant
                && o.principal == m.principal
                && o.action == m.action
                && o.resource() == m.resource()
                && o.kind == m.kind
                && o.layer == m.layer
                && o.policy_arn == m.policy_arn
                && (o.operation == m.operation || o.operation.is_none() || m.operation.is_none())
        };
        if let Some(last) = out.last() {
            if last.variant == Variant::BareAccessDenied
                && m.variant != Variant::BareAccessDenied
                && last.operation == m.operation
                && start.saturating_sub(last.sentence_end) < 400
            {
                out.pop();
            }
        }
        if !out.iter().any(same) {
            out.push(m);
        }
    }
    out
}

/// Parse the first AccessDenied message found in `text`.
pub fn parse_message(text: &str) -> Result<ParsedMessage, UnrecognisedMessage> {
    find_messages(text)
        .into_iter()
        .next()
        .ok_or_else(|| UnrecognisedMessage {
            text: normalize_whitespace(text),
        })
}

fn empty(kind: Variant) -> ParsedMessage {
    ParsedMessage {
        raw: String::new(),
        normalized: String::new(),
        variant: kind,
        error_code: None,
        operation: None,
        principal: None,
        action: None,
        resource_form: ResourceForm::Absent,
        kind: DenyKind::Unspecified,
        layer: None,
        transitive_scp: false,
        reason_action: None,
        policy_arn: None,
        policy_arn_style: None,
        details_url: None,
        authorization_id: None,
        encoded_message: None,
        service: None,
        http_status: None,
        inferred_action: None,
        inferred_resource: None,
        masked_principal: false,
        cut: None,
        unwrapped: Vec::new(),
        sentence_end: 0,
    }
}

/// True when a placeholder such as `[Account Id]` or `<Log Archive Account>` is split.
fn unbalanced(tok: &str) -> bool {
    tok.matches(']').count() != tok.matches('[').count()
        || tok.matches('>').count() != tok.matches('<').count()
}

/// The first token of `x`, keeping placeholders with spaces (`[Account Id]`) whole.
fn first_token(x: &str) -> &str {
    // `end` is always the offset of a space or the length of `x`, so a character
    // boundary; there is text after it exactly when it is a space.
    let mut end = x.find(' ').unwrap_or(x.len());
    while let (Some(head), Some(rest)) = (x.get(..end), x.get(end + 1..)) {
        if !unbalanced(head) {
            break;
        }
        end = rest.find(' ').map_or(x.len(), |i| end + 1 + i);
    }
    x.get(..end).unwrap_or(x)
}

/// The principal written just before `at` (`User: X`, `User `X'`, `X`, `CloudWatch Alarms`).
fn principal_before(t: &str, at: usize) -> Option<String> {
    let before = t.get(..at)?.trim_end();
    let mut tokens: Vec<&str> = before.rsplit(' ').collect();
    if tokens.is_empty() {
        return None;
    }
    // Rejoin a token split inside brackets (`arn:aws:iam::[Account Id]:role/x`).
    let mut tok = tokens.remove(0).to_string();
    while unbalanced(&tok) && !tokens.is_empty() {
        tok = format!("{} {tok}", tokens.remove(0));
    }
    let cleaned = crate::paste::clean_token(&tok);
    let cleaned = cleaned.rsplit_once("User:").map_or(cleaned, |(_, p)| p);
    let cleaned = crate::paste::clean_token(cleaned);
    if cleaned.is_empty() || cleaned.ends_with(':') || cleaned == "User" {
        return None;
    }
    if cleaned.contains(':') || cleaned.contains('.') || cleaned.contains('*') {
        if tokens
            .first()
            .is_some_and(|p| p.ends_with("error") || p.ends_with("Error:"))
        {
            return None;
        }
        return Some(cleaned.to_string());
    }
    // A display name (`CloudWatch Alarms`): capitalised words back to a quote or colon.
    let mut words = vec![cleaned.to_string()];
    for w in tokens.iter().take(3) {
        // A word glued to a quote or colon (`"error":"CloudWatch`) starts the name.
        if let Some((_, bare)) = w.rsplit_once(['"', '\'', ':', '>']) {
            if !bare.is_empty() && bare.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                words.push(bare.to_string());
            }
            break;
        }
        if !w.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
            break;
        }
        words.push(w.to_string());
    }
    words.reverse();
    let name = words.join(" ");
    let lower = name.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "you" | "user" | "client" | "caller" | "error"
    ) || lower.ends_with("error")
    {
        return None;
    }
    Some(name)
}

/// Read one message whose anchor spans `start..end`; `seg` is where the text that belongs
/// to it (its wrapper) begins, `next` where the next message begins.
fn read_at(
    t: &str,
    seg: usize,
    start: usize,
    end: usize,
    next: usize,
    kind: Anchor,
) -> Option<ParsedMessage> {
    let before = t.get(seg..start).unwrap_or("");
    let tail = t.get(end..next).unwrap_or("");
    let mut m = empty(Variant::Enhanced);
    let mut sentence_start = start;
    let consumed: usize;
    match kind {
        Anchor::Enhanced => {
            let subjectless = t.get(start..end).is_some_and(|a| a.starts_with("Not"));
            let p = if subjectless {
                None
            } else {
                principal_before(t, start)
            };
            if let Some(p) = &p {
                if let Some(i) = t.get(..start).and_then(|b| b.rfind(p.as_str())) {
                    sentence_start = i;
                    for prefix in ["User: ", "User `", "User: \"", "User "] {
                        if t.get(..i).is_some_and(|b| b.ends_with(prefix)) {
                            sentence_start = i - prefix.len();
                            break;
                        }
                    }
                }
            } else if t.get(..start).is_some_and(|b| b.ends_with("User: ")) {
                sentence_start = start - "User: ".len();
            }
            let r = enhanced_tail(tail)?;
            m.principal = p;
            m.action = r.action;
            m.resource_form = r.resource;
            m.kind = r.kind;
            m.layer = r.layer;
            m.transitive_scp = r.transitive;
            m.reason_action = r.reason_action;
            m.policy_arn = r.policy_arn;
            m.policy_arn_style = r.style;
            m.details_url = r.url;
            m.authorization_id = r.authz;
            if r.kms {
                m.variant = Variant::KmsCrossAccount;
            }
            consumed = r.consumed;
            // EC2's sentence may come first: "You are not authorized to perform this operation. User: …"
            if before
                .trim_end()
                .ends_with("You are not authorized to perform this operation.")
                || before.contains("UnauthorizedOperation")
            {
                m.variant = Variant::Ec2;
            }
        }
        Anchor::ApiGateway => {
            m.variant = Variant::ApiGateway;
            m.resource_form = ResourceForm::ThisResource;
            let explicit = tail.starts_with(" with an explicit deny");
            m.kind = if explicit {
                DenyKind::Explicit
            } else {
                DenyKind::Unspecified
            };
            consumed = if explicit {
                " with an explicit deny".len()
            } else {
                0
            };
        }
        Anchor::Ec2 => {
            m.variant = Variant::Ec2;
            consumed = 0;
            // The enhanced sentence may follow; read it as part of this message.
            let after = tail.trim_start_matches(['.', ' ']);
            let off = tail.len() - after.len();
            if let Some(i) = after
                .find(" is not authorized to perform")
                .filter(|&i| i < 400)
            {
                let abs = end + off + i + 1;
                if let Some(inner) = read_at(
                    t,
                    seg,
                    abs,
                    abs + "is not authorized to perform".len(),
                    next,
                    Anchor::Enhanced,
                ) {
                    let mut inner = inner;
                    inner.variant = Variant::Ec2;
                    inner.normalized = t
                        .get(start..inner.sentence_end)
                        .unwrap_or("")
                        .trim()
                        .to_string();
                    return Some(inner);
                }
            }
        }
        Anchor::Sqs => {
            m.variant = Variant::SqsLegacy;
            let text = t.get(start..end).unwrap_or("");
            let url = text
                .strip_prefix("Access to the resource ")
                .and_then(|r| r.strip_suffix(" is denied"))
                .unwrap_or("");
            m.resource_form = ResourceForm::NotArn(crate::paste::clean_token(url).to_string());
            consumed = 0;
        }
        Anchor::Bare => {
            m.variant = Variant::BareAccessDenied;
            let anchor = t.get(start..end).unwrap_or("");
            let word = [
                "Access Denied",
                "Access denied",
                "Forbidden",
                "UnknownError",
            ]
            .iter()
            .find_map(|w| anchor.rfind(w))
            .unwrap_or(0);
            sentence_start = start + word;
            consumed = 0;
        }
        Anchor::VpceNetwork => {
            m.variant = Variant::VpceNetwork;
            m.kind = DenyKind::ExplicitOrImplicit;
            m.layer = Some(ReportedLayer::VpcEndpoint);
            consumed = 0;
        }
        Anchor::KmsCiphertext => {
            m.variant = Variant::KmsLegacy;
            consumed = 0;
        }
        Anchor::Service => {
            m.variant = Variant::ServiceSpecific;
            consumed = 0;
        }
    }
    let msg_end = (end + consumed).min(t.len());
    let after = t.get(msg_end..next).unwrap_or("");
    let (_, cut) = crate::paste::cut_trailer(after);
    m.cut = cut
        .filter(|c| !c.is_empty())
        .map(|c| c.chars().take(120).collect());
    // The EC2 encoded blob, anywhere before the next message.
    if let Some(c) = regex!(r"Encoded authorization failure message: (?P<blob>[A-Za-z0-9_\-]+)")
        .and_then(|r| r.captures(t.get(seg..next).unwrap_or("")))
    {
        m.encoded_message = Some(c["blob"].to_string());
        if m.variant == Variant::Enhanced {
            m.variant = Variant::Ec2;
        }
    }
    let facts = crate::paste::wrapper_facts(before, after);
    m.error_code = facts.error_code;
    m.operation = facts.operation;
    m.service = facts.service;
    m.http_status = facts.http_status;
    if m.variant == Variant::BareAccessDenied
        && t.get(start..end) == Some("Forbidden")
        && m.error_code.is_none()
        && m.http_status.is_none()
    {
        // "Forbidden" alone is too common a word to be a message.
        return None;
    }
    m.normalized = t
        .get(sentence_start..msg_end)
        .unwrap_or("")
        .trim()
        .to_string();
    m.sentence_end = msg_end;
    m.masked_principal = m
        .principal
        .as_deref()
        .is_some_and(crate::paste::is_masked_principal);
    infer(&mut m, facts.s3_location.as_ref());
    Some(m)
}

/// The parts of an enhanced message after `is not authorized to perform`.
struct Tail {
    action: Option<String>,
    resource: ResourceForm,
    kind: DenyKind,
    layer: Option<ReportedLayer>,
    transitive: bool,
    reason_action: Option<String>,
    policy_arn: Option<String>,
    style: Option<PolicyArnStyle>,
    url: Option<String>,
    authz: Option<String>,
    kms: bool,
    consumed: usize,
}

fn enhanced_tail(tail: &str) -> Option<Tail> {
    let act = regex!(r"^:? [`'\x22]?(?P<a>[A-Za-z0-9-]+:[A-Za-z0-9*?]+)")?;
    let c = act.captures(tail)?;
    let action = c["a"].to_string();
    let mut pos = c.get(0).map_or(0, |m| m.end());
    // closing quote of SES's `ses:SendEmail'
    if tail
        .get(pos..)
        .is_some_and(|r| r.starts_with(['\'', '`', '"']))
    {
        pos += 1;
    }
    let rest = tail.get(pos..).unwrap_or("");
    let reason_start = regex!(r" (?:because |with an explicit deny|due to an explicit deny)")?;
    let mut resource = ResourceForm::Absent;
    let mut r = rest;
    if let Some(x) = rest
        .strip_prefix(" on resource: ")
        .or_else(|| rest.strip_prefix(" on resource "))
    {
        let (text, used) = resource_text(x, reason_start);
        resource = classify_resource(text);
        r = x.get(used..).unwrap_or("");
    } else if let Some(x) = [
        "on this resource",
        "on the resource associated with this ciphertext",
        "on the resource",
    ]
    .iter()
    .find_map(|p| rest.strip_prefix(' ').and_then(|y| y.strip_prefix(p)))
    {
        resource = ResourceForm::ThisResource;
        r = x;
    }
    let mut out = Tail {
        action: Some(action),
        resource,
        kind: DenyKind::Unspecified,
        layer: None,
        transitive: false,
        reason_action: None,
        policy_arn: None,
        style: None,
        url: None,
        authz: None,
        kms: false,
        consumed: 0,
    };
    let implicit = regex!(&format!(
        r"^ because no (?P<t>{TYPES}) allows the (?P<a>\S+?) action"
    ))?;
    let kms = regex!(
        r"^ because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access"
    )?;
    let explicit = regex!(&format!(
        r"^ (?P<due>with|due to) an explicit deny(?: in (?:a|an|the) (?P<t>{TYPES}))?(?P<tr> transitively through a service control policy)?(?:(?P<s3>, with policy ARN)?: (?P<arn>arn:\S+))?"
    ))?;
    let mut used_in_r = 0usize;
    if let Some(c) = implicit.captures(r) {
        out.kind = DenyKind::Implicit;
        out.layer = ReportedLayer::from_phrase(&c["t"]);
        let ia = c["a"].to_string();
        if out.action.as_deref().is_none_or(|a| a != ia) {
            out.reason_action = Some(ia);
        }
        used_in_r = c.get(0).map_or(0, |m| m.end());
    } else if let Some(c) = kms.find(r) {
        out.kind = DenyKind::ExplicitOrImplicit;
        out.layer = Some(ReportedLayer::Resource);
        out.kms = true;
        used_in_r = c.end();
    } else if let Some(c) = explicit.captures(r) {
        out.kind = DenyKind::Explicit;
        out.layer = c
            .name("t")
            .and_then(|t| ReportedLayer::from_phrase(t.as_str()));
        out.transitive = c.name("tr").is_some();
        if let Some(a) = c.name("arn") {
            // Placeholders with spaces (`<MANAGEMENT ACCOUNT>`) stay in the ARN.
            let whole = first_token(r.get(a.start()..).unwrap_or(a.as_str()));
            let arn = crate::paste::clean_token(whole).to_string();
            out.policy_arn = Some(arn);
            out.style = Some(if c.name("s3").is_some() {
                PolicyArnStyle::S3
            } else {
                PolicyArnStyle::AccessTroubleshooter
            });
        }
        // The 2023 IAM guide warned that an SCP without an Allow could be reported with
        // the explicit wording; only the newer form with a policy ARN is unambiguous.
        if out.layer == Some(ReportedLayer::Scp) && out.policy_arn.is_none() {
            out.kind = DenyKind::ExplicitOrImplicit;
        }
        used_in_r = c.get(0).map_or(0, |m| m.end());
        if let Some(a) = c.name("arn") {
            used_in_r =
                used_in_r.max(a.start() + first_token(r.get(a.start()..).unwrap_or("")).len());
        }
    }
    let after_reason = r.get(used_in_r..).unwrap_or("");
    let go = regex!(
        r"^\.? Go to (?P<url>\S+) for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: (?P<id>[0-9A-Za-z]+)"
    )?;
    let mut extra = 0;
    if let Some(c) = go.captures(after_reason) {
        out.url = c.name("url").map(|m| m.as_str().to_string());
        out.authz = c.name("id").map(|m| m.as_str().to_string());
        extra = c.get(0).map_or(0, |m| m.end());
    }
    out.consumed = tail.len() - r.len() + used_in_r + extra;
    Some(out)
}

/// The resource text at the start of `x` (after `on resource: `) and the bytes it took.
fn resource_text<'a>(x: &'a str, reason: &Regex) -> (&'a str, usize) {
    for (open, close) in [('"', '"'), ('`', '\''), ('\'', '\'')] {
        if let Some(inner) = x.strip_prefix(open) {
            // Both quotes are one byte: the quoted text is the first `e + 2` bytes.
            if let Some(quoted) = inner.find(close).and_then(|e| x.get(..e + 2)) {
                return (quoted, quoted.len());
            }
        }
    }
    let token = first_token(x);
    let token_end = token.len();
    if token.starts_with("arn:") || token == "*" || token.contains("://") {
        return (token, token_end);
    }
    // IAM's names for non-ARN resources: `user NAME`, `role NAME`, `group NAME`,
    // `instance profile NAME`, `policy path /`.
    let words: Vec<&str> = x.splitn(4, ' ').collect();
    let iam_words = match words.as_slice() {
        ["policy", "path", _, ..] => 3,
        ["instance", "profile", _, ..] => 3,
        [w, _, ..] if matches!(*w, "user" | "role" | "group" | "policy") => 2,
        _ => 0,
    };
    if iam_words > 0 && reason.find(x).is_none_or(|m| m.start() > 120) {
        let len: usize =
            words.iter().take(iam_words).map(|w| w.len()).sum::<usize>() + iam_words - 1;
        let (head, _) = crate::paste::cut_trailer(x.get(..len).unwrap_or(x));
        return (head, head.len());
    }
    // Not an ARN (`user bob`, `policy path /`): up to the reason, when it is near.
    if let Some(m) = reason.find(x).filter(|m| m.start() < 120) {
        let (head, _) = crate::paste::cut_trailer(x.get(..m.start()).unwrap_or_default());
        if head.len() == m.start() {
            return (head, m.start());
        }
    }
    (token, token_end)
}

fn classify_resource(text: &str) -> ResourceForm {
    let quoted = text.len() >= 2
        && (text.starts_with('"') || text.starts_with('`') || text.starts_with('\''));
    let inner = crate::paste::clean_token(text).to_string();
    if quoted {
        ResourceForm::Quoted(inner)
    } else if inner.starts_with("arn:") {
        ResourceForm::Arn(inner)
    } else if inner.is_empty() {
        ResourceForm::Absent
    } else {
        ResourceForm::NotArn(inner)
    }
}

/// The IAM prefix a client names a service by (`S3`, `Amazon S3`, `AmazonSQS`, `Lambda`).
fn service_prefix(svc: &str) -> Option<String> {
    let s = svc
        .trim()
        .trim_start_matches("Amazon")
        .trim_start_matches("AWS")
        .trim()
        .replace([' ', '-'], "")
        .to_ascii_lowercase();
    let p = match s.as_str() {
        "" => return None,
        "simplequeueservice" => "sqs".into(),
        "simplenotificationservice" => "sns".into(),
        "simplestorageservice" => "s3".into(),
        "dynamodbv2" => "dynamodb".into(),
        "cloudwatchlogs" => "logs".into(),
        "keymanagementservice" => "kms".into(),
        "securitytokenservice" => "sts".into(),
        "identitymanagement" => "iam".into(),
        other => other.to_string(),
    };
    verdict_catalog::catalog().service(&p).map(|_| p)
}

/// Fill the inferred action (from the operation) and resource (from an S3 location).
fn infer(m: &mut ParsedMessage, s3: Option<&(String, Option<String>)>) {
    let service = m
        .service
        .as_deref()
        .and_then(service_prefix)
        .or_else(|| s3.map(|_| "s3".to_string()));
    if m.action.is_none() {
        if let Some(op) = &m.operation {
            m.inferred_action = infer_action(service.as_deref(), op);
        } else if m.variant == Variant::SqsLegacy {
            m.inferred_action = None;
        }
    }
    let action = m.action.clone().or_else(|| m.inferred_action.clone());
    if m.resource().is_none() {
        if let Some((bucket, key)) = s3 {
            // With no action at all, an S3 location beside an S3-style denial still names it.
            let is_s3 = action
                .as_deref()
                .map_or(matches!(m.variant, Variant::BareAccessDenied), |a| {
                    a.to_ascii_lowercase().starts_with("s3:")
                });
            if is_s3 {
                let bucket_level = action.as_deref().is_some_and(|a| {
                    let l = a.to_ascii_lowercase();
                    l == "s3:listbucket"
                        || l.starts_with("s3:getbucket")
                        || l.starts_with("s3:putbucket")
                        || l == "s3:listbucketversions"
                });
                m.inferred_resource = Some(match (key, bucket_level) {
                    (Some(k), false) => format!("arn:aws:s3:::{bucket}/{k}"),
                    _ => format!("arn:aws:s3:::{bucket}"),
                });
            }
        }
    }
}

/// The IAM action an API operation is authorised by, for the service `svc` if known.
pub fn infer_action(svc: Option<&str>, op: &str) -> Option<String> {
    let table = crate::event_actions::EVENT_ACTIONS;
    if let Some(e) = table
        .iter()
        .find(|e| e.event_name == op && svc.is_none_or(|s| s == e.service))
    {
        return e.actions.first().map(|a| a.to_string());
    }
    let cat = verdict_catalog::catalog();
    match svc {
        Some(s) => cat.action(&format!("{s}:{op}")).map(|a| a.qualified_name()),
        None => {
            // Well-known services first; else only when exactly one service has the action.
            const COMMON: &[&str] = &[
                "s3",
                "ec2",
                "iam",
                "sts",
                "dynamodb",
                "lambda",
                "kms",
                "sqs",
                "sns",
                "secretsmanager",
                "ssm",
                "logs",
                "ecr",
                "cloudformation",
            ];
            let hits: Vec<String> = COMMON
                .iter()
                .filter_map(|s| cat.action(&format!("{s}:{op}")).map(|a| a.qualified_name()))
                .collect();
            match hits.as_slice() {
                [one] => Some(one.clone()),
                [] => {
                    let all: Vec<String> = cat
                        .services()
                        .filter_map(|s| s.action(op).map(|a| a.qualified_name()))
                        .take(2)
                        .collect();
                    match all.as_slice() {
                        [one] => Some(one.clone()),
                        _ => None,
                    }
                }
                _ => None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn p(s: &str) -> ParsedMessage {
        parse_message(s).unwrap()
    }

    const U: &str = "User: arn:aws:iam::111122223333:user/alice is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:111122223333:table/t";

    #[test]
    fn implicit_every_layer() {
        for (phrase, layer) in [
            ("identity-based policy", ReportedLayer::Identity),
            ("resource-based policy", ReportedLayer::Resource),
            ("permissions boundary", ReportedLayer::PermissionsBoundary),
            ("session policy", ReportedLayer::Session),
            ("VPC endpoint policy", ReportedLayer::VpcEndpoint),
            ("service control policy", ReportedLayer::Scp),
            ("role trust policy", ReportedLayer::RoleTrust),
        ] {
            let m = p(&format!(
                "{U} because no {phrase} allows the dynamodb:GetItem action"
            ));
            assert_eq!(m.kind, DenyKind::Implicit, "{phrase}");
            assert_eq!(m.layer, Some(layer), "{phrase}");
            assert_eq!(
                m.principal.as_deref(),
                Some("arn:aws:iam::111122223333:user/alice")
            );
            assert_eq!(m.action.as_deref(), Some("dynamodb:GetItem"));
            assert_eq!(
                m.resource(),
                Some("arn:aws:dynamodb:us-east-1:111122223333:table/t")
            );
            assert_eq!(m.variant, Variant::Enhanced);
        }
    }

    #[test]
    fn explicit_every_layer() {
        for (phrase, layer) in [
            ("an identity-based policy", ReportedLayer::Identity),
            ("a resource-based policy", ReportedLayer::Resource),
            ("a resource control policy", ReportedLayer::Rcp),
            ("a permissions boundary", ReportedLayer::PermissionsBoundary),
            ("a session policy", ReportedLayer::Session),
            ("a sessions policy", ReportedLayer::Session),
            ("a VPC endpoint policy", ReportedLayer::VpcEndpoint),
            ("the role trust policy", ReportedLayer::RoleTrust),
        ] {
            let m = p(&format!("{U} with an explicit deny in {phrase}"));
            assert_eq!(m.kind, DenyKind::Explicit, "{phrase}");
            assert_eq!(m.layer, Some(layer), "{phrase}");
        }
    }

    #[test]
    fn legacy_scp_explicit_wording_is_ambiguous() {
        let m = p(&format!(
            "{U} with an explicit deny in a service control policy"
        ));
        assert_eq!(m.kind, DenyKind::ExplicitOrImplicit);
        assert_eq!(m.layer, Some(ReportedLayer::Scp));
        let m = p(&format!(
            "{U} due to an explicit deny in a Service Control Policy."
        ));
        assert_eq!(m.kind, DenyKind::ExplicitOrImplicit);
        assert_eq!(m.layer, Some(ReportedLayer::Scp));
    }

    #[test]
    fn explicit_without_layer() {
        let m = p("An error occurred (AccessDenied) when calling the RunInstances operation: User: arn:aws:iam::444455556666:user/ExampleUser is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:444455556666:volume/* with an explicit deny");
        assert_eq!(m.kind, DenyKind::Explicit);
        assert_eq!(m.layer, None);
        assert_eq!(m.error_code.as_deref(), Some("AccessDenied"));
        assert_eq!(m.operation.as_deref(), Some("RunInstances"));
        assert_eq!(
            m.resource(),
            Some("arn:aws:ec2:us-east-1:444455556666:volume/*")
        );
    }

    #[test]
    fn policy_arn_both_styles() {
        let arn = "arn:aws:organizations::777788889999:policy/o-exampleorgid/service_control_policy/p-examplepolicyid";
        let m = p(&format!(
            "{U} with an explicit deny in a service control policy: {arn}"
        ));
        assert_eq!(m.kind, DenyKind::Explicit);
        assert_eq!(m.policy_arn.as_deref(), Some(arn));
        assert_eq!(
            m.policy_arn_style,
            Some(PolicyArnStyle::AccessTroubleshooter)
        );
        let m = p(&format!(
            "{U} with an explicit deny in a service control policy, with policy ARN: {arn}"
        ));
        assert_eq!(m.policy_arn.as_deref(), Some(arn));
        assert_eq!(m.policy_arn_style, Some(PolicyArnStyle::S3));
        let m = p(&format!("{U} with an explicit deny in an identity-based policy: arn:aws:iam::111122223333:policy/DenyAll."));
        assert_eq!(
            m.policy_arn.as_deref(),
            Some("arn:aws:iam::111122223333:policy/DenyAll")
        );
    }

    #[test]
    fn access_troubleshooter_trailer() {
        let m = p("User: arn:aws:iam::123456789012:user/u is not authorized to perform: s3:GetObject on resource: arn:aws:s3:::b/k with an explicit deny in an identity-based policy: arn:aws:iam::123456789012:policy/ExampleDenyPolicy. Go to https://us-east-1.console.aws.amazon.com/iam/home?region=us-east-1#/authorization-details/AbC123 for complete details, or call the GetRequestAuthorizationDetails API with the following authorization id: AbC123");
        assert_eq!(
            m.policy_arn.as_deref(),
            Some("arn:aws:iam::123456789012:policy/ExampleDenyPolicy")
        );
        assert_eq!(m.authorization_id.as_deref(), Some("AbC123"));
        assert!(m
            .details_url
            .as_deref()
            .is_some_and(|u| u.contains("authorization-details")));
    }

    #[test]
    fn transitive_vpce_t91() {
        let m = p("User: arn:aws:sts::111122223333:assumed-role/role-name/role-session-name is not authorized to perform: SNS:Publish on resource: arn:aws:sns:us-east-1:444455556666:role-name-2 with an explicit deny in a VPC endpoint policy transitively through a service control policy");
        assert_eq!(
            m.principal.as_deref(),
            Some("arn:aws:sts::111122223333:assumed-role/role-name/role-session-name")
        );
        assert_eq!(m.action.as_deref(), Some("SNS:Publish"));
        assert_eq!(
            m.resource(),
            Some("arn:aws:sns:us-east-1:444455556666:role-name-2")
        );
        assert_eq!(m.layer, Some(ReportedLayer::VpcEndpoint));
        assert!(m.transitive_scp);
        assert_eq!(m.kind, DenyKind::Explicit);
    }

    #[test]
    fn quoted_s3_resource() {
        let m = p("User: arn:aws:iam::111122223333:user/engineering/alice is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::example-reports-111122223333/2026/q3/summary.csv\" because no identity-based policy allows the s3:GetObject action");
        assert_eq!(
            m.resource_form,
            ResourceForm::Quoted(
                "arn:aws:s3:::example-reports-111122223333/2026/q3/summary.csv".into()
            )
        );
    }

    #[test]
    fn this_resource_and_non_arn_resources() {
        let m = p("User: arn:aws:sts::111122223333:assumed-role/R/s is not authorized to perform: kms:GenerateDataKey on this resource because no identity-based policy allows the kms:GenerateDataKey action");
        assert_eq!(m.resource_form, ResourceForm::ThisResource);
        assert_eq!(m.layer, Some(ReportedLayer::Identity));
        let m = p("User: arn:aws:iam::111122223333:user/bob is not authorized to perform: iam:GetUser on resource: user bob because no identity-based policy allows the iam:GetUser action");
        assert_eq!(m.resource_form, ResourceForm::NotArn("user bob".into()));
        let m = p("User: arn:aws:iam::111122223333:user/bob is not authorized to perform: iam:ListPolicies on resource: policy path / because no identity-based policy allows the iam:ListPolicies action");
        assert_eq!(
            m.resource_form,
            ResourceForm::NotArn("policy path /".into())
        );
        let m = p("User: arn:aws:iam::429418377036:user/x is not authorized to perform: sqs:listqueues on resource: arn:aws:sqs:us-east-1:429418377036: because no identity-based policy allows the sqs:listqueues action");
        assert_eq!(m.resource(), Some("arn:aws:sqs:us-east-1:429418377036:"));
    }

    #[test]
    fn no_resource() {
        let m = p("User: arn:aws:iam::111122223333:user/alice is not authorized to perform: sts:AssumeRole because no role trust policy allows the sts:AssumeRole action");
        assert_eq!(m.resource_form, ResourceForm::Absent);
        assert_eq!(m.layer, Some(ReportedLayer::RoleTrust));
    }

    #[test]
    fn kms_cross_account_sentence() {
        let m = p("User: arn:aws:sts::111122223333:assumed-role/R/s is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access");
        assert_eq!(m.variant, Variant::KmsCrossAccount);
        assert_eq!(m.kind, DenyKind::ExplicitOrImplicit);
        assert_eq!(m.layer, Some(ReportedLayer::Resource));
        assert_eq!(
            m.resource(),
            Some("arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab")
        );
    }

    #[test]
    fn bare_access_denied() {
        for s in [
            "Access Denied",
            "Access Denied.",
            "An error occurred (AccessDenied) when calling the PutObject operation: Access Denied",
        ] {
            let m = p(s);
            assert_eq!(m.variant, Variant::BareAccessDenied, "{s}");
            assert_eq!(m.kind, DenyKind::Unspecified);
        }
    }

    #[test]
    fn ec2_encoded_with_and_without_sentence() {
        let m = p("You are not authorized to perform this operation. User: arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Developer_0123456789abcdef/carol@example.com is not authorized to perform: ec2:RunInstances on resource: arn:aws:ec2:us-east-1:111122223333:instance/* because no identity-based policy allows the ec2:RunInstances action. Encoded authorization failure message: EXAMPLE-blob_123");
        assert_eq!(m.variant, Variant::Ec2);
        assert_eq!(m.encoded_message.as_deref(), Some("EXAMPLE-blob_123"));
        assert_eq!(m.layer, Some(ReportedLayer::Identity));
        assert_eq!(m.action.as_deref(), Some("ec2:RunInstances"));
        assert!(m.decode_command().is_some_and(|c| c.starts_with(
            "aws sts decode-authorization-message --encoded-message EXAMPLE-blob_123"
        )));
        let m = p("An error occurred (UnauthorizedOperation) when calling the RunInstances operation: You are not authorized to perform this operation. Encoded authorization failure message: abcDEF-123");
        assert_eq!(m.variant, Variant::Ec2);
        assert_eq!(m.kind, DenyKind::Unspecified);
        assert_eq!(m.error_code.as_deref(), Some("UnauthorizedOperation"));
        assert_eq!(m.encoded_message.as_deref(), Some("abcDEF-123"));
        assert_eq!(m.principal, None);
    }

    #[test]
    fn sdk_code_prefix_and_line_breaks() {
        let m = p("AccessDeniedException: User: arn:aws:iam::111122223333:user/alice\n   is not authorized to perform:\tdynamodb:GetItem on resource: arn:aws:dynamodb:us-east-1:111122223333:table/t\nbecause no identity-based policy allows the dynamodb:GetItem action.");
        assert_eq!(m.error_code.as_deref(), Some("AccessDeniedException"));
        assert_eq!(m.layer, Some(ReportedLayer::Identity));
        assert_eq!(m.kind, DenyKind::Implicit);
    }

    #[test]
    fn vpce_network_event_message() {
        let m = p("The request was denied due to a VPC endpoint policy");
        assert_eq!(m.variant, Variant::VpceNetwork);
        assert_eq!(m.layer, Some(ReportedLayer::VpcEndpoint));
    }

    #[test]
    fn rejects_other_text() {
        assert!(parse_message("ThrottlingException: Rate exceeded").is_err());
    }
}
