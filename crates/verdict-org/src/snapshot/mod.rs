//! A snapshot directory (docs/snapshot.md): authorization details per account,
//! Organizations outputs and resource policies, read into an indexed model.
//!
//! The front end walks the directory and hands each file in with its path relative to
//! the snapshot root ([`SnapshotBuilder::add_file`]); the library reads no files. A file
//! is parsed when it is added and its text dropped, so memory follows the model, not the
//! size of the snapshot. A bad file is a [`Diagnostic`] naming it and analysis goes on;
//! a part that is missing is a note saying what was assumed.

mod iam;
mod org;
mod resources;

use std::collections::HashMap;
use std::sync::Arc;
use verdict_eval::NamedPolicy;
use verdict_policy::json::{Json, JsonKind};
use verdict_policy::{Diagnostic, ErrorCode, Policy, SourceFile};

pub use org::OrgLevels;

/// An IAM user or role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalKind {
    /// An IAM user.
    User,
    /// An IAM role (analysed as a session of the role).
    Role,
}

impl PrincipalKind {
    /// `user` or `role`.
    pub fn as_str(self) -> &'static str {
        match self {
            PrincipalKind::User => "user",
            PrincipalKind::Role => "role",
        }
    }
}

/// A user or role of the snapshot with everything that decides its requests.
#[derive(Clone, Debug)]
pub struct Principal {
    /// User or role.
    pub kind: PrincipalKind,
    /// The entity's ARN, with its path.
    pub arn: String,
    /// Account id.
    pub account: String,
    /// User or role name.
    pub name: String,
    /// Path (`/`, `/service/`).
    pub path: String,
    /// Unique id (`AIDA…`, `AROA…`).
    pub unique_id: Option<String>,
    /// Identity-based policies: inline, attached, and those of the user's groups.
    pub identity: Vec<NamedPolicy>,
    /// The permissions boundary.
    pub boundary: Option<NamedPolicy>,
    /// Tags (`aws:PrincipalTag/…`).
    pub tags: Vec<(String, String)>,
    /// A role's trust policy.
    pub trust: Option<NamedPolicy>,
    /// The ARNs of the managed policies attached to the entity itself.
    pub attached: Vec<String>,
    /// A user's groups (indexes into [`Snapshot::groups`]).
    pub groups: Vec<usize>,
    /// A service-linked role (`/aws-service-role/`): not bound by SCPs.
    pub service_linked: bool,
    /// Why this principal's answers may be incomplete (a policy it has is not in the
    /// snapshot). Outputs carry it with every answer about the principal.
    pub incomplete: Vec<String>,
}

/// An IAM group.
#[derive(Clone, Debug)]
pub struct Group {
    /// The group's ARN.
    pub arn: String,
    /// Account id.
    pub account: String,
    /// Group name.
    pub name: String,
    /// Its inline and attached policies.
    pub policies: Vec<NamedPolicy>,
    /// The ARNs of its attached managed policies.
    pub attached: Vec<String>,
    /// Attached policies that are not in the snapshot.
    pub missing: Vec<String>,
}

/// A customer-managed policy of an account.
#[derive(Clone, Debug)]
pub struct ManagedPolicy {
    /// Its ARN.
    pub arn: String,
    /// Account id.
    pub account: String,
    /// Its default version.
    pub policy: NamedPolicy,
}

/// A resource-based policy and the resource it protects.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The resource's ARN (`arn:aws:s3:::bucket`, `arn:aws:execute-api:…:api/*`).
    pub arn: String,
    /// The owning account.
    pub account: String,
    /// Service prefix (`s3`, `kms`, …).
    pub service: String,
    /// The policy.
    pub policy: NamedPolicy,
    /// The file it came from.
    pub file: String,
}

/// Everything read from a snapshot.
#[derive(Default)]
pub struct Snapshot {
    /// Users and roles.
    pub principals: Vec<Principal>,
    /// Groups.
    pub groups: Vec<Group>,
    /// Customer-managed policies.
    pub policies: Vec<ManagedPolicy>,
    /// Resource policies.
    pub resources: Vec<Resource>,
    /// The organization, when `organizations/` was given.
    pub org: Option<org::Org>,
    /// Accounts with authorization details.
    pub accounts: Vec<String>,
    /// Bad files and files outside the layout (each names its file); analysis went on
    /// without them.
    pub problems: Vec<Diagnostic>,
    /// What is missing and what was assumed instead.
    pub notes: Vec<String>,
    /// Files read.
    pub files_read: usize,
    by_arn: HashMap<String, usize>,
    resource_by_arn: HashMap<String, usize>,
}

