//! Layer-wise relevance propagation through the neuralized networks.
//!
//! Rules are small parameter structs ([`SoftMinPooling`], [`LinearRule`], ...); each layer kind has one propagation kernel
//! ([`pool`], [`distance`], [`linear`]); a [`Composite`] picks the rule per layer kind;
//! [`explain`] runs forward and backward over a batch.

pub mod distance;
mod explain;
pub mod linear;
pub mod pool;
mod reference;
mod rules;

pub use explain::{explain, Explanation};
pub(crate) use reference::{hybrid_eta, reroot, typical_gap};
pub use rules::{Composite, DistanceRule, LinearRule, RuleSet, SoftMinPooling};
