//! Faithfulness by feature flipping (Samek et al. 2017; "pixel flipping").
//!
//! For every row whose explained output `f(x)` is > 0 (rows at or below 0 have nothing to
//! remove; for a one-class SVM this keeps the outliers, for k-means every row, whose logit
//! of its own cluster is >= 0, except those exactly on a boundary), features are replaced in
//! the order of their relevance, largest first, by
//! - `mean`: the reference x̃ (the explainer's reference: the reference rows' column means),
//! - `marginal`: values drawn independently per feature from the reference rows (`draws`
//!   replacement rows per input row, seeded by `(seed, row)`, the same for every method;
//!   the curves are averaged),
//!
//! and the output is recorded after each step, clipped at 0 below (d + 1 points). The
//! score of a row is the area under its curve (trapezoid) over `d f(x)`; a method's score is
//! the mean over rows: **lower = more faithful** (the output falls sooner).
//! The cost is the wall time of the method's explanation of all kept rows on one thread,
//! per row (the fastest of up to 5 runs). Sampling methods number the kept rows from 0.
//! [`Evaluation::gaps`] compares the methods: each one's mean area over the lowest of the
//! others', with a 95% paired bootstrap interval over the rows ([`gaps_to_best_other`]).

mod flipping;
mod gap;

pub(crate) use flipping::flipping_curve;
pub use flipping::{normalized_area, order_by_relevance};
pub use gap::{gaps_to_best_other, Gap, RESAMPLES};

use crate::baselines::{explained_clusters, Target};
use crate::error::{Error, Result};
use crate::method::Method;
use crate::rng::Rng;
use crate::Explainer;
use ndarray::{Array2, ArrayView2, Axis};
use rayon::prelude::*;
use std::time::Instant;

/// How removed features are filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Imputation {
    /// The reference x̃.
    Mean,
    /// Independent draws from the reference rows' marginals.
    Marginal,
}

impl Imputation {
    /// Both, in the order of [`MethodScore::area`].
    pub const BOTH: [Imputation; 2] = [Imputation::Mean, Imputation::Marginal];

    /// The name in tables and curve files.
    pub fn name(self) -> &'static str {
        match self {
            Imputation::Mean => "mean",
            Imputation::Marginal => "marginal",
        }
    }
}

/// One method's result.
#[derive(Debug, Clone, PartialEq)]
pub struct MethodScore {
    /// The method.
    pub method: Method,
    /// Mean normalized area with mean imputation, then with marginal imputation.
    pub area: [f64; 2],
    /// Each explained row's normalized area (the means of `area`), per imputation.
    pub row_areas: [Vec<f64>; 2],
    /// Mean curve (d + 1 points, relative to each row's starting output) per imputation.
    pub curves: [Vec<f64>; 2],
    /// Explanation cost per row on one thread, microseconds.
    pub micros_per_row: f64,
}

/// The whole evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// Rows explained (output > 0).
    pub rows: usize,
    /// All input rows.
    pub input_rows: usize,
    /// One score per method, in the order given.
    pub scores: Vec<MethodScore>,
}

impl Evaluation {
    /// Each method's gap to the best of the other methods under `imputation`, with its 95%
    /// paired bootstrap interval over the explained rows (resamples from the stream `seed`;
    /// [`gaps_to_best_other`]).
    pub fn gaps(&self, imputation: Imputation, seed: u64) -> Vec<Option<Gap>> {
        let column = match imputation {
            Imputation::Mean => 0,
            Imputation::Marginal => 1,
        };
        let areas: Vec<&[f64]> = self
            .scores
            .iter()
            .map(|s| s.row_areas[column].as_slice())
            .collect();
        gaps_to_best_other(&areas, seed)
    }
}

