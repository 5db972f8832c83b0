//! Sets of request values, with the operations symbolic questions need: is a Boolean
//! combination of sets empty, and if not, which value is in it.
//!
//! - [`lang`]: languages of IAM string patterns: `*`/`?` globs, and ARN patterns with
//!   IAM's reading (`*` and `?` stay inside a partition, service, region or account
//!   field, which compare ignoring case; the resource part is a plain glob). A
//!   conjunction of memberships and non-memberships is decided exactly by a product of
//!   subset automata, with a shortest witness.
//! - [`interval`]: unions of closed intervals over `u128` (IPv4 and IPv6 addresses as
//!   numbers), with union, intersection, difference and minimal CIDR covers.

pub mod interval;
pub mod lang;
