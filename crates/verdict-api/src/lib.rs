//! One JSON-in/JSON-out layer for every Verdict front end.
//!
//! A front end (the `verdict` CLI today, an HTTP server next) reads files and hands
//! their text in; this crate does no file I/O. A [`Call`] names a command and its
//! arguments; [`handle`] answers it with a [`Response`]: `{"ok": …}` with the command's
//! JSON result, or `{"errors": [...]}` with positioned diagnostics. Every response
//! carries `schema_version` and the `tool` block, and echoes the call's `id`.
//!
//! ```
//! let call = r#"{"command": "keys", "target": "aws"}"#;
//! let response = verdict_api::handle_json(call);
//! assert!(response.is_ok());
//! ```
//!
//! The result shapes are the ones `verdict … --format json` prints (`docs/schemas/`);
//! the call shapes are in `docs/schemas/api-call.schema.json`.

pub mod catalog;
pub mod compare;
pub mod explain;
pub mod lint;
pub mod org;
pub mod simulate;
pub mod test;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;
use verdict_policy::{Diagnostic, ErrorCode, SourceFile, Span};

/// Version of the JSON output shapes (`docs/schemas/`); bumped only on a breaking change.
pub const SCHEMA_VERSION: u32 = 1;

/// The largest call [`handle_json`] accepts (the documents it carries included).
pub const MAX_CALL_BYTES: usize = 64 << 20;

/// The `"tool"` block: the Verdict version and the embedded catalog's data version.
pub fn tool() -> Value {
    serde_json::json!({
        "name": "verdict",
        "version": env!("CARGO_PKG_VERSION"),
        "catalog": verdict_catalog::data_version_line(),
    })
}

/// Add `schema_version` and the `tool` block to a JSON output object.
pub fn stamp(v: &mut Value) {
    if let Some(obj) = v.as_object_mut() {
        obj.insert("schema_version".into(), SCHEMA_VERSION.into());
        obj.insert("tool".into(), tool());
    }
}

/// A text the front end read: a file's contents and the name to report it by.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    /// The path or label shown in diagnostics (`<call>` when not given).
    #[serde(default = "default_name")]
    pub name: String,
    /// The contents.
    pub text: String,
}

fn default_name() -> String {
    "<call>".into()
}

impl Document {
    /// A document named `name` holding `text`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Document {
        Document {
            name: name.into(),
            text: text.into(),
        }
    }

    /// The document as a source file for the parsers (a leading byte-order mark dropped).
    pub fn source(&self) -> Arc<SourceFile> {
        let text = self.text.strip_prefix('\u{feff}').unwrap_or(&self.text);
        SourceFile::new(self.name.clone(), text)
    }
}

/// A policy in a call: a document (`{"name", "text"}`), a policy object, or its text.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum PolicyInput {
    /// A file's text and name.
    Document(Document),
    /// The policy itself, or its text as a JSON string.
    Inline(Value),
}

impl PolicyInput {
    /// The policy as a document; an inline one is named `label`.
    pub fn document(&self, label: &str) -> Document {
        match self {
            PolicyInput::Document(d) => d.clone(),
            PolicyInput::Inline(Value::String(text)) => Document::new(label, text.clone()),
            PolicyInput::Inline(v) => {
                Document::new(label, serde_json::to_string_pretty(v).unwrap_or_default())
            }
        }
    }

    /// The policy as a JSON value (a document's text parsed, with a positioned error).
    pub fn value(&self, label: &str) -> Result<Value, Vec<Diagnostic>> {
        match self {
            PolicyInput::Inline(v) if !v.is_string() => Ok(v.clone()),
            _ => {
                let src = self.document(label).source();
                verdict_policy::json::parse(&src).map_err(|d| vec![d])?;
                serde_json::from_str(src.text()).map_err(|e| {
                    vec![Diagnostic::new(ErrorCode::JsonSyntax, e.to_string())
                        .at(&src, Span::new(0, 0))]
                })
            }
        }
    }
}

/// One call: a command and its arguments, with an optional `id` the response echoes.
#[derive(Debug, Deserialize)]
pub struct Call {
    /// Any JSON value; returned unchanged in the response, to pair answers with calls.
    #[serde(default)]
    pub id: Option<Value>,
    /// What to do.
    #[serde(flatten)]
    pub command: Command,
}

/// The commands a call may name (`"command": "simulate"`, …).
#[derive(Debug, Deserialize)]
#[serde(tag = "command", rename_all = "kebab-case")]
pub enum Command {
    /// Decide a scenario, or AWS-CLI-style fields (`verdict simulate`).
    Simulate(simulate::SimulateCall),
    /// Run scenarios that carry an `expect` (`verdict test`).
    Test(test::TestCall),
    /// Explain an AccessDenied (`verdict explain`).
    Explain(Box<explain::ExplainCall>),
    /// Validate policies (`verdict lint`).
    Lint(lint::LintCall),
    /// The actions that patterns match (`verdict actions`).
    Actions(catalog::ActionsCall),
    /// One action's catalog entry (`verdict action`).
    Action(catalog::ActionCall),
    /// Condition keys of a service, an action or `aws` (`verdict keys`).
    Keys(catalog::KeysCall),
    /// Compare two policies, with a request for each difference (`verdict diff`).
    Diff(compare::DiffCall),
    /// A pull-request gate on a policy (`verdict check`).
    Check(compare::CheckCall),
    /// Every caller of a snapshot that may do an action on a resource (`verdict who-can`).
    WhoCan(org::WhoCanCall),
    /// What one principal of a snapshot may do (`verdict can --principal`).
    Can(org::CanCall),
    /// Privilege-escalation paths in a snapshot (`verdict escalation`).
    Escalation(org::EscalationCall),
}

