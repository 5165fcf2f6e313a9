//! `neuralize tune`: choose, per model, the most faithful cheap explanation on the user's
//! own rows, and store it in the model file as the default method.
//!
//! **Candidates**: the family's default, then every rule set the model's network lists
//! ([`crate::RuleSet`]), each at its published beta, `auto` and `published * f` for the
//! factors of [`TuneOptions::beta_factors`]. Only NEON rule sets (the cost rule: the stored
//! default stays about as cheap as a forward pass; no baseline explainer is a candidate).
//! Candidates that do not conserve (`|sum_i R_i - output| > 1e-8 max(1, |output|)` on any
//! tuning row) or that give bit-identical relevances to an earlier one (a rule set without
//! a beta) are dropped.
//!
//! **Rows** (reference rows only, never the rows to be explained): the rows a model will
//! be asked to explain. For an anomaly detector (explained output `outlierness`) those are
//! the flagged, outlying rows, so the most outlying share of the reference rows is used: the
//! `max(ceil(share n), min(min_rows, n))` rows of largest outlierness (defaults 15 % and 50
//! rows). For clusterings and classifiers every row. Then at most `max_rows` (default 300),
//! a seeded sample.
//!
//! **Score**: feature flipping ([`crate::evaluate`]) of the chosen rows whose output is
//! positive, under mean imputation (the explainer's reference) and marginal imputation (draws
//! from all reference rows): areas `A_mean`, `A_marginal` (lower = more faithful). The
//! score of candidate c is `(A_mean(c) / min_c' A_mean(c') + A_marginal(c) / min_c'
//! A_marginal(c')) / 2`, its mean relative distance to the best candidate under the two
//! imputations (the issue's target is relative: within 2 % of the best). The lowest score
//! wins; a candidate must beat the family's default by more than [`TuneOptions::margin`]
//! (2 %), and with fewer than [`TuneOptions::min_flipped`] (30) flipped rows the default is
//! kept (ties, and noise on few rows, keep the default). Top-3 precision of planted anomalies
//! is not available at tune time (nothing is planted in the user's rows).
//!
//! **Anomaly detectors keep the family's default** unless the candidates are named
//! ([`TuneOptions::candidates`], `--candidates`): every candidate is still scored and the
//! scores are stored, but the choice is not made. In the held-out studies (docs/faithfulness.md,
//! "Tune on anomaly detectors") choices made on the most outlying training rows did not
//! carry over to the anomalies explained later: on 31 documented and 19 fresh sets the tuned
//! default missed the target more often than the family's (13 against 4, 10 against 5); the
//! most outlying training rows are not the anomalies a detector will be asked about.
//!
//! Deterministic: a seeded sample and seeded marginal draws, fixed work units (results do
//! not depend on the number of threads).

mod candidates;
mod rows;
mod score;

pub use candidates::Excluded;

use crate::error::{Error, Result};
use crate::model::{Model, StoredMethod, TuneScore};
use crate::{Explainer, Method};
use ndarray::{ArrayView2, Axis};
use rows::{select_rows, Selection};
use serde_json::json;

/// How `tune` chooses.
#[derive(Debug, Clone, PartialEq)]
pub struct TuneOptions {
    /// Anomaly detectors: the share of the reference rows, most outlying first, to flip on.
    pub share: f64,
    /// Anomaly detectors: at least this many rows (all rows when there are fewer).
    pub min_rows: usize,
    /// At most this many rows (a seeded sample of the selected ones).
    pub max_rows: usize,
    /// Marginal-imputation draws per row.
    pub draws: usize,
    /// Seed of the sample and of the draws.
    pub seed: u64,
    /// Betas tried besides the published one and `auto`: `published * f`.
    pub beta_factors: Vec<f64>,
    /// Another candidate replaces the family's default only if its score is lower by more
    /// than this (relative; 0.02 = 2 %).
    pub margin: f64,
    /// With fewer flipped rows than this (rows with output > 0), the family's default is
    /// kept: the scores would be noise.
    pub min_flipped: usize,
    /// Try these NEON methods instead of the generic list (`None`: every rule set of the
    /// network at the betas above). Anything but a NEON rule set is an error. Naming them is
    /// also what lets tune replace an anomaly detector's family default (module docs).
    pub candidates: Option<Vec<Method>>,
}

impl Default for TuneOptions {
    /// 15 % of the rows (at least 50) for detectors, at most 300 rows, 10 draws, seed 0,
    /// factors 0.25, 0.5, 2, 4, margin 0.02 (the issue's 2 % tolerance), at least 30
    /// flipped rows to leave the family's default.
    fn default() -> Self {
        TuneOptions {
            share: 0.15,
            min_rows: 50,
            max_rows: 300,
            draws: 10,
            seed: 0,
            beta_factors: vec![0.25, 0.5, 2.0, 4.0],
            margin: 0.02,
            min_flipped: 30,
            candidates: None,
        }
    }
}

