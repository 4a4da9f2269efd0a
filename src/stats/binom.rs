//! The binomial distribution (`jax.scipy.stats.binom`).
//!
//! ```
//! use autobatch::Array;
//! let p = autobatch::stats::binom::pmf(Array::scalar(2.0f64), 2.0, 0.5);
//! assert!((p.item::<f64>().unwrap() - 0.25).abs() < 1e-15);
//! ```

use crate::array::{Array, ArrayLike};
use crate::special::{floats, gammaln, xlog1py, xlogy};
use crate::where_;

/// `log P(k; n, p) = log C(n, k) + xlogy(k, p) + xlog1py(n - k, -p)` for
/// `0 <= k < n + 1`, `-inf` outside (JAX's support test), with
/// `log C(n, k) = gammaln(n + 1) - gammaln(k + 1) - gammaln(n - k + 1)`.
///
/// Edge convention (JAX's): non-integer `k` evaluates the formula (SciPy: `-inf`).
///
/// ```
/// use autobatch::{stats::binom, Array};
/// let lp = binom::logpmf(Array::scalar(1.0f64), 2.0, 0.5).item::<f64>().unwrap();
/// assert!((lp - 0.5f64.ln()).abs() < 1e-15);
/// ```
#[track_caller]
pub fn logpmf(k: impl ArrayLike, n: impl ArrayLike, p: impl ArrayLike) -> Array {
    let [k, n, p] = floats([k.into_operand(), n.into_operand(), p.into_operand()]);
    let n_minus_k = &n - &k;
    let comb = gammaln(&n + 1.0) - gammaln(&k + 1.0) - gammaln(&n_minus_k + 1.0);
    let lp = comb + xlogy(&k, &p) + xlog1py(&n_minus_k, -&p);
    let inside = k.ge(0.0).logical_and(k.lt(&n + 1.0));
    where_(&inside, lp, f64::NEG_INFINITY)
}

/// The probability mass, `exp(logpmf)`.
///
/// ```
/// use autobatch::{stats::binom, Array};
/// let p = binom::pmf(Array::scalar(0.0f64), 3.0, 0.5).item::<f64>().unwrap();
/// assert!((p - 0.125).abs() < 1e-15);
/// ```
#[track_caller]
pub fn pmf(k: impl ArrayLike, n: impl ArrayLike, p: impl ArrayLike) -> Array {
    logpmf(k, n, p).exp()
}
