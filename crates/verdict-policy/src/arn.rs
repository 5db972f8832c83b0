//! ARNs and `Resource` patterns (iam-semantics §1.4, §3.2).

use crate::glob::{tokenize, Glob, Token};
use crate::template::Template;

/// The six colon-separated parts of an ARN; the resource part keeps further colons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    /// `aws`, `aws-cn`, `aws-us-gov`, …
    pub partition: &'a str,
    /// Service namespace.
    pub service: &'a str,
    /// Region (may be empty).
    pub region: &'a str,
    /// Account (may be empty).
    pub account: &'a str,
    /// Everything after the fifth colon.
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// Split `s` on its first five colons; `None` unless it starts with `arn:` and has six parts.
    pub fn parse(s: &'a str) -> Option<Arn<'a>> {
        let mut it = s.splitn(6, ':');
        if it.next()? != "arn" {
            return None;
        }
        let partition = it.next()?;
        let service = it.next()?;
        let region = it.next()?;
        let account = it.next()?;
        let resource = it.next()?;
        if partition.is_empty() || service.is_empty() {
            return None;
        }
        Some(Arn {
            partition,
            service,
            region,
            account,
            resource,
        })
    }
}

/// A request's resource, pre-split for matching.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RequestResource {
    /// `*`: the action has no resource-level permissions.
    Star,
    /// An ARN, with the first four segments lower-cased (U5).
    Arn {
        /// The full ARN as given.
        full: String,
        /// Lower-cased partition, service, region, account.
        segs: [String; 4],
        /// Resource part, case kept.
        resource: String,
    },
    /// Anything else; only `*` patterns match it.
    Other(String),
}

impl RequestResource {
    /// Classify `s`.
    pub fn new(s: &str) -> RequestResource {
        if s == "*" {
            return RequestResource::Star;
        }
        match Arn::parse(s) {
            Some(a) => RequestResource::Arn {
                full: s.to_string(),
                segs: [
                    a.partition.to_ascii_lowercase(),
                    a.service.to_ascii_lowercase(),
                    a.region.to_ascii_lowercase(),
                    a.account.to_ascii_lowercase(),
                ],
                resource: a.resource.to_string(),
            },
            None => RequestResource::Other(s.to_string()),
        }
    }

    /// The text as given.
    pub fn as_str(&self) -> &str {
        match self {
            RequestResource::Star => "*",
            RequestResource::Arn { full, .. } => full,
            RequestResource::Other(s) => s,
        }
    }

    /// The account segment, if an ARN with a non-empty account.
    pub fn account(&self) -> Option<&str> {
        match self {
            RequestResource::Arn { segs, .. } if !segs[3].is_empty() => Some(&segs[3]),
            _ => None,
        }
    }

    /// The lower-cased service segment, if an ARN.
    pub fn service(&self) -> Option<&str> {
        match self {
            RequestResource::Arn { segs, .. } => Some(&segs[1]),
            _ => None,
        }
    }
}

/// The resource part of a pattern: fixed, or with variables resolved per request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourcePart {
    /// No variables.
    Static(Glob),
    /// Contains `${…}`.
    Template(Template),
}

impl ResourcePart {
    fn new(text: &str, variables: bool) -> ResourcePart {
        let t = Template::parse(text, variables);
        if t.has_variables() || t.parts().len() > 1 {
            ResourcePart::Template(t)
        } else {
            ResourcePart::Static(Glob::new(text))
        }
    }

    fn matches<'a, F>(&'a self, text: &str, value_wildcards: bool, lookup: F) -> Option<bool>
    where
        F: FnMut(&str) -> Option<&'a str>,
    {
        match self {
            ResourcePart::Static(g) => Some(g.matches(text)),
            ResourcePart::Template(t) => {
                let mut toks = Vec::with_capacity(8);
                t.resolve_refs_with(&mut toks, true, value_wildcards, lookup)
                    .then(|| crate::glob::match_refs(&toks, text))
            }
        }
    }

    fn template(&self) -> Option<&Template> {
        match self {
            ResourcePart::Static(_) => None,
            ResourcePart::Template(t) => Some(t),
        }
    }
}

