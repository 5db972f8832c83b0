//! What users paste: an AccessDenied message inside anything (CLI output, SDK
//! exceptions and tracebacks, Terraform boxes, CloudFormation events, JSON and XML
//! bodies, log lines, quoted replies, escaped or HTML-encoded text). [`unwrap`] undoes
//! the wrappers that change characters; [`locate`] finds every message in the result,
//! cuts it where it ends (trailers never enter a field) and reads what the wrapper says
//! around it (error code, operation, service, HTTP status, an S3 URI).

use regex::Regex;
use std::sync::OnceLock;

/// The paste with character-level wrappers undone, whitespace collapsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unwrapped {
    /// The text, every whitespace run one space.
    pub text: String,
    /// What was undone (`HTML entities`, `escaped \n and \"`, `> quote marks`, `Terraform box`).
    pub undone: Vec<&'static str>,
}

/// Undo the wrappers that change characters, then collapse whitespace.
pub fn unwrap(raw: &str) -> Unwrapped {
    let mut undone = Vec::new();
    let mut s = raw.strip_prefix('\u{feff}').unwrap_or(raw).to_string();
    if s.contains("&quot;")
        || s.contains("&lt;")
        || s.contains("&gt;")
        || s.contains("&amp;")
        || s.contains("&#")
    {
        s = decode_entities(&s);
        undone.push("HTML entities");
    }
    // Literal escapes from JSON strings and logs (twice for double-encoded JSON).
    for _ in 0..2 {
        if s.contains("\\n") || s.contains("\\\"") || s.contains("\\t") || s.contains("\\u0022") {
            s = unescape(&s);
            if !undone.contains(&"escaped \\n and \\\"") {
                undone.push("escaped \\n and \\\"");
            }
        }
    }
    let mut lines = Vec::new();
    let mut quoted = false;
    let mut boxed = false;
    for line in s.lines() {
        let mut l = line.trim_start();
        while let Some(rest) = l.strip_prefix('>') {
            // `> ` quote marks (but not `->` arrows or `>=`).
            if rest.is_empty() || rest.starts_with(' ') || rest.starts_with('>') {
                quoted = true;
                l = rest.trim_start();
            } else {
                break;
            }
        }
        for mark in ['│', '╷', '╵', '┃'] {
            if let Some(rest) = l.strip_prefix(mark) {
                boxed = true;
                l = rest.trim_start();
            }
        }
        lines.push(l);
    }
    if quoted {
        undone.push("> quote marks");
    }
    if boxed {
        undone.push("Terraform box");
    }
    let text = lines
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Unwrapped { text, undone }
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some((before, after)) = rest.split_once('&') {
        out.push_str(before);
        // An entity is `&`, a name of at most nine bytes, and `;`.
        let entity = after
            .split_once(';')
            .filter(|(name, _)| name.len() < 10)
            .and_then(|(name, remaining)| {
                let c = match name {
                    "quot" => Some('"'),
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "apos" => Some('\''),
                    "nbsp" => Some(' '),
                    _ => name
                        .strip_prefix("#x")
                        .or_else(|| name.strip_prefix("#X"))
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                        .and_then(char::from_u32),
                };
                c.map(|c| (c, remaining))
            });
        match entity {
            Some((c, remaining)) => {
                out.push(c);
                rest = remaining;
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.peek().copied() {
            Some('n') | Some('r') => {
                it.next();
                out.push('\n');
            }
            Some('t') => {
                it.next();
                out.push(' ');
            }
            Some('"') | Some('/') | Some('\'') | Some('`') => {
                if let Some(n) = it.next() {
                    out.push(n);
                }
            }
            Some('\\') => {
                it.next();
                out.push('\\');
            }
            Some('u') => {
                let hex: String = it.clone().skip(1).take(4).collect();
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) if hex.len() == 4 => {
                        for _ in 0..5 {
                            it.next();
                        }
                        out.push(ch);
                    }
                    _ => out.push('\\'),
                }
            }
            _ => out.push('\\'),
        }
    }
    out
}

