//! SpRAy (`neuralize::spray`): every step against a slow, obvious reference on small inputs,
//! recovery of well-separated groups, determinism and hostile inputs.

use neuralize::ndarray::{Array2, ArrayView2};
use neuralize::spray::{
    analyze, choose_clusters, kmeans, knn_affinity, nearest_neighbors, normalized_affinity,
    preprocess, smallest_eigenpairs, ChoiceRule, ClusterCount, Eigensolver, Normalization,
    SprayParams,
};

/// A small deterministic generator (xorshift64*), uniform in [0, 1).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// `groups` groups of `per` rows in `d` dimensions: group g is centred at 10·e_g, spread 1.
fn groups(groups: usize, per: usize, d: usize, seed: u64) -> (Array2<f64>, Vec<usize>) {
    let mut rng = Lcg(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let n = groups * per;
    let truth: Vec<usize> = (0..n).map(|i| i / per).collect();
    let x = Array2::from_shape_fn((n, d), |(i, j)| {
        let centre = if j == truth[i] { 10.0 } else { 0.0 };
        centre + rng.next() - 0.5
    });
    (x, truth)
}

/// Adjusted Rand index of two labelings (Hubert & Arabie 1985), from the contingency table.
fn adjusted_rand(a: &[usize], b: &[usize]) -> f64 {
    let (ka, kb) = (a.iter().max().unwrap() + 1, b.iter().max().unwrap() + 1);
    let mut table = vec![vec![0f64; kb]; ka];
    for (&x, &y) in a.iter().zip(b) {
        table[x][y] += 1.0;
    }
    let pairs = |v: f64| v * (v - 1.0) / 2.0;
    let index: f64 = table.iter().flatten().map(|&v| pairs(v)).sum();
    let rows: f64 = table.iter().map(|r| pairs(r.iter().sum())).sum();
    let cols: f64 = (0..kb)
        .map(|j| pairs(table.iter().map(|r| r[j]).sum()))
        .sum();
    let expected = rows * cols / pairs(a.len() as f64);
    let max = (rows + cols) / 2.0;
    if max == expected {
        return 1.0;
    }
    (index - expected) / (max - expected)
}

/// Slow reference kNN: sort all other rows by (distance, index).
fn reference_neighbors(x: ArrayView2<f64>, k: usize) -> Vec<Vec<usize>> {
    (0..x.nrows())
        .map(|i| {
            let mut others: Vec<(f64, usize)> = (0..x.nrows())
                .filter(|&j| j != i)
                .map(|j| {
                    let d: f64 = (&x.row(i) - &x.row(j)).mapv(|v| v * v).sum();
                    (d, j)
                })
                .collect();
            others.sort_by(|a, b| a.0.partial_cmp(&b.0).unwrap().then(a.1.cmp(&b.1)));
            others.iter().take(k).map(|o| o.1).collect()
        })
        .collect()
}

#[test]
fn adjusted_rand_index_matches_the_reference() {
    let a = [0, 0, 0, 1, 1, 1, 2, 2];
    let b = [1, 1, 0, 0, 2, 2, 2, 2];
    let ours = neuralize::spray::adjusted_rand_index(&a, &b);
    assert!((ours - adjusted_rand(&a, &b)).abs() < 1e-15);
    // scikit-learn's adjusted_rand_score([0,0,0,1,1,1,2,2], [1,1,0,0,2,2,2,2]) = 0.1818181...
    assert!((ours - 0.18181818181818182).abs() < 1e-12, "{ours}");
    assert_eq!(
        neuralize::spray::adjusted_rand_index(&[0, 0, 1], &[5, 5, 2]),
        1.0
    );
}

#[test]
fn preprocessing_matches_the_definitions_and_keeps_zero_rows() {
    let r = neuralize::ndarray::array![[1.0, -3.0], [0.0, 0.0], [3.0, 4.0]];
    let l1 = preprocess(r.view(), Normalization::L1).unwrap();
    assert_eq!(l1.row(0).to_vec(), [0.25, -0.75]);
    assert_eq!(l1.row(1).to_vec(), [0.0, 0.0]);
    let l2 = preprocess(r.view(), Normalization::L2).unwrap();
    assert_eq!(l2.row(2).to_vec(), [0.6, 0.8]);
    let abs = preprocess(r.view(), Normalization::Abs).unwrap();
    assert_eq!(abs.row(0).to_vec(), [0.25, 0.75]);
    assert_eq!(preprocess(r.view(), Normalization::None).unwrap(), r);
    let huge = neuralize::ndarray::array![[1e300, 1e300]];
    let l2 = preprocess(huge.view(), Normalization::L2).unwrap();
    assert!((l2[[0, 0]] - 0.5f64.sqrt()).abs() < 1e-15);
    let nan = neuralize::ndarray::array![[1.0, 2.0], [f64::NAN, 0.0]];
    let e = preprocess(nan.view(), Normalization::L1)
        .unwrap_err()
        .to_string();
    assert!(e.contains("row 1") && e.contains("column 0"), "{e}");
}

#[test]
fn knn_graph_equals_the_sorted_reference_even_with_duplicates() {
    let (mut x, _) = groups(3, 12, 4, 1);
    // Duplicated rows: still never their own neighbour.
    let row = x.row(5).to_owned();
    x.row_mut(6).assign(&row);
    x.row_mut(7).assign(&row);
    for k in [1, 3, 10] {
        let nn = nearest_neighbors(x.view(), k).unwrap();
        let reference = reference_neighbors(x.view(), k);
        for (i, expected) in reference.iter().enumerate() {
            assert_eq!(nn.of(i), expected.as_slice(), "row {i}, k {k}");
            assert!(!nn.of(i).contains(&i));
        }
        // The affinity: (B + Bᵀ)/2 of the binary directed graph, dense reference.
        let a = knn_affinity(&nn);
        let n = x.nrows();
        let mut b = Array2::<f64>::zeros((n, n));
        for (i, row) in reference.iter().enumerate() {
            for &j in row {
                b[[i, j]] = 1.0;
            }
        }
        let expected_a = (&b + &b.t()) / 2.0;
        assert_eq!(a.to_dense(), expected_a);
        // M = D^-1/2 A D^-1/2.
        let m = normalized_affinity(&a).to_dense();
        let d: Vec<f64> = (0..n).map(|i| expected_a.row(i).sum()).collect();
        for i in 0..n {
            for j in 0..n {
                let e = expected_a[[i, j]] / (d[i] * d[j]).sqrt();
                assert!((m[[i, j]] - e).abs() < 1e-15, "({i},{j})");
            }
        }
        assert!(a.nnz() <= 2 * n * k);
    }
}

/// Check `L v = λ v` to 1e-8, orthonormality, ascending order, against the dense solver's
/// eigenvalues.
fn check_eigenpairs(x: ArrayView2<f64>, k: usize, count: usize) {
    let m = normalized_affinity(&knn_affinity(&nearest_neighbors(x, k).unwrap()));
    let n = m.n();
    let dense_m = m.to_dense();
    let l = Array2::<f64>::eye(n) - &dense_m;
    let reference = smallest_eigenpairs(&m, count, Eigensolver::Dense, 1e-10, 0).unwrap();
    let sparse = smallest_eigenpairs(&m, count, Eigensolver::Sparse, 1e-10, 7).unwrap();
    for pairs in [&reference, &sparse] {
        assert_eq!(pairs.values.len(), count);
        for j in 0..count {
            let v = pairs.vectors.column(j);
            let r = l.dot(&v) - &v * pairs.values[j];
            assert!(
                r.dot(&r).sqrt() < 1e-8,
                "residual of pair {j}: {}",
                r.dot(&r).sqrt()
            );
            for i in 0..count {
                let g = v.dot(&pairs.vectors.column(i));
                let expected = if i == j { 1.0 } else { 0.0 };
                assert!((g - expected).abs() < 1e-8, "Gram ({i},{j}) = {g}");
            }
            if j > 0 {
                assert!(pairs.values[j] >= pairs.values[j - 1] - 1e-12);
            }
        }
    }
    for j in 0..count {
        assert!(
            (reference.values[j] - sparse.values[j]).abs() < 1e-8,
            "eigenvalue {j}: dense {} sparse {}",
            reference.values[j],
            sparse.values[j]
        );
    }
}

#[test]
fn eigenpairs_of_a_connected_graph() {
    let mut rng = Lcg(42);
    let x = Array2::from_shape_fn((150, 3), |_| rng.next());
    check_eigenpairs(x.view(), 10, 12);
}

#[test]
fn eigenpairs_of_a_graph_with_several_components() {
    // Four groups far apart: four connected components, a four-fold eigenvalue 0.
    let (x, _) = groups(4, 40, 5, 3);
    check_eigenpairs(x.view(), 5, 10);
    let m = normalized_affinity(&knn_affinity(&nearest_neighbors(x.view(), 5).unwrap()));
    let pairs = smallest_eigenpairs(&m, 10, Eigensolver::Sparse, 1e-10, 0).unwrap();
    assert!(pairs.values.iter().take(4).all(|&v| v.abs() < 1e-8));
    assert!(pairs.values[4] > 1e-3);
}

#[test]
fn more_components_than_the_solver_block_converge() {
    // 40 groups far apart: a 40-fold eigenvalue 0, more than the block of 10 + 8 vectors.
    let (x, _) = groups(40, 12, 40, 4);
    let m = normalized_affinity(&knn_affinity(&nearest_neighbors(x.view(), 5).unwrap()));
    let pairs = smallest_eigenpairs(&m, 10, Eigensolver::Sparse, 1e-10, 0).unwrap();
    assert!(
        pairs.values.iter().all(|&v| v.abs() < 1e-8),
        "{:?}",
        pairs.values
    );
    assert!(pairs.residuals.iter().all(|&r| r <= 1e-10));
}

#[test]
fn cluster_count_rules() {
    let given = choose_clusters(&[0.0, 0.1, 0.5], ClusterCount::Fixed(2), 20).unwrap();
    assert_eq!((given.clusters, given.rule), (2, ChoiceRule::Given));
    // Three zero eigenvalues then a dense spectrum: three components, although later
    // absolute gaps are larger.
    let values = [0.0, 0.0, 1e-12, 0.05, 0.1, 0.2, 0.32, 0.45, 0.6];
    let c = choose_clusters(&values, ClusterCount::Auto, 20).unwrap();
    assert_eq!((c.clusters, c.rule), (3, ChoiceRule::Jump));
    assert!((c.gap.unwrap() - (0.05 - 1e-12)).abs() < 1e-15);
    // Two components and a third group joined by a few edges (measured on planted anomalies).
    let values = [0.0, 0.0, 0.0074, 0.0498, 0.0631, 0.0994, 0.1991, 0.227];
    let c = choose_clusters(&values, ClusterCount::Auto, 20).unwrap();
    assert_eq!((c.clusters, c.rule), (3, ChoiceRule::Jump));
    // No jump by a factor 4: the largest gap λ_{k+1} - λ_k among k >= 2.
    let values = [0.0, 0.1, 0.2, 0.3, 0.7, 0.75, 0.8];
    let c = choose_clusters(&values, ClusterCount::Auto, 20).unwrap();
    assert_eq!((c.clusters, c.rule), (4, ChoiceRule::Eigengap));
    let c = choose_clusters(&values, ClusterCount::Auto, 3).unwrap();
    assert_eq!(c.clusters, 2);
}

#[test]
fn kmeans_finds_separated_groups_and_numbers_them_by_size() {
    let (x, _) = groups(3, 10, 3, 5);
    let x = x.slice(neuralize::ndarray::s![..25, ..]).to_owned();
    let c = kmeans(x.view(), 3, 5, 100, 0).unwrap();
    assert_eq!(c.labels[..10], [0; 10]);
    assert_eq!(c.labels[10..20], [1; 10]);
    assert_eq!(c.labels[20..], [2; 5]);
    assert!(kmeans(x.view(), 26, 1, 10, 0).is_err());
}

#[test]
fn separated_groups_are_recovered_exactly() {
    for (n_groups, per, solver) in [
        (3, 50, Eigensolver::Auto),
        (5, 40, Eigensolver::Sparse),
        (4, 200, Eigensolver::Auto),
    ] {
        let (x, truth) = groups(n_groups, per, 8, n_groups as u64);
        let params = SprayParams {
            normalization: Normalization::None,
            solver,
            ..SprayParams::default()
        };
        let spray = analyze(x.view(), Some(x.view()), &params).unwrap();
        assert_eq!(spray.choice.clusters, n_groups);
        assert_eq!(adjusted_rand(&spray.labels, &truth), 1.0);
        assert!(spray.residual < 1e-8);
        for c in &spray.clusters {
            assert_eq!(c.size, per);
            assert_eq!(c.prototypes.len(), 5);
            assert!(c.prototypes.iter().all(|&p| spray.labels[p] == c.cluster));
            let mean = c.mean_input.as_ref().unwrap();
            let group = truth[c.prototypes[0]];
            assert!((mean[group] - 10.0).abs() < 0.5);
        }
    }
}

#[test]
fn results_do_not_depend_on_the_thread_count() {
    let mut rng = Lcg(9);
    // Connected, noisy data: the sparse solver and k-means restarts do real work.
    let x = Array2::from_shape_fn((700, 6), |(i, j)| {
        rng.next() + if j == i % 3 { 0.7 } else { 0.0 }
    });
    let params = SprayParams {
        clusters: ClusterCount::Fixed(3),
        ..SprayParams::default()
    };
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| analyze(x.view(), None, &params).unwrap())
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(3));
}

