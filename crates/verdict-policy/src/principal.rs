//! `Principal` / `NotPrincipal` entries (iam-semantics §3.3).

use crate::arn::Arn;

/// One principal named in a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalEntry {
    /// `"*"` or `{"AWS": "*"}`: everyone, including anonymous callers.
    Everyone {
        /// True for the `{"AWS": "*"}` spelling.
        aws_form: bool,
    },
    /// `{"AWS": "123456789012"}` or `arn:aws:iam::123456789012:root`: the whole account.
    Account {
        /// Partition (`aws` for the bare-account form).
        partition: String,
        /// 12-digit account.
        account: String,
    },
    /// An IAM user ARN (the name is case-sensitive).
    User {
        /// Partition.
        partition: String,
        /// Account.
        account: String,
        /// User name (last path segment).
        name: String,
        /// Path and name as written after `user/` (e.g. `dev/bob`); a user ARN names one user.
        path: String,
    },
    /// An IAM role ARN: every session of that role.
    Role {
        /// Partition.
        partition: String,
        /// Account.
        account: String,
        /// Role name (last path segment; the path is not part of session ARNs).
        name: String,
        /// Path and name as written after `role/` (e.g. `team/app`).
        path: String,
    },
    /// One assumed-role session.
    AssumedRole {
        /// Partition.
        partition: String,
        /// Account.
        account: String,
        /// Role name.
        role: String,
        /// Session name.
        session: String,
    },
    /// One STS federated-user session.
    FederatedUser {
        /// Partition.
        partition: String,
        /// Account.
        account: String,
        /// Federated user name.
        name: String,
    },
    /// A unique id left behind by a deleted user or role (`AIDA…`, `AROA…`).
    UniqueId(String),
    /// `{"Service": "…"}` (lower-cased).
    Service(String),
    /// `{"Federated": "…"}`: a web-identity or SAML provider.
    Federated(String),
    /// `{"CanonicalUser": "…"}` (S3).
    CanonicalUser(String),
    /// A CloudFront origin access identity
    /// (`arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity ID`).
    CloudFrontOai(String),
}

/// The kind of principal map key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrincipalKey {
    /// `AWS`
    Aws,
    /// `Service`
    Service,
    /// `Federated`
    Federated,
    /// `CanonicalUser`
    CanonicalUser,
}