/// What the text around a message says about the call.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WrapperFacts {
    /// The error code (`AccessDenied`, `AccessDeniedException`, `UnauthorizedOperation`, `403`).
    pub error_code: Option<String>,
    /// The API operation the client called.
    pub operation: Option<String>,
    /// The service the client names (`S3`, `Amazon S3`, `Lambda`).
    pub service: Option<String>,
    /// The HTTP status.
    pub http_status: Option<u16>,
    /// An S3 location named around the message (`s3://bucket/key`, an S3 URL).
    pub s3_location: Option<(String, Option<String>)>,
}

fn rx(cell: &'static OnceLock<Option<Regex>>, pattern: &str) -> Option<&'static Regex> {
    cell.get_or_init(|| Regex::new(pattern).ok()).as_ref()
}

macro_rules! regex {
    ($p:expr) => {{
        static R: OnceLock<Option<Regex>> = OnceLock::new();
        rx(&R, $p)
    }};
}

/// The last match of `re` in `hay`, as its captures.
fn last<'h>(re: Option<&Regex>, hay: &'h str) -> Option<regex::Captures<'h>> {
    re?.captures_iter(hay).last()
}

/// Read the wrapper facts from `before` (the text up to the message) and `after` (the
/// trailer that follows it); the nearest occurrence before the message wins.
pub fn wrapper_facts(before: &str, after: &str) -> WrapperFacts {
    let mut f = WrapperFacts::default();
    let cli = regex!(
        r"(?:An error|A client error) (?:occurred )?\((?P<code>[A-Za-z0-9.]+)\) (?:occurred )?when calling the (?P<op>[A-Za-z0-9]+) operation"
    );
    let trail = regex!(r"\b(?P<op>[A-Z][A-Za-z0-9]+) errorCode[=:]\s*\x22?(?P<code>[A-Za-z0-9.]+)");
    let go = regex!(
        r"operation error (?P<svc>[A-Za-z0-9 .-]+?): (?P<op>[A-Za-z0-9]+), (?:exceeded maximum number of attempts, \d+, )?https response error StatusCode: (?P<status>\d{3})"
    );
    let go_code = regex!(r"api error (?P<code>[A-Za-z0-9.]+)(?::|$)");
    let java = regex!(
        r"\(Service: (?P<svc>[A-Za-z0-9 .-]+?)[;,] Status Code: (?P<status>\d{3})(?:[;,] Error Code: (?P<code>[^;,)]+))?"
    );
    let php = regex!(r#"Error executing "(?P<op>[A-Za-z0-9]+)" on "(?P<url>[^"]+)""#);
    let ruby = regex!(r"Aws::(?P<svc>[A-Za-z0-9]+)::Errors::(?P<code>[A-Za-z0-9]+)");
    let xml = regex!(r"<Code>(?P<code>[A-Za-z0-9.]+)</Code>");
    let json = regex!(
        r#"(?:^|[\s{,;"'(])["']?(?i:__type|code|name|type|errorType|errorCode|x-amzn-ErrorType)["']?\s*[:=]\s*["']?(?:[A-Za-z0-9.:]*#)?(?P<code>(?:AccessDenied[A-Za-z]*|[A-Za-z]*AccessDenied[A-Za-z]*|UnauthorizedOperation|AuthorizationError[A-Za-z]*|Forbidden|UnauthorizedAccess|NotAuthorized[A-Za-z]*|DENIED))\b"#
    );
    let name403 = regex!(r#"["']?name["']?\s*:\s*["'](?P<code>403)["']"#);
    let cfn = regex!(r"HandlerErrorCode: (?P<code>[A-Za-z0-9]+)");
    let prefix = regex!(
        r#"(?:^|[\s(.:"'=])(?P<code>(?:Client\.)?(?:AccessDenied(?:Exception)?|UnauthorizedOperation|AuthorizationError|[A-Z][A-Za-z]*AccessDenied[A-Za-z]*|AuthorizationError[A-Za-z]*))(?: \(client\))?: "#
    );
    let ticks = regex!(
        r"`(?P<code>[A-Za-z]*(?:AccessDenied|AuthorizationError)[A-Za-z]*|UnauthorizedOperation)`"
    );
    let event = regex!(
        r#"(?:"eventSource"\s*:\s*"(?P<svc>[a-z0-9-]+)\.amazonaws\.com"|\b(?P<svc2>[a-z0-9-]+)\.amazonaws\.com)[,\s]*(?:"eventName"\s*:\s*"|)(?P<op>[A-Z][A-Za-z0-9]+)\b"#
    );
    let status = regex!(
        r"(?:Status ?Code|status code|HTTP/[0-9.]+|statusCode)[:=]?\s*(?P<status>403|401)\b"
    );
    let dotnet = regex!(
        r"Amazon\.(?P<svc>[A-Za-z0-9]+)\.(?:Model\.)?(?P<code>[A-Za-z0-9]*(?:AccessDenied|Unauthorized)[A-Za-z0-9]*)(?:Exception)?\b"
    );

    if let Some(c) = last(cli, before) {
        f.error_code = c.name("code").map(|m| m.as_str().to_string());
        f.operation = c.name("op").map(|m| m.as_str().to_string());
    }
    if let Some(c) = last(trail, before) {
        f.operation.get_or_insert_with(|| c["op"].to_string());
        f.error_code.get_or_insert_with(|| c["code"].to_string());
    }
    if let Some(c) = last(go, before) {
        f.service.get_or_insert_with(|| c["svc"].to_string());
        f.operation.get_or_insert_with(|| c["op"].to_string());
        f.http_status = c["status"].parse().ok();
        if let Some(c) = last(go_code, before) {
            f.error_code.get_or_insert_with(|| c["code"].to_string());
        }
    }
    if let Some(c) = last(php, before) {
        f.operation.get_or_insert_with(|| c["op"].to_string());
        f.s3_location = f.s3_location.take().or_else(|| s3_from_url(&c["url"]));
    }
    for hay in [before, after] {
        if let Some(c) = java.and_then(|r| r.captures(hay)) {
            f.service.get_or_insert_with(|| c["svc"].to_string());
            if f.http_status.is_none() {
                f.http_status = c["status"].parse().ok();
            }
            if let Some(code) = c.name("code") {
                f.error_code
                    .get_or_insert_with(|| code.as_str().to_string());
            }
        }
    }
    let by_code = [ruby, cfn, xml, json, dotnet, prefix, ticks, name403];
    for re in by_code {
        if f.error_code.is_some() {
            break;
        }
        for hay in [before, after] {
            if let Some(c) = last(re, hay) {
                f.error_code = Some(c["code"].to_string());
                if let Some(s) = c.name("svc") {
                    f.service.get_or_insert_with(|| s.as_str().to_string());
                }
                break;
            }
        }
    }
    if f.operation.is_none() {
        if let Some(c) = last(event, before) {
            f.operation = Some(c["op"].to_string());
            let svc = c
                .name("svc")
                .or_else(|| c.name("svc2"))
                .map(|m| m.as_str().to_string());
            if f.service.is_none() {
                f.service = svc;
            }
        }
    }
    if f.http_status.is_none() {
        f.http_status = last(status, before)
            .or_else(|| last(status, after))
            .and_then(|c| c["status"].parse().ok());
    }
    if f.s3_location.is_none() {
        f.s3_location = s3_location(before);
    }
    f
}

/// An S3 URI or URL in `text`: bucket and optional key (the last one wins).
pub fn s3_location(text: &str) -> Option<(String, Option<String>)> {
    let uri = regex!(r"s3://(?P<b>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/(?P<k>[^\s'`<>\x22]*))?");
    let kwargs = regex!(
        r#"(?i:bucket)["']?\s*(?:=>|[:=])\s*["'](?P<b>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])["'](?:\s*,\s*(?i:key)["']?\s*(?:=>|[:=])\s*["'](?P<k>[^"']+)["'])?"#
    );
    let url = regex!(r"https?://[^\s`'\x22<>]+\.amazonaws\.com[^\s`'\x22<>]*");
    let mut found = None;
    if let Some(c) = last(uri, text) {
        let key = c
            .name("k")
            .map(|k| {
                k.as_str()
                    .trim_end_matches(['.', ',', ';', ')'])
                    .to_string()
            })
            .filter(|k| !k.is_empty());
        found = Some((c["b"].to_string(), key));
    }
    if found.is_none() {
        if let Some(c) = last(kwargs, text) {
            found = Some((
                c["b"].to_string(),
                c.name("k").map(|k| k.as_str().to_string()),
            ));
        }
    }
    if found.is_none() {
        let named = regex!(r#"(?i:s3 bucket) ?[("'](?P<b>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])[)"']"#);
        if let Some(c) = last(named, text) {
            found = Some((c["b"].to_string(), None));
        }
    }
    if found.is_none() {
        found = url
            .and_then(|r| r.find_iter(text).last())
            .and_then(|m| s3_from_url(m.as_str()));
    }
    found
}

/// Bucket and key of a virtual-hosted or path-style S3 URL.
fn s3_from_url(url: &str) -> Option<(String, Option<String>)> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let path = path.split(['?', '#']).next().unwrap_or("");
    let key_of = |p: &str| Some(p.to_string()).filter(|k| !k.is_empty());
    if let Some((bucket, _)) = host.split_once(".s3.").or_else(|| host.split_once(".s3-")) {
        return Some((bucket.to_string(), key_of(path)));
    }
    if host.starts_with("s3.") || host.starts_with("s3-") || host == "s3.amazonaws.com" {
        let (b, k) = path.split_once('/').unwrap_or((path, ""));
        if !b.is_empty() {
            return Some((b.to_string(), key_of(k)));
        }
    }
    None
}

/// The end of a message: where a known trailer begins.
const TRAILERS: &[&str] = &[
    " (Service:",
    " (Service ",
    " status code:",
    " status code: ",
    " Status Code:",
    ", Request ID",
    " Request ID:",
    " RequestId:",
    " request id:",
    "</Message>",
    " Traceback ",
    "\"}",
    "\"]",
    "', ",
    " (RequestToken:",
    " (Request ID",
    " - <?xml",
    " ---> ",
    " at com.",
    " at software.",
    " at Amazon.",
    " in /",
];

/// Cut `s` at the first trailer; returns the message part and what was cut.
pub fn cut_trailer(s: &str) -> (&str, Option<&str>) {
    let cut = TRAILERS.iter().filter_map(|t| s.find(t)).min();
    match cut.and_then(|i| s.split_at_checked(i)) {
        Some((head, trailer)) => (head, Some(trailer.trim())),
        None => (s, None),
    }
}

/// Characters around a token that belong to the wrapper, not to the value.
pub fn clean_token(t: &str) -> &str {
    // Quotes and tags never occur inside ARNs or action names: cut at the first one.
    let t = t.trim_start_matches(['"', '\'', '`', '(', '[', '{']);
    let t = t
        .find(['"', '`'])
        .or_else(|| t.find("</"))
        .filter(|&i| i > 0)
        .and_then(|i| t.get(..i))
        .unwrap_or(t);
    let mut t = t;
    loop {
        let before = t;
        t = t.trim_end_matches(['\'', ',', ';', '\\']);
        for (open, close) in [('(', ')'), ('[', ']'), ('{', '}'), ('<', '>')] {
            if let Some(shorter) = t
                .strip_suffix(close)
                .filter(|_| t.matches(open).count() < t.matches(close).count())
            {
                t = shorter;
            }
        }
        if t == before {
            break;
        }
    }
    // A sentence-final period, unless the value itself ends in `..`.
    t.strip_suffix('.')
        .filter(|x| !x.ends_with('.'))
        .unwrap_or(t)
}

/// True for principals AWS never prints: masked, redacted, or not of a documented form
/// (an IAM user/role/root or an STS assumed-role/federated-user ARN with a 12-digit account,
/// a service principal, `anonymous`).
pub fn is_masked_principal(p: &str) -> bool {
    if !p.starts_with("arn:") {
        return (p.contains(' ') || !p.contains('.')) && p != "anonymous";
    }
    let mut parts = p.splitn(6, ':');
    let (_, _, service, _, account, resource) = (
        parts.next(),
        parts.next(),
        parts.next().unwrap_or(""),
        parts.next(),
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
    );
    let ok_account = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    let ok_form = match service {
        "iam" => {
            resource == "root" || resource.starts_with("user/") || resource.starts_with("role/")
        }
        "sts" => resource.starts_with("assumed-role/") || resource.starts_with("federated-user/"),
        _ => false,
    };
    let x_run = p.contains("xxxx") || p.contains("XXXX");
    !ok_account || !ok_form || x_run || p.contains(['*', '<', '>', '[', ']', '{', '}'])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn unwraps_entities_escapes_quotes_and_boxes() {
        let u = unwrap("&quot;User: a&quot; &amp; b");
        assert_eq!(u.text, "\"User: a\" & b");
        let u = unwrap("{\"Message\":\"User: arn:x is not\\nauthorized \\\"q\\\"\"}");
        assert_eq!(
            u.text,
            "{\"Message\":\"User: arn:x is not authorized \"q\"\"}"
        );
        let u = unwrap("> line one\n> line two\n->arrow");
        assert_eq!(u.text, "line one line two ->arrow");
        let u = unwrap("╷\n│ Error: x\n│ y\n╵");
        assert_eq!(u.text, "Error: x y");
        assert!(u.undone.contains(&"Terraform box"));
    }

    #[test]
    fn wrapper_facts_of_each_sdk() {
        let f = wrapper_facts(
            "An error occurred (AccessDenied) when calling the GetObject operation: ",
            "",
        );
        assert_eq!(f.error_code.as_deref(), Some("AccessDenied"));
        assert_eq!(f.operation.as_deref(), Some("GetObject"));
        let f = wrapper_facts("operation error S3: GetObject, https response error StatusCode: 403, RequestID: X, HostID: Y=, api error AccessDenied: ", "");
        assert_eq!(f.service.as_deref(), Some("S3"));
        assert_eq!(f.http_status, Some(403));
        assert_eq!(f.error_code.as_deref(), Some("AccessDenied"));
        let f = wrapper_facts(
            "",
            " (Service: Amazon S3; Status Code: 403; Error Code: AccessDenied; Request ID: X)",
        );
        assert_eq!(f.error_code.as_deref(), Some("AccessDenied"));
        assert_eq!(f.service.as_deref(), Some("Amazon S3"));
    }

    #[test]
    fn s3_locations() {
        assert_eq!(
            s3_location("aws s3 cp s3://my-bucket/a/b.txt ."),
            Some(("my-bucket".into(), Some("a/b.txt".into())))
        );
        assert_eq!(
            s3_from_url("https://b1.s3.eu-west-1.amazonaws.com/k/x.webp"),
            Some(("b1".into(), Some("k/x.webp".into())))
        );
        assert_eq!(
            s3_from_url("https://s3.us-east-1.amazonaws.com/b2/k"),
            Some(("b2".into(), Some("k".into())))
        );
    }

    #[test]
    fn trailers_are_cut() {
        let (m, cut) = cut_trailer("Access Denied (Service: Amazon S3; Status Code: 403)");
        assert_eq!(m, "Access Denied");
        assert!(cut.is_some());
        assert_eq!(clean_token("\"arn:aws:s3:::b/k\"}"), "arn:aws:s3:::b/k");
        assert_eq!(
            clean_token("arn:aws:sqs:us-east-1:1:"),
            "arn:aws:sqs:us-east-1:1:"
        );
        assert_eq!(clean_token("s3:ListAllMyBuckets."), "s3:ListAllMyBuckets");
    }
}
