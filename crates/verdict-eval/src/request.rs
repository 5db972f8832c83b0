//! The caller and the request (§1.1, §1.2).

use crate::context::{Context, CtxValue};
use verdict_policy::arn::{Arn, RequestResource};

/// Who makes the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Caller {
    /// The account root user.
    Root {
        /// Partition.
        partition: String,
        /// Account.
        account: String,
    },
    /// An IAM user.
    User {
        /// Partition.
        partition: String,
        /// Account.
        account: String,
        /// User name.
        name: String,
        /// Path and name after `user/` (e.g. `dev/bob`).
        path: String,
        /// The ARN as given.
        arn: String,
    },
    /// An assumed-role session.
    AssumedRole {
        /// Partition.
        partition: String,
        /// Account.
        account: String,
        /// Role name.
        role: String,
        /// Session name.
        session: String,
        /// The session ARN.
        arn: String,
    },
    /// A GetFederationToken session.
    FederatedUser {
        /// Partition.
        partition: String,
        /// Account.
        account: String,
        /// Federated user name.
        name: String,
        /// The ARN.
        arn: String,
    },
    /// An AWS service principal acting directly.
    Service(String),
    /// A web-identity or SAML provider calling AssumeRoleWith*.
    WebIdentity(String),
    /// An unsigned request.
    Anonymous,
}

impl Caller {
    /// Parse a request principal. `action_lc` selects web-identity readings.
    pub fn parse(s: &str, action_lc: &str) -> Result<(Caller, Option<String>), String> {
        let web =
            action_lc == "sts:assumerolewithwebidentity" || action_lc == "sts:assumerolewithsaml";
        if s.eq_ignore_ascii_case("anonymous") || s == "*" {
            return Ok((Caller::Anonymous, None));
        }
        if !s.starts_with("arn:") {
            if web {
                return Ok((Caller::WebIdentity(s.to_string()), None));
            }
            if s.contains('.') && !s.contains(['/', ':', ' ']) {
                return Ok((Caller::Service(s.to_ascii_lowercase()), None));
            }
            return Err(format!(
                "principal \"{s}\" is not an IAM/STS ARN, a service principal (such as lambda.amazonaws.com) or \"anonymous\""
            ));
        }
        let a =
            Arn::parse(s).ok_or_else(|| format!("principal \"{s}\" is not a well-formed ARN"))?;
        let account = a.account.to_string();
        let partition = a.partition.to_string();
        let valid_account = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
        if !valid_account {
            return Err(format!(
                "principal \"{s}\" must contain a 12-digit account id"
            ));
        }
        let last = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
        // The resource type is the text before the first `/`.
        match (a.service, a.resource, a.resource.split_once('/')) {
            ("iam", "root", _) => Ok((Caller::Root { partition, account }, None)),
            ("iam", _, Some(("user", path))) if !path.is_empty() => Ok((
                Caller::User {
                    partition,
                    account,
                    name: last(path),
                    path: path.to_string(),
                    arn: s.to_string(),
                },
                None,
            )),
            ("iam", _, Some(("role", path))) if !path.is_empty() => {
                let role = last(path);
                let arn = format!("arn:{partition}:sts::{account}:assumed-role/{role}/verdict-session");
                Ok((
                    Caller::AssumedRole {
                        partition,
                        account,
                        role,
                        session: "verdict-session".into(),
                        arn: arn.clone(),
                    },
                    Some(format!(
                        "a role never calls AWS itself; evaluated as its session {arn} (give the session ARN arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION to be exact)"
                    )),
                ))
            }
            ("iam", _, Some(("saml-provider" | "oidc-provider", _))) => {
                Ok((Caller::WebIdentity(s.to_string()), None))
            }
            ("sts", _, Some(("assumed-role", rest))) => {
                let mut it = rest.splitn(2, '/');
                match (it.next(), it.next()) {
                    (Some(role), Some(session)) if !role.is_empty() && !session.is_empty() => Ok((
                        Caller::AssumedRole {
                            partition,
                            account,
                            role: role.to_string(),
                            session: session.to_string(),
                            arn: s.to_string(),
                        },
                        None,
                    )),
                    _ => Err(format!(
                        "principal \"{s}\" must have the form arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION"
                    )),
                }
            }
            ("sts", _, Some(("federated-user", name))) if !name.is_empty() => Ok((
                Caller::FederatedUser {
                    partition,
                    account,
                    name: name.to_string(),
                    arn: s.to_string(),
                },
                None,
            )),
            _ => Err(format!(
                "principal \"{s}\" is not a user, role, assumed-role session, federated user or root ARN"
            )),
        }
    }

