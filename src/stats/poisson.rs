//! The Poisson distribution (`jax.scipy.stats.poisson`).
//!
//! ```
//! use autobatch::Array;
//! let p = autobatch::stats::poisson::pmf(Array::scalar(0.0f64), 1.0);
//! assert!((p.item::<f64>().unwrap() - (-1.0f64).exp()).abs() < 1e-16);
//! ```

use crate::array::{Array, ArrayLike};
use crate::special::{floats, gammaln, xlogy};
use crate::where_;

/// `log P(k; mu) = xlogy(k, mu) - gammaln(k + 1) - mu` for integer `k >= 0`, `-inf`
/// otherwise (`logpmf(0, 0) = 0`).
///
/// ```
/// use autobatch::{stats::poisson, Array};
/// let lp = poisson::logpmf(Array::scalar(0.0f64), 2.0).item::<f64>().unwrap();
/// assert_eq!(lp, -2.0);
/// ```
#[track_caller]
pub fn logpmf(k: impl ArrayLike, mu: impl ArrayLike) -> Array {
    let [k, mu] = floats([k.into_operand(), mu.into_operand()]);
    let lp = xlogy(&k, &mu) - gammaln(&k + 1.0) - mu;
    let outside = k.lt(0.0).logical_or(k.round().not_equal(&k));
    where_(&outside, f64::NEG_INFINITY, lp)
}

/// The probability mass, `exp(logpmf)`.
///
/// ```
/// use autobatch::{stats::poisson, Array};
/// let p = poisson::pmf(Array::scalar(1.0f64), 1.0).item::<f64>().unwrap();
/// assert!((p - (-1.0f64).exp()).abs() < 1e-16);
/// ```
#[track_caller]
pub fn pmf(k: impl ArrayLike, mu: impl ArrayLike) -> Array {
    logpmf(k, mu).exp()
}
