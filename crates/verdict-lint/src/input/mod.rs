//! Inputs: files, directories and stdin in JSON, YAML or JSON Lines, and the policies
//! inside them — plain policy documents, CloudFormation templates, Terraform plans
//! (`terraform show -json`) and AWS API responses that wrap a document.

pub mod cloudformation;
pub mod intrinsics;
pub mod spanmap;
pub mod terraform;

use spanmap::{decode_json_string, SpanMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use verdict_policy::json::{Json, JsonKind};
use verdict_policy::{Diagnostic, PolicyType, SourceFile, Span};

/// Where a policy is attached; decides its size quota.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    /// A standalone document: the quota follows the policy type.
    Standalone,
    /// A customer managed policy (6,144 characters).
    ManagedPolicy,
    /// An inline policy of an IAM user (2,048 characters).
    UserInline,
    /// An inline policy of an IAM group (5,120 characters).
    GroupInline,
    /// An inline policy of an IAM role (10,240 characters).
    RoleInline,
    /// A role trust policy (2,048 characters by default).
    RoleTrust,
    /// An S3 bucket policy (20 KB).
    S3Bucket,
    /// A KMS key policy (32 KB).
    KmsKey,
    /// Some other resource-based policy (no quota checked).
    OtherResource,
    /// An AWS managed policy (AWS's own quotas apply; not checked).
    AwsManaged,
}

/// A policy type suggested by the context the policy was found in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypeHint {
    /// The type.
    pub policy_type: PolicyType,
    /// Why, for `--verbose`.
    pub reason: String,
}

impl TypeHint {
    /// A hint with its reason.
    pub fn new(policy_type: PolicyType, reason: impl Into<String>) -> TypeHint {
        TypeHint {
            policy_type,
            reason: reason.into(),
        }
    }
}

/// The content of one policy found in an input.
#[derive(Clone, Debug)]
pub enum Body {
    /// A JSON tree whose spans refer to `source`; `map` leads back to the outer file.
    Tree {
        /// The document.
        tree: Json,
        /// The text the spans refer to (the outer file, or a decoded string).
        source: Arc<SourceFile>,
        /// How to reach outer positions.
        map: SpanMap,
    },
    /// The text could not be read as JSON or YAML.
    Invalid {
        /// What went wrong (spans in `source`).
        diagnostic: Diagnostic,
        /// The text the diagnostic refers to.
        source: Arc<SourceFile>,
        /// How to reach outer positions.
        map: SpanMap,
    },
    /// The file itself is the finding: unreadable, not UTF-8, or no policy where one
    /// was looked for. Nothing is skipped in silence.
    Issue {
        /// The rule.
        rule: &'static crate::rule::Rule,
        /// Where, in the outer file.
        span: Span,
        /// What happened.
        message: String,
        /// What to do.
        help: Option<String>,
    },
    /// The policy is not known yet (Terraform: computed at apply time).
    Unknown {
        /// Where the plan says so, in the outer file.
        span: Span,
        /// What is unknown.
        what: String,
    },
}

/// One policy to lint, with where it came from.
#[derive(Clone, Debug)]
pub struct PolicyUnit {
    /// The file as read (positions in findings refer to it).
    pub file: Arc<SourceFile>,
    /// Where in the file: empty for a plain policy file, else a path such as
    /// `Resources.AppRole.Properties.AssumeRolePolicyDocument`.
    pub label: String,
    /// The policy.
    pub body: Body,
    /// A policy type implied by the container (trust for `AssumeRolePolicyDocument`, …).
    pub hint: Option<TypeHint>,
    /// Where it is attached, for the size quota.
    pub container: Container,
    /// Spans (in the body's source) of values that are unresolved placeholders.
    pub placeholders: Vec<Span>,
    /// The resource the policy is attached to, when the container names it.
    pub resource_kind: Option<crate::resource_kind::ResourceKind>,
}

