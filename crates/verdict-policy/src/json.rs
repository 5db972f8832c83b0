//! Strict JSON with source spans, built on `jsonc-parser`'s AST.
//!
//! Comments, trailing commas and other JSON5 extensions are rejected, and so are
//! duplicate object keys (IAM treats them as invalid, iam-semantics §2.1).

use crate::diag::{Diagnostic, ErrorCode};
use crate::source::{SourceFile, Span};
use std::sync::Arc;

/// Largest input accepted, in bytes. AWS policies are at most a few tens of KiB;
/// scenarios and snapshots may be larger.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// A JSON value with the span it was read from.
#[derive(Clone, Debug, PartialEq)]
pub struct Json {
    /// The value.
    pub kind: JsonKind,
    /// Where it is in the source.
    pub span: Span,
}

/// A JSON object member: key, key span, value.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    /// The key text.
    pub key: String,
    /// The span of the key (with quotes).
    pub key_span: Span,
    /// The value.
    pub value: Json,
}

/// The kinds of JSON value.
#[derive(Clone, Debug, PartialEq)]
#[allow(missing_docs)]
pub enum JsonKind {
    Null,
    Bool(bool),
    /// A number, kept as written.
    Number(String),
    String(String),
    Array(Vec<Json>),
    Object(Vec<Member>),
}

impl Json {
    /// A short name of the value's type, for "expected X, found Y" messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            JsonKind::Null => "null",
            JsonKind::Bool(_) => "a boolean",
            JsonKind::Number(_) => "a number",
            JsonKind::String(_) => "a string",
            JsonKind::Array(_) => "an array",
            JsonKind::Object(_) => "an object",
        }
    }

    /// The string value, if this is a string.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            JsonKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The members, if this is an object.
    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.kind {
            JsonKind::Object(m) => Some(m),
            _ => None,
        }
    }

    /// The member named `key` (exact match), if this is an object.
    pub fn get(&self, key: &str) -> Option<&Json> {
        self.as_object()?
            .iter()
            .find(|m| m.key == key)
            .map(|m| &m.value)
    }

    /// Convert to a `serde_json::Value` (numbers that do not fit become strings).
    pub fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            JsonKind::Null => Value::Null,
            JsonKind::Bool(b) => Value::Bool(*b),
            JsonKind::Number(n) => serde_json::from_str::<serde_json::Number>(n)
                .map(Value::Number)
                .unwrap_or_else(|_| Value::String(n.clone())),
            JsonKind::String(s) => Value::String(s.clone()),
            JsonKind::Array(a) => Value::Array(a.iter().map(Json::to_value).collect()),
            JsonKind::Object(m) => Value::Object(
                m.iter()
                    .map(|m| (m.key.clone(), m.value.to_value()))
                    .collect(),
            ),
        }
    }

    /// Build a span-less tree from a `serde_json::Value` (spans are empty).
    pub fn from_value(v: &serde_json::Value) -> Json {
        use serde_json::Value;
        let kind = match v {
            Value::Null => JsonKind::Null,
            Value::Bool(b) => JsonKind::Bool(*b),
            Value::Number(n) => JsonKind::Number(n.to_string()),
            Value::String(s) => JsonKind::String(s.clone()),
            Value::Array(a) => JsonKind::Array(a.iter().map(Json::from_value).collect()),
            Value::Object(o) => JsonKind::Object(
                o.iter()
                    .map(|(k, v)| Member {
                        key: k.clone(),
                        key_span: Span::default(),
                        value: Json::from_value(v),
                    })
                    .collect(),
            ),
        };
        Json {
            kind,
            span: Span::default(),
        }
    }
}

fn strict_options() -> jsonc_parser::ParseOptions {
    jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        allow_bare_decimal_point_numbers: false,
        allow_non_finite_numbers: false,
        allow_extended_string_escapes: false,
    }
}

/// The largest account snapshot file read (`get-account-authorization-details` of an
/// account with thousands of roles runs to tens of megabytes).
pub const MAX_SNAPSHOT_FILE_BYTES: usize = 256 * 1024 * 1024;

