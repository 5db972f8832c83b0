//! `E1xx`: the document grammar. Most of these come from the policy parser
//! (`verdict_policy::parse_policy`), whose stable `ErrorCode`s map one-to-one (or by
//! the element involved) onto these rules; [`INVALID_ARN`] is checked here.

use super::{placeholder, Ctx};
use crate::rule::{Rule, Severity};
use verdict_policy::arn::{Arn, ArnShape};
use verdict_policy::{Detail, Diagnostic, ErrorCode};

/// `E101`
pub const INVALID_JSON: Rule = Rule {
    code: "E101",
    name: "invalid-json",
    severity: Severity::Error,
    summary: "The document is not valid JSON (or YAML)",
    docs: r#"**What it flags.** Text that does not parse: a missing comma or brace, a comment, a
trailing comma, an unterminated string, nesting deeper than the parser allows, or a YAML
file with a syntax error. Policies held in strings (Terraform plans) are parsed too.

**Why it matters.** IAM stores policies as strict JSON and rejects anything else with
`MalformedPolicyDocument`. No other check can run on text that does not parse.

**Example.**
```json
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",}]}
```

**Fix.** Correct the syntax at the reported position. Remove comments and trailing
commas; JSON5 extensions are not accepted by IAM."#,
    access_analyzer: &["JSON_SYNTAX_ERROR"],
    security_severity: None,
    tags: &["grammar"],
};

/// `E102`
pub const DUPLICATE_KEY: Rule = Rule {
    code: "E102",
    name: "duplicate-key",
    severity: Severity::Error,
    summary: "An object repeats a key",
    docs: r#"**What it flags.** The same key twice in one JSON object, such as two `Effect`
members in a statement or two `StringEquals` blocks in one `Condition`.

**Why it matters.** JSON parsers disagree on which copy wins; IAM treats the document as
invalid. Two conditions with the same operator silently lose one of them in tools that
keep the last value.

**Example.**
```json
{"Condition": {"StringEquals": {"aws:PrincipalTag/team": "a"},
               "StringEquals": {"aws:ResourceTag/env": "prod"}}}
```

**Fix.** Merge the members: put both keys under one `StringEquals`."#,
    access_analyzer: &["JSON_SYNTAX_ERROR"],
    security_severity: None,
    tags: &["grammar"],
};

/// `E103`
pub const WRONG_TYPE: Rule = Rule {
    code: "E103",
    name: "wrong-type",
    severity: Severity::Error,
    summary: "An element has the wrong JSON type",
    docs: r#"**What it flags.** An element whose JSON type the grammar does not allow: a number
for `Effect`, an object for `Action`, a list for `Sid`, an array where the document
itself should be an object, a `null` condition value.

**Why it matters.** IAM rejects the policy (`MalformedPolicyDocument`).

**Example.**
```json
{"Statement": {"Effect": "Allow", "Action": {"s3": "GetObject"}, "Resource": "*"}}
```

**Fix.** Use the type the message names: strings, or arrays of strings, for `Action`
and `Resource`; an object of operator → key → values for `Condition`."#,
    access_analyzer: &["DATA_TYPE_MISMATCH"],
    security_severity: None,
    tags: &["grammar"],
};

/// `E104`
pub const UNKNOWN_ELEMENT: Rule = Rule {
    code: "E104",
    name: "unknown-element",
    severity: Severity::Error,
    summary: "An element name is not part of the policy grammar",
    docs: r#"**What it flags.** A key that is not a policy element: at the top (`Version`, `Id`,
`Statement`), in a statement (`Sid`, `Effect`, `Principal`, `NotPrincipal`, `Action`,
`NotAction`, `Resource`, `NotResource`, `Condition`) or in a principal (`AWS`,
`Service`, `Federated`, `CanonicalUser`). Names are case-sensitive.

**Why it matters.** IAM rejects the document; a typo such as `Efect` or `Actions` is
easy to miss in review.