/// One compiled entry of a `Resource` or `NotResource` element.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourcePattern {
    /// `*`
    Any,
    /// A full ARN pattern.
    Arn {
        /// Lower-cased globs for partition, service, region, account (case-insensitive, U5).
        segs: Box<[Glob; 4]>,
        /// The resource part (case-sensitive; `*` crosses `/` and `:`).
        resource: ResourcePart,
    },
    /// API Gateway's `execute-api:/STAGE/METHOD/PATH` shorthand (resource policies).
    ApiGateway {
        /// Pattern for `STAGE/METHOD/PATH` within the API the policy is attached to.
        path: ResourcePart,
    },
    /// An ARN with policy variables in the region or account segment, resolved per request.
    Dynamic(Template),
    /// Matches nothing: a short pattern whose last segment does not end in `*`
    /// (§3.2 rule 8), or text that is not an ARN at all (the parser refuses those).
    Unmatchable,
}

/// The shape of a `Resource` entry or ARN condition value, as §3.2 rule 8 reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArnShape {
    /// Six colon-separated parts (the resource part may hold more colons).
    Full,
    /// Fewer than six parts, the last ending in `*`: it stands for this six-part
    /// pattern (`arn:aws:sqs:*` ≡ `arn:aws:sqs:*:*:*`).
    ShortWildcard(String),
    /// Fewer than six parts, the last not ending in `*`: matches nothing.
    ShortLiteral,
}

/// Classify `text` by its number of colon-separated parts; colons inside `${…}` do not count.
pub fn arn_shape(text: &str) -> ArnShape {
    let parts = count_parts(text);
    if parts >= 6 {
        ArnShape::Full
    } else if text.ends_with('*') {
        let mut padded = String::with_capacity(text.len() + 2 * (6 - parts));
        padded.push_str(text);
        for _ in parts..6 {
            padded.push_str(":*");
        }
        // An unclosed `${` swallows the added colons: such text is no pattern at all.
        // (This also bounds ResourcePattern::new, which compiles the padded form.)
        if count_parts(&padded) < 6 {
            return ArnShape::ShortLiteral;
        }
        ArnShape::ShortWildcard(padded)
    } else {
        ArnShape::ShortLiteral
    }
}

/// Why AWS refuses `text` as a `Resource`/`NotResource` entry at save time, if it does:
/// not `*` and not an ARN, no partition or service, or a short pattern with an empty
/// field (IAM's legacy parser rejects those). The API Gateway shorthand is accepted.
/// Short patterns that AWS accepts are not a problem here (§3.2 rule 8).
pub fn resource_text_problem(text: &str) -> Option<String> {
    if text == "*" || text.starts_with("execute-api:/") {
        return None;
    }
    if !text.starts_with("arn:") {
        return Some(format!(
            "\"{text}\" is not an ARN; expected \"*\" or arn:partition:service:region:account:resource"
        ));
    }
    let mut fields = text.splitn(6, ':');
    let _arn = fields.next();
    let partition = fields.next().unwrap_or("");
    let service = fields.next();
    if partition.is_empty() {
        return Some(format!(
            "\"{text}\" has an empty partition; expected arn:aws:… (or aws-cn, aws-us-gov, …)"
        ));
    }
    match service {
        None | Some("") => {
            return Some(format!(
                "\"{text}\" names no service; an ARN needs arn:partition:service:region:account:resource"
            ))
        }
        Some(_) => {}
    }
    if !matches!(arn_shape(text), ArnShape::Full) && text.contains("::") {
        return Some(format!(
            "\"{text}\" has fewer than six colon-separated fields and an empty one; AWS rejects it (write all six fields, e.g. arn:aws:s3:::bucket)"
        ));
    }
    None
}

/// Colon-separated parts of `text`, at most 6, not counting colons inside `${…}`.
fn count_parts(text: &str) -> usize {
    let mut parts = 1;
    let mut in_var = false;
    let mut prev = 0u8;
    for b in text.bytes() {
        match b {
            b'{' if prev == b'$' => in_var = true,
            b'}' if in_var => in_var = false,
            b':' if !in_var => parts += 1,
            _ => {}
        }
        prev = b;
    }
    parts.min(6)
}

/// Why a variable could not be resolved, or `Ok` with the match result.
pub type MatchOutcome = Result<bool, UnresolvedVariable>;

/// A resource pattern used a variable that has no value and no default (§5.3 rule 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UnresolvedVariable;

