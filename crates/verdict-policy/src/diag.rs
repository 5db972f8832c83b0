//! Diagnostics: what went wrong, where, what was expected, and a "did you mean".

use crate::source::{Position, SourceFile, Span};
use std::fmt;
use std::sync::Arc;

/// Stable codes for policy and scenario errors (see docs/scenario-extensions.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[allow(missing_docs)]
pub enum ErrorCode {
    JsonSyntax,
    DuplicateKey,
    WrongType,
    UnknownElement,
    MissingElement,
    ConflictingElements,
    InvalidEffect,
    InvalidVersion,
    PrincipalNotAllowed,
    PrincipalRequired,
    NotPrincipalNotAllowed,
    InvalidPrincipal,
    DuplicateSid,
    InvalidSid,
    InvalidAction,
    WildcardInService,
    InvalidResource,
    VariableBeforeFifthColon,
    UnknownOperator,
    IfExistsOnNull,
    InvalidConditionValue,
    RcpAllowNotPermitted,
    RcpPrincipalMustBeWildcard,
    RcpElementNotPermitted,
    ScpLegacySyntax,
    ScpElementNotPermitted,
    TooLarge,
    TooDeep,
    EmptyStatement,
    InvalidScenario,
    InvalidRequest,
    InvalidContext,
    InvalidSnapshot,
    InvalidCall,
}

impl ErrorCode {
    /// The stable kebab-case name of the code.
    pub fn as_str(self) -> &'static str {
        use ErrorCode::*;
        match self {
            JsonSyntax => "json-syntax",
            DuplicateKey => "duplicate-key",
            WrongType => "wrong-type",
            UnknownElement => "unknown-element",
            MissingElement => "missing-element",
            ConflictingElements => "conflicting-elements",
            InvalidEffect => "invalid-effect",
            InvalidVersion => "invalid-version",
            PrincipalNotAllowed => "principal-not-allowed",
            PrincipalRequired => "principal-required",
            NotPrincipalNotAllowed => "not-principal-not-allowed",
            InvalidPrincipal => "invalid-principal",
            DuplicateSid => "duplicate-sid",
            InvalidSid => "invalid-sid",
            InvalidAction => "invalid-action",
            WildcardInService => "wildcard-in-service",
            InvalidResource => "invalid-resource",
            VariableBeforeFifthColon => "variable-before-fifth-colon",
            UnknownOperator => "unknown-operator",
            IfExistsOnNull => "if-exists-on-null",
            InvalidConditionValue => "invalid-condition-value",
            RcpAllowNotPermitted => "rcp-allow-not-permitted",
            RcpPrincipalMustBeWildcard => "rcp-principal-must-be-wildcard",
            RcpElementNotPermitted => "rcp-element-not-permitted",
            ScpLegacySyntax => "scp-legacy-syntax",
            ScpElementNotPermitted => "scp-element-not-permitted",
            TooLarge => "too-large",
            TooDeep => "too-deep",
            EmptyStatement => "empty-statement",
            InvalidScenario => "invalid-scenario",
            InvalidRequest => "invalid-request",
            InvalidContext => "invalid-context",
            InvalidSnapshot => "invalid-snapshot",
            InvalidCall => "invalid-call",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a diagnostic is about, finer than its code, for tools that map diagnostics onto
/// finer rules (the linter). It changes neither the code nor the message.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Detail {
    /// Nothing finer than the code.
    #[default]
    None,
    /// An element given as an empty array (`"Action": []`).
    EmptyArray,
    /// `"Principal": {}`.
    EmptyPrincipalObject,
    /// A statement without `Resource` or `NotResource`.
    MissingResource,
    /// `NotPrincipal` in an `Allow` statement.
    NotPrincipalWithAllow,
    /// A condition key with an empty list of values.
    EmptyConditionValues,
    /// A policy variable in a value of a typed (numeric, date, IP, …) operator.
    VariableInTypedValue,
    /// A value that does not parse as the operator's family requires.
    ConditionValue(crate::condition::Family),
}

/// One problem found in an input, anchored to a span of a source file.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Stable error code.
    pub code: ErrorCode,
    /// What is wrong, including what was expected.
    pub message: String,
    /// Where, if known.
    pub span: Option<Span>,
    /// A suggestion such as `did you mean "Effect"?`.
    pub help: Option<String>,
    /// The file the span refers to.
    pub source: Option<Arc<SourceFile>>,
    /// The finer reason, when the code alone does not say.
    pub detail: Detail,
}

