//! `aws iam get-account-authorization-details`: resolve a principal to its policies,
//! and a role to its trust policy. Documents may be objects, JSON strings or
//! URL-encoded strings (raw API and non-Python SDKs); several files (accounts or
//! pages) are merged.

use super::{arn_account, aws_managed_policy, input_error, items, parse_doc, str_at, TextInput};
use crate::origin::{PolicyKind, PolicyOrigin};
use std::sync::Arc;
use verdict_eval::NamedPolicy;
use verdict_policy::json::{self, Json};
use verdict_policy::{Diagnostic, PolicyType, SourceFile};

struct AuthFile {
    src: Arc<SourceFile>,
    tree: Json,
}

/// One or more authorization-details snapshots.
pub struct AuthDetails {
    files: Vec<AuthFile>,
    /// Remarks about the snapshot (truncation, …).
    pub notes: Vec<String>,
}

/// Who to resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalRef {
    /// An IAM user, by ARN (with path) or by account and name.
    User {
        /// Account.
        account: String,
        /// User name.
        name: String,
        /// Full ARN, when known.
        arn: Option<String>,
    },
    /// A role (for its sessions), by account and name, and its ARN with path when known.
    Role {
        /// Account.
        account: String,
        /// Role name.
        name: String,
        /// Full ARN, when known.
        arn: Option<String>,
    },
}

/// The policies of a principal.
#[derive(Default)]
pub struct Resolved {
    /// `user engineering/alice`, `role service/DataPipeline`.
    pub found: Option<String>,
    /// The entity's full ARN (with path).
    pub arn: Option<String>,
    /// Unique id (`AIDA…`, `AROA…`).
    pub unique_id: Option<String>,
    /// Identity-based policies with their origin.
    pub identity: Vec<(NamedPolicy, PolicyOrigin)>,
    /// Permissions boundary.
    pub boundary: Option<(NamedPolicy, PolicyOrigin)>,
    /// Tags (`aws:PrincipalTag/…`).
    pub tags: Vec<(String, String)>,
    /// Remarks (missing managed policies, …).
    pub notes: Vec<String>,
}

fn looks_like_auth_details(t: &Json) -> bool {
    [
        "UserDetailList",
        "GroupDetailList",
        "RoleDetailList",
        "Policies",
    ]
    .iter()
    .any(|k| t.get(k).is_some())
}

impl AuthDetails {
    /// Read the files; each must look like `get-account-authorization-details` output.
    pub fn load(inputs: &[TextInput]) -> Result<AuthDetails, Vec<Diagnostic>> {
        let mut files = Vec::new();
        let mut notes = Vec::new();
        for i in inputs {
            let src = SourceFile::new(i.name.clone(), i.text.clone());
            let tree = json::parse(&src).map_err(|d| vec![d])?;
            if !looks_like_auth_details(&tree) {
                let hint = if tree.get("Statement").is_some() {
                    "; it is a policy document: give it with --identity-policy, --resource-policy or --permissions-boundary"
                } else if tree.get("Records").is_some() || tree.get("eventName").is_some() {
                    "; it is CloudTrail: give it with --event"
                } else if tree.get("Role").is_some() || tree.get("User").is_some() {
                    "; it is one `aws iam get-role`/`get-user` answer: run `aws iam get-account-authorization-details > auth.json` for the policies too"
                } else if tree.get("Accounts").is_some()
                    || tree.get("Policies").is_none() && tree.get("Organization").is_some()
                {
                    "; it is Organizations output: give its directory with --org"
                } else {
                    ""
                };
                return Err(vec![input_error(format!(
                    "{} is not `aws iam get-account-authorization-details` output (expected UserDetailList, RoleDetailList, GroupDetailList or Policies at the top){hint}",
                    i.name
                ))
                .at(&src, tree.span)]);
            }
            if matches!(
                tree.get("IsTruncated").map(|v| &v.kind),
                Some(json::JsonKind::Bool(true))
            ) {
                notes.push(format!("{} is one truncated page (IsTruncated is true): give every page, or use the AWS CLI, which merges them", i.name));
            }
            files.push(AuthFile { src, tree });
        }
        Ok(AuthDetails { files, notes })
    }

    fn list<'a>(&'a self, key: &'a str) -> impl Iterator<Item = (&'a AuthFile, &'a Json)> + 'a {
        self.files
            .iter()
            .flat_map(move |f| items(f.tree.get(key)).iter().map(move |e| (f, e)))
    }

