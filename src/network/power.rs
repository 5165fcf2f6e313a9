//! The power q of a distance unit: `||x - u||_q^q = sum_i |x_i - u_i|^q`.

/// q = 2 (squared Euclidean, rbf kernels) or q = 1 (Manhattan, laplacian kernels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Power {
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

    /// `sum_i |x_i - u_i|^q` from exact differences.
    #[inline]
    pub fn distance(self, x: &[f64], u: &[f64]) -> f64 {
        x.iter().zip(u).map(|(a, b)| self.term(a - b)).sum()
    }

    /// q as a number.
    pub fn q(self) -> u32 {
        match self {
            Power::One => 1,
            Power::Two => 2,
        }
    }
}
