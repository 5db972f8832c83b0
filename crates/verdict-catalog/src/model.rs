//! Borrowed views of the catalog: services, actions, resource types, condition keys.
//!
//! All views are cheap `Copy` handles that borrow from a [`Catalog`]; strings they
//! return point into the embedded data.

use crate::parse::KeyRef;
use std::fmt;

use crate::arn::ArnMatcher;
use crate::catalog::Catalog;
use crate::global::{find_global, GlobalKey};
use crate::key_type::KeyType;
use crate::parse::{list, ActionDef, ActionTypeDef, ServiceData};
use crate::pattern::{cmp_canonical, cmp_folded, KeyTemplate};

/// The access level of an action, as in the "Access level" column of the Service
/// Authorization Reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AccessLevel {
    /// Lists resources (`s3:ListBucket`).
    List,
    /// Reads data or metadata (`s3:GetObject`).
    Read,
    /// Creates, changes or deletes (`s3:PutObject`).
    Write,
    /// Changes permissions (`iam:PutRolePolicy`); upstream also counts it as Write.
    PermissionsManagement,
    /// Changes tags only (`ec2:CreateTags`); upstream also counts it as Write.
    Tagging,
}

impl AccessLevel {
    /// Display name: `List`, `Read`, `Write`, `Permissions management`, `Tagging`.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessLevel::List => "List",
            AccessLevel::Read => "Read",
            AccessLevel::Write => "Write",
            AccessLevel::PermissionsManagement => "Permissions management",
            AccessLevel::Tagging => "Tagging",
        }
    }

    /// True for every level that changes something (Write, Permissions management,
    /// Tagging): the upstream data labels the last two "…, Write".
    pub fn is_write(self) -> bool {
        matches!(
            self,
            AccessLevel::Write | AccessLevel::PermissionsManagement | AccessLevel::Tagging
        )
    }

    /// Parses the display name (ASCII case ignored, `_`/`-` accepted for spaces).
    pub fn parse(text: &str) -> Option<AccessLevel> {
        let folded: String = text
            .chars()
            .map(|c| match c {
                '_' | '-' => ' ',
                other => other.to_ascii_lowercase(),
            })
            .collect();
        Some(match folded.as_str() {
            "list" => AccessLevel::List,
            "read" => AccessLevel::Read,
            "write" => AccessLevel::Write,
            "permissions management" | "permissions" => AccessLevel::PermissionsManagement,
            "tagging" => AccessLevel::Tagging,
            _ => return None,
        })
    }

    pub(crate) fn from_code(code: &str) -> Option<AccessLevel> {
        Some(match code {
            "L" => AccessLevel::List,
            "R" => AccessLevel::Read,
            "W" => AccessLevel::Write,
            "P" => AccessLevel::PermissionsManagement,
            "T" => AccessLevel::Tagging,
            _ => return None,
        })
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One AWS service (one IAM prefix such as `s3` or `execute-api`).
#[derive(Clone, Copy)]
pub struct Service<'c> {
    pub(crate) catalog: &'c Catalog,
    pub(crate) index: usize,
}

