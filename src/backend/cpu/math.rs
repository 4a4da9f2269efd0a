//! Fast, branch-free `f32` transcendentals for the elementwise kernels.
//!
//! All are written without branches on the data (special cases are selected at the end),
//! so the loops that call them vectorize. The polynomials of `exp` and `ln` use `mul_add`:
//! one instruction where the kernels run with FMA (AVX2 and up, every ARM64), a correctly
//! rounded library call elsewhere — slower there, but the same result on every CPU. Accuracy,
//! measured by the dense sweeps in this module's tests (every 7th `f32` bit pattern of
//! the domain) against the correctly rounded `f64` result, and enforced there:
//!
//! | function | max error | domain swept |
//! |---|---|---|
//! | [`exp_f32`] | 1 ulp (subnormal results: one subnormal step) | `[-103.9, 88.7]` |
//! | [`ln_f32`] | 1 ulp | every positive finite value, subnormals included |
//! | [`ln_1p_f32`] | 2 ulp | `(-1, 1e7]` (beyond: 1 ulp at spot checks) |
//! | [`exp_m1_f32`] | 2 ulp | `[-103, 88.7]` |
//! | [`tanh_f32`] | 3 ulp | `[-9.5, 9.5]` (beyond: exactly `+-1`) |
//! | logistic (in `scalar`, from [`exp_f32`]) | 3 ulp | `[-87, 88.7]` |
//!
//! Special values follow `std`: NaN in, NaN out; `exp` overflows to `inf` above 88.72 and
//! underflows to 0 below -103.97; `ln(0) = -inf`, `ln(x < 0) = NaN`; `ln_1p(-1) = -inf`;
//! `exp_m1(-inf) = -1`; signed zeros are kept. The `f64` versions are in
//! [`math_f64`](super::math_f64).

/// `e^x` in `f32`: Cody–Waite reduction `x = n ln 2 + r` (with fused multiply-adds), a
/// degree-6 polynomial for `e^r` (Cephes' `expf`, with fused multiply-adds), and `2^n`
/// applied in two halves so results down to the subnormal range stay exact. Max error
/// 1 ulp.
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
    // Round to nearest by adding and subtracting 1.5 * 2^23 (no rounding call).
    const ROUNDER: f32 = 12_582_912.0;
    let t = xc.mul_add(LOG2E, ROUNDER);
    let n = t - ROUNDER;
    let r = (-n).mul_add(LN2_LO, (-n).mul_add(LN2_HI, xc));
    let mut p = 1.987_569_1e-4f32;
    p = p.mul_add(r, 1.398_199_9e-3);
    p = p.mul_add(r, 8.333_452e-3);
    p = p.mul_add(r, 4.166_579_6e-2);
    p = p.mul_add(r, 1.666_666_5e-1);
    p = p.mul_add(r, 0.5); // Cephes: 5.0000001201e-1, which rounds to 0.5 in f32
    let er = (r * r).mul_add(p, r) + 1.0;
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

/// Runs `kernel`, an AVX-512 slice kernel, on `x` into `out` where the CPU has AVX-512
/// and the two have one length; `false` (nothing written) elsewhere. The dispatch of
/// every `f32` slice kernel (`exp`, `ln`, `erf_inv`).
#[cfg(target_arch = "x86_64")]
pub(crate) fn avx512_slice(
    x: &[f32],
    out: &mut [std::mem::MaybeUninit<f32>],
    kernel: unsafe fn(&[f32], &mut [std::mem::MaybeUninit<f32>]),
) -> bool {
    if x.len() != out.len() || super::simd::level() != super::simd::Level::Avx512 {
        return false;
    }
    // SAFETY: the slice kernels need AVX-512 only, which the level reports the CPU has.
    unsafe { kernel(x, out) };
    true
}

