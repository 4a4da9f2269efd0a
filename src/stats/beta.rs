//! The beta distribution (`jax.scipy.stats.beta`), and [`Beta`], its distribution object.
//!
//! ```
//! use autobatch::Array;
//! let p = autobatch::stats::beta::pdf(Array::scalar(0.5f64), 2.0, 2.0, 0.0, 1.0);
//! assert!((p.item::<f64>().unwrap() - 1.5).abs() < 1e-15);
//! ```

use super::{param_dtype, param_error};
use crate::array::{Array, ArrayLike, Operand};
use crate::random;
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

/// The beta distribution with parameters `a` and `b` (NumPyro's `concentration1` and
/// `concentration0`; mean `a / (a + b)`) as an object.
///
/// Parameters keep their weak typing; samples are `f32` unless a parameter is an `f64`
/// array.
///
/// ```
/// use autobatch::{random, stats::beta::Beta, Array};
/// let d = Beta::new(2.0, 2.0);
/// let lp = d.log_prob(Array::scalar(0.5f64)).item::<f64>().unwrap();
/// assert!((lp - 1.5f64.ln()).abs() < 1e-15);
/// let x = d.sample(&random::key(0), &[1000]).to_vec::<f32>().unwrap();
/// assert!((x.iter().sum::<f32>() / 1000.0 - 0.5).abs() < 0.03);
/// ```
#[derive(Clone, Debug)]
pub struct Beta {
    a: Operand,
    b: Operand,
}

impl Beta {
    /// The beta distribution with parameters `a` and `b`.
    ///
    /// ```
    /// use autobatch::{stats::beta::Beta, Array};
    /// assert_eq!(Beta::new(Array::ones(&[3]), 1.0).batch_shape(), vec![3]);
    /// ```
    #[track_caller]
    pub fn new(a: impl ArrayLike, b: impl ArrayLike) -> Beta {
        Beta {
            a: a.into_operand(),
            b: b.into_operand(),
        }
    }

    /// [`logpdf`] at `x` (`loc = 0`, `scale = 1`).
    ///
    /// ```
    /// use autobatch::{stats::beta::Beta, Array};
    /// let lp = Beta::new(1.0, 1.0).log_prob(Array::scalar(0.3f64)).item::<f64>().unwrap();
    /// assert!(lp.abs() < 1e-15);
    /// ```
    #[track_caller]
    pub fn log_prob(&self, x: impl ArrayLike) -> Array {
        logpdf(x, self.a.clone(), self.b.clone(), 0.0, 1.0)
    }

    /// `random::beta(key, a, b, sample_shape ++ batch_shape)`.
    ///
    /// ```
    /// use autobatch::{random, stats::beta::Beta, Array};
    /// let d = Beta::new(Array::from_vec(vec![0.5f32, 5.0], &[2]), 1.0);
    /// assert_eq!(d.sample(&random::key(1), &[3]).shape(), &[3, 2]);
    /// ```
    #[track_caller]
    pub fn sample(&self, key: &Array, sample_shape: &[usize]) -> Array {
        let params = [&self.a, &self.b];
        if let Some(e) = param_error(&params) {
            return e;
        }
        let shape = match super::sample_shape("Beta.sample", &params, sample_shape) {
            Ok(s) => s,
            Err(e) => return e,
        };
        let dtype = param_dtype(&params);
        let a = self.a.clone().into_array(dtype);
        let b = self.b.clone().into_array(dtype);
        random::beta(key, &a, &b, &shape, dtype)
    }

    /// The broadcast shape of `a` and `b`.
    ///
    /// ```
    /// use autobatch::{stats::beta::Beta, Array};
    /// assert_eq!(Beta::new(2.0, Array::ones(&[2, 1])).batch_shape(), vec![2, 1]);
    /// ```
    #[track_caller]
    pub fn batch_shape(&self) -> Vec<usize> {
        super::params_shape(&[&self.a, &self.b]).unwrap_or_default()
    }
}

super::forward_distribution!(Beta);
