//! Organization-wide analysis over a snapshot (docs/snapshot.md): `who-can` (every
//! caller that may do one action on one resource), `can` (what one principal may do,
//! with every SCP, boundary and resource policy applied) and `escalation` (paths from
//! principal to principal, or to administrator, through the published techniques).
//!
//! Every answer is decided by the same procedure as `verdict simulate`
//! ([`verdict_eval`]); the action index ([`index`]) only chooses which principals to
//! decide. The unit of work is one principal against the shared, read-only snapshot, so
//! that the work shards by principal.

#![warn(missing_docs)]

pub mod can;
pub mod escalation;
pub mod index;
pub mod query;
pub mod snapshot;
pub mod synth;
pub mod table;
pub mod who_can;

pub use query::{scenario, Who};
pub use snapshot::{Principal, PrincipalKind, Snapshot, SnapshotBuilder};
