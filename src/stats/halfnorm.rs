//! The half-normal distribution (SciPy's `halfnorm`; JAX has none).
//!
//! ```
//! use autobatch::Array;
//! let p = autobatch::stats::halfnorm::pdf(Array::scalar(0.0f64), 0.0, 1.0);
//! assert!((p.item::<f64>().unwrap() - 0.7978845608028654).abs() < 1e-15);
//! ```

use crate::array::{Array, ArrayLike};
use crate::special::{erf, floats};
use crate::where_;
use std::f64::consts::{FRAC_1_SQRT_2, PI};

/// `log(2/pi)/2 - y^2/2 - log(scale)` with `y = (x - loc) / scale` for `y >= 0`,
/// `-inf` below.
///
/// ```
/// use autobatch::{stats::halfnorm, Array};
/// let lp = halfnorm::logpdf(Array::scalar(0.0f64), 0.0, 1.0).item::<f64>().unwrap();
/// assert!((lp + 0.2257913526447274).abs() < 1e-15);
/// ```
#[track_caller]
pub fn logpdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    let [x, loc, scale] = floats([x.into_operand(), loc.into_operand(), scale.into_operand()]);
    let y = (x - loc) / &scale;
    let lp = 0.5 * (2.0 / PI).ln() - &y * &y / 2.0 - scale.log();
    where_(y.lt(0.0), f64::NEG_INFINITY, lp)
}

/// The density, `exp(logpdf)`.
///
/// ```
/// use autobatch::{stats::halfnorm, Array};
/// let p = halfnorm::pdf(Array::scalar(-1.0f64), 0.0, 1.0).item::<f64>().unwrap();
/// assert_eq!(p, 0.0);
/// ```
#[track_caller]
pub fn pdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    logpdf(x, loc, scale).exp()
}

/// The CDF, `erf(y / sqrt(2))` for `y >= 0`, `0` below.
///
/// ```
/// use autobatch::{stats::halfnorm, Array};
/// let c = halfnorm::cdf(Array::scalar(0.0f64), 0.0, 1.0).item::<f64>().unwrap();
/// assert_eq!(c, 0.0);
/// ```
#[track_caller]
pub fn cdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    let [x, loc, scale] = floats([x.into_operand(), loc.into_operand(), scale.into_operand()]);
    let y = (x - loc) / scale;
    where_(y.lt(0.0), 0.0, erf(y.maximum(0.0) * FRAC_1_SQRT_2))
}
