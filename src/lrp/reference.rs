//! The reference-rooted rule sets (`neon-ref`, `hybrid`, see [`RuleSet`]): they recompute
//! each row's relevance from the NEON explanation's output, keeping the NEON relevance of
//! rows where their normalizer is unusable.

use super::{Composite, Explanation, RuleSet};
use crate::error::{Error, Result};
use crate::network::{pool, standardized, ClusterNetwork, KernelNetwork, Network, Prediction};
use ndarray::{Array1, ArrayView1, ArrayView2, ArrayViewMut1, Axis, Zip};

/// Rewrite `neon` (the NEON explanation of `x`) under `composite.rule_set`.
///
/// `reference` is x̃ in the network's (standardized) space; `eta` the hybrid mixing weight;
/// `cluster` the explicitly explained k-means cluster (default: the assigned one).
pub fn reroot(
    network: &Network,
    x: ArrayView2<f64>,
    composite: &Composite,
    cluster: Option<usize>,
    reference: ArrayView1<f64>,
    eta: f64,
    mut neon: Explanation,
) -> Result<Explanation> {
    let beta = composite.pooling.beta();
    let rule_set = composite.rule_set;
    match network {
        Network::Kernel(net) => {
            let z = standardized(x, net.scaler());
            Zip::from(neon.relevance.axis_iter_mut(Axis(0)))
                .and(z.axis_iter(Axis(0)))
                .and(&neon.output)
                .par_for_each(|relevance, z, &o| {
                    let numerators = kernel_numerators(net, z, reference, beta, rule_set);
                    rescale_into(numerators, o, eta_of(rule_set, eta), relevance);
                });
        }
        Network::Cluster(net) => {
            if rule_set == RuleSet::Hybrid {
                return Err(Error::parameter(
                    "rule",
                    "hybrid is defined for kernel models (one-class SVM, kernel density) only",
                ));
            }
            let Prediction::Cluster(assigned) = &neon.prediction else {
                unreachable!("k-means predicts clusters")
            };
            let explained: Array1<usize> = assigned.iter().map(|&a| cluster.unwrap_or(a)).collect();
            let z = standardized(x, net.scaler());
            Zip::from(neon.relevance.axis_iter_mut(Axis(0)))
                .and(z.axis_iter(Axis(0)))
                .and(&neon.output)
                .and(&explained)
                .par_for_each(|relevance, z, &f, &c| {
                    let numerators = cluster_numerators(net, z, reference, beta, c);
                    rescale_into(numerators, f, 0.0, relevance);
                });
        }
    }
    Ok(neon)
}

/// The share of the NEON relevance kept in the mix: 0 for `neon-ref`, eta for `hybrid`.
fn eta_of(rule_set: RuleSet, eta: f64) -> f64 {
    match rule_set {
        RuleSet::Hybrid => eta,
        _ => 0.0,
    }
}

/// `relevance = (1 - eta) output N / sum N + eta relevance`, unless `sum N` is tiny
/// (`|sum N| <= 1e-12 sum |N_i|`) or of the other sign than the output: then the row keeps
/// `relevance` (the NEON relevance).
fn rescale_into(numerators: Vec<f64>, output: f64, eta: f64, mut relevance: ArrayViewMut1<f64>) {
    let total: f64 = numerators.iter().sum();
    let magnitude: f64 = numerators.iter().map(|n| n.abs()).sum();
    let usable = total.abs() > 1e-12 * magnitude && (total > 0.0) == (output > 0.0);
    if usable && output != 0.0 {
        let scale = (1.0 - eta) * output / total;
        for (r, n) in relevance.iter_mut().zip(&numerators) {
            *r = scale * n + eta * *r;
        }
    }
}

/// Soft-min weights `p = softmin(beta h)` over the activations `h`.
fn softmin(h: &[f64], beta: f64) -> Vec<f64> {
    let mut p = vec![0.0; h.len()];
    pool::softmin_weights_into(h, beta, &mut p);
    p
}

