//! The rules: parameters only; the propagation kernels live beside them.

use crate::error::{Error, Result};
use std::fmt;
use std::str::FromStr;

/// Soft-min redistribution over pooled units:
/// `R_j = softmin_j(beta h) * output = exp(-beta h_j) / sum_k exp(-beta h_k) * output`.
///
/// `beta = 1` is the kernel models' own soft-min; `beta -> inf` gives all relevance to the
/// nearest unit, `beta -> 0` spreads it evenly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SoftMinPooling {
    beta: f64,
}

impl SoftMinPooling {
    /// `beta` must be finite and > 0.
    pub fn new(beta: f64) -> Result<Self> {
        if beta.is_finite() && beta > 0.0 {
            Ok(SoftMinPooling { beta })
        } else {
            Err(Error::parameter(
                "beta",
                format!("must be a finite number > 0, got {beta}"),
            ))
        }
    }

    pub fn beta(&self) -> f64 {
        self.beta
    }
}

/// Rules for distance units `h_j = gamma ||x - u_j||_q^q + b_j`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DistanceRule {
    /// Deep Taylor with the root point on the segment x -> u_j:
    /// `R_i = sum_j |x_i - u_ij|^q / ||x - u_j||_q^q * R_j`; the bias receives nothing.
    /// At zero distance `R_j` is split evenly over the features.
    #[default]
    Share,
}

/// Rules for linear units `z_k = sum_i a_i w_ik + b_k` (the k-means contrast layer).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum LinearRule {
    /// NEON's midpoint rule: root `m_k = (mu_c + mu_k)/2`,
    /// `R_i = sum_k (a_i - m_ik) w_ik / sum_i' (a_i' - m_i'k) w_i'k * R_k`. Conserving.
    #[default]
    Midpoint,
    /// LRP-0: `R_i = sum_k a_i w_ik / z_k * R_k`; the bias keeps its share.
    Lrp0,
    /// LRP-epsilon: `R_i = sum_k a_i w_ik / (z_k + eps sign(z_k)) * R_k`; absorbs a little.
    Epsilon { epsilon: f64 },
    /// LRP-gamma for signed inputs: contributions `c_ik = a_i w_ik` of the unit's sign are
    /// boosted, `n_ik = c_ik + gamma (c_ik)^±`, `R_i = sum_k n_ik / sum_i' n_i'k * R_k`.
    /// Conserving (bias excluded).
    Gamma { gamma: f64 },
    /// LRP-alpha-beta, `alpha - beta = 1`:
    /// `R_i = sum_k (alpha c+_ik / sum c+_k - beta c-_ik / sum c-_k) R_k`; an empty part
    /// contributes 0 (conserving when both parts are non-empty).
    AlphaBeta { alpha: f64, beta: f64 },
    /// Flat: `R_i = sum_k R_k / d`. Conserving.
    Flat,
    /// w^2: `R_i = sum_k w_ik^2 / sum_i' w_i'k^2 * R_k`. Conserving.
    WSquare,
    /// z^B with input bounds `l <= a <= h`:
    /// `R_i = sum_k (a_i w_ik - l_i w+_ik - h_i w-_ik) / sum_i' (...) * R_k`. Conserving.
    ZBox,
}

impl LinearRule {
    /// Whether relevances sum exactly to the input relevance (see NEON.md).
    /// Alpha-beta conserves only where both parts are non-empty; it is reported as not
    /// conserving.
    pub fn conserves(&self) -> bool {
        matches!(
            self,
            LinearRule::Midpoint
                | LinearRule::Gamma { .. }
                | LinearRule::Flat
                | LinearRule::WSquare
                | LinearRule::ZBox
        )
    }

