//! Condition-key value types as the Service Authorization Reference spells them.

use std::fmt;

/// The type of a single value of a condition key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ValueType {
    /// Text; compared with the `String…` operators.
    String,
    /// A number; compared with the `Numeric…` operators.
    Numeric,
    /// A date and time; compared with the `Date…` operators.
    Date,
    /// `true` or `false`; compared with `Bool`.
    Bool,
    /// An IPv4 or IPv6 address; compared with `IpAddress` / `NotIpAddress`.
    IpAddress,
    /// An ARN; compared with the `Arn…` operators (or the `String…` ones).
    Arn,
    /// Base64 bytes; compared with `BinaryEquals`.
    Binary,
}

impl ValueType {
    /// The upstream spelling: `String`, `Numeric`, `Date`, `Bool`, `IPAddress`, `ARN`, `Binary`.
    pub fn as_str(self) -> &'static str {
        match self {
            ValueType::String => "String",
            ValueType::Numeric => "Numeric",
            ValueType::Date => "Date",
            ValueType::Bool => "Bool",
            ValueType::IpAddress => "IPAddress",
            ValueType::Arn => "ARN",
            ValueType::Binary => "Binary",
        }
    }

    fn parse(text: &str) -> Option<ValueType> {
        Some(match text {
            "String" => ValueType::String,
            "Numeric" => ValueType::Numeric,
            "Date" => ValueType::Date,
            "Bool" | "Boolean" => ValueType::Bool,
            "IPAddress" | "IpAddress" => ValueType::IpAddress,
            "ARN" | "Arn" => ValueType::Arn,
            "Binary" => ValueType::Binary,
            _ => return None,
        })
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The declared type of a condition key: one value, or a set of values
/// (`ArrayOf…`, a *multivalued* key that needs `ForAnyValue` / `ForAllValues`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyType {
    /// The request context holds at most one value.
    Single(ValueType),
    /// The request context holds a set of values (`ArrayOfString`, `ArrayOfARN`, …).
    ArrayOf(ValueType),
}

impl KeyType {
    /// Single-valued `String`, the most common type.
    pub const STRING: KeyType = KeyType::Single(ValueType::String);

    /// Parses the upstream spelling (`String`, `ArrayOfARN`, `IPAddress`, …).
    pub fn parse(text: &str) -> Option<KeyType> {
        match text.strip_prefix("ArrayOf") {
            Some(inner) => ValueType::parse(inner).map(KeyType::ArrayOf),
            None => ValueType::parse(text).map(KeyType::Single),
        }
    }

    /// True for `ArrayOf…` keys.
    pub fn is_multivalued(self) -> bool {
        matches!(self, KeyType::ArrayOf(_))
    }

    /// The type of each value.
    pub fn value_type(self) -> ValueType {
        match self {
            KeyType::Single(inner) | KeyType::ArrayOf(inner) => inner,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyType::Single(inner) => f.write_str(inner.as_str()),
            KeyType::ArrayOf(inner) => write!(f, "ArrayOf{}", inner.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        for text in [
            "String",
            "ArrayOfString",
            "ARN",
            "ArrayOfARN",
            "Bool",
            "ArrayOfBool",
            "Numeric",
            "Date",
            "IPAddress",
            "Binary",
        ] {
            let parsed = KeyType::parse(text).expect("known type");
            assert_eq!(parsed.to_string(), text);
            assert_eq!(parsed.is_multivalued(), text.starts_with("ArrayOf"));
        }
        assert_eq!(KeyType::parse("Mystery"), None);
        assert_eq!(KeyType::parse("ArrayOf"), None);
    }
}