/// `vector` of each whole group of 16 elements of `x` into `out`, `scalar` of the
/// elements after the last group: the loop of every AVX-512 slice kernel.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline]
pub(crate) fn map_16_lanes(
    x: &[f32],
    out: &mut [std::mem::MaybeUninit<f32>],
    scalar: impl Fn(f32) -> f32,
    vector: impl Fn(std::arch::x86_64::__m512) -> std::arch::x86_64::__m512,
) {
    use std::arch::x86_64::*;
    let n = x.len().min(out.len());
    let full = n / 16 * 16;
    for i in (0..full).step_by(16) {
        // SAFETY: i + 16 <= n elements of both slices (`MaybeUninit<f32>` is an f32).
        let v = unsafe { _mm512_loadu_ps(x.as_ptr().add(i)) };
        let y = vector(v);
        // SAFETY: as for the load.
        unsafe { _mm512_storeu_ps(out.as_mut_ptr().add(i) as *mut f32, y) };
    }
    for (o, &v) in out[full..n].iter_mut().zip(&x[full..n]) {
        o.write(scalar(v));
    }
}

/// [`exp_f32`] of every element of `x` into `out` (of one length) with AVX-512, or
/// `false` (nothing written) where the CPU lacks it. The same operations as `exp_f32`,
/// except that `2^n` is applied by one `vscalefps` instead of two multiplications by
/// powers of two: both round the exact product once, so the results are the same bits
/// (the level comparison test checks it).
pub(crate) fn exp_f32_slice(x: &[f32], out: &mut [std::mem::MaybeUninit<f32>]) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        avx512_slice(x, out, exp_f32_avx512)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (x, out);
        false
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn exp_f32_avx512(x: &[f32], out: &mut [std::mem::MaybeUninit<f32>]) {
    use std::arch::x86_64::*;
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    const ROUNDER: f32 = 12_582_912.0;
    let set = _mm512_set1_ps;
    map_16_lanes(x, out, exp_f32, |v| {
        // `max` and `min` return their second operand when either is NaN: a NaN lane
        // stays NaN through every step (no blend at the end).
        let xc = _mm512_min_ps(set(89.0), _mm512_max_ps(set(-104.0), v));
        let t = _mm512_fmadd_ps(xc, set(LOG2E), set(ROUNDER));
        let k = _mm512_sub_ps(t, set(ROUNDER));
        let r = _mm512_fnmadd_ps(k, set(LN2_LO), _mm512_fnmadd_ps(k, set(LN2_HI), xc));
        let mut p = set(1.987_569_1e-4);
        p = _mm512_fmadd_ps(p, r, set(1.398_199_9e-3));
        p = _mm512_fmadd_ps(p, r, set(8.333_452e-3));
        p = _mm512_fmadd_ps(p, r, set(4.166_579_6e-2));
        p = _mm512_fmadd_ps(p, r, set(1.666_666_5e-1));
        p = _mm512_fmadd_ps(p, r, set(0.5));
        let er = _mm512_add_ps(_mm512_fmadd_ps(_mm512_mul_ps(r, r), p, r), set(1.0));
        _mm512_scalef_ps(er, k)
    })
}

/// Natural logarithm in `f32`: `x = m 2^e` with `m` in `[sqrt(1/2), sqrt(2))`, a degree-9
/// polynomial for `log(m)` (Cephes' `logf`), `e ln 2` added in two parts by fused
/// multiply-adds. Max error 1 ulp.
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
    p = p.mul_add(m, -1.151_461e-1);
    p = p.mul_add(m, 1.167_699_9e-1);
    p = p.mul_add(m, -1.242_014_1e-1);
    p = p.mul_add(m, 1.424_932_3e-1);
    p = p.mul_add(m, -1.666_805_8e-1);
    p = p.mul_add(m, 2.000_071_4e-1);
    p = p.mul_add(m, -2.499_999_4e-1);
    p = p.mul_add(m, 3.333_333e-1);
    let ef = e as f32;
    let mut y = m * z * p;
    y = ef.mul_add(-2.121_944_4e-4, y);
    y = z.mul_add(-0.5, y);
    let r = ef.mul_add(0.693_359_4, m + y);
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

