//! The IAM policy language: a span-keeping parser, the policy model and the matchers
//! for actions, resources, principals and policy variables.
//!
//! Start with [`parse_policy`]; it validates a document for one [`PolicyType`] and
//! returns every problem as a [`Diagnostic`] with file, line and column.

pub mod arn;
pub mod condition;
pub mod diag;
pub mod glob;
pub mod json;
pub mod model;
pub mod parse;
pub mod principal;
pub mod source;
pub mod template;
pub mod yaml;

pub use diag::{Detail, Diagnostic, ErrorCode};
pub use model::{Effect, Policy, PolicyType, Statement, Version};
pub use parse::{parse_policy, parse_policy_json, ParseOptions, ScpSyntax};
pub use source::{Position, SourceFile, Span};