    fn managed(
        &self,
        arn: &str,
        ty: PolicyType,
        attached_to: &str,
        account: Option<&str>,
        notes: &mut Vec<String>,
    ) -> Result<Option<(NamedPolicy, PolicyOrigin)>, Vec<Diagnostic>> {
        let aws = arn.starts_with("arn:aws:iam::aws:policy/")
            || arn.starts_with("arn:aws-us-gov:iam::aws:policy/")
            || arn.starts_with("arn:aws-cn:iam::aws:policy/");
        let kind = match (ty, aws) {
            (PolicyType::Boundary, _) => PolicyKind::PermissionsBoundary,
            (_, true) => PolicyKind::AwsManaged,
            (_, false) => PolicyKind::CustomerManaged,
        };
        for (f, p) in self.list("Policies") {
            if str_at(p, "Arn") != Some(arn) {
                continue;
            }
            let name = str_at(p, "PolicyName").unwrap_or(arn).to_string();
            let default = str_at(p, "DefaultVersionId");
            let versions = items(p.get("PolicyVersionList"));
            let v = versions
                .iter()
                .find(|v| {
                    matches!(
                        v.get("IsDefaultVersion").map(|x| &x.kind),
                        Some(json::JsonKind::Bool(true))
                    )
                })
                .or_else(|| {
                    versions
                        .iter()
                        .find(|v| default.is_some() && str_at(v, "VersionId") == default)
                });
            let Some(doc) = v.and_then(|v| v.get("Document")) else {
                notes.push(format!("managed policy {arn} is in the snapshot without its default version document; it was left out"));
                return Ok(None);
            };
            let np = parse_doc(
                doc,
                &f.src,
                ty,
                Some(name.clone()),
                Some(arn.to_string()),
                name,
            )?;
            let origin = PolicyOrigin {
                account: if aws {
                    None
                } else {
                    arn_account(arn)
                        .map(str::to_string)
                        .or(account.map(str::to_string))
                },
                attached_to: attached_to.to_string(),
                kind,
                editable: !aws,
                file: f.src.name().to_string(),
            };
            return Ok(Some((np, origin)));
        }
        if aws {
            if let Some((name, text)) = aws_managed_policy(arn) {
                let src = SourceFile::new(format!("aws-managed-policies:{name}"), text);
                let tree = json::parse(&src).map_err(|d| vec![d])?;
                let np = parse_doc(
                    &tree,
                    &src,
                    ty,
                    Some(name.clone()),
                    Some(arn.to_string()),
                    name,
                )?;
                notes.push(format!("AWS managed policy {arn} is not in the snapshot; its current default version was taken from Verdict's bundled copy"));
                let origin = PolicyOrigin {
                    account: None,
                    attached_to: attached_to.to_string(),
                    kind,
                    editable: false,
                    file: src.name().to_string(),
                };
                return Ok(Some((np, origin)));
            }
        }
        notes.push(format!(
            "{arn} is attached to {attached_to} but its document is not in the snapshot (incomplete snapshot: run get-account-authorization-details without --filter); it was left out"
        ));
        Ok(None)
    }

    fn inline(
        &self,
        f: &AuthFile,
        entry: &Json,
        list: &str,
        ty: PolicyType,
        attached_to: &str,
        account: Option<&str>,
    ) -> Result<Vec<(NamedPolicy, PolicyOrigin)>, Vec<Diagnostic>> {
        let mut out = Vec::new();
        for p in items(entry.get(list)) {
            let Some(doc) = p.get("PolicyDocument") else {
                continue;
            };
            let name = str_at(p, "PolicyName").unwrap_or("inline").to_string();
            let label = format!("{name} (inline, {attached_to})");
            let np = parse_doc(doc, &f.src, ty, Some(name), None, label)?;
            out.push((
                np,
                PolicyOrigin {
                    account: account.map(str::to_string),
                    attached_to: attached_to.to_string(),
                    kind: PolicyKind::Inline,
                    editable: true,
                    file: f.src.name().to_string(),
                },
            ));
        }
        Ok(out)
    }