impl Snapshot {
    /// The principal with this ARN (entity ARN with path; a role's session ARN
    /// `arn:aws:sts::ACCOUNT:assumed-role/NAME/SESSION` and a path-less role or user
    /// ARN are found too).
    pub fn principal(&self, arn: &str) -> Option<&Principal> {
        if let Some(i) = self.by_arn.get(arn) {
            return self.principals.get(*i);
        }
        let (account, kind, name) = entity_of(arn)?;
        self.principals
            .iter()
            .find(|p| p.account == account && p.kind == kind && p.name == name)
    }

    /// Index of a principal (as [`Snapshot::principal`]).
    pub fn principal_index(&self, arn: &str) -> Option<usize> {
        if let Some(i) = self.by_arn.get(arn) {
            return Some(*i);
        }
        let (account, kind, name) = entity_of(arn)?;
        self.principals
            .iter()
            .position(|p| p.account == account && p.kind == kind && p.name == name)
    }

    /// The resource policy that protects `arn`: an exact entry, else the entry of its
    /// container (the bucket of an object, the API of a method ARN).
    pub fn resource_for(&self, arn: &str) -> Option<&Resource> {
        if let Some(i) = self.resource_by_arn.get(arn) {
            return self.resources.get(*i);
        }
        self.resources
            .iter()
            .filter(|r| {
                let base = r.arn.strip_suffix("/*").unwrap_or(&r.arn);
                arn.strip_prefix(base)
                    .is_some_and(|rest| rest.starts_with('/'))
            })
            .max_by_key(|r| r.arn.len())
    }

    /// The account that owns `arn`: the ARN's own account, else the account the
    /// snapshot filed its resource policy under (S3 ARNs carry no account).
    pub fn owner_of(&self, arn: &str) -> Option<String> {
        let own = arn.split(':').nth(4).filter(|a| !a.is_empty());
        match own {
            Some(a) => Some(a.to_string()),
            None => self.resource_for(arn).map(|r| r.account.clone()),
        }
    }

    /// SCP and RCP levels of an account (`None` when no organization was given).
    pub fn levels(&self, account: &str) -> Option<&OrgLevels> {
        self.org.as_ref().map(|o| o.levels_for(account))
    }

    /// The organization id.
    pub fn org_id(&self) -> Option<&str> {
        self.org.as_ref().and_then(|o| o.id.as_deref())
    }

    /// The management account.
    pub fn management_account(&self) -> Option<&str> {
        self.org.as_ref().and_then(|o| o.management.as_deref())
    }

    fn index(&mut self) {
        self.by_arn = self
            .principals
            .iter()
            .enumerate()
            .map(|(i, p)| (p.arn.clone(), i))
            .collect();
        self.resource_by_arn = self
            .resources
            .iter()
            .enumerate()
            .map(|(i, r)| (r.arn.clone(), i))
            .collect();
    }
}

/// `(account, kind, name)` of a user, role or role-session ARN.
fn entity_of(arn: &str) -> Option<(&str, PrincipalKind, &str)> {
    let mut parts = arn.splitn(6, ':');
    let (_, _, service, _, account, rest) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if service == "sts" {
        let r = rest.strip_prefix("assumed-role/")?;
        return Some((account, PrincipalKind::Role, r.split('/').next()?));
    }
    if service != "iam" {
        return None;
    }
    let (kind, tail) = if let Some(t) = rest.strip_prefix("user/") {
        (PrincipalKind::User, t)
    } else {
        (PrincipalKind::Role, rest.strip_prefix("role/")?)
    };
    Some((account, kind, tail.rsplit('/').next()?))
}

/// Builds a [`Snapshot`] from files handed in one at a time.
#[derive(Default)]
pub struct SnapshotBuilder {
    snap: Snapshot,
    iam: iam::IamReader,
    org: org::OrgReader,
}