/// [`ln_f32`] of every element of `x` into `out` (of one length) with AVX-512, or `false`
/// (nothing written) where the CPU lacks it. The same operations as `ln_f32`, except that
/// the mantissa in `[0.5, 1)` and the exponent come from `vgetmantps` and `vgetexpps`
/// (which handle subnormals themselves) instead of bit manipulation after scaling: the
/// same exact values, so the results are the same bits (tested like `exp`'s).
pub(crate) fn ln_f32_slice(x: &[f32], out: &mut [std::mem::MaybeUninit<f32>]) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        avx512_slice(x, out, ln_f32_avx512)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (x, out);
        false
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
unsafe fn ln_f32_avx512(x: &[f32], out: &mut [std::mem::MaybeUninit<f32>]) {
    use std::arch::x86_64::*;
    let set = _mm512_set1_ps;
    map_16_lanes(x, out, ln_f32, |v| {
        // m in [0.5, 1) and e with v = m 2^e, as `ln_f32` computes them.
        let m = _mm512_getmant_ps::<_MM_MANT_NORM_P5_1, _MM_MANT_SIGN_SRC>(v);
        let e = _mm512_add_ps(_mm512_getexp_ps(v), set(1.0));
        let small = _mm512_cmp_ps_mask::<_CMP_LT_OQ>(m, set(std::f32::consts::FRAC_1_SQRT_2));
        let ef = _mm512_mask_sub_ps(e, small, e, set(1.0));
        // `2m - 1` as `(m - 1) + m`: both exact, so the same value.
        let m1 = _mm512_sub_ps(m, set(1.0));
        let m = _mm512_mask_add_ps(m1, small, m1, m);
        let z = _mm512_mul_ps(m, m);
        let mut p = set(7.037_683_6e-2);
        p = _mm512_fmadd_ps(p, m, set(-1.151_461e-1));
        p = _mm512_fmadd_ps(p, m, set(1.167_699_9e-1));
        p = _mm512_fmadd_ps(p, m, set(-1.242_014_1e-1));
        p = _mm512_fmadd_ps(p, m, set(1.424_932_3e-1));
        p = _mm512_fmadd_ps(p, m, set(-1.666_805_8e-1));
        p = _mm512_fmadd_ps(p, m, set(2.000_071_4e-1));
        p = _mm512_fmadd_ps(p, m, set(-2.499_999_4e-1));
        p = _mm512_fmadd_ps(p, m, set(3.333_333e-1));
        let mut y = _mm512_mul_ps(_mm512_mul_ps(m, z), p);
        y = _mm512_fmadd_ps(ef, set(-2.121_944_4e-4), y);
        y = _mm512_fmadd_ps(z, set(-0.5), y);
        let r = _mm512_fmadd_ps(ef, set(0.693_359_4), _mm512_add_ps(m, y));
        // Special values as `ln_f32`: 0 -> -inf, inf -> inf, negative or NaN -> NaN. One
        // classification finds whether any lane is one (NaNs, zeros, infinities,
        // negatives: every class but positive normals and subnormals); usually none is.
        let special = _mm512_fpclass_ps_mask::<0xdf>(v);
        if special == 0 {
            r
        } else {
            let finite_positive = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(v, set(0.0))
                & _mm512_cmp_ps_mask::<_CMP_LT_OQ>(v, set(f32::INFINITY));
            let zero = _mm512_cmp_ps_mask::<_CMP_EQ_OQ>(v, set(0.0));
            let inf = _mm512_cmp_ps_mask::<_CMP_EQ_OQ>(v, set(f32::INFINITY));
            let mut y = _mm512_mask_blend_ps(finite_positive, set(f32::NAN), r);
            y = _mm512_mask_blend_ps(zero, y, set(f32::NEG_INFINITY));
            _mm512_mask_blend_ps(inf, y, v)
        }
    })
}

/// `ln(1 + x)` in `f32`: with `u = 1 + x` rounded, `ln(u) + (x - (u - 1)) / u` — the
/// second term restores what rounding `u` lost. Branch-free; max error measured by the
/// sweep test: 2 ulp.
///
/// ```
/// let y = autobatch::backend::cpu::math::ln_1p_f32(1e-10);
/// assert_eq!(y, 1e-10);
/// ```
#[inline]
pub fn ln_1p_f32(x: f32) -> f32 {
    let u = 1.0 + x;
    let r = ln_f32(u) + (x - (u - 1.0)) / u;
    // u = inf or u = 0 make the correction NaN; ln alone is right there.
    if u == f32::INFINITY || u == 0.0 {
        ln_f32(u)
    } else if x.is_nan() || x == 0.0 {
        x
    } else {
        r
    }
}

