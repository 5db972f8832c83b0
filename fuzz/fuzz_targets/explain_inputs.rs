//! Fuzz what `verdict explain` reads from users: pastes that may hold AccessDenied
//! messages (any wrapper) and CloudTrail files. Nothing may panic, and every message
//! found must explain without a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let found = verdict_explain::message::find_messages(&text);
    if !found.is_empty() && text.len() < 4096 {
        let inputs = verdict_explain::Inputs {
            message: Some(text.to_string()),
            ..Default::default()
        };
        if let Ok(reports) = verdict_explain::explain(&inputs) {
            for r in &reports {
                let _ = verdict_explain::output::render_report(r, false);
            }
        }
    }
    if let Ok(records) = verdict_explain::cloudtrail::records(&text) {
        for r in &records {
            if verdict_explain::cloudtrail::is_access_denied(r) {
                let _ = verdict_explain::cloudtrail::facts(r);
            }
        }
    }
});
