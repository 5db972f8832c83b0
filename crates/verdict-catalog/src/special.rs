//! Facts outside the policy language (iam-semantics §10.2): actions that need no
//! permission, and refusals a service makes whatever the policies say. Kept by hand,
//! each with the AWS page it comes from.

/// An action that IAM policies do not control.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoPermissionAction {
    /// `service:Action`, as AWS spells it.
    pub action: &'static str,
    /// Why no policy decides it.
    pub reason: &'static str,
    /// Where AWS says so.
    pub source: &'static str,
}

/// Actions that need no permission and that an explicit Deny does not stop.
pub const NO_PERMISSION_ACTIONS: &[NoPermissionAction] = &[
    NoPermissionAction {
        action: "sts:GetCallerIdentity",
        reason: "sts:GetCallerIdentity needs no permission, and an explicit Deny does not stop it: it returns who the caller is, which a denial would reveal anyway",
        source: "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html",
    },
    NoPermissionAction {
        action: "sts:GetSessionToken",
        reason: "sts:GetSessionToken needs no permission: it authenticates the caller (with MFA), and policies do not control authentication operations, so neither an Allow nor a Deny for it has any effect",
        source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getsessiontoken.html",
    },
];

/// The entry for `action` (ASCII case ignored), if policies do not control it.
pub fn no_permission_action(action: &str) -> Option<&'static NoPermissionAction> {
    let (service, name) = action.split_once(':')?;
    no_permission_action_of(service, name)
}

/// As [`no_permission_action`], for an action given as service prefix and name (case
/// ignored), without building `service:name`.
pub fn no_permission_action_of(service: &str, name: &str) -> Option<&'static NoPermissionAction> {
    NO_PERMISSION_ACTIONS.iter().find(|a| {
        a.action
            .split_once(':')
            .is_some_and(|(s, n)| s.eq_ignore_ascii_case(service) && n.eq_ignore_ascii_case(name))
    })
}

/// What a service refuses regardless of policies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServiceRule {
    /// Stable id.
    pub id: &'static str,
    /// The error code the service returns, where AWS documents it.
    pub error_code: Option<&'static str>,
    /// What the service refuses and what to do instead.
    pub explanation: &'static str,
    /// Where AWS says so.
    pub source: &'static str,
}

/// Writes to an AWS managed policy (`arn:aws:iam::aws:policy/…`).
pub const AWS_MANAGED_POLICY_WRITE: ServiceRule = ServiceRule {
    id: "iam-aws-managed-policy-read-only",
    error_code: Some("UnmodifiableEntity"),
    explanation: "AWS managed policies are maintained by AWS: no account can change, version, tag or delete them. Copy the document into a customer managed policy and change that.",
    source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-vs-inline.html",
};

/// Changes to a role that IAM Identity Center created (`role/aws-reserved/sso.amazonaws.com/…`).
pub const IDENTITY_CENTER_ROLE_WRITE: ServiceRule = ServiceRule {
    id: "iam-identity-center-role-protected",
    error_code: Some("UnmodifiableEntity"),
    explanation: "roles under aws-reserved/sso.amazonaws.com/ are created and maintained by IAM Identity Center: IAM refuses changes to them from any principal. Change the permission set in IAM Identity Center instead.",
    source: "iam-semantics.md §10.2 (roles IAM Identity Center creates for permission sets)",
};

/// Changes to a service-linked role (`role/aws-service-role/…`) other than its description.
pub const SERVICE_LINKED_ROLE_WRITE: ServiceRule = ServiceRule {
    id: "iam-service-linked-role-protected",
    error_code: Some("UnmodifiableEntity"),
    explanation: "a service-linked role's trust and permissions policies are defined by its service: IAM refuses to change them or to delete the role directly (only its description can be edited; delete it with iam:DeleteServiceLinkedRole or through the service).",
    source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/using-service-linked-roles.html",
};

/// KMS aliases under the reserved `alias/aws/` prefix.
pub const KMS_RESERVED_ALIAS: ServiceRule = ServiceRule {
    id: "kms-reserved-alias-prefix",
    error_code: None,
    explanation: "the alias/aws/ prefix is reserved for AWS managed keys: no principal can create, update or delete such an alias. Use a name outside alias/aws/.",
    source: "https://docs.aws.amazon.com/kms/latest/developerguide/alias-create.html",
};

/// `sts:GetSessionToken` called with temporary credentials.
pub const GET_SESSION_TOKEN_WITH_SESSION: ServiceRule = ServiceRule {
    id: "sts-getsessiontoken-long-term-credentials-only",
    error_code: Some("AccessDenied"),
    explanation: "GetSessionToken must be called with the long-term credentials of an IAM user or the root user; STS refuses it from a role or federated session (\"Cannot call GetSessionToken with session credentials\").",
    source: "https://docs.aws.amazon.com/STS/latest/APIReference/API_GetSessionToken.html",
};
