//! Layer-wise relevance propagation through the neuralized networks.
//!
//! Rules are small parameter structs ([`rules`]); each layer kind has one propagation kernel
//! ([`pool`], [`distance`], [`linear`]); a [`Composite`] picks the rule per layer kind;
//! [`explain`] runs forward and backward over a batch.

pub mod distance;
mod explain;
pub mod linear;
pub mod pool;
mod rules;

pub use explain::{explain, Explanation};
pub use rules::{Composite, DistanceRule, LinearRule, RuleSet, SoftMinPooling};