**Example.**
```json
{"Statement": {"Effect": "Allow", "Actions": "s3:GetObject", "Resource": "*"}}
```

**Fix.** Use the element the help line suggests."#,
    access_analyzer: &["INVALID_POLICY_ELEMENT", "INVALID_PRINCIPAL_KEY"],
    security_severity: None,
    tags: &["grammar"],
};

/// `E105`
pub const MISSING_ELEMENT: Rule = Rule {
    code: "E105",
    name: "missing-element",
    severity: Severity::Error,
    summary: "A required element (Statement, Effect, Action) is missing or empty",
    docs: r#"**What it flags.** A policy without `Statement`, a statement without `Effect`, a
statement with neither `Action` nor `NotAction`, or an element given as an empty array.

**Why it matters.** Every statement needs an effect and actions; IAM rejects the
document otherwise.

**Example.**
```json
{"Version": "2012-10-17", "Statement": {"Action": "s3:GetObject", "Resource": "*"}}
```

**Fix.** Add the missing element (`"Effect": "Allow"` or `"Deny"`, an `Action` list)."#,
    access_analyzer: &[
        "MISSING_STATEMENT",
        "MISSING_EFFECT",
        "MISSING_ACTION",
        "EMPTY_ARRAY_ACTION",
    ],
    security_severity: None,
    tags: &["grammar"],
};

/// `E106`
pub const MISSING_RESOURCE: Rule = Rule {
    code: "E106",
    name: "missing-resource",
    severity: Severity::Error,
    summary: "A statement has neither Resource nor NotResource where one is needed",
    docs: r#"**What it flags.** A statement without `Resource` or `NotResource` in any policy
type except a role trust policy (which names no resource: the role is the resource).

**Why it matters.** IAM rejects identity policies, boundaries, SCPs, RCPs and resource
policies whose statements omit the resource.

**Example.**
```json
{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:ListBucket"}}
```

**Fix.** Name the resources, e.g. `"Resource": "arn:aws:s3:::my-bucket"`, or `"*"` for
actions that support no resource-level permissions."#,
    access_analyzer: &["MISSING_RESOURCE"],
    security_severity: None,
    tags: &["grammar"],
};

/// `E107`
pub const CONFLICTING_ELEMENTS: Rule = Rule {
    code: "E107",
    name: "conflicting-elements",
    severity: Severity::Error,
    summary: "A statement has both Action and NotAction (or Resource/NotResource, Principal/NotPrincipal)",
    docs: r#"**What it flags.** Mutually exclusive elements in one statement: `Action` with
`NotAction`, `Resource` with `NotResource`, `Principal` with `NotPrincipal`.

**Why it matters.** The grammar allows one of each pair; IAM rejects the document.

**Example.**
```json
{"Statement": {"Effect": "Allow", "Action": "s3:*", "NotAction": "s3:DeleteBucket", "Resource": "*"}}
```

**Fix.** Keep one element. To allow a service except some actions, use `Action` with a
separate `Deny` statement for the exceptions."#,
    access_analyzer: &["UNSUPPORTED_ELEMENT_COMBINATION"],
    security_severity: None,
    tags: &["grammar"],
};

/// `E108`
pub const INVALID_EFFECT: Rule = Rule {
    code: "E108",
    name: "invalid-effect",
    severity: Severity::Error,
    summary: "Effect is not exactly \"Allow\" or \"Deny\"",
    docs: r#"**What it flags.** An `Effect` other than `Allow` or `Deny`. The comparison is
case-sensitive: `allow` and `DENY` are invalid.

**Why it matters.** IAM rejects the document.

**Example.**
```json
{"Statement": {"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}}
```

**Fix.** Write `"Allow"` or `"Deny"`."#,
    access_analyzer: &["INVALID_EFFECT"],
    security_severity: None,
    tags: &["grammar"],
};