    fn attached(
        &self,
        entry: &Json,
        attached_to: &str,
        account: Option<&str>,
        out: &mut Resolved,
    ) -> Result<(), Vec<Diagnostic>> {
        for p in items(entry.get("AttachedManagedPolicies")) {
            if let Some(arn) = str_at(p, "PolicyArn") {
                if let Some(x) = self.managed(
                    arn,
                    PolicyType::Identity,
                    attached_to,
                    account,
                    &mut out.notes,
                )? {
                    out.identity.push(x);
                }
            }
        }
        Ok(())
    }

    fn boundary_and_tags(
        &self,
        entry: &Json,
        attached_to: &str,
        account: Option<&str>,
        out: &mut Resolved,
    ) -> Result<(), Vec<Diagnostic>> {
        if let Some(b) = entry
            .get("PermissionsBoundary")
            .and_then(|b| str_at(b, "PermissionsBoundaryArn"))
        {
            out.boundary = self.managed(
                b,
                PolicyType::Boundary,
                attached_to,
                account,
                &mut out.notes,
            )?;
        }
        for t in items(entry.get("Tags")) {
            if let (Some(k), Some(v)) = (str_at(t, "Key"), t.get("Value").and_then(Json::as_str)) {
                out.tags.push((k.to_string(), v.to_string()));
            }
        }
        Ok(())
    }

    fn path_name(entry: &Json, name_key: &str) -> String {
        let path = str_at(entry, "Path").unwrap_or("/");
        format!(
            "{}{}",
            path.trim_start_matches('/'),
            str_at(entry, name_key).unwrap_or("")
        )
    }

    /// Resolve a principal to its identity policies, boundary and tags.
    pub fn resolve(&self, who: &PrincipalRef) -> Result<Resolved, Vec<Diagnostic>> {
        let mut out = Resolved::default();
        match who {
            PrincipalRef::User { account, name, arn } => {
                let hit =
                    self.list("UserDetailList")
                        .find(|(_, u)| match (arn, str_at(u, "Arn")) {
                            (Some(a), Some(b)) if a == b => true,
                            (_, Some(b)) => {
                                str_at(u, "UserName") == Some(name.as_str())
                                    && arn_account(b) == Some(account.as_str())
                            }
                            _ => false,
                        });
                let Some((f, u)) = hit else { return Ok(out) };
                let who = format!("user {}", Self::path_name(u, "UserName"));
                let acct = Some(account.as_str());
                out.found = Some(who.clone());
                out.arn = str_at(u, "Arn").map(str::to_string);
                out.unique_id = str_at(u, "UserId").map(str::to_string);
                out.identity.extend(self.inline(
                    f,
                    u,
                    "UserPolicyList",
                    PolicyType::Identity,
                    &who,
                    acct,
                )?);
                self.attached(u, &who, acct, &mut out)?;
                for g in items(u.get("GroupList")).iter().filter_map(Json::as_str) {
                    let group = self.list("GroupDetailList").find(|(_, e)| {
                        str_at(e, "GroupName") == Some(g)
                            && str_at(e, "Arn").and_then(arn_account) == Some(account.as_str())
                    });
                    match group {
                        Some((gf, ge)) => {
                            let gwho = format!("group {}", Self::path_name(ge, "GroupName"));
                            out.identity.extend(self.inline(gf, ge, "GroupPolicyList", PolicyType::Identity, &gwho, acct)?);
                            self.attached(ge, &gwho, acct, &mut out)?;
                        }
                        None => out.notes.push(format!("{who} is in group {g}, which is not in the snapshot; its policies were left out")),
                    }
                }
                self.boundary_and_tags(u, &who, acct, &mut out)?;
            }
            PrincipalRef::Role { account, name, arn } => {
                let hit = self
                    .list("RoleDetailList")
                    .find(|(_, r)| arn.is_some() && str_at(r, "Arn") == arn.as_deref())
                    .or_else(|| {
                        self.list("RoleDetailList").find(|(_, r)| {
                            str_at(r, "RoleName") == Some(name.as_str())
                                && str_at(r, "Arn").and_then(arn_account) == Some(account.as_str())
                        })
                    });
                let Some((f, r)) = hit else { return Ok(out) };
                let who = format!("role {}", Self::path_name(r, "RoleName"));
                let acct = Some(account.as_str());
                out.found = Some(who.clone());
                out.arn = str_at(r, "Arn").map(str::to_string);
                out.unique_id = str_at(r, "RoleId").map(str::to_string);
                out.identity.extend(self.inline(
                    f,
                    r,
                    "RolePolicyList",
                    PolicyType::Identity,
                    &who,
                    acct,
                )?);
                self.attached(r, &who, acct, &mut out)?;
                self.boundary_and_tags(r, &who, acct, &mut out)?;
            }
        }
        Ok(out)
    }

