//! Student's t distribution (`jax.scipy.stats.t`), and [`StudentT`], its distribution
//! object.
//!
//! ```
//! use autobatch::Array;
//! let lp = autobatch::stats::t::logpdf(Array::scalar(0.0f64), 1e6, 0.0, 1.0);
//! assert!((lp.item::<f64>().unwrap() + 0.9189387832046725).abs() < 1e-14);
//! ```

use super::{param_dtype, param_error};
use crate::array::{Array, ArrayLike, Operand};
use crate::random;
use crate::special::{floats, lgamma_ratio_half};
use std::f64::consts::PI;

/// `gammaln((df + 1)/2) - gammaln(df/2) - log(df pi)/2 - (df + 1)/2 log1p(z^2/df)
/// - log(scale)` with `z = (x - loc) / scale`.
///
/// The difference of log-gammas is computed without cancellation (Stirling terms
/// combined analytically for `df >= 16`), so large `df` keeps full accuracy: at
/// `df = 1e6` the f64 result matches SciPy to 1e-15 (JAX's float32 formula is off by
/// 0.08 there).
///
/// ```
/// use autobatch::{stats::t, Array};
/// let lp = t::logpdf(Array::scalar(0.0f64), 1.0, 0.0, 1.0).item::<f64>().unwrap();
/// assert!((lp + std::f64::consts::PI.ln()).abs() < 1e-15);
/// ```
#[track_caller]
pub fn logpdf(
    x: impl ArrayLike,
    df: impl ArrayLike,
    loc: impl ArrayLike,
    scale: impl ArrayLike,
) -> Array {
    let [x, df, loc, scale] = floats([
        x.into_operand(),
        df.into_operand(),
        loc.into_operand(),
        scale.into_operand(),
    ]);
    let z = (x - loc) / &scale;
    let half = &df * 0.5;
    let ratio = lgamma_ratio_half(&half);
    ratio - (&df * PI).log() * 0.5 - (half + 0.5) * (&z * &z / &df).log1p() - scale.log()
}

/// The density, `exp(logpdf)`.
///
/// ```
/// use autobatch::{stats::t, Array};
/// let p = t::pdf(Array::scalar(0.0f64), 1.0, 0.0, 1.0).item::<f64>().unwrap();
/// assert!((p - 1.0 / std::f64::consts::PI).abs() < 1e-16);
/// ```
#[track_caller]
pub fn pdf(
    x: impl ArrayLike,
    df: impl ArrayLike,
    loc: impl ArrayLike,
    scale: impl ArrayLike,
) -> Array {
    logpdf(x, df, loc, scale).exp()
}

/// Student's t distribution with `df` degrees of freedom, location `loc` and scale
/// `scale` as an object (NumPyro's `StudentT`).
///
/// Parameters keep their weak typing; samples are `f32` unless a parameter is an `f64`
/// array.
///
/// ```
/// use autobatch::{random, stats::t::StudentT, Array};
/// let d = StudentT::new(1.0, 0.0, 1.0);
/// let lp = d.log_prob(Array::scalar(0.0f64)).item::<f64>().unwrap();
/// assert!((lp + std::f64::consts::PI.ln()).abs() < 1e-15);
/// assert_eq!(d.sample(&random::key(0), &[2, 3]).shape(), &[2, 3]);
/// ```
#[derive(Clone, Debug)]
pub struct StudentT {
    df: Operand,
    loc: Operand,
    scale: Operand,
}

impl StudentT {
    /// Student's t distribution with `df` degrees of freedom, shifted by `loc` and scaled
    /// by `scale`.
    ///
    /// ```
    /// use autobatch::{stats::t::StudentT, Array};
    /// assert_eq!(StudentT::new(3.0, Array::zeros(&[2]), 1.0).batch_shape(), vec![2]);
    /// ```
    #[track_caller]
    pub fn new(df: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> StudentT {
        StudentT {
            df: df.into_operand(),
            loc: loc.into_operand(),
            scale: scale.into_operand(),
        }
    }

    /// [`logpdf`] at `x`.
    ///
    /// ```
    /// use autobatch::{stats::t::StudentT, Array};
    /// let lp = StudentT::new(1.0, 2.0, 1.0).log_prob(Array::scalar(3.0f64)).item::<f64>().unwrap();
    /// assert!((lp + (2.0 * std::f64::consts::PI).ln()).abs() < 1e-15);
    /// ```
    #[track_caller]
    pub fn log_prob(&self, x: impl ArrayLike) -> Array {
        logpdf(x, self.df.clone(), self.loc.clone(), self.scale.clone())
    }

    /// `loc + scale * random::t(key, df, sample_shape ++ batch_shape)`.
    ///
    /// ```
    /// use autobatch::{random, stats::t::StudentT, Array};
    /// let d = StudentT::new(Array::from_vec(vec![2.0f64, 30.0], &[2]), 10.0, 0.1);
    /// let x = d.sample(&random::key(3), &[500]);
    /// assert_eq!(x.shape(), &[500, 2]);
    /// assert!((x.mean().item::<f64>().unwrap() - 10.0).abs() < 0.1);
    /// ```
    #[track_caller]
    pub fn sample(&self, key: &Array, sample_shape: &[usize]) -> Array {
        let params = [&self.df, &self.loc, &self.scale];
        if let Some(e) = param_error(&params) {
            return e;
        }
        let shape = match super::sample_shape("StudentT.sample", &params, sample_shape) {
            Ok(s) => s,
            Err(e) => return e,
        };
        let dtype = param_dtype(&params);
        let df = self.df.clone().into_array(dtype);
        random::t(key, &df, &shape, dtype) * self.scale.clone() + self.loc.clone()
    }

    /// The broadcast shape of `df`, `loc` and `scale`.
    ///
    /// ```
    /// use autobatch::{stats::t::StudentT, Array};
    /// assert_eq!(StudentT::new(Array::ones(&[3, 1]), Array::zeros(&[2]), 1.0).batch_shape(), vec![3, 2]);
    /// ```
    #[track_caller]
    pub fn batch_shape(&self) -> Vec<usize> {
        super::params_shape(&[&self.df, &self.loc, &self.scale]).unwrap_or_default()
    }
}

super::forward_distribution!(StudentT);