impl PolicyUnit {
    /// A unit for a policy held as a JSON tree with spans in `file`.
    pub fn from_tree(file: &Arc<SourceFile>, label: impl Into<String>, tree: Json) -> PolicyUnit {
        PolicyUnit {
            resource_kind: None,
            file: file.clone(),
            label: label.into(),
            body: Body::Tree {
                tree,
                source: file.clone(),
                map: SpanMap::Identity,
            },
            hint: None,
            container: Container::Standalone,
            placeholders: Vec::new(),
        }
    }

    /// Set the type hint.
    pub fn with_hint(mut self, hint: Option<TypeHint>) -> PolicyUnit {
        self.hint = hint;
        self
    }

    /// Set the container.
    pub fn with_container(mut self, container: Container) -> PolicyUnit {
        self.container = container;
        self
    }
}

/// Build a unit from a node that holds a policy: an object, or a string with the
/// policy's JSON text (decoded with exact positions when the outer file is JSON).
pub fn unit_from_node(
    file: &Arc<SourceFile>,
    label: String,
    node: &Json,
    outer_is_json: bool,
) -> PolicyUnit {
    match &node.kind {
        JsonKind::String(s) => {
            let raw = file.slice(node.span);
            let decoded = if outer_is_json {
                decode_json_string(raw, node.span.start).filter(|(t, _)| t == s)
            } else {
                None
            };
            let (map, name) = match decoded {
                Some((_, table)) => (
                    SpanMap::Table(Arc::new(table)),
                    format!("{} ({label})", file.name()),
                ),
                None => {
                    // YAML strings: exact when the scalar is written verbatim.
                    let at = raw
                        .find(s.as_str())
                        .filter(|_| !s.is_empty() && !s.contains('\n'));
                    match at {
                        Some(off) => (
                            SpanMap::Offset(node.span.start + off),
                            format!("{} ({label})", file.name()),
                        ),
                        None => (
                            SpanMap::Opaque(node.span),
                            format!("{} ({label})", file.name()),
                        ),
                    }
                }
            };
            let inner = SourceFile::new(name, s.clone());
            let body = match verdict_policy::json::parse(&inner) {
                Ok(tree) => Body::Tree {
                    tree,
                    source: inner,
                    map,
                },
                Err(diagnostic) => Body::Invalid {
                    diagnostic,
                    source: inner,
                    map,
                },
            };
            PolicyUnit {
                resource_kind: None,
                file: file.clone(),
                label,
                body,
                hint: None,
                container: Container::Standalone,
                placeholders: Vec::new(),
            }
        }
        _ => PolicyUnit::from_tree(file, label, node.clone()),
    }
}

/// The syntax of an input file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// JSON.
    Json,
    /// YAML (also CloudFormation YAML templates).
    Yaml,
    /// JSON Lines: one document per line.
    JsonLines,
}

impl Syntax {
    /// Guess from the file name, then from the first non-blank character.
    pub fn detect(name: &str, text: &str) -> Syntax {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".jsonl") || lower.ends_with(".ndjson") {
            return Syntax::JsonLines;
        }
        if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            return Syntax::Yaml;
        }
        if lower.ends_with(".json") {
            return Syntax::Json;
        }
        match text.trim_start().chars().next() {
            Some('{') | Some('[') | Some('"') | Some('%') => Syntax::Json,
            _ => Syntax::Yaml,
        }
    }
}

/// What an input turned out to contain.
#[derive(Clone, Debug, Default)]
pub struct Extraction {
    /// The policies found.
    pub units: Vec<PolicyUnit>,
    /// What kind of document it was (`policy`, `CloudFormation template`, …).
    pub kind: String,
}

