//! Forward and backward over a batch, in parallel over fixed chunks of rows.

use super::distance::propagate_share;
use super::linear::{propagate_linear, LinearInput};
use super::pool::{softmin_floor, softmin_forward_redistribute, softmin_redistribute_into};
use super::{Composite, LinearRule, RuleSet};
use crate::error::{Error, Result};
use crate::network::{
    check_finite, par_row_chunks, standardized, ClusterNetwork, KernelNetwork, Network, Prediction,
    Readout, CHUNK_ROWS,
};
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, Axis};
use rayon::prelude::*;

/// The explanation of a batch of rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The original model's own output per row.
    pub prediction: Prediction,
    /// The explained output per row: outlierness, or the logit of the explained cluster.
    pub output: Array1<f64>,
    /// One relevance per row and feature; for conserving rules each row sums to `output`.
    pub relevance: Array2<f64>,
}

/// Explain every row of `x` (input space, one column per model feature).
///
/// `cluster` selects the explained cluster of a k-means network (default: the assigned
/// one); it must be `None` for kernel networks. `bounds` are the z^B rule's input bounds in
/// the network's (standardized) input space.
pub fn explain(
    network: &Network,
    x: ArrayView2<f64>,
    composite: &Composite,
    cluster: Option<usize>,
    bounds: Option<(ArrayView1<f64>, ArrayView1<f64>)>,
) -> Result<Explanation> {
    assert_eq!(x.ncols(), network.n_features(), "feature count mismatch");
    composite.validate()?;
    match network {
        Network::Kernel(net) => {
            if cluster.is_some() {
                return Err(Error::parameter(
                    "cluster",
                    "only k-means models have clusters to choose from",
                ));
            }
            explain_kernel(net, x, composite)
        }
        Network::Cluster(net) => {
            net.check_cluster(cluster)?;
            if composite.rule_set == RuleSet::NeonFloor {
                return Err(Error::parameter(
                    "rule",
                    "neon-floor is defined for kernel models (one-class SVM, kernel density) only",
                ));
            }
            if composite.linear == LinearRule::ZBox && bounds.is_none() {
                return Err(Error::parameter(
                    "linear-rule",
                    "zb needs input bounds: add `bounds` {\"low\", \"high\"} to the model file",
                ));
            }
            explain_cluster(net, x, composite, cluster, bounds)
        }
    }
}

fn explain_kernel(
    net: &KernelNetwork,
    x: ArrayView2<f64>,
    composite: &Composite,
) -> Result<Explanation> {
    let beta = composite.pooling.beta();
    let layer = net.distance();
    // RuleSet::NeonFloor: the pooled output of the biases alone, spread flat below.
    let floor = match composite.rule_set {
        RuleSet::NeonFloor => softmin_floor(layer.bias().as_slice().expect("contiguous")),
        _ => 0.0,
    };
    let flat = floor / x.ncols() as f64;
    let mut output = Array1::zeros(x.nrows());
    let mut relevance = Array2::zeros(x.raw_dim());
    output
        .as_slice_mut()
        .expect("contiguous")
        .par_chunks_mut(CHUNK_ROWS)
        .zip(
            relevance
                .axis_chunks_iter_mut(Axis(0), CHUNK_ROWS)
                .into_par_iter(),
        )
        .enumerate()
        .try_for_each(|(c, (out, mut rel))| {
            let first = c * CHUNK_ROWS;
            let rows = x.slice(s![first..first + out.len(), ..]);
            let z = standardized(rows, net.scaler());
            let batch = layer.distances(z.view());
            let mut unit_relevance = layer.activations(&batch.dist);
            for (r, (mut h, o)) in unit_relevance
                .outer_iter_mut()
                .zip(out.iter_mut())
                .enumerate()
            {
                *o = softmin_forward_redistribute(
                    h.as_slice_mut().expect("standard layout"),
                    beta,
                    floor,
                );
                check_finite(*o, first + r)?;
            }
            propagate_share(layer, z.view(), &batch, unit_relevance, rel.view_mut());
            if flat != 0.0 {
                rel.mapv_inplace(|r| r + flat);
            }
            Ok(())
        })?;
    let readout = net.readout();
    let values = output.mapv(|o| readout.apply(o));
    let prediction = match readout {
        Readout::DecisionFunction { .. } => Prediction::DecisionFunction(values),
        Readout::LogDensity { .. } => Prediction::LogDensity(values),
    };
    Ok(Explanation {
        prediction,
        output,
        relevance,
    })
}

fn explain_cluster(
    net: &ClusterNetwork,
    x: ArrayView2<f64>,
    composite: &Composite,
    cluster: Option<usize>,
    bounds: Option<(ArrayView1<f64>, ArrayView1<f64>)>,
) -> Result<Explanation> {
    let beta = composite.pooling.beta();
    let mut assigned = vec![0usize; x.nrows()];
    let mut output = Array1::zeros(x.nrows());
    let mut relevance = Array2::zeros(x.raw_dim());
    let bounds = bounds.map(|(l, h)| (l.to_vec(), h.to_vec()));
    let bounds = bounds.as_ref().map(|(l, h)| (l.as_slice(), h.as_slice()));
    let outputs = output.as_slice_mut().expect("contiguous");
    let relevance_chunks = relevance.axis_chunks_iter_mut(Axis(0), CHUNK_ROWS);
    par_row_chunks(&mut assigned, outputs)
        .zip(relevance_chunks.into_par_iter())
        .for_each(|((start, (labels, out)), mut rel)| {
            let rows = x.slice(s![start..start + out.len(), ..]);
            let z = standardized(rows, net.scaler());
            let mut h = vec![0.0; net.n_clusters() - 1];
            let mut unit_relevance = vec![0.0; net.n_clusters() - 1];
            for (r, row) in z.outer_iter().enumerate() {
                let row = row.to_slice().expect("standard layout");
                let target;
                (labels[r], target, out[r]) = net.logit_of_row(row, cluster, &mut h);
                let contrast = net.contrast(target);
                softmin_redistribute_into(&h, beta, out[r], &mut unit_relevance);
                let input = LinearInput {
                    input: row,
                    weights: contrast.linear().weights(),
                    activations: &h,
                    midpoints: contrast.midpoints(),
                    bounds,
                };
                let mut row_out = rel.row_mut(r);
                let row_out = row_out.as_slice_mut().expect("standard layout");
                propagate_linear(composite.linear, &input, &unit_relevance, row_out);
            }
        });
    Ok(Explanation {
        prediction: Prediction::Cluster(assigned),
        output,
        relevance,
    })
}
