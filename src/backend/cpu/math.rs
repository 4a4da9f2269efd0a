//! Fast, branch-free `f32` `exp` and `ln` for the elementwise kernels.
//!
//! Both are written without branches on the data (special cases are selected at the end)
//! and without `mul_add` (a library call on CPUs targeted without FMA), so the loops that
//! call them vectorize. Accuracy, measured by the dense sweeps in this
//! module's tests against the correctly rounded `f64` result:
//!
//! * [`exp_f32`]: at most 1 ulp on the whole finite range (NaN, infinities, overflow to
//!   `inf` above 88.72 and underflow to 0 below -103.97 as `f32::exp`).
//! * [`ln_f32`]: at most 1 ulp on all positive finite inputs, subnormals included; `ln(0) =
//!   -inf`, `ln(x < 0) = NaN`, `ln(inf) = inf`.

/// `e^x` in `f32`: Cody–Waite reduction `x = n ln 2 + r`, a degree-6 polynomial for
/// `e^r` (Cephes' `expf`), and `2^n` applied in two halves so results down to the
/// subnormal range stay exact. Max error 1 ulp.
///
/// ```
/// let y = autobatch::backend::cpu::math::exp_f32(1.0);
/// assert!((y - std::f32::consts::E).abs() <= f32::EPSILON * 3.0);
/// ```
#[inline]
pub fn exp_f32(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    let xc = x.clamp(-104.0, 89.0);
    // Round to nearest by adding and subtracting 1.5 * 2^23 (no library call, so the
    // loop vectorizes on plain SSE2).
    const ROUNDER: f32 = 12_582_912.0;
    let t = xc * LOG2E + ROUNDER;
    let n = t - ROUNDER;
    let r = xc - n * LN2_HI - n * LN2_LO;
    let mut p = 1.987_569_1e-4f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 1.666_666_5e-1;
    p = p * r + 0.5; // Cephes: 5.0000001201e-1, which rounds to 0.5 in f32
    let er = r * r * p + r + 1.0;
    // n in [-150, 129]: two factors 2^n1 * 2^n2 with normal exponents.
    // `t` is `1.5 * 2^23 + n` with a unit last place, so its low bits hold `n` (no
    // saturating float-to-int conversion, which would keep the loop scalar).
    let ni = t.to_bits() as i32 - ROUNDER.to_bits() as i32;
    let n1 = ni >> 1;
    let n2 = ni - n1;
    let s1 = f32::from_bits(((n1 + 127) as u32) << 23);
    let s2 = f32::from_bits(((n2 + 127) as u32) << 23);
    let y = er * s1 * s2;
    if x.is_nan() { x } else { y }
}

/// Natural logarithm in `f32`: `x = m 2^e` with `m` in `[sqrt(1/2), sqrt(2))`, a degree-9
/// polynomial for `log(m)` (Cephes' `logf`), `e ln 2` added in two parts. Max error 1 ulp.
///
/// ```
/// let y = autobatch::backend::cpu::math::ln_f32(std::f32::consts::E);
/// assert!((y - 1.0).abs() <= f32::EPSILON);
/// ```
#[inline]
pub fn ln_f32(x: f32) -> f32 {
    // Scale subnormals into the normal range.
    let tiny = x < f32::MIN_POSITIVE;
    let xs = if tiny { x * 8_388_608.0 } else { x };
    let bits = xs.to_bits();
    let mut e = ((bits >> 23) & 0xff) as i32 - 126 - if tiny { 23 } else { 0 };
    let m = f32::from_bits((bits & 0x007f_ffff) | 0x3f00_0000); // in [0.5, 1)
    let small = m < std::f32::consts::FRAC_1_SQRT_2;
    e -= i32::from(small);
    let m = if small { m + m - 1.0 } else { m - 1.0 };
    let z = m * m;
    let mut p = 7.037_683_6e-2f32;
    p = p * m + -1.151_461e-1;
    p = p * m + 1.167_699_9e-1;
    p = p * m + -1.242_014_1e-1;
    p = p * m + 1.424_932_3e-1;
    p = p * m + -1.666_805_8e-1;
    p = p * m + 2.000_071_4e-1;
    p = p * m + -2.499_999_4e-1;
    p = p * m + 3.333_333e-1;
    let ef = e as f32;
    let mut y = m * z * p;
    y += ef * -2.121_944_4e-4;
    y += z * -0.5;
    let r = m + y + ef * 0.693_359_4;
    if x > 0.0 && x < f32::INFINITY {
        r
    } else if x == 0.0 {
        f32::NEG_INFINITY
    } else if x == f32::INFINITY {
        x
    } else {
        f32::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between two finite f32 of the same sign.
    fn ulps(a: f32, b: f32) -> u32 {
        let key = |v: f32| {
            let i = v.to_bits() as i32;
            if i < 0 { i32::MIN.wrapping_sub(i) } else { i }
        };
        key(a).abs_diff(key(b))
    }

    /// Every 7th f32 bit pattern with magnitude in `[0, hi]` (and, for `lo < 0`, the
    /// negatives down to `lo`): about 1.2 million values per factor of 2 in magnitude.
    fn sweep(lo: f32, hi: f32, mut f: impl FnMut(f32)) {
        let mut i = 0u32;
        while i <= hi.to_bits() {
            f(f32::from_bits(i));
            i += 7;
        }
        if lo < 0.0 {
            let mut i = 0u32;
            while i <= (-lo).to_bits() {
                f(-f32::from_bits(i));
                i += 7;
            }
        }
    }

    #[test]
    fn exp_is_within_1_ulp_everywhere() {
        let mut worst = 0;
        sweep(-103.9, 88.7, |x| {
            let want = (x as f64).exp() as f32;
            let got = exp_f32(x);
            if want >= f32::MIN_POSITIVE {
                let d = ulps(got, want);
                assert!(d <= 1, "exp({x}) = {got}, want {want} ({d} ulp)");
                worst = worst.max(d);
            } else {
                // Subnormal results: within one subnormal step.
                assert!(
                    (got - want).abs() <= f32::from_bits(1),
                    "exp({x}) = {got}, want {want}"
                );
            }
        });
        assert!(exp_f32(f32::NAN).is_nan());
        assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_f32(89.0), f32::INFINITY);
        assert_eq!(exp_f32(-110.0), 0.0);
        assert_eq!(exp_f32(0.0), 1.0);
        assert!(worst <= 1);
    }

    #[test]
    fn ln_is_within_1_ulp_everywhere() {
        sweep(f32::from_bits(1), f32::MAX, |x| {
            let want = (x as f64).ln() as f32;
            let got = ln_f32(x);
            let d = ulps(got, want);
            assert!(d <= 1, "ln({x}) = {got}, want {want} ({d} ulp)");
        });
        assert_eq!(ln_f32(0.0), f32::NEG_INFINITY);
        assert_eq!(ln_f32(-0.0), f32::NEG_INFINITY);
        assert!(ln_f32(-1.0).is_nan());
        assert!(ln_f32(f32::NAN).is_nan());
        assert_eq!(ln_f32(f32::INFINITY), f32::INFINITY);
        assert_eq!(ln_f32(1.0), 0.0);
    }
}
