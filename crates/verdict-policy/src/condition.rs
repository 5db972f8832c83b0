//! Condition operators and typed condition values (iam-semantics §2.4, §4).

use crate::source::Span;
use crate::template::Template;
use rust_decimal::Decimal;
use std::str::FromStr;

/// The family of an operator, which fixes how values are typed and compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum Family {
    String,
    Numeric,
    Date,
    Bool,
    Binary,
    Ip,
    Arn,
    Null,
}

macro_rules! base_ops {
    ($( $v:ident => $name:literal, $fam:ident, $neg:literal; )*) => {
        /// A base condition operator (without set prefix or `IfExists`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum BaseOp { $($v,)* }

        impl BaseOp {
            /// Every base operator.
            pub const ALL: &'static [BaseOp] = &[$(BaseOp::$v,)*];

            /// AWS's spelling.
            pub fn name(self) -> &'static str {
                match self { $(BaseOp::$v => $name,)* }
            }

            /// The operator's family.
            pub fn family(self) -> Family {
                match self { $(BaseOp::$v => Family::$fam,)* }
            }

            /// True for the negated operators (`…Not…`, `NotIpAddress`), which are NOR over values.
            pub fn is_negated(self) -> bool {
                match self { $(BaseOp::$v => $neg,)* }
            }
        }
    };
}

base_ops! {
    StringEquals => "StringEquals", String, false;
    StringNotEquals => "StringNotEquals", String, true;
    StringEqualsIgnoreCase => "StringEqualsIgnoreCase", String, false;
    StringNotEqualsIgnoreCase => "StringNotEqualsIgnoreCase", String, true;
    StringLike => "StringLike", String, false;
    StringNotLike => "StringNotLike", String, true;
    NumericEquals => "NumericEquals", Numeric, false;
    NumericNotEquals => "NumericNotEquals", Numeric, true;
    NumericLessThan => "NumericLessThan", Numeric, false;
    NumericLessThanEquals => "NumericLessThanEquals", Numeric, false;
    NumericGreaterThan => "NumericGreaterThan", Numeric, false;
    NumericGreaterThanEquals => "NumericGreaterThanEquals", Numeric, false;
    DateEquals => "DateEquals", Date, false;
    DateNotEquals => "DateNotEquals", Date, true;
    DateLessThan => "DateLessThan", Date, false;
    DateLessThanEquals => "DateLessThanEquals", Date, false;
    DateGreaterThan => "DateGreaterThan", Date, false;
    DateGreaterThanEquals => "DateGreaterThanEquals", Date, false;
    Bool => "Bool", Bool, false;
    BinaryEquals => "BinaryEquals", Binary, false;
    IpAddress => "IpAddress", Ip, false;
    NotIpAddress => "NotIpAddress", Ip, true;
    ArnEquals => "ArnEquals", Arn, false;
    ArnLike => "ArnLike", Arn, false;
    ArnNotEquals => "ArnNotEquals", Arn, true;
    ArnNotLike => "ArnNotLike", Arn, true;
    Null => "Null", Null, false;
}

/// `ForAllValues:` or `ForAnyValue:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SetOp {
    /// Every request value must satisfy the operator (true on an absent or empty key).
    ForAllValues,
    /// At least one request value must satisfy it (false on an absent or empty key).
    ForAnyValue,
}

impl SetOp {
    /// AWS's spelling, without the colon.
    pub fn name(self) -> &'static str {
        match self {
            SetOp::ForAllValues => "ForAllValues",
            SetOp::ForAnyValue => "ForAnyValue",
        }
    }
}

/// A full operator: `[ForAllValues:|ForAnyValue:]Base[IfExists]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    /// The base operator.
    pub base: BaseOp,
    /// The set prefix, if any.
    pub set: Option<SetOp>,
    /// True with the `IfExists` suffix.
    pub if_exists: bool,
    /// True when the name was written in a different letter case than AWS's (U16).
    pub case_differs: bool,
}

impl Operator {
    /// The canonical name, e.g. `ForAnyValue:StringLikeIfExists`.
    pub fn canonical_name(&self) -> String {
        let mut s = String::new();
        if let Some(set) = self.set {
            s.push_str(set.name());
            s.push(':');
        }
        s.push_str(self.base.name());
        if self.if_exists {
            s.push_str("IfExists");
        }
        s
    }

    /// Every valid operator name (for suggestions).
    pub fn all_names() -> Vec<String> {
        let mut v = Vec::new();
        for b in BaseOp::ALL {
            v.push(b.name().to_string());
            if *b != BaseOp::Null {
                v.push(format!("{}IfExists", b.name()));
            }
            for set in ["ForAllValues:", "ForAnyValue:"] {
                v.push(format!("{set}{}", b.name()));
            }
        }
        v
    }
}

