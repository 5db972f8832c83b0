//! `verdict.toml` and suppressions.
//!
//! ```toml
//! [lint]
//! ignore = ["N105", "resource-wildcard-could-be-narrowed", "N1"]  # codes, names or code prefixes
//! fail-on = "warning"            # error | security-warning | warning | suggestion
//! policy-type = "identity"       # optional: skip detection
//! scp-syntax = "current"         # or "legacy-2023"
//!
//! [lint.per-path-ignores]
//! "legacy/**" = ["S101", "S102"] # paths relative to the directory of verdict.toml
//! ```
//!
//! The file is found by walking up from the current directory, or given with
//! `--config`. Command-line options add to (`--ignore`) or override (`--fail-on`) it.

use crate::finding::Finding;
use crate::rule::{Rule, Severity};
use crate::rules;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use verdict_policy::glob::Glob;
use verdict_policy::{PolicyType, ScpSyntax};

/// The configuration file name.
pub const FILE_NAME: &str = "verdict.toml";

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    lint: RawLint,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawLint {
    #[serde(default)]
    ignore: Vec<String>,
    fail_on: Option<String>,
    policy_type: Option<String>,
    scp_syntax: Option<String>,
    resource_type: Option<String>,
    #[serde(default)]
    per_path_ignores: BTreeMap<String, Vec<String>>,
}

/// A configuration problem (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// The `[lint]` settings.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Rule selectors to suppress everywhere.
    pub ignore: Vec<String>,
    /// Lowest severity that makes the run fail.
    pub fail_on: Option<Severity>,
    /// Policy type for every policy.
    pub policy_type: Option<PolicyType>,
    /// SCP grammar.
    pub scp_syntax: Option<ScpSyntax>,
    /// The resource that resource-based policies are attached to.
    pub resource_kind: Option<crate::ResourceKind>,
    /// `(glob, selectors)`: suppress for files matching the glob.
    pub per_path_ignores: Vec<(String, Vec<String>)>,
    /// Directory the per-path globs are relative to.
    pub base_dir: PathBuf,
    /// Where the settings came from, if from a file.
    pub path: Option<PathBuf>,
}

/// Parse an SCP syntax name.
pub fn parse_scp_syntax(s: &str) -> Option<ScpSyntax> {
    match s {
        "current" | "2025" => Some(ScpSyntax::Current),
        "legacy-2023" | "legacy" | "2023" => Some(ScpSyntax::Legacy2023),
        _ => None,
    }
}

/// Check that `sel` names a rule, a rule name or a code prefix.
pub fn validate_selector(sel: &str) -> Result<(), ConfigError> {
    if rules::ALL.iter().any(|r| selector_matches(sel, r)) {
        Ok(())
    } else {
        Err(ConfigError(format!(
            "unknown rule \"{sel}\"; expected a code (E202), a name (unknown-action) or a code prefix (E2)"
        )))
    }
}

/// Does selector `sel` (code, kebab name, or code prefix such as `N` or `E2`) pick `rule`?
pub fn selector_matches(sel: &str, rule: &Rule) -> bool {
    let s = sel.trim();
    let s = rules::redirect(s).unwrap_or(s);
    if s.is_empty() {
        return false;
    }
    s.eq_ignore_ascii_case(rule.code)
        || s.eq_ignore_ascii_case(rule.name)
        || (s.len() < rule.code.len()
            && rule
                .code
                .to_ascii_uppercase()
                .starts_with(&s.to_ascii_uppercase()))
}

impl Config {
    /// Read `path`.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("{}: {e}", path.display())))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut c = Config::parse(&text, &base)
            .map_err(|e| ConfigError(format!("{}: {}", path.display(), e.0)))?;
        c.path = Some(path.to_path_buf());
        Ok(c)
    }

    /// Parse the text of a `verdict.toml`; per-path globs are relative to `base_dir`.
    pub fn parse(text: &str, base_dir: &Path) -> Result<Config, ConfigError> {
        let raw: RawFile =
            toml::from_str(text).map_err(|e| ConfigError(e.message().to_string()))?;
        let l = raw.lint;
        for s in l.ignore.iter().chain(l.per_path_ignores.values().flatten()) {
            validate_selector(s)?;
        }
        let fail_on = match &l.fail_on {
            Some(s) => Some(Severity::from_name(s).ok_or_else(|| {
                ConfigError(format!(
                    "fail-on = \"{s}\": expected error, security-warning, warning or suggestion"
                ))
            })?),
            None => None,
        };
        let policy_type = match &l.policy_type {
            Some(s) => Some(PolicyType::from_name(s).ok_or_else(|| {
                ConfigError(format!("policy-type = \"{s}\" is not a policy type"))
            })?),
            None => None,
        };
        let scp_syntax = match &l.scp_syntax {
            Some(s) => Some(parse_scp_syntax(s).ok_or_else(|| {
                ConfigError(format!(
                    "scp-syntax = \"{s}\": expected current or legacy-2023"
                ))
            })?),
            None => None,
        };
        let resource_kind = match &l.resource_type {
            Some(s) => Some(crate::ResourceKind::from_name(s).ok_or_else(|| {
                let hint = crate::resource_kind::suggest(s);
                ConfigError(format!(
                    "resource-type = \"{s}\" is not a resource type{hint}"
                ))
            })?),
            None => None,
        };
        Ok(Config {
            ignore: l.ignore,
            fail_on,
            policy_type,
            scp_syntax,
            resource_kind,
            per_path_ignores: l.per_path_ignores.into_iter().collect(),
            base_dir: base_dir.to_path_buf(),
            path: None,
        })
    }

    /// Find `verdict.toml` in `start` or one of its ancestors.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            let candidate = d.join(FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            dir = d.parent();
        }
        None
    }

    /// True when `finding` is suppressed by `ignore` or a per-path entry.
    pub fn is_ignored(&self, finding: &Finding) -> bool {
        if self
            .ignore
            .iter()
            .any(|s| selector_matches(s, finding.rule))
        {
            return true;
        }
        if self.per_path_ignores.is_empty() {
            return false;
        }
        let file = finding.location.file.name().replace('\\', "/");
        let rel = relative(&file, &self.base_dir);
        self.per_path_ignores.iter().any(|(glob, sels)| {
            let g = Glob::new(glob.trim_start_matches("./"));
            (g.matches(&rel) || g.matches(&file))
                && sels.iter().any(|s| selector_matches(s, finding.rule))
        })
    }
}

fn relative(file: &str, base: &Path) -> String {
    let f = file.trim_start_matches("./");
    let abs_file = std::fs::canonicalize(f).ok();
    let abs_base = std::fs::canonicalize(base).ok();
    if let (Some(a), Some(b)) = (abs_file, abs_base) {
        if let Ok(r) = a.strip_prefix(&b) {
            return r.to_string_lossy().replace('\\', "/");
        }
    }
    f.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_validates() {
        let c = Config::parse(
            "[lint]\nignore = [\"N105\", \"unknown-action\", \"S1\"]\nfail-on = \"warning\"\n[lint.per-path-ignores]\n\"legacy/*\" = [\"W101\"]\n",
            Path::new("."),
        );
        let c = c.unwrap_or_default();
        assert_eq!(c.fail_on, Some(Severity::Warning));
        assert_eq!(c.per_path_ignores.len(), 1);
        assert!(Config::parse("[lint]\nignore = [\"X999\"]\n", Path::new(".")).is_err());
        assert!(Config::parse("[lint]\nfail_on = \"error\"\n", Path::new(".")).is_err());
    }
}
