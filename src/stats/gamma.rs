//! The gamma distribution with shape `a` (`jax.scipy.stats.gamma`), and [`Gamma`], its
//! distribution object.
//!
//! ```
//! use autobatch::Array;
//! let lp = autobatch::stats::gamma::logpdf(Array::scalar(2.0f64), 1.0, 0.0, 1.0);
//! assert_eq!(lp.item::<f64>().unwrap(), -2.0);
//! ```

use super::{param_dtype, param_error};
use crate::array::{Array, ArrayLike, Operand};
use crate::random;
use crate::special::{floats, gammaln, xlogy};
use crate::where_;

/// `log f(x; a, loc, scale) = xlogy(a - 1, y) - y - gammaln(a) - log(scale)` with
/// `y = (x - loc) / scale`, `-inf` for `y < 0` (so `logpdf(0, 1) = 0`,
/// `logpdf(0, a < 1) = inf`).
///
/// ```
/// use autobatch::{stats::gamma, Array};
/// let lp = gamma::logpdf(Array::scalar(1.0f64), 1.0, 0.0, 1.0).item::<f64>().unwrap();
/// assert_eq!(lp, -1.0);
/// ```
#[track_caller]
pub fn logpdf(
    x: impl ArrayLike,
    a: impl ArrayLike,
    loc: impl ArrayLike,
    scale: impl ArrayLike,
) -> Array {
    let [x, a, loc, scale] = floats([
        x.into_operand(),
        a.into_operand(),
        loc.into_operand(),
        scale.into_operand(),
    ]);
    let y = (x - loc) / &scale;
    let lp = xlogy(&a - 1.0, &y) - &y - gammaln(&a) - scale.log();
    where_(y.lt(0.0), f64::NEG_INFINITY, lp)
}

/// The density, `exp(logpdf)`.
///
/// ```
/// use autobatch::{stats::gamma, Array};
/// let p = gamma::pdf(Array::scalar(2.0f64), 1.0, 0.0, 1.0).item::<f64>().unwrap();
/// assert!((p - (-2.0f64).exp()).abs() < 1e-16);
/// ```
#[track_caller]
pub fn pdf(
    x: impl ArrayLike,
    a: impl ArrayLike,
    loc: impl ArrayLike,
    scale: impl ArrayLike,
) -> Array {
    logpdf(x, a, loc, scale).exp()
}

/// The gamma distribution with shape `concentration` and rate `rate` (mean
/// `concentration / rate`) as an object (NumPyro's parametrization; [`logpdf`] uses
/// `scale = 1 / rate`).
///
/// Parameters keep their weak typing; samples are `f32` unless a parameter is an `f64`
/// array.
///
/// ```
/// use autobatch::{random, stats::gamma::Gamma, Array};
/// let d = Gamma::new(2.0, 4.0);
/// let lp = d.log_prob(Array::scalar(0.5f64)).item::<f64>().unwrap();
/// assert!((lp - (16.0f64.ln() + 0.5f64.ln() - 2.0)).abs() < 1e-14);
/// let x = d.sample(&random::key(0), &[1000]).to_vec::<f32>().unwrap();
/// assert!((x.iter().sum::<f32>() / 1000.0 - 0.5).abs() < 0.05);
/// ```
#[derive(Clone, Debug)]
pub struct Gamma {
    concentration: Operand,
    rate: Operand,
}

impl Gamma {
    /// The gamma distribution with shape `concentration` and rate `rate`.
    ///
    /// ```
    /// use autobatch::{stats::gamma::Gamma, Array};
    /// assert_eq!(Gamma::new(Array::ones(&[3]), 1.0).batch_shape(), vec![3]);
    /// ```
    #[track_caller]
    pub fn new(concentration: impl ArrayLike, rate: impl ArrayLike) -> Gamma {
        Gamma {
            concentration: concentration.into_operand(),
            rate: rate.into_operand(),
        }
    }

    /// `logpdf(x * rate, concentration) + log(rate)`.
    ///
    /// ```
    /// use autobatch::{stats::gamma::Gamma, Array};
    /// let lp = Gamma::new(1.0, 2.0).log_prob(Array::scalar(1.0f64)).item::<f64>().unwrap();
    /// assert!((lp - (2f64.ln() - 2.0)).abs() < 1e-15);
    /// ```
    #[track_caller]
    pub fn log_prob(&self, x: impl ArrayLike) -> Array {
        let [x, a, rate] = floats([
            x.into_operand(),
            self.concentration.clone(),
            self.rate.clone(),
        ]);
        logpdf(&x * &rate, a, 0.0, 1.0) + rate.log()
    }

    /// `random::gamma(key, concentration, sample_shape ++ batch_shape) / rate`.
    ///
    /// ```
    /// use autobatch::{random, stats::gamma::Gamma, Array};
    /// let d = Gamma::new(Array::from_vec(vec![0.5f64, 5.0], &[2]), 1.0);
    /// let x = d.sample(&random::key(1), &[4]);
    /// assert_eq!((x.shape(), x.dtype()), (&[4usize, 2][..], autobatch::DType::F64));
    /// ```
    #[track_caller]
    pub fn sample(&self, key: &Array, sample_shape: &[usize]) -> Array {
        let params = [&self.concentration, &self.rate];
        if let Some(e) = param_error(&params) {
            return e;
        }
        let shape = match super::sample_shape("Gamma.sample", &params, sample_shape) {
            Ok(s) => s,
            Err(e) => return e,
        };
        let dtype = param_dtype(&params);
        let a = self.concentration.clone().into_array(dtype);
        random::gamma(key, &a, &shape, dtype) / self.rate.clone()
    }

    /// The broadcast shape of `concentration` and `rate`.
    ///
    /// ```
    /// use autobatch::{stats::gamma::Gamma, Array};
    /// assert_eq!(Gamma::new(2.0, Array::ones(&[2, 1])).batch_shape(), vec![2, 1]);
    /// ```
    #[track_caller]
    pub fn batch_shape(&self) -> Vec<usize> {
        super::params_shape(&[&self.concentration, &self.rate]).unwrap_or_default()
    }
}

super::forward_distribution!(Gamma);