/// Why an operator name was rejected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperatorError {
    /// Not a known operator; carries the nearest valid name.
    Unknown(Option<String>),
    /// `NullIfExists` (T86).
    IfExistsOnNull,
}

/// Parse an operator name (case-insensitively, recording a case difference).
pub fn parse_operator(name: &str) -> Result<Operator, OperatorError> {
    let lower = name.to_ascii_lowercase();
    let (set, rest) = if let Some(r) = lower.strip_prefix("forallvalues:") {
        (Some(SetOp::ForAllValues), r)
    } else if let Some(r) = lower.strip_prefix("foranyvalue:") {
        (Some(SetOp::ForAnyValue), r)
    } else {
        (None, lower.as_str())
    };
    let find = |s: &str| {
        BaseOp::ALL
            .iter()
            .copied()
            .find(|b| b.name().eq_ignore_ascii_case(s))
    };
    let (base, if_exists) = match find(rest) {
        Some(b) => (b, false),
        None => match rest.strip_suffix("ifexists").and_then(find) {
            Some(b) => (b, true),
            None => {
                let names = Operator::all_names();
                let hint = crate::diag::did_you_mean(name, names.iter().map(String::as_str))
                    .map(str::to_string);
                return Err(OperatorError::Unknown(hint));
            }
        },
    };
    if base == BaseOp::Null && if_exists {
        return Err(OperatorError::IfExistsOnNull);
    }
    let op = Operator {
        base,
        set,
        if_exists,
        case_differs: false,
    };
    let case_differs = op.canonical_name() != name;
    Ok(Operator { case_differs, ..op })
}

/// A Bool condition value: a literal or a templated string resolved at evaluation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BoolValue {
    /// `true`/`false` (any letter case, U10).
    Literal(bool),
    /// Contains a policy variable.
    Template(Template),
}

/// A string or ARN condition value, with its wildcard pattern precompiled when it has no variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextValue {
    /// The value as a template.
    pub template: Template,
    /// The `…Like` pattern when the value has no variables.
    pub glob: Option<crate::glob::Glob>,
    /// The six per-segment ARN patterns when the value has no variables.
    pub arn: Option<Box<[crate::glob::Glob]>>,
}

impl TextValue {
    /// Build from a template.
    pub fn new(template: Template) -> TextValue {
        if template.has_variables() {
            return TextValue {
                template,
                glob: None,
                arn: None,
            };
        }
        let tokens = template.resolve_tokens(|_| None);
        let glob = tokens.as_ref().map(|t| crate::glob::Glob::from_tokens(t));
        let arn = tokens.as_deref().and_then(crate::arn::arn_segments);
        TextValue {
            template,
            glob,
            arn,
        }
    }

    /// ArnLike/ArnEquals against `value` (§4.4.7); `None` if `value` is not an ARN.
    pub fn arn_like(
        &self,
        value: &str,
        lookup: impl FnMut(&str) -> Option<String>,
    ) -> Option<bool> {
        if let Some(segs) = &self.arn {
            let v = crate::arn::Arn::parse(value)?;
            let vals = [
                "arn",
                v.partition,
                v.service,
                v.region,
                v.account,
                v.resource,
            ];
            return Some(segs.iter().zip(vals).all(|(g, s)| g.matches(s)));
        }
        match self.template.resolve_tokens(lookup) {
            Some(tokens) => crate::arn::arn_like(&tokens, value),
            None => crate::arn::Arn::parse(value).map(|_| false),
        }
    }
}

/// A typed condition value from a policy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CondValue {
    /// String and ARN operators (variables allowed).
    Text(TextValue),
    /// Numeric operators.
    Number(Decimal),
    /// Date operators, as nanoseconds since the epoch.
    Date(i128),
    /// Bool.
    Bool(BoolValue),
    /// BinaryEquals: decoded bytes.
    Binary(Vec<u8>),
    /// IpAddress / NotIpAddress.
    Ip(ipnet::IpNet),
    /// Null: `true` = "key must be absent".
    Null(bool),
}

/// One `operator → key → values` triple of a Condition block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    /// The operator.
    pub op: Operator,
    /// The operator as written.
    pub op_name: String,
    /// Span of the operator name.
    pub op_span: Span,
    /// The key as written.
    pub key: String,
    /// The key lower-cased for lookup (§4.6).
    pub key_lc: String,
    /// Span of the key.
    pub key_span: Span,
    /// The policy values, typed.
    pub values: Vec<CondValue>,
    /// The policy values as written (for explanations).
    pub raw_values: Vec<String>,
}

