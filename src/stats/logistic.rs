//! The logistic distribution (`jax.scipy.stats.logistic`).
//!
//! ```
//! use autobatch::Array;
//! let p = autobatch::stats::logistic::pdf(Array::scalar(0.0f64), 0.0, 1.0);
//! assert_eq!(p.item::<f64>().unwrap(), 0.25);
//! ```

use crate::array::{Array, ArrayLike, Operand};
use crate::random;
use crate::special::{expit, floats};

/// `-|z| - 2 log1p(exp(-|z|)) - log(scale)` with `z = (x - loc) / scale` (SciPy's
/// stable form; JAX writes `-2 logaddexp(z/2, -z/2)`).
///
/// ```
/// use autobatch::{stats::logistic, Array};
/// let lp = logistic::logpdf(Array::scalar(0.0f64), 0.0, 1.0).item::<f64>().unwrap();
/// assert!((lp + 4f64.ln()).abs() < 1e-15);
/// ```
#[track_caller]
pub fn logpdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    let [x, loc, scale] = floats([x.into_operand(), loc.into_operand(), scale.into_operand()]);
    let y = -((x - loc) / &scale).abs();
    &y - y.exp().log1p() * 2.0 - scale.log()
}

/// The density, `exp(logpdf)`.
///
/// ```
/// use autobatch::{stats::logistic, Array};
/// let p = logistic::pdf(Array::scalar(0.0f64), 0.0, 1.0).item::<f64>().unwrap();
/// assert_eq!(p, 0.25);
/// ```
#[track_caller]
pub fn pdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    logpdf(x, loc, scale).exp()
}

/// The CDF, `expit((x - loc) / scale)`.
///
/// ```
/// use autobatch::{stats::logistic, Array};
/// let c = logistic::cdf(Array::scalar(0.0f64), 0.0, 1.0).item::<f64>().unwrap();
/// assert_eq!(c, 0.5);
/// ```
#[track_caller]
pub fn cdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    let [x, loc, scale] = floats([x.into_operand(), loc.into_operand(), scale.into_operand()]);
    expit((x - loc) / scale)
}

/// The logistic distribution as an object: `Logistic::new(loc, scale)`.
///
/// ```
/// use autobatch::{random, stats::Logistic, Array};
/// let d = Logistic::new(0.0, 2.0);
/// let lp = d.log_prob(Array::scalar(0.5f64)).item::<f64>().unwrap();
/// let expected = autobatch::stats::logistic::logpdf(Array::scalar(0.5f64), 0.0, 2.0);
/// assert_eq!(lp, expected.item::<f64>().unwrap());
/// assert_eq!(d.sample(&random::key(0), &[2, 3]).shape(), &[2, 3]);
/// ```
#[derive(Clone, Debug)]
pub struct Logistic {
    loc: Operand,
    scale: Operand,
}

impl Logistic {
    /// The logistic distribution with location `loc` and scale `scale`.
    ///
    /// ```
    /// assert!(autobatch::stats::Logistic::new(0.0, 1.0).batch_shape().is_empty());
    /// ```
    #[track_caller]
    pub fn new(loc: impl ArrayLike, scale: impl ArrayLike) -> Logistic {
        Logistic {
            loc: loc.into_operand(),
            scale: scale.into_operand(),
        }
    }

    /// [`logpdf`] at `x`.
    ///
    /// ```
    /// use autobatch::{stats::Logistic, Array};
    /// let lp = Logistic::new(0.0, 1.0).log_prob(Array::zeros(&[4]));
    /// assert_eq!(lp.shape(), &[4]);
    /// ```
    #[track_caller]
    pub fn log_prob(&self, x: impl ArrayLike) -> Array {
        logpdf(x, self.loc.clone(), self.scale.clone())
    }

    /// `loc + scale * random::logistic(key, sample_shape ++ batch_shape)`.
    ///
    /// ```
    /// use autobatch::{random, stats::Logistic, Array};
    /// let d = Logistic::new(Array::zeros(&[2]), 1.0);
    /// assert_eq!(d.sample(&random::key(1), &[5]).shape(), &[5, 2]);
    /// ```
    #[track_caller]
    pub fn sample(&self, key: &Array, sample_shape: &[usize]) -> Array {
        super::loc_scale_sample(
            "Logistic.sample",
            &self.loc,
            &self.scale,
            key,
            sample_shape,
            random::logistic,
        )
    }

    /// The broadcast shape of `loc` and `scale`.
    ///
    /// ```
    /// use autobatch::{stats::Logistic, Array};
    /// assert_eq!(Logistic::new(Array::zeros(&[3]), 1.0).batch_shape(), vec![3]);
    /// ```
    #[track_caller]
    pub fn batch_shape(&self) -> Vec<usize> {
        super::params_shape(&[&self.loc, &self.scale]).unwrap_or_default()
    }
}

super::forward_distribution!(Logistic);
