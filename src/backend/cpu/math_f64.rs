//! Fast, branch-free `f64` transcendentals for the elementwise kernels: the `f64`
//! counterparts of [`math`](super::math), written without branches on the data so the
//! kernel loops vectorize (the platform's `libm` functions they replace are scalar calls).
//!
//! Accuracy, measured by the sampled sweeps in this module's tests (about 4 million
//! arguments per function, log-uniform in magnitude over the domain plus a uniform grid)
//! against the platform's `libm` (itself within 1 ulp, usually correctly rounded), and
//! enforced there:
//!
//! | function | max distance from `libm` | domain swept |
//! |---|---|---|
//! | [`exp_f64`] | 1 ulp (subnormal results: one subnormal step) | `[-745, 709.7]` |
//! | [`ln_f64`] | 1 ulp | every positive finite magnitude, subnormals included |
//! | [`ln_1p_f64`] | 2 ulp | `(-1, 1e300]` |
//! | [`exp_m1_f64`] | 2 ulp | `[-745, 709.7]` |
//! | [`tanh_f64`] | 3 ulp | `[-20, 20]` (beyond: exactly `+-1`) |
//! | logistic (in `scalar`, from [`exp_f64`]) | 4 ulp from `1 / (1 + exp(-x))` in `f64` | `[-708, 709]` |
//!
//! Special values follow `std`: NaN in, NaN out; `exp` overflows to `inf` above 709.78
//! and underflows to 0 below -745.13; `ln(0) = -inf`, `ln(x < 0) = NaN`; `ln_1p(-1) =
//! -inf`; `exp_m1(-inf) = -1`; signed zeros are kept.

/// `e^x` in `f64`: `x = n ln 2 + r` (Cody–Waite, `ln 2` in two parts), the Taylor
/// polynomial of `e^r` to degree 13 for `|r| <= ln 2 / 2` (truncation below `2^-57`),
/// and `2^n` applied in two halves so results down to the subnormal range are rounded
/// once. Max distance from `libm`: 1 ulp.
///
/// ```
/// let y = autobatch::backend::cpu::math_f64::exp_f64(1.0);
/// assert!((y - std::f64::consts::E).abs() <= f64::EPSILON * 3.0);
/// ```
#[inline(always)]
#[allow(clippy::excessive_precision)] // the constants as published, digits beyond f64's
pub fn exp_f64(x: f64) -> f64 {
    const LOG2E: f64 = std::f64::consts::LOG2_E;
    // ln 2 split so that `n * LN2_HI` is exact for |n| < 2^11.
    const LN2_HI: f64 = 6.931_471_803_691_238_164_9e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
    // Round to nearest by adding and subtracting 1.5 * 2^52.
    const ROUNDER: f64 = 6_755_399_441_055_744.0;
    let xc = x.clamp(-746.0, 710.0);
    let t = xc.mul_add(LOG2E, ROUNDER);
    let n = t - ROUNDER;
    let r = n.mul_add(-LN2_LO, n.mul_add(-LN2_HI, xc));
    // 1/k! for k = 13 down to 2.
    const C: [f64; 12] = [
        1.0 / 6_227_020_800.0,
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
    ];
    let mut p = C[0];
    for &c in &C[1..] {
        p = p.mul_add(r, c);
    }
    let er = (r * r).mul_add(p, r) + 1.0;
    // `t` is `1.5 * 2^52 + n` with a unit last place: its low bits hold `n`.
    let ni = t.to_bits() as i64 - ROUNDER.to_bits() as i64;
    let n1 = ni >> 1;
    let n2 = ni - n1;
    let s1 = f64::from_bits(((n1 + 1023) as u64) << 52);
    let s2 = f64::from_bits(((n2 + 1023) as u64) << 52);
    let y = er * s1 * s2;
    if x.is_nan() { x } else { y }
}