    /// The trust policy of the role `role_arn` (ARN with or without path).
    pub fn trust_policy(
        &self,
        role_arn: &str,
    ) -> Result<Option<(NamedPolicy, PolicyOrigin)>, Vec<Diagnostic>> {
        let account = arn_account(role_arn);
        let name = role_arn.rsplit('/').next().unwrap_or(role_arn);
        let hit = self.list("RoleDetailList").find(|(_, r)| {
            str_at(r, "Arn") == Some(role_arn)
                || (str_at(r, "RoleName") == Some(name)
                    && str_at(r, "Arn").and_then(arn_account) == account)
        });
        let Some((f, r)) = hit else { return Ok(None) };
        let Some(doc) = r.get("AssumeRolePolicyDocument") else {
            return Ok(None);
        };
        let who = format!("role {}", Self::path_name(r, "RoleName"));
        let label = format!("trust policy of {who}");
        let np = parse_doc(
            doc,
            &f.src,
            PolicyType::Trust,
            None,
            str_at(r, "Arn").map(str::to_string),
            label,
        )?;
        Ok(Some((
            np,
            PolicyOrigin {
                account: account.map(str::to_string),
                attached_to: who,
                kind: PolicyKind::Trust,
                editable: true,
                file: f.src.name().to_string(),
            },
        )))
    }

    /// The accounts the snapshot covers.
    pub fn accounts(&self) -> Vec<String> {
        let mut out: Vec<String> = ["UserDetailList", "RoleDetailList", "GroupDetailList"]
            .iter()
            .flat_map(|k| self.list(k))
            .filter_map(|(_, e)| str_at(e, "Arn").and_then(arn_account).map(str::to_string))
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn sample(name: &str) -> TextInput {
        let path = format!(
            "{}/tests/fixtures/samples/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        TextInput::new(name, std::fs::read_to_string(path).unwrap())
    }

    #[test]
    fn resolves_user_with_groups_boundary_and_tags_in_both_encodings() {
        for f in [
            "authorization-details.json",
            "authorization-details-raw-encoded.json",
        ] {
            let a = AuthDetails::load(&[sample(f)]).unwrap();
            let r = a
                .resolve(&PrincipalRef::User {
                    account: "111122223333".into(),
                    name: "alice".into(),
                    arn: Some("arn:aws:iam::111122223333:user/engineering/alice".into()),
                })
                .unwrap();
            assert_eq!(r.found.as_deref(), Some("user engineering/alice"));
            let names: Vec<_> = r
                .identity
                .iter()
                .map(|(p, _)| p.name.clone().unwrap_or_default())
                .collect();
            assert_eq!(
                names,
                [
                    "deny-iam-writes",
                    "ReportsReadOnly",
                    "self-service-mfa",
                    "IAMUserChangePassword"
                ],
                "{f}"
            );
            assert_eq!(
                r.boundary.as_ref().map(|(p, _)| p.label.as_str()),
                Some("WorkloadBoundary")
            );
            // v2 is the default version: it carries the region condition.
            assert_eq!(
                r.boundary
                    .as_ref()
                    .map(|(p, _)| p.policy.statements[0].conditions.len()),
                Some(1)
            );
            assert!(r.tags.contains(&("team".into(), "analytics".into())));
        }
    }

    #[test]
    fn resolves_role_and_trust() {
        let a = AuthDetails::load(&[sample("authorization-details-raw-encoded.json")]).unwrap();
        let r = a
            .resolve(&PrincipalRef::Role {
                account: "111122223333".into(),
                name: "DataPipeline".into(),
                arn: None,
            })
            .unwrap();
        assert_eq!(
            r.arn.as_deref(),
            Some("arn:aws:iam::111122223333:role/service/DataPipeline")
        );
        assert_eq!(r.identity.len(), 2);
        let t = a
            .trust_policy("arn:aws:iam::111122223333:role/service/DataPipeline")
            .unwrap()
            .unwrap();
        assert_eq!(t.0.policy.statements.len(), 1);
    }
}
