//! Gamma variates (`jax.random.gamma`, `jax.random.loggamma`): Marsaglia and Tsang's
//! rejection sampler, written for ONE element as two nested `while_loop`s and batched
//! with `vmap` over one key per element, as JAX 0.10 does.
//!
//! The sampler for shape `a` (Marsaglia & Tsang, "A simple method for generating gamma
//! variables", 2000): with `d = a - 1/3` and `c = 1 / (3 sqrt d)`, draw `x ~ N(0, 1)`
//! until `v = 1 + c x > 0`, then `u ~ U[0, 1)`, and accept `d v^3` when `u < 1 - 0.0331
//! x^4` or `log u < x^2 / 2 + d (1 - v^3 + log v^3)`. For `a < 1` it samples
//! `Gamma(a + 1)` and multiplies by `U^(1/a)` (in log space: adds `log(U) / a`).

use super::error;
use super::key_words;
use super::keys::{split, split2};
use super::normal::normal;
use super::ops::konst;
use super::uniform::uniform;
use crate::array::{Array, DType, lax};
use crate::control::while_loop;
use crate::error::Result;
use crate::ir::{BinaryOp, shape_str};

/// Standard gamma values (unit scale) with shape parameter `a`, of `shape` and float
/// `dtype` (`jax.random.gamma`). Divide by a rate (or multiply by a scale) for other
/// gamma distributions.
///
/// `a` is converted to `dtype` and must broadcast to `shape` (NumPy rules, and the
/// broadcast must be `shape` itself, as in JAX: a scalar `a` serves any `shape`, an
/// `a` of shape `[3]` serves `[2, 3]` but not `[3, 2]`). Each element gets its own key
/// (`split(key, size)`, row-major) and its own rejection loop, run as one batched
/// `while_loop`; `a < 1` uses `Gamma(a) = Gamma(a + 1) U^(1/a)`, so draws for small `a`
/// underflow to `0` (use [`loggamma`] there). `a <= 0` or NaN gives NaN or `0`, as in
/// JAX. Works under `vmap` (over keys and parameters) and `jit`. Not differentiable with
/// respect to `a`: JAX's implicit reparametrization gradient is not implemented, reverse
/// mode stops at the `while_loop` with an error, and forward mode holds the accepted
/// normal draw fixed (not the gradient of the distribution).
///
/// Fidelity: `f32` reproduces JAX 0.10.2 on CPU bit for bit on the reference draws in
/// `tests/random_gamma.rs` (and on 30 000 more checked while writing it, `a` from 0.05
/// to 1000), with two caveats. XLA's CPU flushes subnormal results to `0` where this
/// keeps them (in practice only `a` below about 0.2 produces them), and XLA evaluates `c = 1 / (3
/// sqrt d)` as `(1/3) * rsqrt(d)` with a hardware estimate refined by Newton steps,
/// whose last bit may depend on the CPU; here `rsqrt(d)` is correctly rounded. `f64`
/// agrees with JAX's x64 mode to a few ulp (as [`normal`](super::normal) does).
///
/// ```
/// use autobatch::{random, Array, DType};
/// let x = random::gamma(&random::key(0), &Array::scalar(2.5f32), &[1000], DType::F32);
/// let x = x.to_vec::<f32>().unwrap();
/// assert!(x.iter().all(|&v| v > 0.0));
/// let mean = x.iter().sum::<f32>() / 1000.0;
/// assert!((mean - 2.5).abs() < 0.2);
/// // One shape per element, broadcast against `shape`.
/// let a = Array::from_vec(vec![0.5f32, 10.0], &[2]);
/// assert_eq!(random::gamma(&random::key(1), &a, &[3, 2], DType::F32).shape(), &[3, 2]);
/// let bad = random::gamma(&random::key(1), &a, &[3], DType::F32);
/// assert!(bad.check().unwrap_err().to_string().contains("[2] does not broadcast to shape [3]"));
/// ```
#[track_caller]
pub fn gamma(key: &Array, a: &Array, shape: &[usize], dtype: DType) -> Array {
    match param_to("gamma", "a", a, shape, dtype) {
        Ok(a) => gamma_impl(key, &a, false, "gamma"),
        Err(e) => e,
    }
}