    /// The caller's account, if it has one.
    pub fn account(&self) -> Option<&str> {
        match self {
            Caller::Root { account, .. }
            | Caller::User { account, .. }
            | Caller::AssumedRole { account, .. }
            | Caller::FederatedUser { account, .. } => Some(account),
            _ => None,
        }
    }

    /// The caller's partition, if it has one.
    pub fn partition(&self) -> Option<&str> {
        match self {
            Caller::Root { partition, .. }
            | Caller::User { partition, .. }
            | Caller::AssumedRole { partition, .. }
            | Caller::FederatedUser { partition, .. } => Some(partition),
            _ => None,
        }
    }

    /// The caller's ARN as AWS prints it in messages (`anonymous` for unsigned calls).
    pub fn display(&self) -> String {
        match self {
            Caller::Root { partition, account } => format!("arn:{partition}:iam::{account}:root"),
            Caller::User { arn, .. }
            | Caller::AssumedRole { arn, .. }
            | Caller::FederatedUser { arn, .. } => arn.clone(),
            Caller::Service(s) | Caller::WebIdentity(s) => s.clone(),
            Caller::Anonymous => "anonymous".into(),
        }
    }

    /// True for callers authenticated by IAM in an account (root, users, sessions).
    pub fn is_iam(&self) -> bool {
        self.account().is_some()
    }

    /// Fill in the keys AWS derives from the principal (§1.2); given values win.
    pub fn derive_keys(&self, ctx: &mut Context, principal_id: Option<&str>) {
        let s = |v: &str| CtxValue::Single(v.to_string());
        match self {
            Caller::Root { partition, account } => {
                ctx.derive(
                    "aws:PrincipalArn",
                    s(&format!("arn:{partition}:iam::{account}:root")),
                );
                ctx.derive("aws:PrincipalAccount", s(account));
                ctx.derive("aws:PrincipalType", s("Account"));
                ctx.derive("aws:userid", s(account));
                ctx.derive("aws:PrincipalIsAWSService", s("false"));
            }
            Caller::User {
                account, name, arn, ..
            } => {
                ctx.derive("aws:PrincipalArn", s(arn));
                ctx.derive("aws:PrincipalAccount", s(account));
                ctx.derive("aws:username", s(name));
                ctx.derive("aws:PrincipalType", s("User"));
                if let Some(id) = principal_id {
                    ctx.derive("aws:userid", s(id));
                }
                ctx.derive("aws:PrincipalIsAWSService", s("false"));
            }
            Caller::AssumedRole {
                partition,
                account,
                role,
                session,
                ..
            } => {
                ctx.derive(
                    "aws:PrincipalArn",
                    s(&format!("arn:{partition}:iam::{account}:role/{role}")),
                );
                ctx.derive("aws:PrincipalAccount", s(account));
                ctx.derive("aws:PrincipalType", s("AssumedRole"));
                if let Some(id) = principal_id {
                    ctx.derive("aws:userid", s(&format!("{id}:{session}")));
                }
                ctx.derive("aws:PrincipalIsAWSService", s("false"));
            }
            Caller::FederatedUser {
                account, name, arn, ..
            } => {
                ctx.derive("aws:PrincipalArn", s(arn));
                ctx.derive("aws:PrincipalAccount", s(account));
                ctx.derive("aws:PrincipalType", s("FederatedUser"));
                ctx.derive("aws:userid", s(&format!("{account}:{name}")));
                ctx.derive("aws:PrincipalIsAWSService", s("false"));
            }
            Caller::Service(svc) => {
                ctx.derive("aws:PrincipalIsAWSService", s("true"));
                ctx.derive("aws:PrincipalServiceName", s(svc));
            }
            Caller::Anonymous => {
                ctx.derive("aws:PrincipalAccount", s("anonymous"));
                ctx.derive("aws:PrincipalType", s("Anonymous"));
                ctx.derive("aws:userid", s("anonymous"));
            }
            Caller::WebIdentity(_) => {}
        }
    }
}