impl<'c> Service<'c> {
    /// The IAM prefix, e.g. `s3`.
    pub fn prefix(self) -> &'c str {
        self.catalog
            .entry(self.index)
            .map_or("", |entry| entry.prefix)
    }

    /// The display name, e.g. `Amazon S3`.
    pub fn name(self) -> &'c str {
        self.catalog
            .entry(self.index)
            .map_or("", |entry| entry.name)
    }

    /// True when resource control policies (RCPs) apply to this service.
    pub fn supports_rcp(self) -> bool {
        self.catalog
            .entry(self.index)
            .is_some_and(|entry| entry.rcp)
    }

    pub(crate) fn data(self) -> Option<&'c ServiceData> {
        self.catalog.service_data(self.index)
    }

    /// Every action, sorted by name (ASCII case ignored).
    pub fn actions(self) -> impl ExactSizeIterator<Item = Action<'c>> + 'c {
        let defs: &'c [ActionDef] = self.data().map_or(&[], |data| data.actions.as_slice());
        defs.iter().map(move |def| Action { service: self, def })
    }

    /// The action called `name` (without the prefix; ASCII case ignored).
    pub fn action(self, name: &str) -> Option<Action<'c>> {
        let data = self.data()?;
        let def = data.actions.get(data.find_action(name)?)?;
        Some(Action { service: self, def })
    }

    /// Every resource type, sorted by name.
    pub fn resource_types(self) -> impl ExactSizeIterator<Item = ResourceType<'c>> + 'c {
        let count = self.data().map_or(0, |data| data.types.len());
        (0..count).map(move |index| ResourceType {
            service: self,
            index,
        })
    }

    /// The resource type called `name` (ASCII case ignored).
    pub fn resource_type(self, name: &str) -> Option<ResourceType<'c>> {
        let index = self.data()?.find_type(name)?;
        Some(ResourceType {
            service: self,
            index,
        })
    }

    /// The service's own condition-key table, sorted by name.
    pub fn condition_keys(self) -> impl ExactSizeIterator<Item = ConditionKey<'c>> + 'c {
        let defs = self.data().map_or(&[][..], |data| data.keys.as_slice());
        defs.iter().map(|def| ConditionKey {
            name: def.name,
            key_type: def.key_type,
            template: def.template.as_ref(),
        })
    }

    /// The entry of the service's key table that `key` refers to: an exact name
    /// (ASCII case ignored) or an instance of a template such as
    /// `kms:EncryptionContext:${EncryptionContextKey}`.
    pub fn condition_key(self, key: &str) -> Option<ConditionKey<'c>> {
        let data = self.data()?;
        let def = data.find_key(key)?;
        Some(ConditionKey {
            name: def.name,
            key_type: def.key_type,
            template: def.template.as_ref(),
        })
    }
}

impl fmt::Debug for Service<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Service").field(&self.prefix()).finish()
    }
}

impl PartialEq for Service<'_> {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self.catalog, other.catalog) && self.index == other.index
    }
}

impl Eq for Service<'_> {}

/// One action such as `s3:GetObject`.
#[derive(Clone, Copy)]
pub struct Action<'c> {
    pub(crate) service: Service<'c>,
    pub(crate) def: &'c ActionDef,
}

