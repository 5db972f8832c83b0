//! `E3xx` condition errors and the condition-level warnings and suggestions.

use super::{placeholder, Ctx};
use crate::rule::{Rule, Severity};
use verdict_catalog::{KeyType, ValueType};
use verdict_policy::condition::{BaseOp, CondValue, Condition, Family, SetOp};
use verdict_policy::{Effect, Span};

/// `E301`
pub const UNKNOWN_OPERATOR: Rule = Rule {
    code: "E301",
    name: "unknown-operator",
    severity: Severity::Error,
    summary: "A condition operator name is not valid",
    docs: r#"**What it flags.** An operator that is not
`[ForAllValues:|ForAnyValue:]BaseOperator[IfExists]` with one of the documented base
operators (`StringEquals`, `ArnLike`, `NumericLessThan`, `DateGreaterThan`, `Bool`,
`IpAddress`, `Null`, …).

**Why it matters.** IAM rejects the policy.

**Example.**
```json
{"Condition": {"StringEqual": {"aws:PrincipalTag/team": "blue"}}}
```

**Fix.** Use the suggested operator."#,
    access_analyzer: &["INVALID_CONDITION_OPERATOR"],
    security_severity: None,
    tags: &["condition"],
};

/// `E302`
pub const IF_EXISTS_ON_NULL: Rule = Rule {
    code: "E302",
    name: "if-exists-on-null",
    severity: Severity::Error,
    summary: "The Null operator is combined with IfExists",
    docs: r#"**What it flags.** `NullIfExists`.

**Why it matters.** `Null` already tests whether the key exists; IAM does not accept the
`IfExists` suffix on it.

**Example.**
```json
{"Condition": {"NullIfExists": {"aws:TokenIssueTime": "true"}}}
```

**Fix.** Use `Null`."#,
    access_analyzer: &["NULL_WITH_IF_EXISTS"],
    security_severity: None,
    tags: &["condition"],
};

/// `W114`
pub const INVALID_DATE: Rule = Rule {
    code: "W114",
    name: "invalid-date",
    severity: Severity::Warning,
    summary: "A Date operator's value is not a valid date",
    docs: r#"**What it flags.** A value of a `Date…` operator that is neither a W3C ISO 8601
date (`2025-01-31`, `2025-01-31T12:00:00Z`, with a time zone when a time is given) nor
epoch seconds. Wildcards and policy variables are not allowed there.

**Why it matters.** IAM rejects the value or compares it in a way the author did not
intend; the condition never matches.

**Example.**
```json
{"Condition": {"DateLessThan": {"aws:CurrentTime": "31/12/2025"}}}
```

**Fix.** Write `2025-12-31T23:59:59Z`.

**Class.** Warning, Access Analyzer's class (`TYPE_MISMATCH_DATE`): IAM saves the policy and the condition never matches. It was `E303` before; that code still selects it. `verdict simulate` refuses such a policy, since iam-semantics §4.4 makes an unparsable policy value an input error there."#,
    access_analyzer: &["TYPE_MISMATCH_DATE", "INVALID_DATE_VALUE"],
    security_severity: None,
    tags: &["condition"],
};

/// `W115`
pub const INVALID_NUMBER: Rule = Rule {
    code: "W115",
    name: "invalid-number",
    severity: Severity::Warning,
    summary: "A Numeric operator's value is not a number",
    docs: r#"**What it flags.** A value of a `Numeric…` operator that is not a decimal number
(`10`, `2.5`, `-1`). Exponents, `+` signs, wildcards and variables are not accepted.

**Why it matters.** The condition cannot match a request.

**Example.**
```json
{"Condition": {"NumericLessThan": {"s3:max-keys": "ten"}}}
```

**Fix.** Write the number.

**Class.** Warning, Access Analyzer's class (`TYPE_MISMATCH_NUMBER`): IAM saves the policy and the condition never matches. It was `E304` before; that code still selects it. `verdict simulate` refuses such a policy (iam-semantics §4.4.2)."#,
    access_analyzer: &["TYPE_MISMATCH_NUMBER"],
    security_severity: None,
    tags: &["condition"],
};

/// `E305`
pub const INVALID_IP_ADDRESS: Rule = Rule {
    code: "E305",
    name: "invalid-ip-address",
    severity: Severity::Error,
    summary: "An IpAddress/NotIpAddress value is not an IP address or CIDR block",
    docs: r#"**What it flags.** A value of `IpAddress` or `NotIpAddress` that is not an IPv4 or
IPv6 address or CIDR block (`203.0.113.0/24`, `2001:db8::/32`): a prefix length out of
range, a host name, a range written with a dash, a wildcard.

**Why it matters.** The value can never match, so an allow-list blocks everyone or a
deny-list blocks nothing.

**Example.**
```json
{"Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/33"}}}
```

**Fix.** Write a valid CIDR block."#,
    access_analyzer: &["TYPE_MISMATCH_IP_RANGE"],
    security_severity: None,
    tags: &["condition"],
};

/// `W116`
pub const INVALID_CONDITION_VALUE: Rule = Rule {
    code: "W116",
    name: "invalid-condition-value",
    severity: Severity::Warning,
    summary: "A Bool, Null or BinaryEquals value is not valid",
    docs: r#"**What it flags.** A `Bool` value other than `true`/`false`, a `Null` value other
than `true`/`false`, or a `BinaryEquals` value that is not base64.

**Why it matters.** The condition never matches.

**Example.**
```json
{"Condition": {"Bool": {"aws:SecureTransport": "yes"}}}
```

**Fix.** Use `"true"` or `"false"` (base64 for `BinaryEquals`).

**Class.** Warning, Access Analyzer's class (`TYPE_MISMATCH_BOOLEAN`, `TYPE_MISMATCH_STRING`): IAM saves the policy. It was `E306` before; that code still selects it. `verdict simulate` refuses such a policy (iam-semantics §4.4)."#,
    access_analyzer: &["TYPE_MISMATCH_BOOLEAN", "TYPE_MISMATCH_STRING"],
    security_severity: None,
    tags: &["condition"],
};

