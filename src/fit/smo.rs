//! libsvm's SMO solver (`Solver::Solve`), specialized to the one-class problem
//!
//! `min_a 1/2 a'Qa  s.t.  0 <= a_i <= 1,  sum_i a_i = nu * l`
//!
//! (libsvm's `p = 0`, `y_i = +1`, `C_i = 1`), with its gradient `G = Qa`, second-order
//! working-set selection, stopping rule, shrinking and rho. Working-set selection (WSS2):
//! - `i = argmax { -G_t : a_t < 1 }` (`Gmax = -G_i`),
//! - `j = argmin { -(Gmax + G_t)^2 / max(Q_ii + Q_tt - 2 Q_it, tau) : a_t > 0, Gmax + G_t > 0 }`,
//!   `tau = 1e-12`;
//! - stop when `Gmax + max { G_t : a_t > 0 } < eps` (the maximal violation gap).
//!
//! The pair update keeps `a_i + a_j` fixed: `delta = (G_i - G_j) / max(Q_ii + Q_jj - 2 Q_ij, tau)`,
//! `a_i -= delta`, `a_j += delta`, clipped to the box. `rho` is the mean of `G_i` over free
//! variables (`0 < a_i < 1`), else the midpoint of `max { G_i : a_i = 1 }` and
//! `min { G_i : a_i = 0 }` (libsvm's `calculate_rho`).

use super::one_class_q::OneClassQ;

const TAU: f64 = 1e-12;

/// The solver's result, indexed like the training rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Solution {
    /// The dual coefficients, one per training row (0 for non-support vectors).
    pub alpha: Vec<f64>,
    /// The offset rho.
    pub rho: f64,
    /// Iterations of the solver.
    pub iterations: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Lower,
    Upper,
    Free,
}

fn status(alpha: f64) -> Status {
    if alpha >= 1.0 {
        Status::Upper
    } else if alpha <= 0.0 {
        Status::Lower
    } else {
        Status::Free
    }
}

/// libsvm's feasible start for one-class: `nu*l` accumulated as `sum_i nu` (as libsvm does),
/// then `a_i = min(1, remaining)` from the first row on.
pub(crate) fn initial_alpha(l: usize, nu: f64) -> Vec<f64> {
    let mut remaining: f64 = (0..l).map(|_| nu).sum();
    let mut alpha = vec![0.0; l];
    for a in alpha.iter_mut() {
        if remaining <= 0.0 {
            break;
        }
        *a = remaining.min(1.0);
        remaining -= *a;
    }
    alpha
}

struct Solver<'q> {
    q: &'q mut OneClassQ,
    alpha: Vec<f64>,
    status: Vec<Status>,
    gradient: Vec<f64>,
    /// `G_bar_i = sum { Q_ij : a_j = 1 }`: the gradient part of the bounded variables,
    /// used to rebuild the gradient of shrunk variables.
    gradient_bar: Vec<f64>,
    /// `active_set[k]` = original index of the row now at position k.
    active_set: Vec<usize>,
    active_size: usize,
    eps: f64,
    unshrink: bool,
}

/// Solve the one-class dual on `q` from libsvm's start; `eps` is the stopping tolerance.
pub(crate) fn solve(q: &mut OneClassQ, nu: f64, eps: f64, shrinking: bool) -> Solution {
    let l = q.diagonal().len();
    let alpha = initial_alpha(l, nu);
    let status: Vec<Status> = alpha.iter().map(|&a| status(a)).collect();
    let mut gradient = vec![0.0; l];
    let mut gradient_bar = vec![0.0; l];
    for i in 0..l {
        if status[i] != Status::Lower {
            let column = q.column(i, l);
            for (g, &qij) in gradient.iter_mut().zip(column) {
                *g += alpha[i] * qij;
            }
            if status[i] == Status::Upper {
                for (g, &qij) in gradient_bar.iter_mut().zip(column) {
                    *g += qij;
                }
            }
        }
    }
    let mut solver = Solver {
        q,
        alpha,
        status,
        gradient,
        gradient_bar,
        active_set: (0..l).collect(),
        active_size: l,
        eps,
        unshrink: false,
    };
    let iterations = solver.run(shrinking);
    let rho = solver.rho();
    let mut alpha = vec![0.0; l];
    for (k, &original) in solver.active_set.iter().enumerate() {
        alpha[original] = solver.alpha[k];
    }
    Solution {
        alpha,
        rho,
        iterations,
    }
}

