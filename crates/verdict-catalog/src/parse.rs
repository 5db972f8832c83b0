//! Reader for the generated data file `data/service-reference.txt`.
//!
//! The file is UTF-8 text, one record per line, fields separated by tabs, lists
//! inside a field separated by `,` (ARN patterns by `|`). It starts with a header
//! that ends at a line `body`; everything after that line is the body, a
//! concatenation of one block per service. The header's `svc` lines give each
//! block's byte offset and length inside the body, so one service can be read
//! without touching the others. See `tools/catalog/README.md` for the full layout.

use std::cmp::Ordering;
use std::sync::OnceLock;

use crate::arn::ArnMatcher;
use crate::error::CatalogError;
use crate::key_type::KeyType;
use crate::model::AccessLevel;
use crate::pattern::{cmp_canonical, cmp_folded, KeyTemplate};

/// The only format version this reader understands.
pub(crate) const FORMAT_VERSION: &str = "1";

/// Parsed header.
#[derive(Debug, Default)]
pub(crate) struct Header {
    pub source: &'static str,
    pub version: &'static str,
    pub updated: &'static str,
    pub counts: [usize; 4],
    pub aliases: Vec<Alias>,
    pub index: Vec<IndexEntry>,
    pub body: &'static [u8],
}

/// A condition-key prefix that is not a service prefix (`saml`, `accounts.google.com`).
#[derive(Debug)]
pub(crate) struct Alias {
    pub prefix: &'static str,
    pub owners: &'static str,
    pub template: Option<KeyTemplate>,
}

/// One `svc` line.
#[derive(Debug)]
pub(crate) struct IndexEntry {
    pub prefix: &'static str,
    pub name: &'static str,
    pub rcp: bool,
    pub start: usize,
    pub len: usize,
}

/// One service block, parsed.
#[derive(Debug)]
pub(crate) struct ServiceData {
    pub keys: Vec<KeyDef>,
    /// Positions in `keys` of the entries that have a template.
    pub templated: Vec<usize>,
    pub types: Vec<TypeDef>,
    pub actions: Vec<ActionDef>,
    pub action_types: Vec<ActionTypeDef>,
    matchers: OnceLock<Vec<Vec<ArnMatcher>>>,
    /// Each action's condition keys, resolved on first use (one slot per action).
    action_keys: OnceLock<Vec<OnceLock<Vec<KeyRef>>>>,
}

/// A condition key an action lists, resolved: a key of the service (its position in
/// `keys`) or a global key, with the name as the action lists it.
#[derive(Clone, Copy, Debug)]
pub(crate) enum KeyRef {
    /// `keys[index]`.
    Service(usize, &'static str),
    /// A global key.
    Global(&'static crate::global::GlobalKey, &'static str),
}

#[derive(Debug)]
pub(crate) struct KeyDef {
    pub name: &'static str,
    pub key_type: KeyType,
    /// Set when the name has a variable part (`${TagKey}`, `<key>`, …).
    pub template: Option<KeyTemplate>,
}

#[derive(Debug)]
pub(crate) struct TypeDef {
    pub name: &'static str,
    /// `|`-separated ARN patterns.
    pub arns: &'static str,
    /// `,`-separated condition keys (may be empty).
    pub keys: &'static str,
}

#[derive(Debug)]
pub(crate) struct ActionDef {
    /// Position in `ServiceData::actions`.
    pub index: usize,
    pub name: &'static str,
    pub level: AccessLevel,
    pub keys: &'static str,
    pub deps: &'static str,
    /// Range into `ServiceData::action_types`.
    pub types: (usize, usize),
}

#[derive(Debug)]
pub(crate) struct ActionTypeDef {
    pub name: &'static str,
    pub required: bool,
    pub keys: &'static str,
}

/// Splits a `,`-separated list field; an empty field is an empty list.
pub(crate) fn list(field: &str) -> impl Iterator<Item = &str> + Clone + '_ {
    field.split(',').filter(|item| !item.is_empty())
}

impl ServiceData {
    /// Compiled ARN matchers, one list per resource type (same order as `types`).
    pub(crate) fn matchers(&self) -> &[Vec<ArnMatcher>] {
        self.matchers.get_or_init(|| {
            self.types
                .iter()
                .map(|def| def.arns.split('|').map(ArnMatcher::new).collect())
                .collect()
        })
    }