/// `N112`
pub const EMPTY_CONDITION_VALUES: Rule = Rule {
    code: "N112",
    name: "empty-condition-values",
    severity: Severity::Suggestion,
    summary: "A condition key has an empty list of values",
    docs: r#"**What it flags.** `"aws:SourceVpc": []` and the like.

**Why it matters.** With no values a positive operator never matches and a negated one
always does (with `ForAllValues` or `IfExists` it matches only when the key is absent);
this is almost never intended.

**Example.**
```json
{"Condition": {"StringEquals": {"aws:SourceVpc": []}}}
```

**Fix.** List the values, or remove the key.

**Class.** Suggestion, Access Analyzer's class (`EMPTY_ARRAY_CONDITION…`). It was `E307` before; that code still selects it."#,
    access_analyzer: &[
        "EMPTY_ARRAY_CONDITION",
        "EMPTY_ARRAY_CONDITION_FORALLVALUES",
        "EMPTY_ARRAY_CONDITION_FORANYVALUE",
        "EMPTY_ARRAY_CONDITION_IFEXISTS",
    ],
    security_severity: None,
    tags: &["condition"],
};

/// `W117`
pub const OPERATOR_TYPE_MISMATCH: Rule = Rule {
    code: "W117",
    name: "operator-type-mismatch",
    severity: Severity::Warning,
    summary: "The operator's type does not fit the condition key's type",
    docs: r#"**What it flags.** An operator family that cannot compare values of the key's
declared type, using the types of the Service Authorization Reference and of the
global keys: `StringEquals` on an IP-address key such as `aws:SourceIp`, `IpAddress`
on a string key, `NumericLessThan` on a date key, `Bool` on a string key, `ArnLike` on a number.
`String…` operators on ARN and Bool keys, `Arn…` operators on string keys that hold
ARNs, and `Numeric…` operators on `aws:EpochTime` are accepted; `Null` fits every key.

**Why it matters.** The comparison cannot work: an IP key compared as a string never
matches a CIDR block, a date compared as a number never matches.

**Example.**
```json
{"Condition": {"StringLike": {"aws:SourceIp": "203.0.113.*"}}}
```

**Fix.** Use the operator family of the key's type — here
`{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}`.

**Class.** Warning, Access Analyzer's class (`TYPE_MISMATCH`): IAM saves the policy. It was `E308` before; that code still selects it."#,
    access_analyzer: &["TYPE_MISMATCH"],
    security_severity: None,
    tags: &["condition", "catalog"],
};

/// `E309`
pub const SINGLE_VALUED_OPERATOR_ON_MULTIVALUED_KEY: Rule = Rule {
    code: "E309",
    name: "single-valued-operator-on-multivalued-key",
    severity: Severity::Error,
    summary: "A multivalued key is used without ForAnyValue/ForAllValues",
    docs: r#"**What it flags.** A plain operator (`StringEquals`, `StringLike`, …) on a key that
carries a set of values in the request (an `ArrayOf…` key such as `aws:TagKeys`,
`aws:CalledVia`, `aws:PrincipalOrgPaths`).

**Why it matters.** AWS documents that multivalued keys need a set operator; how a plain
operator treats a request with several values is not documented, and in practice the
condition does not match. The statement then applies less (Allow) or more (Deny with a
negated operator) than intended.

**Example.**
```json
{"Condition": {"StringEquals": {"aws:TagKeys": ["team", "env"]}}}
```

**Fix.** Say what you mean: `ForAllValues:StringEquals` (every tag key is in the list)
or `ForAnyValue:StringEquals` (at least one is).

**Class.** Error, Access Analyzer's class (`MISSING_QUALIFIER`): the condition compares a list as if it were one value, which is almost never what the author meant. It was `W103` before; that code still selects it."#,
    access_analyzer: &["MISSING_QUALIFIER"],
    security_severity: None,
    tags: &["condition", "catalog"],
};

/// `S110`
pub const FOR_ALL_VALUES_ON_SINGLE_VALUED_KEY: Rule = Rule {
    code: "S110",
    name: "for-all-values-on-single-valued-key",
    severity: Severity::SecurityWarning,
    summary: "ForAllValues is used with a single-valued key",
    docs: r#"**What it flags.** `ForAllValues:…` on a key that holds one value
(`aws:PrincipalOrgID`, `aws:RequestedRegion`, `s3:prefix`, …).

**Why it matters.** `ForAllValues` is true when the key is absent or empty. With a
single-valued key that makes an Allow apply to requests that do not carry the key at
all — usually wider than intended.

**Example.**
```json
{"Effect": "Allow", "Condition": {"ForAllValues:StringEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}
```

**Fix.** Drop the qualifier (`StringEquals`), or add `"Null": {"key": "false"}` if the
set semantics are really wanted.

**Class.** Security warning, Access Analyzer's class (`FORALLVALUES_WITH_SINGLE_VALUED_KEY`): in an Allow it also allows requests that lack the key. It was `W104` before; that code still selects it."#,
    access_analyzer: &["FORALLVALUES_WITH_SINGLE_VALUED_KEY"],
    security_severity: Some("5.0"),
    tags: &["condition", "catalog"],
};

