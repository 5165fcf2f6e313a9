//! The [`TOP`] largest values of a row (ties: lower index first) in two branch-light passes.
//!
//! A single insertion scan mispredicts on nearly every insertion; on the `d` = 30-64 rows of
//! `neon-lean` and `neon-pick` it cost about half a forward pass per call. Here:
//!
//! 1. the [`TOP`]-th largest value `t` (with multiplicity, NaN left out): [`LANES`]
//!    interleaved max/min networks (no branches, independent chains), then a merge of
//!    their candidates;
//! 2. one scan for the at most [`TOP`] - 1 values above `t` (rare: few mispredictions),
//!    put in order; then the first values equal to `t` by index (a scan that stops when
//!    the group is full: rows with many equal values, e.g. pixels at the reference, tie
//!    at `t` early).
//!
//! Same answer as the single scan: the [`TOP`] largest by `(value descending, index
//! ascending)` among the values above `-inf`.

use super::path_flip::TOP;
use crate::network::dispatch::{dispatched, Level};
use std::cmp::Ordering;

/// Interleaved max/min networks (one AVX-512 register; two AVX2 ones), and the block of the
/// scan for values above the third.
const LANES: usize = 8;

dispatched!(
    /// The indices of the [`TOP`] largest values of `values`, descending, ties by lower
    /// index first; `usize::MAX` where fewer than [`TOP`] values are above `-inf`.
    top_group, top_group_at, top_group_generic,
    (values: &[f64]) -> [usize; TOP]
);

#[inline(always)]
fn top_group_generic(values: &[f64]) -> [usize; TOP] {
    let third = third_largest(values);
    if third == f64::NEG_INFINITY {
        // Fewer than TOP values above -inf (non-finite rows only).
        return scan(values);
    }
    let mut top = [usize::MAX; TOP];
    let mut above = 0;
    let mut push_above = |i: usize, v: f64| {
        if v > third {
            top[above] = i;
            above += 1;
        }
    };
    // Whole blocks compared at once (branch-free), visited only where one is above.
    let blocks = values.chunks_exact(LANES);
    let tail = blocks.remainder();
    for (b, block) in blocks.enumerate() {
        if block.iter().fold(false, |any, &v| any | (v > third)) {
            for (l, &v) in block.iter().enumerate() {
                push_above(b * LANES + l, v);
            }
        }
    }
    let start = values.len() - tail.len();
    for (t, &v) in tail.iter().enumerate() {
        push_above(start + t, v);
    }
    // At most TOP - 1 values are above the third: order them (`==` on values: 0 and -0
    // tie, as in the single scan), then the first ties by index.
    top[..above].sort_by(|&i, &j| {
        let (a, b) = (values[i], values[j]);
        b.partial_cmp(&a).unwrap_or(Ordering::Equal).then(i.cmp(&j))
    });
    let ties = values
        .iter()
        .enumerate()
        .filter(|&(_, &v)| v == third)
        .map(|(i, _)| i);
    for (place, i) in top[above..].iter_mut().zip(ties) {
        *place = i;
    }
    top
}

/// The [`TOP`]-th largest value (with multiplicity) of `values`, NaN left out; `-inf`
/// where fewer are above `-inf`.
#[inline(always)]
fn third_largest(values: &[f64]) -> f64 {
    let low = f64::NEG_INFINITY;
    let mut levels = [[low; LANES]; TOP];
    let blocks = values.chunks_exact(LANES);
    let tail = blocks.remainder();
    for block in blocks {
        for (l, &v) in block.iter().enumerate() {
            insert(&mut levels, l, if v.is_nan() { low } else { v });
        }
    }
    // The lanes' candidates and the tail, merged in one lane.
    let mut merged = [[low; LANES]; TOP];
    for &v in levels.iter().flatten().chain(tail) {
        insert(&mut merged, 0, if v.is_nan() { low } else { v });
    }
    merged[TOP - 1][0]
}

/// Insert `v` into lane `l` of the descending levels, branch-free: each level keeps the
/// larger, passes the smaller down.
#[inline(always)]
fn insert(levels: &mut [[f64; LANES]; TOP], l: usize, mut v: f64) {
    for level in levels.iter_mut() {
        let kept = level[l];
        level[l] = if v > kept { v } else { kept };
        v = if v > kept { kept } else { v };
    }
}

/// The single insertion scan: the answer wherever fewer than [`TOP`] values are above
/// `-inf`.
fn scan(values: &[f64]) -> [usize; TOP] {
    let mut top = [usize::MAX; TOP];
    let mut kept = [f64::NEG_INFINITY; TOP];
    for (i, &v) in values.iter().enumerate() {
        if v > kept[TOP - 1] {
            let mut k = TOP - 1;
            while k > 0 && kept[k - 1] < v {
                kept[k] = kept[k - 1];
                top[k] = top[k - 1];
                k -= 1;
            }
            kept[k] = v;
            top[k] = i;
        }
    }
    top
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::test_matrix as matrix;

    /// The two passes give the single scan's group on random rows of every length, on rows
    /// with many ties (values rounded to a few levels), NaN and infinities.
    #[test]
    fn the_lanes_give_the_single_scans_group() {
        for d in 0..40 {
            for seed in 0..20 {
                let row = matrix(1, d.max(1), seed).row(0).to_vec();
                let row = &row[..d];
                for level in Level::available() {
                    assert_eq!(top_group_at(level, row), scan(row), "{level:?} d {d}");
                }
                let tied: Vec<f64> = row.iter().map(|v| (v * 1.5).round()).collect();
                assert_eq!(top_group(&tied), scan(&tied), "tied d {d} seed {seed}");
                let mut odd = tied.clone();
                for (i, v) in odd.iter_mut().enumerate() {
                    match (i + seed as usize) % 7 {
                        0 => *v = f64::NAN,
                        1 => *v = f64::NEG_INFINITY,
                        2 if seed % 3 == 0 => *v = f64::INFINITY,
                        _ => {}
                    }
                }
                assert_eq!(top_group(&odd), scan(&odd), "odd d {d} seed {seed}");
                let third = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let mut crowded = vec![third; d];
                crowded
                    .iter_mut()
                    .step_by(3)
                    .for_each(|v| *v = f64::NEG_INFINITY);
                assert_eq!(top_group(&crowded), scan(&crowded), "crowded d {d}");
            }
        }
        assert_eq!(top_group(&[2.0, 1.0]), [0, 1, usize::MAX]);
        assert_eq!(top_group(&[-1.0, -0.0, 0.0, -2.0, 0.0]), [1, 2, 4]);
        assert_eq!(top_group(&[-0.0, 5.0, 0.0, 4.0, -1.0]), [1, 3, 0]);
        assert_eq!(top_group(&[1.0, 2.0, 1.0, 2.0, 1.0]), [1, 3, 0]);
    }
}
