//! The NEON rules on a kernel network, in parallel over fixed chunks of rows: soft-min
//! redistribution onto the distance units, then the distance share onto the features
//! (rbf: the fused, cache-sized passes of [`super::fused`]).

use super::fused::spread_floor;
use super::{check_finite, KernelNetwork};
use crate::error::Result;
use crate::explainer::Explanation;
use crate::lrp::distance::propagate_share;
use crate::lrp::pool::softmin_forward_redistribute;
use crate::method::RuleSet;
use crate::network::power::Power;
use crate::network::{pool, try_for_each_chunk, NeonRules};
use ndarray::{s, Array1, Array2, ArrayView2};

impl KernelNetwork {
    /// `neon` (and the first pass of `neon-ref` / `hybrid`), or `neon-floor`: the floor
    /// `o_0 = -log sum_j exp(-b_j)` spread flat, the excess `o - o_0` through the rules.
    pub(super) fn explain_neon(
        &self,
        z: ArrayView2<f64>,
        rules: &NeonRules<'_>,
    ) -> Result<Explanation> {
        let layer = &self.distance;
        let floor = match rules.rule_set {
            RuleSet::NeonFloor => pool::soft_min(layer.bias().as_slice().expect("owned")),
            _ => 0.0,
        };
        let flat = floor / z.ncols() as f64;
        let mut output = Array1::zeros(z.nrows());
        let mut relevance = Array2::zeros(z.raw_dim());
        try_for_each_chunk(&mut output, &mut relevance, |first, out, mut rel| {
            let rows = z.slice(s![first..first + out.len(), ..]);
            if layer.power() == Power::Two {
                return self.explain_squared(rows, first, (rules.beta, floor, flat), out, rel);
            }
            let batch = layer.distances(rows);
            let mut unit_relevance = layer.activations(&batch.dist);
            for (r, (mut h, o)) in unit_relevance
                .outer_iter_mut()
                .zip(out.iter_mut())
                .enumerate()
            {
                let h = h.as_slice_mut().expect("owned");
                *o = softmin_forward_redistribute(h, rules.beta, floor);
                check_finite(*o, first + r)?;
            }
            propagate_share(layer, rows, &batch, unit_relevance, rel.view_mut());
            for mut row in rel.outer_iter_mut() {
                spread_floor(row.as_slice_mut().expect("owned"), flat);
            }
            Ok(())
        })?;
        Ok(Explanation {
            prediction: self.prediction(&output),
            output,
            relevance,
        })
    }
}
