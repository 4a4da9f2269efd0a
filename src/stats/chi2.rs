//! The chi-square distribution with `df` degrees of freedom (`jax.scipy.stats.chi2`),
//! and [`Chi2`], its distribution object: a gamma distribution with shape `df / 2` and
//! scale 2.
//!
//! ```
//! use autobatch::Array;
//! let lp = autobatch::stats::chi2::logpdf(Array::scalar(2.0f64), 2.0, 0.0, 1.0);
//! assert!((lp.item::<f64>().unwrap() - (-1.0 - 2f64.ln())).abs() < 1e-15);
//! ```

use super::{param_dtype, param_error};
use crate::array::{Array, ArrayLike, Operand};
use crate::random;
use crate::special::floats;

/// `gamma::logpdf(x, df / 2, loc, 2 scale)`: `xlogy(df/2 - 1, y/2) - y/2 - gammaln(df/2)
/// - log(2 scale)` with `y = (x - loc) / scale`, `-inf` below `loc`.
///
/// ```
/// use autobatch::{stats::chi2, Array};
/// // df = 2 is the exponential distribution with mean 2.
/// let lp = chi2::logpdf(Array::scalar(1.0f64), 2.0, 0.0, 1.0).item::<f64>().unwrap();
/// assert!((lp - (-0.5 - 2f64.ln())).abs() < 1e-15);
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
    super::gamma::logpdf(x, df * 0.5, loc, scale * 2.0)
}

/// The density, `exp(logpdf)`.
///
/// ```
/// use autobatch::{stats::chi2, Array};
/// let p = chi2::pdf(Array::scalar(2.0f64), 2.0, 0.0, 1.0).item::<f64>().unwrap();
/// assert!((p - 0.5 * (-1.0f64).exp()).abs() < 1e-16);
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

/// The chi-square distribution with `df` degrees of freedom as an object.
///
/// Parameters keep their weak typing; samples are `f32` unless `df` is an `f64` array.
///
/// ```
/// use autobatch::{random, stats::chi2::Chi2, Array};
/// let d = Chi2::new(3.0);
/// let x = d.sample(&random::key(0), &[2000]).to_vec::<f32>().unwrap();
/// assert!((x.iter().sum::<f32>() / 2000.0 - 3.0).abs() < 0.25); // mean df
/// ```
#[derive(Clone, Debug)]
pub struct Chi2 {
    df: Operand,
}

impl Chi2 {
    /// The chi-square distribution with `df` degrees of freedom.
    ///
    /// ```
    /// use autobatch::{stats::chi2::Chi2, Array};
    /// assert_eq!(Chi2::new(Array::ones(&[3])).batch_shape(), vec![3]);
    /// ```
    #[track_caller]
    pub fn new(df: impl ArrayLike) -> Chi2 {
        Chi2 {
            df: df.into_operand(),
        }
    }

    /// `logpdf(x, df, 0, 1)`.
    ///
    /// ```
    /// use autobatch::{stats::chi2::Chi2, Array};
    /// let lp = Chi2::new(2.0).log_prob(Array::scalar(2.0f64)).item::<f64>().unwrap();
    /// assert!((lp - (-1.0 - 2f64.ln())).abs() < 1e-15);
    /// ```
    #[track_caller]
    pub fn log_prob(&self, x: impl ArrayLike) -> Array {
        logpdf(x, self.df.clone(), 0.0, 1.0)
    }

    /// `random::chisquare(key, df, sample_shape ++ batch_shape)`.
    ///
    /// ```
    /// use autobatch::{random, stats::chi2::Chi2, Array};
    /// let d = Chi2::new(Array::from_vec(vec![1.0f64, 4.0], &[2]));
    /// let x = d.sample(&random::key(1), &[5]);
    /// assert_eq!((x.shape(), x.dtype()), (&[5usize, 2][..], autobatch::DType::F64));
    /// ```
    #[track_caller]
    pub fn sample(&self, key: &Array, sample_shape: &[usize]) -> Array {
        let params = [&self.df];
        if let Some(e) = param_error(&params) {
            return e;
        }
        let shape = match super::sample_shape("Chi2.sample", &params, sample_shape) {
            Ok(s) => s,
            Err(e) => return e,
        };
        let dtype = param_dtype(&params);
        let df = self.df.clone().into_array(dtype);
        random::chisquare(key, &df, &shape, dtype)
    }

    /// The shape of `df`.
    ///
    /// ```
    /// use autobatch::{stats::chi2::Chi2, Array};
    /// assert_eq!(Chi2::new(Array::ones(&[2, 1])).batch_shape(), vec![2, 1]);
    /// ```
    #[track_caller]
    pub fn batch_shape(&self) -> Vec<usize> {
        super::params_shape(&[&self.df]).unwrap_or_default()
    }
}

super::forward_distribution!(Chi2);