/// One evaluation request.
#[derive(Clone, Debug)]
pub struct Request {
    /// The caller.
    pub caller: Caller,
    /// Action as given.
    pub action: String,
    /// Lower-cased service prefix.
    pub service_lc: String,
    /// Lower-cased action name.
    pub name_lc: String,
    /// [`verdict_policy::model::service_hash`] of `service_lc`.
    pub service_hash: u64,
    /// The resource.
    pub resource: RequestResource,
    /// Context, with derived keys.
    pub context: Context,
    /// Unique id of the caller (`AIDA…`/`AROA…`).
    pub principal_id: Option<String>,
    /// Canonical user id of the caller's account.
    pub canonical_user_id: Option<String>,
    /// The caller is a service-linked role.
    pub service_linked_role: bool,
    /// For a federated user: the IAM user that created the session (defaults to the same name).
    pub federated_parent: Option<String>,
}

impl Request {
    /// A request built in code (not read from a scenario file): the keys AWS derives
    /// from the caller are added to `context` (§1.2), as the scenario loader does.
    /// `None` when `action` is not `service:Name`.
    pub fn new(
        caller: Caller,
        action: &str,
        resource: &str,
        mut context: Context,
        principal_id: Option<String>,
    ) -> Option<Request> {
        let (service_lc, name_lc) = Self::split_action(action)?;
        let service_linked_role = match &caller {
            Caller::AssumedRole { role, .. } => role.starts_with("AWSServiceRoleFor"),
            _ => false,
        };
        caller.derive_keys(&mut context, principal_id.as_deref());
        Some(Request {
            caller,
            action: action.to_string(),
            service_hash: verdict_policy::model::service_hash(&service_lc),
            service_lc,
            name_lc,
            resource: RequestResource::new(resource),
            context,
            principal_id,
            canonical_user_id: None,
            service_linked_role,
            federated_parent: None,
        })
    }

    /// Split `action` into lower-cased service and name; `None` if it is not `service:Name`.
    pub fn split_action(action: &str) -> Option<(String, String)> {
        let (svc, name) = action.split_once(':')?;
        if svc.is_empty() || name.is_empty() || name.contains(':') {
            return None;
        }
        Some((svc.to_ascii_lowercase(), name.to_ascii_lowercase()))
    }

    /// The lower-cased `service:name`.
    pub fn action_lc(&self) -> String {
        format!("{}:{}", self.service_lc, self.name_lc)
    }
}

/// True if the request is authorized by a role trust policy: `sts:AssumeRole*` and the
/// companion actions (`sts:TagSession`, `sts:SetSourceIdentity`, `sts:SetContext`) on a role (§6.9.1).
pub fn is_trust_request(r: &Request) -> bool {
    is_trust_action(&r.service_lc, &r.name_lc, r.resource.as_str())
}

/// The one rule for "the role's trust policy is the resource policy": `sts:AssumeRole…`,
/// and `sts:TagSession`, `sts:SetSourceIdentity`, `sts:SetContext` on a role
/// (`service_lc` and `name_lc` lower-case). Every front end asks this function.
pub fn is_trust_action(service_lc: &str, name_lc: &str, resource: &str) -> bool {
    service_lc == "sts"
        && (name_lc.starts_with("assumerole")
            || (matches!(name_lc, "tagsession" | "setsourceidentity" | "setcontext")
                && resource.contains(":role/")))
}
