//! SpRAy with DBSCAN as the clustering step (`ClusterMethod::Dbscan`): separated groups are
//! recovered without being told how many, and the parameters are validated.

use neuralize::ndarray::Array2;
use neuralize::spray::{adjusted_rand_index, analyze, ClusterCount, ClusterMethod, SprayParams};

/// Three groups of 30 relevance rows, each concentrated on a different feature.
fn three_groups() -> (Array2<f64>, Vec<usize>) {
    let truth: Vec<usize> = (0..90).map(|i| i / 30).collect();
    let x = Array2::from_shape_fn((90, 4), |(i, j)| {
        let wiggle = ((i * 37 + j * 11) % 17) as f64 / 170.0;
        if j == truth[i] {
            1.0 + wiggle
        } else {
            wiggle / 10.0
        }
    });
    (x, truth)
}

#[test]
fn dbscan_recovers_separated_groups_and_is_deterministic() {
    let (x, truth) = three_groups();
    let params = SprayParams {
        clustering: ClusterMethod::Dbscan {
            eps: 0.5,
            min_samples: 5,
        },
        ..SprayParams::default()
    };
    let spray = analyze(x.view(), None, &params).unwrap();
    assert_eq!(spray.noise_label, None);
    assert_eq!(spray.clusters.len(), 3);
    assert_eq!(adjusted_rand_index(&spray.labels, &truth), 1.0);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap()
        .install(|| analyze(x.view(), None, &params).unwrap());
    assert_eq!(one, spray);
    // A radius too small for any core row: every row is noise, one "cluster" at label 0.
    let tiny = SprayParams {
        clustering: ClusterMethod::Dbscan {
            eps: 1e-9,
            min_samples: 90,
        },
        clusters: ClusterCount::Fixed(3),
        ..SprayParams::default()
    };
    let spray = analyze(x.view(), None, &tiny).unwrap();
    assert_eq!(spray.noise_label, Some(0));
    assert!(spray.labels.iter().all(|&l| l == 0));
    assert_eq!(spray.clusters.len(), 1);
    assert_eq!(spray.clusters[0].size, 90);
}

#[test]
fn dbscan_parameters_are_validated() {
    let (x, _) = three_groups();
    for (eps, min_samples, name) in [
        (0.0, 5, "eps"),
        (f64::INFINITY, 5, "eps"),
        (-1.0, 5, "eps"),
        (0.5, 0, "min_samples"),
    ] {
        let params = SprayParams {
            clustering: ClusterMethod::Dbscan { eps, min_samples },
            ..SprayParams::default()
        };
        let err = analyze(x.view(), None, &params).unwrap_err().to_string();
        assert!(err.contains(name), "{err}");
    }
    assert!(ClusterMethod::parse("spectral", 0.5, 5).is_err());
    assert_eq!(
        ClusterMethod::parse("DBSCAN", 0.25, 4).unwrap(),
        ClusterMethod::Dbscan {
            eps: 0.25,
            min_samples: 4
        }
    );
}
