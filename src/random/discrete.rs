//! Discrete distributions: `bernoulli`, `categorical`, `randint` (JAX's algorithms).

use super::continuous::gumbel;
use super::error;
use super::keys::{bits, split2};
use super::ops::{add, konst, konst_u32, lt, mul, rem};
use super::uniform::unit;
use crate::array::{Array, DType, lax};
use crate::ir::{ArgOp, shape_str};

/// `true` with probability `p`, of `shape` (`jax.random.bernoulli`): `uniform(key, shape,
/// f32) < p` with `p` rounded to `f32` (a Python float `p` is `f32` in JAX) — bit-exact.
///
/// ```
/// use autobatch::random;
/// let b = random::bernoulli(&random::key(0), 0.3, &[20]).to_vec::<bool>().unwrap();
/// assert_eq!(b.len(), 20);
/// assert!(!random::bernoulli(&random::key(0), 0.0, &[5]).to_vec::<bool>().unwrap()[0]);
/// ```
#[track_caller]
pub fn bernoulli(key: &Array, p: f64, shape: &[usize]) -> Array {
    let u = unit(key, shape, DType::F32, "bernoulli");
    if u.error_value().is_some() {
        return u;
    }
    lt(&u, &konst(p, DType::F32, shape))
}

/// Indices drawn with probabilities `softmax(logits)` along `axis` (negative counts from
/// the end), as `i32` of `logits`' shape without `axis` (`jax.random.categorical`): the
/// Gumbel-max trick, `argmax(gumbel + logits)` with Gumbel noise of `logits`' shape and dtype.
///
/// ```
/// use autobatch::{random, Array};
/// let logits = Array::from_vec(vec![0.0f32, 100.0, 0.0, 100.0, 0.0, 0.0], &[2, 3]);
/// let i = random::categorical(&random::key(0), &logits, -1);
/// assert_eq!(i.to_vec::<i32>().unwrap(), vec![1, 0]);
/// ```
#[track_caller]
pub fn categorical(key: &Array, logits: &Array, axis: isize) -> Array {
    if let Some(e) = logits.error_value() {
        return Array::from_error(e.clone());
    }
    let (shape, dtype) = (logits.shape().to_vec(), logits.dtype());
    if !matches!(dtype, DType::F32 | DType::F64) {
        return error(
            "categorical",
            format!("needs float logits, got {dtype} {}", shape_str(&shape)),
        );
    }
    let ndim = shape.len() as isize;
    let ax = if axis < 0 { axis + ndim } else { axis };
    if ax < 0 || ax >= ndim || shape[ax as usize] == 0 {
        return error(
            "categorical",
            format!(
                "axis {axis} is not a non-empty axis of logits {}",
                shape_str(&shape)
            ),
        );
    }
    let noisy = add(&gumbel(key, &shape, dtype), logits);
    lax::arg_reduce(ArgOp::Argmax, &noisy, ax as usize)
}

/// `a % b` with XLA's convention that the remainder by zero is the dividend.
fn rem_u32(a: u32, b: u32) -> u32 {
    a.checked_rem(b).unwrap_or(a)
}

/// Uniform integers in `[minval, maxval)` of `shape`, as `i32` (`jax.random.randint` with
/// JAX's algorithm, so identical values): bounds are clipped to the `i32` range (a
/// `maxval` above it still allows `i32::MAX`); `maxval <= minval` gives `minval`. Two 32-bit
/// words per element (from the two keys of `split(key)`) are reduced modulo the span as
/// one 64-bit number, `(hi % span) * (2^32 % span) + lo % span`, which keeps the bias below
/// `2^-32`.
///
/// ```
/// use autobatch::random;
/// let x = random::randint(&random::key(0), &[1000], -3, 7).to_vec::<i32>().unwrap();
/// assert!(x.iter().all(|&v| (-3..7).contains(&v)));
/// assert_eq!(random::randint(&random::key(0), &[2], 5, 5).to_vec::<i32>().unwrap(), vec![5, 5]);
/// ```
#[track_caller]
pub fn randint(key: &Array, shape: &[usize], minval: i64, maxval: i64) -> Array {
    let clip = |v: i64| v.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32;
    let out_of_range = maxval > i64::from(i32::MAX);
    let (lo, hi) = (clip(minval), clip(maxval));
    // The span as an unsigned word: 1 for an empty range, one more when maxval was clipped.
    let mut span = hi.wrapping_sub(lo) as u32;
    if hi <= lo {
        span = 1;
    } else if out_of_range {
        span = span.wrapping_add(1);
    }
    // 2^32 mod span, as (2^16 mod span)^2 mod span.
    let multiplier = rem_u32(1 << 16, span);
    let multiplier = rem_u32(multiplier.wrapping_mul(multiplier), span);
    let (k1, k2) = split2(key);
    let higher = bits(&k1, shape);
    let lower = bits(&k2, shape);
    if let Some(e) = higher.error_value().or(lower.error_value()) {
        return Array::from_error(e.clone());
    }
    let span_a = konst_u32(span, shape);
    let offset = add(
        &mul(&rem(&higher, &span_a), &konst_u32(multiplier, shape)),
        &rem(&lower, &span_a),
    );
    let offset = rem(&offset, &span_a);
    add(
        &konst(f64::from(lo), DType::I32, shape),
        &lax::bitcast(&offset, DType::I32),
    )
}
