//! Reductions and maps over unit activations, written so that the compiler vectorizes them:
//! reductions keep `LANES` independent partial results (a fixed order, so results are
//! deterministic), maps have no branches.
//!
//! The exponential loops dominate the soft-min pools; on x86-64 CPUs with AVX-512, or AVX2
//! and FMA, they run in a copy compiled for those features (chosen at run time, [`Level`]).
//! The arithmetic is the same IEEE operations in the same order (Rust never fuses
//! `a * b + c` on its own), so the results are bitwise identical on every CPU.

use super::dispatch::dispatched;
pub(crate) use super::dispatch::Level;
#[cfg(test)]
use super::fast_exp::exp;
use super::fast_exp::exp_block;

const LANES: usize = 8;

/// Fold `values` in `LANES` interleaved partial results, then combine them in order.
#[inline(always)]
fn fold_lanes(values: &[f64], init: f64, op: impl Fn(f64, f64) -> f64 + Copy) -> f64 {
    let mut acc = [init; LANES];
    let chunks = values.chunks_exact(LANES);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (a, &v) in acc.iter_mut().zip(chunk) {
            *a = op(*a, v);
        }
    }
    let total = acc.into_iter().fold(init, op);
    rest.iter().fold(total, |t, &v| op(t, v))
}

/// Block length of the sums (and of the exponential's stages, [`exp_block`]): `sum`,
/// [`sum_exp`] and [`exp_sum_inplace`] add in the same order, so a forward pass and an
/// explanation report bit-identical outputs.
const BLOCK: usize = super::fast_exp::BLOCK;

/// `sum_j values_j`, lane sums per block of `BLOCK`, blocks added in order (the order of
/// every sum here; the tests' yardstick).
#[cfg(test)]
pub(crate) fn sum(values: &[f64]) -> f64 {
    values.chunks(BLOCK).fold(0.0, |total, block| {
        total + fold_lanes(block, 0.0, |a, b| a + b)
    })
}

/// `min_j values_j` (`+inf` for none).
#[inline(always)]
pub(crate) fn min(values: &[f64]) -> f64 {
    fold_lanes(values, f64::INFINITY, f64::min)
}

/// `max_j values_j` (`-inf` for none).
#[inline(always)]
pub(crate) fn max(values: &[f64]) -> f64 {
    fold_lanes(values, f64::NEG_INFINITY, f64::max)
}

/// The plain map that [`exp_sum_inplace`] fuses with its sum (the tests' yardstick).
#[cfg(test)]
fn exp_inplace_generic(values: &mut [f64], shift: f64, scale: f64) {
    for v in values.iter_mut() {
        *v = exp(scale * (shift - *v));
    }
}

/// `sum_j values_j` in the order of ndarray's `sum` of a contiguous array (eight interleaved
/// partial sums, combined `(p0 + p4), (p1 + p5), ...`, then the rest in order): the row
/// sums of the unfused form, inlinable into the dispatched copies.
#[inline(always)]
pub(crate) fn sum_unrolled8(values: &[f64]) -> f64 {
    let mut p = [0.0; 8];
    let chunks = values.chunks_exact(8);
    let rest = chunks.remainder();
    for chunk in chunks {
        for (p, &v) in p.iter_mut().zip(chunk) {
            *p += v;
        }
    }
    let mut acc = 0.0;
    for (&low, &high) in p[..4].iter().zip(&p[4..]) {
        acc += low + high;
    }
    rest.iter().fold(acc, |a, &v| a + v)
}

dispatched!(
    /// `values_j <- exp(scale * (shift - values_j))`, returning `sum_j values_j` (after the
    /// map) summed in the order of `sum`: one pass for the map then the sum, with
    /// bit-identical results.
    exp_sum_inplace, exp_sum_inplace_at, exp_sum_inplace_generic,
    (values: &mut [f64], shift: f64, scale: f64) -> f64
);