impl<'c> Action<'c> {
    /// The service the action belongs to.
    pub fn service(self) -> Service<'c> {
        self.service
    }

    /// The action name without the prefix, in AWS's spelling (`GetObject`).
    pub fn name(self) -> &'c str {
        self.def.name
    }

    /// `prefix:Name`, e.g. `s3:GetObject`. Same as the `Display` output.
    pub fn qualified_name(self) -> String {
        self.to_string()
    }

    /// The access level. For the upstream's composite levels ("Tagging, Write",
    /// "Permissions management, Write") this is the first term.
    pub fn access_level(self) -> AccessLevel {
        self.def.level
    }

    /// The access level as the upstream data spells it, e.g. `Tagging, Write`.
    pub fn access_level_label(self) -> &'static str {
        match self.def.level {
            AccessLevel::PermissionsManagement => "Permissions management, Write",
            AccessLevel::Tagging => "Tagging, Write",
            other => other.as_str(),
        }
    }

    /// The resource types the action can be scoped to, sorted by name. Empty when the
    /// action only supports `"Resource": "*"`.
    pub fn resource_types(self) -> impl ExactSizeIterator<Item = ActionResource<'c>> + 'c {
        let (start, end) = self.def.types;
        let defs: &'c [ActionTypeDef] = self
            .service
            .data()
            .and_then(|data| data.action_types.get(start..end))
            .unwrap_or(&[]);
        defs.iter()
            .map(move |def| ActionResource { action: self, def })
    }

    /// True when the action has no resource types, so a policy can only name it with
    /// `"Resource": "*"`.
    pub fn only_supports_star(self) -> bool {
        self.def.types.0 == self.def.types.1
    }

    /// The condition keys listed for the action as a whole (not per resource type).
    pub fn action_condition_keys(self) -> impl Iterator<Item = &'c str> + Clone + 'c {
        list(self.def.keys)
    }

    /// Actions that must also be allowed for this one to succeed. The current upstream
    /// data has none, so this is empty for now.
    pub fn dependent_actions(self) -> impl Iterator<Item = &'c str> + Clone + 'c {
        list(self.def.deps)
    }

    /// Every service-specific condition key the action supports, with its type: the
    /// action-level keys, the keys listed for each (action, resource type) pair, and
    /// the keys of those resource types. Sorted by name, no duplicates. Global keys
    /// (`aws:SourceIp`, …) are always allowed as well but are not listed unless the
    /// service lists them (tag keys usually are).
    pub fn condition_keys(self) -> Vec<ConditionKey<'c>> {
        let Some(data) = self.service.data() else {
            return Vec::new();
        };
        // Resolved once per action and kept: every evaluation's catalog checks ask.
        let refs = data.action_keys(self.def.index, || {
            let mut names: Vec<&'static str> = list(self.def.keys).collect();
            for resource in self.resource_types() {
                names.extend(list(resource.def.keys));
                if let Some(def) = data
                    .find_type(resource.def.name)
                    .and_then(|i| data.types.get(i))
                {
                    names.extend(list(def.keys));
                }
            }
            names.sort_by(|a, b| cmp_canonical(a, b));
            names.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
            names
                .into_iter()
                .filter_map(|name| match data.find_key_index(name) {
                    Some(i) => Some(KeyRef::Service(i, name)),
                    None => find_global(name).map(|g| KeyRef::Global(g, name)),
                })
                .collect()
        });
        refs.iter()
            .filter_map(|r| match *r {
                KeyRef::Service(i, name) => data.keys.get(i).map(|def| ConditionKey {
                    name,
                    key_type: def.key_type,
                    template: def.template.as_ref(),
                }),
                KeyRef::Global(g, name) => Some(ConditionKey::from_global(g, name)),
            })
            .collect()
    }

    /// True when a policy may test `key` in a statement about this action: a global
    /// key, or a key from [`condition_keys`](Self::condition_keys) (templates such as
    /// `aws:RequestTag/${TagKey}` accept any tag name).
    pub fn supports_key(self, key: &str) -> bool {
        find_global(key).is_some() || self.condition_keys().iter().any(|ck| ck.matches(key))
    }

    /// True when `arn` names a resource this action can act on (see
    /// [`Catalog::resource_types_for_arn`] for the classification rules). `*` fits
    /// every action; an action without resource types fits no other ARN.
    pub fn fits_arn(self, arn: &str) -> bool {
        if arn == "*" {
            return true;
        }
        if self.only_supports_star() {
            return false;
        }
        let Some(data) = self.service.data() else {
            return false;
        };
        data.types.iter().enumerate().any(|(index, def)| {
            self.resource_types()
                .any(|resource| resource.name().eq_ignore_ascii_case(def.name))
                && crate::catalog::type_matches(data, index, arn)
        })
    }
}

/// Looks up the declared type of a key named by an action or resource type.
impl fmt::Display for Action<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.service.prefix(), self.def.name)
    }
}

impl fmt::Debug for Action<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Action").field(&self.to_string()).finish()
    }
}

impl PartialEq for Action<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.service == other.service && std::ptr::eq(self.def, other.def)
    }
}

impl Eq for Action<'_> {}

/// A resource type as listed for one action: name, whether it is required, and the
/// condition keys that apply to this (action, resource type) pair.
#[derive(Clone, Copy)]
pub struct ActionResource<'c> {
    action: Action<'c>,
    def: &'c ActionTypeDef,
}

impl<'c> ActionResource<'c> {
    /// The resource type's name, e.g. `object`.
    pub fn name(self) -> &'c str {
        self.def.name
    }

    /// True when the upstream marks the type as required (`*` in the AWS tables).
    pub fn is_required(self) -> bool {
        self.def.required
    }

    /// Condition keys listed for this (action, resource type) pair.
    pub fn condition_keys(self) -> impl Iterator<Item = &'c str> + Clone + 'c {
        list(self.def.keys)
    }

    /// The resource type's definition (ARN patterns and its own keys).
    pub fn resource_type(self) -> Option<ResourceType<'c>> {
        self.action.service.resource_type(self.def.name)
    }
}