/// What a call produced: its result, or why it could not be answered.
#[derive(Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The command's JSON result (the shape its `--format json` prints).
    Ok(Value),
    /// Input errors, each with code, message, help, file, line and column.
    Errors(Vec<Diagnostic>),
}

/// The answer to one call: `{"schema_version", "tool", "id"?, "ok" | "errors"}`.
#[derive(Debug, Serialize)]
pub struct Response {
    /// Version of the output shapes.
    pub schema_version: u32,
    /// Verdict and catalog versions.
    pub tool: Value,
    /// The call's `id`, when it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    /// The result or the errors.
    #[serde(flatten)]
    pub outcome: Outcome,
}

impl Response {
    fn new(id: Option<Value>, outcome: Outcome) -> Response {
        Response {
            schema_version: SCHEMA_VERSION,
            tool: tool(),
            id,
            outcome,
        }
    }

    /// Did the call succeed?
    pub fn is_ok(&self) -> bool {
        matches!(self.outcome, Outcome::Ok(_))
    }

    /// The response as one line of JSON.
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Answer a call.
pub fn handle(call: Call) -> Response {
    let outcome = match call.command {
        Command::Simulate(c) => simulate::run(&c),
        Command::Test(c) => Ok(test::run(&c)),
        Command::Explain(c) => explain::run(&c),
        Command::Lint(c) => lint::run(&c),
        Command::Actions(c) => catalog::actions(&c),
        Command::Action(c) => catalog::action(&c),
        Command::Keys(c) => catalog::keys(&c),
        Command::Diff(c) => compare::diff(&c),
        Command::Check(c) => compare::check(&c),
        Command::WhoCan(c) => org::who_can(&c),
        Command::Can(c) => org::can(&c),
        Command::Escalation(c) => org::escalation(&c),
    };
    Response::new(
        call.id,
        match outcome {
            Ok(v) => Outcome::Ok(v),
            Err(d) => Outcome::Errors(d),
        },
    )
}

/// Read a call from JSON text (named `<call>` in diagnostics) and answer it.
pub fn handle_json(text: &str) -> Response {
    handle_named("<call>", text)
}

/// As [`handle_json`], naming the text `name` in diagnostics (a file, `<stdin> line 3`).
pub fn handle_named(name: &str, text: &str) -> Response {
    match parse_call(name, text) {
        Ok(call) => handle(call),
        Err(d) => Response::new(best_effort_id(text), Outcome::Errors(vec![d])),
    }
}

/// Parse a call, with a positioned diagnostic when it is not one.
pub fn parse_call(name: &str, text: &str) -> Result<Call, Diagnostic> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let src = SourceFile::new(name, text);
    if text.len() > MAX_CALL_BYTES {
        return Err(Diagnostic::new(
            ErrorCode::TooLarge,
            format!(
                "the call is {} bytes; at most {MAX_CALL_BYTES} are accepted",
                text.len()
            ),
        )
        .at(&src, Span::new(0, 0)));
    }
    // The span-keeping parser bounds depth and size, and places syntax errors.
    verdict_policy::json::parse(&src)?;
    serde_json::from_str::<Call>(text).map_err(|e| {
        let at = offset_of(text, e.line(), e.column());
        Diagnostic::new(ErrorCode::InvalidCall, call_message(&e))
            .at(&src, Span::new(at, at))
            .with_help_opt(call_help(&e))
    })
}

/// serde's message, with its backquotes turned into the quotes our messages use.
fn call_message(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    let msg = msg.split(" at line ").next().unwrap_or(&msg);
    msg.replace('`', "\"")
}

/// A "did you mean" for an unknown command or field.
fn call_help(e: &serde_json::Error) -> Option<String> {
    let msg = e.to_string();
    let (got, rest) = msg
        .strip_prefix("unknown variant `")
        .or_else(|| msg.strip_prefix("unknown field `"))?
        .split_once('`')?;
    let expected: Vec<&str> = rest
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| !s.is_empty())
        .collect();
    verdict_policy::diag::suggestion(got, expected.iter().copied())
}

/// The byte offset of serde's 1-based line and column.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut at = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col = column.saturating_sub(1).min(l.len());
            return at
                + (0..=col)
                    .rev()
                    .find(|c| l.is_char_boundary(*c))
                    .unwrap_or(0);
        }
        at += l.len();
    }
    text.len()
}

/// The `id` of a call that could not be read, when its text still shows one.
fn best_effort_id(text: &str) -> Option<Value> {
    #[derive(Deserialize)]
    struct IdOnly {
        id: Option<Value>,
    }
    serde_json::from_str::<IdOnly>(text).ok().and_then(|c| c.id)
}

/// One result as itself, several as an array: the shape every command prints for one or
/// several answers.
pub fn one_or_many(mut docs: Vec<Value>) -> Value {
    match docs.len() {
        1 => docs.pop().unwrap_or_default(),
        _ => Value::Array(docs),
    }
}

/// One diagnostic without a position.
pub(crate) fn error(code: ErrorCode, message: impl Into<String>) -> Vec<Diagnostic> {
    vec![Diagnostic::new(code, message)]
}

/// The JSON Schema of a [`Call`] (`docs/schemas/api-call.schema.json`).
pub const CALL_SCHEMA: &str = include_str!("../../../docs/schemas/api-call.schema.json");

/// The JSON Schema of a [`Response`] (`docs/schemas/api-response.schema.json`).
pub const RESPONSE_SCHEMA: &str = include_str!("../../../docs/schemas/api-response.schema.json");