/// Parse the whole of `source` as one strict JSON value.
pub fn parse(source: &Arc<SourceFile>) -> Result<Json, Diagnostic> {
    parse_with_limit(source, MAX_INPUT_BYTES)
}

/// As [`parse`], accepting at most `max_bytes` of input.
pub fn parse_with_limit(source: &Arc<SourceFile>, max_bytes: usize) -> Result<Json, Diagnostic> {
    let text = source.text();
    if text.len() > max_bytes {
        return Err(Diagnostic::new(
            ErrorCode::TooLarge,
            format!(
                "input is {} bytes; at most {} bytes are accepted",
                text.len(),
                max_bytes
            ),
        )
        .at(source, Span::new(0, 0)));
    }
    let parsed =
        jsonc_parser::parse_to_ast(text, &Default::default(), &strict_options()).map_err(|e| {
            let range = e.range();
            let msg = e.kind().to_string();
            let code = if msg.contains("nesting depth") {
                ErrorCode::TooDeep
            } else {
                ErrorCode::JsonSyntax
            };
            Diagnostic::new(code, format!("invalid JSON: {}", lower_first(&msg)))
                .at(source, Span::new(range.start, range.end))
        })?;
    let Some(value) = parsed.value else {
        return Err(Diagnostic::new(
            ErrorCode::JsonSyntax,
            "invalid JSON: expected a value, found an empty document",
        )
        .at(source, Span::new(0, text.len())));
    };
    convert(value, source)
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn convert(v: jsonc_parser::ast::Value<'_>, source: &Arc<SourceFile>) -> Result<Json, Diagnostic> {
    use jsonc_parser::ast::{ObjectPropName, Value};
    let (kind, range) = match v {
        Value::NullKeyword(n) => (JsonKind::Null, n.range),
        Value::BooleanLit(b) => (JsonKind::Bool(b.value), b.range),
        Value::NumberLit(n) => (JsonKind::Number(n.value.to_string()), n.range),
        Value::StringLit(s) => (JsonKind::String(s.value.into_owned()), s.range),
        Value::Array(a) => {
            let mut out = Vec::with_capacity(a.elements.len());
            for e in a.elements {
                out.push(convert(e, source)?);
            }
            (JsonKind::Array(out), a.range)
        }
        Value::Object(o) => {
            let mut out: Vec<Member> = Vec::with_capacity(o.properties.len());
            for p in o.properties {
                let (key, key_range) = match p.name {
                    ObjectPropName::String(s) => (s.value.into_owned(), s.range),
                    ObjectPropName::Word(w) => (w.value.to_string(), w.range),
                };
                let key_span = Span::new(key_range.start, key_range.end);
                if let Some(prev) = out.iter().find(|m| m.key == key) {
                    let first = source.position(prev.key_span.start);
                    return Err(Diagnostic::new(
                        ErrorCode::DuplicateKey,
                        format!(
                            "duplicate key \"{key}\" (first at line {}, column {}); each key may appear once in an object",
                            first.line, first.column
                        ),
                    )
                    .at(source, key_span));
                }
                let value = convert(p.value, source)?;
                out.push(Member {
                    key,
                    key_span,
                    value,
                });
            }
            (JsonKind::Object(out), o.range)
        }
    };
    Ok(Json {
        kind,
        span: Span::new(range.start, range.end),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(t: &str) -> Result<Json, Diagnostic> {
        parse(&SourceFile::new("t.json", t))
    }

    #[test]
    fn rejects_duplicates_with_location() {
        let e = p("{\n  \"a\": 1,\n  \"a\": 2\n}").unwrap_err();
        assert_eq!(e.code, ErrorCode::DuplicateKey);
        assert_eq!(e.location(), "t.json:3:3");
    }

    #[test]
    fn rejects_json5() {
        assert!(p("{\"a\": 1,}").is_err());
        assert!(p("// c\n{}").is_err());
        assert!(p("").is_err());
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let t = "[".repeat(100_000);
        let e = p(&t).unwrap_err();
        assert!(matches!(e.code, ErrorCode::TooDeep | ErrorCode::JsonSyntax));
    }
}
