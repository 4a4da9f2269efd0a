//! The Cauchy distribution (`jax.scipy.stats.cauchy`).
//!
//! ```
//! use autobatch::Array;
//! let p = autobatch::stats::cauchy::pdf(Array::scalar(0.0f64), 0.0, 1.0);
//! assert!((p.item::<f64>().unwrap() - 1.0 / std::f64::consts::PI).abs() < 1e-16);
//! ```

use crate::array::{Array, ArrayLike, Operand};
use crate::random;
use crate::special::floats;
use std::f64::consts::PI;

/// `-(log(pi) + log(scale) + log1p(z^2))` with `z = (x - loc) / scale`.
///
/// `z^2` overflows for `|z| > ~1.8e19` in `f32` (giving `-inf`, as JAX does) and
/// `~1.3e154` in `f64`. There is no `cdf`: the crate has no `atan` primitive yet.
///
/// ```
/// use autobatch::{stats::cauchy, Array};
/// let lp = cauchy::logpdf(Array::scalar(0.0f64), 0.0, 1.0).item::<f64>().unwrap();
/// assert!((lp + std::f64::consts::PI.ln()).abs() < 1e-15);
/// ```
#[track_caller]
pub fn logpdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    let [x, loc, scale] = floats([x.into_operand(), loc.into_operand(), scale.into_operand()]);
    let z = (x - loc) / &scale;
    -((&z * &z).log1p() + scale.log() + PI.ln())
}

/// The density, `exp(logpdf)`.
///
/// ```
/// use autobatch::{stats::cauchy, Array};
/// let p = cauchy::pdf(Array::scalar(1.0f64), 0.0, 1.0).item::<f64>().unwrap();
/// assert!((p - 0.5 / std::f64::consts::PI).abs() < 1e-16);
/// ```
#[track_caller]
pub fn pdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    logpdf(x, loc, scale).exp()
}

/// The cumulative distribution function, `1/2 + atan((x - loc) / scale) / pi`.
///
/// ```
/// use autobatch::{stats::cauchy, Array};
/// let c = cauchy::cdf(Array::from_vec(vec![0.0f64, 1.0], &[2]), 0.0, 1.0).to_vec::<f64>().unwrap();
/// assert_eq!(c[0], 0.5);
/// assert!((c[1] - 0.75).abs() < 1e-16);
/// ```
#[track_caller]
pub fn cdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    let [x, loc, scale] = floats([x.into_operand(), loc.into_operand(), scale.into_operand()]);
    crate::special::arctan((x - loc) / &scale) / PI + 0.5
}

/// The Cauchy distribution as an object: `Cauchy::new(loc, scale)`.
///
/// ```
/// use autobatch::{random, stats::Cauchy, Array};
/// let d = Cauchy::new(0.0, 2.0);
/// let lp = d.log_prob(Array::scalar(0.5f64)).item::<f64>().unwrap();
/// let expected = autobatch::stats::cauchy::logpdf(Array::scalar(0.5f64), 0.0, 2.0);
/// assert_eq!(lp, expected.item::<f64>().unwrap());
/// assert_eq!(d.sample(&random::key(0), &[2, 3]).shape(), &[2, 3]);
/// ```
#[derive(Clone, Debug)]
pub struct Cauchy {
    loc: Operand,
    scale: Operand,
}

impl Cauchy {
    /// The Cauchy distribution with location `loc` and scale `scale`.
    ///
    /// ```
    /// assert!(autobatch::stats::Cauchy::new(0.0, 1.0).batch_shape().is_empty());
    /// ```
    #[track_caller]
    pub fn new(loc: impl ArrayLike, scale: impl ArrayLike) -> Cauchy {
        Cauchy {
            loc: loc.into_operand(),
            scale: scale.into_operand(),
        }
    }

    /// [`logpdf`] at `x`.
    ///
    /// ```
    /// use autobatch::{stats::Cauchy, Array};
    /// let lp = Cauchy::new(0.0, 1.0).log_prob(Array::zeros(&[4]));
    /// assert_eq!(lp.shape(), &[4]);
    /// ```
    #[track_caller]
    pub fn log_prob(&self, x: impl ArrayLike) -> Array {
        logpdf(x, self.loc.clone(), self.scale.clone())
    }

    /// `loc + scale * random::cauchy(key, sample_shape ++ batch_shape)`.
    ///
    /// ```
    /// use autobatch::{random, stats::Cauchy, Array};
    /// let d = Cauchy::new(Array::zeros(&[2]), 1.0);
    /// assert_eq!(d.sample(&random::key(1), &[5]).shape(), &[5, 2]);
    /// ```
    #[track_caller]
    pub fn sample(&self, key: &Array, sample_shape: &[usize]) -> Array {
        super::loc_scale_sample(
            "Cauchy.sample",
            &self.loc,
            &self.scale,
            key,
            sample_shape,
            random::cauchy,
        )
    }

    /// The broadcast shape of `loc` and `scale`.
    ///
    /// ```
    /// use autobatch::{stats::Cauchy, Array};
    /// assert_eq!(Cauchy::new(Array::zeros(&[3]), 1.0).batch_shape(), vec![3]);
    /// ```
    #[track_caller]
    pub fn batch_shape(&self) -> Vec<usize> {
        super::params_shape(&[&self.loc, &self.scale]).unwrap_or_default()
    }
}

super::forward_distribution!(Cauchy);