impl TuneOptions {
    fn check(&self) -> Result<()> {
        if !(self.share > 0.0 && self.share <= 1.0) {
            return Err(Error::parameter(
                "share",
                format!("must be in (0, 1], got {}", self.share),
            ));
        }
        if self.max_rows == 0 {
            return Err(Error::parameter("max-rows", "must be at least 1"));
        }
        if self.draws == 0 {
            return Err(Error::parameter("draws", "must be at least 1"));
        }
        if !(self.margin.is_finite() && self.margin >= 0.0) {
            return Err(Error::parameter(
                "margin",
                format!("must be a finite number >= 0, got {}", self.margin),
            ));
        }
        if let Some(m) = self
            .candidates
            .iter()
            .flatten()
            .find(|m| !matches!(m.technique(), crate::Technique::Neon(_)))
        {
            return Err(Error::parameter(
                "candidates",
                format!(
                    "{m} is not a NEON rule set (the tuned default stays a cheap NEON variant)"
                ),
            ));
        }
        if let Some(f) = self
            .beta_factors
            .iter()
            .find(|f| !(f.is_finite() && **f > 0.0))
        {
            return Err(Error::parameter(
                "beta-factors",
                format!("must be finite numbers > 0, got {f}"),
            ));
        }
        Ok(())
    }
}

/// The outcome of [`tune`].
#[derive(Debug, Clone, PartialEq)]
pub struct Tuned {
    /// The chosen method with its reason and every candidate's score, ready for
    /// [`Model::with_method`] (or [`Tuned::apply`]).
    pub stored: StoredMethod,
    /// Candidates not scored, and why.
    pub excluded: Vec<Excluded>,
    /// Reference rows given.
    pub reference_rows: usize,
    /// Rows selected for tuning.
    pub rows: usize,
    /// Of those, the rows flipped (explained output > 0).
    pub flipped_rows: usize,
}

impl Tuned {
    /// `model` with the chosen method stored as its default.
    pub fn apply(&self, model: Model) -> Result<Model> {
        model.with_method(self.stored.clone())
    }
}

