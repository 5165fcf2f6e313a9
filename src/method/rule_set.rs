//! The named LRP rule sets, in one table.

use crate::error::{Error, Result};
use std::fmt;
use std::str::FromStr;

/// A named set of LRP rules for the neuralized networks (see `docs/neon.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RuleSet {
    /// The published NEON rules: soft-min pooling `R_j = softmin_j(beta h) * output`, then the
    /// distance share `R_i = sum_j |z_i - u_ij|^q / ||z - u_j||_q^q R_j` (kernel models) or
    /// the linear rule, by default the midpoint rule (k-means). Support vector classifiers:
    /// the midpoint term of each duel, rescaled to the duel's share (`docs/svc.md`).
    Neon,
    /// NEON with every root point moved toward the reference x̃ (standardized: r), pooled:
    /// `N_i = sum_j p_j (|z_i - u_ij|^q - |r_i - u_ij|^q)` (kernel models, the exact split of
    /// `h_j(z) - h_j(r)`) or `N_i = sum_k p_k w_ik (z_i - r_i)` (k-means), `p = softmin(beta h)`,
    /// and `R_i = output * N_i / sum_i' N_i'` (conserving). Rows where `sum N` is tiny or of
    /// the other sign than the output keep the NEON relevance. Dense networks (their
    /// default): every layer rooted at the reference (DeepLIFT's rescale rule),
    /// `R_i = m_i (z_i - r_i) + f(r) / d`, `m` the multipliers of the secant slopes between
    /// the row's and the reference's pre-activations (conserving; half of `neon-drop`, their
    /// default). Support vector
    /// classifiers: the gradient-x-input term of each duel toward the reference, rescaled.
    NeonRef,
    /// Bley et al. (2025), kernel models only: `R = (1 - eta) R^GI + eta R^NEON`, the
    /// gradient-x-input term toward the reference rescaled to sum to the output and
    /// `eta = clamp(0.4 log10(gamma s) + 0.4, 0, 1)`, s the median pairwise
    /// `||u_j - u_k||_q^q` of the centers. Support vector classifiers (their default): the
    /// same eta mixing each duel's rescaled gradient-x-input and midpoint terms.
    Hybrid,
    /// NEON with the bias floor spread flat, kernel models only: the floor
    /// `o_0 = -log sum_j exp(-b_j)` (the output at zero distance to every unit) is split
    /// evenly, the excess `o - o_0` goes through the NEON rules: `R_i = (o - o_0) S_i + o_0 / d`.
    NeonFloor,
    /// The reference-rooted numerators of `neon-ref` with the pooling weights taken along
    /// the path from the reference r to the row z (kernel models; k-means below): the path
    /// is cut into 2 equal pieces `[a_k, a_(k+1)]`, the soft-min weights `p(m_k)` are frozen at each
    /// piece's midpoint, `N_i = sum_k sum_j p_j(m_k) (|a_(k+1),i - u_ij|^q - |a_k,i - u_ij|^q)`
    /// and, with the floor `o_0` of `neon-floor`, `R_i = (o - o_0) N_i / sum_i' N_i' + o_0 / d`
    /// (conserving). Rows where `sum N` is tiny or not > 0 keep the `neon-floor` relevance.
    /// The default of laplacian kernel models, at beta 1 (rbf ones default to `neon-lean`).
    /// k-means (its default): linear contrasts, 3 pieces, `N_i = sum_k p̄_k w_ik (z_i - r_i)`
    /// with `p̄` the mean soft-min weights at the pieces' midpoints; rows whose `sum N` is
    /// unusable keep `N` and spread `f - sum N` evenly.
    /// Support vector classifiers (their default): the weakest duel followed from the
    /// reference along the straight path in 8 rescale pieces,
    /// `R_i = sum_p sum_s a_s sigma_sp (e_si(t_p+1) - e_si(t_p)) + rest / d` (docs/svc.md).
    NeonPath,
    /// rbf kernel models: the path from the row back to the reference follows the flipping
    /// order of a first `neon-path` pass: the 3 highest-ranked features move first (the
    /// others at the row), then the rest (those 3 at the reference), each piece with the
    /// soft-min weights frozen at the midpoints of its two halves and each unit's change
    /// split exactly over the moving features; `R_flip,i = (o - o_0) N_i / sum N + o_0 / d`
    /// and `R = (3 R_path + R_flip) / 4` (conserving). Rows whose `sum N` is unusable keep the
    /// `neon-path` relevance.
    /// Dense networks (opt-in, about twice `neon-ref`'s cost): the mean of `neon-ref` and
    /// a two-piece rescale path on which the 3 features with the largest `neon-ref` terms
    /// move first, `R = (R_ref + R_flip) / 2` with
    /// `R_flip,i = m1_i (z_i - r_i)` (top 3; `m1` the multipliers of z1 -> z) or
    /// `m2_i (z_i - r_i)` (the rest; `m2` those of r -> z1), z1 the row with its top 3 at
    /// the reference, plus `(f(z) - sum flip) / d` (conserving).
    NeonFlip,
    /// Dense networks (their default): the mean of `neon-ref` and a flip-ordered path whose
    /// first piece is taken whole: the 3 features with the largest `neon-ref` terms `nr` (G) carry their
    /// joint drop `f(z) - f(z1)` (z1 the row with G at the reference), split as `nr` plus an
    /// even correction, the rest `m2_i (z_i - r_i)` (`m2` the multipliers of r -> z1), plus
    /// `(f(z) - sum drop) / d` (conserving). `neon-flip` without its second backward product.
    NeonDrop,
    /// rbf kernel models: `neon-flip`'s two relevances mixed per row by how concentrated the
    /// first pass is, `R = (1 - l) R_path + l R_flip` with `l = c^2 / 2` and
    /// `c = sum_top3 max(R_path,i, 0) / sum_i max(R_path,i, 0)` (0 without positive
    /// relevance; conserving): rows where a few features dominate take more of the
    /// flip-ordered path.
    NeonFocus,
    /// rbf kernel models: `neon-path` with the relevance of all but its top 3 features
    /// re-shared per row by the path rule whose soft-min weights are frozen at the
    /// reference, `N_ref,i = (z_i - r_i)(z_i + r_i - 2 (p(r) U)_i)`: the top 3 keep their
    /// `R_path` values, the rest get `(1 - l) R_path,i + l (E N_ref,i / sum_rest N_ref + o_0 / d)`
    /// with `E` the rest's `R_path` above the flat floor and `l = c^2` (`c` as `neon-focus`'s)
    /// (conserving; the top 3's order kept): concentrated rows weigh their other features
    /// against the units near the reference, at `neon-path`'s cost (no new exponential, no
    /// new matrix product). Rows where this is unusable keep `R_path`. The default of rbf
    /// kernel models, at beta 1.
    NeonLean,
    /// rbf kernel models: `neon-lean` whose three top places go to the group an exact test
    /// prefers: of `neon-lean`'s top 3 and the top 3 of the split under the row's own
    /// soft-min weights, `N_row,i = (z_i - r_i)(z_i + r_i - 2 (p(z) U)_i)`, the group whose
    /// features, set to the reference together, lower the outlierness more (exact: a
    /// rank-3 change of every unit). If it is the second, the features leaving and entering
    /// the top group exchange their `neon-lean` values (conserving; the rest of the order is
    /// `neon-lean`'s). Only on wide kernels (`gamma s <= 6.6`); `neon-lean` elsewhere.
    NeonPick,
    /// k-means: `neon-path` mixed per row with the same split whose soft-min weights are
    /// taken at the path nodes nearer the row, `p̄2 = (p(5/6) + p(1)) / 2` (`R2`, shared as
    /// `neon-path`'s `R0`): `R = (1 - l) R0 + l R2` with `l = (1 - c)^2` and `c` the share of
    /// the row's positive `R0` held by its 3 largest values (`c = 1` without positive
    /// relevance; conserving): rows whose relevance is spread move toward the row's own
    /// weights, rows where a few features dominate keep `neon-path`. At `neon-path`'s
    /// exponentials plus one matrix product per chunk.
    NeonSpread,
    /// Gaussian-mixture log-odds (their default): each feature's exact drop of the log-odds
    /// when it alone is set to the reference, `occ_i = f(z) - f(z with z_i = r_i)` (a
    /// rank-one change of every Mahalanobis unit), and the log-odds shared over the features
    /// in proportion, `R_i = f occ_i / sum occ` where that sum is usable (not tiny, of f's
    /// sign), else `occ_i + (f - sum occ) / d` (conserving). The order of occlusion at
    /// `K d` exponentials instead of `d` forward passes.
    OcclusionShare,
    /// Dense networks: the layer-wise recipe of Montavon et al. (2019): z^B on the input
    /// layer (w² without bounds), γ = 0.25 on the lower hidden layers, ε = 0.25 std on the
    /// upper ones, LRP-0 on the explained unit. Biases absorb relevance (not conserving).
    Tutorial,
    /// Dense networks: z^B on the input layer (w² without bounds), γ = 0.25 everywhere
    /// else; biases receive nothing, so `sum_i R_i = output` (conserving).
    GammaZb,
    /// Dense networks: flat on the input layer, ε = 1e-6 elsewhere (zennit's
    /// EpsilonPlusFlat). Biases absorb relevance (not conserving).
    EpsilonPlusFlat,
    /// Dense networks: the linear rule (`--linear-rule`) on every layer.
    Uniform,
    /// Dense networks: DeepLIFT's RevealCancel rooted at the reference: the change of every
    /// unit kept in a positive and a negative part, each with its own multiplier through a
    /// ReLU (`Δy± = ½ (relu(p̄ + Δp±) - relu(p̄)) + ½ (relu(p̄ + Δp∓ + Δp±) - relu(p̄ + Δp∓))`);
    /// the reference's output spread evenly, so `sum_i R_i = output` (conserving).
    RevealCancel,
}