#[inline(always)]
pub(crate) fn exp_sum_inplace_generic(values: &mut [f64], shift: f64, scale: f64) -> f64 {
    let mut total = 0.0;
    for block in values.chunks_mut(BLOCK) {
        for v in block.iter_mut() {
            *v = scale * (shift - *v);
        }
        exp_block(block);
        total += fold_lanes(block, 0.0, |a, b| a + b);
    }
    total
}

dispatched!(
    /// `sum_j exp(shift - values_j)`, summed in the order of `sum`.
    sum_exp, sum_exp_at, sum_exp_generic,
    (values: &[f64], shift: f64) -> f64
);

#[inline(always)]
pub(crate) fn sum_exp_generic(values: &[f64], shift: f64) -> f64 {
    // Blocks through a stack buffer: a branch-free map (vectorized), then a lane sum.
    let mut buffer = [0.0; BLOCK];
    let mut total = 0.0;
    for block in values.chunks(BLOCK) {
        let exps = &mut buffer[..block.len()];
        for (e, &v) in exps.iter_mut().zip(block) {
            *e = shift - v;
        }
        exp_block(exps);
        total += fold_lanes(exps, 0.0, |a, b| a + b);
    }
    total
}

/// `x_j <- (exp(x_j / 4))^4` for a block of up to `BLOCK` values (`x_j` the shifted
/// activations `shift - h_j`): the soft-min exponential of the q = 2 kernel pools at beta 1.
/// The quarter exponential `F_j = exp(x_j / 4)` is the one that `neon-path` needs for its
/// midpoints (`super::kernel::path_quarter`), so its output `min h - ln sum F^4` and the
/// forward pass's are the same bits. `F^4` is `(F F)(F F)`: two roundings beside the
/// exponential's few ulp (measured in the tests); `e^x` below `e^-708` gives subnormals or
/// 0 where [`exp_block`] flushes to 0.
#[inline(always)]
pub(crate) fn quarter_exp_block(x: &mut [f64]) {
    for v in x.iter_mut() {
        *v *= 0.25;
    }
    exp_block(x);
    for v in x.iter_mut() {
        let f2 = *v * *v;
        *v = f2 * f2;
    }
}

/// The sum of one block, as every sum here adds a block (the lane order of `sum`).
#[inline(always)]
pub(crate) fn block_sum(block: &[f64]) -> f64 {
    fold_lanes(block, 0.0, |a, b| a + b)
}

dispatched!(
    /// `sum_j (exp((shift - values_j) / 4))^4` ([`quarter_exp_block`]), summed in the order
    /// of `sum`: the q = 2 kernel pools' sum at beta 1.
    sum_exp_quarter, sum_exp_quarter_at, sum_exp_quarter_generic,
    (values: &[f64], shift: f64) -> f64
);

#[inline(always)]
pub(crate) fn sum_exp_quarter_generic(values: &[f64], shift: f64) -> f64 {
    let mut buffer = [0.0; BLOCK];
    let mut total = 0.0;
    for block in values.chunks(BLOCK) {
        let exps = &mut buffer[..block.len()];
        for (e, &v) in exps.iter_mut().zip(block) {
            *e = shift - v;
        }
        quarter_exp_block(exps);
        total += block_sum(exps);
    }
    total
}

dispatched!(
    /// `values_j <- (exp((shift - values_j) / 4))^4`, returning their sum in the order of
    /// `sum` (the bits of [`sum_exp_quarter`]).
    exp_quarter_sum_inplace, exp_quarter_sum_inplace_at, exp_quarter_sum_inplace_generic,
    (values: &mut [f64], shift: f64) -> f64
);

#[inline(always)]
pub(crate) fn exp_quarter_sum_inplace_generic(values: &mut [f64], shift: f64) -> f64 {
    let mut total = 0.0;
    for block in values.chunks_mut(BLOCK) {
        for v in block.iter_mut() {
            *v = shift - *v;
        }
        quarter_exp_block(block);
        total += block_sum(block);
    }
    total
}

