//! The error function family: `erf`, `erfc`, `ndtr`, `log_ndtr`.
//!
//! The approximations are those of FreeBSD's msun `s_erf.c` (Sun Microsystems, 1993;
//! rational minimax fits on `|x| < 0.84375`, `[0.84375, 1.25)`, `[1.25, 1/0.35)` and
//! `[1/0.35, 28)`, errors below 2^-57), rewritten branch-free over arrays. In the tail
//! `erfc(x) = exp(-z^2 - 0.5625) * exp((z - x)(z + x) + R/S) / x` with `z` the value of
//! `x` rounded to 20 fractional bits (so `z^2` is exact): this keeps the relative error
//! of `exp(-x^2)` at the rounding level.

// The published coefficients are kept digit for digit as in their sources.
#![allow(clippy::excessive_precision)]

use super::{float1, in_f64, is_nan, poly, safe};
use crate::array::Array;
use crate::array::ArrayLike;
use crate::where_;
use std::f64::consts::{FRAC_1_SQRT_2, LN_2};

use erf_coefficients::*;

/// The pieces of the exponential tail form for `a >= 1.25`: `(-z^2 - 0.5625, rest)`
/// with `erfc(a) = exp(-z^2 - 0.5625) * exp(rest) / a`. `z` is `a` rounded down to 20
/// fractional bits, so `z^2 + 0.5625` is exact (for `a < 2^26`) and the first
/// exponential carries no rounding error from its argument.
#[track_caller]
fn erfc_tail_parts(a: &Array) -> (Array, Array) {
    let s = 1.0 / (a * a);
    let lo = a.lt(1.0 / 0.35);
    let ra = poly(&s, &RA) / poly(&s, &SA);
    let rb = poly(&s, &RB) / poly(&s, &SB);
    let r = where_(&lo, ra, rb);
    let z = (a * 1048576.0).floor() / 1048576.0;
    (-(&z * &z) - 0.5625, (&z - a) * (&z + a) + r)
}

/// `erfc(a)` for `1.25 <= a < 28`.
#[track_caller]
fn erfc_tail(a: &Array) -> Array {
    let (big, rest) = erfc_tail_parts(a);
    big.exp() * rest.exp() / a
}

/// `log(erfc(a))` for `a >= 1.25` (any size: no underflow).
#[track_caller]
fn log_erfc_tail(a: &Array) -> Array {
    let (big, rest) = erfc_tail_parts(a);
    big + rest - a.log()
}

/// `(erf(x), erfc(x))` in the working dtype.
#[track_caller]
fn erf_erfc(x: &Array) -> (Array, Array) {
    let a = x.abs();
    let small = a.lt(SMALL);
    let mid = a.lt(TAIL);
    // |x| < 0.84375.
    let xs = safe(&small, x, 0.0);
    let zs = &xs * &xs;
    let y = poly(&zs, &PP) / poly(&zs, &QQ);
    let xy = &xs * &y;
    let erf_small = &xs + &xy;
    let erfc_small = where_(xs.lt(0.25), 1.0 - &erf_small, 0.5 - (&xs - 0.5 + &xy));
    // 0.84375 <= |x| < 1.25.
    let am = safe(&mid.logical_and(small.logical_not()), &a, 1.0);
    let sm = &am - 1.0;
    let pq = poly(&sm, &PA) / poly(&sm, &QA);
    let erf_mid = &pq + ERX;
    let erfc_mid = (1.0 - ERX) - &pq;
    // 1.25 <= |x| < 28.
    let tail = a.ge(TAIL).logical_and(a.lt(UNDERFLOW));
    let at = safe(&tail, &a, 2.0);
    let erfc_tail = where_(&tail, erfc_tail(&at), 0.0);
    let erf_tail = 1.0 - &erfc_tail;
    // Assemble |x| >= 0.84375 with the sign of x.
    let erfc_abs = where_(&mid, &erfc_mid, &erfc_tail);
    let erf_abs = where_(&mid, &erf_mid, &erf_tail);
    let neg = x.lt(0.0);
    let erf_big = where_(&neg, -&erf_abs, &erf_abs);
    let erfc_big = where_(&neg, 2.0 - &erfc_abs, &erfc_abs);
    let nan = is_nan(x);
    let erf = where_(&nan, x, where_(&small, erf_small, erf_big));
    let erfc = where_(&nan, x, where_(&small, erfc_small, erfc_big));
    (erf, erfc)
}

/// The error function `erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt`
/// (`scipy.special.erf`); `erf(±inf) = ±1`.
///
/// msun's rational approximations, branch-free, as one primitive (`lax::erf`) whose
/// kernel fuses with its neighbours under `jit`. Measured max relative error in f64:
/// 1.4e-16 (dense `mpmath` grid and golden data). `f32` inputs are evaluated in `f64`
/// and rounded once.
///
/// ```
/// use autobatch::{special, Array};
/// let y = special::erf(Array::scalar(0.5f64)).item::<f64>().unwrap();
/// assert!((y - 0.5204998778130465).abs() < 1e-16);
/// ```
#[track_caller]
pub fn erf(x: impl ArrayLike) -> Array {
    crate::lax::erf(&float1(x))
}