impl SnapshotBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add one file, by its path relative to the snapshot root (`/` separators).
    /// Problems are kept and reported by [`Snapshot::problems`]; the file is never
    /// silently dropped.
    pub fn add_file(&mut self, rel: &str, text: String) {
        self.add_batch(vec![(rel.to_string(), text)]);
    }

    /// Add several files; authorization details (the bulk of a snapshot) are parsed in
    /// parallel and taken in the order given.
    pub fn add_batch(&mut self, files: Vec<(String, String)>) {
        use rayon::prelude::*;
        let mut iam_files = Vec::new();
        for (rel, text) in files {
            let rel = rel.trim_start_matches("./").to_string();
            let parts: Vec<&str> = rel.split('/').collect();
            if !rel.ends_with(".json") {
                self.not_read(&rel, "only .json files are read");
                continue;
            }
            let src = SourceFile::new(rel.clone(), text);
            match parts.as_slice() {
                ["accounts", account, file] if file.starts_with("authorization-details") => {
                    if !is_account_id(account) {
                        self.problem(Diagnostic::new(ErrorCode::InvalidSnapshot, format!("{rel}: the directory under accounts/ must be a 12-digit account id, found \"{account}\"")));
                        continue;
                    }
                    self.snap.files_read += 1;
                    iam_files.push((src, (*account).to_string()));
                }
                ["organizations", file] => {
                    self.snap.files_read += 1;
                    if let Err(d) = self.org.add(&src, file) {
                        self.snap.problems.extend(d);
                    }
                }
                ["resources", account, service, rest @ ..] if !rest.is_empty() => {
                    if !is_account_id(account) {
                        self.problem(Diagnostic::new(ErrorCode::InvalidSnapshot, format!("{rel}: the directory under resources/ must be a 12-digit account id, found \"{account}\"")));
                        continue;
                    }
                    self.snap.files_read += 1;
                    match resources::read(&src, account, service, rest) {
                        Ok(r) => self.snap.resources.push(r),
                        Err(d) => self.snap.problems.extend(d),
                    }
                }
                _ => self.not_read(&rel, "it is outside the snapshot layout (accounts/<id>/authorization-details.json, organizations/<file>.json, resources/<id>/<service>/…json; see docs/snapshot.md)"),
            }
        }
        let iam = &self.iam;
        let parts: Vec<iam::AccountPart> = iam_files
            .par_iter()
            .map(|(src, account)| iam.parse(src, account))
            .collect();
        for p in parts {
            self.iam.merge(p, &mut self.snap);
        }
    }

    fn not_read(&mut self, rel: &str, why: &str) {
        self.problem(Diagnostic::new(
            ErrorCode::InvalidSnapshot,
            format!("{rel} was not read: {why}"),
        ));
    }

    fn problem(&mut self, d: Diagnostic) {
        self.snap.problems.push(d);
    }

    /// Resolve groups, managed policies and the organization, and index the result.
    pub fn finish(mut self) -> Snapshot {
        self.iam.finish(&mut self.snap);
        let org = self.org.finish(&mut self.snap);
        if org.is_none() {
            self.snap.notes.push("no organizations/ directory: SCPs and RCPs were not applied (as for accounts outside an organization)".into());
        }
        self.snap.org = org;
        if self.snap.accounts.is_empty() {
            self.snap.notes.push(
                "no accounts/<id>/authorization-details.json: the snapshot has no principals"
                    .into(),
            );
        }
        self.snap.accounts.sort();
        self.snap.accounts.dedup();
        self.snap.index();
        self.snap
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// Members of an array node (empty for anything else).
pub(crate) fn items(v: Option<&Json>) -> &[Json] {
    match v.map(|v| &v.kind) {
        Some(JsonKind::Array(a)) => a,
        _ => &[],
    }
}

/// A non-empty string member.
pub(crate) fn str_at<'a>(v: &'a Json, key: &str) -> Option<&'a str> {
    v.get(key).and_then(Json::as_str).filter(|s| !s.is_empty())
}

/// A snapshot error at a node of a file.
pub(crate) fn error_at(src: &Arc<SourceFile>, node: &Json, msg: impl Into<String>) -> Diagnostic {
    Diagnostic::new(ErrorCode::InvalidSnapshot, msg).at(src, node.span)
}

/// Parse a policy document node (object, JSON string or URL-encoded string).
pub(crate) fn parse_doc(
    node: &Json,
    src: &Arc<SourceFile>,
    ty: verdict_policy::PolicyType,
) -> Result<Policy, Vec<Diagnostic>> {
    verdict_policy::parse_policy_json(node, src, verdict_policy::ParseOptions::new(ty))
}