/// Natural logarithm in `f64`: `x = m 2^e` with `m` in `[sqrt(1/2), sqrt(2))`, `f = m -
/// 1`, `s = f / (2 + f)` and `ln(m) = f - f^2/2 + s (f^2/2 + R(s^2))` with a degree-7
/// minimax polynomial `R` (the classic `fdlibm` scheme), `e ln 2` added in two parts.
/// Max distance from `libm`: 1 ulp.
///
/// ```
/// let y = autobatch::backend::cpu::math_f64::ln_f64(std::f64::consts::E);
/// assert!((y - 1.0).abs() <= f64::EPSILON);
/// ```
#[inline]
#[allow(clippy::excessive_precision)] // the constants as published, digits beyond f64's
pub fn ln_f64(x: f64) -> f64 {
    const LN2_HI: f64 = 6.931_471_803_691_238_164_9e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
    const LG: [f64; 7] = [
        6.666_666_666_666_735_13e-1,
        3.999_999_999_940_941_908e-1,
        2.857_142_874_366_239_149e-1,
        2.222_219_843_214_978_396e-1,
        1.818_357_216_161_805_012e-1,
        1.531_383_769_920_937_332e-1,
        1.479_819_860_511_658_591e-1,
    ];
    // Scale subnormals into the normal range.
    let tiny = x < f64::MIN_POSITIVE;
    let xs = if tiny {
        x * 18_014_398_509_481_984.0
    } else {
        x
    }; // 2^54
    let bits = xs.to_bits();
    let mut e = ((bits >> 52) & 0x7ff) as i64 - 1022 - if tiny { 54 } else { 0 };
    let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) | 0x3fe0_0000_0000_0000); // [0.5, 1)
    let small = m < std::f64::consts::FRAC_1_SQRT_2;
    e -= i64::from(small);
    let f = if small { m + m - 1.0 } else { m - 1.0 };
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * LG[5].mul_add(w, LG[3]).mul_add(w, LG[1]);
    let t2 = z * LG[6].mul_add(w, LG[4]).mul_add(w, LG[2]).mul_add(w, LG[0]);
    let r = t2 + t1;
    let hfsq = 0.5 * f * f;
    let ef = e as f64;
    let y = ef * LN2_HI - ((hfsq - (s * (hfsq + r) + ef * LN2_LO)) - f);
    if x > 0.0 && x < f64::INFINITY {
        y
    } else if x == 0.0 {
        f64::NEG_INFINITY
    } else if x == f64::INFINITY {
        x
    } else {
        f64::NAN
    }
}

/// `ln(1 + x)` in `f64`: with `u = 1 + x` rounded, `ln(u) + (x - (u - 1)) / u` — the
/// second term restores what rounding `u` lost. Max distance from `libm`: 2 ulp.
///
/// ```
/// let y = autobatch::backend::cpu::math_f64::ln_1p_f64(1e-20);
/// assert_eq!(y, 1e-20);
/// ```
#[inline]
pub fn ln_1p_f64(x: f64) -> f64 {
    let u = 1.0 + x;
    let r = ln_f64(u) + (x - (u - 1.0)) / u;
    if u == f64::INFINITY || u == 0.0 {
        ln_f64(u)
    } else if x.is_nan() || x == 0.0 {
        x
    } else {
        r
    }
}

/// `e^x - 1` in `f64`: for `|x| <= 0.5` the Taylor polynomial to degree 17 (Horner with
/// fused multiply-adds), else `exp(x) - 1`. Max distance from `libm`: 2 ulp.
///
/// ```
/// let y = autobatch::backend::cpu::math_f64::exp_m1_f64(1e-20);
/// assert_eq!(y, 1e-20);
/// ```
#[inline]
pub fn exp_m1_f64(x: f64) -> f64 {
    const C: [f64; 17] = inverse_factorials();
    let c = C;
    let xs = x.clamp(-0.5, 0.5);
    let mut p = c[0];
    for &ck in &c[1..] {
        p = p.mul_add(xs, ck);
    }
    let small = p * xs;
    let large = exp_f64(x) - 1.0;
    if x.abs() <= 0.5 { small } else { large }
}

/// `1/k!` for `k = 17` down to 1 (computed at compile time).
const fn inverse_factorials() -> [f64; 17] {
    let mut c = [0.0f64; 17];
    let mut fact = 1.0f64;
    let mut k = 1;
    while k <= 17 {
        fact *= k as f64;
        c[17 - k] = 1.0 / fact;
        k += 1;
    }
    c
}

