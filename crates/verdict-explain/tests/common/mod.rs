//! Test inputs given as paths, read as a front end reads them.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;
use verdict_explain::{Inputs, OrgDir, TextInput};

/// The files and values a test names.
#[derive(Debug, Default)]
pub struct InputPaths {
    pub scenario: Option<PathBuf>,
    pub message: Option<String>,
    pub event: Option<PathBuf>,
    pub record: Option<usize>,
    pub auth_details: Vec<PathBuf>,
    pub org: Vec<PathBuf>,
    pub resource_policy: Option<PathBuf>,
    pub session_policy: Option<PathBuf>,
    pub vpc_endpoint_policy: Option<PathBuf>,
    pub identity_policies: Vec<PathBuf>,
    pub permissions_boundary: Option<PathBuf>,
    pub scps: Vec<PathBuf>,
    pub decoded_message: Option<PathBuf>,
    pub context: Vec<String>,
    pub authorization_type: Option<String>,
}

fn read(p: &PathBuf) -> TextInput {
    TextInput::new(p.display().to_string(), std::fs::read_to_string(p).unwrap())
}

fn read_all(ps: &[PathBuf]) -> Vec<TextInput> {
    ps.iter().map(read).collect()
}

/// Read every file of `paths` (a directory of `org` holds JSON files, read sorted).
pub fn load(paths: &InputPaths) -> Result<Inputs, Vec<verdict_policy::Diagnostic>> {
    let org = paths
        .org
        .iter()
        .map(|d| {
            let mut files: Vec<PathBuf> = if d.is_dir() {
                std::fs::read_dir(d)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .collect()
            } else {
                vec![d.clone()]
            };
            files.sort();
            OrgDir {
                name: d.display().to_string(),
                files: read_all(&files),
            }
        })
        .collect();
    Ok(Inputs {
        scenario: paths.scenario.as_ref().map(read),
        message: paths.message.clone(),
        event: paths.event.as_ref().map(read),
        record: paths.record,
        auth_details: read_all(&paths.auth_details),
        org,
        resource_policy: paths.resource_policy.as_ref().map(read),
        session_policy: paths.session_policy.as_ref().map(read),
        vpc_endpoint_policy: paths.vpc_endpoint_policy.as_ref().map(read),
        identity_policies: read_all(&paths.identity_policies),
        permissions_boundary: paths.permissions_boundary.as_ref().map(read),
        scps: read_all(&paths.scps),
        reported: None,
        decoded_message: paths.decoded_message.as_ref().map(read),
        context: verdict_explain::parse_context(&paths.context)?,
        authorization_type: paths.authorization_type.clone(),
    })
}
