//! Fuzz the linter on arbitrary policy, CloudFormation and Terraform text: no panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verdict_lint::{lint_text, LintOptions};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = lint_text("fuzz.json", text, &LintOptions::default());
    let _ = lint_text("fuzz.yaml", text, &LintOptions::default());
});