/// `tanh(x)` in `f64`: `e / (e + 2)` with `e = expm1(2x)`, clamped to `+-1` beyond
/// `|x| = 19.1` (where `tanh` rounds to one). Max distance from `libm`: 3 ulp.
///
/// ```
/// let y = autobatch::backend::cpu::math_f64::tanh_f64(0.5);
/// assert!((y - 0.5f64.tanh()).abs() <= 2.0 * f64::EPSILON);
/// ```
#[inline]
pub fn tanh_f64(x: f64) -> f64 {
    let xc = x.clamp(-19.1, 19.1);
    let e = exp_m1_f64(xc + xc);
    let t = e / (e + 2.0);
    if x.is_nan() { x } else { t }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two finite f64.
    fn ulps(a: f64, b: f64) -> u64 {
        let key = |v: f64| {
            let i = v.to_bits() as i64;
            if i < 0 { i64::MIN.wrapping_sub(i) } else { i }
        };
        key(a).abs_diff(key(b))
    }

    /// About 4 million arguments in `[lo, hi]`: log-uniform magnitudes (both signs where
    /// the range has them) down to `tiny`, and a uniform grid.
    fn sweep(lo: f64, hi: f64, tiny: f64, mut f: impl FnMut(f64)) {
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let n = 1 << 20;
        for i in 0..n {
            f(lo + (hi - lo) * (i as f64 / n as f64));
        }
        for &(a, b) in &[(0.0, hi), (0.0, -lo)] {
            if b <= 0.0 {
                continue;
            }
            let (la, lb) = (tiny.ln(), b.ln());
            for _ in 0..3 << 19 {
                let m = (la + (lb - la) * next()).exp().min(b);
                f(if a == 0.0 && b == hi { m } else { -m });
            }
        }
    }

    fn max_ulp(
        lo: f64,
        hi: f64,
        tiny: f64,
        bound: u64,
        f: fn(f64) -> f64,
        reference: fn(f64) -> f64,
    ) -> u64 {
        let mut worst = 0;
        sweep(lo, hi, tiny, |x| {
            let (got, want) = (f(x), reference(x));
            let d = if got == want { 0 } else { ulps(got, want) };
            assert!(d <= bound, "f({x:e}) = {got:e}, want {want:e} ({d} ulp)");
            worst = worst.max(d);
        });
        eprintln!("max distance {worst} ulp");
        worst
    }

    #[test]
    fn exp_is_within_1_ulp() {
        let worst = max_ulp(-708.0, 709.7, 1e-300, 1, exp_f64, f64::exp);
        assert!(worst <= 1);
        // Subnormal results: within one subnormal step.
        let mut x = -745.0;
        while x < -708.0 {
            assert!(
                (exp_f64(x) - x.exp()).abs() <= f64::from_bits(1),
                "exp({x})"
            );
            x += 0.001;
        }
        assert!(exp_f64(f64::NAN).is_nan());
        assert_eq!(exp_f64(f64::INFINITY), f64::INFINITY);
        assert_eq!(exp_f64(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp_f64(709.8), f64::INFINITY);
        assert_eq!(exp_f64(-746.0), 0.0);
        assert_eq!(exp_f64(0.0), 1.0);
    }

    #[test]
    fn ln_is_within_1_ulp_everywhere() {
        let worst = max_ulp(
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::from_bits(1),
            1,
            ln_f64,
            f64::ln,
        );
        assert!(worst <= 1);
        assert_eq!(ln_f64(0.0), f64::NEG_INFINITY);
        assert_eq!(ln_f64(-0.0), f64::NEG_INFINITY);
        assert!(ln_f64(-1.0).is_nan() && ln_f64(f64::NAN).is_nan());
        assert_eq!(ln_f64(f64::INFINITY), f64::INFINITY);
        assert_eq!(ln_f64(1.0), 0.0);
    }

    #[test]
    fn ln_1p_is_within_2_ulp() {
        let worst = max_ulp(-0.999_999_999, 1e300, 1e-300, 2, ln_1p_f64, f64::ln_1p);
        assert!(worst <= 2);
        assert_eq!(ln_1p_f64(-1.0), f64::NEG_INFINITY);
        assert!(ln_1p_f64(-2.0).is_nan() && ln_1p_f64(f64::NAN).is_nan());
        assert_eq!(ln_1p_f64(f64::INFINITY), f64::INFINITY);
        assert_eq!(ln_1p_f64(-0.0).to_bits(), (-0.0f64).to_bits());
    }

    #[test]
    fn exp_m1_is_within_2_ulp() {
        let worst = max_ulp(-745.0, 709.7, 1e-300, 2, exp_m1_f64, f64::exp_m1);
        assert!(worst <= 2);
        assert_eq!(exp_m1_f64(f64::NEG_INFINITY), -1.0);
        assert_eq!(exp_m1_f64(f64::INFINITY), f64::INFINITY);
        assert!(exp_m1_f64(f64::NAN).is_nan());
        assert_eq!(exp_m1_f64(-0.0).to_bits(), (-0.0f64).to_bits());
    }

    #[test]
    fn tanh_is_within_3_ulp() {
        let worst = max_ulp(-20.0, 20.0, 1e-300, 3, tanh_f64, f64::tanh);
        assert!(worst <= 3);
        for x in [20.0f64, 1e10, -1e300] {
            assert_eq!(tanh_f64(x), x.signum());
        }
        assert!(tanh_f64(f64::NAN).is_nan());
    }

    #[test]
    fn logistic_is_within_4_ulp() {
        fn logistic(x: f64) -> f64 {
            <f64 as crate::backend::cpu::scalar::Float>::logistic(x)
        }
        fn reference(x: f64) -> f64 {
            1.0 / (1.0 + (-x).exp())
        }
        let worst = max_ulp(-708.0, 709.0, 1e-300, 4, logistic, reference);
        assert!(worst <= 4);
    }
}