impl Diagnostic {
    /// A diagnostic without location.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            message: message.into(),
            span: None,
            help: None,
            source: None,
            detail: Detail::None,
        }
    }

    /// Say what the diagnostic is about, finer than its code.
    pub fn with_detail(mut self, detail: Detail) -> Self {
        self.detail = detail;
        self
    }

    /// Anchor at `span` of `source`.
    pub fn at(mut self, source: &Arc<SourceFile>, span: Span) -> Self {
        self.source = Some(source.clone());
        self.span = Some(span);
        self
    }

    /// Attach a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attach a help line if one is given.
    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// The 1-based position of the span start, if anchored.
    pub fn position(&self) -> Option<Position> {
        match (&self.source, self.span) {
            (Some(src), Some(span)) => Some(src.position(span.start)),
            _ => None,
        }
    }

    /// `file:line:column`, or the file name alone, or `<input>`.
    pub fn location(&self) -> String {
        match (&self.source, self.position()) {
            (Some(src), Some(p)) => format!("{}:{}:{}", src.name(), p.line, p.column),
            (Some(src), None) => src.name().to_string(),
            _ => "<input>".to_string(),
        }
    }
}

impl serde::Serialize for Diagnostic {
    /// `{"code", "message", "help", "file", "line", "column"}` (the last four null when
    /// unknown): the shape of `errors` in every JSON output.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let pos = self.position();
        let mut st = s.serialize_struct("Diagnostic", 6)?;
        st.serialize_field("code", self.code.as_str())?;
        st.serialize_field("message", &self.message)?;
        st.serialize_field("help", &self.help)?;
        st.serialize_field("file", &self.source.as_ref().map(|f| f.name()))?;
        st.serialize_field("line", &pos.map(|p| p.line))?;
        st.serialize_field("column", &pos.map(|p| p.column))?;
        st.end()
    }
}

impl fmt::Display for Diagnostic {
    /// `file:line:col: error[code]: message` (no location when there is none) and, on a
    /// second line, `help: …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.source.is_some() {
            write!(f, "{}: ", self.location())?;
        }
        write!(f, "error[{}]: {}", self.code, self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code.as_str()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source
            .as_ref()
            .map(|s| s.as_ref() as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span?;
        let len = span.end.saturating_sub(span.start).max(1);
        Some(Box::new(std::iter::once(miette::LabeledSpan::new(
            Some(self.code.as_str().to_string()),
            span.start,
            len,
        ))))
    }
}

/// The closest candidate to `input` (case-insensitive Jaro-Winkler/Levenshtein), if any is close.
pub fn did_you_mean<'a, I>(input: &str, candidates: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = input.to_ascii_lowercase();
    let mut best: Option<(&'a str, f64)> = None;
    for cand in candidates {
        let c = cand.to_ascii_lowercase();
        let score = if c == lower {
            2.0
        } else {
            let lev = strsim::levenshtein(&lower, &c);
            let limit = (c.len().max(lower.len()) / 3).max(1);
            if lev > limit {
                continue;
            }
            strsim::jaro_winkler(&lower, &c)
        };
        if best.is_none_or(|(_, s)| score > s) {
            best = Some((cand, score));
        }
    }
    best.map(|(c, _)| c)
}

/// `did you mean "X"?` for the closest candidate.
pub fn suggestion<'a, I>(input: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    did_you_mean(input, candidates).map(|c| format!("did you mean \"{c}\"?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names() {
        let c = ["Effect", "Action", "Resource"];
        assert_eq!(did_you_mean("Efect", c), Some("Effect"));
        assert_eq!(did_you_mean("effect", c), Some("Effect"));
        assert_eq!(did_you_mean("Banana", c), None);
    }
}
