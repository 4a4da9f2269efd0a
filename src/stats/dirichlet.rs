//! The Dirichlet distribution (`jax.scipy.stats.dirichlet`), and [`Dirichlet`], its
//! distribution object.
//!
//! ```
//! use autobatch::Array;
//! let x = Array::from_vec(vec![0.5f64, 0.5], &[2]);
//! let lp = autobatch::stats::dirichlet::logpdf(&x, Array::from_vec(vec![1.0f64, 1.0], &[2]));
//! assert_eq!(lp.item::<f64>().unwrap(), 0.0);
//! ```

use super::{param_dtype, param_error};
use crate::array::{Array, ArrayLike, Operand};
use crate::random;
use crate::special::{floats, gammaln, xlogy};
use crate::where_;

/// `log D(x; alpha) = sum((alpha - 1) log x) - (sum gammaln(alpha) - gammaln(sum alpha))`
/// for `x` on the simplex, with the components along the last axis of `x` (`[..., K]`)
/// and `alpha` broadcastable to it; `-inf` off the simplex (JAX's test: every
/// component `> 0` and `|sum - 1| < 1e-6`).
///
/// ```
/// use autobatch::{stats::dirichlet, Array};
/// let x = Array::from_vec(vec![0.25f64, 0.25, 0.5], &[3]);
/// let lp = dirichlet::logpdf(&x, Array::from_vec(vec![1.0f64, 1.0, 1.0], &[3]));
/// assert!((lp.item::<f64>().unwrap() - 2f64.ln()).abs() < 1e-15);
/// ```
#[track_caller]
pub fn logpdf(x: impl ArrayLike, alpha: impl ArrayLike) -> Array {
    let [x, alpha] = floats([x.into_operand(), alpha.into_operand()]);
    let normalize = gammaln(&alpha).sum_axis(-1) - gammaln(alpha.sum_axis(-1));
    let lp = xlogy(&alpha - 1.0, &x).sum_axis(-1) - normalize;
    let simplex = x
        .min_axis(-1)
        .gt(0.0)
        .logical_and((x.sum_axis(-1) - 1.0).abs().lt(1e-6));
    where_(&simplex, lp, f64::NEG_INFINITY)
}

/// The Dirichlet distribution with concentrations `concentration` (`[..., K]`: the
/// components along the last axis, a batch of distributions along the others) as an
/// object.
///
/// Its batch shape is `concentration`'s shape without the last axis, and a sample of
/// `sample_shape` has shape `sample_shape ++ batch_shape ++ [K]` (the event axis last).
/// Samples are `f32` unless `concentration` is an `f64` array.
///
/// ```
/// use autobatch::{random, stats::dirichlet::Dirichlet, Array};
/// let d = Dirichlet::new(Array::from_vec(vec![1.0f64, 1.0, 1.0], &[3]));
/// let lp = d.log_prob(Array::from_vec(vec![0.2f64, 0.3, 0.5], &[3])).item::<f64>().unwrap();
/// assert!((lp - 2f64.ln()).abs() < 1e-14);
/// let x = d.sample(&random::key(0), &[5]);
/// assert_eq!(x.shape(), &[5, 3]);
/// ```
#[derive(Clone, Debug)]
pub struct Dirichlet {
    concentration: Operand,
}

impl Dirichlet {
    /// The Dirichlet distribution with concentrations `concentration` (at least one axis).
    ///
    /// ```
    /// use autobatch::{stats::dirichlet::Dirichlet, Array};
    /// assert_eq!(Dirichlet::new(Array::ones(&[4, 3])).batch_shape(), vec![4]);
    /// ```
    #[track_caller]
    pub fn new(concentration: impl ArrayLike) -> Dirichlet {
        Dirichlet {
            concentration: concentration.into_operand(),
        }
    }

    /// [`logpdf`] at `x` (`[..., K]`).
    ///
    /// ```
    /// use autobatch::{stats::dirichlet::Dirichlet, Array};
    /// let d = Dirichlet::new(Array::from_vec(vec![2.0f64, 1.0], &[2]));
    /// let lp = d.log_prob(Array::from_vec(vec![0.5f64, 0.5], &[2])).item::<f64>().unwrap();
    /// assert!(lp.abs() < 1e-14); // density 2 * 0.5 = 1
    /// ```
    #[track_caller]
    pub fn log_prob(&self, x: impl ArrayLike) -> Array {
        logpdf(x, self.concentration.clone())
    }

    /// `random::dirichlet(key, concentration, sample_shape ++ batch_shape)`, of shape
    /// `sample_shape ++ batch_shape ++ [K]`.
    ///
    /// ```
    /// use autobatch::{random, stats::dirichlet::Dirichlet, Array};
    /// let d = Dirichlet::new(Array::ones(&[2, 3]));
    /// assert_eq!(d.sample(&random::key(1), &[4]).shape(), &[4, 2, 3]);
    /// let bad = Dirichlet::new(1.0).sample(&random::key(1), &[4]);
    /// assert_eq!(bad.check().unwrap_err().op(), "Dirichlet.sample");
    /// ```
    #[track_caller]
    pub fn sample(&self, key: &Array, sample_shape: &[usize]) -> Array {
        let params = [&self.concentration];
        if let Some(e) = param_error(&params) {
            return e;
        }
        if self.concentration.shape().is_empty() {
            return Array::error(
                "Dirichlet.sample",
                "concentration needs at least one axis (the components), got a scalar []",
            );
        }
        let dtype = param_dtype(&params);
        let alpha = self.concentration.clone().into_array(dtype);
        let shape: Vec<usize> = sample_shape
            .iter()
            .copied()
            .chain(self.batch_shape())
            .collect();
        random::dirichlet(key, &alpha, &shape, dtype)
    }

    /// `concentration`'s shape without its last (component) axis.
    ///
    /// ```
    /// use autobatch::{stats::dirichlet::Dirichlet, Array};
    /// assert!(Dirichlet::new(Array::ones(&[3])).batch_shape().is_empty());
    /// ```
    #[track_caller]
    pub fn batch_shape(&self) -> Vec<usize> {
        let shape = self.concentration.shape();
        shape[..shape.len().saturating_sub(1)].to_vec()
    }
}

super::forward_distribution!(Dirichlet);