/// Evaluate `methods` on the rows of `x` with positive output. `explainer` must carry the
/// reference x̃ (mean imputation); `reference_rows` feed the marginal imputation, `draws`
/// replacement rows per input row from the stream `seed`.
pub fn evaluate(
    explainer: &Explainer,
    x: ArrayView2<f64>,
    reference_rows: ArrayView2<f64>,
    methods: &[Method],
    draws: usize,
    seed: u64,
) -> Result<Evaluation> {
    if draws == 0 {
        return Err(Error::parameter("draws", "must be at least 1"));
    }
    if let Some(method) = methods.iter().find(|m| m.cluster().is_some()) {
        return Err(Error::parameter(
            "cluster",
            format!(
                "{method}: evaluate explains each row's own (assigned) cluster; leave the cluster unset"
            ),
        ));
    }
    // Every method is checked before any is run: a bad name or parameter fails fast.
    for method in methods {
        explainer.resolve(method)?;
    }
    if reference_rows.nrows() == 0 {
        return Err(Error::parameter(
            "reference",
            "the reference table has no rows",
        ));
    }
    let reference_rows = explainer
        .checked_rows(reference_rows)
        .map_err(|e| Error::parameter("reference rows", e.to_string()))?;
    let forward = explainer.forward(x, None)?;
    let kept: Vec<usize> = (0..x.nrows())
        .filter(|&r| forward.output[r] > 0.0)
        .collect();
    if kept.is_empty() {
        return Err(Error::parameter(
            "input",
            "no row has a positive explained output (nothing to flip)",
        ));
    }
    let rows = x.select(Axis(0), &kept);
    let start = forward.output.select(Axis(0), &kept);
    let all_clusters = explained_clusters(&forward.prediction, None);
    let clusters: Vec<Option<usize>> = kept.iter().map(|&r| all_clusters[r]).collect();
    let mean = explainer.reference().insert_axis(Axis(0)).to_owned();
    let marginal: Vec<Array2<f64>> = kept
        .iter()
        .map(|&r| marginal_draws(reference_rows.view(), draws, seed, r))
        .collect();
    let one_thread = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map_err(|e| Error::parameter("threads", e.to_string()))?;
    let mut scores = Vec::with_capacity(methods.len());
    for &method in methods {
        let (explanation, seconds) =
            one_thread.install(|| timed(|| explainer.explain(rows.view(), &method)))?;
        let micros_per_row = seconds * 1e6 / kept.len() as f64;
        let curves: Vec<[Vec<f64>; 2]> = (0..kept.len())
            .into_par_iter()
            .map(|r| {
                let target = Target::new(explainer, clusters[r]);
                let x = rows.row(r).to_vec();
                let order = order_by_relevance(&explanation.relevance.row(r).to_vec());
                Ok([
                    flipping_curve(&target, &x, &order, mean.view())?,
                    flipping_curve(&target, &x, &order, marginal[r].view())?,
                ])
            })
            .collect::<Result<_>>()?;
        scores.push(summarize(
            method,
            &curves,
            start.as_slice().expect("owned"),
            micros_per_row,
        ));
    }
    Ok(Evaluation {
        rows: kept.len(),
        input_rows: x.nrows(),
        scores,
    })
}

/// Run `f` (deterministic) up to `TIMING_RUNS` times, stopping once `TIMING_SECONDS` have
/// passed, and return its result with the fastest run's seconds (a shared machine's noise
/// only ever adds time).
fn timed<T>(f: impl Fn() -> Result<T>) -> Result<(T, f64)> {
    const TIMING_RUNS: usize = 5;
    const TIMING_SECONDS: f64 = 0.3;
    let mut best = f64::INFINITY;
    let mut total = 0.0;
    let mut result = None;
    for _ in 0..TIMING_RUNS {
        let started = Instant::now();
        let value = f()?;
        let seconds = started.elapsed().as_secs_f64();
        best = best.min(seconds);
        total += seconds;
        result = Some(value);
        if total > TIMING_SECONDS {
            break;
        }
    }
    Ok((result.expect("at least one run"), best))
}

/// `draws` replacement rows for input row `row`: value i of each is the feature i of a
/// uniformly drawn reference row (independent per feature: the product of the marginals).
pub(crate) fn marginal_draws(
    reference_rows: ArrayView2<f64>,
    draws: usize,
    seed: u64,
    row: usize,
) -> Array2<f64> {
    let mut rng = Rng::new(seed ^ 0xF11F, row as u64);
    let n = reference_rows.nrows();
    Array2::from_shape_fn((draws, reference_rows.ncols()), |(_, i)| {
        reference_rows[[rng.below(n), i]]
    })
}

fn summarize(
    method: Method,
    curves: &[[Vec<f64>; 2]],
    start: &[f64],
    micros_per_row: f64,
) -> MethodScore {
    let n = curves.len() as f64;
    let mut area = [0.0; 2];
    let mut row_areas = [
        Vec::with_capacity(curves.len()),
        Vec::with_capacity(curves.len()),
    ];
    let mut mean_curves = [vec![0.0; curves[0][0].len()], vec![0.0; curves[0][0].len()]];
    for (row, &s) in curves.iter().zip(start) {
        for imputation in 0..2 {
            let row_area = normalized_area(&row[imputation], s);
            area[imputation] += row_area / n;
            row_areas[imputation].push(row_area);
            for (m, c) in mean_curves[imputation].iter_mut().zip(&row[imputation]) {
                *m += c / s / n;
            }
        }
    }
    MethodScore {
        method,
        area,
        row_areas,
        curves: mean_curves,
        micros_per_row,
    }
}
