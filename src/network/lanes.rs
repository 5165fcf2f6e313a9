//! Reductions and maps over unit activations, written so that the compiler vectorizes them:
//! reductions keep `LANES` independent partial results (a fixed order, so results are
//! deterministic), maps have no branches.
//!
//! The exponential loops dominate the soft-min pools; on x86-64 CPUs with AVX2 and FMA they
//! run in a copy compiled for those features (chosen at run time). The arithmetic is the
//! same IEEE operations in the same order (Rust never fuses `a * b + c` on its own), so
//! the results are bitwise identical on every CPU.

use super::fast_exp::exp;

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

/// Block length of the sums: [`sum`] and [`sum_exp`] add in the same order, so a forward
/// pass and an explanation report bit-identical outputs.
const BLOCK: usize = 64;

/// `sum_j values_j`, lane sums per block of `BLOCK`, blocks added in order.
pub(crate) fn sum(values: &[f64]) -> f64 {
    values.chunks(BLOCK).fold(0.0, |total, block| {
        total + fold_lanes(block, 0.0, |a, b| a + b)
    })
}

/// `min_j values_j` (`+inf` for none).
pub(crate) fn min(values: &[f64]) -> f64 {
    fold_lanes(values, f64::INFINITY, f64::min)
}

/// Run `$generic(args)` through a copy compiled with AVX2 + FMA where the CPU has them.
macro_rules! with_avx2 {
    ($avx2:ident, $generic:ident, ($($arg:ident: $ty:ty),*) -> $ret:ty) => {{
        #[cfg(target_arch = "x86_64")]
        {
            #[target_feature(enable = "avx2,fma")]
            fn $avx2($($arg: $ty),*) -> $ret {
                $generic($($arg),*)
            }
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                // SAFETY: the CPU supports the features the copy was compiled for.
                return unsafe { $avx2($($arg),*) };
            }
        }
        $generic($($arg),*)
    }};
}

/// `values_j <- exp(scale * (shift - values_j))`.
pub(crate) fn exp_inplace(values: &mut [f64], shift: f64, scale: f64) {
    with_avx2!(exp_inplace_avx2, exp_inplace_generic, (values: &mut [f64], shift: f64, scale: f64) -> ())
}

#[inline(always)]
fn exp_inplace_generic(values: &mut [f64], shift: f64, scale: f64) {
    for v in values.iter_mut() {
        *v = exp(scale * (shift - *v));
    }
}

/// `sum_j exp(shift - values_j)`, summed in the order of [`sum`].
pub(crate) fn sum_exp(values: &[f64], shift: f64) -> f64 {
    with_avx2!(sum_exp_avx2, sum_exp_generic, (values: &[f64], shift: f64) -> f64)
}

#[inline(always)]
fn sum_exp_generic(values: &[f64], shift: f64) -> f64 {
    // Blocks through a stack buffer: a branch-free map (vectorized), then a lane sum.
    let mut buffer = [0.0; BLOCK];
    let mut total = 0.0;
    for block in values.chunks(BLOCK) {
        let exps = &mut buffer[..block.len()];
        for (e, &v) in exps.iter_mut().zip(block) {
            *e = exp(shift - v);
        }
        total += fold_lanes(exps, 0.0, |a, b| a + b);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dispatched_copies_match_the_portable_code_bit_for_bit() {
        let values: Vec<f64> = (0..1000).map(|i| (i as f64 * 0.731).sin() * 40.0).collect();
        let shift = min(&values);
        assert_eq!(
            sum_exp(&values, shift).to_bits(),
            sum_exp_generic(&values, shift).to_bits()
        );
        let (mut dispatched, mut portable) = (values.clone(), values);
        exp_inplace(&mut dispatched, shift, 0.37);
        exp_inplace_generic(&mut portable, shift, 0.37);
        assert!(dispatched
            .iter()
            .zip(&portable)
            .all(|(a, b)| a.to_bits() == b.to_bits()));
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
            exp_inplace(&mut mapped, m, 0.5);
            for (a, v) in mapped.iter().zip(&values) {
                assert!((a - (0.5 * (m - v)).exp()).abs() <= 1e-15);
            }
        }
    }
}
