//! `test`: run the scenarios that carry an `expect` and count what passed.

use crate::Document;
use serde::Deserialize;
use serde_json::{json, Value};
use verdict_eval::testing::{run_document, CaseResult};

/// Arguments of a `test` call.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestCall {
    /// Scenario files' texts (`.jsonl` names hold one scenario per line).
    pub documents: Vec<Document>,
    /// Fail a case whose expected decision holds only under an unconfirmed reading of
    /// the spec (iam-semantics §10.1).
    #[serde(default)]
    pub strict: bool,
}

/// The cases of a test run, and its counts.
#[derive(Debug, Default)]
pub struct TestRun {
    /// Every case, in order.
    pub cases: Vec<CaseResult>,
    /// Cases that pass only under an assumed reading.
    pub assumed_only: usize,
    /// Scenarios read that are not tests (no `expect`).
    pub skipped: usize,
    strict: bool,
}

impl TestRun {
    /// An empty run; with `strict`, a case that passes only under an assumed reading fails.
    pub fn new(strict: bool) -> TestRun {
        TestRun {
            strict,
            ..TestRun::default()
        }
    }

    /// Add one case, failing it under `strict` when it rests on an assumed reading (the
    /// case as recorded is then `cases.last()`).
    pub fn add(&mut self, mut case: CaseResult) {
        if case.passed && !case.assumed.is_empty() {
            self.assumed_only += 1;
            if self.strict {
                case.passed = false;
                case.failures.push(format!(
                    "the expected decision holds only under an unconfirmed reading: {} (--strict)",
                    case.assumed.join(", ")
                ));
            }
        }
        self.cases.push(case);
    }

    /// Run one document and add its cases.
    pub fn add_document(&mut self, doc: &Document) {
        let (cases, skipped) = run_document(&doc.name, &doc.text);
        self.skipped += skipped;
        for c in cases {
            self.add(c);
        }
    }

    /// Cases that could not be run.
    pub fn errors(&self) -> usize {
        self.cases.iter().filter(|c| c.error).count()
    }

    /// Cases that ran and failed.
    pub fn failed(&self) -> usize {
        self.cases.iter().filter(|c| !c.passed && !c.error).count()
    }

    /// Cases that passed.
    pub fn passed(&self) -> usize {
        self.cases.iter().filter(|c| c.passed).count()
    }

    /// The JSON result (docs/schemas/test.schema.json).
    pub fn json(&self) -> Value {
        let mut v = json!({
            "summary": {
                "cases": self.cases.len(),
                "passed": self.passed(),
                "failed": self.failed(),
                "errors": self.errors(),
                "assumed_only": self.assumed_only,
                "skipped": self.skipped,
                "strict": self.strict,
            },
            "cases": self.cases.iter().map(|c| json!({
                "name": c.name,
                "location": c.location,
                "rule": c.rule,
                "passed": c.passed,
                "error": c.error,
                "failures": c.failures,
                "assumed": c.assumed,
                "decision": c.evaluation.as_ref().map(|e| e.decision.as_str()),
            })).collect::<Vec<_>>(),
        });
        crate::stamp(&mut v);
        v
    }
}

/// Answer a `test` call.
pub fn run(call: &TestCall) -> Value {
    let mut run = TestRun::new(call.strict);
    for d in &call.documents {
        run.add_document(d);
    }
    run.json()
}
