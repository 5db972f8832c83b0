//! Fuzz scenario loading and both evaluation paths: no panic, and the fast and traced
//! paths agree whenever a scenario loads.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verdict_eval::{decide, evaluate, load_scenario};
use verdict_policy::SourceFile;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(s) = load_scenario(&SourceFile::new("fuzz.json", text), false) else { return };
    let fast = decide(&s);
    let full = evaluate(&s);
    assert_eq!(fast.decision, full.decision);
    assert_eq!(fast.denied_by, full.denied_by);
});
