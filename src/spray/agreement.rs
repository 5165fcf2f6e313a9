//! Agreement of two clusterings: the adjusted Rand index.

/// The adjusted Rand index of two labelings of the same rows (Hubert & Arabie 1985):
/// `(I - E) / (max - E)` with `I = Σ_ij C(n_ij, 2)` over the contingency table, `E = a b /
/// C(n, 2)`, `a = Σ_i C(n_i., 2)`, `b = Σ_j C(n_.j, 2)`, `max = (a + b)/2`. 1 for the same
/// partition (up to label names), about 0 for independent ones. Two labelings that are both
/// a single cluster (or both all singletons) score 1. Panics if the lengths differ.
pub fn adjusted_rand_index(a: &[usize], b: &[usize]) -> f64 {
    assert_eq!(a.len(), b.len(), "two labelings of the same rows");
    let ka = a.iter().max().map_or(0, |m| m + 1);
    let kb = b.iter().max().map_or(0, |m| m + 1);
    let mut table = vec![0u64; ka * kb];
    let (mut rows, mut cols) = (vec![0u64; ka], vec![0u64; kb]);
    for (&x, &y) in a.iter().zip(b) {
        table[x * kb + y] += 1;
        rows[x] += 1;
        cols[y] += 1;
    }
    let pairs = |v: u64| (v as f64) * (v.saturating_sub(1) as f64) / 2.0;
    let index: f64 = table.iter().map(|&v| pairs(v)).sum();
    let sum_a: f64 = rows.iter().map(|&v| pairs(v)).sum();
    let sum_b: f64 = cols.iter().map(|&v| pairs(v)).sum();
    let expected = sum_a * sum_b / pairs(a.len() as u64);
    let max = (sum_a + sum_b) / 2.0;
    if max == expected {
        return 1.0;
    }
    (index - expected) / (max - expected)
}
