use crate::classical::{KMeans, Standardizer};
use crate::network::ClusterNetwork;

/// k-means as, per cluster c, linear contrasts `h_k = w_k . z + b_k` (k != c) and min pooling.
pub fn kmeans(kmeans: &KMeans, scaler: Option<Standardizer>) -> ClusterNetwork {
    ClusterNetwork::new(scaler, kmeans.centroids().to_owned())
}
