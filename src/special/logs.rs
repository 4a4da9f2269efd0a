//! `log1p`, `expm1`, `xlogy`, `xlog1py`.

use super::{float1, floats, is_nan};
use crate::array::{Array, ArrayLike};
use crate::where_;

/// `log(1 + x)`, accurate for small `x` (`scipy.special.log1p`); `-1 → -inf`, `x < -1 → NaN`.
///
/// Relative error ≤ 1 ulp (the backend's `log1p`).
///
/// ```
/// use autobatch::{special, Array};
/// let y = special::log1p(Array::scalar(1e-10f64)).item::<f64>().unwrap();
/// assert!((y - 9.9999999995e-11).abs() < 1e-24);
/// ```
#[track_caller]
pub fn log1p(x: impl ArrayLike) -> Array {
    float1(x).log1p()
}

/// `exp(x) - 1`, accurate for small `x` (`scipy.special.expm1`).
///
/// Relative error ≤ 1 ulp (the backend's `expm1`).
///
/// ```
/// use autobatch::{special, Array};
/// let y = special::expm1(Array::scalar(1e-10f64)).item::<f64>().unwrap();
/// assert!((y - 1.00000000005e-10).abs() < 1e-24);
/// ```
#[track_caller]
pub fn expm1(x: impl ArrayLike) -> Array {
    float1(x).expm1()
}

/// `x * log(y)`, defined as `0` where `x == 0` (unless `y` is NaN), like
/// `scipy.special.xlogy`. Broadcasts `x` against `y`.
///
/// The derivative is exact and finite at `x == 0` (both arguments see safe values there).
///
/// ```
/// use autobatch::{special, Array};
/// let x = Array::from_vec(vec![0.0f64, 2.0], &[2]);
/// let y = special::xlogy(&x, 0.0).to_vec::<f64>().unwrap();
/// assert_eq!(y, vec![0.0, f64::NEG_INFINITY]);
/// ```
#[track_caller]
pub fn xlogy(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let [x, y] = floats([x.into_operand(), y.into_operand()]);
    x_times(
        &x,
        &y,
        |y| y.log(),
        |y| y.gt(0.0).logical_and(y.lt(f64::INFINITY)),
        1.0,
    )
}

/// `x * log1p(y)`, defined as `0` where `x == 0` (unless `y` is NaN), like
/// `scipy.special.xlog1py`. Broadcasts `x` against `y`.
///
/// ```
/// use autobatch::{special, Array};
/// let x = Array::from_vec(vec![0.0f64, 1.0], &[2]);
/// let y = special::xlog1py(&x, -1.0).to_vec::<f64>().unwrap();
/// assert_eq!(y, vec![0.0, f64::NEG_INFINITY]);
/// ```
#[track_caller]
pub fn xlog1py(x: impl ArrayLike, y: impl ArrayLike) -> Array {
    let [x, y] = floats([x.into_operand(), y.into_operand()]);
    x_times(
        &x,
        &y,
        |y| y.log1p(),
        |y| y.gt(-1.0).logical_and(y.lt(f64::INFINITY)),
        0.0,
    )
}

/// `where(x != 0, x * f(y), 0)` with NaN `y` propagating (SciPy's convention).
///
/// Derivatives are those of `x * f(y)` (JAX's `xlogy` JVP): `f(y)` with respect to `x`,
/// also at `x == 0` (where `y` is inside `domain`; elsewhere `0`), and `x f'(y)` with
/// respect to `y` (so `0` at `x == 0`, never `NaN`). Each piece only sees safe inputs.
#[track_caller]
fn x_times(
    x: &Array,
    y: &Array,
    f: impl Fn(&Array) -> Array,
    domain: impl Fn(&Array) -> Array,
    safe_y: f64,
) -> Array {
    let x_ok = x.not_equal(0.0);
    let xs = where_(&x_ok, x, 1.0);
    let ys = where_(&x_ok, y, safe_y);
    // Where x == 0: the value 0 (NaN for NaN y), plus x * f(y) — exactly 0 but carrying
    // the derivative f(y) — for y inside the domain.
    let zero_or_nan = where_(is_nan(y), y, 0.0);
    let inside = x_ok.logical_not().logical_and(domain(y));
    let y0 = where_(&inside, y, safe_y);
    let at_zero = zero_or_nan + x * f(&y0);
    where_(&x_ok, xs * f(&ys), at_zero)
}
