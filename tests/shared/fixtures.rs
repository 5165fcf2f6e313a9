//! The shipped regression fixtures, listed once for both test binaries (each includes this
//! file with `#[path]`). A new model family adds its fixtures here.

/// Every shipped regression fixture (models/NAME.json and its CSVs).
pub const FIXTURES: &[&str] = &[
    "ocsvm_breast_cancer",
    "ocsvm_breast_cancer_raw",
    "ocsvm_digits_laplacian",
    "ocsvm_digits_rbf",
    "ocsvm_blobs",
    "kde_iris",
    "kde_wine",
    "kde_digits",
    "kmeans_iris",
    "kmeans_wine",
    "kmeans_digits",
    "kmeans_blobs",
    "gmm_iris_full",
    "gmm_wine_tied",
    "gmm_digits_diag",
    "gmm_breast_cancer_full",
    "gmm_blobs_spherical",
    "knn_breast_cancer_largest",
    "knn_digits_mean_manhattan",
    "knn_blobs_largest",
];

/// The rbf kernel fixtures (one-class SVMs and kernel densities) whose oracles of the
/// rbf-only rule sets are shipped: `NAME.expected_flip.csv`, `NAME.expected_focus.csv`
/// (`neon-flip`, `neon-focus`) and `NAME.expected_lean.csv` (`neon-lean`, their default).
#[allow(dead_code)] // the CLI binary includes this file too and does not use it
pub const RBF_FIXTURES: &[&str] = &[
    "ocsvm_breast_cancer",
    "ocsvm_breast_cancer_raw",
    "ocsvm_digits_rbf",
    "ocsvm_blobs",
    "kde_iris",
    "kde_wine",
    "kde_digits",
];

/// The shipped dense-network (scikit-learn MLP) fixtures: their expected files are per rule
/// set (`NAME.expected_<rule>.csv`), checked in `dense_network.rs`.
pub const DENSE_FIXTURES: &[&str] = &[
    "mlp_iris",
    "mlp_breast_cancer",
    "mlp_wine",
    "mlp_diabetes",
    "mlp_blobs_raw",
];

/// The shipped support-vector-classifier (scikit-learn SVC) fixtures: expected files per rule
/// set (`NAME.expected_<rule>.csv`), checked in `svc.rs`.
pub const SVC_FIXTURES: &[&str] = &[
    "svc_iris",
    "svc_breast_cancer",
    "svc_wine_raw",
    "svc_digits_laplacian",
];
