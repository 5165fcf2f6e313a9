//! The power q of a distance unit: `||x - u||_q^q = sum_i |x_i - u_i|^q`.

/// q = 2 (squared Euclidean, rbf kernels) or q = 1 (Manhattan, laplacian kernels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Power {
    One,
    Two,
}

impl Power {
    /// `|t|^q` for one coordinate difference t.
    #[inline]
    pub fn term(self, t: f64) -> f64 {
        match self {
            Power::One => t.abs(),
            Power::Two => t * t,
        }
    }

    /// `d|t|^q / dt = q |t|^(q-1) sign(t)`: `2t` (q = 2) or `sign(t)` with `sign(0) = 0` (q = 1).
    #[inline]
    pub fn derivative(self, t: f64) -> f64 {
        match self {
            Power::One if t == 0.0 => 0.0,
            Power::One => t.signum(),
            Power::Two => 2.0 * t,
        }
    }

    /// `sum_i |x_i - u_i|^q` from exact differences.
    #[inline]
    pub fn distance(self, x: &[f64], u: &[f64]) -> f64 {
        x.iter().zip(u).map(|(a, b)| self.term(a - b)).sum()
    }
}
