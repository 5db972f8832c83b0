//! Policy variables in strings: `${aws:username}`, `${aws:PrincipalTag/team, 'default'}`,
//! and the fixed `${*}`, `${?}`, `${$}` (iam-semantics §5).

use crate::glob::{tokenize, tokenize_into, TokRef, Token};

/// A piece of a templated string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// Text from the policy; in `…Like` operators and resources its `*`/`?` are wildcards.
    Text(String),
    /// A context key to substitute.
    Var {
        /// The key as written.
        key: String,
        /// The key, lower-cased for lookup.
        key_lc: String,
        /// The default from `${key, 'default'}`.
        default: Option<String>,
    },
    /// `${*}`, `${?}` or `${$}`: a literal character.
    Fixed(char),
}

/// A string that may contain policy variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    parts: Vec<Part>,
}

impl Template {
    /// Parse `s`. With `variables == false` (Version 2008-10-17 or none) the whole string is text.
    pub fn parse(s: &str, variables: bool) -> Template {
        if !variables || !s.contains("${") {
            return Template {
                parts: vec![Part::Text(s.to_string())],
            };
        }
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut rest = s;
        while let Some((before, after)) = rest.split_once("${") {
            text.push_str(before);
            match parse_var(after) {
                Some((part, remaining)) => {
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(part);
                    rest = remaining;
                }
                None => {
                    text.push_str("${");
                    rest = after;
                }
            }
        }
        text.push_str(rest);
        if !text.is_empty() || parts.is_empty() {
            parts.push(Part::Text(text));
        }
        Template { parts }
    }

    /// The parts.
    pub fn parts(&self) -> &[Part] {
        &self.parts
    }

    /// True if any variable must be looked up.
    pub fn has_variables(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::Var { .. }))
    }

    /// The keys this template reads.
    pub fn variable_keys(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var { key, .. } => Some(key.as_str()),
            _ => None,
        })
    }

    /// The lower-cased keys this template reads.
    pub fn variable_keys_lc(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var { key_lc, .. } => Some(key_lc.as_str()),
            _ => None,
        })
    }

    /// True if `${` remains in the text: written like a variable, read as literal (U14).
    pub fn has_literal_variable_syntax(&self) -> bool {
        self.parts
            .iter()
            .any(|p| matches!(p, Part::Text(t) if t.contains("${")))
    }

    /// The text if the template is a single plain piece.
    pub fn as_plain(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [Part::Text(t)] => Some(t),
            [] => Some(""),
            _ => None,
        }
    }

    /// Resolve to wildcard tokens: policy text keeps its wildcards, substituted values
    /// and fixed characters are literal (U15). `None` if a variable has no value and no default.
    pub fn resolve_tokens<F>(&self, mut lookup: F) -> Option<Vec<Token>>
    where
        F: FnMut(&str) -> Option<String>,
    {
        let mut out = Vec::with_capacity(self.parts.len());
        for p in &self.parts {
            match p {
                Part::Text(t) => out.extend(tokenize(t)),
                Part::Var {
                    key_lc, default, ..
                } => {
                    let v = lookup(key_lc).or_else(|| default.clone())?;
                    out.push(Token::Literal(v));
                }
                Part::Fixed(c) => out.push(Token::Literal(c.to_string())),
            }
        }
        Some(out)
    }

    /// Resolve into borrowed tokens without allocating strings. With `wildcards`, policy
    /// text keeps its `*`/`?` as wildcards; substituted values and fixed characters are
    /// literal. Returns false if a variable has no value and no default.
    pub fn resolve_refs<'a, F>(
        &'a self,
        out: &mut Vec<TokRef<'a>>,
        wildcards: bool,
        lookup: F,
    ) -> bool
    where
        F: FnMut(&str) -> Option<&'a str>,
    {
        self.resolve_refs_with(out, wildcards, false, lookup)
    }

    /// As [`Template::resolve_refs`]; with `value_wildcards`, `*`/`?` inside substituted
    /// values are wildcards too (the other reading of U15).
    pub fn resolve_refs_with<'a, F>(
        &'a self,
        out: &mut Vec<TokRef<'a>>,
        wildcards: bool,
        value_wildcards: bool,
        mut lookup: F,
    ) -> bool
    where
        F: FnMut(&str) -> Option<&'a str>,
    {
        for p in &self.parts {
            match p {
                Part::Text(t) if wildcards => tokenize_into(t, out),
                Part::Text(t) => out.push(TokRef::Lit(t)),
                Part::Var {
                    key_lc, default, ..
                } => match lookup(key_lc).or(default.as_deref()) {
                    Some(v) if value_wildcards => tokenize_into(v, out),
                    Some(v) => out.push(TokRef::Lit(v)),
                    None => return false,
                },
                Part::Fixed('*') => out.push(TokRef::Lit("*")),
                Part::Fixed('?') => out.push(TokRef::Lit("?")),
                Part::Fixed(_) => out.push(TokRef::Lit("$")),
            }
        }
        true
    }

    /// Resolve to a plain string (for operators without wildcards).
    pub fn resolve_string<F>(&self, mut lookup: F) -> Option<String>
    where
        F: FnMut(&str) -> Option<String>,
    {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Var {
                    key_lc, default, ..
                } => out.push_str(&lookup(key_lc).or_else(|| default.clone())?),
                Part::Fixed(c) => out.push(*c),
            }
        }
        Some(out)
    }
}