/// `W108`
pub const MFA_BOOL_WITHOUT_IF_EXISTS: Rule = Rule {
    code: "W108",
    name: "mfa-bool-without-if-exists",
    severity: Severity::Warning,
    summary: "Bool on aws:MultiFactorAuthPresent does not cover long-term access keys",
    docs: r#"**What it flags.** A Deny with `"Bool": {"aws:MultiFactorAuthPresent": "false"}`,
and an Allow with `"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}`.

**Why it matters.** The key is absent for requests signed with long-term access keys.
`Bool` is false on an absent key, so the Deny does not stop access-key calls without
MFA; `BoolIfExists` is true on an absent key, so the Allow lets them through.

**Example.**
```json
{"Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
 "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
```

**Fix.** In the Deny use `"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}`; in
the Allow use `"Bool": {"aws:MultiFactorAuthPresent": "true"}`."#,
    access_analyzer: &[],
    security_severity: None,
    tags: &["condition", "mfa"],
};

/// `W109`
pub const WILDCARD_WITHOUT_LIKE_OPERATOR: Rule = Rule {
    code: "W109",
    name: "wildcard-without-like-operator",
    severity: Severity::Warning,
    summary: "A * or ? in a StringEquals value is matched literally",
    docs: r#"**What it flags.** `*` or `?` in a value of `StringEquals`, `StringNotEquals` or
their `IgnoreCase` forms.

**Why it matters.** Only the `…Like` operators treat `*` and `?` as wildcards; with
`StringEquals` the value must contain a literal asterisk to match.

**Example.**
```json
{"Condition": {"StringEquals": {"aws:PrincipalTag/team": "data-*"}}}
```

**Fix.** Use `StringLike` (or `StringNotLike`)."#,
    access_analyzer: &["WILDCARD_WITHOUT_LIKE_OPERATOR"],
    security_severity: None,
    tags: &["condition"],
};

/// `E313`
pub const PRIVATE_IP_IN_SOURCE_IP: Rule = Rule {
    code: "E313",
    name: "private-ip-in-source-ip",
    severity: Severity::Error,
    summary: "aws:SourceIp is compared only with private address ranges",
    docs: r#"**What it flags.** `IpAddress`/`NotIpAddress` on `aws:SourceIp` whose values are
all private, loopback or link-local ranges (`10.0.0.0/8`, `172.16.0.0/12`,
`192.168.0.0/16`, `fc00::/7`, …).

**Why it matters.** `aws:SourceIp` holds the public address of the caller; requests
through a VPC endpoint carry no `aws:SourceIp` at all. An allow-list of private ranges
never matches and a deny-list of them has no effect.

**Example.**
```json
{"Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}
```

**Fix.** For traffic through VPC endpoints use `aws:VpcSourceIp` (with `aws:SourceVpc`
or `aws:SourceVpce`); for internet traffic list public ranges.

**Class.** Error, Access Analyzer's class (`PRIVATE_IP_ADDRESS`, `PRIVATE_NOT_IP_ADDRESS`): the condition cannot do what it says. It was `W110` before; that code still selects it. A list that mixes private and public ranges is `N118`."#,
    access_analyzer: &["PRIVATE_IP_ADDRESS", "PRIVATE_NOT_IP_ADDRESS"],
    security_severity: None,
    tags: &["condition", "network"],
};

/// `N108`
pub const OPERATOR_NAME_CASE: Rule = Rule {
    code: "N108",
    name: "operator-name-case",
    severity: Severity::Suggestion,
    summary: "A condition operator is written in unusual letter case",
    docs: r#"**What it flags.** An operator such as `stringequals` or `StringEQUALS`.

**Why it matters.** Operator names are documented in one spelling; whether other
spellings are accepted everywhere is not documented, and readers and tools may not
recognise them.

**Example.**
```json
{"Condition": {"stringequals": {"aws:PrincipalTag/team": "blue"}}}
```

**Fix.** Write the documented spelling (`StringEquals`)."#,
    access_analyzer: &[],
    security_severity: None,
    tags: &["condition", "style"],
};

/// `N109`
pub const IMPROVABLE_IP_RANGE: Rule = Rule {
    code: "N109",
    name: "improvable-ip-range",
    severity: Severity::Suggestion,
    summary: "A CIDR block has host bits set",
    docs: r#"**What it flags.** A CIDR block such as `203.0.113.17/24`, whose address has bits
set beyond the prefix length.

**Why it matters.** The block means `203.0.113.0/24`; writing it that way avoids the
impression that only one host is allowed.

**Example.**
```json
{"Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.17/24"}}}
```

**Fix.** Write the network address (`203.0.113.0/24`) or a `/32` host."#,
    access_analyzer: &["IMPROVE_IP_RANGE"],
    security_severity: None,
    tags: &["condition", "network"],
};

/// `N110`
pub const NULL_WITH_QUALIFIER: Rule = Rule {
    code: "N110",
    name: "null-with-qualifier",
    severity: Severity::Suggestion,
    summary: "The Null operator is combined with ForAllValues/ForAnyValue",
    docs: r#"**What it flags.** `ForAllValues:Null` or `ForAnyValue:Null`.

**Why it matters.** `Null` tests the presence of the key, not its values; a set
qualifier adds nothing and makes the result hard to predict.

**Example.**
```json
{"Condition": {"ForAnyValue:Null": {"aws:TagKeys": "false"}}}
```

**Fix.** Use `Null` alone."#,
    access_analyzer: &["NULL_WITH_QUALIFIER"],
    security_severity: None,
    tags: &["condition"],
};