/// Choose the most faithful conserving NEON variant of `model` on `reference_rows` (rows x
/// features, input space; the rows the model was trained on or rows like them, never the
/// rows to be explained). See the module documentation for the candidates, rows and score.
///
/// ```
/// use neuralize::ndarray::Array2;
/// use neuralize::tune::{tune, TuneOptions};
/// use neuralize::{Explainer, Method, KMeans};
///
/// // Two clusters in 3 features; reference rows around them.
/// let centroids = neuralize::ndarray::array![[0.0, 0.0, 0.0], [4.0, 1.0, -2.0]];
/// let model = neuralize::Model::from(KMeans::new(centroids)?);
/// let rows = Array2::from_shape_fn((60, 3), |(r, i)| {
///     let c = [0.0, 4.0, 1.0, -2.0][(r % 2) * (i + 1)];
///     c + 0.3 * (((r * 7 + i * 13) % 11) as f64 - 5.0) / 5.0
/// });
/// let tuned = tune(&model, rows.view(), &TuneOptions::default())?;
/// let model = tuned.apply(model)?;
/// // `Method::default()` (what `neuralize explain` runs) is now the tuned method.
/// assert_eq!(Explainer::new(&model).default_method(), tuned.stored.method());
/// println!("{}: {}", tuned.stored.method(), tuned.stored.reason());
/// # Ok::<(), neuralize::Error>(())
/// ```
pub fn tune(
    model: &Model,
    reference_rows: ArrayView2<f64>,
    options: &TuneOptions,
) -> Result<Tuned> {
    options.check()?;
    let explainer = Explainer::new(&model.clone().without_method());
    if reference_rows.nrows() == 0 {
        return Err(Error::parameter(
            "reference",
            "the reference table has no rows",
        ));
    }
    let forward = explainer.forward(reference_rows, None)?;
    let outputs = forward.output.as_slice().expect("owned");
    let selection = if explainer.output_name() == "outlierness" {
        Selection::MostOutlying
    } else {
        Selection::All
    };
    let chosen = select_rows(outputs, selection, options);
    let x = reference_rows.select(Axis(0), &chosen);
    let flipping = score::Flipping::new(
        &explainer,
        x.view(),
        reference_rows,
        options.draws,
        options.seed,
    )?;
    let flipped_rows = flipping.len();
    if flipped_rows == 0 {
        return Err(Error::parameter(
            "reference",
            format!(
                "none of the {} selected reference rows has a positive {} (nothing to flip): \
                 give rows like the ones to be explained",
                chosen.len(),
                explainer.output_name()
            ),
        ));
    }
    let all = match &options.candidates {
        Some(list) => list.clone(),
        None => candidates::all_candidates(&explainer, options),
    };
    let (kept, excluded) = candidates::conserving_distinct(&explainer, x.view(), &all)?;
    if kept.is_empty() {
        return Err(Error::parameter(
            "model",
            "no conserving NEON rule set explains these rows",
        ));
    }
    let areas: Vec<[f64; 2]> = kept
        .iter()
        .map(|(_, relevance)| flipping.areas(relevance))
        .collect::<Result<_>>()?;
    let methods: Vec<Method> = kept.into_iter().map(|(m, _)| m).collect();
    let best = |i: usize| areas.iter().map(|a| a[i]).fold(f64::INFINITY, f64::min);
    let (best_mean, best_marginal) = (best(0), best(1));
    let scores: Vec<TuneScore> = methods
        .iter()
        .zip(&areas)
        .map(|(m, a)| TuneScore {
            method: m.to_string(),
            mean: a[0],
            marginal: a[1],
            score: (ratio(a[0], best_mean) + ratio(a[1], best_marginal)) / 2.0,
        })
        .collect();
    // The family's default is candidate 0 unless it was dropped.
    let default_index = (methods[0] == explainer.family_default_method()).then_some(0);
    let lowest = (0..scores.len())
        .min_by(|&a, &b| scores[a].score.total_cmp(&scores[b].score).then(a.cmp(&b)))
        .expect("at least one candidate");
    let too_few = flipped_rows < options.min_flipped;
    // The margin rule: the lowest-scoring candidate replaces the family default only if it
    // is better by more than the margin, on enough rows.
    let margin_moves = default_index.is_some_and(|d| {
        !too_few && scores[lowest].score < scores[d].score / (1.0 + options.margin)
    });
    let detector_kept =
        selection == Selection::MostOutlying && options.candidates.is_none() && margin_moves;
    let pick = match default_index {
        Some(d) if !margin_moves || detector_kept => d,
        _ => lowest,
    };
    let method = methods[pick];
    let what = match selection {
        Selection::MostOutlying => format!(
            "the {} most outlying of {} reference rows ({} with outlierness > 0 flipped)",
            chosen.len(),
            reference_rows.nrows(),
            flipped_rows
        ),
        Selection::All => format!(
            "{} of {} reference rows ({} with {} > 0 flipped)",
            chosen.len(),
            reference_rows.nrows(),
            flipped_rows,
            explainer.output_name()
        ),
    };
    let verdict = if detector_kept {
        format!(
            "kept the family default: {} scored lower, but on anomaly detectors choices made \
             on training rows did not carry over to held-out anomalies (docs/faithfulness.md); \
             name the candidates (--candidates) to choose among them",
            methods[lowest]
        )
    } else if Some(pick) == default_index && pick != lowest && too_few {
        format!(
            "kept the family default: fewer than {} rows flipped, too few to choose",
            options.min_flipped
        )
    } else if Some(pick) == default_index && pick != lowest {
        format!(
            "kept the family default: no candidate beat it by more than {}%",
            100.0 * options.margin
        )
    } else if Some(pick) == default_index {
        "the family default scored best".to_string()
    } else {
        format!(
            "lowest score (mean of the flipping AUCs, mean and marginal imputation, relative \
             to the best candidate): {:.4}, the family default {}",
            scores[pick].score,
            default_index.map_or("was not a candidate".to_string(), |d| format!(
                "{:.4}",
                scores[d].score
            ))
        )
    };
    let reason = format!(
        "tuned by `neuralize tune` on {what}, {} conserving NEON candidates, {} marginal draws, \
         seed {}: {verdict}",
        methods.len(),
        options.draws,
        options.seed
    );
    let stored = StoredMethod::new(method, reason)?
        .with_scores(scores)?
        .with_tuned_on(json!({
            "reference_rows": reference_rows.nrows(),
            "rows": chosen.len(),
            "flipped_rows": flipped_rows,
            "selection": match selection {
                Selection::MostOutlying => "most-outlying",
                Selection::All => "all",
            },
            "share": options.share,
            "min_rows": options.min_rows,
            "max_rows": options.max_rows,
            "draws": options.draws,
            "seed": options.seed,
            "margin": options.margin,
            "min_flipped": options.min_flipped,
        }));
    Ok(Tuned {
        stored,
        excluded,
        reference_rows: reference_rows.nrows(),
        rows: chosen.len(),
        flipped_rows,
    })
}

/// `a / best`; when the best area is 0 (its curve is 0 after the first flip), `1 + a`.
fn ratio(a: f64, best: f64) -> f64 {
    if best > 0.0 {
        a / best
    } else {
        1.0 + a
    }
}