impl ResourcePattern {
    /// Compile a pattern; `variables` is true under Version 2012-10-17.
    pub fn new(text: &str, variables: bool) -> ResourcePattern {
        if text == "*" {
            return ResourcePattern::Any;
        }
        if let Some(path) = text.strip_prefix("execute-api:/") {
            return ResourcePattern::ApiGateway {
                path: ResourcePart::new(path, variables),
            };
        }
        if let ArnShape::ShortWildcard(padded) = arn_shape(text) {
            return ResourcePattern::new(&padded, variables);
        }
        match Arn::parse(text) {
            Some(a)
                if variables
                    && text
                        .strip_suffix(a.resource)
                        .is_some_and(|head| head.contains("${")) =>
            {
                ResourcePattern::Dynamic(Template::parse(text, true))
            }
            Some(a) => ResourcePattern::Arn {
                segs: Box::new([
                    Glob::new(&a.partition.to_ascii_lowercase()),
                    Glob::new(&a.service.to_ascii_lowercase()),
                    Glob::new(&a.region.to_ascii_lowercase()),
                    Glob::new(&a.account.to_ascii_lowercase()),
                ]),
                resource: ResourcePart::new(a.resource, variables),
            },
            None => ResourcePattern::Unmatchable,
        }
    }

    /// Match against a request resource; variables are resolved with `lookup`
    /// (lower-cased key → single value), their values matched literally (U15).
    pub fn matches<'a, F>(&'a self, req: &RequestResource, lookup: F) -> MatchOutcome
    where
        F: FnMut(&str) -> Option<&'a str>,
    {
        self.matches_with(req, false, lookup)
    }

    /// The template of a pattern that holds policy variables.
    pub fn template(&self) -> Option<&Template> {
        match self {
            ResourcePattern::Arn { resource, .. } => resource.template(),
            ResourcePattern::ApiGateway { path } => path.template(),
            ResourcePattern::Dynamic(t) => Some(t),
            ResourcePattern::Any | ResourcePattern::Unmatchable => None,
        }
    }

    /// As [`ResourcePattern::matches`]; with `value_wildcards`, `*`/`?` inside substituted
    /// values act as wildcards (the other reading of U15).
    pub fn matches_with<'a, F>(
        &'a self,
        req: &RequestResource,
        value_wildcards: bool,
        mut lookup: F,
    ) -> MatchOutcome
    where
        F: FnMut(&str) -> Option<&'a str>,
    {
        match (self, req) {
            (ResourcePattern::Any, _) => Ok(true),
            (_, RequestResource::Star) | (_, RequestResource::Other(_)) => Ok(false),
            (ResourcePattern::Unmatchable, _) => Ok(false),
            (
                ResourcePattern::Dynamic(t),
                RequestResource::Arn {
                    segs: rsegs,
                    resource: rres,
                    ..
                },
            ) => {
                let tokens = t
                    .resolve_tokens(|k| lookup(k).map(str::to_string))
                    .ok_or(UnresolvedVariable)?;
                let Some([head, segs @ .., resource]) = split_six(&tokens) else {
                    return Ok(false);
                };
                let lower = |p: &[Token]| -> Vec<Token> {
                    p.iter()
                        .map(|t| match t {
                            Token::Literal(s) => Token::Literal(s.to_ascii_lowercase()),
                            other => other.clone(),
                        })
                        .collect()
                };
                let head_ok = Glob::from_tokens(&lower(&head)).matches("arn")
                    && segs
                        .iter()
                        .zip(rsegs.iter())
                        .all(|(p, s)| Glob::from_tokens(&lower(p)).matches(s));
                Ok(head_ok && Glob::from_tokens(&resource).matches(rres))
            }
            (
                ResourcePattern::Arn { segs, resource },
                RequestResource::Arn {
                    segs: rsegs,
                    resource: rres,
                    ..
                },
            ) => {
                if !segs.iter().zip(rsegs.iter()).all(|(g, s)| g.matches(s)) {
                    return Ok(false);
                }
                resource
                    .matches(rres, value_wildcards, lookup)
                    .ok_or(UnresolvedVariable)
            }
            (
                ResourcePattern::ApiGateway { path },
                RequestResource::Arn {
                    segs: rsegs,
                    resource: rres,
                    ..
                },
            ) => {
                if rsegs[1] != "execute-api" {
                    return Ok(false);
                }
                match rres.split_once('/') {
                    Some((_api, rest)) => path
                        .matches(rest, value_wildcards, lookup)
                        .ok_or(UnresolvedVariable),
                    None => Ok(false),
                }
            }
        }
    }
}