/// `E109`
pub const INVALID_VERSION: Rule = Rule {
    code: "E109",
    name: "invalid-version",
    severity: Severity::Error,
    summary: "Version is not \"2012-10-17\" or \"2008-10-17\" (or is missing where required)",
    docs: r#"**What it flags.** A `Version` other than the two dates IAM knows, and a service
control or resource control policy without `"Version": "2012-10-17"`.

**Why it matters.** IAM rejects unknown versions; AWS Organizations requires the
current version for SCPs and RCPs. The version is a date, not the day you wrote the
policy.

**Example.**
```json
{"Version": "2024-01-01", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}
```

**Fix.** Use `"Version": "2012-10-17"`."#,
    access_analyzer: &["INVALID_VERSION"],
    security_severity: None,
    tags: &["grammar"],
};

/// `E110`
pub const INVALID_PRINCIPAL: Rule = Rule {
    code: "E110",
    name: "invalid-principal",
    severity: Severity::Error,
    summary: "A Principal value is malformed",
    docs: r#"**What it flags.** A principal that IAM cannot resolve: a bare string other than
`"*"`, an empty principal object, a partial wildcard (`arn:aws:iam::111122223333:user/*`),
an ARN without a 12-digit account, a malformed assumed-role ARN, or a wildcard in a
service, federated or canonical-user principal.

**Why it matters.** IAM rejects the policy (`Invalid principal in policy`). Partial
wildcards are never allowed in `Principal`.

**Example.**
```json
{"Statement": {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/app-*"},
  "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}}
```

**Fix.** Name exact principals. To match a pattern, use `"Principal": {"AWS": "*"}` with
a condition such as `ArnLike` on `aws:PrincipalArn`."#,
    access_analyzer: &[
        "INVALID_PRINCIPAL_FORMAT",
        "UNSUPPORTED_WILDCARD_IN_PRINCIPAL",
        "INVALID_SERVICE_PRINCIPAL_FORMAT",
    ],
    security_severity: None,
    tags: &["grammar"],
};