/// Parse after `${`: returns the part and the text after its closing `}`.
fn parse_var(s: &str) -> Option<(Part, &str)> {
    let (inner, remaining) = s.split_once('}')?;
    let part = match inner {
        "*" => Part::Fixed('*'),
        "?" => Part::Fixed('?'),
        "$" => Part::Fixed('$'),
        _ => {
            let (key, default) = match inner.split_once(',') {
                Some((key, rest)) => {
                    // Exactly `, 'default'` (U14); anything else is not a variable.
                    let d = rest.strip_prefix(" '")?.strip_suffix('\'')?;
                    if d.contains('\'') {
                        return None;
                    }
                    (key, Some(d.to_string()))
                }
                None => (inner, None),
            };
            if key.is_empty() || !key.chars().all(valid_key_char) {
                return None;
            }
            Part::Var {
                key: key.to_string(),
                key_lc: key.to_ascii_lowercase(),
                default,
            }
        }
    };
    Some((part, remaining))
}

fn valid_key_char(c: char) -> bool {
    !c.is_whitespace() && !matches!(c, '{' | '}' | '$' | ',' | '\'' | '"' | '*' | '?')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn look(k: &str) -> Option<String> {
        (k == "aws:username").then(|| "alice".to_string())
    }

    #[test]
    fn substitutes_and_defaults() {
        let t = Template::parse("user/${aws:username}", true);
        assert_eq!(t.resolve_string(look).as_deref(), Some("user/alice"));
        let t = Template::parse("bucket-${aws:PrincipalTag/team, 'company-wide'}", true);
        assert_eq!(
            t.resolve_string(look).as_deref(),
            Some("bucket-company-wide")
        );
        let t = Template::parse("x/${aws:PrincipalTag/team}", true);
        assert_eq!(t.resolve_string(look), None);
    }

    #[test]
    fn legacy_version_is_literal() {
        let t = Template::parse("user/${aws:username}", false);
        assert_eq!(t.as_plain(), Some("user/${aws:username}"));
    }

    #[test]
    fn fixed_and_malformed() {
        let t = Template::parse("a${*}b", true);
        assert_eq!(t.resolve_string(look).as_deref(), Some("a*b"));
        assert_eq!(
            t.resolve_tokens(look),
            Some(vec![
                Token::Literal("a".into()),
                Token::Literal("*".into()),
                Token::Literal("b".into())
            ])
        );
        assert_eq!(Template::parse("a${b", true).as_plain(), Some("a${b"));
        assert_eq!(
            Template::parse("${k,'d'}", true).as_plain(),
            Some("${k,'d'}")
        );
    }
}
