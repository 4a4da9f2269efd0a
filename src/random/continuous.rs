//! Continuous distributions by inversion of a uniform, following `jax/_src/random.py`.
//!
//! The algorithms (bounds of the uniform, formulas) are JAX's; the transcendental
//! functions are this crate's primitives (Rust's `ln`, `ln_1p`, `sin`, `cos`), so values
//! agree with JAX to float rounding rather than bit for bit.

use super::float_dtype;
use super::ops::{abs, cos, div, konst, log, log1p, mul, neg, sign, sin, sub};
use super::uniform::{scaled, unit};
use crate::array::{Array, DType};

/// The smallest positive normal number of `dtype` (`jnp.finfo(dtype).tiny`).
fn tiny(dtype: DType) -> f64 {
    match dtype {
        DType::F32 => f64::from(f32::MIN_POSITIVE),
        _ => f64::MIN_POSITIVE,
    }
}

/// Standard exponential values (`jax.random.exponential`): `-log1p(-u)`, `u` uniform in
/// `[0, 1)`.
///
/// ```
/// use autobatch::{random, DType};
/// let x = random::exponential(&random::key(0), &[1000], DType::F32).to_vec::<f32>().unwrap();
/// assert!(x.iter().all(|&v| v >= 0.0));
/// ```
#[track_caller]
pub fn exponential(key: &Array, shape: &[usize], dtype: DType) -> Array {
    if let Err(e) = float_dtype("exponential", dtype) {
        return e;
    }
    let u = unit(key, shape, dtype, "exponential");
    neg(&log1p(&neg(&u)))
}

/// Standard Cauchy values (`jax.random.cauchy`): `tan(pi * (u - 1/2))`, `u` uniform in
/// `[tiny, 1)` (the tangent as `sin / cos`).
///
/// ```
/// use autobatch::{random, DType};
/// let x = random::cauchy(&random::key(0), &[3], DType::F64);
/// assert_eq!(x.shape(), &[3]);
/// ```
#[track_caller]
pub fn cauchy(key: &Array, shape: &[usize], dtype: DType) -> Array {
    if let Err(e) = float_dtype("cauchy", dtype) {
        return e;
    }
    let u = scaled(key, shape, dtype, (tiny(dtype), 1.0), "cauchy");
    let angle = mul(
        &konst(std::f64::consts::PI, dtype, shape),
        &sub(&u, &konst(0.5, dtype, shape)),
    );
    div(&sin(&angle), &cos(&angle))
}

/// Standard Laplace values (`jax.random.laplace`): `sign(u) * log1p(-|u|)`, `u` uniform in
/// `[-1 + epsneg, 1)`.
///
/// ```
/// use autobatch::{random, DType};
/// let x = random::laplace(&random::key(0), &[4], DType::F32);
/// assert!(x.to_vec::<f32>().unwrap().iter().all(|v| v.is_finite()));
/// ```
#[track_caller]
pub fn laplace(key: &Array, shape: &[usize], dtype: DType) -> Array {
    if let Err(e) = float_dtype("laplace", dtype) {
        return e;
    }
    let epsneg = match dtype {
        DType::F32 => f64::from(f32::EPSILON) / 2.0,
        _ => f64::EPSILON / 2.0,
    };
    let u = scaled(key, shape, dtype, (-1.0 + epsneg, 1.0), "laplace");
    mul(&sign(&u), &log1p(&neg(&abs(&u))))
}

/// Standard logistic values (`jax.random.logistic`): `log(u / (1 - u))`, `u` uniform in
/// `[tiny, 1)`.
///
/// ```
/// use autobatch::{random, DType};
/// let x = random::logistic(&random::key(0), &[4], DType::F32);
/// assert!(x.to_vec::<f32>().unwrap().iter().all(|v| v.is_finite()));
/// ```
#[track_caller]
pub fn logistic(key: &Array, shape: &[usize], dtype: DType) -> Array {
    if let Err(e) = float_dtype("logistic", dtype) {
        return e;
    }
    let u = scaled(key, shape, dtype, (tiny(dtype), 1.0), "logistic");
    log(&div(&u, &sub(&konst(1.0, dtype, shape), &u)))
}

/// Standard Gumbel values (`jax.random.gumbel`): `-log(-log(u))`, `u` uniform in
/// `[tiny, 1)`.
///
/// ```
/// use autobatch::{random, DType};
/// let x = random::gumbel(&random::key(0), &[4], DType::F32);
/// assert!(x.to_vec::<f32>().unwrap().iter().all(|v| v.is_finite()));
/// ```
#[track_caller]
pub fn gumbel(key: &Array, shape: &[usize], dtype: DType) -> Array {
    if let Err(e) = float_dtype("gumbel", dtype) {
        return e;
    }
    let u = scaled(key, shape, dtype, (tiny(dtype), 1.0), "gumbel");
    neg(&log(&neg(&log(&u))))
}
