//! Fuzz the policy parser with every policy type: it must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use verdict_policy::{parse_policy, ParseOptions, PolicyType, SourceFile};

const TYPES: [PolicyType; 9] = [
    PolicyType::Identity,
    PolicyType::Resource,
    PolicyType::Trust,
    PolicyType::Scp,
    PolicyType::Rcp,
    PolicyType::Boundary,
    PolicyType::Session,
    PolicyType::VpcEndpoint,
    PolicyType::Authorizer,
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let ty = TYPES[selector as usize % TYPES.len()];
    let _ = parse_policy(&SourceFile::new("fuzz.json", text), ParseOptions::new(ty));
});