/// The array form of [`erf`] (what the `erf` kernel computes, op for op).
#[cfg(test)]
#[track_caller]
pub(crate) fn erf_reference(x: &Array) -> Array {
    in_f64(x, |x| erf_erfc(x).0)
}

/// The complementary error function `erfc(x) = 1 - erf(x)`, accurate in the upper tail
/// (`scipy.special.erfc`); underflows to `0` beyond `x = 28` like msun (SciPy: beyond
/// about 26.6).
///
/// Measured max relative error in f64: 2.8e-16 (dense `mpmath` grid up to `x = 26`,
/// where the result is 5.7e-296). `f32` inputs are evaluated in `f64`.
///
/// ```
/// use autobatch::{special, Array};
/// let y = special::erfc(Array::scalar(10.0f64)).item::<f64>().unwrap();
/// assert!((y / 2.088487583762545e-45 - 1.0).abs() < 1e-14);
/// ```
#[track_caller]
pub fn erfc(x: impl ArrayLike) -> Array {
    in_f64(&float1(x), |x| erf_erfc(x).1)
}

/// The standard normal CDF `Φ(x) = erfc(-x/√2)/2` (`scipy.special.ndtr`), computed as
/// Cephes does: `(1 + erf(x/√2))/2` near 0, `erfc(|x|/√2)/2` (or one minus it) beyond.
///
/// In the lower tail the Gaussian factor is formed from `x` itself, so the rounding of
/// `x/√2` does not enter `exp(-x^2/2)`. Measured max relative error in f64 (dense
/// `mpmath` grid over `[-37.5, 20]`): 6.5e-16; the upper tail `1 - Φ(-x)` is correctly
/// rounded. `f32` inputs are evaluated in `f64`.
///
/// ```
/// use autobatch::{special, Array};
/// let y = special::ndtr(Array::scalar(-3.0f64)).item::<f64>().unwrap();
/// assert!((y / 0.0013498980316300933 - 1.0).abs() < 1e-14);
/// ```
#[track_caller]
pub fn ndtr(x: impl ArrayLike) -> Array {
    in_f64(&float1(x), ndtr_f)
}

#[track_caller]
fn ndtr_f(x: &Array) -> Array {
    let t = x * FRAC_1_SQRT_2;
    let (erf_abs, erfc_abs) = erf_erfc(&t.abs());
    let half_erfc = erfc_abs * 0.5;
    let outer = where_(t.gt(0.0), 1.0 - &half_erfc, &half_erfc);
    let erf_t = where_(t.lt(0.0), -&erf_abs, &erf_abs);
    let inner = erf_t * 0.5 + 0.5;
    let v = where_(t.abs().lt(FRAC_1_SQRT_2), inner, outer);
    // The lower tail without the rounding error of x/√2 in exp(-x^2/2).
    let lower = x
        .le(-TAIL / FRAC_1_SQRT_2)
        .logical_and(x.gt(f64::NEG_INFINITY));
    let xl = safe(&lower, x, -2.0);
    where_(&lower, ndtr_lower_tail(&xl), v)
}

/// `Φ(x)` for `x <= -1.25√2`: `erfc(a)/2` with `a = -x/√2`, where the Gaussian factor
/// `exp(-x^2/2)` is formed from `x` itself (`x` split as `xz + (x - xz)`, `xz` with 20
/// fractional bits so `xz^2/2 + 0.5625` is exact), not from the rounded `a`.
#[track_caller]
fn ndtr_lower_tail(x: &Array) -> Array {
    let u = -x;
    let a = &u * FRAC_1_SQRT_2;
    let s = 1.0 / (&a * &a);
    let lo = a.lt(1.0 / 0.35);
    let ra = poly(&s, &RA) / poly(&s, &SA);
    let rb = poly(&s, &RB) / poly(&s, &SB);
    let r = where_(&lo, ra, rb);
    let uz = (&u * 1048576.0).floor() / 1048576.0;
    let big = -(&uz * &uz) * 0.5 - 0.5625;
    let rest = -((&u - &uz) * (&u + &uz)) * 0.5 + r;
    big.exp() * rest.exp() / a * 0.5
}