/// `coef_j <- (exps_j * scale) / coef_j`: unit relevances `R_j = exps_j * scale` divided
/// by the distances held in `coef` (branch-free, vectorized; IEEE division, so every
/// compiled copy that inlines it gives the same bits).
#[inline(always)]
pub(crate) fn scale_divide(coef: &mut [f64], exps: &[f64], scale: f64) {
    for (c, &e) in coef.iter_mut().zip(exps) {
        *c = (e * scale) / *c;
    }
}

/// Clusters per block of [`midpoint_contrasts`] (two AVX-512 vectors of accumulators, kept
/// in registers over the features).
pub(crate) const CONTRAST_BLOCK: usize = 16;

dispatched!(
    /// k-means midpoint contrasts of cluster `c` against every cluster k, vectorized over k:
    /// `h_k = sum_i (z_i - m_ik) w_ik`, `m_ik = (c_i + mu_ki) * 0.5`, `w_ik = (c_i - mu_ki) * 2`,
    /// summed over i in order from `-0.0` (the bits of `Iterator::sum` over the stored
    /// weights and midpoints). `centroids_t` is features x `h.len()` (row i holds `mu_ki`,
    /// zero-padded to a multiple of [`CONTRAST_BLOCK`] clusters; the padding's `h` is
    /// meaningless); `h_c = 0`. With `magnitude`, also `sum_i |(z_i - m_ik) w_ik|` in the
    /// same order.
    midpoint_contrasts, midpoint_contrasts_at, midpoint_contrasts_generic,
    (z: &[f64], mu_c: &[f64], centroids_t: &[f64], h: &mut [f64], magnitude: Option<&mut [f64]>) -> ()
);

#[inline(always)]
#[allow(clippy::needless_range_loop)]
fn midpoint_contrasts_generic(
    z: &[f64],
    mu_c: &[f64],
    centroids_t: &[f64],
    h: &mut [f64],
    mut magnitude: Option<&mut [f64]>,
) {
    const B: usize = CONTRAST_BLOCK;
    let width = h.len();
    for lo in (0..width).step_by(B) {
        let (mut acc, mut mag) = ([-0.0; B], [-0.0; B]);
        let columns = z.iter().zip(mu_c).zip(centroids_t.chunks_exact(width));
        if magnitude.is_some() {
            for ((&zi, &ci), row) in columns {
                let u: &[f64; B] = row[lo..lo + B].try_into().expect("whole block");
                for j in 0..B {
                    let n = (zi - (ci + u[j]) * 0.5) * ((ci - u[j]) * 2.0);
                    acc[j] += n;
                    mag[j] += n.abs();
                }
            }
        } else {
            for ((&zi, &ci), row) in columns {
                let u: &[f64; B] = row[lo..lo + B].try_into().expect("whole block");
                for j in 0..B {
                    acc[j] += (zi - (ci + u[j]) * 0.5) * ((ci - u[j]) * 2.0);
                }
            }
        }
        h[lo..lo + B].copy_from_slice(&acc);
        if let Some(magnitude) = magnitude.as_mut() {
            magnitude[lo..lo + B].copy_from_slice(&mag);
        }
    }
}

/// How one k-means contrast passes its relevance `R_k` to the features (the midpoint rule).
#[derive(Debug, Clone, Copy)]
pub(crate) enum UnitShare {
    /// `R_i += n_ik * scale`, `scale = R_k / h_k`.
    Ratio(f64),
    /// `R_i += even` on every feature, `even = R_k / d` (tiny or zero `h_k`).
    Even(f64),
}

/// Features per block of [`midpoint_share`] (one AVX-512 vector).
pub(crate) const SHARE_BLOCK: usize = 8;

