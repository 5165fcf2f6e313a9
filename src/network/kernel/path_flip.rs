//! `neon-flip` and `neon-focus` on an rbf kernel network (q = 2): the path from the row back to the
//! reference follows the flipping order of a first pass instead of the straight line.
//!
//! Feature flipping removes the most relevant features first. The straight path of
//! `neon-path` moves every feature at once; this rule moves them in the order the
//! explanation will be read:
//!
//! 1. first pass: `neon-path` at the same beta ([`KernelNetwork::explain_path`]), `R0`;
//! 2. the features in decreasing order of `R0` (ties: lower index first) are cut into two
//!    groups, `G_1` the first [`TOP`] features and `G_2` the rest;
//! 3. piece 1 of the path moves only `G_1` from z to r (`G_2` stays at z), piece 2 moves `G_2`
//!    (with `G_1` at r). Each piece is cut into two halves whose soft-min weights
//!    `p = softmin(beta h)` are frozen at the half's midpoint (the moving features at
//!    `z - t (z - r)`, `t = 1/4, 3/4`), and each unit's change over a half is split exactly
//!    over the moving features (squared distances are separable). With `delta = z - r` and
//!    `W_k = p(piece k, 1/4) + p(piece k, 3/4)`, for `i` in `G_k`:
//!
//!    `N_i = sum_halves sum_j p_j ((lo_i - u_ij)^2 - (hi_i - u_ij)^2)
//!         = delta_i (z_i + r_i - (W_k U)_i)`;
//!
//! 4. `R_flip,i = (o - o_0) N_i / sum_i' N_i' + o_0 / d` (`o_0 = -log sum_j exp(-b_j)`, the
//!    floor of `neon-floor`), and the result is the convex mix with the first pass,
//!    `R = (1 - l) R0 + l R_flip` with the row's share `l` of the rule set
//!    ([`super::flip_share`]: 1/4 for `neon-flip`, `c^2 / 2` for `neon-focus`): both sum
//!    to `o`, so it conserves. Rows with `o <= o_0`, `sum N` tiny or not > 0, or at most
//!    [`TOP`] features keep the first pass.
//!
//! The pass runs fused into the q = 2 `neon-path` pass ([`super::path_flip_fused`]): the
//! midpoints' distances follow from the row's own distances, the reference's and sums over
//! the top group alone. This module keeps the group sizes and, for the tests, the direct
//! form: per unit, sums over both groups from exact differences,
//! `||x(t) - u||^2 = S_fixed + A - 2 t B + t^2 C` with `A = sum_(G_k) (z_i - u_i)^2`,
//! `B = sum_(G_k) (z_i - u_i) delta_i`, `C = sum_(G_k) delta_i^2` and `S_fixed` the other
//! group's sum (at z for piece 1, at r for piece 2).

/// Size of the first group: the features the first pass ranks highest.
pub(crate) const TOP: usize = 3;

#[cfg(test)]
mod tests;
