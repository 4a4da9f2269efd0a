//! The Laplace (double exponential) distribution (`jax.scipy.stats.laplace`).
//!
//! ```
//! use autobatch::Array;
//! let p = autobatch::stats::laplace::pdf(Array::scalar(0.0f64), 0.0, 2.0);
//! assert_eq!(p.item::<f64>().unwrap(), 0.25);
//! ```

use crate::array::{Array, ArrayLike, Operand};
use crate::random;
use crate::special::floats;
use crate::where_;
use std::f64::consts::LN_2;

/// `-|x - loc| / scale - log(2 scale)`.
///
/// Edge convention (JAX's): at huge `|x|` the result is the finite exact value (SciPy
/// returns `-inf` at `x = 1e30`).
///
/// ```
/// use autobatch::{stats::laplace, Array};
/// let lp = laplace::logpdf(Array::scalar(1.0f64), 0.0, 1.0).item::<f64>().unwrap();
/// assert!((lp + 1.0 + std::f64::consts::LN_2).abs() < 1e-15);
/// ```
#[track_caller]
pub fn logpdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    let [x, loc, scale] = floats([x.into_operand(), loc.into_operand(), scale.into_operand()]);
    -((x - loc).abs() / &scale) - scale.log() - LN_2
}

/// The density, `exp(logpdf)`.
///
/// ```
/// use autobatch::{stats::laplace, Array};
/// let p = laplace::pdf(Array::scalar(0.0f64), 0.0, 1.0).item::<f64>().unwrap();
/// assert_eq!(p, 0.5);
/// ```
#[track_caller]
pub fn pdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    logpdf(x, loc, scale).exp()
}

/// The CDF: `exp(z)/2` for `z < 0`, `1 - exp(-z)/2` otherwise, `z = (x - loc)/scale`.
///
/// ```
/// use autobatch::{stats::laplace, Array};
/// let c = laplace::cdf(Array::scalar(0.0f64), 0.0, 1.0).item::<f64>().unwrap();
/// assert_eq!(c, 0.5);
/// ```
#[track_caller]
pub fn cdf(x: impl ArrayLike, loc: impl ArrayLike, scale: impl ArrayLike) -> Array {
    let [x, loc, scale] = floats([x.into_operand(), loc.into_operand(), scale.into_operand()]);
    let z = (x - loc) / scale;
    let neg = z.lt(0.0);
    let zn = where_(&neg, &z, 0.0);
    let zp = where_(&neg, 0.0, &z);
    where_(&neg, zn.exp() * 0.5, 1.0 - (-zp).exp() * 0.5)
}

/// The Laplace distribution as an object: `Laplace::new(loc, scale)`.
///
/// ```
/// use autobatch::{random, stats::Laplace, Array};
/// let d = Laplace::new(0.0, 2.0);
/// let lp = d.log_prob(Array::scalar(0.5f64)).item::<f64>().unwrap();
/// let expected = autobatch::stats::laplace::logpdf(Array::scalar(0.5f64), 0.0, 2.0);
/// assert_eq!(lp, expected.item::<f64>().unwrap());
/// assert_eq!(d.sample(&random::key(0), &[2, 3]).shape(), &[2, 3]);
/// ```
#[derive(Clone, Debug)]
pub struct Laplace {
    loc: Operand,
    scale: Operand,
}

impl Laplace {
    /// The Laplace distribution with location `loc` and scale `scale`.
    ///
    /// ```
    /// assert!(autobatch::stats::Laplace::new(0.0, 1.0).batch_shape().is_empty());
    /// ```
    #[track_caller]
    pub fn new(loc: impl ArrayLike, scale: impl ArrayLike) -> Laplace {
        Laplace {
            loc: loc.into_operand(),
            scale: scale.into_operand(),
        }
    }

    /// [`logpdf`] at `x`.
    ///
    /// ```
    /// use autobatch::{stats::Laplace, Array};
    /// let lp = Laplace::new(0.0, 1.0).log_prob(Array::zeros(&[4]));
    /// assert_eq!(lp.shape(), &[4]);
    /// ```
    #[track_caller]
    pub fn log_prob(&self, x: impl ArrayLike) -> Array {
        logpdf(x, self.loc.clone(), self.scale.clone())
    }

    /// `loc + scale * random::laplace(key, sample_shape ++ batch_shape)`.
    ///
    /// ```
    /// use autobatch::{random, stats::Laplace, Array};
    /// let d = Laplace::new(Array::zeros(&[2]), 1.0);
    /// assert_eq!(d.sample(&random::key(1), &[5]).shape(), &[5, 2]);
    /// ```
    #[track_caller]
    pub fn sample(&self, key: &Array, sample_shape: &[usize]) -> Array {
        super::loc_scale_sample(
            "Laplace.sample",
            &self.loc,
            &self.scale,
            key,
            sample_shape,
            random::laplace,
        )
    }

    /// The broadcast shape of `loc` and `scale`.
    ///
    /// ```
    /// use autobatch::{stats::Laplace, Array};
    /// assert_eq!(Laplace::new(Array::zeros(&[3]), 1.0).batch_shape(), vec![3]);
    /// ```
    #[track_caller]
    pub fn batch_shape(&self) -> Vec<usize> {
        super::params_shape(&[&self.loc, &self.scale]).unwrap_or_default()
    }
}

super::forward_distribution!(Laplace);
