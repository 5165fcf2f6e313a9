//! One support vector's kernel exponent along the straight path from the reference r to
//! the row z, on the grid `t_p = p / P` (`p = 0..=P`), in O(P) for rbf and
//! O(d + P) for laplacian kernels (no pass over the features per grid point).
//!
//! Per feature the exponent is `e_si(t) = -gamma |c_i + t Delta_i|^q`, `c = r - u_s`,
//! `Delta = z - r`. It is the straight line between its ends plus a bump that vanishes at
//! both ends, `e_si(t) = (1 - t) e_si(0) + t e_si(1) + kappa_si(t)`:
//!
//! * rbf (q = 2): `kappa_si(t) = gamma Delta_i^2 t (1 - t)`;
//! * laplacian (q = 1): `kappa_si(t) = 2 gamma min(b_i t, a_i (1 - t))`, a tent, when the
//!   path crosses `u_si` (`c_i` and `c_i + Delta_i` of strictly opposite signs, `a_i = |c_i|`,
//!   `b_i = |c_i + Delta_i|`, peak at `t*_i = a_i / (a_i + b_i)`), else 0.
//!
//! So `E_s(t) = sum_i e_si(t) = (1 - t) E_s(r) + t E_s(z) + sum_i kappa_si(t)`, and the
//! laplacian's tents are summed at every grid point through bucketed prefix sums
//! (grid index of each peak).

use crate::network::power::Power;

/// A feature where the path crosses the support vector's coordinate (laplacian only):
/// `a = |r_i - u_si|`, `b = |z_i - u_si|`, `j` the first grid index with `t_j > t*`
/// (`1..=P`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Crossing {
    pub feature: usize,
    pub a: f64,
    pub b: f64,
    pub j: usize,
}

/// The grid and the per-row quantities of one row's path.
#[derive(Debug)]
pub(super) struct Grid {
    /// P, the number of pieces.
    pub pieces: usize,
    /// `t_p = p / P`, `p = 0..=P`.
    pub t: Vec<f64>,
    /// rbf: `gamma ||z - r||^2` (the bump's factor, summed over the features); laplacian: 0.
    pub curvature: f64,
    power: Power,
    gamma: f64,
}

impl Grid {
    /// The grid of `pieces` (>= 1) pieces from `r` to `z`.
    pub fn new(power: Power, gamma: f64, z: &[f64], r: &[f64], pieces: usize) -> Self {
        let t = (0..=pieces).map(|p| p as f64 / pieces as f64).collect();
        let curvature = match power {
            Power::Two => gamma * z.iter().zip(r).map(|(a, b)| (a - b) * (a - b)).sum::<f64>(),
            Power::One => 0.0,
        };
        Grid {
            pieces,
            t,
            curvature,
            power,
            gamma,
        }
    }

    /// The crossings of support vector `u` (laplacian; none for rbf), appended to `out`
    /// (cleared first).
    pub fn crossings(&self, z: &[f64], r: &[f64], u: &[f64], out: &mut Vec<Crossing>) {
        out.clear();
        if self.power == Power::Two {
            return;
        }
        let pieces = self.pieces as f64;
        for (i, ((&zi, &ri), &ui)) in z.iter().zip(r).zip(u).enumerate() {
            let (c, e) = (ri - ui, zi - ui);
            if (c < 0.0 && e > 0.0) || (c > 0.0 && e < 0.0) {
                let (a, b) = (c.abs(), e.abs());
                let peak = a / (a + b);
                let j = ((peak * pieces).floor() as usize + 1).min(self.pieces);
                out.push(Crossing {
                    feature: i,
                    a,
                    b,
                    j,
                });
            }
        }
    }

    /// `E_s(t_p)` for `p = 0..=P` into `out` from the ends `e0 = E_s(r)`, `e1 = E_s(z)` and
    /// the crossings; exactly `e0` and `e1` at the ends, never above 0. `scratch` holds
    /// P + 1 values.
    pub fn exponents(
        &self,
        e0: f64,
        e1: f64,
        crossings: &[Crossing],
        scratch: &mut Vec<f64>,
        out: &mut [f64],
    ) {
        let n = self.pieces;
        // the tents: sum_i 2 gamma (t_p b_i [p < j_i] + (1 - t_p) a_i [p >= j_i])
        scratch.clear();
        scratch.resize(2 * (n + 1), 0.0);
        let (rise, fall) = scratch.split_at_mut(n + 1);
        for x in crossings {
            rise[x.j] += x.b;
            fall[x.j] += x.a;
        }
        // rise[p] becomes sum over j > p of b; fall[p] sum over j <= p of a
        let mut above = 0.0;
        for p in (0..=n).rev() {
            let here = rise[p];
            rise[p] = above;
            above += here;
        }
        let mut below = 0.0;
        for f in fall.iter_mut() {
            below += *f;
            *f = below;
        }
        for p in 0..=n {
            let t = self.t[p];
            let bump = match self.power {
                Power::Two => self.curvature * t * (1.0 - t),
                Power::One => 2.0 * self.gamma * (t * rise[p] + (1.0 - t) * fall[p]),
            };
            out[p] = ((1.0 - t) * e0 + t * e1 + bump).min(0.0);
        }
        out[0] = e0;
        out[n] = e1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `E(t_p)` straight from `x(t_p) = r + t_p (z - r)`.
    fn direct(power: Power, gamma: f64, z: &[f64], r: &[f64], u: &[f64], t: f64) -> f64 {
        -gamma
            * z.iter()
                .zip(r)
                .zip(u)
                .map(|((&zi, &ri), &ui)| power.term(ri + t * (zi - ri) - ui))
                .sum::<f64>()
    }

    #[test]
    fn grid_exponents_equal_the_exponents_at_the_grid_points() {
        let mut state = 12345u64;
        let mut next = || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) * 4.0 - 2.0
        };
        for power in [Power::One, Power::Two] {
            for pieces in [1, 2, 3, 8] {
                for _ in 0..50 {
                    let d = 5;
                    let z: Vec<f64> = (0..d).map(|_| next()).collect();
                    let r: Vec<f64> = (0..d).map(|_| next()).collect();
                    let u: Vec<f64> = (0..d).map(|_| next()).collect();
                    let gamma = 0.3;
                    let grid = Grid::new(power, gamma, &z, &r, pieces);
                    let mut crossings = Vec::new();
                    grid.crossings(&z, &r, &u, &mut crossings);
                    let mut scratch = Vec::new();
                    let mut out = vec![0.0; pieces + 1];
                    let e0 = direct(power, gamma, &z, &r, &u, 0.0);
                    let e1 = direct(power, gamma, &z, &r, &u, 1.0);
                    grid.exponents(e0, e1, &crossings, &mut scratch, &mut out);
                    for (p, got) in out.iter().enumerate() {
                        let want = direct(power, gamma, &z, &r, &u, grid.t[p]);
                        assert!(
                            (got - want).abs() <= 1e-12 * want.abs().max(1.0),
                            "{power:?} P = {pieces} p = {p}: {got} vs {want}"
                        );
                    }
                }
            }
        }
    }
}