impl Solver<'_> {
    fn run(&mut self, shrinking: bool) -> usize {
        let l = self.alpha.len();
        let mut iterations = 0;
        let mut counter = l.min(1000) + 1;
        loop {
            counter -= 1;
            if counter == 0 {
                counter = l.min(1000);
                if shrinking {
                    self.shrink();
                }
            }
            let (i, j) = match self.select_working_set() {
                Some(pair) => pair,
                None => {
                    self.reconstruct_gradient();
                    self.active_size = l;
                    match self.select_working_set() {
                        Some(pair) => {
                            counter = 1; // shrink at the next iteration
                            pair
                        }
                        None => return iterations,
                    }
                }
            };
            iterations += 1;
            self.update(i, j);
        }
    }

    /// WSS2; `None` when the violation gap is below eps (optimal).
    fn select_working_set(&mut self) -> Option<(usize, usize)> {
        let n = self.active_size;
        let mut gmax = f64::NEG_INFINITY;
        let mut gmax_idx = None;
        for t in 0..n {
            if self.status[t] != Status::Upper && -self.gradient[t] >= gmax {
                gmax = -self.gradient[t];
                gmax_idx = Some(t);
            }
        }
        let i = gmax_idx?;
        let (column, diagonal) = self.q.column_and_diagonal(i, n);
        let mut gmax2 = f64::NEG_INFINITY;
        let mut gmin_idx = None;
        let mut obj_diff_min = f64::INFINITY;
        for j in 0..n {
            if self.status[j] == Status::Lower {
                continue;
            }
            let g = self.gradient[j];
            gmax2 = gmax2.max(g);
            let grad_diff = gmax + g;
            if grad_diff > 0.0 {
                let quad = diagonal[i] + diagonal[j] - 2.0 * column[j];
                let obj_diff = -(grad_diff * grad_diff) / if quad > 0.0 { quad } else { TAU };
                if obj_diff <= obj_diff_min {
                    gmin_idx = Some(j);
                    obj_diff_min = obj_diff;
                }
            }
        }
        if gmax + gmax2 < self.eps {
            return None;
        }
        gmin_idx.map(|j| (i, j))
    }

    /// Optimize the pair (i, j) analytically, keeping `a_i + a_j`, and update the gradients.
    fn update(&mut self, i: usize, j: usize) {
        let n = self.active_size;
        let (old_i, old_j) = (self.alpha[i], self.alpha[j]);
        let diagonal = self.q.diagonal();
        let (qd_i, qd_j) = (diagonal[i], diagonal[j]);
        let (q_i, q_j) = self.q.columns(i, j, n);
        let quad = qd_i + qd_j - 2.0 * q_i[j];
        let delta = (self.gradient[i] - self.gradient[j]) / if quad > 0.0 { quad } else { TAU };
        let sum = old_i + old_j;
        let (mut a_i, mut a_j) = (old_i - delta, old_j + delta);
        if sum > 1.0 {
            if a_i > 1.0 {
                (a_i, a_j) = (1.0, sum - 1.0);
            }
        } else if a_j < 0.0 {
            (a_i, a_j) = (sum, 0.0);
        }
        if sum > 1.0 {
            if a_j > 1.0 {
                (a_i, a_j) = (sum - 1.0, 1.0);
            }
        } else if a_i < 0.0 {
            (a_i, a_j) = (0.0, sum);
        }
        let (delta_i, delta_j) = (a_i - old_i, a_j - old_j);
        for ((g, &qi), &qj) in self.gradient[..n].iter_mut().zip(q_i).zip(q_j) {
            *g += qi * delta_i + qj * delta_j;
        }
        self.alpha[i] = a_i;
        self.alpha[j] = a_j;
        for k in [i, j] {
            let was_upper = self.status[k] == Status::Upper;
            self.status[k] = status(self.alpha[k]);
            let is_upper = self.status[k] == Status::Upper;
            if was_upper != is_upper {
                let sign = if was_upper { -1.0 } else { 1.0 };
                let l = self.alpha.len();
                for (gb, &q) in self.gradient_bar.iter_mut().zip(self.q.column(k, l)) {
                    *gb += sign * q;
                }
            }
        }
    }

    fn swap_index(&mut self, i: usize, j: usize) {
        self.q.swap_index(i, j);
        self.gradient.swap(i, j);
        self.status.swap(i, j);
        self.alpha.swap(i, j);
        self.active_set.swap(i, j);
        self.gradient_bar.swap(i, j);
    }

    /// Rebuild the gradient of the inactive (shrunk) variables:
    /// `G_j = G_bar_j + sum { a_i Q_ij : a_i free }`.
    fn reconstruct_gradient(&mut self) {
        let (n, l) = (self.active_size, self.alpha.len());
        if n == l {
            return;
        }
        self.gradient[n..].copy_from_slice(&self.gradient_bar[n..]);
        let n_free = self.status[..n]
            .iter()
            .filter(|&&s| s == Status::Free)
            .count();
        if n_free * l > 2 * n * (l - n) {
            for i in n..l {
                let column = self.q.column(i, n);
                let free = self.status[..n].iter().zip(&self.alpha[..n]).zip(column);
                self.gradient[i] += free
                    .filter(|((&s, _), _)| s == Status::Free)
                    .map(|((_, &a), &q)| a * q)
                    .sum::<f64>();
            }
        } else {
            for i in 0..n {
                if self.status[i] == Status::Free {
                    let alpha_i = self.alpha[i];
                    let column = self.q.column(i, l);
                    for (g, &q) in self.gradient[n..].iter_mut().zip(&column[n..]) {
                        *g += alpha_i * q;
                    }
                }
            }
        }
    }

    /// A bounded variable that cannot enter the next working sets is moved out of the
    /// active set: `a_i = 1` with `-G_i > Gmax1`, or `a_i = 0` with `G_i > Gmax2`.
    fn shrink(&mut self) {
        let n = self.active_size;
        let mut gmax1 = f64::NEG_INFINITY; // max { -G_i : a_i < 1 }
        let mut gmax2 = f64::NEG_INFINITY; // max { G_i : a_i > 0 }
        for t in 0..n {
            if self.status[t] != Status::Upper {
                gmax1 = gmax1.max(-self.gradient[t]);
            }
            if self.status[t] != Status::Lower {
                gmax2 = gmax2.max(self.gradient[t]);
            }
        }
        if !self.unshrink && gmax1 + gmax2 <= self.eps * 10.0 {
            self.unshrink = true;
            self.reconstruct_gradient();
            self.active_size = self.alpha.len();
        }
        let be_shrunk = |s: &Self, i: usize| match s.status[i] {
            Status::Upper => -s.gradient[i] > gmax1,
            Status::Lower => s.gradient[i] > gmax2,
            Status::Free => false,
        };
        let mut i = 0;
        while i < self.active_size {
            if be_shrunk(self, i) {
                self.active_size -= 1;
                while self.active_size > i {
                    if !be_shrunk(self, self.active_size) {
                        self.swap_index(i, self.active_size);
                        break;
                    }
                    self.active_size -= 1;
                }
            }
            i += 1;
        }
    }

    /// libsvm's `calculate_rho` (see the module docs).
    fn rho(&self) -> f64 {
        let (mut upper, mut lower) = (f64::INFINITY, f64::NEG_INFINITY);
        let (mut n_free, mut sum_free) = (0usize, 0.0);
        for t in 0..self.active_size {
            let g = self.gradient[t];
            match self.status[t] {
                Status::Upper => lower = lower.max(g),
                Status::Lower => upper = upper.min(g),
                Status::Free => {
                    n_free += 1;
                    sum_free += g;
                }
            }
        }
        if n_free > 0 {
            sum_free / n_free as f64
        } else {
            (upper + lower) / 2.0
        }
    }
}