/// `E315`
pub const DUPLICATE_KEY_CASE: Rule = Rule {
    code: "E315",
    name: "duplicate-key-case",
    severity: Severity::Error,
    summary: "A condition operator lists the same key twice, differing only in case",
    docs: r#"**What it flags.** Two keys in one operator block that are equal ignoring case:
`"aws:SourceVpce"` and `"aws:sourcevpce"`.

**Why it matters.** Condition key names are case-insensitive, so the two entries name one
key: IAM keeps one of them and the other's values are lost, or both are required at
once, depending on how the document is read. Either way the policy does not say what it
seems to.

**Example.**
```json
{"StringNotEquals": {"aws:SourceVpce": "vpce-0a1b2c3d", "aws:sourcevpce": "vpce-0f1e2d3c"}}
```

**Fix.** Merge the values into one key: `"aws:SourceVpce": ["vpce-0a1b2c3d", "vpce-0f1e2d3c"]`."#,
    access_analyzer: &["DUPLICATE_KEYS_WITH_DIFFERENT_CASE"],
    security_severity: None,
    tags: &["condition"],
};

/// `E316`
pub const VARIABLE_IN_TYPED_OPERATOR: Rule = Rule {
    code: "E316",
    name: "variable-in-typed-operator",
    severity: Severity::Error,
    summary: "A policy variable is used with a Numeric, Date, Bool, IP or Binary operator",
    docs: r#"**What it flags.** `${…}` in the value of a `Numeric…`, `Date…`, `Bool`,
`IpAddress`/`NotIpAddress` or `BinaryEquals` condition.

**Why it matters.** Policy variables are substituted only in String and ARN operators;
elsewhere `${aws:PrincipalTag/max}` is literal text that never parses as a number or
date, so the condition never matches.

**Example.**
```json
{"NumericLessThanEquals": {"s3:max-keys": "${aws:PrincipalTag/max-keys}"}}
```

**Fix.** Use a literal value, or compare with a String operator if text comparison is
enough."#,
    access_analyzer: &["INVALID_VARIABLE_FOR_OPERATOR"],
    security_severity: None,
    tags: &["condition", "variables"],
};

/// `E315`
pub(crate) fn check_duplicate_key_case(ctx: &mut Ctx<'_>) {
    use verdict_policy::json::JsonKind;
    let mut found = Vec::new();
    for st in super::statement_nodes(ctx.tree) {
        let Some(JsonKind::Object(ops)) = st.get("Condition").map(|c| &c.kind) else {
            continue;
        };
        for op in ops {
            let JsonKind::Object(keys) = &op.value.kind else {
                continue;
            };
            for (i, k) in keys.iter().enumerate() {
                if let Some(first) = keys
                    .iter()
                    .take(i)
                    .find(|o| o.key.eq_ignore_ascii_case(&k.key) && o.key != k.key)
                {
                    found.push((
                        k.key_span,
                        format!(
                            "\"{}\" and \"{}\" in \"{}\" are one key (key names ignore case)",
                            first.key, k.key, op.key
                        ),
                    ));
                }
            }
        }
    }
    for (span, msg) in found {
        ctx.report(
            &DUPLICATE_KEY_CASE,
            span,
            msg,
            Some("merge their values under one key".into()),
        );
    }
}

/// `E310`
pub const INVALID_VALUE_FORMAT: Rule = Rule {
    code: "E310",
    name: "invalid-value-format",
    severity: Severity::Error,
    summary: "A condition value is not in the format its key always has",
    docs: r#"**What it flags.** A value that the key can never hold: a VPC ID for
`aws:SourceVpc` that is not `vpc-` and 8 or 17 hexadecimal digits (a VPC name, a
truncated ID), an endpoint ID for `aws:SourceVpce` that is not `vpce-…`, a
`kms:ViaService` value that is not `SERVICE.REGION.amazonaws.com` in lower case, an
`aws:CalledVia…` value that is not a lower-case `….amazonaws.com` service principal, or a
Region for `aws:RequestedRegion`, `ec2:Region` and the other Region keys that is not an
AWS Region. Values with wildcards or policy variables are left alone.

**Why it matters.** The value never matches, so a grant grants nothing and a Deny
exempts nothing (or denies everything, with a negated operator).

**Example.**
```json
{"Condition": {"StringEquals": {"aws:SourceVpc": "prod-vpc"}}}
```

**Fix.** Use the ID (`vpc-0c9d8e7f6a5b4c3d2`), the service principal
(`s3.eu-west-3.amazonaws.com`) or the Region code (`eu-west-3`)."#,
    access_analyzer: &[
        "INVALID_VPC_FORMAT",
        "INVALID_VPCE_FORMAT",
        "INVALID_SERVICE_PRINCIPAL_FORMAT",
        "INVALID_REGION",
    ],
    security_severity: None,
    tags: &["condition"],
};

/// `E311`
pub const MULTIPLE_BOOLEAN_VALUES: Rule = Rule {
    code: "E311",
    name: "multiple-boolean-values",
    severity: Severity::Error,
    summary: "A Boolean condition key is given more than one value",
    docs: r#"**What it flags.** `Bool` (or a Boolean key) with a list of values, such as
`"aws:SecureTransport": ["true", "false"]`.

**Why it matters.** The values are ORed, so the condition holds whatever the request
says: a Deny with it denies everything, an Allow allows regardless of the key.

**Example.**
```json
{"Condition": {"Bool": {"aws:SecureTransport": ["true", "false"]}}}
```

**Fix.** Keep the one value meant."#,
    access_analyzer: &["INVALID_CONDITION_MULTIPLE_BOOLEAN"],
    security_severity: None,
    tags: &["condition"],
};