/// Find the policies in `file`. With `explicit` (the user named this file), a
/// document that matches no known shape is linted as a policy; otherwise (found by a
/// directory walk) it is skipped.
pub fn extract(file: &Arc<SourceFile>, explicit: bool) -> Extraction {
    if is_hcl(file.name()) {
        return hcl(file, explicit);
    }
    match Syntax::detect(file.name(), file.text()) {
        Syntax::JsonLines => extract_jsonl(file),
        Syntax::Json => match verdict_policy::json::parse(file) {
            Ok(tree) => extract_tree(file, tree, true, explicit),
            Err(diagnostic) => invalid(file, diagnostic, explicit),
        },
        Syntax::Yaml => match verdict_policy::yaml::parse_yaml(file) {
            Ok(docs) => {
                let mut out = Extraction::default();
                let many = docs.len() > 1;
                for (i, doc) in docs.into_iter().enumerate() {
                    if matches!(doc.kind, JsonKind::Null) {
                        continue;
                    }
                    let mut e = extract_tree(file, doc, false, explicit);
                    if many {
                        for u in &mut e.units {
                            u.label = if u.label.is_empty() {
                                format!("document {}", i + 1)
                            } else {
                                format!("document {}: {}", i + 1, u.label)
                            };
                        }
                    }
                    out.kind = e.kind;
                    out.units.extend(e.units);
                }
                out
            }
            Err(diagnostic) => invalid(file, diagnostic, explicit),
        },
    }
}

/// A unit whose only finding is about the file.
pub fn issue_unit(
    file: &Arc<SourceFile>,
    rule: &'static crate::rule::Rule,
    message: impl Into<String>,
    help: Option<String>,
) -> PolicyUnit {
    PolicyUnit {
        resource_kind: None,
        file: file.clone(),
        label: String::new(),
        body: Body::Issue {
            rule,
            span: Span::new(0, 0),
            message: message.into(),
            help,
        },
        hint: None,
        container: Container::Standalone,
        placeholders: Vec::new(),
    }
}

/// Terraform or other HCL configuration, which Verdict does not parse.
fn is_hcl(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with(".tf") || n.ends_with(".hcl")
}

/// An HCL file: its policies are not read, and a file that holds IAM-bearing
/// resources says so (W113) instead of passing in silence. Walked HCL files without
/// any are not reported.
fn hcl(file: &Arc<SourceFile>, explicit: bool) -> Extraction {
    let t = file.text();
    let iam = ["aws_iam_", "policy", "assume_role"]
        .iter()
        .any(|k| t.contains(k));
    let help = Some("lint the plan instead: terraform plan -out plan.out && terraform show -json plan.out > plan.json && verdict lint plan.json (or `terraform show -json` of the state)".to_string());
    let units = if iam {
        vec![issue_unit(
            file,
            &crate::rules::semantics::NO_POLICY_READ,
            "Terraform configuration in HCL holds IAM-bearing resources, but Verdict reads Terraform as JSON (plan or state), not HCL: these policies were not checked",
            help,
        )]
    } else if explicit {
        vec![issue_unit(
            file,
            &crate::rules::style::NOT_A_POLICY,
            "Terraform configuration in HCL, with no IAM-bearing resource; Verdict reads Terraform as JSON (plan or state), not HCL",
            help,
        )]
    } else {
        Vec::new()
    };
    Extraction {
        units,
        kind: "terraform-hcl".into(),
    }
}

/// A file that could not be read at all (I/O error, not UTF-8), as its own finding.
pub fn unreadable(err: &InputError) -> Extraction {
    let file = SourceFile::new(err.path.display().to_string(), String::new());
    Extraction {
        units: vec![issue_unit(
            &file,
            &crate::rules::grammar::UNREADABLE_FILE,
            err.message.clone(),
            err.help.clone(),
        )],
        kind: "unreadable".into(),
    }
}

fn invalid(file: &Arc<SourceFile>, diagnostic: Diagnostic, _explicit: bool) -> Extraction {
    // Found by a directory walk or named: a file that does not parse is a finding,
    // never a silent skip (a CI gate would pass what it never read).
    Extraction {
        units: vec![PolicyUnit {
            resource_kind: None,
            file: file.clone(),
            label: String::new(),
            body: Body::Invalid {
                diagnostic,
                source: file.clone(),
                map: SpanMap::Identity,
            },
            hint: None,
            container: Container::Standalone,
            placeholders: Vec::new(),
        }],
        kind: "unreadable".into(),
    }
}