/// `e^x - 1` in `f32`: for `|x| <= 0.5` the Taylor polynomial to degree 9 (Horner),
/// else `exp(x) - 1`. Branch-free; max error measured by the sweep test: 2 ulp.
///
/// ```
/// let y = autobatch::backend::cpu::math::exp_m1_f32(1e-10);
/// assert_eq!(y, 1e-10);
/// ```
#[inline]
pub fn exp_m1_f32(x: f32) -> f32 {
    const C: [f32; 9] = [
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
    ];
    let mut p = C[0];
    for &c in &C[1..] {
        p = p * x + c;
    }
    let small = p * x;
    let large = exp_f32(x) - 1.0;
    if x.abs() <= 0.5 { small } else { large }
}

/// `tanh(x)` in `f32`: `e / (e + 2)` with `e = expm1(2x)`, clamped to `+-1` beyond
/// `|x| = 9` (where `tanh` rounds to one). Branch-free; max error measured by the sweep
/// test: 3 ulp.
///
/// ```
/// let y = autobatch::backend::cpu::math::tanh_f32(0.5);
/// assert!((y - 0.5f32.tanh()).abs() <= 2.0 * f32::EPSILON);
/// ```
#[inline]
pub fn tanh_f32(x: f32) -> f32 {
    let xc = x.clamp(-9.0, 9.0);
    let e = exp_m1_f32(xc + xc);
    let t = e / (e + 2.0);
    if x.is_nan() { x } else { t }
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

    /// Asserts that `kernel` (where the CPU has it) gives `scalar`'s bits on every
    /// element of `x` (any NaN for a NaN).
    fn assert_slice_kernel_bits(
        x: &[f32],
        kernel: fn(&[f32], &mut [std::mem::MaybeUninit<f32>]) -> bool,
        scalar: fn(f32) -> f32,
        name: &str,
    ) {
        let mut out = vec![std::mem::MaybeUninit::new(0f32); x.len()];
        if !kernel(x, &mut out) {
            return;
        }
        for (&v, o) in x.iter().zip(&out) {
            // SAFETY: the kernel wrote every element.
            let got = unsafe { o.assume_init() };
            let want = scalar(v);
            assert!(
                got.to_bits() == want.to_bits() || (got.is_nan() && want.is_nan()),
                "{name}({v:e}) = {got:e}, scalar {want:e}"
            );
        }
    }

    /// Every 61st `f32` bit pattern: all magnitudes, both signs, NaNs and infinities.
    fn every_61st_pattern() -> Vec<f32> {
        (0..=u32::MAX / 61)
            .map(|i| f32::from_bits(i * 61))
            .collect()
    }

    /// The AVX-512 slice kernel gives `exp_f32`'s bits on every 61st bit pattern (all
    /// magnitudes, both signs, NaNs and infinities included).
    #[test]
    fn exp_slice_kernel_equals_the_scalar_bits() {
        let x = every_61st_pattern();
        // Without AVX-512 the generic loop is `exp_f32` itself.
        assert_slice_kernel_bits(&x, exp_f32_slice, exp_f32, "exp");
    }

    /// The AVX-512 slice kernel gives `ln_f32`'s bits on every 61st bit pattern.
    #[test]
    fn ln_slice_kernel_equals_the_scalar_bits() {
        let x = every_61st_pattern();
        // Without AVX-512 the generic loop is `ln_f32` itself.
        assert_slice_kernel_bits(&x, ln_f32_slice, ln_f32, "ln");
    }

    /// The AVX-512 `erf_inv` kernel gives `erf_inv_f32`'s bits on every 61st bit pattern
    /// (out of the domain too), and on dense uniform variates whose vectors mix the
    /// central range, the tail and both sides of `log1p`.
    #[test]
    fn erf_inv_slice_kernel_equals_the_scalar_bits() {
        use crate::backend::cpu::erf_inv::{erf_inv_f32, erf_inv_f32_slice};
        let x = every_61st_pattern();
        assert_slice_kernel_bits(&x, erf_inv_f32_slice, erf_inv_f32, "erf_inv");
        let mut words = crate::backend::cpu::test_inputs::xorshift32(11);
        let uniform: Vec<f32> = (0..1 << 18)
            .map(|_| (words() >> 8) as f32 / (1 << 23) as f32 - 1.0)
            .collect();
        assert_slice_kernel_bits(&uniform, erf_inv_f32_slice, erf_inv_f32, "erf_inv");
        let specials = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.9999,
            0.5,
            f32::NAN,
            2.0,
            f32::INFINITY,
        ];
        for s in specials {
            for lane in 0..16 {
                let mut x = [0.25f32; 16];
                x[lane] = s;
                let name = format!("erf_inv beside {s:e}");
                assert_slice_kernel_bits(&x, erf_inv_f32_slice, erf_inv_f32, &name);
            }
        }
    }

    #[test]
    fn slice_kernels_handle_one_special_lane_among_ordinary_ones() {
        let specials = [
            0.0,
            -0.0,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
            -f32::NAN,
            -1.0,
            1e-40,
            100.0,
            -200.0,
        ];
        for s in specials {
            for lane in 0..16 {
                let mut x = [1.5f32; 16];
                x[lane] = s;
                assert_slice_kernel_bits(&x, ln_f32_slice, ln_f32, &format!("ln beside {s:e}"));
                assert_slice_kernel_bits(&x, exp_f32_slice, exp_f32, &format!("exp beside {s:e}"));
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

    /// The largest distance in ulp of `f` from the correctly rounded `reference` over
    /// the sweep of `[lo, hi]`, asserting at most `bound`.
    fn max_ulp(lo: f32, hi: f32, bound: u32, f: fn(f32) -> f32, reference: fn(f64) -> f64) -> u32 {
        let mut worst = 0;
        sweep(lo, hi, |x| {
            let want = reference(x as f64) as f32;
            let got = f(x);
            let d = if got == want { 0 } else { ulps(got, want) };
            assert!(d <= bound, "f({x}) = {got}, want {want} ({d} ulp)");
            worst = worst.max(d);
        });
        worst
    }

    #[test]
    fn ln_1p_is_within_2_ulp() {
        let worst = max_ulp(-0.999_999_94, 1e7, 2, ln_1p_f32, f64::ln_1p);
        for x in [1e8f32, 1e20, 3e38] {
            assert!(ulps(ln_1p_f32(x), (x as f64).ln_1p() as f32) <= 1);
        }
        assert!(worst <= 2);
        assert_eq!(ln_1p_f32(-1.0), f32::NEG_INFINITY);
        assert!(ln_1p_f32(-2.0).is_nan() && ln_1p_f32(f32::NAN).is_nan());
        assert_eq!(ln_1p_f32(f32::INFINITY), f32::INFINITY);
        assert_eq!(ln_1p_f32(-0.0).to_bits(), (-0.0f32).to_bits());
    }

    #[test]
    fn exp_m1_is_within_2_ulp() {
        let worst = max_ulp(-103.0, 88.7, 2, exp_m1_f32, f64::exp_m1);
        assert!(worst <= 2);
        assert_eq!(exp_m1_f32(f32::NEG_INFINITY), -1.0);
        assert_eq!(exp_m1_f32(f32::INFINITY), f32::INFINITY);
        assert!(exp_m1_f32(f32::NAN).is_nan());
        assert_eq!(exp_m1_f32(-0.0).to_bits(), (-0.0f32).to_bits());
    }

    #[test]
    fn tanh_is_within_3_ulp() {
        let worst = max_ulp(-9.5, 9.5, 3, tanh_f32, f64::tanh);
        for x in [10.0f32, 1e10, -3e38] {
            assert_eq!(tanh_f32(x), x.signum());
        }
        assert!(worst <= 3);
        assert_eq!(tanh_f32(f32::INFINITY), 1.0);
        assert_eq!(tanh_f32(f32::NEG_INFINITY), -1.0);
        assert!(tanh_f32(f32::NAN).is_nan());
    }

    /// The kernels' logistic (`scalar`: `e = exp(-|x|)`, `1 / (1 + e)`, times `e` for
    /// negative `x`).
    fn logistic_f32(x: f32) -> f32 {
        <f32 as crate::backend::cpu::scalar::Float>::logistic(x)
    }

    #[test]
    fn logistic_is_within_3_ulp() {
        fn reference(x: f64) -> f64 {
            1.0 / (1.0 + (-x).exp())
        }
        // Below -87 the result is subnormal; there, within one subnormal step.
        let worst = max_ulp(-87.0, 88.7, 3, logistic_f32, reference);
        assert!(worst <= 3);
        assert!((logistic_f32(-100.0) - reference(-100.0) as f32).abs() <= f32::from_bits(1));
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