/// `E312`
pub const MIXED_VALUE_TYPES: Rule = Rule {
    code: "E312",
    name: "mixed-value-types",
    severity: Severity::Error,
    summary: "The values of one condition key mix JSON types",
    docs: r#"**What it flags.** A value list that mixes JSON strings with numbers or
booleans: `["100", 200]`, `["3", true]`.

**Why it matters.** IAM compares the text of each value, so the mix is harmless to
evaluation, but it is almost always an editing slip (a template substituted one value
with the wrong type) and Access Analyzer rejects it as an error.

**Example.**
```json
{"Condition": {"NumericLessThanEquals": {"s3:max-keys": ["100", 200]}}}
```

**Fix.** Write every value as a string: `["100", "200"]`."#,
    access_analyzer: &["INVALID_CONDITION_DATA_TYPE"],
    security_severity: None,
    tags: &["condition"],
};

/// `S111`
pub const VPC_SOURCE_IP_WITHOUT_VPC: Rule = Rule {
    code: "S111",
    name: "vpc-source-ip-without-vpc",
    severity: Severity::SecurityWarning,
    summary: "aws:VpcSourceIp is tested without aws:SourceVpc or aws:SourceVpce",
    docs: r#"**What it flags.** A statement that tests `aws:VpcSourceIp` with no
`aws:SourceVpc` or `aws:SourceVpce` condition beside it.

**Why it matters.** `aws:VpcSourceIp` is the private address inside *some* VPC: the same
`10.0.0.0/16` exists in every VPC of every account. Without pinning the VPC or endpoint,
an allow by private range lets in any VPC that reuses it, and a deny by range is
bypassed the same way.

**Example.**
```json
{"Condition": {"NotIpAddress": {"aws:VpcSourceIp": "10.40.0.0/16"}}}
```

**Fix.** Add `"StringEquals": {"aws:SourceVpc": "vpc-…"}` (or `aws:SourceVpce`)."#,
    access_analyzer: &["MISSING_PAIRED_CONDITION_KEYS"],
    security_severity: Some("5.5"),
    tags: &["condition", "network"],
};

/// `N117`
pub const REDUNDANT_NUMERIC_BOUND: Rule = Rule {
    code: "N117",
    name: "redundant-numeric-bound",
    severity: Severity::Suggestion,
    summary: "A Numeric or Date comparison lists several bounds; only one matters",
    docs: r#"**What it flags.** `NumericLessThan`, `DateGreaterThan` and the other ordering
operators with several values.

**Why it matters.** The values are ORed, so only the loosest bound counts; the others
are noise that suggests a range was meant (a range needs two operators).

**Example.**
```json
{"Condition": {"NumericLessThan": {"aws:MultiFactorAuthAge": ["1800", "3600"]}}}
```

**Fix.** Keep the bound meant, or write the range with two operators."#,
    access_analyzer: &["REDUNDANT_CONDITION_VALUE_NUM"],
    security_severity: None,
    tags: &["condition"],
};

/// `N118`
pub const PRIVATE_IP_AMONG_PUBLIC: Rule = Rule {
    code: "N118",
    name: "private-ip-among-public",
    severity: Severity::Suggestion,
    summary: "aws:SourceIp lists private ranges beside public ones",
    docs: r#"**What it flags.** An `aws:SourceIp` list that mixes public ranges with
private ones (`10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16`, …).

**Why it matters.** `aws:SourceIp` holds the caller's public address; the private
entries never match and suggest that `aws:VpcSourceIp` was meant for them.

**Example.**
```json
{"Condition": {"IpAddress": {"aws:SourceIp": ["198.51.100.0/24", "10.12.0.0/16"]}}}
```

**Fix.** Remove the private ranges, or test them with `aws:VpcSourceIp` and
`aws:SourceVpc` in a statement of their own."#,
    access_analyzer: &["PRIVATE_IP_ADDRESS_SUBSET", "PRIVATE_NOT_IP_ADDRESS_SUBSET"],
    security_severity: None,
    tags: &["condition", "network"],
};

/// The rule for a parser `InvalidConditionValue` diagnostic, by its detail.
pub fn rule_for_value_error(detail: verdict_policy::Detail) -> &'static Rule {
    use verdict_policy::Detail;
    match detail {
        Detail::EmptyConditionValues => &EMPTY_CONDITION_VALUES,
        Detail::VariableInTypedValue => &VARIABLE_IN_TYPED_OPERATOR,
        Detail::ConditionValue(Family::Date) => &INVALID_DATE,
        Detail::ConditionValue(Family::Numeric) => &INVALID_NUMBER,
        Detail::ConditionValue(Family::Ip) => &INVALID_IP_ADDRESS,
        _ => &INVALID_CONDITION_VALUE,
    }
}

fn fits(family: Family, key: &str, t: ValueType) -> bool {
    match family {
        Family::Null => true,
        // String operators compare the text form: accepted on ARN keys; on Bool keys they
        // work but are a type mismatch (a warning, as in Access Analyzer).
        Family::String => matches!(t, ValueType::String | ValueType::Arn),
        // ARN operators work on any text that holds an ARN (tags, encryption context).
        Family::Arn => matches!(t, ValueType::Arn | ValueType::String),
        Family::Numeric => {
            t == ValueType::Numeric
                || (t == ValueType::Date && key.eq_ignore_ascii_case("aws:EpochTime"))
        }
        Family::Date => t == ValueType::Date,
        Family::Bool => t == ValueType::Bool,
        Family::Ip => t == ValueType::IpAddress,
        // Tags and other text keys hold base64 just as well.
        Family::Binary => matches!(t, ValueType::Binary | ValueType::String),
    }
}