    pub(crate) fn validated(self) -> Result<Self> {
        let bad = |message: String| Err(Error::parameter("linear-rule", message));
        match self {
            LinearRule::Epsilon { epsilon } if !(epsilon.is_finite() && epsilon >= 0.0) => {
                bad(format!("epsilon must be a finite number >= 0, got {epsilon}"))
            }
            LinearRule::Gamma { gamma } if !(gamma.is_finite() && gamma >= 0.0) => {
                bad(format!("gamma must be a finite number >= 0, got {gamma}"))
            }
            LinearRule::AlphaBeta { alpha, beta }
                if !(alpha.is_finite()
                    && beta.is_finite()
                    && beta >= 0.0
                    && ((alpha - beta) - 1.0).abs() <= 1e-12) =>
            {
                bad(format!(
                    "alpha-beta needs alpha - beta = 1 and beta >= 0, got alpha={alpha}, beta={beta}"
                ))
            }
            rule => Ok(rule),
        }
    }
}

impl FromStr for LinearRule {
    type Err = Error;

    /// `midpoint | lrp0 | epsilon=E | gamma=G | alpha-beta=A,B | flat | w2 | zb`.
    fn from_str(s: &str) -> Result<Self> {
        let number = |text: &str, what: &str| {
            text.trim().parse::<f64>().map_err(|_| {
                Error::parameter(
                    "linear-rule",
                    format!("{what} must be a number, got {text:?}"),
                )
            })
        };
        let rule = match s.split_once('=') {
            None => match s {
                "midpoint" => LinearRule::Midpoint,
                "lrp0" => LinearRule::Lrp0,
                "flat" => LinearRule::Flat,
                "w2" => LinearRule::WSquare,
                "zb" => LinearRule::ZBox,
                _ => return Err(unknown_linear_rule(s)),
            },
            Some(("epsilon", e)) => LinearRule::Epsilon {
                epsilon: number(e, "epsilon")?,
            },
            Some(("gamma", g)) => LinearRule::Gamma {
                gamma: number(g, "gamma")?,
            },
            Some(("alpha-beta", ab)) => {
                let (a, b) = ab.split_once(',').ok_or_else(|| {
                    Error::parameter("linear-rule", format!("alpha-beta needs A,B, got {ab:?}"))
                })?;
                LinearRule::AlphaBeta {
                    alpha: number(a, "alpha")?,
                    beta: number(b, "beta")?,
                }
            }
            _ => return Err(unknown_linear_rule(s)),
        };
        rule.validated()
    }
}

fn unknown_linear_rule(s: &str) -> Error {
    Error::parameter(
        "linear-rule",
        format!(
            "unknown rule {s:?}; expected midpoint, lrp0, epsilon=E, gamma=G, alpha-beta=A,B, flat, w2 or zb"
        ),
    )
}

impl fmt::Display for LinearRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinearRule::Midpoint => write!(f, "midpoint"),
            LinearRule::Lrp0 => write!(f, "lrp0"),
            LinearRule::Epsilon { epsilon } => write!(f, "epsilon={epsilon}"),
            LinearRule::Gamma { gamma } => write!(f, "gamma={gamma}"),
            LinearRule::AlphaBeta { alpha, beta } => write!(f, "alpha-beta={alpha},{beta}"),
            LinearRule::Flat => write!(f, "flat"),
            LinearRule::WSquare => write!(f, "w2"),
            LinearRule::ZBox => write!(f, "zb"),
        }
    }
}