impl PrincipalKey {
    /// All keys with their JSON spelling.
    pub const ALL: [(&'static str, PrincipalKey); 4] = [
        ("AWS", PrincipalKey::Aws),
        ("Service", PrincipalKey::Service),
        ("Federated", PrincipalKey::Federated),
        ("CanonicalUser", PrincipalKey::CanonicalUser),
    ];
}

/// Why a principal value is invalid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidPrincipal(pub String);

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

impl PrincipalEntry {
    /// Parse the value of one entry under `key`.
    pub fn parse(key: PrincipalKey, value: &str) -> Result<PrincipalEntry, InvalidPrincipal> {
        match key {
            PrincipalKey::Aws => parse_aws(value),
            PrincipalKey::Service => {
                // Only "*" and {"AWS": "*"} mean everyone (§3.3); a wildcard service is
                // not a principal AWS accepts, so refuse it rather than guess.
                if value == "*" {
                    return Err(InvalidPrincipal(
                        "{\"Service\": \"*\"} is not a principal: wildcards are not supported with Service; name one service such as \"lambda.amazonaws.com\", or write \"Principal\": \"*\" for everyone".into(),
                    ));
                }
                if value.contains(['*', '?']) {
                    return Err(InvalidPrincipal(format!(
                        "service principal \"{value}\" contains a wildcard; name one service such as \"lambda.amazonaws.com\""
                    )));
                }
                Ok(PrincipalEntry::Service(value.to_ascii_lowercase()))
            }
            PrincipalKey::Federated => {
                if value.contains(['*', '?']) {
                    return Err(InvalidPrincipal(format!(
                        "federated principal \"{value}\" contains a wildcard; name one identity provider"
                    )));
                }
                Ok(PrincipalEntry::Federated(value.to_string()))
            }
            PrincipalKey::CanonicalUser => {
                if value.contains(['*', '?']) {
                    return Err(InvalidPrincipal(format!(
                        "canonical user \"{value}\" contains a wildcard"
                    )));
                }
                Ok(PrincipalEntry::CanonicalUser(value.to_ascii_lowercase()))
            }
        }
    }
}

fn parse_aws(value: &str) -> Result<PrincipalEntry, InvalidPrincipal> {
    if value == "*" {
        return Ok(PrincipalEntry::Everyone { aws_form: true });
    }
    if value.contains(['*', '?']) {
        return Err(InvalidPrincipal(format!(
            "\"{value}\" has a partial wildcard; Principal takes \"*\" alone or exact ARNs (use a Condition on aws:PrincipalArn with ArnLike to match a pattern)"
        )));
    }
    if is_account_id(value) {
        return Ok(PrincipalEntry::Account {
            partition: "aws".into(),
            account: value.to_string(),
        });
    }
    if !value.starts_with("arn:") {
        if value.len() >= 16
            && (value.starts_with("AIDA") || value.starts_with("AROA") || value.starts_with("AIPA"))
            && value.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Ok(PrincipalEntry::UniqueId(value.to_string()));
        }
        return Err(InvalidPrincipal(format!(
            "\"{value}\" is neither a 12-digit account id, an ARN, a unique id nor \"*\""
        )));
    }
    let arn = Arn::parse(value)
        .ok_or_else(|| InvalidPrincipal(format!("\"{value}\" is not a well-formed ARN")))?;
    if arn.service == "iam" && arn.account == "cloudfront" {
        if let Some(id) = arn
            .resource
            .strip_prefix("user/CloudFront Origin Access Identity ")
            .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_alphanumeric()))
        {
            return Ok(PrincipalEntry::CloudFrontOai(id.to_string()));
        }
    }
    let partition = arn.partition.to_string();
    let account = arn.account.to_string();
    if !is_account_id(&account) {
        return Err(InvalidPrincipal(format!(
            "\"{value}\" must carry a 12-digit account id"
        )));
    }
    let last = |path: &str| path.rsplit('/').next().unwrap_or(path).to_string();
    // The resource type is the text before the first `/`.
    match (arn.service, arn.resource, arn.resource.split_once('/')) {
        ("iam", "root", _) => Ok(PrincipalEntry::Account { partition, account }),
        ("iam", _, Some(("user", path))) => Ok(PrincipalEntry::User {
            partition,
            account,
            name: last(path),
            path: path.to_string(),
        }),
        ("iam", _, Some(("role", path))) => Ok(PrincipalEntry::Role {
            partition,
            account,
            name: last(path),
            path: path.to_string(),
        }),
        ("sts", _, Some(("assumed-role", rest))) => {
            let mut it = rest.splitn(2, '/');
            match (it.next(), it.next()) {
                (Some(role), Some(session)) if !role.is_empty() && !session.is_empty() => {
                    Ok(PrincipalEntry::AssumedRole {
                        partition,
                        account,
                        role: role.to_string(),
                        session: session.to_string(),
                    })
                }
                _ => Err(InvalidPrincipal(format!(
                    "\"{value}\" must have the form arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION"
                ))),
            }
        }
        ("sts", _, Some(("federated-user", name))) => Ok(PrincipalEntry::FederatedUser {
            partition,
            account,
            name: name.to_string(),
        }),
        ("iam", _, Some(("group", _))) => Err(InvalidPrincipal(format!(
            "\"{value}\" is an IAM group, and groups are never principals; name the users, or use a Condition on aws:PrincipalArn"
        ))),
        _ => Err(InvalidPrincipal(format!(
            "\"{value}\" is not a principal AWS accepts; expected an account, root, user, role, assumed-role session or federated-user ARN"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert!(matches!(
            PrincipalEntry::parse(PrincipalKey::Aws, "111122223333"),
            Ok(PrincipalEntry::Account { .. })
        ));
        assert!(matches!(
            PrincipalEntry::parse(PrincipalKey::Aws, "arn:aws:iam::111122223333:root"),
            Ok(PrincipalEntry::Account { .. })
        ));
        assert_eq!(
            PrincipalEntry::parse(PrincipalKey::Aws, "arn:aws:iam::111122223333:role/team/app"),
            Ok(PrincipalEntry::Role {
                partition: "aws".into(),
                account: "111122223333".into(),
                name: "app".into(),
                path: "team/app".into()
            })
        );
        assert!(
            PrincipalEntry::parse(PrincipalKey::Aws, "arn:aws:iam::111122223333:user/*").is_err()
        );
        // Groups are never principals; AWS refuses such a policy.
        assert!(
            PrincipalEntry::parse(PrincipalKey::Aws, "arn:aws:iam::111122223333:group/devs")
                .is_err()
        );
        assert_eq!(
            PrincipalEntry::parse(
                PrincipalKey::Aws,
                "arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E2EXAMPLE"
            ),
            Ok(PrincipalEntry::CloudFrontOai("E2EXAMPLE".into()))
        );
    }
}