fn family_name(f: Family) -> &'static str {
    match f {
        Family::String => "String",
        Family::Numeric => "Numeric",
        Family::Date => "Date",
        Family::Bool => "Bool",
        Family::Binary => "Binary",
        Family::Ip => "IpAddress",
        Family::Arn => "Arn",
        Family::Null => "Null",
    }
}

fn operators_for(t: ValueType) -> &'static str {
    match t {
        ValueType::String => "String operators (StringEquals, StringLike, …)",
        ValueType::Arn => "Arn or String operators (ArnLike, ArnEquals, StringLike, …)",
        ValueType::Numeric => "Numeric operators (NumericEquals, NumericLessThan, …)",
        ValueType::Date => "Date operators (DateLessThan, DateGreaterThan, …)",
        ValueType::Bool => "Bool",
        ValueType::IpAddress => "IpAddress or NotIpAddress",
        ValueType::Binary => "BinaryEquals",
    }
}

fn is_private(net: &ipnet::IpNet) -> bool {
    match net {
        ipnet::IpNet::V4(n) => {
            let a = n.network();
            (a.is_private() || a.is_loopback() || a.is_link_local()) && n.prefix_len() >= 8 && {
                let b = n.broadcast();
                b.is_private() || b.is_loopback() || b.is_link_local()
            }
        }
        ipnet::IpNet::V6(n) => {
            let seg = n.network().segments()[0];
            n.prefix_len() >= 7
                && ((seg & 0xfe00) == 0xfc00
                    || (seg & 0xffc0) == 0xfe80
                    || n.network().is_loopback())
        }
    }
}

