//! `neon-drop` on a dense network: `neon-ref` averaged with a flip-ordered path whose first
//! piece is taken whole, in batch over a chunk of rows.
//!
//! With `nr_i = m_i (z_i - r_i)` `neon-ref`'s terms, G the `g = min(3, d - 1)` features with
//! the largest `nr` (ties: the lower index first), `z1` the row with the features of G at the
//! reference and `m2` the rescale multipliers of the segment r -> z1 ([`super::rooted`]):
//!
//! `drop_i = nr_i + (f(z) - f(z1) - Σ_(j∈G) nr_j) / g`   for i in G,
//! `drop_i = m2_i (z_i - r_i)`                          otherwise,
//!
//! so G together carries its joint drop `f(z) - f(z1)` (its occlusion), split as `neon-ref`
//! splits it up to an even correction, the rest carries `f(z1) - f(r)` by the rescale rule
//! from the reference to z1, and `Σ_i drop_i = f(z) - f(r)` (up to the path quadrature of
//! pooled targets). With `R_drop = drop + (f(z) - Σ drop) / d` and `R_ref` `neon-ref`'s
//! relevance, `R = (R_ref + R_drop) / 2`: conserving. With d = 1 it is `neon-ref`.
//!
//! Cost: `neon-flip`'s without its second backward product (the multipliers of z1 -> z):
//! a forward pass at z1 and one more backward product than `neon-ref`.

use super::flip::FlipStart;
use super::{DenseLrp, Pass};
use ndarray::Array2;

impl DenseLrp {
    /// `neon-drop`'s second path (module documentation) from the shared start and the pass
    /// at z1; [`DenseLrp::explain_flip_ordered`] averages it with `neon-ref`.
    pub(super) fn drop_path(
        &self,
        root: &Pass,
        targets: &[usize],
        start: &FlipStart,
        middle: &Pass,
    ) -> Array2<f64> {
        let (m2, at_middle) = self.segment_multipliers(middle, root, targets);
        let mut drop = m2 * &start.delta;
        for (r, row_top) in start.top.iter().enumerate() {
            let top = &row_top[..start.g];
            let held: f64 = top.iter().map(|&i| start.first[[r, i]]).sum();
            let correction = (start.output[r] - at_middle[r] - held) / start.g as f64;
            for &i in top {
                drop[[r, i]] = start.first[[r, i]] + correction;
            }
        }
        drop
    }
}
