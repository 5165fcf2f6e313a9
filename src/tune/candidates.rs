//! The candidates of a model: every conserving NEON rule set its network lists, at the
//! published beta, `auto` and a small grid around the published beta.

use super::TuneOptions;
use crate::method::{Beta, Method, RuleSet};
use crate::Explainer;
use ndarray::{Array2, ArrayView2};

/// A candidate that was not scored, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Excluded {
    /// The candidate, as a `--method` value.
    pub method: String,
    /// Why: not conserving, an error, or the same relevances as an earlier candidate.
    pub why: String,
}

/// Rule sets the default candidates leave out. `neon-flip` and `neon-focus` (the same fused
/// passes) cost 1.9-2.9 forward passes through the CLI on the fixtures measured on an idle
/// machine, but 3.5-4.2 in memory at d = 30 with 100-1,000 units (docs/faithfulness.md,
/// "Flip-ordered path"), over the 3 a default may cost; on the held-out study's training
/// rows tune kept the straight path over `neon-flip` on 17 of 19 sets anyway. An explicit
/// `TuneOptions::candidates` list may still name them.
const OVER_BUDGET: &[RuleSet] = &[RuleSet::NeonFlip, RuleSet::NeonFocus];

/// Rule sets the default candidates leave out at other betas: `neon-lean` (issue 17's cheap
/// per-row mix, docs/faithfulness.md "Reference-pooled rest") was measured on held-out sets
/// at beta 1 only, where it is the family default of rbf kernel models and so candidate 0
/// ([`all_candidates`]); `neon-spread` (the k-means per-row mix) was screened at `auto`
/// only, where it is the k-means default and so candidate 0. An explicit
/// `TuneOptions::candidates` list may name other betas.
const OPT_IN: &[RuleSet] = &[RuleSet::NeonLean, RuleSet::NeonPick, RuleSet::NeonSpread];

/// Every candidate in the order tried: the family's default first (so it wins ties), then
/// per rule set of [`crate::RuleSet`]'s table that the network lists (except
/// [`OVER_BUDGET`]): the published beta,
/// `auto`, and `published * f` for each factor of [`TuneOptions::beta_factors`], rounded to
/// three significant digits ([`grid_beta`]).
pub(crate) fn all_candidates(explainer: &Explainer, options: &TuneOptions) -> Vec<Method> {
    let published = explainer.published_beta();
    let mut methods = vec![explainer.family_default_method()];
    let rule_sets = explainer.network().rule_sets().iter();
    for &rule_set in rule_sets.filter(|r| !OVER_BUDGET.contains(r) && !OPT_IN.contains(r)) {
        methods.push(Method::rule_set(rule_set));
        methods.push(Method::rule_set(rule_set).with_beta(Beta::Auto));
        for &f in &options.beta_factors {
            let beta = grid_beta(published * f);
            if beta.is_finite() && beta > 0.0 {
                methods.push(Method::rule_set(rule_set).with_beta(Beta::Value(beta)));
            }
        }
    }
    methods
}

/// `beta` rounded to three significant digits. The grid is a coarse search, and the chosen
/// candidate is stored in the model file and printed by `tune` and `info`: a pick reads
/// `neon-ref@0.278`, not `neon-ref@0.278098121042754`, and the stored name is exactly the beta
/// that was scored.
fn grid_beta(beta: f64) -> f64 {
    format!("{beta:.2e}").parse().unwrap_or(beta)
}

/// The candidates that the model takes and that conserve on every row of `x` (`|sum_i R_i -
/// output| <= 1e-8 max(1, |output|)`, finite), without those whose relevances equal an earlier one's bit
/// for bit (a rule set without a beta, or a beta equal to the published one). Returns the
/// kept candidates with their relevances on `x`, and the excluded ones with the reason.
#[allow(clippy::type_complexity)]
pub(crate) fn conserving_distinct(
    explainer: &Explainer,
    x: ArrayView2<f64>,
    methods: &[Method],
) -> crate::Result<(Vec<(Method, Array2<f64>)>, Vec<Excluded>)> {
    let mut kept: Vec<(Method, Array2<f64>)> = Vec::new();
    let mut excluded = Vec::new();
    for &method in methods {
        let exclude = |why: String| Excluded {
            method: method.to_string(),
            why,
        };
        // A rule set this model cannot take as it is (e.g. `uniform`, which needs a linear
        // rule) is no candidate: nothing to report.
        if explainer.resolve(&method).is_err() {
            continue;
        }
        let e = match explainer.explain(x, &method) {
            Ok(e) => e,
            Err(crate::Error::InvalidParameter { .. }) => continue,
            Err(e) => {
                excluded.push(exclude(e.to_string()));
                continue;
            }
        };
        if let Some(row) = non_conserving_row(&e.relevance, e.output.as_slice().expect("owned")) {
            excluded.push(exclude(format!("not conserving (row {row})")));
            continue;
        }
        if let Some((same, _)) = kept.iter().find(|(_, r)| *r == e.relevance) {
            excluded.push(exclude(format!("same relevances as {same}")));
            continue;
        }
        kept.push((method, e.relevance));
    }
    Ok((kept, excluded))
}

/// The first row whose relevances are not finite or do not sum to its output.
fn non_conserving_row(relevance: &Array2<f64>, output: &[f64]) -> Option<usize> {
    relevance.outer_iter().zip(output).position(|(r, &o)| {
        let sum: f64 = r.sum();
        !(sum.is_finite() && r.iter().all(|v| v.is_finite()))
            || (sum - o).abs() > 1e-8 * o.abs().max(1.0)
    })
}

#[cfg(test)]
mod tests {
    use super::grid_beta;

    #[test]
    fn grid_betas_keep_three_significant_digits_and_print_short() {
        assert_eq!(grid_beta(0.278098121042754), 0.278);
        assert_eq!(grid_beta(0.278098121042754).to_string(), "0.278");
        assert_eq!(grid_beta(4.0), 4.0);
        assert_eq!(grid_beta(1234.5678).to_string(), "1230");
        assert_eq!(grid_beta(1.23456e-7), 1.23e-7);
    }
}