/// Match an ARN condition value (ArnLike/ArnEquals, §4.4.7): all six parts compared
/// separately and case-sensitively; wildcards never cross a colon in the first five.
pub fn arn_like(pattern_tokens: &[Token], value: &str) -> Option<bool> {
    let v = Arn::parse(value)?;
    let Some(parts) = split_six(pattern_tokens) else {
        return Some(false);
    };
    let vals = [
        "arn",
        v.partition,
        v.service,
        v.region,
        v.account,
        v.resource,
    ];
    Some(
        parts
            .iter()
            .zip(vals)
            .all(|(p, s)| Glob::from_tokens(p).matches(s)),
    )
}

/// Compile an ARN pattern into six per-segment globs; `None` unless it has six parts.
pub fn arn_segments(pattern_tokens: &[Token]) -> Option<Box<[Glob]>> {
    let parts = split_six(pattern_tokens)?;
    Some(parts.iter().map(|p| Glob::from_tokens(p)).collect())
}

/// Split pattern tokens on the first five literal colons; `None` unless there are six
/// parts, or fewer with the last ending in `*` (§3.2 rule 8: padded with `*` parts).
fn split_six(pattern_tokens: &[Token]) -> Option<[Vec<Token>; 6]> {
    let mut parts: Vec<Vec<Token>> = vec![Vec::new()];
    for t in pattern_tokens {
        match t {
            Token::Literal(s) if parts.len() < 6 => {
                let mut rest = s.as_str();
                while let Some((head, tail)) = rest.split_once(':') {
                    if parts.len() >= 6 {
                        break;
                    }
                    if !head.is_empty() {
                        if let Some(last) = parts.last_mut() {
                            last.push(Token::Literal(head.to_string()));
                        }
                    }
                    parts.push(Vec::new());
                    rest = tail;
                }
                if !rest.is_empty() {
                    if let Some(last) = parts.last_mut() {
                        last.push(Token::Literal(rest.to_string()));
                    }
                }
            }
            other => {
                if let Some(last) = parts.last_mut() {
                    last.push(other.clone());
                }
            }
        }
    }
    if parts.len() < 6 && parts.last().and_then(|p| p.last()) == Some(&Token::Star) {
        parts.resize(6, vec![Token::Star]);
    }
    <[Vec<Token>; 6]>::try_from(parts).ok()
}

/// Convenience for tests and tools: `arn_like` on an untemplated pattern.
pub fn arn_like_str(pattern: &str, value: &str) -> Option<bool> {
    arn_like(&tokenize(pattern), value)
}