/// Type, multivalue, MFA, wildcard and IP checks on every condition.
pub(crate) fn check_conditions(ctx: &mut Ctx<'_>) {
    let mut found: Vec<(&'static Rule, Span, String, Option<String>)> = Vec::new();
    for st in &ctx.policy.statements {
        for c in &st.conditions {
            if placeholder(&c.key) {
                continue;
            }
            let canonical = c.op.canonical_name();
            if c.op.case_differs {
                found.push((
                    &OPERATOR_NAME_CASE,
                    c.op_span,
                    format!(
                        "operator \"{}\" is usually written \"{canonical}\"",
                        c.op_name
                    ),
                    Some(format!("write \"{canonical}\"")),
                ));
            }
            if c.op.base == BaseOp::Null && c.op.set.is_some() {
                found.push((
                    &NULL_WITH_QUALIFIER,
                    c.op_span,
                    format!("\"{}\" combines Null with a set qualifier; Null only tests whether \"{}\" is present", c.op_name, c.key),
                    Some("use \"Null\"".into()),
                ));
            }
            let prefix = c.key.split(':').next().unwrap_or("");
            let key_type: Option<KeyType> = ctx.catalog.key_type(prefix, &c.key);
            if let Some(kt) = key_type {
                let family = c.op.base.family();
                if !fits(family, &c.key, kt.value_type()) {
                    found.push((
                        &OPERATOR_TYPE_MISMATCH,
                        c.op_span,
                        format!(
                            "\"{}\" is a {} operator but \"{}\" has type {kt}",
                            c.op_name,
                            family_name(family),
                            c.key
                        ),
                        Some(format!("use {}", operators_for(kt.value_type()))),
                    ));
                }
                if kt.is_multivalued() && c.op.set.is_none() && c.op.base != BaseOp::Null {
                    found.push((
                        &SINGLE_VALUED_OPERATOR_ON_MULTIVALUED_KEY,
                        c.key_span,
                        format!("\"{}\" is multivalued ({kt}) but \"{}\" has no ForAnyValue/ForAllValues qualifier", c.key, c.op_name),
                        Some(format!("use \"ForAnyValue:{canonical}\" or \"ForAllValues:{canonical}\"")),
                    ));
                }
                if !kt.is_multivalued() && c.op.set == Some(SetOp::ForAllValues) {
                    found.push((
                        &FOR_ALL_VALUES_ON_SINGLE_VALUED_KEY,
                        c.op_span,
                        format!(
                            "\"{}\" is single-valued; \"{}\" is also true when the key is absent from the request",
                            c.key, c.op_name
                        ),
                        Some(format!("use \"{}\"", canonical.trim_start_matches("ForAllValues:"))),
                    ));
                }
            }
            mfa(st.effect, c, &mut found);
            wildcard_literal(ctx, c, &mut found);
            ip_checks(ctx, c, &mut found);
            value_checks(ctx, c, key_type, &mut found);
        }
    }
    for st in &ctx.policy.statements {
        let vpc_ip = st.conditions.iter().find(|c| c.key_lc == "aws:vpcsourceip");
        let pinned = st
            .conditions
            .iter()
            .any(|c| c.key_lc == "aws:sourcevpc" || c.key_lc == "aws:sourcevpce");
        if let (Some(c), false) = (vpc_ip, pinned) {
            found.push((
                &VPC_SOURCE_IP_WITHOUT_VPC,
                c.key_span,
                "aws:VpcSourceIp is a private address in any VPC; without aws:SourceVpc or aws:SourceVpce the range matches every VPC that reuses it".into(),
                Some("add \"StringEquals\": {\"aws:SourceVpc\": \"vpc-…\"} (or aws:SourceVpce)".into()),
            ));
        }
    }
    for (rule, span, msg, help) in found {
        ctx.report(rule, span, msg, help);
    }
}

type Found = Vec<(&'static Rule, Span, String, Option<String>)>;

fn mfa(effect: Effect, c: &Condition, found: &mut Found) {
    if !c.key_lc.eq("aws:multifactorauthpresent") || c.op.base != BaseOp::Bool || c.op.set.is_some()
    {
        return;
    }
    let has = |v: &str| c.raw_values.iter().any(|x| x.eq_ignore_ascii_case(v));
    if effect == Effect::Deny && !c.op.if_exists && has("false") {
        found.push((
            &MFA_BOOL_WITHOUT_IF_EXISTS,
            c.op_span,
            "this Deny does not apply to requests signed with long-term access keys: aws:MultiFactorAuthPresent is absent for them and \"Bool\" is false on an absent key".into(),
            Some("use \"BoolIfExists\": {\"aws:MultiFactorAuthPresent\": \"false\"}".into()),
        ));
    }
    if effect == Effect::Allow && c.op.if_exists && has("true") {
        found.push((
            &MFA_BOOL_WITHOUT_IF_EXISTS,
            c.op_span,
            "this Allow also applies to requests signed with long-term access keys (no MFA): aws:MultiFactorAuthPresent is absent for them and \"BoolIfExists\" is true on an absent key".into(),
            Some("use \"Bool\": {\"aws:MultiFactorAuthPresent\": \"true\"}".into()),
        ));
    }
}

fn wildcard_literal(ctx: &Ctx<'_>, c: &Condition, found: &mut Found) {
    if !matches!(
        c.op.base,
        BaseOp::StringEquals
            | BaseOp::StringNotEquals
            | BaseOp::StringEqualsIgnoreCase
            | BaseOp::StringNotEqualsIgnoreCase
    ) {
        return;
    }
    let spans = ctx.value_spans(c.key_span);
    for (i, v) in c.raw_values.iter().enumerate() {
        let stripped = v.replace("${*}", "").replace("${?}", "");
        if stripped.contains(['*', '?']) && !placeholder(v) {
            let like =
                c.op.canonical_name()
                    .replace("StringEquals", "StringLike")
                    .replace("StringNotEquals", "StringNotLike")
                    .replace("IgnoreCase", "");
            found.push((
                &WILDCARD_WITHOUT_LIKE_OPERATOR,
                spans.get(i).copied().unwrap_or(c.key_span),
                format!(
                    "\"{v}\" contains a wildcard but \"{}\" compares it literally",
                    c.op_name
                ),
                Some(format!("use \"{like}\"")),
            ));
        }
    }
}

fn ip_checks(ctx: &Ctx<'_>, c: &Condition, found: &mut Found) {
    if c.op.base.family() != Family::Ip {
        return;
    }
    let spans = ctx.value_spans(c.key_span);
    let nets: Vec<ipnet::IpNet> = c
        .values
        .iter()
        .filter_map(|v| match v {
            CondValue::Ip(n) => Some(*n),
            _ => None,
        })
        .collect();
    for (i, n) in nets.iter().enumerate() {
        if n.addr() != n.network() {
            found.push((
                &IMPROVABLE_IP_RANGE,
                spans.get(i).copied().unwrap_or(c.key_span),
                format!("\"{n}\" has host bits set; it means \"{}\"", n.trunc()),
                Some(format!("write \"{}\"", n.trunc())),
            ));
        }
    }
    let private = nets.iter().filter(|n| is_private(n)).count();
    if c.key_lc == "aws:sourceip" && private > 0 && private < nets.len() {
        for (i, n) in nets.iter().enumerate().filter(|(_, n)| is_private(n)) {
            found.push((
                &PRIVATE_IP_AMONG_PUBLIC,
                spans.get(i).copied().unwrap_or(c.key_span),
                format!("\"{n}\" is a private range; aws:SourceIp holds the caller's public address, so it never matches"),
                Some("remove it, or test it with aws:VpcSourceIp and aws:SourceVpc".into()),
            ));
        }
    }
    if c.key_lc == "aws:sourceip" && !nets.is_empty() && nets.iter().all(is_private) {
        let msg = if c.op.base == BaseOp::IpAddress {
            "aws:SourceIp holds the caller's public address (and is absent through VPC endpoints), so this allow-list of private ranges never matches"
        } else {
            "aws:SourceIp holds the caller's public address (and is absent through VPC endpoints), so excluding private ranges has no effect"
        };
        found.push((
            &PRIVATE_IP_IN_SOURCE_IP,
            c.key_span,
            msg.into(),
            Some("for traffic through VPC endpoints use aws:VpcSourceIp together with aws:SourceVpc or aws:SourceVpce".into()),
        ));
    }
}

/// Is `id` `prefix` followed by 8 or 17 lower-case hexadecimal digits?
fn aws_id(id: &str, prefix: &str) -> bool {
    id.strip_prefix(prefix).is_some_and(|h| {
        (h.len() == 8 || h.len() == 17)
            && h.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// Why `v` is not a value `key` (lower-case) can hold, if it is not.
fn format_problem(key: &str, v: &str) -> Option<(String, String)> {
    let region_key = key == "aws:requestedregion"
        || key == "aws:sourceregion"
        || (key.ends_with(":region") && !key.starts_with("aws:"));
    if region_key {
        return verdict_catalog::regions::region_problem(v)
            .map(|why| (why, "write a Region code such as eu-west-3".into()));
    }
    match key {
        "aws:sourcevpc" if !aws_id(v, "vpc-") => Some((
            format!("\"{v}\" is not a VPC ID (vpc- and 8 or 17 hexadecimal digits)"),
            "write the VPC ID, such as vpc-0c9d8e7f6a5b4c3d2".into(),
        )),
        "aws:sourcevpce" if !aws_id(v, "vpce-") => Some((
            format!("\"{v}\" is not a VPC endpoint ID (vpce- and 8 or 17 hexadecimal digits)"),
            "write the endpoint ID, such as vpce-1a2b3c4d".into(),
        )),
        "kms:viaservice" => {
            let parts: Vec<&str> = v.split('.').collect();
            let ok = v.bytes().all(|b| !b.is_ascii_uppercase())
                && matches!(
                    parts.as_slice(),
                    [service, region, "amazonaws", "com"]
                        if !service.is_empty()
                            && verdict_catalog::regions::region_problem(region).is_none()
                            && !region.is_empty()
                );
            (!ok).then(|| {
                (
                    format!("\"{v}\" is not a service endpoint name (SERVICE.REGION.amazonaws.com, lower case)"),
                    format!(
                        "write, e.g., \"{}.eu-west-3.amazonaws.com\"",
                        parts.first().map(|p| p.to_ascii_lowercase()).unwrap_or_default()
                    ),
                )
            })
        }
        "aws:calledvia" | "aws:calledviafirst" | "aws:calledvialast" => {
            let ok = v.bytes().all(|b| !b.is_ascii_uppercase()) && v.ends_with(".amazonaws.com");
            (!ok).then(|| {
                (
                    format!("\"{v}\" is not a service principal (such as athena.amazonaws.com)"),
                    "write the service principal in lower case".into(),
                )
            })
        }
        _ => None,
    }
}

/// Value checks: formats of well-known keys, Boolean lists, mixed JSON types, redundant
/// bounds, epoch dates.
fn value_checks(ctx: &Ctx<'_>, c: &Condition, key_type: Option<KeyType>, found: &mut Found) {
    use verdict_policy::json::JsonKind;
    let spans = ctx.value_spans(c.key_span);
    let family = c.op.base.family();
    let like = matches!(c.op.base, BaseOp::StringLike | BaseOp::StringNotLike);
    if family == Family::String {
        for (i, raw) in c.raw_values.iter().enumerate() {
            if placeholder(raw) || raw.contains("${") || (like && raw.contains(['*', '?'])) {
                continue;
            }
            if let Some((why, help)) = format_problem(&c.key_lc, raw) {
                found.push((
                    &INVALID_VALUE_FORMAT,
                    spans.get(i).copied().unwrap_or(c.key_span),
                    format!("{}: {why}", c.key),
                    Some(help),
                ));
            }
        }
    }
    let boolean =
        family == Family::Bool || key_type.is_some_and(|k| k.value_type() == ValueType::Bool);
    if boolean && c.op.set.is_none() && c.raw_values.len() > 1 {
        found.push((
            &MULTIPLE_BOOLEAN_VALUES,
            c.key_span,
            format!(
                "\"{}\" is given {} values ({}); they are ORed, so the condition holds whatever the request says",
                c.key,
                c.raw_values.len(),
                c.raw_values.join(", ")
            ),
            Some("keep the one value meant".into()),
        ));
    }
    if let Some(JsonKind::Array(items)) = ctx.member_at(c.key_span).map(|m| &m.value.kind) {
        let kinds: std::collections::BTreeSet<&str> = items
            .iter()
            .map(|i| match i.kind {
                JsonKind::String(_) => "string",
                JsonKind::Number(_) => "number",
                JsonKind::Bool(_) => "boolean",
                _ => "other",
            })
            .collect();
        if kinds.len() > 1 {
            found.push((
                &MIXED_VALUE_TYPES,
                c.key_span,
                format!(
                    "the values of \"{}\" mix JSON types ({})",
                    c.key,
                    kinds.into_iter().collect::<Vec<_>>().join(" and ")
                ),
                Some("write every value as a string".into()),
            ));
        }
    }
    let ordering = matches!(
        c.op.base,
        BaseOp::NumericLessThan
            | BaseOp::NumericLessThanEquals
            | BaseOp::NumericGreaterThan
            | BaseOp::NumericGreaterThanEquals
            | BaseOp::DateLessThan
            | BaseOp::DateLessThanEquals
            | BaseOp::DateGreaterThan
            | BaseOp::DateGreaterThanEquals
    );
    if ordering && c.op.set.is_none() && c.raw_values.len() > 1 {
        found.push((
            &REDUNDANT_NUMERIC_BOUND,
            c.key_span,
            format!(
                "\"{}\" compares \"{}\" with {} bounds; they are ORed, so only the loosest one matters",
                c.op_name,
                c.key,
                c.raw_values.len()
            ),
            Some("keep one bound, or write a range with two operators".into()),
        ));
    }
    if family == Family::Date {
        for (i, raw) in c.raw_values.iter().enumerate() {
            if !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit()) {
                found.push((
                    &INVALID_DATE,
                    spans.get(i).copied().unwrap_or(c.key_span),
                    format!("\"{raw}\" is a date in epoch seconds; IAM accepts it, but an ISO 8601 date is read the same way by every tool and by people"),
                    Some("write an ISO 8601 date such as 2026-01-01T00:00:00Z".into()),
                ));
            }
        }
    }
}
