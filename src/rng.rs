//! A small seeded generator (SplitMix64) for the sampling explainers and the evaluation.
//!
//! Streams are derived from `(seed, stream)` pairs, e.g. one stream per input row, so that
//! results depend on the seed only, never on the number of threads or the batch split.

/// SplitMix64 (Steele, Lea, Flood 2014): `state += 0x9E3779B97F4A7C15`, then a 64-bit mix.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// The generator of stream `stream` under `seed`.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut mixer = Rng(seed ^ 0x5851_F42D_4C95_7F2D);
        let base = mixer.next_u64();
        Rng(base ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform integer in `0..n` (n > 0; the modulo bias is below 2^-40 for n < 2^24).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A uniformly random permutation of `0..n` (Fisher-Yates) written into `out`.
    pub fn permutation_into(&mut self, out: &mut [usize]) {
        for (i, v) in out.iter_mut().enumerate() {
            *v = i;
        }
        for i in (1..out.len()).rev() {
            out.swap(i, self.below(i + 1));
        }
    }
}

/// Test inputs: a `rows x cols` matrix of values uniform in [-2, 2) from an xorshift
/// stream seeded by `seed`.
#[cfg(test)]
pub(crate) fn test_matrix(rows: usize, cols: usize, seed: u64) -> ndarray::Array2<f64> {
    let mut state = seed | 1;
    ndarray::Array2::from_shape_fn((rows, cols), |_| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        4.0 * ((state >> 11) as f64 / (1u64 << 53) as f64) - 2.0
    })
}