/// Does a partition, service, Region or account field of `s` (between the first and the
/// fifth colon) hold an upper-case letter? One pass over the bytes, no splitting.
pub fn head_has_upper(s: &str) -> bool {
    let mut colons = 0;
    for b in s.bytes() {
        if b == b':' {
            colons += 1;
            if colons == 5 {
                return false;
            }
        } else if colons >= 1 && b.is_ascii_uppercase() {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {

    /// Found by fuzzing: an unclosed `${` in a short pattern made the padding recurse
    /// without end (a stack overflow). It is text that matches nothing.
    #[test]
    fn unclosed_variable_in_a_short_pattern_terminates() {
        let p = ResourcePattern::new("arn:aws:s3:${r   eports${/*", true);
        assert!(matches!(
            p,
            ResourcePattern::Unmatchable | ResourcePattern::Dynamic(_)
        ));
        assert_eq!(arn_shape("arn:aws:s3:${x*"), ArnShape::ShortLiteral);
        assert!(matches!(
            arn_shape("arn:aws:s3:*"),
            ArnShape::ShortWildcard(_)
        ));
    }

    use super::*;

    fn m(p: &str, r: &str) -> bool {
        ResourcePattern::new(p, true)
            .matches(&RequestResource::new(r), |_| None)
            .unwrap_or(false)
    }

    #[test]
    fn resource_matching() {
        assert!(m(
            "arn:aws:s3:::B/*/test/*",
            "arn:aws:s3:::B/1/2/test/3/object.jpg"
        ));
        assert!(!m("arn:aws:s3:::B/*/test/*", "arn:aws:s3:::B/1/2/test.jpg"));
        assert!(m(
            "arn:aws:logs:us-*:111122223333:log-group:app*",
            "arn:aws:logs:us-east-1:111122223333:log-group:app1:log-stream:s1"
        ));
        assert!(!m(
            "arn:aws:logs:us-*:111122223333:log-group:app*",
            "arn:aws:logs:eu-west-1:111122223333:log-group:app1"
        ));
        assert!(!m("arn:aws:s3:::*", "*"));
        assert!(m("*", "*"));
        assert!(!m("arn:aws:iam::1:user/Bob", "arn:aws:iam::1:user/bob"));
        // §3.2 rule 8: a short pattern ending in `*` covers every ARN its earlier parts match.
        assert!(m("arn:aws:s3:*", "arn:aws:s3:::b"));
        assert!(m("arn:aws:sqs:*", "arn:aws:sqs:us-east-1:111122223333:q"));
        assert!(m(
            "arn:aws:sqs:us-east-1:*",
            "arn:aws:sqs:us-east-1:111122223333:q"
        ));
        assert!(!m(
            "arn:aws:sqs:us-east-1:*",
            "arn:aws:sqs:eu-west-1:111122223333:q"
        ));
        assert!(m(
            "arn:aws:sqs:us-*",
            "arn:aws:sqs:us-east-1:111122223333:q"
        ));
        assert!(!m("arn:aws:sqs:*", "arn:aws:sns:us-east-1:111122223333:t"));
        assert!(!m("arn:aws:sqs:us-east-1", "arn:aws:sqs:us-east-1:1:q"));
        assert!(!m("arn:aws:sqs:*", "*"));
        assert!(m(
            "execute-api:/*/GET/pets",
            "arn:aws:execute-api:us-east-1:1:api/prod/GET/pets"
        ));
    }

    #[test]
    fn variable_in_account_segment() {
        let p = ResourcePattern::new("arn:*:kms:*:${aws:PrincipalAccount}:key/*", true);
        let look = |k: &str| (k == "aws:principalaccount").then_some("111122223333");
        let r = RequestResource::new("arn:aws:kms:us-east-1:111122223333:key/abc");
        assert_eq!(p.matches(&r, look), Ok(true));
        let other = RequestResource::new("arn:aws:kms:us-east-1:444455556666:key/abc");
        assert_eq!(p.matches(&other, look), Ok(false));
        assert_eq!(p.matches(&r, |_| None), Err(UnresolvedVariable));
    }

    #[test]
    fn arn_like_segments() {
        let p = "arn:aws:someservice:*:111122223333:finance/*";
        let v = "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
        assert_eq!(arn_like_str(p, v), Some(false));
        assert_eq!(
            arn_like_str("arn:aws:iam::*:role/app-*", "arn:aws:iam::1:role/app-x"),
            Some(true)
        );
        assert_eq!(arn_like_str("arn:aws:iam::*:role/x", "not-an-arn"), None);
        // §3.2 rule 8 holds for the Arn* operators too.
        assert_eq!(
            arn_like_str("arn:aws:sns:*", "arn:aws:sns:us-east-1:1:t"),
            Some(true)
        );
        assert_eq!(
            arn_like_str("arn:aws:sns:us-east-1:*", "arn:aws:sns:eu-west-1:1:t"),
            Some(false)
        );
        assert_eq!(arn_like_str("*", "arn:aws:sns:us-east-1:1:t"), Some(true));
        assert_eq!(
            arn_like_str("arn:aws:sns:us-east-1", "arn:aws:sns:us-east-1:1:t"),
            Some(false)
        );
    }

    #[test]
    fn shapes() {
        assert_eq!(arn_shape("arn:aws:s3:::b"), ArnShape::Full);
        assert_eq!(
            arn_shape("arn:aws:sqs:*"),
            ArnShape::ShortWildcard("arn:aws:sqs:*:*:*".into())
        );
        assert_eq!(arn_shape("arn:aws:sqs:us-east-1"), ArnShape::ShortLiteral);
        assert_eq!(arn_shape("arn:aws:s3:::${aws:username}"), ArnShape::Full);
        assert_eq!(
            arn_shape("arn:aws:sqs:${aws:RequestedRegion}*"),
            ArnShape::ShortWildcard("arn:aws:sqs:${aws:RequestedRegion}*:*:*".into())
        );
    }
}
