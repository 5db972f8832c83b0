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

fn re(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

fn wrapper_re() -> Option<&'static Regex> {
    static R: OnceLock<Option<Regex>> = OnceLock::new();
    re(
        &R,
        r"^An error occurred \((?P<code>[A-Za-z0-9.]+)\) when calling the (?P<op>[A-Za-z0-9]+) operation(?: \(reached max retries: \d+\))?: (?P<rest>.*)$",
    )
}

fn code_prefix_re() -> Option<&'static Regex> {
    static R: OnceLock<Option<Regex>> = OnceLock::new();
    re(
        &R,
        r"^(?P<code>(?:Client\.)?[A-Z][A-Za-z]*(?:Exception|Denied|Operation|Access|Forbidden)): (?P<rest>.*)$",
    )
}

fn encoded_re() -> Option<&'static Regex> {
    static R: OnceLock<Option<Regex>> = OnceLock::new();
    re(
        &R,
        r"(?:\.\s*)?\s*Encoded authorization failure message:\s*(?P<blob>\S+)\s*$",
    )
}

fn enhanced_re() -> Option<&'static Regex> {
    static R: OnceLock<Option<Regex>> = OnceLock::new();
    re(
        &R,
        r#"(?x)
        ^User:\x20(?P<principal>\S+)\x20is\x20not\x20authorized\x20to\x20perform:\x20(?P<action>[A-Za-z0-9-]+:[A-Za-z0-9*?]+)
        (?:\x20on\x20(?:resource:\x20(?P<resource>"[^"]*"|.+?)|(?P<this>this\x20resource)))?
        (?:
            \x20because\x20no\x20(?P<itype>(?i:identity-based\x20policy|resource-based\x20policy|permissions\x20boundary|sessions?\x20policy|service\x20control\x20policy|resource\x20control\x20policy|VPC\x20endpoint\x20policy|role\x20trust\x20policy))\x20allows\x20the\x20(?P<iaction>\S+)\x20action
          | \x20(?:with|due\x20to)\x20an\x20explicit\x20deny
            (?:\x20in\x20(?:a|an|the)\x20(?P<etype>(?i:identity-based\x20policy|resource-based\x20policy|service\x20control\x20policy|resource\x20control\x20policy|permissions\x20boundary|sessions?\x20policy|VPC\x20endpoint\x20policy|role\x20trust\x20policy)))?
            (?P<transitive>\x20transitively\x20through\x20a\x20service\x20control\x20policy)?
            (?:(?P<s3style>,\x20with\x20policy\x20ARN)?:\x20(?P<policy>arn:[^\s]+?))?
          | \x20because\x20(?P<kms>the\x20resource\x20does\x20not\x20exist\x20in\x20this\x20Region,\x20no\x20resource-based\x20policies\x20allow\x20access,\x20or\x20a\x20resource-based\x20policy\x20explicitly\x20denies\x20access)
        )?
        \.?
        (?:\x20Go\x20to\x20(?P<url>\S+)\x20for\x20complete\x20details,\x20or\x20call\x20the\x20GetRequestAuthorizationDetails\x20API\x20with\x20the\x20following\x20authorization\x20id:\x20(?P<authz>[0-9A-Za-z]+)\.?)?
        $"#,
    )
}

/// Collapse every whitespace run (line breaks from terminals and tools) to one space.
pub fn normalize_whitespace(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parse an AccessDenied message in any of the known forms.
pub fn parse_message(text: &str) -> Result<ParsedMessage, UnrecognisedMessage> {
    let normalized = normalize_whitespace(text);
    let mut rest = normalized.clone();
    let mut error_code = None;
    let mut operation = None;
    if let Some(c) = wrapper_re().and_then(|r| r.captures(&rest)) {
        error_code = c.name("code").map(|m| m.as_str().to_string());
        operation = c.name("op").map(|m| m.as_str().to_string());
        rest = c
            .name("rest")
            .map(|m| m.as_str().to_string())
            .unwrap_or_default();
    }
    if let Some(c) = code_prefix_re().and_then(|r| r.captures(&rest)) {
        if error_code.is_none() {
            error_code = c.name("code").map(|m| m.as_str().to_string());
        }
        rest = c
            .name("rest")
            .map(|m| m.as_str().to_string())
            .unwrap_or_default();
    }
    let mut encoded_message = None;
    if let Some(c) = encoded_re().and_then(|r| r.captures(&rest)) {
        encoded_message = c.name("blob").map(|m| m.as_str().to_string());
        let start = c.get(0).map_or(rest.len(), |m| m.start());
        rest.truncate(start);
        rest = rest.trim().to_string();
    }
    let mut ec2 = encoded_message.is_some()
        || error_code
            .as_deref()
            .is_some_and(|c| c.contains("UnauthorizedOperation"));
    const EC2_PREFIX: &str = "You are not authorized to perform this operation";
    if let Some(r) = rest.strip_prefix(EC2_PREFIX) {
        ec2 = true;
        rest = r.trim_start_matches('.').trim().to_string();
    }
    let rest = rest.trim().to_string();
    let mut base = ParsedMessage {
        raw: text.to_string(),
        normalized: normalized.clone(),
        variant: if ec2 { Variant::Ec2 } else { Variant::Enhanced },
        error_code,
        operation,
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
        encoded_message,
    };
    if rest.is_empty() && ec2 {
        return Ok(base);
    }
    let bare = rest.trim_end_matches('.');
    if bare.eq_ignore_ascii_case("access denied") || rest.contains("<Code>AccessDenied</Code>") {
        base.variant = Variant::BareAccessDenied;
        return Ok(base);
    }
    if bare.eq_ignore_ascii_case("The request was denied due to a VPC endpoint policy") {
        base.variant = Variant::VpceNetwork;
        base.kind = DenyKind::ExplicitOrImplicit;
        base.layer = Some(ReportedLayer::VpcEndpoint);
        return Ok(base);
    }
    let Some(c) = enhanced_re().and_then(|r| r.captures(&rest)) else {
        return Err(UnrecognisedMessage { text: normalized });
    };
    let get = |n: &str| c.name(n).map(|m| m.as_str().to_string());
    base.principal = get("principal");
    base.action = get("action");
    base.resource_form = match (get("resource"), c.name("this").is_some()) {
        (_, true) => ResourceForm::ThisResource,
        (Some(r), _) if r.len() >= 2 && r.starts_with('"') && r.ends_with('"') => {
            ResourceForm::Quoted(r[1..r.len() - 1].to_string())
        }
        (Some(r), _) if r.starts_with("arn:") => ResourceForm::Arn(r),
        (Some(r), _) => ResourceForm::NotArn(r),
        (None, _) => ResourceForm::Absent,
    };
    if let Some(t) = get("itype") {
        base.kind = DenyKind::Implicit;
        base.layer = ReportedLayer::from_phrase(&t);
        let ia = get("iaction");
        if ia.as_deref() != base.action.as_deref() {
            base.reason_action = ia;
        }
    } else if c.name("kms").is_some() {
        base.variant = Variant::KmsCrossAccount;
        base.kind = DenyKind::ExplicitOrImplicit;
        base.layer = Some(ReportedLayer::Resource);
    } else if normalized.contains("explicit deny") {
        base.kind = DenyKind::Explicit;
        base.layer = get("etype").and_then(|t| ReportedLayer::from_phrase(&t));
        base.transitive_scp = c.name("transitive").is_some();
        base.policy_arn = get("policy");
        if base.policy_arn.is_some() {
            base.policy_arn_style = Some(if c.name("s3style").is_some() {
                PolicyArnStyle::S3
            } else {
                PolicyArnStyle::AccessTroubleshooter
            });
        }
        // The 2023 IAM guide warned that an SCP without an Allow could be reported with
        // the explicit wording; only the newer form with a policy ARN is unambiguous.
        let legacy_scp = base.layer == Some(ReportedLayer::Scp) && base.policy_arn.is_none();
        if legacy_scp || normalized.contains("due to an explicit deny") {
            base.kind = if base.layer == Some(ReportedLayer::Scp) {
                DenyKind::ExplicitOrImplicit
            } else {
                DenyKind::Explicit
            };
        }
    }
    base.details_url = get("url");
    base.authorization_id = get("authz");
    Ok(base)
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
