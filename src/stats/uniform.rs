//! The continuous uniform distribution on `[loc, loc + scale]`
//! (`jax.scipy.stats.uniform`).
//!
//! ```
//! use autobatch::Array;
//! let p = autobatch::stats::uniform::pdf(Array::scalar(0.5f64), 0.0, 4.0);
//! assert_eq!(p.item::<f64>().unwrap(), 0.25);
//! ```

use super::{param_dtype, param_error};
use crate::array::{Array, ArrayLike, Operand};
use crate::random;
use crate::special::floats;
use crate::where_;

/// `-log(scale)` on `[loc, loc + scale]` (both ends included), `-inf` outside.
///
/// Edge convention (JAX's): a NaN `x` gives `-0.0` (the comparisons are false; SciPy
/// returns NaN).
///
/// ```
/// use autobatch::{stats::uniform, Array};
/// let lp = uniform::logpdf(Array::scalar(0.5f64), -2.0, 4.0).item::<f64>().unwrap();
/// assert!((lp + 4f64.ln()).abs() < 1e-15);
/// ```
#[track_caller]
pub fn logpdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    let [x, loc, scale] = floats([x.into_operand(), loc.into_operand(), scale.into_operand()]);
    let outside = x.gt(&loc + &scale).logical_or(x.lt(&loc));
    where_(&outside, f64::NEG_INFINITY, -scale.log())
}

/// The density, `exp(logpdf)`.
///
/// ```
/// use autobatch::{stats::uniform, Array};
/// let p = uniform::pdf(Array::scalar(0.5f64), 0.0, 2.0).item::<f64>().unwrap();
/// assert_eq!(p, 0.5);
/// ```
#[track_caller]
pub fn pdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    logpdf(x, loc, scale).exp()
}

/// The CDF, `clip((x - loc) / scale, 0, 1)`.
///
/// ```
/// use autobatch::{stats::uniform, Array};
/// let c = uniform::cdf(Array::scalar(0.5f64), 0.0, 2.0).item::<f64>().unwrap();
/// assert_eq!(c, 0.25);
/// ```
#[track_caller]
pub fn cdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    let [x, loc, scale] = floats([x.into_operand(), loc.into_operand(), scale.into_operand()]);
    ((x - loc) / scale).clip(0.0, 1.0)
}

/// The uniform distribution on `[low, high]` as an object (NumPyro's parametrization;
/// [`logpdf`] uses SciPy's `loc = low`, `scale = high - low`).
///
/// ```
/// use autobatch::{random, stats::Uniform, Array};
/// let d = Uniform::new(-1.0, 3.0);
/// let lp = d.log_prob(Array::scalar(0.0f64)).item::<f64>().unwrap();
/// assert!((lp + 4f64.ln()).abs() < 1e-15);
/// let x = d.sample(&random::key(0), &[100]).to_vec::<f32>().unwrap();
/// assert!(x.iter().all(|&v| (-1.0..3.0).contains(&v)));
/// ```
#[derive(Clone, Debug)]
pub struct Uniform {
    low: Operand,
    high: Operand,
}

impl Uniform {
    /// The uniform distribution on `[low, high]`.
    ///
    /// ```
    /// assert!(autobatch::stats::Uniform::new(0.0, 1.0).batch_shape().is_empty());
    /// ```
    #[track_caller]
    pub fn new(low: impl ArrayLike, high: impl ArrayLike) -> Uniform {
        Uniform {
            low: low.into_operand(),
            high: high.into_operand(),
        }
    }

    /// [`logpdf`] at `x` with `loc = low`, `scale = high - low`.
    ///
    /// ```
    /// use autobatch::{stats::Uniform, Array};
    /// let lp = Uniform::new(0.0, 1.0).log_prob(Array::scalar(2.0f64)).item::<f64>().unwrap();
    /// assert_eq!(lp, f64::NEG_INFINITY);
    /// ```
    #[track_caller]
    pub fn log_prob(&self, x: impl ArrayLike) -> Array {
        let [x, low, high] = floats([x.into_operand(), self.low.clone(), self.high.clone()]);
        let scale = &high - &low;
        logpdf(x, low, scale)
    }

    /// `low + (high - low) * uniform(key, sample_shape ++ batch_shape)`.
    ///
    /// ```
    /// use autobatch::{random, stats::Uniform};
    /// assert_eq!(Uniform::new(0.0, 1.0).sample(&random::key(0), &[2]).shape(), &[2]);
    /// ```
    #[track_caller]
    pub fn sample(&self, key: &Array, sample_shape: &[usize]) -> Array {
        let params = [&self.low, &self.high];
        if let Some(e) = param_error(&params) {
            return e;
        }
        let shape = match super::sample_shape("Uniform.sample", &params, sample_shape) {
            Ok(s) => s,
            Err(e) => return e,
        };
        let u = random::uniform(key, &shape, param_dtype(&params));
        let [u, low, high] = floats([u.into_operand(), self.low.clone(), self.high.clone()]);
        &low + (high - &low) * u
    }

    /// The broadcast shape of `low` and `high`.
    ///
    /// ```
    /// use autobatch::{stats::Uniform, Array};
    /// assert_eq!(Uniform::new(Array::zeros(&[2]), 1.0).batch_shape(), vec![2]);
    /// ```
    #[track_caller]
    pub fn batch_shape(&self) -> Vec<usize> {
        super::params_shape(&[&self.low, &self.high]).unwrap_or_default()
    }
}

super::forward_distribution!(Uniform);