    /// Position of the action named `name` (ASCII case ignored).
    pub(crate) fn find_action(&self, name: &str) -> Option<usize> {
        self.actions
            .binary_search_by(|def| cmp_folded(def.name, name))
            .ok()
    }

    /// Position of the resource type named `name` (ASCII case ignored).
    pub(crate) fn find_type(&self, name: &str) -> Option<usize> {
        self.types
            .binary_search_by(|def| cmp_folded(def.name, name))
            .ok()
    }

    /// The key definition for `name`: an exact (case-folded) entry, else the most
    /// specific template entry that matches.
    pub(crate) fn find_key(&self, name: &str) -> Option<&KeyDef> {
        self.find_key_index(name).and_then(|i| self.keys.get(i))
    }

    /// As [`find_key`](Self::find_key), the key's position in `keys`.
    pub(crate) fn find_key_index(&self, name: &str) -> Option<usize> {
        if let Ok(pos) = self.keys.binary_search_by(|def| cmp_folded(def.name, name)) {
            return Some(pos);
        }
        self.templated
            .iter()
            .filter_map(|pos| Some((*pos, self.keys.get(*pos)?.template.as_ref()?)))
            .filter(|(_, template)| template.matches(name))
            .max_by_key(|(_, template)| template.literal_len())
            .map(|(pos, _)| pos)
    }

    /// The resolved condition keys of action `index`, built by `build` the first time.
    pub(crate) fn action_keys(
        &self,
        index: usize,
        build: impl FnOnce() -> Vec<KeyRef>,
    ) -> &[KeyRef] {
        let slots = self
            .action_keys
            .get_or_init(|| self.actions.iter().map(|_| OnceLock::new()).collect());
        match slots.get(index) {
            Some(slot) => slot.get_or_init(build),
            None => &[],
        }
    }
}

fn header_error(message: impl Into<String>) -> CatalogError {
    CatalogError::Header {
        message: message.into(),
    }
}

/// Reads the header and locates the body. Does not look inside the service blocks.
pub(crate) fn parse_header(data: &'static [u8]) -> Result<Header, CatalogError> {
    // Find the `body` line by hopping from newline to newline (the header is short).
    const MARKER: &[u8] = b"body\n";
    let mut line_start = 0usize;
    let end = loop {
        let rest = data
            .get(line_start..)
            .ok_or_else(|| header_error("no `body` line"))?;
        if rest.starts_with(MARKER) {
            break line_start;
        }
        let newline = rest
            .iter()
            .position(|&byte| byte == b'\n')
            .ok_or_else(|| header_error("no `body` line"))?;
        line_start += newline + 1;
    };
    let head = std::str::from_utf8(data.get(..end.saturating_sub(1)).unwrap_or_default())
        .map_err(|_| header_error("not UTF-8"))?;
    let body = data.get(end + MARKER.len()..).unwrap_or_default();

    let mut lines = head.split('\n');
    let first = lines.next().unwrap_or_default();
    if first.strip_prefix("verdict-catalog\t") != Some(FORMAT_VERSION) {
        return Err(header_error(format!(
            "unsupported format line `{first}` (this build reads format {FORMAT_VERSION})"
        )));
    }
    let mut header = Header {
        source: "",
        version: "",
        updated: "",
        counts: [0; 4],
        aliases: Vec::new(),
        index: Vec::new(),
        body,
    };
    let mut next_offset = 0usize;
    for line in lines {
        let fields: Vec<&'static str> = line.split('\t').collect();
        match fields.as_slice() {
            ["source", source, version] => {
                header.source = source;
                header.version = version;
            }
            ["updated", updated] => header.updated = updated,
            ["counts", a, b, c, d] => {
                for (slot, text) in header.counts.iter_mut().zip([a, b, c, d]) {
                    *slot = text
                        .parse()
                        .map_err(|_| header_error(format!("bad count `{text}`")))?;
                }
            }
            ["alias", prefix, owners] => header.aliases.push(Alias {
                prefix,
                owners,
                template: KeyTemplate::compile(prefix),
            }),
            ["svc", prefix, start, len, rcp, name] => {
                let start: usize = start
                    .parse()
                    .map_err(|_| header_error(format!("bad offset for `{prefix}`")))?;
                let len: usize = len
                    .parse()
                    .map_err(|_| header_error(format!("bad length for `{prefix}`")))?;
                if start != next_offset || start + len > body.len() {
                    return Err(header_error(format!("bad byte range for `{prefix}`")));
                }
                next_offset = start + len;
                if let Some(last) = header.index.last() {
                    if cmp_canonical(last.prefix, prefix) != Ordering::Less {
                        return Err(header_error(format!("service `{prefix}` out of order")));
                    }
                }
                header.index.push(IndexEntry {
                    prefix,
                    name,
                    rcp: *rcp == "1",
                    start,
                    len,
                });
            }
            _ => return Err(header_error(format!("unexpected line `{line}`"))),
        }
    }
    if next_offset != body.len() {
        return Err(header_error("service blocks do not cover the body"));
    }
    if header.version.is_empty() || header.updated.is_empty() {
        return Err(header_error("missing `source` or `updated` line"));
    }
    Ok(header)
}