dispatched!(
    /// The k-means midpoint rule for one row, vectorized over blocks of [`SHARE_BLOCK`]
    /// features: for each competitor k of cluster `c` in order (cluster `k + (k >= c)`),
    /// `out_i += n_ik s_k` (`n_ik = (z_i - m_ik) w_ik`) or `out_i += even_k` ([`UnitShare`]);
    /// with `pulled`, also `pulled_i = sum_k p_k w_ik` (`neon-ref`'s pull, from `-0.0`).
    /// `padded` is clusters x `width` (the centroids, each row zero-padded to `width`, a
    /// multiple of [`SHARE_BLOCK`]), so every block is whole.
    midpoint_share, midpoint_share_at, midpoint_share_generic,
    (z: &[f64], c: usize, padded: &[f64], width: usize, shares: &[UnitShare], pulled: Option<(&[f64], &mut [f64])>, out: &mut [f64]) -> ()
);

#[inline(always)]
#[allow(clippy::needless_range_loop)]
fn midpoint_share_generic(
    z: &[f64],
    c: usize,
    padded: &[f64],
    width: usize,
    shares: &[UnitShare],
    mut pulled: Option<(&[f64], &mut [f64])>,
    out: &mut [f64],
) {
    const W: usize = SHARE_BLOCK;
    let d = z.len();
    let block = |row: usize, lo: usize| -> &[f64; W] {
        padded[row * width + lo..row * width + lo + W]
            .try_into()
            .expect("whole block")
    };
    for lo in (0..d).step_by(W) {
        let n = (d - lo).min(W);
        let (mut zb, mut ob, mut pb) = ([0.0; W], [0.0; W], [-0.0; W]);
        zb[..n].copy_from_slice(&z[lo..lo + n]);
        ob[..n].copy_from_slice(&out[lo..lo + n]);
        let cb = block(c, lo);
        for (unit, share) in shares.iter().enumerate() {
            let ub = block(unit + usize::from(unit >= c), lo);
            match *share {
                UnitShare::Ratio(scale) => {
                    for j in 0..W {
                        ob[j] += (zb[j] - (cb[j] + ub[j]) * 0.5) * ((cb[j] - ub[j]) * 2.0) * scale;
                    }
                }
                UnitShare::Even(even) => ob.iter_mut().for_each(|o| *o += even),
            }
            if let Some((p, _)) = pulled.as_ref() {
                let p_k = p[unit];
                for j in 0..W {
                    pb[j] += p_k * ((cb[j] - ub[j]) * 2.0);
                }
            }
        }
        out[lo..lo + n].copy_from_slice(&ob[..n]);
        if let Some((_, pulled)) = pulled.as_mut() {
            pulled[lo..lo + n].copy_from_slice(&pb[..n]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every compiled copy this CPU runs (portable, AVX2, AVX-512) gives the same bits.
    #[test]
    fn the_dispatched_copies_match_the_portable_code_bit_for_bit() {
        let values: Vec<f64> = (0..1003)
            .map(|i| (i as f64 * 0.731).sin() * 40.0 + if i % 97 == 0 { 800.0 } else { 0.0 })
            .collect();
        let shift = min(&values);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let levels = Level::available();
        eprintln!("levels compared: {levels:?}");
        for level in levels {
            assert_eq!(
                sum_exp_at(level, &values, shift).to_bits(),
                sum_exp_generic(&values, shift).to_bits()
            );
            for scale in [1.0, 0.37] {
                let mut portable = values.clone();
                exp_inplace_generic(&mut portable, shift, scale);
                let mut fused = values.clone();
                let total = exp_sum_inplace_at(level, &mut fused, shift, scale);
                assert_eq!(bits(&fused), bits(&portable), "{level:?}");
                assert_eq!(total.to_bits(), sum(&portable).to_bits(), "{level:?}");
                if scale == 1.0 {
                    let plain = sum(&portable).to_bits();
                    assert_eq!(sum_exp_at(level, &values, shift).to_bits(), plain);
                }
            }
        }
    }

    /// The quarter form: every compiled copy gives the portable bits, the in-place map and
    /// the sum agree bit for bit, and it stays within a few ulp of `exp` (also near and past
    /// the flush point of `exp`, where it gives subnormals or 0, never NaN or inf).
    #[test]
    fn the_quarter_form_agrees_across_copies_and_with_exp() {
        let values: Vec<f64> = (0..1003)
            .map(|i| (i as f64 * 0.731).sin() * 40.0 + if i % 97 == 0 { 800.0 } else { 0.0 })
            .collect();
        let shift = min(&values);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let mut portable = values.clone();
        let total = exp_quarter_sum_inplace_generic(&mut portable, shift);
        assert_eq!(total.to_bits(), sum(&portable).to_bits());
        assert_eq!(
            sum_exp_quarter_generic(&values, shift).to_bits(),
            total.to_bits()
        );
        for level in Level::available() {
            let mut mapped = values.clone();
            let t = exp_quarter_sum_inplace_at(level, &mut mapped, shift);
            assert_eq!(bits(&mapped), bits(&portable), "{level:?}");
            assert_eq!(t.to_bits(), total.to_bits(), "{level:?}");
            assert_eq!(
                sum_exp_quarter_at(level, &values, shift).to_bits(),
                total.to_bits(),
                "{level:?}"
            );
        }
        // Relative error against the correctly rounded-ish std exp over [-708, 0].
        let mut worst: f64 = 0.0;
        let xs: Vec<f64> = (0..=70_800).map(|i| -(i as f64) * 0.01).collect();
        let mut q = xs.clone();
        for block in q.chunks_mut(BLOCK) {
            quarter_exp_block(block);
        }
        for (&x, &e) in xs.iter().zip(&q) {
            let exact = x.exp();
            worst = worst.max((e - exact).abs() / exact);
        }
        eprintln!("quarter form: max relative difference to exp on [-708, 0]: {worst:e}");
        assert!(worst < 2e-15, "{worst}");
        // Past exp's range: subnormal or 0, monotone, never NaN or inf.
        let mut far = vec![
            -700.0, -708.0, -720.0, -745.0, -746.0, -2_000.0, -3_000.0, -1e150,
        ];
        quarter_exp_block(&mut far);
        assert!(far.iter().all(|v| v.is_finite() && *v >= 0.0), "{far:?}");
        assert!(far.windows(2).all(|w| w[0] >= w[1]), "{far:?}");
        assert_eq!(far[7], 0.0);
    }

    #[test]
    fn sum_unrolled8_gives_the_bits_of_ndarray_sum() {
        for n in [0usize, 1, 7, 8, 9, 15, 16, 17, 1003] {
            let values: Vec<f64> = (0..n).map(|i| (i as f64 * 0.917).sin() * 1e3).collect();
            let expected = ndarray::ArrayView1::from(&values[..]).sum();
            assert_eq!(sum_unrolled8(&values).to_bits(), expected.to_bits(), "{n}");
        }
    }

    #[test]
    fn reductions_agree_with_plain_loops() {
        for n in [0usize, 1, 7, 8, 9, 64, 421] {
            let values: Vec<f64> = (0..n).map(|i| ((i * 37 % 11) as f64) - 4.5).collect();
            let plain_sum: f64 = values.iter().sum();
            assert!((sum(&values) - plain_sum).abs() <= 1e-12 * (1.0 + plain_sum.abs()));
            assert_eq!(
                min(&values),
                values.iter().copied().fold(f64::INFINITY, f64::min)
            );
            let m = min(&values);
            let plain: f64 = values.iter().map(|v| (m - v).exp()).sum();
            assert!((sum_exp(&values, m) - plain).abs() <= 1e-13 * (1.0 + plain));
            let mut mapped = values.clone();
            exp_sum_inplace(&mut mapped, m, 0.5);
            for (a, v) in mapped.iter().zip(&values) {
                assert!((a - (0.5 * (m - v)).exp()).abs() <= 1e-15);
            }
        }
    }
}
