//! The Dirichlet distribution (`jax.scipy.stats.dirichlet`).
//!
//! ```
//! use autobatch::Array;
//! let x = Array::from_vec(vec![0.5f64, 0.5], &[2]);
//! let lp = autobatch::stats::dirichlet::logpdf(&x, Array::from_vec(vec![1.0f64, 1.0], &[2]));
//! assert_eq!(lp.item::<f64>().unwrap(), 0.0);
//! ```

use crate::array::{Array, ArrayLike};
use crate::special::{floats, gammaln, xlogy};
use crate::where_;

/// `log D(x; alpha) = sum((alpha - 1) log x) - (sum gammaln(alpha) - gammaln(sum alpha))`
/// for `x` on the simplex, with the components along the last axis of `x` (`[..., K]`)
/// and `alpha` broadcastable to it; `-inf` off the simplex (JAX's test: every
/// component `> 0` and `|sum - 1| < 1e-6`).
///
/// ```
/// use autobatch::{stats::dirichlet, Array};
/// let x = Array::from_vec(vec![0.25f64, 0.25, 0.5], &[3]);
/// let lp = dirichlet::logpdf(&x, Array::from_vec(vec![1.0f64, 1.0, 1.0], &[3]));
/// assert!((lp.item::<f64>().unwrap() - 2f64.ln()).abs() < 1e-15);
/// ```
#[track_caller]
pub fn logpdf(x: impl ArrayLike, alpha: impl ArrayLike) -> Array {
    let [x, alpha] = floats([x.into_operand(), alpha.into_operand()]);
    let normalize = gammaln(&alpha).sum_axis(-1) - gammaln(alpha.sum_axis(-1));
    let lp = xlogy(&alpha - 1.0, &x).sum_axis(-1) - normalize;
    let simplex = x
        .min_axis(-1)
        .gt(0.0)
        .logical_and((x.sum_axis(-1) - 1.0).abs().lt(1e-6));
    where_(&simplex, lp, f64::NEG_INFINITY)
}
