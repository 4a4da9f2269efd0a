//! The exponential distribution (`jax.scipy.stats.expon`).
//!
//! ```
//! use autobatch::Array;
//! let lp = autobatch::stats::expon::logpdf(Array::scalar(2.0f64), 0.0, 1.0);
//! assert_eq!(lp.item::<f64>().unwrap(), -2.0);
//! ```

use super::{param_dtype, param_error};
use crate::array::{Array, ArrayLike, Operand};
use crate::random;
use crate::special::floats;
use crate::where_;

/// `-(x - loc) / scale - log(scale)` for `x >= loc`, `-inf` below.
///
/// ```
/// use autobatch::{stats::expon, Array};
/// let lp = expon::logpdf(Array::scalar(3.0f64), 1.0, 2.0).item::<f64>().unwrap();
/// assert!((lp + 1.0 + 2f64.ln()).abs() < 1e-15);
/// ```
#[track_caller]
pub fn logpdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    let [x, loc, scale] = floats([x.into_operand(), loc.into_operand(), scale.into_operand()]);
    let lp = -((&x - &loc) / &scale) - scale.log();
    where_(x.lt(&loc), f64::NEG_INFINITY, lp)
}

/// The density, `exp(logpdf)`.
///
/// ```
/// use autobatch::{stats::expon, Array};
/// let p = expon::pdf(Array::scalar(0.0f64), 0.0, 1.0).item::<f64>().unwrap();
/// assert_eq!(p, 1.0);
/// ```
#[track_caller]
pub fn pdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    logpdf(x, loc, scale).exp()
}

/// The CDF, `-expm1(-(x - loc) / scale)` for `x >= loc`, `0` below.
///
/// ```
/// use autobatch::{stats::expon, Array};
/// let c = expon::cdf(Array::scalar(1.0f64), 0.0, 1.0).item::<f64>().unwrap();
/// assert!((c - (1.0 - (-1.0f64).exp())).abs() < 1e-16);
/// ```
#[track_caller]
pub fn cdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    let [x, loc, scale] = floats([x.into_operand(), loc.into_operand(), scale.into_operand()]);
    let y = ((&x - &loc) / scale).maximum(0.0);
    -(-y).expm1()
}

/// The exponential distribution with rate `rate` (mean `1 / rate`) as an object
/// (NumPyro's parametrization; [`logpdf`] uses `scale = 1 / rate`).
///
/// ```
/// use autobatch::{random, stats::Exponential, Array};
/// let d = Exponential::new(2.0);
/// let lp = d.log_prob(Array::scalar(1.0f64)).item::<f64>().unwrap();
/// assert!((lp - (2f64.ln() - 2.0)).abs() < 1e-15);
/// assert_eq!(d.sample(&random::key(0), &[3]).shape(), &[3]);
/// ```
#[derive(Clone, Debug)]
pub struct Exponential {
    rate: Operand,
}

impl Exponential {
    /// The exponential distribution with rate `rate`.
    ///
    /// ```
    /// assert!(autobatch::stats::Exponential::new(1.0).batch_shape().is_empty());
    /// ```
    #[track_caller]
    pub fn new(rate: impl ArrayLike) -> Exponential {
        Exponential {
            rate: rate.into_operand(),
        }
    }

    /// `log(rate) - rate * x` for `x >= 0`, `-inf` below.
    ///
    /// ```
    /// use autobatch::{stats::Exponential, Array};
    /// let lp = Exponential::new(1.0).log_prob(Array::scalar(-1.0f64)).item::<f64>().unwrap();
    /// assert_eq!(lp, f64::NEG_INFINITY);
    /// ```
    #[track_caller]
    pub fn log_prob(&self, x: impl ArrayLike) -> Array {
        let [x, rate] = floats([x.into_operand(), self.rate.clone()]);
        let lp = rate.log() - &rate * &x;
        where_(x.lt(0.0), f64::NEG_INFINITY, lp)
    }

    /// `random::exponential(key, sample_shape ++ batch_shape) / rate`.
    ///
    /// ```
    /// use autobatch::{random, stats::Exponential};
    /// let x = Exponential::new(1.0).sample(&random::key(0), &[50]).to_vec::<f32>().unwrap();
    /// assert!(x.iter().all(|&v| v >= 0.0));
    /// ```
    #[track_caller]
    pub fn sample(&self, key: &Array, sample_shape: &[usize]) -> Array {
        let params = [&self.rate];
        if let Some(e) = param_error(&params) {
            return e;
        }
        let shape = match super::sample_shape("Exponential.sample", &params, sample_shape) {
            Ok(s) => s,
            Err(e) => return e,
        };
        random::exponential(key, &shape, param_dtype(&params)) / self.rate.clone()
    }

    /// The shape of `rate`.
    ///
    /// ```
    /// use autobatch::{stats::Exponential, Array};
    /// assert_eq!(Exponential::new(Array::ones(&[3])).batch_shape(), vec![3]);
    /// ```
    #[track_caller]
    pub fn batch_shape(&self) -> Vec<usize> {
        self.rate.shape().to_vec()
    }
}

super::forward_distribution!(Exponential);
