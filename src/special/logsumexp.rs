//! `logsumexp` over all axes, chosen axes, or with weights.

use super::{float1, floats, is_finite};
use crate::array::{Array, ArrayLike};
use crate::{stop_gradient, where_};

/// `log(sum(exp(a)))` over every axis, computed stably (`scipy.special.logsumexp(a)`).
///
/// See [`logsumexp_with`] for the method, the handling of `-inf`, `inf` and NaN, and
/// the gradient (the softmax).
///
/// ```
/// use autobatch::{special, Array};
/// let a = Array::from_vec(vec![1000.0f64, 1000.0], &[2]);
/// let y = special::logsumexp(&a).item::<f64>().unwrap();
/// assert!((y - (1000.0 + 2f64.ln())).abs() < 1e-12);
/// ```
#[track_caller]
pub fn logsumexp(a: impl ArrayLike) -> Array {
    logsumexp_with(a, None, false, None)
}

/// `log(sum(exp(a), axes))`, keeping the reduced axes with extent 1 if `keepdims`.
/// Axes may be negative; an empty list reduces nothing.
///
/// ```
/// use autobatch::{special, Array};
/// let a = Array::from_vec(vec![0.0f64, f64::NEG_INFINITY, f64::NEG_INFINITY, f64::NEG_INFINITY], &[2, 2]);
/// let y = special::logsumexp_axes(&a, &[-1], false).to_vec::<f64>().unwrap();
/// assert_eq!(y, vec![0.0, f64::NEG_INFINITY]);
/// ```
#[track_caller]
pub fn logsumexp_axes(a: impl ArrayLike, axes: &[isize], keepdims: bool) -> Array {
    logsumexp_with(a, Some(axes), keepdims, None)
}

/// The general form: `log(sum(b * exp(a), axes))` with optional weights `b`
/// (broadcast against `a`), over `axes` (`None`: every axis), keeping reduced axes if
/// `keepdims` — `scipy.special.logsumexp(a, axis, b, keepdims)`.
///
/// Method (JAX's): `m = max(a, axes)`, replaced by `0` where it is not finite and held
/// constant under differentiation (`stop_gradient`); the result is
/// `log(sum(b * exp(a - m))) + m`. So `-inf` entries contribute `0` (and get gradient
/// `0`), an all-`-inf` slice gives `-inf`, `+inf` gives `inf`, NaN propagates, and a
/// negative weighted sum gives NaN (as SciPy without `return_sign`). The gradient with
/// respect to `a` is the (weighted) softmax. Relative error ≤ 2 ulp plus the summation
/// error.
///
/// ```
/// use autobatch::{special, Array};
/// let a = Array::from_vec(vec![1.0f64, 2.0, 3.0], &[3]);
/// let b = Array::from_vec(vec![0.5f64, 2.0, 0.25], &[3]);
/// let y = special::logsumexp_with(&a, None, false, Some(&b)).item::<f64>().unwrap();
/// assert!((y - 3.052048207132339).abs() < 1e-14);
/// ```
#[track_caller]
pub fn logsumexp_with(
    a: impl ArrayLike,
    axes: Option<&[isize]>,
    keepdims: bool,
    b: Option<&Array>,
) -> Array {
    let (a, b) = match b {
        Some(b) => {
            let [a, b] = floats([a.into_operand(), b.into_operand()]);
            (a, Some(b))
        }
        None => (float1(a), None),
    };
    let axes: Vec<isize> = match axes {
        Some(ax) => ax.to_vec(),
        None => (0..a.ndim() as isize).collect(),
    };
    let m = a.max_axes(&axes, true);
    let m = stop_gradient(&where_(is_finite(&m), &m, 0.0));
    let e = (&a - &m).exp();
    let e = match &b {
        Some(b) => e * b,
        None => e,
    };
    let s = e.sum_axes(&axes, keepdims);
    let m = if keepdims { m } else { m.squeeze_axes(&axes) };
    s.log() + m
}
