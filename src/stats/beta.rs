//! The beta distribution (`jax.scipy.stats.beta`).
//!
//! ```
//! use autobatch::Array;
//! let p = autobatch::stats::beta::pdf(Array::scalar(0.5f64), 2.0, 2.0, 0.0, 1.0);
//! assert!((p.item::<f64>().unwrap() - 1.5).abs() < 1e-15);
//! ```

use crate::array::{Array, ArrayLike};
use crate::special::{betaln, floats, xlog1py, xlogy};
use crate::where_;

/// `log f(x; a, b, loc, scale) = xlogy(a - 1, y) + xlog1py(b - 1, -y) - betaln(a, b)
/// - log(scale)` with `y = (x - loc) / scale`, `-inf` outside `[0, 1]`.
///
/// ```
/// use autobatch::{stats::beta, Array};
/// let lp = beta::logpdf(Array::scalar(0.5f64), 2.0, 2.0, 0.0, 1.0).item::<f64>().unwrap();
/// assert!((lp - 1.5f64.ln()).abs() < 1e-15);
/// ```
#[track_caller]
pub fn logpdf(
    x: impl ArrayLike,
    a: impl ArrayLike,
    b: impl ArrayLike,
    loc: impl ArrayLike,
    scale: impl ArrayLike,
) -> Array {
    let [x, a, b, loc, scale] = floats([
        x.into_operand(),
        a.into_operand(),
        b.into_operand(),
        loc.into_operand(),
        scale.into_operand(),
    ]);
    let y = (x - loc) / &scale;
    let lp = xlog1py(&b - 1.0, -&y) + xlogy(&a - 1.0, &y) - betaln(&a, &b) - scale.log();
    let outside = y.lt(0.0).logical_or(y.gt(1.0));
    where_(&outside, f64::NEG_INFINITY, lp)
}

/// The density, `exp(logpdf)`.
///
/// ```
/// use autobatch::{stats::beta, Array};
/// let p = beta::pdf(Array::scalar(0.3f64), 1.0, 1.0, 0.0, 1.0).item::<f64>().unwrap();
/// assert!((p - 1.0).abs() < 1e-15);
/// ```
#[track_caller]
pub fn pdf(
    x: impl ArrayLike,
    a: impl ArrayLike,
    b: impl ArrayLike,
    loc: impl ArrayLike,
    scale: impl ArrayLike,
) -> Array {
    logpdf(x, a, b, loc, scale).exp()
}
