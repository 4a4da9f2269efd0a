//! Distributions built from gamma draws, as `jax.random` builds them: `beta` (two
//! log-gammas, normalized), `dirichlet` (log-gammas along the last axis, softmax),
//! `chisquare` (twice a gamma of half the degrees of freedom) and Student's `t` (a
//! normal over the square root of a scaled gamma).

use super::error;
use super::gamma::{gamma_impl, param_to};
use super::keys::split2;
use super::normal::normal;
use crate::array::{Array, DType};
use crate::ir::shape_str;

/// Beta values with parameters `a` and `b` (density `x^(a-1) (1-x)^(b-1)` on `[0, 1]`),
/// of `shape` and float `dtype` (`jax.random.beta`): with `(ka, kb) = split2(key)`,
/// `ga = loggamma(ka, a)`, `gb = loggamma(kb, b)`, the ratio `e^ga / (e^ga + e^gb)`
/// computed after subtracting `max(ga, gb)`, so small parameters do not give `0 / 0`.
///
/// `a` and `b` are converted to `dtype` and must each broadcast to `shape` (as in
/// [`gamma`](super::gamma)).
///
/// ```
/// use autobatch::{random, Array, DType};
/// let x = random::beta(&random::key(0), &Array::scalar(2.0f32), &Array::scalar(3.0f32), &[500], DType::F32);
/// let x = x.to_vec::<f32>().unwrap();
/// assert!(x.iter().all(|&v| (0.0..=1.0).contains(&v)));
/// assert!((x.iter().sum::<f32>() / 500.0 - 0.4).abs() < 0.03);
/// ```
#[track_caller]
pub fn beta(key: &Array, a: &Array, b: &Array, shape: &[usize], dtype: DType) -> Array {
    let (a, b) = match (
        param_to("beta", "a", a, shape, dtype),
        param_to("beta", "b", b, shape, dtype),
    ) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(e), _) | (_, Err(e)) => return e,
    };
    let (key_a, key_b) = split2(key);
    let log_a = gamma_impl(&key_a, &a, true, "beta");
    let log_b = gamma_impl(&key_b, &b, true, "beta");
    let log_max = log_a.maximum(&log_b);
    let scaled_a = (&log_a - &log_max).exp();
    let scaled_b = (&log_b - &log_max).exp();
    &scaled_a / (&scaled_a + &scaled_b)
}

/// Dirichlet values with concentrations `alpha` (`[..., K]`, `K` components along the
/// last axis) of float `dtype`, shape `shape ++ [K]` (`jax.random.dirichlet`): `K`
/// log-gammas per draw, one per component, normalized by a softmax along the last axis
/// (log space keeps small concentrations accurate).
///
/// `shape` is the batch shape: `alpha`'s leading axes (`alpha.shape()[..ndim - 1]`) must
/// broadcast to it, as in [`gamma`](super::gamma); pass `&alpha.shape()[..ndim - 1]` for
/// one draw per concentration vector (JAX's default).
///
/// ```
/// use autobatch::{random, Array, DType};
/// let alpha = Array::from_vec(vec![1.0f32, 2.0, 3.0], &[3]);
/// let x = random::dirichlet(&random::key(0), &alpha, &[4], DType::F32);
/// assert_eq!(x.shape(), &[4, 3]);
/// let sums = x.sum_axis(-1).to_vec::<f32>().unwrap();
/// assert!(sums.iter().all(|s| (s - 1.0).abs() < 1e-6));
/// let scalar = random::dirichlet(&random::key(0), &Array::scalar(1.0f32), &[], DType::F32);
/// assert!(scalar.check().unwrap_err().to_string().contains("at least one axis"));
/// ```
#[track_caller]
pub fn dirichlet(key: &Array, alpha: &Array, shape: &[usize], dtype: DType) -> Array {
    if let Err(e) = super::float_dtype("dirichlet", dtype) {
        return e;
    }
    if let Some(e) = alpha.error_value() {
        return Array::from_error(e.clone());
    }
    let Some((&k, batch)) = alpha.shape().split_last() else {
        return error(
            "dirichlet",
            "alpha needs at least one axis (the components), got a scalar []".to_string(),
        );
    };
    let fits = crate::array::broadcast_shapes(shape, batch).is_some_and(|s| s == shape);
    if !fits {
        return error(
            "dirichlet",
            format!(
                "the batch shape {} of alpha {} does not broadcast to shape {} (the \
                 broadcast of the two must equal the shape argument)",
                shape_str(batch),
                shape_str(alpha.shape()),
                shape_str(shape)
            ),
        );
    }
    let full: Vec<usize> = shape.iter().copied().chain([k]).collect();
    let alpha = match param_to("dirichlet", "alpha", alpha, &full, dtype) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let log_g = gamma_impl(key, &alpha, true, "dirichlet");
    // softmax along the last axis.
    let log_max = log_g.max_axes(&[-1], true);
    let unnormalized = (&log_g - &log_max).exp();
    &unnormalized / unnormalized.sum_axes(&[-1], true)
}

/// Chi-square values with `df` degrees of freedom, of `shape` and float `dtype`
/// (`jax.random.chisquare`): `2 exp(loggamma(key, df / 2))`. `df` broadcasts to `shape`
/// as in [`gamma`](super::gamma).
///
/// ```
/// use autobatch::{random, Array, DType};
/// let x = random::chisquare(&random::key(0), &Array::scalar(3.0f64), &[2000], DType::F64);
/// let x = x.to_vec::<f64>().unwrap();
/// assert!((x.iter().sum::<f64>() / 2000.0 - 3.0).abs() < 0.25);
/// ```
#[track_caller]
pub fn chisquare(key: &Array, df: &Array, shape: &[usize], dtype: DType) -> Array {
    let df = match param_to("chisquare", "df", df, shape, dtype) {
        Ok(df) => df,
        Err(e) => return e,
    };
    gamma_impl(key, &(df / 2.0), true, "chisquare").exp() * 2.0
}

/// Student's t values with `df` degrees of freedom, of `shape` and float `dtype`
/// (`jax.random.t`): with `(kn, kg) = split2(key)`, `z = normal(kn)` and `g =
/// gamma(kg, df / 2)`, the value `z sqrt((df / 2) / g)` (`g` is half a chi-square with
/// `df` degrees of freedom). `df` broadcasts to `shape` as in [`gamma`](super::gamma).
///
/// ```
/// use autobatch::{random, Array, DType};
/// let x = random::t(&random::key(0), &Array::scalar(5.0f32), &[2, 3], DType::F32);
/// assert_eq!(x.shape(), &[2, 3]);
/// let bad = random::t(&random::key(0), &Array::scalar(5.0f32), &[3], DType::I32);
/// assert_eq!(bad.check().unwrap_err().op(), "t");
/// ```
#[track_caller]
pub fn t(key: &Array, df: &Array, shape: &[usize], dtype: DType) -> Array {
    let df = match param_to("t", "df", df, shape, dtype) {
        Ok(df) => df,
        Err(e) => return e,
    };
    let (key_n, key_g) = split2(key);
    let z = normal(&key_n, shape, dtype);
    let half_df = df / 2.0;
    let g = gamma_impl(&key_g, &half_df, false, "t");
    z * (half_df / g).sqrt()
}