/// True for an object that looks like a policy document.
pub fn looks_like_policy(tree: &Json) -> bool {
    match tree.as_object() {
        Some(m) => m.iter().any(|m| m.key == "Statement"),
        None => false,
    }
}

fn extract_tree(file: &Arc<SourceFile>, tree: Json, is_json: bool, explicit: bool) -> Extraction {
    if looks_like_policy(&tree) {
        return Extraction {
            units: vec![PolicyUnit::from_tree(file, "", tree)],
            kind: "policy".into(),
        };
    }
    if cloudformation::is_template(&tree) {
        let mut units = cloudformation::extract(file, &tree, is_json);
        if units.is_empty() {
            units.push(nothing_read(
                file,
                "CloudFormation template",
                cloudformation::iam_resources(&tree),
            ));
        }
        return Extraction {
            units,
            kind: "CloudFormation template".into(),
        };
    }
    if terraform::is_plan(&tree) {
        let mut units = terraform::extract(file, &tree);
        let kind = if tree.get("resource_changes").is_some() || tree.get("planned_values").is_some()
        {
            "Terraform plan"
        } else {
            "Terraform state"
        };
        if units.is_empty() {
            units.push(nothing_read(file, kind, terraform::iam_resources(&tree)));
        }
        return Extraction {
            units,
            kind: kind.into(),
        };
    }
    let mut units = Vec::new();
    find_wrapped(file, &tree, String::new(), is_json, 0, &mut units);
    if !units.is_empty() {
        return Extraction {
            units,
            kind: "document with embedded policies".into(),
        };
    }
    if explicit {
        return Extraction {
            units: vec![unit_from_node(file, String::new(), &tree, is_json)],
            kind: "policy".into(),
        };
    }
    Extraction {
        units: vec![issue_unit(
            file,
            &crate::rules::style::NOT_A_POLICY,
            "the file holds no policy document, CloudFormation template or Terraform plan, so nothing in it was checked",
            Some("name it explicitly to lint it as a policy, or exclude it from the directory".into()),
        )],
        kind: "no policy found".into(),
    }
}

/// A recognised IaC file from which no policy could be read.
fn nothing_read(file: &Arc<SourceFile>, kind: &str, iam: Vec<String>) -> PolicyUnit {
    if iam.is_empty() {
        return issue_unit(
            file,
            &crate::rules::style::NOT_A_POLICY,
            format!("the {kind} holds no IAM-bearing resource, so no policy in it was checked"),
            None,
        );
    }
    let shown: Vec<&str> = iam.iter().take(5).map(String::as_str).collect();
    let more = iam.len().saturating_sub(shown.len());
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    issue_unit(
        file,
        &crate::rules::semantics::NO_POLICY_READ,
        format!("the {kind} has IAM-bearing resources ({}{more}) but no policy could be read from any of them, so nothing was checked", shown.join(", ")),
        Some("for Terraform, lint `terraform show -json` of a plan whose policies are known (see W111); for CloudFormation, resolve the policy documents or inline them".into()),
    )
}

/// Keys under which AWS API responses and exports keep policy documents.
const WRAPPER_KEYS: &[(&str, Option<PolicyType>)] = &[
    ("AssumeRolePolicyDocument", Some(PolicyType::Trust)),
    ("PolicyDocument", None),
    ("Document", None),
    ("document", None),
    ("Policy", None),
    ("policy", None),
    ("KeyPolicy", Some(PolicyType::Resource)),
    ("ResourcePolicy", Some(PolicyType::Resource)),
    ("PolicyText", None),
];

fn holds_policy(node: &Json) -> bool {
    match &node.kind {
        JsonKind::Object(_) => looks_like_policy(node),
        JsonKind::String(s) => s.contains("Statement") && s.trim_start().starts_with('{'),
        _ => false,
    }
}

