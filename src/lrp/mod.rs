//! Layer-wise relevance propagation kernels, one per layer kind: soft-min pooling
//! ([`pool`]), distance units ([`distance`]), linear units ([`linear`]), and the rescaling
//! shared by the reference-rooted rule sets ([`rescale`]). The networks compose them.

pub(crate) mod distance;
pub(crate) mod linear;
pub(crate) mod pool;
pub(crate) mod rescale;
