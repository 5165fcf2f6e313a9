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
//!
//! For rbf the kernel values on the grid also follow from one exponential per support
//! vector ([`Grid::kernels_by_recurrence`]): with `t_p = p / P` the exponent's steps are
//! `g_p = E_s(t_p+1) - E_s(t_p) = (E_s(z) - E_s(r)) / P + C (P - 2p - 1) / P^2`
//! (`C = gamma ||z - r||^2`, the same for every support vector), so
//! `K_s(t_p+1) = K_s(t_p) exp(g_p)` and `exp(g_p+1) = exp(g_p) rho`, `rho = exp(-2 C / P^2)`
//! once per row. The recurrence runs only where every factor stays in the normal range
//! (`|E_s| <= 700` at both ends, hence on the whole path, since `E_s` is concave along
//! it, and `|g_0|, |g_P-1| <= 700`, hence every step, since `g_p` decreases in p);
//! elsewhere (far rows) each grid value is its own exponential.

use crate::network::power::Power;

/// The largest exponent magnitude the rbf recurrence works with: `exp(±700)` and their
/// products with values of the same range stay normal numbers (`exp(-708)` is the
/// smallest).
const RECURRENCE_LIMIT: f64 = 700.0;

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
    /// rbf: `rho = exp(-2 C / P^2)`, the ratio of successive steps `exp(g_p+1) / exp(g_p)`
    /// of the kernel values along the grid; laplacian: 0.
    ratio: f64,
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
        let n = pieces as f64;
        let ratio = match power {
            Power::Two => (-2.0 * curvature / (n * n)).exp(),
            Power::One => 0.0,
        };
        Grid {
            pieces,
            t,
            curvature,
            ratio,
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
        if self.power == Power::Two {
            for (v, &t) in out.iter_mut().zip(&self.t) {
                *v = ((1.0 - t) * e0 + t * e1 + self.curvature * t * (1.0 - t)).min(0.0);
            }
            out[0] = e0;
            out[n] = e1;
            return;
        }
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
            let bump = 2.0 * self.gamma * (t * rise[p] + (1.0 - t) * fall[p]);
            out[p] = ((1.0 - t) * e0 + t * e1 + bump).min(0.0);
        }
        out[0] = e0;
        out[n] = e1;
    }

    /// rbf: the kernel values `K_s(t_p) = exp E_s(t_p)`, `p = 0..=P`, into `out` from the
    /// ends `e0 = E_s(r)`, `e1 = E_s(z)` and their kernel values `k0`, `k1` (exactly
    /// those at the ends), by the recurrence of the module doc: one exponential, `exp(g_0)`.
    /// Returns false (and leaves `out` alone) for laplacian kernels, one piece, or where a
    /// factor could leave the normal range (then the caller takes `exp` of every grid
    /// exponent).
    pub fn kernels_by_recurrence(
        &self,
        e0: f64,
        e1: f64,
        k0: f64,
        k1: f64,
        out: &mut [f64],
    ) -> bool {
        if self.power != Power::Two || self.pieces < 2 {
            return false;
        }
        let n = self.pieces as f64;
        let line = (e1 - e0) / n;
        let bend = self.curvature * (n - 1.0) / (n * n);
        let (first, last) = (line + bend, line - bend);
        let in_range = e0.min(e1) >= -RECURRENCE_LIMIT
            && first.abs() <= RECURRENCE_LIMIT
            && last.abs() <= RECURRENCE_LIMIT
            && self.ratio > 0.0;
        if !in_range {
            return false;
        }
        let mut k = k0;
        let mut step = first.exp();
        out[0] = k0;
        for v in &mut out[1..self.pieces] {
            k *= step;
            step *= self.ratio;
            *v = k.min(1.0);
        }
        out[self.pieces] = k1;
        true
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

    /// Uniform numbers in [-2, 2) from a fixed LCG.
    fn uniform(seed: u64) -> impl FnMut() -> f64 {
        let mut state = seed;
        move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((state >> 11) as f64 / (1u64 << 53) as f64) * 4.0 - 2.0
        }
    }

    /// The rbf recurrence against `exp` of every exponent computed straight from `x(t_p)`:
    /// relative 1e-12 wherever it runs; rows far enough for a factor to leave the normal
    /// range are refused (the caller then takes `exp` of every grid exponent), and rows at
    /// the edge of that range still run and stay within 1e-12.
    #[test]
    fn rbf_recurrence_equals_the_exponentials_of_the_grid() {
        let mut next = uniform(777);
        let (mut ran, mut refused) = (0, 0);
        for pieces in [1, 2, 3, 8, 16] {
            for spread in [0.01, 1.0, 5.0, 20.0, 200.0, 1e6] {
                for gamma in [0.01, 0.3, 3.0] {
                    for _ in 0..20 {
                        let d = 6;
                        let z: Vec<f64> = (0..d).map(|_| spread * next()).collect();
                        let r: Vec<f64> = (0..d).map(|_| next()).collect();
                        let u: Vec<f64> = (0..d).map(|_| next()).collect();
                        let grid = Grid::new(Power::Two, gamma, &z, &r, pieces);
                        let e0 = direct(Power::Two, gamma, &z, &r, &u, 0.0);
                        let e1 = direct(Power::Two, gamma, &z, &r, &u, 1.0);
                        let mut out = vec![f64::NAN; pieces + 1];
                        if !grid.kernels_by_recurrence(e0, e1, e0.exp(), e1.exp(), &mut out) {
                            assert!(out.iter().all(|v| v.is_nan()), "refused but written");
                            let far = e0.min(e1) < -RECURRENCE_LIMIT;
                            assert!(pieces == 1 || far, "refused in range: {e0} {e1}");
                            refused += 1;
                            continue;
                        }
                        ran += 1;
                        for (p, got) in out.iter().enumerate() {
                            let e = direct(Power::Two, gamma, &z, &r, &u, grid.t[p]);
                            let want = e.exp();
                            assert!(want > 0.0 && want.is_normal(), "{e}");
                            assert!(
                                (got - want).abs() <= 1e-12 * want,
                                "P = {pieces} p = {p} E = {e}: {got} vs {want}"
                            );
                        }
                    }
                }
            }
        }
        assert!(ran > 500 && refused > 100, "ran {ran}, refused {refused}");
    }

    /// At the edge of the range: both ends' exponents near -700 (the smallest kernel values
    /// the recurrence multiplies), still within 1e-12 of the direct exponentials.
    #[test]
    fn rbf_recurrence_at_the_edge_of_the_normal_range() {
        let gamma = 1.0;
        let u = [0.0, 0.0];
        for (z, r) in [
            ([26.4, 0.0], [-26.4, 0.1]),
            ([26.45, 0.0], [0.0, 26.45]),
            ([0.5, 0.0], [26.4, 0.3]),
        ] {
            let pieces = 8;
            let grid = Grid::new(Power::Two, gamma, &z, &r, pieces);
            let e0 = direct(Power::Two, gamma, &z, &r, &u, 0.0);
            let e1 = direct(Power::Two, gamma, &z, &r, &u, 1.0);
            let mut out = vec![0.0; pieces + 1];
            assert!(grid.kernels_by_recurrence(e0, e1, e0.exp(), e1.exp(), &mut out));
            for (p, got) in out.iter().enumerate() {
                let want = direct(Power::Two, gamma, &z, &r, &u, grid.t[p]).exp();
                assert!(
                    (got - want).abs() <= 1e-12 * want,
                    "p = {p}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn grid_exponents_equal_the_exponents_at_the_grid_points() {
        let mut next = uniform(12345);
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