/// Parse a strict decimal `-?[0-9]+(\.[0-9]+)?` (U8).
pub fn parse_number(s: &str) -> Option<Decimal> {
    let t = s.strip_prefix('-').unwrap_or(s);
    let (int, frac) = match t.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (t, None),
    };
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || frac.is_some_and(|f| !digits(f)) {
        return None;
    }
    Decimal::from_str(s).ok()
}

/// Parse a W3C-profile ISO 8601 date or integer epoch seconds (U9) to epoch nanoseconds.
pub fn parse_date(s: &str) -> Option<i128> {
    // All digits: epoch seconds, except a bare four-digit year (W3C `YYYY`).
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && s.len() <= 12 && s.len() != 4 {
        return s.parse::<i128>().ok().map(|secs| secs * 1_000_000_000);
    }
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let year = num(0..4)? as i32;
    let (mut month, mut day) = (1u32, 1u32);
    let (mut h, mut mi, mut sec, mut nanos) = (0u32, 0u32, 0u32, 0u32);
    let mut offset_secs: i64 = 0;
    let mut i = 4;
    if let Some(&c) = b.get(i) {
        if c != b'-' {
            return None;
        }
        month = num(5..7)?;
        i = 7;
        if let Some(&c) = b.get(i) {
            if c != b'-' {
                return None;
            }
            day = num(8..10)?;
            i = 10;
            if let Some(&c) = b.get(i) {
                if c != b'T' && c != b't' {
                    return None;
                }
                h = num(11..13)?;
                if b.get(13) != Some(&b':') {
                    return None;
                }
                mi = num(14..16)?;
                i = 16;
                if b.get(i) == Some(&b':') {
                    sec = num(17..19)?;
                    i = 19;
                    if b.get(i) == Some(&b'.') {
                        let start = i + 1;
                        let mut end = start;
                        while b.get(end).is_some_and(u8::is_ascii_digit) {
                            end += 1;
                        }
                        if end == start {
                            return None;
                        }
                        // ASCII digits only, so every offset is a character boundary.
                        let frac = s.get(start..end.min(start + 9))?;
                        nanos = frac.parse::<u32>().ok()? * 10u32.pow(9 - frac.len() as u32);
                        i = end;
                    }
                }
                // Time zone designator is required with a time.
                match b.get(i) {
                    Some(b'Z') | Some(b'z') if i + 1 == b.len() => {}
                    Some(sign @ (b'+' | b'-'))
                        if b.len() == i + 6 && b.get(i + 3) == Some(&b':') =>
                    {
                        let oh = num(i + 1..i + 3)? as i64;
                        let om = num(i + 4..i + 6)? as i64;
                        if oh > 23 || om > 59 {
                            return None;
                        }
                        offset_secs = (oh * 3600 + om * 60) * if *sign == b'+' { 1 } else { -1 };
                    }
                    _ => return None,
                }
            }
        }
    }
    let date = chrono::NaiveDate::from_ymd_opt(year, month, day)?;
    let time = chrono::NaiveTime::from_hms_nano_opt(h, mi, sec, nanos)?;
    let secs = date.and_time(time).and_utc().timestamp() - offset_secs;
    Some(secs as i128 * 1_000_000_000 + nanos as i128)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operators() {
        let o = parse_operator("ForAnyValue:StringLikeIfExists").unwrap();
        assert_eq!(o.base, BaseOp::StringLike);
        assert!(o.if_exists && o.set == Some(SetOp::ForAnyValue) && !o.case_differs);
        assert!(parse_operator("stringequals").unwrap().case_differs);
        assert_eq!(
            parse_operator("NullIfExists"),
            Err(OperatorError::IfExistsOnNull)
        );
        assert_eq!(
            parse_operator("StringEqual"),
            Err(OperatorError::Unknown(Some("StringEquals".into())))
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("10"), parse_number("10.0"));
        assert!(parse_number("1e3").is_none());
        assert!(parse_number("+1").is_none());
        assert!(parse_number("").is_none());
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("1577836800"), parse_date("2020-01-01T00:00:00Z"));
        assert_eq!(parse_date("2020"), parse_date("2020-01-01"));
        assert_eq!(
            parse_date("2020-01-01T01:00+01:00"),
            parse_date("2020-01-01T00:00:00Z")
        );
        assert!(
            parse_date("2020-01-01T00:00:00.5Z").unwrap()
                > parse_date("2020-01-01T00:00:00Z").unwrap()
        );
        assert!(parse_date("2020-*").is_none());
        assert!(parse_date("2020-13-01").is_none());
        assert!(parse_date("2020-01-01T00:00").is_none());
    }
}
