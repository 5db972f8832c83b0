//! The hand-maintained table of global condition keys (`data/global-keys.toml`).

use std::fmt;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::error::CatalogError;
use crate::key_type::KeyType;
use crate::pattern::KeyTemplate;

/// The embedded global-key table.
pub(crate) const GLOBAL_KEYS_TOML: &str = include_str!("../data/global-keys.toml");

/// Where the value of a global key comes from, as grouped in the AWS documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyCategory {
    /// Properties of the calling principal (`aws:PrincipalArn`, `aws:PrincipalTag/…`).
    Principal,
    /// Properties of the role session or credentials (`aws:MultiFactorAuthPresent`).
    Session,
    /// Properties of the network path (`aws:SourceIp`, `aws:SourceVpce`).
    Network,
    /// Properties of the target resource (`aws:ResourceTag/…`, `aws:ResourceAccount`).
    Resource,
    /// Properties of the request itself (`aws:CurrentTime`, `aws:RequestTag/…`).
    Request,
}

impl KeyCategory {
    /// Lower-case name as used in the data file.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyCategory::Principal => "principal",
            KeyCategory::Session => "session",
            KeyCategory::Network => "network",
            KeyCategory::Resource => "resource",
            KeyCategory::Request => "request",
        }
    }
}

impl fmt::Display for KeyCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A condition key that every service accepts, such as `aws:SourceIp`.
#[derive(Debug, Clone)]
pub struct GlobalKey {
    name: String,
    key_type: KeyType,
    category: KeyCategory,
    presence: String,
    pub(crate) template: Option<KeyTemplate>,
}

impl GlobalKey {
    /// Canonical spelling, e.g. `aws:SourceIp` or `aws:PrincipalTag/${TagKey}`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Declared type.
    pub fn key_type(&self) -> KeyType {
        self.key_type
    }

    /// True when the request context carries a set of values.
    pub fn is_multivalued(&self) -> bool {
        self.key_type.is_multivalued()
    }

    /// Documentation group.
    pub fn category(&self) -> KeyCategory {
        self.category
    }

    /// One line on when AWS includes the key in the request context.
    pub fn presence(&self) -> &str {
        &self.presence
    }

    /// True for a key family with a user-chosen suffix (`aws:RequestTag/${TagKey}`).
    pub fn is_template(&self) -> bool {
        self.template.is_some()
    }

    /// True when `key` names this global key (ASCII case ignored; any suffix for a
    /// tag-style family).
    pub fn matches(&self, key: &str) -> bool {
        match &self.template {
            Some(template) => template.matches(key),
            None => self.name.eq_ignore_ascii_case(key),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    key: Vec<RawKey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKey {
    name: String,
    #[serde(rename = "type")]
    key_type: String,
    multivalued: bool,
    category: String,
    present: String,
}

/// Parses a global-key table in the format of `data/global-keys.toml`.
pub(crate) fn parse_global_keys(text: &str) -> Result<Vec<GlobalKey>, CatalogError> {
    let raw: RawTable = toml::from_str(text).map_err(|err| CatalogError::GlobalKeys {
        message: err.message().to_owned(),
    })?;
    let mut keys = Vec::with_capacity(raw.key.len());
    for entry in raw.key {
        let bad = |what: &str| CatalogError::GlobalKeys {
            message: format!("key `{}`: {what}", entry.name),
        };
        let key_type = KeyType::parse(&entry.key_type).ok_or_else(|| bad("unknown type"))?;
        if key_type.is_multivalued() != entry.multivalued {
            return Err(bad("`multivalued` disagrees with the type"));
        }
        let category = match entry.category.as_str() {
            "principal" => KeyCategory::Principal,
            "session" => KeyCategory::Session,
            "network" => KeyCategory::Network,
            "resource" => KeyCategory::Resource,
            "request" => KeyCategory::Request,
            _ => return Err(bad("unknown category")),
        };
        if !entry.name.contains(':') || entry.present.trim().is_empty() {
            return Err(bad("name needs a prefix and `present` must not be empty"));
        }
        if keys
            .iter()
            .any(|k: &GlobalKey| k.name.eq_ignore_ascii_case(&entry.name))
        {
            return Err(bad("listed twice"));
        }
        keys.push(GlobalKey {
            template: KeyTemplate::compile(&entry.name),
            name: entry.name,
            key_type,
            category,
            presence: entry.present,
        });
    }
    Ok(keys)
}

/// The embedded table, parsed on first use. Empty only if the embedded file is
/// broken, which `tests/catalog.rs` rules out.
pub(crate) fn global_keys() -> &'static [GlobalKey] {
    static TABLE: OnceLock<Vec<GlobalKey>> = OnceLock::new();
    TABLE.get_or_init(|| parse_global_keys(GLOBAL_KEYS_TOML).unwrap_or_default())
}

/// FNV-1a over the ASCII-lowercased bytes of `s`.
fn folded_hash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Finds the global key that `name` refers to. Exact names win over tag families.
pub(crate) fn find_global(name: &str) -> Option<&'static GlobalKey> {
    // Exact names through a case-folded index (looked up for every condition of every
    // evaluation); tag families by their templates.
    // Exact names by a hash of their case-folded bytes, sorted: no string is built
    // for the lookup, and a hit is confirmed by comparing the names.
    static EXACT: OnceLock<Vec<(u64, usize)>> = OnceLock::new();
    let table = global_keys();
    let exact = EXACT.get_or_init(|| {
        let mut v: Vec<(u64, usize)> = table
            .iter()
            .enumerate()
            .filter(|(_, k)| !k.is_template())
            .map(|(i, k)| (folded_hash(&k.name), i))
            .collect();
        v.sort_unstable();
        v
    });
    let h = folded_hash(name);
    let start = exact.partition_point(|(x, _)| *x < h);
    if let Some(k) = exact
        .get(start..)
        .unwrap_or_default()
        .iter()
        .take_while(|(x, _)| *x == h)
        .filter_map(|(_, i)| table.get(*i))
        .find(|k| k.name.eq_ignore_ascii_case(name))
    {
        return Some(k);
    }
    table
        .iter()
        .find(|key| key.is_template() && key.matches(name))
}