/// `neon-ref`: `N_i = sum_j p_j (|z_i - u_ij|^q - |r_i - u_ij|^q)`;
/// `hybrid`: `N_i = (z_i - r_i) sum_j p_j q |z_i - u_ij|^(q-1) sign(z_i - u_ij)`.
fn kernel_numerators(
    net: &KernelNetwork,
    z: ArrayView1<f64>,
    reference: ArrayView1<f64>,
    beta: f64,
    rule_set: RuleSet,
) -> Vec<f64> {
    let layer = net.distance();
    let power = layer.power();
    let z = z.as_slice().expect("standard layout");
    let h: Vec<f64> = layer
        .centers()
        .outer_iter()
        .zip(layer.bias())
        .map(|(u, &b)| {
            layer.gamma() * power.distance(z, u.as_slice().expect("standard layout")) + b
        })
        .collect();
    let p = softmin(&h, beta);
    let mut numerators = vec![0.0; z.len()];
    for (u, &p_j) in layer.centers().outer_iter().zip(&p) {
        for (i, n) in numerators.iter_mut().enumerate() {
            let (t, s) = (z[i] - u[i], reference[i] - u[i]);
            *n += p_j
                * match rule_set {
                    RuleSet::Hybrid => power.derivative(t) * (z[i] - reference[i]),
                    _ => power.term(t) - power.term(s),
                };
        }
    }
    numerators
}

/// `N_i = sum_k p_k w_ik (z_i - r_i)` over the contrasts of cluster `c`.
fn cluster_numerators(
    net: &ClusterNetwork,
    z: ArrayView1<f64>,
    reference: ArrayView1<f64>,
    beta: f64,
    c: usize,
) -> Vec<f64> {
    let contrast = net.contrast(c);
    let z = z.as_slice().expect("standard layout");
    let mut h = vec![0.0; net.n_clusters() - 1];
    contrast.activations_into(z, &mut h);
    let p = softmin(&h, beta);
    let weights = contrast.linear().weights();
    (0..z.len())
        .map(|i| {
            let pulled: f64 = p
                .iter()
                .enumerate()
                .map(|(k, p_k)| p_k * weights[[k, i]])
                .sum();
            pulled * (z[i] - reference[i])
        })
        .collect()
}

/// At most this many centers enter the median of [`typical_gap`] (the first ones).
const GAP_CENTERS: usize = 500;

/// `gamma s`, s the median of `||u_j - u_k||_q^q` over pairs of the (first 500) centers of
/// a kernel network: the typical activation gap between two distance units. `None` for
/// k-means; 0 for a single center.
pub(crate) fn typical_gap(network: &Network) -> Option<f64> {
    let Network::Kernel(net) = network else {
        return None;
    };
    let layer = net.distance();
    let n = layer.n_units().min(GAP_CENTERS);
    let centers = layer.centers();
    let mut distances = Vec::with_capacity(n * n.saturating_sub(1) / 2);
    for j in 0..n {
        for k in 0..j {
            let (a, b) = (centers.row(j), centers.row(k));
            distances.push(layer.power().distance(
                a.as_slice().expect("standard layout"),
                b.as_slice().expect("standard layout"),
            ));
        }
    }
    if distances.is_empty() {
        return Some(0.0);
    }
    distances.sort_by(f64::total_cmp);
    Some(layer.gamma() * distances[distances.len() / 2])
}

/// Bley et al.'s mixing weight `eta = clamp(0.4 log10(gamma s) + 0.4, 0, 1)` from the
/// typical gap `gamma s` ([`typical_gap`]): gamma on data scaled to a unit median pairwise
/// distance. A zero gap gives 0.
pub(crate) fn hybrid_eta(gap: f64) -> f64 {
    if gap <= 0.0 {
        return 0.0;
    }
    (0.4 * gap.log10() + 0.4).clamp(0.0, 1.0)
}