#[test]
fn row_order_does_not_matter_up_to_label_names() {
    let (x, _) = groups(3, 60, 6, 11);
    let n = x.nrows();
    let order: Vec<usize> = (0..n).map(|i| (i * 37 + 5) % n).collect(); // 37 is coprime with 180
    let shuffled = Array2::from_shape_fn(x.dim(), |(i, j)| x[[order[i], j]]);
    let params = SprayParams::default();
    let a = analyze(x.view(), None, &params).unwrap();
    let b = analyze(shuffled.view(), None, &params).unwrap();
    let mut b_in_original_order = vec![0; n];
    for (i, &o) in order.iter().enumerate() {
        b_in_original_order[o] = b.labels[i];
    }
    assert_eq!(adjusted_rand(&a.labels, &b_in_original_order), 1.0);
    for (u, v) in a.eigenvalues.iter().zip(&b.eigenvalues) {
        assert!((u - v).abs() < 1e-8);
    }
}

#[test]
fn hostile_inputs_get_clear_errors() {
    let params = SprayParams::default();
    let message = |x: &Array2<f64>| analyze(x.view(), None, &params).unwrap_err().to_string();
    let e = message(&Array2::from_elem((1, 3), 1.0));
    assert!(e.contains("at least 2 rows"), "{e}");
    let (x, _) = groups(2, 4, 3, 1);
    let e = message(&x);
    assert!(
        e.contains("10 neighbours need more than 10 rows") && e.contains("8 rows"),
        "{e}"
    );
    let e = message(&Array2::from_elem((30, 3), 0.5));
    assert!(e.contains("identical"), "{e}");
    let mut x = Array2::from_shape_fn((30, 3), |(i, j)| (i * 3 + j) as f64);
    x[[17, 2]] = f64::NAN;
    let e = message(&x);
    assert!(e.contains("row 17") && e.contains("column 2"), "{e}");
    let bad = SprayParams {
        clusters: ClusterCount::Fixed(40),
        ..SprayParams::default()
    };
    let e = analyze(x.view(), None, &bad).unwrap_err().to_string();
    assert!(e.contains("clusters"), "{e}");
    // Constant relevance rows among others are kept (a zero row is not divided).
    let mut x = groups(3, 20, 4, 2).0;
    x.row_mut(0).fill(0.0);
    assert!(analyze(x.view(), None, &params).is_ok());
}
