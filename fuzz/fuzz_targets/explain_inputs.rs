//! Fuzz what `verdict explain` reads from users: AccessDenied messages and CloudTrail
//! files. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = verdict_explain::message::parse_message(text);
    if let Ok(records) = verdict_explain::cloudtrail::records(text) {
        for r in &records {
            if verdict_explain::cloudtrail::is_access_denied(r) {
                let _ = verdict_explain::cloudtrail::facts(r);
            }
        }
    }
});
