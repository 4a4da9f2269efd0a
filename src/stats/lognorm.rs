//! The log-normal distribution with shape `s` (SciPy's `lognorm`; JAX has none).
//!
//! ```
//! use autobatch::Array;
//! let lp = autobatch::stats::lognorm::logpdf(Array::scalar(1.0f64), 0.5, 0.0, 1.0);
//! assert!((lp.item::<f64>().unwrap() + 0.2257913526447274).abs() < 1e-15);
//! ```

use crate::array::{Array, ArrayLike};
use crate::special::{floats, ndtr};
use crate::where_;
use std::f64::consts::PI;

/// `-log(y)^2 / (2 s^2) - log(s y sqrt(2 pi)) - log(scale)` with `y = (x - loc)/scale`
/// for `y > 0`, `-inf` otherwise (SciPy's formula and parametrization: `log X` is
/// normal with mean `log(scale)` and standard deviation `s`).
///
/// ```
/// use autobatch::{stats::lognorm, Array};
/// let lp = lognorm::logpdf(Array::scalar(1.0f64), 1.0, 0.0, 1.0).item::<f64>().unwrap();
/// assert!((lp + 0.9189385332046727).abs() < 1e-15);
/// ```
#[track_caller]
pub fn logpdf(
    x: impl ArrayLike,
    s: impl ArrayLike,
    loc: impl ArrayLike,
    scale: impl ArrayLike,
) -> Array {
    let [x, s, loc, scale] = floats([
        x.into_operand(),
        s.into_operand(),
        loc.into_operand(),
        scale.into_operand(),
    ]);
    let y = (x - loc) / &scale;
    let pos = y.gt(0.0);
    let ys = where_(&pos, &y, 1.0);
    let log_y = ys.log();
    let lp =
        -(&log_y * &log_y) / (&s * &s * 2.0) - (&s * &ys * (2.0 * PI).sqrt()).log() - scale.log();
    where_(&pos, lp, f64::NEG_INFINITY)
}

/// The density, `exp(logpdf)`.
///
/// ```
/// use autobatch::{stats::lognorm, Array};
/// let p = lognorm::pdf(Array::scalar(-1.0f64), 1.0, 0.0, 1.0).item::<f64>().unwrap();
/// assert_eq!(p, 0.0);
/// ```
#[track_caller]
pub fn pdf(
    x: impl ArrayLike,
    s: impl ArrayLike,
    loc: impl ArrayLike,
    scale: impl ArrayLike,
) -> Array {
    logpdf(x, s, loc, scale).exp()
}

/// The CDF, `ndtr(log(y) / s)` for `y > 0`, `0` otherwise.
///
/// ```
/// use autobatch::{stats::lognorm, Array};
/// let c = lognorm::cdf(Array::scalar(1.0f64), 0.5, 0.0, 1.0).item::<f64>().unwrap();
/// assert_eq!(c, 0.5);
/// ```
#[track_caller]
pub fn cdf(
    x: impl ArrayLike,
    s: impl ArrayLike,
    loc: impl ArrayLike,
    scale: impl ArrayLike,
) -> Array {
    let [x, s, loc, scale] = floats([
        x.into_operand(),
        s.into_operand(),
        loc.into_operand(),
        scale.into_operand(),
    ]);
    let y = (x - loc) / scale;
    let pos = y.gt(0.0);
    let ys = where_(&pos, &y, 1.0);
    where_(&pos, ndtr(ys.log() / s), 0.0)
}