fn find_wrapped(
    file: &Arc<SourceFile>,
    node: &Json,
    path: String,
    is_json: bool,
    depth: usize,
    out: &mut Vec<PolicyUnit>,
) {
    if depth > 12 || out.len() > 100_000 {
        return;
    }
    match &node.kind {
        JsonKind::Object(members) => {
            for m in members {
                let p = if path.is_empty() {
                    m.key.clone()
                } else {
                    format!("{path}.{}", m.key)
                };
                if let Some((_, ty)) = WRAPPER_KEYS.iter().find(|(k, _)| *k == m.key) {
                    if holds_policy(&m.value) {
                        let hint =
                            ty.map(|t| TypeHint::new(t, format!("found under \"{}\"", m.key)));
                        out.push(unit_from_node(file, p, &m.value, is_json).with_hint(hint));
                        continue;
                    }
                }
                find_wrapped(file, &m.value, p, is_json, depth + 1, out);
            }
        }
        JsonKind::Array(items) => {
            for (i, it) in items.iter().enumerate() {
                find_wrapped(file, it, format!("{path}[{i}]"), is_json, depth + 1, out);
            }
        }
        _ => {}
    }
}

fn extract_jsonl(file: &Arc<SourceFile>) -> Extraction {
    let mut units = Vec::new();
    let mut offset = 0;
    for (n, line) in file.text().split_inclusive('\n').enumerate() {
        let base = offset;
        offset += line.len();
        let trimmed = line.trim_end();
        if trimmed.trim().is_empty() {
            continue;
        }
        let inner = SourceFile::new(format!("{}:{}", file.name(), n + 1), trimmed.to_string());
        let label_base = format!("line {}", n + 1);
        match verdict_policy::json::parse(&inner) {
            Ok(tree) => {
                let mut found = Vec::new();
                if looks_like_policy(&tree) {
                    found.push((label_base.clone(), tree.clone(), None));
                } else {
                    let name = tree.get("name").and_then(Json::as_str).map(str::to_string);
                    let aws_managed = tree
                        .get("arn")
                        .and_then(Json::as_str)
                        .is_some_and(|a| a.contains(":iam::aws:policy/"));
                    let mut sub = Vec::new();
                    find_wrapped(&inner, &tree, String::new(), true, 0, &mut sub);
                    for mut u in sub {
                        if aws_managed {
                            u.container = Container::AwsManaged;
                        }
                        let label = match &name {
                            Some(nm) => format!("{label_base} ({nm}): {}", u.label),
                            None => format!("{label_base}: {}", u.label),
                        };
                        found.push((
                            label,
                            Json {
                                kind: JsonKind::Null,
                                span: Span::default(),
                            },
                            Some(u),
                        ));
                    }
                }
                for (label, tree, unit) in found {
                    let mut u = match unit {
                        Some(u) => u,
                        None => PolicyUnit::from_tree(&inner, "", tree),
                    };
                    u.label = label;
                    u.file = file.clone();
                    u.body = match u.body {
                        Body::Tree { tree, source, map } => Body::Tree {
                            tree,
                            source,
                            map: shift(map, base),
                        },
                        Body::Invalid {
                            diagnostic,
                            source,
                            map,
                        } => Body::Invalid {
                            diagnostic,
                            source,
                            map: shift(map, base),
                        },
                        other => other,
                    };
                    units.push(u);
                }
            }
            Err(diagnostic) => units.push(PolicyUnit {
                resource_kind: None,
                file: file.clone(),
                label: label_base,
                body: Body::Invalid {
                    diagnostic,
                    source: inner,
                    map: SpanMap::Offset(base),
                },
                hint: None,
                container: Container::Standalone,
                placeholders: Vec::new(),
            }),
        }
    }
    Extraction {
        units,
        kind: "JSON Lines".into(),
    }
}