/// The logarithm of standard gamma values, of `shape` and float `dtype`
/// (`jax.random.loggamma`): the same draws as [`gamma`] at the same key, up to
/// rounding, but computed in log space, so tiny values (frequent when `a << 1`) keep
/// their precision instead of underflowing to `0`. `a` broadcasts as in [`gamma`].
///
/// ```
/// use autobatch::{random, Array, DType};
/// let a = Array::scalar(0.01f64);
/// let lx = random::loggamma(&random::key(0), &a, &[4], DType::F64).to_vec::<f64>().unwrap();
/// let x = random::gamma(&random::key(0), &a, &[4], DType::F64).to_vec::<f64>().unwrap();
/// for (l, v) in lx.iter().zip(&x) {
///     assert!(l.is_finite());
///     assert!((l.exp() - v).abs() <= 1e-12 * v.max(1e-300));
/// }
/// ```
#[track_caller]
pub fn loggamma(key: &Array, a: &Array, shape: &[usize], dtype: DType) -> Array {
    match param_to("loggamma", "a", a, shape, dtype) {
        Ok(a) => gamma_impl(key, &a, true, "loggamma"),
        Err(e) => e,
    }
}

/// `p` converted to the float `dtype` and broadcast to `shape`, or an error array naming
/// `op` (a non-float `dtype`, a `bool` parameter, or a shape that does not broadcast to
/// `shape`).
#[track_caller]
pub(super) fn param_to(
    op: &str,
    name: &str,
    p: &Array,
    shape: &[usize],
    dtype: DType,
) -> Result<Array, Array> {
    super::float_dtype(op, dtype)?;
    if let Some(e) = p.error_value() {
        return Err(Array::from_error(e.clone()));
    }
    if p.dtype() == DType::Bool {
        return Err(error(
            op,
            format!(
                "parameter `{name}` must be numeric, got bool {}",
                shape_str(p.shape())
            ),
        ));
    }
    let fits = crate::array::broadcast_shapes(shape, p.shape()).is_some_and(|s| s == shape);
    if !fits {
        return Err(error(
            op,
            format!(
                "parameter `{name}` of shape {} does not broadcast to shape {} (the \
                 broadcast of the two must equal the shape argument)",
                shape_str(p.shape()),
                shape_str(shape)
            ),
        ));
    }
    let p = lax::convert(p, dtype);
    Ok(if p.shape() == shape {
        p
    } else {
        p.broadcast_to(shape)
    })
}

/// Gamma draws (or their logs) for `a`, already of the output's shape and dtype: one key
/// per element from `split(key, a.size())`, and [`gamma_one`] vmapped over keys and
/// shapes (JAX's `_gamma_impl`).
#[track_caller]
pub(super) fn gamma_impl(key: &Array, a: &Array, log_space: bool, op: &str) -> Array {
    if let Err(e) = key_words(key, op) {
        return e;
    }
    let shape = a.shape().to_vec();
    let n = a.size();
    if n == 0 {
        return Array::zeros_of(&shape, a.dtype());
    }
    let keys = split(key, n);
    let alphas = lax::reshape(a, &[n]);
    let one = |k: &Array, alpha: &Array| gamma_one(k, alpha, log_space);
    match crate::vmap(one)(&keys, &alphas) {
        Ok(samples) => lax::reshape(&samples, &shape),
        Err(e) => Array::from_error(e),
    }
}

