//! Log-densities in the style of `jax.scipy.stats`, one module per distribution, and
//! distribution objects (`Normal`, `Bernoulli`, ...) for the inference layer.
//!
//! Functions take [`ArrayLike`](crate::array::ArrayLike) arguments in SciPy's order
//! (`x, <shape parameters>, loc, scale`), promote them together to a float dtype (Rust
//! numbers are weakly typed, so `norm::logpdf(&beta, 0.0, 10.0)` keeps `beta`'s dtype)
//! and broadcast them against each other. Everything is built from `Array` operations,
//! so log-densities trace, `vmap`, differentiate and `jit`.
//!
//! Edge conventions follow JAX where JAX and SciPy differ (each module says where):
//! `norm` with `scale <= 0` evaluates the formula (SciPy: NaN); non-integer `k` in
//! `bernoulli`/`binom` evaluates the formula (SciPy: `-inf`); `uniform.logpdf(NaN)` is
//! `-0.0` (SciPy: NaN); `laplace.logpdf` at huge `|x|` is the finite exact value
//! (SciPy: `-inf`).
//!
//! ```
//! use autobatch::{stats, Array};
//! let beta = Array::from_vec(vec![0.0f32, 10.0], &[2]);
//! let lp = stats::norm::logpdf(&beta, 0.0, 10.0).to_vec::<f32>().unwrap();
//! assert!((lp[1] - (-3.7215236)).abs() < 1e-6);
//! ```

pub mod bernoulli;
pub mod beta;
pub mod binom;
pub mod cauchy;
pub mod chi2;
pub mod dirichlet;
pub mod expon;
pub mod gamma;
pub mod halfnorm;
pub mod laplace;
pub mod logistic;
pub mod lognorm;
pub mod multivariate_normal;
pub mod norm;
pub mod poisson;
pub mod t;
pub mod uniform;

pub use bernoulli::Bernoulli;
pub use beta::Beta;
pub use cauchy::Cauchy;
pub use chi2::Chi2;
pub use dirichlet::Dirichlet;
pub use expon::Exponential;
pub use gamma::Gamma;
pub use laplace::Laplace;
pub use logistic::Logistic;
pub use norm::Normal;
pub use t::StudentT;
pub use uniform::Uniform;

use crate::array::{Array, DType, Operand, broadcast_shapes};
use crate::special::float_dtype_of;

/// A probability distribution with a log-density and a sampler, for the inference
/// layer. Parameters broadcast: `batch_shape` is their broadcast shape, and a sample of
/// `sample_shape` has shape `sample_shape ++ batch_shape`.
///
/// ```
/// use autobatch::stats::{Distribution, Normal};
/// use autobatch::{random, Array};
/// let d: Box<dyn Distribution> = Box::new(Normal::new(0.0, 1.0));
/// let x = d.sample(&random::key(0), &[3]);
/// assert_eq!(x.shape(), &[3]);
/// assert_eq!(d.log_prob(&x).shape(), &[3]);
/// ```
pub trait Distribution {
    /// The log-density (or log-mass) at `x`, broadcast against the parameters.
    ///
    /// ```
    /// use autobatch::stats::{Distribution, Laplace};
    /// let lp = Distribution::log_prob(&Laplace::new(0.0, 1.0), &autobatch::Array::scalar(0.0f64));
    /// assert_eq!(lp.item::<f64>().unwrap(), -std::f64::consts::LN_2);
    /// ```
    fn log_prob(&self, x: &Array) -> Array;
    /// Draws of shape `sample_shape ++ batch_shape` from `key`.
    ///
    /// ```
    /// use autobatch::stats::{Distribution, Logistic};
    /// let x = Distribution::sample(&Logistic::new(0.0, 1.0), &autobatch::random::key(0), &[7]);
    /// assert_eq!(x.shape(), &[7]);
    /// ```
    fn sample(&self, key: &Array, sample_shape: &[usize]) -> Array;
    /// The broadcast shape of the parameters (`[]` if they do not broadcast).
    ///
    /// ```
    /// use autobatch::stats::{Distribution, Cauchy};
    /// let d = Cauchy::new(autobatch::Array::zeros(&[4]), 1.0);
    /// assert_eq!(Distribution::batch_shape(&d), vec![4]);
    /// ```
    fn batch_shape(&self) -> Vec<usize>;
}

/// The float dtype parameters promote to (`f32` for weak numbers alone).
pub(crate) fn param_dtype(params: &[&Operand]) -> DType {
    let ops: Vec<Operand> = params.iter().map(|&p| p.clone()).collect();
    float_dtype_of(&ops)
}

/// The broadcast shape of the parameters, or `None` if they do not broadcast.
pub(crate) fn params_shape(params: &[&Operand]) -> Option<Vec<usize>> {
    let mut shape: Vec<usize> = Vec::new();
    for p in params {
        shape = broadcast_shapes(&shape, p.shape())?;
    }
    Some(shape)
}

/// `sample_shape ++ batch_shape`, or an error array naming `op`.
#[track_caller]
pub(crate) fn sample_shape(
    op: &str,
    params: &[&Operand],
    sample_shape: &[usize],
) -> Result<Vec<usize>, Array> {
    match params_shape(params) {
        Some(batch) => Ok(sample_shape.iter().copied().chain(batch).collect()),
        None => {
            let shapes: Vec<String> = params.iter().map(|p| format!("{:?}", p.shape())).collect();
            Err(Array::error(
                op,
                format!("parameter shapes {} do not broadcast", shapes.join(", ")),
            ))
        }
    }
}

/// The first error among the parameters, if any.
pub(crate) fn param_error(params: &[&Operand]) -> Option<Array> {
    params.iter().find_map(|p| match p {
        Operand::Array(a) if a.error_value().is_some() => Some(a.clone()),
        _ => None,
    })
}

/// Implements [`Distribution`] by forwarding to the inherent `log_prob`, `sample` and
/// `batch_shape` of a distribution object.
macro_rules! forward_distribution {
    ($t:ty) => {
        impl $crate::stats::Distribution for $t {
            fn log_prob(&self, x: &$crate::Array) -> $crate::Array {
                <$t>::log_prob(self, x)
            }
            fn sample(&self, key: &$crate::Array, sample_shape: &[usize]) -> $crate::Array {
                <$t>::sample(self, key, sample_shape)
            }
            fn batch_shape(&self) -> Vec<usize> {
                <$t>::batch_shape(self)
            }
        }
    };
}
pub(crate) use forward_distribution;

/// `loc + scale * draw(key, sample_shape ++ batch_shape, dtype)`, the sampler of the
/// location-scale distribution objects.
#[track_caller]
pub(crate) fn loc_scale_sample(
    op: &str,
    loc: &Operand,
    scale: &Operand,
    key: &Array,
    sample_shape: &[usize],
    draw: fn(&Array, &[usize], DType) -> Array,
) -> Array {
    let params = [loc, scale];
    if let Some(e) = param_error(&params) {
        return e;
    }
    let shape = match self::sample_shape(op, &params, sample_shape) {
        Ok(s) => s,
        Err(e) => return e,
    };
    draw(key, &shape, param_dtype(&params)) * scale.clone() + loc.clone()
}