/// `log(Φ(x))`, the log of the standard normal CDF, accurate for every `x`
/// (`scipy.special.log_ndtr`): for `x < -1.25√2` the logarithm of the exponential tail
/// form is taken directly (no underflow: `log_ndtr(-1e5) ≈ -5e9`), for `x > 0` it is
/// `log1p(-Φ(-x))`, in between `log(Φ(x))`.
///
/// Measured max relative error in f64: 6.4e-16 (dense `mpmath` grid over `[-20, 1e6]`).
/// `f32` inputs are evaluated in `f64`.
///
/// ```
/// use autobatch::{special, Array};
/// let y = special::log_ndtr(Array::scalar(-40.0f64)).item::<f64>().unwrap();
/// assert!((y / -804.6084420137538 - 1.0).abs() < 1e-14);
/// ```
#[track_caller]
pub fn log_ndtr(x: impl ArrayLike) -> Array {
    in_f64(&float1(x), |x| {
        let lower = x.lt(-TAIL / FRAC_1_SQRT_2);
        let upper = x.gt(0.0);
        // Lower tail: log(erfc(-x/√2)/2), capped where -x^2/2 overflows anyway.
        let xl = safe(&lower, x, -2.0);
        let a = (-&xl * FRAC_1_SQRT_2).minimum(1e150);
        let tail = log_erfc_tail(&a) - LN_2;
        let tail = where_(xl.lt(-1e150), f64::NEG_INFINITY, tail);
        // Middle: log(Φ(x)).
        let xm = safe(&lower.logical_or(&upper).logical_not(), x, -1.0);
        let middle = ndtr_f(&xm).log();
        // Upper: log1p(-Φ(-x)).
        let xu = safe(&upper, x, 1.0);
        let high = (-ndtr_f(&-&xu)).log1p();
        let out = where_(&lower, tail, where_(&upper, high, middle));
        where_(is_nan(x), x, out)
    })
}

/// msun's coefficients and break points, shared with the `erf` kernel.
pub(crate) mod erf_coefficients {
    pub(crate) const ERX: f64 = 8.45062911510467529297e-01;
    // erf(x) = x + x * PP(x^2)/QQ(x^2) on |x| < 0.84375.
    pub(crate) const PP: [f64; 5] = [
        -2.37630166566501626084e-05,
        -5.77027029648944159157e-03,
        -2.84817495755985104766e-02,
        -3.25042107247001499370e-01,
        1.28379167095512558561e-01,
    ];
    pub(crate) const QQ: [f64; 6] = [
        -3.96022827877536812320e-06,
        1.32494738004321644526e-04,
        5.08130628187576562776e-03,
        6.50222499887672944485e-02,
        3.97917223959155352819e-01,
        1.0,
    ];
    // erf(|x|) = ERX + PA(s)/QA(s), s = |x| - 1, on [0.84375, 1.25).
    pub(crate) const PA: [f64; 7] = [
        -2.16637559486879084300e-03,
        3.54783043256182359371e-02,
        -1.10894694282396677476e-01,
        3.18346619901161753674e-01,
        -3.72207876035701323847e-01,
        4.14856118683748331666e-01,
        -2.36211856075265944077e-03,
    ];
    pub(crate) const QA: [f64; 7] = [
        1.19844998467991074170e-02,
        1.36370839120290507362e-02,
        1.26171219808761642112e-01,
        7.18286544141962662868e-02,
        5.40397917702171048937e-01,
        1.06420880400844228286e-01,
        1.0,
    ];
    // erfc(x) = exp(-x^2 - 0.5625 + RA(s)/SA(s)) / x, s = 1/x^2, on [1.25, 1/0.35).
    pub(crate) const RA: [f64; 8] = [
        -9.81432934416914548592e+00,
        -8.12874355063065934246e+01,
        -1.84605092906711035994e+02,
        -1.62396669462573470355e+02,
        -6.23753324503260060396e+01,
        -1.05586262253232909814e+01,
        -6.93858572707181764372e-01,
        -9.86494403484714822705e-03,
    ];
    pub(crate) const SA: [f64; 9] = [
        -6.04244152148580987438e-02,
        6.57024977031928170135e+00,
        1.08635005541779435134e+02,
        4.29008140027567833386e+02,
        6.45387271733267880336e+02,
        4.34565877475229228821e+02,
        1.37657754143519042600e+02,
        1.96512716674392571292e+01,
        1.0,
    ];
    // The same on [1/0.35, 28).
    pub(crate) const RB: [f64; 7] = [
        -4.83519191608651397019e+02,
        -1.02509513161107724954e+03,
        -6.37566443368389627722e+02,
        -1.60636384855821916062e+02,
        -1.77579549177547519889e+01,
        -7.99283237680523006574e-01,
        -9.86494292470009928597e-03,
    ];
    pub(crate) const SB: [f64; 8] = [
        -2.24409524465858183362e+01,
        4.74528541206955367215e+02,
        2.55305040643316442583e+03,
        3.19985821950859553908e+03,
        1.53672958608443695994e+03,
        3.25792512996573918826e+02,
        3.03380607434824582924e+01,
        1.0,
    ];

    /// Where the small-argument rational is used.
    pub(crate) const SMALL: f64 = 0.84375;
    /// Where the exponential tail form starts.
    pub(crate) const TAIL: f64 = 1.25;
    /// Where `erfc` underflows to 0 (as in msun; the true value is below 1e-300).
    pub(crate) const UNDERFLOW: f64 = 28.0;
}
