//! The multivariate normal distribution (`jax.scipy.stats.multivariate_normal`).
//!
//! The covariance is factored by the [`crate::lax::cholesky`] primitive and the residual
//! is whitened by one [`crate::lax::triangular_solve`] (forward substitution), so the
//! density is traceable, batchable and differentiable for any dimension.
//!
//! ```
//! use autobatch::Array;
//! let cov = Array::from_vec(vec![2.0f64, 0.0, 0.0, 2.0], &[2, 2]);
//! let lp = autobatch::stats::multivariate_normal::logpdf(Array::zeros_of(&[5, 2], autobatch::DType::F64), 0.0, &cov);
//! assert_eq!(lp.shape(), &[5]);
//! ```

use crate::array::{Array, ArrayLike, lax};
use crate::special::floats;
use std::f64::consts::PI;

/// `log N(x; mean, cov) = -(d log(2 pi) + log det cov + r' cov^-1 r) / 2`, `r = x - mean`,
/// for `x` of shape `[..., d]` (one value per leading index), `mean` broadcastable to
/// `[d]`, and `cov` of shape `[d, d]` (symmetric positive definite; otherwise NaN).
///
/// ```
/// use autobatch::{stats::multivariate_normal, Array};
/// let x = Array::from_vec(vec![0.0f64, 0.0], &[2]);
/// let cov = Array::from_vec(vec![1.0f64, 0.0, 0.0, 1.0], &[2, 2]);
/// let lp = multivariate_normal::logpdf(&x, 0.0, &cov).item::<f64>().unwrap();
/// assert!((lp + (2.0 * std::f64::consts::PI).ln()).abs() < 1e-15);
/// ```
#[track_caller]
pub fn logpdf(x: impl ArrayLike, mean: impl ArrayLike, cov: impl ArrayLike) -> Array {
    let [x, mean, cov] = floats([x.into_operand(), mean.into_operand(), cov.into_operand()]);
    for a in [&x, &mean, &cov] {
        if a.error_value().is_some() {
            return a.clone();
        }
    }
    let shape = cov.shape().to_vec();
    if shape.len() != 2 || shape[0] != shape[1] || shape[0] == 0 {
        return Array::error(
            "multivariate_normal.logpdf",
            format!("the covariance must be a non-empty square matrix, got shape {shape:?}"),
        );
    }
    let d = shape[0];
    let r = x - mean;
    let batch: Vec<isize> = match r.shape().split_last() {
        Some((_, lead)) => lead.iter().map(|&n| n as isize).collect(),
        None => Vec::new(),
    };
    // Flatten the leading axes: rt is [d, n].
    let rt = r.reshape(&[-1, d as isize]).t();
    let l = lax::cholesky(&cov);
    let z = lax::triangular_solve(&l, &rt, true, false, false);
    let maha = (&z * &z).sum_axis(0);
    // The diagonal of L (zeros elsewhere are exact, NaN stays NaN).
    let diag = (&l * Array::eye_of(d as i64, l.dtype())).sum_axis(1);
    let half_logdet = diag.log().sum();
    let lp = maha * -0.5 - half_logdet - 0.5 * d as f64 * (2.0 * PI).ln();
    lp.reshape(&batch)
}
