//! The Bernoulli distribution on `{0, 1}` (`jax.scipy.stats.bernoulli`).
//!
//! ```
//! use autobatch::Array;
//! let lp = autobatch::stats::bernoulli::logpmf(Array::scalar(0.0f64), 0.5);
//! assert!((lp.item::<f64>().unwrap() + 2f64.ln()).abs() < 1e-15);
//! ```

use super::{param_dtype, param_error};
use crate::array::{Array, ArrayLike, Operand};
use crate::random;
use crate::special::{floats, xlog1py, xlogy};
use crate::where_;

/// `log P(k; p) = xlogy(k, p) + xlog1py(1 - k, -p)` for `0 <= k <= 1`, `-inf` outside.
///
/// Edge convention (JAX's): a non-integer `k` in `[0, 1]` evaluates the formula (SciPy
/// returns `-inf`). `p = 0` or `1` give exact `0` / `-inf`.
///
/// ```
/// use autobatch::{stats::bernoulli, Array};
/// let lp = bernoulli::logpmf(Array::scalar(1.0f64), 0.25).item::<f64>().unwrap();
/// assert!((lp - 0.25f64.ln()).abs() < 1e-15);
/// ```
#[track_caller]
pub fn logpmf(k: impl ArrayLike, p: impl ArrayLike) -> Array {
    let [k, p] = floats([k.into_operand(), p.into_operand()]);
    let lp = xlogy(&k, &p) + xlog1py(1.0 - &k, -&p);
    let outside = k.lt(0.0).logical_or(k.gt(1.0));
    where_(&outside, f64::NEG_INFINITY, lp)
}

/// The probability mass, `exp(logpmf)`.
///
/// ```
/// use autobatch::{stats::bernoulli, Array};
/// let p = bernoulli::pmf(Array::scalar(0.0f64), 0.25).item::<f64>().unwrap();
/// assert!((p - 0.75).abs() < 1e-15);
/// ```
#[track_caller]
pub fn pmf(k: impl ArrayLike, p: impl ArrayLike) -> Array {
    logpmf(k, p).exp()
}

/// The Bernoulli distribution as an object: `Bernoulli::new(p)`.
///
/// ```
/// use autobatch::{random, stats::Bernoulli, Array};
/// let d = Bernoulli::new(0.3);
/// let x = d.sample(&random::key(0), &[4]);
/// assert_eq!(x.shape(), &[4]);
/// let lp = d.log_prob(Array::scalar(1.0f32)).item::<f32>().unwrap();
/// assert!((lp - 0.3f32.ln()).abs() < 1e-6);
/// ```
#[derive(Clone, Debug)]
pub struct Bernoulli {
    p: Operand,
}

impl Bernoulli {
    /// A Bernoulli distribution with success probability `p`.
    ///
    /// ```
    /// assert!(autobatch::stats::Bernoulli::new(0.5).batch_shape().is_empty());
    /// ```
    #[track_caller]
    pub fn new(p: impl ArrayLike) -> Bernoulli {
        Bernoulli {
            p: p.into_operand(),
        }
    }

    /// [`logpmf`] at `k`.
    ///
    /// ```
    /// use autobatch::{stats::Bernoulli, Array};
    /// let lp = Bernoulli::new(0.5).log_prob(Array::scalar(0.0f64)).item::<f64>().unwrap();
    /// assert!((lp + 2f64.ln()).abs() < 1e-15);
    /// ```
    #[track_caller]
    pub fn log_prob(&self, k: impl ArrayLike) -> Array {
        logpmf(k, self.p.clone())
    }

    /// `uniform(key, sample_shape ++ batch_shape) < p`, as `bool` (like
    /// `jax.random.bernoulli`).
    ///
    /// ```
    /// use autobatch::{random, stats::Bernoulli, DType};
    /// let x = Bernoulli::new(1.0).sample(&random::key(3), &[5]);
    /// assert_eq!(x.dtype(), DType::Bool);
    /// assert_eq!(x.to_vec::<bool>().unwrap(), vec![true; 5]);
    /// ```
    #[track_caller]
    pub fn sample(&self, key: &Array, sample_shape: &[usize]) -> Array {
        let params = [&self.p];
        if let Some(e) = param_error(&params) {
            return e;
        }
        let shape = match super::sample_shape("Bernoulli.sample", &params, sample_shape) {
            Ok(s) => s,
            Err(e) => return e,
        };
        random::uniform(key, &shape, param_dtype(&params)).lt(self.p.clone())
    }

    /// The shape of `p`.
    ///
    /// ```
    /// use autobatch::{stats::Bernoulli, Array};
    /// assert_eq!(Bernoulli::new(Array::zeros(&[2])).batch_shape(), vec![2]);
    /// ```
    #[track_caller]
    pub fn batch_shape(&self) -> Vec<usize> {
        self.p.shape().to_vec()
    }
}

super::forward_distribution!(Bernoulli);
