//! The normal distribution `N(loc, scale^2)` (`jax.scipy.stats.norm`).
//!
//! ```
//! use autobatch::Array;
//! let lp = autobatch::stats::norm::logpdf(Array::scalar(1.0f64), 1.0, 2.0);
//! assert!((lp.item::<f64>().unwrap() + 1.612085713764618).abs() < 1e-14);
//! ```

use crate::array::{Array, ArrayLike, Operand};
use crate::random;
use crate::special::{floats, log_ndtr, ndtr, ndtri};
use std::f64::consts::PI;

/// `log N(x; loc, scale^2) = -(log(2 pi scale^2) + (x - loc)^2 / scale^2) / 2`,
/// JAX's formula.
///
/// Edge convention (JAX's): `scale <= 0` is not checked, so a negative scale acts like
/// `|scale|` and `scale = 0` gives `-inf`/NaN (SciPy returns NaN). Relative error
/// ≤ 4 ulp.
///
/// ```
/// use autobatch::{stats::norm, Array};
/// let lp = norm::logpdf(Array::scalar(0.0f64), 0.0, 1.0).item::<f64>().unwrap();
/// assert!((lp + 0.9189385332046727).abs() < 1e-15);
/// ```
#[track_caller]
pub fn logpdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    let [x, loc, scale] = floats([x.into_operand(), loc.into_operand(), scale.into_operand()]);
    let s2 = &scale * &scale;
    let log_normalizer = (&s2 * (2.0 * PI)).log();
    let d = x - loc;
    let quadratic = &d * &d / s2;
    (log_normalizer + quadratic) / -2.0
}

/// The density, `exp(logpdf)`.
///
/// ```
/// use autobatch::{stats::norm, Array};
/// let p = norm::pdf(Array::scalar(0.0f64), 0.0, 1.0).item::<f64>().unwrap();
/// assert!((p - 0.3989422804014327).abs() < 1e-16);
/// ```
#[track_caller]
pub fn pdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    logpdf(x, loc, scale).exp()
}

/// The CDF, `ndtr((x - loc) / scale)`.
///
/// ```
/// use autobatch::{stats::norm, Array};
/// let c = norm::cdf(Array::scalar(1.0f64), 1.0, 2.0).item::<f64>().unwrap();
/// assert_eq!(c, 0.5);
/// ```
#[track_caller]
pub fn cdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    let [x, loc, scale] = floats([x.into_operand(), loc.into_operand(), scale.into_operand()]);
    ndtr((x - loc) / scale)
}

/// The log of the CDF, `log_ndtr((x - loc) / scale)`, accurate far into the lower tail.
///
/// ```
/// use autobatch::{stats::norm, Array};
/// let lc = norm::logcdf(Array::scalar(-40.0f64), 0.0, 1.0).item::<f64>().unwrap();
/// assert!((lc / -804.6084420137538 - 1.0).abs() < 1e-14);
/// ```
#[track_caller]
pub fn logcdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    let [x, loc, scale] = floats([x.into_operand(), loc.into_operand(), scale.into_operand()]);
    log_ndtr((x - loc) / scale)
}

/// The survival function `1 - cdf`, computed as `ndtr(-(x - loc) / scale)`.
///
/// ```
/// use autobatch::{stats::norm, Array};
/// let s = norm::sf(Array::scalar(0.0f64), 0.0, 1.0).item::<f64>().unwrap();
/// assert_eq!(s, 0.5);
/// ```
#[track_caller]
pub fn sf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    let [x, loc, scale] = floats([x.into_operand(), loc.into_operand(), scale.into_operand()]);
    ndtr((loc - x) / scale)
}

/// The quantile function `loc + scale * ndtri(q)`.
///
/// ```
/// use autobatch::{stats::norm, Array};
/// let z = norm::ppf(Array::scalar(0.5f64), 3.0, 2.0).item::<f64>().unwrap();
/// assert_eq!(z, 3.0);
/// ```
#[track_caller]
pub fn ppf(q: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    let [q, loc, scale] = floats([q.into_operand(), loc.into_operand(), scale.into_operand()]);
    loc + scale * ndtri(q)
}

/// The normal distribution as an object: `Normal::new(loc, scale)`.
///
/// Parameters keep their weak typing (`Normal::new(0.0, 10.0)` adapts to the dtype of
/// `x`); samples are `f32` unless a parameter is an `f64` array.
///
/// ```
/// use autobatch::{random, stats::Normal, Array};
/// let d = Normal::new(0.0, 10.0);
/// let lp = d.log_prob(Array::scalar(0.0f32)).item::<f32>().unwrap();
/// assert!((lp + 3.2215236).abs() < 1e-6);
/// let x = d.sample(&random::key(0), &[2, 3]);
/// assert_eq!(x.shape(), &[2, 3]);
/// ```
#[derive(Clone, Debug)]
pub struct Normal {
    loc: Operand,
    scale: Operand,
}

impl Normal {
    /// A normal distribution with mean `loc` and standard deviation `scale`.
    ///
    /// ```
    /// let d = autobatch::stats::Normal::new(1.0, 2.0);
    /// assert!(d.batch_shape().is_empty());
    /// ```
    #[track_caller]
    pub fn new(loc: impl ArrayLike, scale: impl ArrayLike) -> Normal {
        Normal {
            loc: loc.into_operand(),
            scale: scale.into_operand(),
        }
    }

    /// [`logpdf`] at `x`.
    ///
    /// ```
    /// use autobatch::{stats::Normal, Array};
    /// let lp = Normal::new(0.0, 1.0).log_prob(Array::scalar(0.0f64)).item::<f64>().unwrap();
    /// assert!((lp + 0.9189385332046727).abs() < 1e-15);
    /// ```
    #[track_caller]
    pub fn log_prob(&self, x: impl ArrayLike) -> Array {
        logpdf(x, self.loc.clone(), self.scale.clone())
    }

    /// `loc + scale * z` with `z = random::normal(key, sample_shape ++ batch_shape)`.
    ///
    /// ```
    /// use autobatch::{random, stats::Normal, Array};
    /// let d = Normal::new(Array::from_vec(vec![0.0f32, 100.0], &[2]), 1.0);
    /// assert_eq!(d.sample(&random::key(1), &[5]).shape(), &[5, 2]);
    /// ```
    #[track_caller]
    pub fn sample(&self, key: &Array, sample_shape: &[usize]) -> Array {
        super::loc_scale_sample(
            "Normal.sample",
            &self.loc,
            &self.scale,
            key,
            sample_shape,
            random::normal,
        )
    }

    /// The broadcast shape of `loc` and `scale`.
    ///
    /// ```
    /// use autobatch::{stats::Normal, Array};
    /// assert_eq!(Normal::new(Array::zeros(&[3]), 1.0).batch_shape(), vec![3]);
    /// ```
    #[track_caller]
    pub fn batch_shape(&self) -> Vec<usize> {
        super::params_shape(&[&self.loc, &self.scale]).unwrap_or_default()
    }
}

super::forward_distribution!(Normal);