/// Named rule sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RuleSet {
    /// The published NEON rules: soft-min pooling, the distance share, the midpoint rule.
    #[default]
    Neon,
    /// NEON with every root point moved toward the reference x̃ (z space: r), pooled:
    /// `N_i = sum_j p_j (|z_i - u_ij|^q - |r_i - u_ij|^q)` (kernel models; the exact split of
    /// `h_j(z) - h_j(r)`) or `N_i = sum_k p_k w_ik (z_i - r_i)` (k-means; `h_k(z) - h_k(r)`),
    /// `p = softmin(beta h)`, and `R_i = output * N_i / sum_i' N_i'` (conserving). Where
    /// `sum N` is tiny or of the other sign than the output, the row keeps the NEON rules.
    NeonRef,
    /// Bley et al. (2025), kernel models only: `R = (1 - eta) R^GI + eta R^NEON`, with the
    /// gradient-x-input term toward the reference
    /// `GI_i = (z_i - r_i) gamma sum_j p_j q |z_i - u_ij|^(q-1) sign(z_i - u_ij)` rescaled to
    /// sum to the output (the conserving variant; rows where it cannot keep `R^NEON`), and
    /// `eta = clamp(0.4 log10(gamma s) + 0.4, 0, 1)`, s the median pairwise `||u_j - u_k||_q^q`
    /// of the model's centers.
    Hybrid,
    /// NEON with the bias floor spread flat, kernel models only. The floor
    /// `o_0 = -log sum_j exp(-b_j)` is the pooled output at zero distance to every unit
    /// (one-class SVM: `log(rho / sum_j alpha_j)`; kernel density: 0), a lower bound of `o`.
    /// The excess `o - o_0 >= 0` goes through the NEON rules (soft-min pooling, distance
    /// share), the floor is split evenly: `R_i = (o - o_0) S_i + o_0 / d`, S_i the NEON
    /// share of feature i. Conserving; ranks features as `neon` does wherever `o > 0`, and
    /// keeps that ranking (instead of reversing it) for inliers, `o <= 0`.
    NeonFloor,
}

impl RuleSet {
    /// The rule set of the default explanation: `neon-floor` for kernel models (equal to
    /// `neon` for kernel densities, whose floor is 0), `neon-ref` for k-means: the most
    /// faithful conserving variants measured (docs/faithfulness.md).
    pub fn default_for(kind: crate::ModelKind) -> RuleSet {
        match kind {
            crate::ModelKind::KMeans => RuleSet::NeonRef,
            crate::ModelKind::OneClassSvm | crate::ModelKind::KernelDensity => RuleSet::NeonFloor,
        }
    }
}

impl FromStr for RuleSet {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s {
            "neon" => Ok(RuleSet::Neon),
            "neon-ref" => Ok(RuleSet::NeonRef),
            "hybrid" => Ok(RuleSet::Hybrid),
            "neon-floor" => Ok(RuleSet::NeonFloor),
            _ => Err(Error::parameter(
                "rule",
                format!("unknown rule set {s:?}; expected neon, neon-ref, hybrid or neon-floor"),
            )),
        }
    }
}

impl fmt::Display for RuleSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RuleSet::Neon => "neon",
            RuleSet::NeonRef => "neon-ref",
            RuleSet::Hybrid => "hybrid",
            RuleSet::NeonFloor => "neon-floor",
        })
    }
}

/// Which rule each layer kind gets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Composite {
    /// The named rule set; `NeonRef` and `Hybrid` post-process the NEON relevances.
    pub rule_set: RuleSet,
    pub pooling: SoftMinPooling,
    pub distance: DistanceRule,
    pub linear: LinearRule,
}

impl Composite {
    /// The published NEON rules with stiffness `beta`.
    pub fn neon(beta: f64) -> Result<Self> {
        Ok(Composite {
            rule_set: RuleSet::Neon,
            pooling: SoftMinPooling::new(beta)?,
            distance: DistanceRule::Share,
            linear: LinearRule::Midpoint,
        })
    }

    /// A named rule set with stiffness `beta`.
    pub fn from_rule_set(rule_set: RuleSet, beta: f64) -> Result<Self> {
        Ok(Composite {
            rule_set,
            ..Self::neon(beta)?
        })
    }

    /// Replace the linear-layer rule.
    pub fn with_linear(mut self, linear: LinearRule) -> Self {
        self.linear = linear;
        self
    }

    /// Check the parameters of every rule.
    pub fn validate(&self) -> Result<()> {
        SoftMinPooling::new(self.pooling.beta)?;
        self.linear.validated().map(|_| ())
    }

    /// Whether every rule of the composite conserves relevance.
    pub fn conserves(&self) -> bool {
        self.linear.conserves()
    }
}