impl fmt::Debug for ActionResource<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActionResource")
            .field("name", &self.def.name)
            .field("required", &self.def.required)
            .finish()
    }
}

/// A resource type of a service, e.g. S3 `object`.
#[derive(Clone, Copy)]
pub struct ResourceType<'c> {
    pub(crate) service: Service<'c>,
    pub(crate) index: usize,
}

impl<'c> ResourceType<'c> {
    fn def(self) -> Option<&'c crate::parse::TypeDef> {
        self.service.data()?.types.get(self.index)
    }

    /// The service that defines the type.
    pub fn service(self) -> Service<'c> {
        self.service
    }

    /// The name, e.g. `object`.
    pub fn name(self) -> &'c str {
        self.def().map_or("", |def| def.name)
    }

    /// The ARN patterns, e.g. `arn:${Partition}:s3:::${BucketName}/${ObjectName}`.
    /// Usually one; a few types (API Gateway, Lex) have several.
    pub fn arn_patterns(self) -> impl Iterator<Item = &'c str> + Clone + 'c {
        self.def()
            .map_or("", |def| def.arns)
            .split('|')
            .filter(|arn| !arn.is_empty())
    }

    /// The type's own condition keys (the "Condition keys" column of the resource
    /// types table).
    pub fn condition_keys(self) -> impl Iterator<Item = &'c str> + Clone + 'c {
        list(self.def().map_or("", |def| def.keys))
    }

    /// The compiled ARN matchers, one per pattern.
    pub fn matchers(self) -> &'c [ArnMatcher] {
        self.service
            .data()
            .and_then(|data| data.matchers().get(self.index))
            .map_or(&[], Vec::as_slice)
    }

    /// True when `arn` matches one of the type's ARN patterns (see [`ArnMatcher`]).
    pub fn matches_arn(self, arn: &str) -> bool {
        self.matchers().iter().any(|matcher| matcher.matches(arn))
    }
}

impl fmt::Debug for ResourceType<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ResourceType")
            .field(&format_args!("{}/{}", self.service.prefix(), self.name()))
            .finish()
    }
}

impl PartialEq for ResourceType<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.service == other.service && self.index == other.index
    }
}

impl Eq for ResourceType<'_> {}

/// A condition key with its declared type.
#[derive(Clone, Copy)]
pub struct ConditionKey<'c> {
    name: &'c str,
    key_type: KeyType,
    template: Option<&'c KeyTemplate>,
}

impl<'c> ConditionKey<'c> {
    pub(crate) fn from_global(global: &'static GlobalKey, name: &'c str) -> ConditionKey<'c> {
        ConditionKey {
            name,
            key_type: global.key_type(),
            template: global.template.as_ref(),
        }
    }

    /// The name as the data spells it, e.g. `s3:TlsVersion` or
    /// `aws:RequestTag/${TagKey}`.
    pub fn name(self) -> &'c str {
        self.name
    }

    /// The declared type.
    pub fn key_type(self) -> KeyType {
        self.key_type
    }

    /// True for `ArrayOf…` keys.
    pub fn is_multivalued(self) -> bool {
        self.key_type.is_multivalued()
    }

    /// True when the name has a variable part (`${TagKey}`, `<key>`, …).
    pub fn is_template(self) -> bool {
        self.template.is_some()
    }

    /// True when `key` (as written in a policy) refers to this key: the same name
    /// ignoring ASCII case, or an instance of the template.
    pub fn matches(self, key: &str) -> bool {
        if cmp_folded(self.name, key).is_eq() {
            return true;
        }
        self.template.is_some_and(|template| template.matches(key))
    }
}

impl fmt::Debug for ConditionKey<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ConditionKey({}: {})", self.name, self.key_type)
    }
}

impl PartialEq for ConditionKey<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name && self.key_type == other.key_type
    }
}

impl Eq for ConditionKey<'_> {}
