//! The rules of linear layers, in one table.

use crate::error::{Error, Result};
use std::fmt;
use std::str::FromStr;

/// Rules for linear units `z_k = sum_i a_i w_ik + b_k` (the k-means contrast layer).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
pub enum LinearRule {
    /// NEON's midpoint rule: root `m_k = (mu_c + mu_k)/2`,
    /// `R_i = sum_k (a_i - m_ik) w_ik / sum_i' (a_i' - m_i'k) w_i'k * R_k`. Conserving.
    #[default]
    Midpoint,
    /// LRP-0: `R_i = sum_k a_i w_ik / z_k * R_k`; the bias keeps its share.
    Lrp0,
    /// LRP-epsilon: `R_i = sum_k a_i w_ik / (z_k + eps sign(z_k)) * R_k`; absorbs a little.
    Epsilon {
        /// The stabilizer eps >= 0.
        epsilon: f64,
    },
    /// LRP-gamma for signed inputs: contributions `c_ik = a_i w_ik` of the unit's sign are
    /// boosted, `n_ik = c_ik + gamma (c_ik)^±`, `R_i = sum_k n_ik / sum_i' n_i'k * R_k`.
    /// Conserving (bias excluded).
    Gamma {
        /// The boost gamma >= 0.
        gamma: f64,
    },
    /// LRP-alpha-beta, `alpha - beta = 1`:
    /// `R_i = sum_k (alpha c+_ik / sum c+_k - beta c-_ik / sum c-_k) R_k`; an empty part
    /// contributes 0 (so it conserves only where both parts are non-empty).
    AlphaBeta {
        /// Weight of the positive contributions.
        alpha: f64,
        /// Weight of the negative contributions, `alpha - 1`.
        beta: f64,
    },
    /// Flat: `R_i = sum_k R_k / d`. Conserving.
    Flat,
    /// w^2: `R_i = sum_k w_ik^2 / sum_i' w_i'k^2 * R_k`. Conserving.
    WSquare,
    /// z^B with input bounds `l <= a <= h` (the model file's `bounds`):
    /// `R_i = sum_k (a_i w_ik - l_i w+_ik - h_i w-_ik) / sum_i' (...) * R_k`. Conserving.
    ZBox,
}

/// One row of the table: the name, its parameters (`name=P` or `name=P,Q`) and how to
/// build the rule from them.
struct Entry {
    name: &'static str,
    parameters: &'static [&'static str],
    build: fn(&[f64]) -> LinearRule,
}

/// Every linear rule: parsing, help and error messages come from this table.
const LINEAR_RULES: &[Entry] = &[
    Entry {
        name: "midpoint",
        parameters: &[],
        build: |_| LinearRule::Midpoint,
    },
    Entry {
        name: "lrp0",
        parameters: &[],
        build: |_| LinearRule::Lrp0,
    },
    Entry {
        name: "epsilon",
        parameters: &["E"],
        build: |p| LinearRule::Epsilon { epsilon: p[0] },
    },
    Entry {
        name: "gamma",
        parameters: &["G"],
        build: |p| LinearRule::Gamma { gamma: p[0] },
    },
    Entry {
        name: "alpha-beta",
        parameters: &["A", "B"],
        build: |p| LinearRule::AlphaBeta {
            alpha: p[0],
            beta: p[1],
        },
    },
    Entry {
        name: "flat",
        parameters: &[],
        build: |_| LinearRule::Flat,
    },
    Entry {
        name: "w2",
        parameters: &[],
        build: |_| LinearRule::WSquare,
    },
    Entry {
        name: "zb",
        parameters: &[],
        build: |_| LinearRule::ZBox,
    },
];

impl LinearRule {
    /// The rule's name and parameters, as written on the command line.
    fn spec(&self) -> (&'static str, Vec<f64>) {
        match *self {
            LinearRule::Midpoint => ("midpoint", vec![]),
            LinearRule::Lrp0 => ("lrp0", vec![]),
            LinearRule::Epsilon { epsilon } => ("epsilon", vec![epsilon]),
            LinearRule::Gamma { gamma } => ("gamma", vec![gamma]),
            LinearRule::AlphaBeta { alpha, beta } => ("alpha-beta", vec![alpha, beta]),
            LinearRule::Flat => ("flat", vec![]),
            LinearRule::WSquare => ("w2", vec![]),
            LinearRule::ZBox => ("zb", vec![]),
        }
    }

    /// Whether the input relevances sum exactly to the unit relevances. Alpha-beta conserves
    /// only where both parts are non-empty and is reported as not conserving.
    pub fn conserves(&self) -> bool {
        match self {
            LinearRule::Midpoint
            | LinearRule::Gamma { .. }
            | LinearRule::Flat
            | LinearRule::WSquare
            | LinearRule::ZBox => true,
            LinearRule::Lrp0 | LinearRule::Epsilon { .. } | LinearRule::AlphaBeta { .. } => false,
        }
    }

    /// Whether the rule reads the model file's input bounds.
    pub fn needs_bounds(&self) -> bool {
        matches!(self, LinearRule::ZBox)
    }

    /// The accepted spellings, e.g. `midpoint, lrp0, epsilon=E, ..., zb`.
    pub fn syntax() -> String {
        LINEAR_RULES
            .iter()
            .map(|e| match e.parameters {
                [] => e.name.to_string(),
                params => format!("{}={}", e.name, params.join(",")),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// One example of every rule (parameters 0.25 / 1.5,0.5 where needed), in table order.
    pub fn examples() -> Vec<LinearRule> {
        LINEAR_RULES
            .iter()
            .map(|e| match e.parameters.len() {
                0 => (e.build)(&[]),
                1 => (e.build)(&[0.25]),
                _ => (e.build)(&[1.5, 0.5]),
            })
            .collect()
    }

    /// Check the parameters' ranges.
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
        let (name, arguments) = match s.split_once('=') {
            Some((name, arguments)) => (name, Some(arguments)),
            None => (s, None),
        };
        let unknown = || {
            Error::parameter(
                "linear-rule",
                format!(
                    "unknown rule {s:?}; expected one of {}",
                    LinearRule::syntax()
                ),
            )
        };
        let entry = LINEAR_RULES
            .iter()
            .find(|e| e.name == name)
            .ok_or_else(unknown)?;
        let values: Vec<f64> = match arguments {
            None => vec![],
            Some(text) => text
                .split(',')
                .map(|v| {
                    v.trim().parse::<f64>().map_err(|_| {
                        Error::parameter(
                            "linear-rule",
                            format!("{name} parameters must be numbers, got {v:?}"),
                        )
                    })
                })
                .collect::<Result<_>>()?,
        };
        if values.len() != entry.parameters.len() {
            let expected = match entry.parameters {
                [] => name.to_string(),
                params => format!("{name}={}", params.join(",")),
            };
            return Err(Error::parameter(
                "linear-rule",
                format!("expected {expected}, got {s:?}"),
            ));
        }
        (entry.build)(&values).validated()
    }
}

impl fmt::Display for LinearRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (name, values) = self.spec();
        f.write_str(name)?;
        for (k, v) in values.iter().enumerate() {
            f.write_str(if k == 0 { "=" } else { "," })?;
            write!(f, "{v}")?;
        }
        Ok(())
    }
}
