//! How much of the flip-ordered relevance a row takes: `R = (1 - l) R0 + l R_flip`, with
//! `R0` the first pass (`neon-path`) and `R_flip` the flip-ordered path's relevance
//! ([`super::path_flip`]); both sum to the output, so every `l` conserves.
//!
//! - `neon-flip`: a fixed `l = `[`MIX`] (1/4);
//! - `neon-focus`: per row, `l = `[`FOCUS_SCALE`]` c^2` with
//!   `c = sum_(i in top) max(R0_i, 0) / sum_i max(R0_i, 0)`, the share of the row's positive
//!   first-pass relevance held by its [`super::path_flip::TOP`] highest-ranked features
//!   (`c = 0`, so `l = 0`, for rows without positive relevance). Rows where a few features
//!   dominate (e.g. a few pixels far out after a scaler) take up to half of the flip-ordered
//!   path, rows with spread relevance keep nearly the straight path.

use crate::method::RuleSet;

/// `neon-flip`'s fixed share of the flip-ordered relevance.
pub(crate) const MIX: f64 = 0.25;

/// `neon-focus`'s `l = FOCUS_SCALE c^2`.
pub(crate) const FOCUS_SCALE: f64 = 0.5;

/// The row's share `l` of the flip-ordered relevance under `rule_set` (`neon-flip` or
/// `neon-focus`), from the first pass `first` and the indices `top` of its highest-ranked
/// features.
pub(super) fn flip_share(rule_set: RuleSet, first: &[f64], top: &[usize]) -> f64 {
    if rule_set != RuleSet::NeonFocus {
        return MIX;
    }
    let positive: f64 = first.iter().map(|&r| r.max(0.0)).sum();
    if positive <= 0.0 {
        return 0.0;
    }
    let held: f64 = top.iter().map(|&i| first[i].max(0.0)).sum();
    let c = (held / positive).min(1.0);
    FOCUS_SCALE * c * c
}

/// `relevance <- (1 - share) relevance + share flip`.
pub(super) fn mix_into(relevance: &mut [f64], flip: &[f64], share: f64) {
    relevance
        .iter_mut()
        .zip(flip)
        .for_each(|(r, &f)| *r = (1.0 - share) * *r + share * f);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The share follows the formula: fixed for `neon-flip`; `c^2 / 2` for `neon-focus`,
    /// counting only positive relevance, 0 without any.
    #[test]
    fn the_share_follows_the_formula() {
        let first = [4.0, -1.0, 1.0, 0.5, 2.0, -3.0];
        let top = [0, 4, 2];
        assert_eq!(flip_share(RuleSet::NeonFlip, &first, &top), MIX);
        let c: f64 = 7.0 / 7.5;
        let l = flip_share(RuleSet::NeonFocus, &first, &top);
        assert!((l - 0.5 * c * c).abs() < 1e-15, "{l}");
        assert_eq!(
            flip_share(RuleSet::NeonFocus, &[-1.0, 0.0, -2.0], &[1, 0, 2]),
            0.0
        );
        // All the positive mass in the top group: the largest share, 1/2.
        assert_eq!(
            flip_share(RuleSet::NeonFocus, &[3.0, -1.0, 0.0, -2.0], &[0, 2, 1]),
            0.5
        );
        let mut r = [1.0, 2.0];
        mix_into(&mut r, &[3.0, -2.0], 0.25);
        assert_eq!(r, [1.5, 1.0]);
    }
}