/// `E111`
pub const INVALID_SID: Rule = Rule {
    code: "E111",
    name: "invalid-sid",
    severity: Severity::Error,
    summary: "A Sid has characters other than letters and digits in an IAM policy",
    docs: r#"**What it flags.** A `Sid` with spaces, hyphens or other symbols in an identity
policy, permissions boundary, session policy or trust policy.

**Why it matters.** IAM only accepts `[0-9A-Za-z]*` there ("Statement IDs (SID) must be
alpha-numeric"). Resource policies of other services may accept more.

**Example.**
```json
{"Statement": {"Sid": "read-only", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}
```

**Fix.** Use letters and digits only, e.g. `ReadOnly`."#,
    access_analyzer: &["UNSUPPORTED_SID"],
    security_severity: None,
    tags: &["grammar"],
};

/// `E112`
pub const DUPLICATE_SID: Rule = Rule {
    code: "E112",
    name: "duplicate-sid",
    severity: Severity::Error,
    summary: "Two statements share a Sid in a policy type that requires unique Sids",
    docs: r#"**What it flags.** A repeated `Sid` in an identity policy, boundary, session
policy or trust policy.

**Why it matters.** IAM rejects the document ("Statement IDs (SID) in a single policy
must be unique"). In other policy types duplicates are only discouraged (`W119`).

**Example.**
```json
{"Statement": [{"Sid": "S3", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
               {"Sid": "S3", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]}
```

**Fix.** Give each statement its own Sid, or merge the statements."#,
    access_analyzer: &["UNIQUE_SIDS_REQUIRED"],
    security_severity: None,
    tags: &["grammar"],
};

/// `E113`
pub const EMPTY_STATEMENT: Rule = Rule {
    code: "E113",
    name: "empty-statement",
    severity: Severity::Error,
    summary: "Statement is an empty array",
    docs: r#"**What it flags.** `"Statement": []`.

**Why it matters.** A policy needs at least one statement; IAM rejects an empty list.

**Example.**
```json
{"Version": "2012-10-17", "Statement": []}
```

**Fix.** Add a statement, or delete the policy."#,
    access_analyzer: &["MISSING_STATEMENT"],
    security_severity: None,
    tags: &["grammar"],
};

/// `E114`
pub const INVALID_ACTION_FORMAT: Rule = Rule {
    code: "E114",
    name: "invalid-action-format",
    severity: Severity::Error,
    summary: "An action is not of the form service:Action",
    docs: r#"**What it flags.** An `Action`/`NotAction` entry that is not `*` and not
`prefix:Name`: no colon, two colons, an empty name, or a prefix with characters other
than letters, digits and `-`.

**Why it matters.** IAM rejects the document ("Actions/Condition can contain only one
colon").

**Example.**
```json
{"Statement": {"Effect": "Allow", "Action": "s3::GetObject", "Resource": "*"}}
```

**Fix.** Write the service prefix, one colon and the action name: `s3:GetObject`."#,
    access_analyzer: &["INVALID_ACTION"],
    security_severity: None,
    tags: &["grammar"],
};

/// `N113`
pub const WILDCARD_IN_SERVICE: Rule = Rule {
    code: "N113",
    name: "wildcard-in-service",
    severity: Severity::Suggestion,
    summary: "A wildcard is used in the service part of an action or ARN",
    docs: r#"**What it flags.** `*` or `?` in an action's service prefix (`s*:GetObject`) or in
an ARN's service field (`arn:aws:*:::bucket`).

**Why it matters.** Wildcards are documented only in the action name and in the ARN's
region, account and resource fields. A wildcard in the service field does not match the
way its author expects.

**Example.**
```json
{"Statement": {"Effect": "Allow", "Action": "*3:GetObject", "Resource": "*"}}
```

**Fix.** Name the service; list several actions if several services are meant.

**Class.** Suggestion, Access Analyzer's class (`WILDCARD_IN_SERVICE_NAME`): IAM saves the policy. It was `E115` before; that code still selects it. `verdict simulate` refuses such a policy rather than guess what the wildcard matches."#,
    access_analyzer: &["WILDCARD_IN_SERVICE_NAME"],
    security_severity: None,
    tags: &["grammar"],
};

/// `E116`
pub const INVALID_ARN: Rule = Rule {
    code: "E116",
    name: "invalid-arn",
    severity: Severity::Error,
    summary: "A Resource entry is not a well-formed ARN",
    docs: r#"**What it flags.** A `Resource`/`NotResource` entry that is not `*` and is not
`arn:partition:service:region:account:resource`: text that does not start with `arn:`,
fewer than six colon-separated fields, an unknown partition, an upper-case service, an
account that is not 12 digits (or `aws`, or a wildcard), or a region with characters
other than lower-case letters, digits and `-`.

**Why it matters.** A malformed ARN matches no resource, so an Allow grants nothing
and — worse — a Deny protects nothing.

**Example.**
```json
{"Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:my-bucket/*"}}
```

**Fix.** Use the full ARN: `arn:aws:s3:::my-bucket/*`. In API Gateway resource policies
the shorthand `execute-api:/stage/METHOD/path` is accepted."#,
    access_analyzer: &[
        "INVALID_ARN_PREFIX",
        "MISSING_ARN_FIELD",
        "INVALID_ARN_ACCOUNT",
        "INVALID_ARN_REGION",
        "INVALID_ARN_SERVICE_CASE",
        "INVALID_PARTITION",
    ],
    security_severity: None,
    tags: &["grammar", "arn"],
};

/// `E117`
pub const VARIABLE_IN_ARN_PREFIX: Rule = Rule {
    code: "E117",
    name: "variable-in-arn-prefix",
    severity: Severity::Error,
    summary: "A policy variable appears in the partition or service field of an ARN",
    docs: r#"**What it flags.** `${…}` in the partition or service field of a `Resource` ARN.

**Why it matters.** The documentation allows variables only in the resource part of an
ARN. AWS's own managed policies do use them in the account field (`${aws:PrincipalAccount}`),
so region and account are accepted; a variable naming the partition or the service is
not substituted and the entry matches nothing.

**Example.**
```json
{"Statement": {"Effect": "Allow", "Action": "s3:GetObject",
  "Resource": "arn:${aws:PrincipalTag/partition}:s3:::bucket/*"}}
```

**Fix.** Write the partition and service literally (`arn:aws:s3:::bucket/*`); use a
wildcard and a condition on a key for anything that varies."#,
    access_analyzer: &["VARIABLE_UNSUPPORTED_IN_ELEMENT"],
    security_severity: None,
    tags: &["grammar", "variables"],
};

/// `W112`
pub const SHORT_ARN_PATTERN: Rule = Rule {
    code: "W112",
    name: "short-arn-pattern",
    severity: Severity::Warning,
    summary: "A Resource entry has fewer than the six ARN fields",
    docs: r#"**What it flags.** A `Resource`/`NotResource` entry that starts with `arn:` but has
fewer than six colon-separated fields, such as `arn:aws:sqs:*` or `arn:aws:sqs:us-east-1`.

**Why it matters.** IAM accepts such patterns, and they are easy to misread.
A `*` that ends the last field expands past the missing colons, so `arn:aws:sqs:*` is
`arn:aws:sqs:*:*:*` and covers every queue: in a Deny it denies all of them, in a
`NotResource` it excludes all of them (iam-semantics §3.2 rule 8). A short pattern whose
last field does not end in `*` matches nothing: an Allow grants nothing and a Deny
protects nothing. Verdict evaluates both readings exactly as AWS does; the finding is
about readability (Access Analyzer does not flag these).

**Example.**
```json
{"Statement": {"Effect": "Deny", "Action": "sqs:*", "Resource": "arn:aws:sqs:*"}}
```

**Fix.** Write all six fields: `arn:aws:sqs:*:*:*`, or `arn:aws:sqs:us-east-1:*:*`."#,
    access_analyzer: &[],
    security_severity: None,
    tags: &["grammar", "arn"],
};

/// `E118`
pub const UNREADABLE_FILE: Rule = Rule {
    code: "E118",
    name: "unreadable-file",
    severity: Severity::Error,
    summary: "A file could not be read, or is not UTF-8 text",
    docs: r#"**What it flags.** A file that `verdict lint` found (named, or in a directory it
walked) but could not read: an I/O error, or bytes that are not UTF-8 (the message names
the encoding when it can tell, such as the UTF-16LE that PowerShell writes).

**Why it matters.** A gate that skips a file it cannot read passes what it never
checked. AWS reads policy documents as UTF-8.

**Example.** `Out-File policy.json` in Windows PowerShell 5 writes UTF-16LE.

**Fix.** Save the file as UTF-8 (`Out-File -Encoding utf8`, `iconv -f UTF-16 -t UTF-8`)."#,
    access_analyzer: &[],
    security_severity: None,
    tags: &["input"],
};

/// The rule a parser diagnostic maps to (every `ErrorCode` has one).
pub fn rule_for(d: &Diagnostic) -> &'static Rule {
    use super::{condition as c, policy_type as t, security as s};
    match d.code {
        ErrorCode::JsonSyntax | ErrorCode::TooDeep | ErrorCode::TooLarge => &INVALID_JSON,
        ErrorCode::DuplicateKey => &DUPLICATE_KEY,
        ErrorCode::WrongType
        | ErrorCode::InvalidScenario
        | ErrorCode::InvalidRequest
        | ErrorCode::InvalidContext
        | ErrorCode::InvalidSnapshot
        | ErrorCode::InvalidCall => &WRONG_TYPE,
        ErrorCode::UnknownElement => &UNKNOWN_ELEMENT,
        ErrorCode::MissingElement => match d.detail {
            Detail::EmptyArray => &super::style::EMPTY_ARRAY,
            Detail::MissingResource => &MISSING_RESOURCE,
            _ => &MISSING_ELEMENT,
        },
        ErrorCode::InvalidPrincipal if d.detail == Detail::EmptyPrincipalObject => {
            &super::style::EMPTY_PRINCIPAL
        }
        ErrorCode::ConflictingElements => &CONFLICTING_ELEMENTS,
        ErrorCode::InvalidEffect => &INVALID_EFFECT,
        ErrorCode::InvalidVersion => &INVALID_VERSION,
        ErrorCode::PrincipalNotAllowed => &t::PRINCIPAL_NOT_ALLOWED,
        ErrorCode::PrincipalRequired => &t::MISSING_PRINCIPAL,
        ErrorCode::NotPrincipalNotAllowed => {
            if d.detail == Detail::NotPrincipalWithAllow {
                &s::ALLOW_WITH_NOT_PRINCIPAL
            } else {
                &t::NOT_PRINCIPAL_NOT_ALLOWED
            }
        }
        ErrorCode::InvalidPrincipal => &INVALID_PRINCIPAL,
        ErrorCode::DuplicateSid => &DUPLICATE_SID,
        ErrorCode::InvalidSid => &INVALID_SID,
        ErrorCode::InvalidAction => &INVALID_ACTION_FORMAT,
        ErrorCode::WildcardInService => &WILDCARD_IN_SERVICE,
        ErrorCode::InvalidResource => &INVALID_ARN,
        ErrorCode::VariableBeforeFifthColon => &VARIABLE_IN_ARN_PREFIX,
        ErrorCode::UnknownOperator => &c::UNKNOWN_OPERATOR,
        ErrorCode::IfExistsOnNull => &c::IF_EXISTS_ON_NULL,
        ErrorCode::InvalidConditionValue => c::rule_for_value_error(d.detail),
        ErrorCode::RcpAllowNotPermitted => &t::RCP_ALLOW_NOT_PERMITTED,
        ErrorCode::RcpPrincipalMustBeWildcard => &t::RCP_PRINCIPAL_NOT_WILDCARD,
        ErrorCode::RcpElementNotPermitted => &t::RCP_ELEMENT_NOT_PERMITTED,
        ErrorCode::ScpLegacySyntax => &t::SCP_LEGACY_SYNTAX,
        ErrorCode::ScpElementNotPermitted => &t::SCP_PRINCIPAL_NOT_PERMITTED,
        ErrorCode::EmptyStatement => &EMPTY_STATEMENT,
    }
}

const PARTITIONS: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

fn wild(s: &str) -> bool {
    s.contains(['*', '?']) || s.contains("${") || placeholder(s)
}

/// What is wrong with `s` as a Resource ARN, if anything: the rule (E116, or W112 for a
/// short pattern AWS accepts), the message and a fix.
pub fn arn_problem(
    s: &str,
    api_gateway_shorthand: bool,
) -> Option<(&'static Rule, String, Option<String>)> {
    if s == "*" || placeholder(s) || (api_gateway_shorthand && s.starts_with("execute-api:/")) {
        return None;
    }
    let masked = mask_variables(s);
    if s.starts_with("arn:") && verdict_policy::arn::resource_text_problem(s).is_none() {
        match verdict_policy::arn::arn_shape(&masked) {
            ArnShape::ShortWildcard(padded) => {
                // Judge the fields it has as those of the six-field pattern it stands for.
                if let Some((_, msg, help)) = full_arn_problem(s, &padded) {
                    return Some((&INVALID_ARN, msg, help));
                }
                return Some((
                    &SHORT_ARN_PATTERN,
                    format!("\"{s}\" has fewer than six ARN fields; its final * covers the missing ones, so it means \"{padded}\""),
                    Some(format!("write \"{padded}\"")),
                ));
            }
            ArnShape::ShortLiteral => {
                let fields = masked.split(':').count();
                return Some((
                    &INVALID_ARN,
                    format!("\"{s}\" has {fields} of the 6 colon-separated ARN fields and does not end in *, so it matches no resource"),
                    (fields == 5).then(|| "an ARN needs five colons even when region and account are empty, e.g. arn:aws:s3:::bucket".to_string()),
                ));
            }
            ArnShape::Full => {}
        }
    }
    full_arn_problem(s, &masked)
}

/// Problems of a six-field ARN pattern `masked` (variables masked) written as `s`.
fn full_arn_problem(s: &str, masked: &str) -> Option<(&'static Rule, String, Option<String>)> {
    arn_fields_problem(s, masked).map(|(m, h)| (&INVALID_ARN, m, h))
}

fn arn_fields_problem(s: &str, masked: &str) -> Option<(String, Option<String>)> {
    if !s.starts_with("arn:") {
        let help = if s.contains(':') {
            None
        } else if s.contains('/') || !s.contains('.') {
            Some(format!("for an S3 bucket write \"arn:aws:s3:::{s}\""))
        } else {
            None
        };
        return Some((format!("\"{s}\" is not an ARN; expected \"*\" or arn:partition:service:region:account:resource"), help));
    }
    let fields = masked.splitn(6, ':').count();
    let Some(arn) = Arn::parse(masked) else {
        return Some((
            format!("\"{s}\" has {fields} of the 6 colon-separated ARN fields (arn:partition:service:region:account:resource)"),
            (fields == 5).then(|| "an ARN needs five colons even when region and account are empty, e.g. arn:aws:s3:::bucket".to_string()),
        ));
    };
    if !wild(arn.partition) && !PARTITIONS.contains(&arn.partition) {
        return Some((
            format!("\"{s}\": unknown partition \"{}\"", arn.partition),
            Some("use \"aws\", \"aws-cn\" or \"aws-us-gov\"".into()),
        ));
    }
    if arn.service.bytes().any(|b| b.is_ascii_uppercase()) {
        return Some((
            format!(
                "\"{s}\": the service field \"{}\" must be lower-case",
                arn.service
            ),
            Some(format!("write \"{}\"", arn.service.to_ascii_lowercase())),
        ));
    }
    if !placeholder(arn.region)
        && !arn.region.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'*' | b'?')
        })
    {
        return Some((
            format!("\"{s}\": \"{}\" is not a valid region", arn.region),
            None,
        ));
    }
    let acct = arn.account;
    let acct_ok = acct.is_empty()
        || acct == "aws"
        || wild(acct)
        || (acct.len() == 12 && acct.bytes().all(|b| b.is_ascii_digit()));
    if !acct_ok {
        return Some((format!("\"{s}\": the account field \"{acct}\" must be a 12-digit account ID (or empty, or a wildcard)"), None));
    }
    None
}

pub(crate) fn mask_variables(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some((before, after)) = rest.split_once("${") {
        out.push_str(before);
        match after.split_once('}') {
            Some((_, tail)) => {
                out.push('*');
                rest = tail;
            }
            None => {
                out.push_str("${");
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// `E116`: check every Resource/NotResource entry.
pub(crate) fn check_arns(ctx: &mut Ctx<'_>) {
    let shorthand = matches!(ctx.ptype, verdict_policy::PolicyType::Resource);
    let mut found = Vec::new();
    for st in &ctx.policy.statements {
        let Some(r) = &st.resource else { continue };
        for e in &r.entries {
            if let Some((rule, msg, help)) = arn_problem(&e.raw, shorthand) {
                found.push((rule, e.span, msg, help));
            }
        }
    }
    for (rule, span, msg, help) in found {
        ctx.report(rule, span, msg, help);
    }
}