/// One gamma draw (or its log) for one key `[2]` and one shape parameter `alpha` (a
/// scalar of the output dtype): JAX's `_gamma_one`. The outer loop carries `(key, X, V,
/// U)` (`X = x^2`, `V = v^3`) from a state that fails the acceptance test, the inner loop
/// `(key, x, v)` from `v = -1`.
fn gamma_one(key: &Array, alpha: &Array, log_space: bool) -> Result<Array> {
    let dtype = alpha.dtype();
    let k = |v: f64| konst(v, dtype, &[]);
    let binary = |op: BinaryOp, x: &Array, y: &Array| lax::binary(op, x, y);
    let (add, sub, mul, div) = (
        |x: &Array, y: &Array| binary(BinaryOp::Add, x, y),
        |x: &Array, y: &Array| binary(BinaryOp::Sub, x, y),
        |x: &Array, y: &Array| binary(BinaryOp::Mul, x, y),
        |x: &Array, y: &Array| binary(BinaryOp::Div, x, y),
    );
    let (zero, one, third) = (k(0.0), k(1.0), k(1.0 / 3.0));

    // Boost a < 1 to a + 1 (corrected by a power of a uniform at the end).
    let boost_mask = alpha.ge(&one);
    let boosted = lax::select(&boost_mask, alpha, &add(alpha, &one));
    let d = sub(&boosted, &third);
    // c = (1/3) * rsqrt(d), as XLA rewrites `(1/3) / sqrt(d)`, with the reciprocal
    // square root correctly rounded (computed in f64 for f32): the value XLA's 1-ulp
    // estimate gives in most cases (its last bit depends on the CPU).
    let rsqrt_d = match dtype {
        DType::F32 => lax::convert(&lax::convert(&d, DType::F64).rsqrt(), dtype),
        _ => d.rsqrt(),
    };
    let c = mul(&third, &rsqrt_d);

    // Draws x ~ N(0, 1) until v = 1 + c x > 0.
    let next_xv = |s: &(Array, Array, Array)| {
        let (key, sub_key) = split2(&s.0);
        let x = normal(&sub_key, &[], dtype);
        // XLA contracts `1 + x * c` into one fused multiply-add on CPU.
        let v = lax::fma(&x, &c, &one);
        (key, x, v)
    };
    // Keep drawing while the candidate (X, V, U) is rejected.
    let rejected = |s: &(Array, Array, Array, Array)| {
        let (_, x2, v3, u) = s;
        let squeeze = u.ge(sub(&one, &mul(&k(0.0331), &mul(x2, x2))));
        let log_test = add(&mul(x2, &k(0.5)), &mul(&d, &add(&sub(&one, v3), &v3.log())));
        squeeze.logical_and(u.log().ge(&log_test))
    };
    let propose = |s: &(Array, Array, Array, Array)| -> Result<(Array, Array, Array, Array)> {
        let keys = split(&s.0, 3);
        let [key, x_key, u_key] = [0, 1, 2]
            .map(|i| lax::reshape(&lax::slice(&keys, &[i, 0], &[i + 1, 2], &[1, 1]), &[2]));
        let init = (x_key, zero.clone(), k(-1.0));
        let (_, x, v) = while_loop(|s: &(Array, Array, Array)| s.2.le(&zero), next_xv, &init)?;
        let x2 = mul(&x, &x);
        let v3 = mul(&mul(&v, &v), &v);
        let u = uniform(&u_key, &[], dtype);
        Ok((key, x2, v3, u))
    };

    let (key, sub_key) = split2(key);
    // (X, V, U) = (0, 1, 2) fails the test, so the loop runs at least once.
    let init = (key, zero.clone(), one.clone(), k(2.0));
    let (_, _, v3, _) = while_loop(rejected, propose, &init)?;
    if log_space {
        // log U = log1p(-u) = -exponential; log U = 0 (u = 0) needs no boost.
        let log_u = super::continuous::exponential(&sub_key, &[], dtype).neg();
        let no_boost = boost_mask.logical_or(log_u.equal(&zero));
        let log_boost = lax::select(&no_boost, &zero, &mul(&log_u, &div(&one, alpha)));
        Ok(add(&add(&d.log(), &v3.log()), &log_boost))
    } else {
        let u = sub(&one, &uniform(&sub_key, &[], dtype));
        let boost = lax::select(
            &boost_mask,
            &one,
            &binary(BinaryOp::Pow, &u, &div(&one, alpha)),
        );
        Ok(mul(&mul(&d, &v3), &boost))
    }
}
