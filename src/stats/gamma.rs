//! The gamma distribution with shape `a` (`jax.scipy.stats.gamma`).
//!
//! ```
//! use autobatch::Array;
//! let lp = autobatch::stats::gamma::logpdf(Array::scalar(2.0f64), 1.0, 0.0, 1.0);
//! assert_eq!(lp.item::<f64>().unwrap(), -2.0);
//! ```

use crate::array::{Array, ArrayLike};
use crate::special::{floats, gammaln, xlogy};
use crate::where_;

/// `log f(x; a, loc, scale) = xlogy(a - 1, y) - y - gammaln(a) - log(scale)` with
/// `y = (x - loc) / scale`, `-inf` for `y < 0` (so `logpdf(0, 1) = 0`,
/// `logpdf(0, a < 1) = inf`).
///
/// ```
/// use autobatch::{stats::gamma, Array};
/// let lp = gamma::logpdf(Array::scalar(1.0f64), 1.0, 0.0, 1.0).item::<f64>().unwrap();
/// assert_eq!(lp, -1.0);
/// ```
#[track_caller]
pub fn logpdf(
    x: impl ArrayLike,
    a: impl ArrayLike,
    loc: impl ArrayLike,
    scale: impl ArrayLike,
) -> Array {
    let [x, a, loc, scale] = floats([
        x.into_operand(),
        a.into_operand(),
        loc.into_operand(),
        scale.into_operand(),
    ]);
    let y = (x - loc) / &scale;
    let lp = xlogy(&a - 1.0, &y) - &y - gammaln(&a) - scale.log();
    where_(y.lt(0.0), f64::NEG_INFINITY, lp)
}

/// The density, `exp(logpdf)`.
///
/// ```
/// use autobatch::{stats::gamma, Array};
/// let p = gamma::pdf(Array::scalar(2.0f64), 1.0, 0.0, 1.0).item::<f64>().unwrap();
/// assert!((p - (-2.0f64).exp()).abs() < 1e-16);
/// ```
#[track_caller]
pub fn pdf(
    x: impl ArrayLike,
    a: impl ArrayLike,
    loc: impl ArrayLike,
    scale: impl ArrayLike,
) -> Array {
    logpdf(x, a, loc, scale).exp()
}
