//! The logistic family: `expit`, `logit`, `softplus`, `log_sigmoid`.

use super::float1;
use crate::array::{Array, ArrayLike};
use crate::where_;

/// The logistic sigmoid `1 / (1 + exp(-x))` (`scipy.special.expit`), without overflow.
///
/// Relative error ≤ 2 ulp.
///
/// ```
/// use autobatch::{special, Array};
/// assert_eq!(special::expit(Array::scalar(0.0f32)).item::<f32>().unwrap(), 0.5);
/// ```
#[track_caller]
pub fn expit(x: impl ArrayLike) -> Array {
    float1(x).logistic()
}

/// The log-odds `log(p / (1 - p))` (`scipy.special.logit`): `logit(0) = -inf`,
/// `logit(1) = inf`, NaN outside `[0, 1]`.
///
/// As in SciPy, `log1p(2 (p - 1/2) / (1 - p))` is used on `(0.3, 0.65)`, where the
/// plain formula loses digits near `p = 1/2`. Relative error ≤ 3 ulp.
///
/// ```
/// use autobatch::{special, Array};
/// let y = special::logit(Array::scalar(0.75f64)).item::<f64>().unwrap();
/// assert!((y - 3f64.ln()).abs() < 1e-15);
/// ```
#[track_caller]
pub fn logit(p: impl ArrayLike) -> Array {
    let p = float1(p);
    let mid = p.gt(0.3).logical_and(p.lt(0.65));
    let pm = where_(&mid, &p, 0.5);
    let po = where_(&mid, 0.1, &p);
    let near_half = ((&pm - 0.5) * 2.0 / (1.0 - &pm)).log1p();
    let plain = (&po / (1.0 - &po)).log();
    where_(&mid, near_half, plain)
}

/// `log(1 + exp(x))` without overflow or underflow (`jax.nn.softplus`, SciPy's
/// `logaddexp(0, x)`): `x + log1p(exp(-x))` for `x > 0`, `log1p(exp(x))` otherwise.
///
/// Each piece sees only its own half-line, so the derivative is `expit(x)` everywhere
/// (`0.5` at `0`) and finite for every finite `x`. Relative error ≤ 2 ulp.
///
/// ```
/// use autobatch::{special, Array};
/// let x = Array::from_vec(vec![-1000.0f64, 0.0, 1000.0], &[3]);
/// let y = special::softplus(&x).to_vec::<f64>().unwrap();
/// assert_eq!(y, vec![0.0, 2f64.ln(), 1000.0]);
/// ```
#[track_caller]
pub fn softplus(x: impl ArrayLike) -> Array {
    let x = float1(x);
    let pos = x.gt(0.0);
    let xp = where_(&pos, &x, 0.0);
    let xn = where_(&pos, 0.0, &x);
    let upper = &xp + (-&xp).exp().log1p();
    let lower = xn.exp().log1p();
    where_(&pos, upper, lower)
}

/// `log(expit(x)) = -softplus(-x)` (`jax.nn.log_sigmoid`), stable at both ends:
/// `≈ x` for very negative `x`, `≈ -exp(-x)` for large `x`.
///
/// ```
/// use autobatch::{special, Array};
/// let y = special::log_sigmoid(Array::scalar(-1000.0f32)).item::<f32>().unwrap();
/// assert_eq!(y, -1000.0);
/// ```
#[track_caller]
pub fn log_sigmoid(x: impl ArrayLike) -> Array {
    -softplus(-float1(x))
}