fn shift(map: SpanMap, base: usize) -> SpanMap {
    match map {
        SpanMap::Identity => SpanMap::Offset(base),
        SpanMap::Offset(o) => SpanMap::Offset(o + base),
        SpanMap::Table(t) => SpanMap::Table(Arc::new(t.iter().map(|x| x + base).collect())),
        SpanMap::Opaque(s) => SpanMap::Opaque(Span::new(s.start + base, s.end + base)),
    }
}

/// An input that could not be read.
#[derive(Debug)]
pub struct InputError {
    /// The path.
    pub path: PathBuf,
    /// Why.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for InputError {}

/// File extensions a directory walk picks up.
pub const EXTENSIONS: &[&str] = &[
    "json", "yaml", "yml", "jsonl", "ndjson", "template", "tf", "hcl",
];

/// Expand `paths` (files and directories; `-` is stdin and is passed through) into
/// files, each with whether the user named it. Directories are walked recursively,
/// in sorted order, skipping hidden entries and `node_modules`, `target`,
/// `.terraform`.
pub fn collect_files(paths: &[PathBuf]) -> Result<Vec<(PathBuf, bool)>, InputError> {
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push((p.clone(), true));
            continue;
        }
        let meta = std::fs::metadata(p).map_err(|e| InputError {
            path: p.clone(),
            message: e.to_string(),
            help: None,
        })?;
        if meta.is_dir() {
            walk(p, &mut out)?;
        } else {
            out.push((p.clone(), true));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<(PathBuf, bool)>) -> Result<(), InputError> {
    let rd = std::fs::read_dir(dir).map_err(|e| InputError {
        path: dir.to_path_buf(),
        message: e.to_string(),
        help: None,
    })?;
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with('.') || matches!(name, "node_modules" | "target") {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase)
                .unwrap_or_default();
            if EXTENSIONS.contains(&ext.as_str()) && !name.ends_with(".snap") {
                out.push((path, false));
            }
        }
    }
    Ok(())
}

/// Read a file (or stdin for `-`) into a [`SourceFile`] named as the path was given.
pub fn read_source(path: &Path, stdin_name: &str) -> Result<Arc<SourceFile>, InputError> {
    let err = |e: std::io::Error| InputError {
        path: path.to_path_buf(),
        message: format!("cannot read the file: {e}"),
        help: None,
    };
    if path.as_os_str() == "-" {
        use std::io::Read;
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(err)?;
        return Ok(SourceFile::new(stdin_name, s));
    }
    let bytes = std::fs::read(path).map_err(err)?;
    let text = String::from_utf8(bytes).map_err(|e| InputError {
        path: path.to_path_buf(),
        message: format!("the file is not UTF-8 text: {}", encoding_of(e.as_bytes(), e.utf8_error())),
        help: Some("save it as UTF-8 (PowerShell: `Out-File -Encoding utf8`, or `iconv -f UTF-16 -t UTF-8`); AWS reads policies as UTF-8".into()),
    })?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    Ok(SourceFile::new(path.display().to_string(), text))
}

/// Name the encoding of bytes that are not UTF-8.
fn encoding_of(bytes: &[u8], e: std::str::Utf8Error) -> String {
    match bytes {
        [0xFF, 0xFE, 0, 0, ..] => "it is UTF-32LE (byte-order mark FF FE 00 00)".into(),
        [0xFF, 0xFE, ..] => "it is UTF-16LE (byte-order mark FF FE, as PowerShell writes)".into(),
        [0xFE, 0xFF, ..] => "it is UTF-16BE (byte-order mark FE FF)".into(),
        _ => {
            let zeros = bytes.iter().take(200).filter(|b| **b == 0).count();
            if zeros > 20 {
                return "it looks like UTF-16 without a byte-order mark (many zero bytes)".into();
            }
            let at = e.valid_up_to();
            let b = bytes.get(at).copied().unwrap_or(0);
            format!(
                "byte 0x{b:02X} at offset {at} is not valid UTF-8 (Latin-1 or Windows-1252 text?)"
            )
        }
    }
}