/// Every rule set with its name and a one-line description: parsing, display and help
/// text come from this table.
pub const RULE_SETS: &[(RuleSet, &str, &str)] = &[
    (RuleSet::Neon, "neon", "the published NEON rules"),
    (
        RuleSet::NeonRef,
        "neon-ref",
        "NEON with root points moved toward the reference",
    ),
    (
        RuleSet::Hybrid,
        "hybrid",
        "Bley et al. 2025, NEON mixed with gradient x input (kernel models, SVCs)",
    ),
    (
        RuleSet::NeonFloor,
        "neon-floor",
        "NEON on the output above its floor, the floor spread evenly (kernel models)",
    ),
    (
        RuleSet::NeonPath,
        "neon-path",
        "NEON rooted at the reference, pooled along the path to the row (kernel models, k-means)",
    ),
    (
        RuleSet::NeonFlip,
        "neon-flip",
        "neon-path mixed 3:1 with a path along the flipping order (top 3 first; rbf kernels); dense networks: neon-ref averaged with it (opt-in)",
    ),
    (
        RuleSet::NeonDrop,
        "neon-drop",
        "dense networks (their default): neon-ref averaged with a path on which its top 3 carry their joint drop f(z) - f(z1) and the rest the rescale rule from the reference",
    ),
    (
        RuleSet::NeonFocus,
        "neon-focus",
        "neon-flip's mix chosen per row, more flip-ordered where the top 3 dominate (rbf kernels)",
    ),
    (
        RuleSet::NeonLean,
        "neon-lean",
        "neon-path, the rest after its top 3 re-shared by the reference's pooling where they dominate (rbf kernels; their default)",
    ),
    (
        RuleSet::NeonPick,
        "neon-pick",
        "neon-lean whose top 3 places go to the group whose joint removal lowers the output more, of its own and the row-weighted split's (wide rbf kernels)",
    ),
    (
        RuleSet::NeonSpread,
        "neon-spread",
        "neon-path mixed with the weights nearer the row where its relevance is spread (k-means)",
    ),
    (
        RuleSet::OcclusionShare,
        "occlusion-share",
        "Gaussian-mixture log-odds (their default): each feature's exact drop when it alone is at the reference, the output shared in proportion (conserving)",
    ),
    (
        RuleSet::Tutorial,
        "tutorial",
        "dense networks: z^B or w2 on the input, gamma lower, epsilon upper, LRP-0 on top",
    ),
    (
        RuleSet::GammaZb,
        "gamma-zb",
        "dense networks: z^B or w2 on the input, gamma=0.25 elsewhere (conserving)",
    ),
    (
        RuleSet::EpsilonPlusFlat,
        "epsilon-plus-flat",
        "dense networks: flat on the input, epsilon=1e-6 elsewhere",
    ),
    (
        RuleSet::Uniform,
        "uniform",
        "dense networks: the --linear-rule on every layer",
    ),
    (
        RuleSet::RevealCancel,
        "reveal-cancel",
        "dense networks: DeepLIFT's RevealCancel rooted at the reference (conserving)",
    ),
];

impl RuleSet {
    /// Every rule set, in table order.
    pub fn all() -> impl Iterator<Item = RuleSet> {
        RULE_SETS.iter().map(|&(rule_set, _, _)| rule_set)
    }

    /// The name used on the command line and in method names.
    pub fn name(self) -> &'static str {
        RULE_SETS
            .iter()
            .find(|(r, _, _)| *r == self)
            .map(|&(_, name, _)| name)
            .unwrap_or("?")
    }

    /// The names, comma-separated, for help and error messages.
    pub fn names() -> String {
        RULE_SETS
            .iter()
            .map(|&(_, name, _)| name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl FromStr for RuleSet {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        RULE_SETS
            .iter()
            .find(|&&(_, name, _)| name == s)
            .map(|&(rule_set, _, _)| rule_set)
            .ok_or_else(|| {
                Error::parameter(
                    "rule",
                    format!("unknown rule set {s:?}; expected one of {}", Self::names()),
                )
            })
    }
}

impl fmt::Display for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
