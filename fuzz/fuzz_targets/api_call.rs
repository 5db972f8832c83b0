//! Fuzz the call interface (`verdict api`, the future server): any text is answered with
//! a result or positioned errors, never a panic, and the answer serializes.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Keep each run short: big snapshot or explain calls are the other targets' job.
    if text.len() > 16 << 10 {
        return;
    }
    let response = verdict_api::handle_json(&text);
    let line = response.to_json_line();
    assert!(line.starts_with('{'));
});
