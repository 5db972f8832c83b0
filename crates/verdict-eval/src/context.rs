//! The request context: case-insensitive keys, single or multivalued values (§1.5).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: context keys are short, and SipHash's DoS resistance buys nothing here.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// A context value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CtxValue {
    /// A single value (numbers and booleans are kept in their string form).
    Single(String),
    /// A multivalued key's values (may be empty).
    Multi(Vec<String>),
}

impl CtxValue {
    /// The values as a slice-like list.
    pub fn values(&self) -> Vec<&str> {
        match self {
            CtxValue::Single(s) => vec![s.as_str()],
            CtxValue::Multi(v) => v.iter().map(String::as_str).collect(),
        }
    }

    /// A value from JSON: a string, number or boolean (kept in its text form), or a list
    /// of those; `None` for anything else (null, objects, nested lists).
    pub fn from_json(v: &serde_json::Value) -> Option<CtxValue> {
        let scalar = |v: &serde_json::Value| match v {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::Bool(b) => Some(b.to_string()),
            _ => None,
        };
        match v {
            serde_json::Value::Array(items) => items
                .iter()
                .map(scalar)
                .collect::<Option<Vec<_>>>()
                .map(CtxValue::Multi),
            other => scalar(other).map(CtxValue::Single),
        }
    }

    /// JSON rendering.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            CtxValue::Single(s) => serde_json::Value::String(s.clone()),
            CtxValue::Multi(v) => serde_json::Value::from(v.clone()),
        }
    }
}

/// One key: its spelling and its value(s); several values only when keys collided by case (U2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The key as first written.
    pub key: String,
    /// Alternatives (normally exactly one).
    pub values: Vec<CtxValue>,
    /// True if derived by Verdict from the principal rather than given.
    pub derived: bool,
}

/// Case-insensitive map of context keys.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Context {
    map: HashMap<String, Entry, BuildHasherDefault<Fnv>>,
}

impl Context {
    /// An empty context.
    pub fn new() -> Self {
        Self::default()
    }

    /// Insert a given value; a second key differing only in case is kept as an alternative (U2).
    pub fn insert(&mut self, key: &str, value: CtxValue) {
        let lc = key.to_ascii_lowercase();
        match self.map.get_mut(&lc) {
            Some(e) if !e.derived => e.values.push(value),
            _ => {
                self.map.insert(
                    lc,
                    Entry {
                        key: key.to_string(),
                        values: vec![value],
                        derived: false,
                    },
                );
            }
        }
    }

    /// Set `key` to `value`, replacing whatever it held.
    pub fn set(&mut self, key: &str, value: CtxValue) {
        self.map.insert(
            key.to_ascii_lowercase(),
            Entry {
                key: key.to_string(),
                values: vec![value],
                derived: false,
            },
        );
    }

    /// Insert a derived value unless the key was given.
    pub fn derive(&mut self, key: &str, value: CtxValue) {
        let lc = key.to_ascii_lowercase();
        self.map.entry(lc).or_insert_with(|| Entry {
            key: key.to_string(),
            values: vec![value],
            derived: true,
        });
    }

    /// Remove a key.
    pub fn remove(&mut self, key: &str) {
        self.map.remove(&key.to_ascii_lowercase());
    }

    /// Look up by lower-cased key.
    pub fn get(&self, key_lc: &str) -> Option<&Entry> {
        self.map.get(key_lc)
    }

    /// The single value usable as a policy variable (multivalued keys never resolve, §5.3).
    pub fn variable(&self, key_lc: &str) -> Option<String> {
        match self.map.get(key_lc)?.values.first()? {
            CtxValue::Single(s) => Some(s.clone()),
            CtxValue::Multi(_) => None,
        }
    }

    /// As [`Context::variable`], borrowed.
    pub fn variable_ref(&self, key_lc: &str) -> Option<&str> {
        match self.map.get(key_lc)?.values.first()? {
            CtxValue::Single(s) => Some(s),
            CtxValue::Multi(_) => None,
        }
    }

    /// Every entry.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.map.values()
    }

    /// Keys that collided by case (U2).
    pub fn collisions(&self) -> Vec<&str> {
        self.map
            .values()
            .filter(|e| e.values.len() > 1)
            .map(|e| e.key.as_str())
            .collect()
    }
}