/// Parses one service block.
pub(crate) fn parse_service(
    prefix: &str,
    block: &'static [u8],
) -> Result<ServiceData, CatalogError> {
    let fail = |line: usize, message: String| CatalogError::Service {
        service: prefix.to_owned(),
        line,
        message,
    };
    let text = std::str::from_utf8(block).map_err(|_| fail(0, "not UTF-8".to_owned()))?;
    let text = text
        .strip_suffix('\n')
        .ok_or_else(|| fail(0, "block does not end with a newline".to_owned()))?;
    let mut data = ServiceData {
        keys: Vec::new(),
        templated: Vec::new(),
        types: Vec::new(),
        actions: Vec::new(),
        action_types: Vec::new(),
        matchers: OnceLock::new(),
        action_keys: OnceLock::new(),
    };
    // Sections must come in this order: service, k*, r*, (a t*)*.
    let mut section = 0u8;
    for (number, line) in text.split('\n').enumerate() {
        let number = number + 1;
        let fields: Vec<&'static str> = line.split('\t').collect();
        let order_error = || fail(number, format!("record out of order: `{line}`"));
        match fields.as_slice() {
            ["service", name] if number == 1 => {
                if *name != prefix {
                    return Err(fail(number, format!("block belongs to `{name}`")));
                }
                section = 1;
            }
            ["k", name, key_type] if section == 1 => {
                let key_type = KeyType::parse(key_type)
                    .ok_or_else(|| fail(number, format!("unknown key type `{key_type}`")))?;
                if let Some(last) = data.keys.last() {
                    if cmp_folded(last.name, name) != Ordering::Less {
                        return Err(order_error());
                    }
                }
                let template = KeyTemplate::compile(name);
                if template.is_some() {
                    data.templated.push(data.keys.len());
                }
                data.keys.push(KeyDef {
                    name,
                    key_type,
                    template,
                });
            }
            ["r", name, arns, keys] if (1..=2).contains(&section) => {
                section = 2;
                if let Some(last) = data.types.last() {
                    if cmp_folded(last.name, name) != Ordering::Less {
                        return Err(order_error());
                    }
                }
                if arns.is_empty() {
                    return Err(fail(number, format!("resource type `{name}` has no ARN")));
                }
                data.types.push(TypeDef { name, arns, keys });
            }
            ["a", name, level, keys, deps] if section >= 1 => {
                section = 3;
                let level = AccessLevel::from_code(level)
                    .ok_or_else(|| fail(number, format!("unknown access level `{level}`")))?;
                if let Some(last) = data.actions.last() {
                    if cmp_folded(last.name, name) != Ordering::Less {
                        return Err(order_error());
                    }
                }
                let at = data.action_types.len();
                data.actions.push(ActionDef {
                    index: data.actions.len(),
                    name,
                    level,
                    keys,
                    deps,
                    types: (at, at),
                });
            }
            ["t", name, required, keys] if section == 3 => {
                let required = match *required {
                    "1" => true,
                    "0" => false,
                    other => return Err(fail(number, format!("bad required flag `{other}`"))),
                };
                let Some(action) = data.actions.last_mut() else {
                    return Err(order_error());
                };
                let first = action.types.0;
                if let Some(last) = data.action_types.get(first..).and_then(<[_]>::last) {
                    if cmp_folded(last.name, name) != Ordering::Less {
                        return Err(order_error());
                    }
                }
                data.action_types.push(ActionTypeDef {
                    name,
                    required,
                    keys,
                });
                action.types.1 = data.action_types.len();
            }
            _ => return Err(fail(number, format!("unexpected record `{line}`"))),
        }
    }
    if section == 0 {
        return Err(fail(1, "missing `service` line".to_owned()));
    }
    Ok(data)
}
