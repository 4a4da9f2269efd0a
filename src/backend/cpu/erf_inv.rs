//! XLA's inverse error function on CPU, as one elementwise kernel (`erf_inv`).
//!
//! `f32` follows XLA's CPU code step for step: Giles' single-precision approximation
//! with fused multiply-adds, on XLA's own `log1p` (a Cephes rational approximation for
//! small arguments, else `log(1 + x)` with XLA's Cephes-style `log`), with the
//! multiply-adds LLVM contracts there fused too. This is what `jax.random.normal` draws
//! through, and it reproduces all 10325 reference variates of JAX bit for bit. `f64` is
//! Giles' double-precision version (three ranges), with separately rounded steps.
//!
//! Every scalar function is branch-free on the data (both polynomial ranges are
//! evaluated and one is selected), so the kernel loop vectorizes; the `f32` kernel on
//! AVX-512 is written out with the same operations and skips a range no lane of a vector
//! takes. `mul_add` is a single instruction where the kernel runs with FMA and a
//! correctly rounded library call elsewhere, so the result is the same on every CPU.

/// `f32` values of `f64` coefficients (rounded as the constants of a traced program are).
const fn narrow<const N: usize>(c: [f64; N]) -> [f32; N] {
    let mut out = [0.0f32; N];
    let mut i = 0;
    while i < N {
        out[i] = c[i] as f32;
        i += 1;
    }
    out
}

/// XLA's `log` polynomial (Cephes' `logf`), highest degree first.
#[allow(clippy::excessive_precision)]
const LOG_P: [f32; 9] = narrow([
    7.0376836292E-2,
    -1.1514610310E-1,
    1.1676998740E-1,
    -1.2420140846E-1,
    1.4249322787E-1,
    -1.6668057665E-1,
    2.0000714765E-1,
    -2.4999993993E-1,
    3.3333331174E-1,
]);

/// XLA's `log1p` rational approximation (Cephes) for `|x| <` [`LOG1P_THRESHOLD`]:
/// numerator and denominator, highest degree first.
#[allow(clippy::excessive_precision)]
const LOG1P_NUM: [f32; 7] = narrow([
    4.5270000862445199635215E-5,
    4.9854102823193375972212E-1,
    6.5787325942061044846969E0,
    2.9911919328553073277375E1,
    6.0949667980987787057556E1,
    5.7112963590585538103336E1,
    2.0039553499201281259648E1,
]);
#[allow(clippy::excessive_precision)]
const LOG1P_DEN: [f32; 7] = narrow([
    1.0,
    1.5062909083469192043167E1,
    8.3047565967967209469434E1,
    2.2176239823732856465394E2,
    3.0909872225312059774938E2,
    2.1642788614495947685003E2,
    6.0118660497603843919306E1,
]);
#[allow(clippy::excessive_precision)]
const LOG1P_THRESHOLD: f32 = 0.41421356237309504880f64 as f32;

/// Giles' single-precision coefficients: in `w - 2.5` for `w < 5`, in `sqrt(w) - 3`
/// beyond.
#[allow(clippy::excessive_precision)]
const ERF_INV_CENTRAL: [f32; 9] = narrow([
    2.81022636e-08,
    3.43273939e-07,
    -3.5233877e-06,
    -4.39150654e-06,
    0.00021858087,
    -0.00125372503,
    -0.00417768164,
    0.246640727,
    1.50140941,
]);
#[allow(clippy::excessive_precision)]
const ERF_INV_TAIL: [f32; 9] = narrow([
    -0.000200214257,
    0.000100950558,
    0.00134934322,
    -0.00367342844,
    0.00573950773,
    -0.0076224613,
    0.00943887047,
    1.00167406,
    2.83297682,
]);

/// Horner evaluation with fused steps, highest degree first.
#[inline(always)]
fn horner_f32<const N: usize>(c: &[f32; N], w: f32) -> f32 {
    let mut p = c[0];
    let mut i = 1;
    while i < N {
        p = p.mul_add(w, c[i]);
        i += 1;
    }
    p
}

/// Horner evaluation with a rounded multiply and a rounded add per step.
#[inline(always)]
fn horner_f64<const N: usize>(c: &[f64; N], w: f64) -> f64 {
    let mut p = c[0];
    let mut i = 1;
    while i < N {
        p = p * w + c[i];
        i += 1;
    }
    p
}

/// XLA's `f32` natural logarithm (Cephes/Eigen): `t = 2^e m` with `m` in
/// `[sqrt(1/2), sqrt(2))`, a degree-8 polynomial in `m - 1` in three interleaved parts,
/// `e ln 2` added in two pieces; subnormal inputs are treated as the smallest normal.
#[inline(always)]
fn xla_log_f32(t: f32) -> f32 {
    const P: [f32; 9] = LOG_P;
    let clamped = if t > f32::MIN_POSITIVE {
        t
    } else {
        f32::MIN_POSITIVE
    };
    let bits = clamped.to_bits();
    let e = 1.0 + ((bits >> 23) as i32 - 127) as f32;
    let m = f32::from_bits((bits & 0x807f_ffff) | 0x3f00_0000);
    let below = m < std::f32::consts::FRAC_1_SQRT_2;
    let e = e - if below { 1.0 } else { 0.0 };
    let m = (m - 1.0) + if below { m } else { 0.0 };
    let m2 = m * m;
    let m3 = m2 * m;
    let y = m.mul_add(P[0], P[1]);
    let y1 = m.mul_add(P[3], P[4]);
    let y2 = m.mul_add(P[6], P[7]);
    let y = y.mul_add(m, P[2]);
    let y1 = y1.mul_add(m, P[5]);
    let y2 = y2.mul_add(m, P[8]);
    let y = y.mul_add(m3, y1);
    let y = y.mul_add(m3, y2);
    let y = y.mul_add(m3, -2.121_944_4e-4 * e);
    let r = (-0.5f32).mul_add(m2, m) + y;
    let r = 0.693_359_4f32.mul_add(e, r);
    let r = if t > 0.0 { r } else { f32::NAN };
    let r = if t == 0.0 { f32::NEG_INFINITY } else { r };
    if t == f32::INFINITY { t } else { r }
}

/// XLA's `f32` `log1p`: for `|x| < sqrt(2) - 1`, `x - x^2/2 + x^3 P(x)/Q(x)` (Cephes),
/// else `log(x + 1)`.
#[inline(always)]
fn xla_log1p_f32(x: f32) -> f32 {
    const NUM: [f32; 7] = LOG1P_NUM;
    const DEN: [f32; 7] = LOG1P_DEN;
    const THRESHOLD: f32 = LOG1P_THRESHOLD;
    let large = xla_log_f32(x + 1.0);
    let x2 = x * x;
    let ratio = horner_f32(&NUM, x) / horner_f32(&DEN, x);
    let small = x + (-0.5f32).mul_add(x2, (x * x2) * ratio);
    if x.abs() < THRESHOLD { small } else { large }
}

/// XLA's `f32` `erf_inv`: `w = -log1p(-x^2)`, a degree-8 polynomial in `w - 2.5`
/// (`w < 5`) or `sqrt(w) - 3`, times `x`; `erf_inv(+-1) = +-inf`.
///
/// ```
/// let y = autobatch::backend::cpu::erf_inv_f32(0.5);
/// assert!((y - 0.47693628).abs() < 1e-6);
/// assert_eq!(autobatch::backend::cpu::erf_inv_f32(-1.0), f32::NEG_INFINITY);
/// ```
#[inline(always)]
pub fn erf_inv_f32(x: f32) -> f32 {
    const CENTRAL: [f32; 9] = ERF_INV_CENTRAL;
    const TAIL: [f32; 9] = ERF_INV_TAIL;
    let w = -xla_log1p_f32(x * -x);
    let central = horner_f32(&CENTRAL, w - 2.5);
    let tail = horner_f32(&TAIL, w.sqrt() - 3.0);
    let p = if w < 5.0 { central } else { tail };
    if x.abs() == 1.0 {
        x * f32::INFINITY
    } else {
        p * x
    }
}

/// [`erf_inv_f32`] of every element of `x` into `out` (of one length) with AVX-512, or
/// `false` (nothing written) where the CPU lacks it. The same operations as the scalar
/// function, step for step; each of its selections is a blend, and a range no lane of a
/// vector falls in is skipped: the tail (`w >= 5`, `|x|` above about 0.9966, in one
/// vector of 16 uniform variates in 20) and either side of `log1p`. Measured on 12800
/// uniform variates: 16 -> 13 ns per 16 elements (the loop LLVM vectorizes from the
/// scalar function evaluates every range).
pub(crate) fn erf_inv_f32_slice(x: &[f32], out: &mut [std::mem::MaybeUninit<f32>]) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        super::math::avx512_slice(x, out, erf_inv_f32_avx512)
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        let _ = (x, out);
        false
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
unsafe fn erf_inv_f32_avx512(x: &[f32], out: &mut [std::mem::MaybeUninit<f32>]) {
    super::math::map_16_lanes(x, out, erf_inv_f32, |v| erf_inv_vector(v));
}

/// Horner evaluation of `c` at `w` with fused steps, as [`horner_f32`].
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
#[inline]
fn horner_vector<const N: usize>(
    c: &[f32; N],
    w: std::arch::x86_64::__m512,
) -> std::arch::x86_64::__m512 {
    use std::arch::x86_64::*;
    let mut p = _mm512_set1_ps(c[0]);
    for &c in &c[1..] {
        p = _mm512_fmadd_ps(p, w, _mm512_set1_ps(c));
    }
    p
}

/// [`xla_log_f32`] of 16 lanes.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
#[inline]
fn xla_log_vector(t: std::arch::x86_64::__m512) -> std::arch::x86_64::__m512 {
    use std::arch::x86_64::*;
    let set = _mm512_set1_ps;
    const P: [f32; 9] = LOG_P;
    // `t > MIN_POSITIVE ? t : MIN_POSITIVE` (NaN lanes too take the smallest normal).
    let above = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(t, set(f32::MIN_POSITIVE));
    let clamped = _mm512_mask_blend_ps(above, set(f32::MIN_POSITIVE), t);
    let bits = _mm512_castps_si512(clamped);
    let exponent = _mm512_sub_epi32(_mm512_srli_epi32::<23>(bits), _mm512_set1_epi32(127));
    let e = _mm512_add_ps(set(1.0), _mm512_cvtepi32_ps(exponent));
    let mantissa = _mm512_or_si512(
        _mm512_and_si512(bits, _mm512_set1_epi32(0x807f_ffff_u32 as i32)),
        _mm512_set1_epi32(0x3f00_0000),
    );
    let m = _mm512_castsi512_ps(mantissa);
    let below = _mm512_cmp_ps_mask::<_CMP_LT_OQ>(m, set(std::f32::consts::FRAC_1_SQRT_2));
    let e = _mm512_sub_ps(e, _mm512_maskz_mov_ps(below, set(1.0)));
    let m = _mm512_add_ps(_mm512_sub_ps(m, set(1.0)), _mm512_maskz_mov_ps(below, m));
    let m2 = _mm512_mul_ps(m, m);
    let m3 = _mm512_mul_ps(m2, m);
    let y = _mm512_fmadd_ps(m, set(P[0]), set(P[1]));
    let y1 = _mm512_fmadd_ps(m, set(P[3]), set(P[4]));
    let y2 = _mm512_fmadd_ps(m, set(P[6]), set(P[7]));
    let y = _mm512_fmadd_ps(y, m, set(P[2]));
    let y1 = _mm512_fmadd_ps(y1, m, set(P[5]));
    let y2 = _mm512_fmadd_ps(y2, m, set(P[8]));
    let y = _mm512_fmadd_ps(y, m3, y1);
    let y = _mm512_fmadd_ps(y, m3, y2);
    let y = _mm512_fmadd_ps(y, m3, _mm512_mul_ps(set(-2.121_944_4e-4), e));
    let r = _mm512_add_ps(_mm512_fmadd_ps(set(-0.5), m2, m), y);
    let r = _mm512_fmadd_ps(set(0.693_359_4), e, r);
    let positive = _mm512_cmp_ps_mask::<_CMP_GT_OQ>(t, set(0.0));
    let r = _mm512_mask_blend_ps(positive, set(f32::NAN), r);
    let zero = _mm512_cmp_ps_mask::<_CMP_EQ_OQ>(t, set(0.0));
    let r = _mm512_mask_blend_ps(zero, r, set(f32::NEG_INFINITY));
    let infinite = _mm512_cmp_ps_mask::<_CMP_EQ_OQ>(t, set(f32::INFINITY));
    _mm512_mask_blend_ps(infinite, r, t)
}

/// [`xla_log1p_f32`] of 16 lanes, each side computed only where a lane takes it.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
#[inline]
fn xla_log1p_vector(x: std::arch::x86_64::__m512) -> std::arch::x86_64::__m512 {
    use std::arch::x86_64::*;
    let set = _mm512_set1_ps;
    let magnitude = _mm512_abs_ps(x);
    let small = _mm512_cmp_ps_mask::<_CMP_LT_OQ>(magnitude, set(LOG1P_THRESHOLD));
    let large = if small == 0xffff {
        set(0.0)
    } else {
        xla_log_vector(_mm512_add_ps(x, set(1.0)))
    };
    let near = if small == 0 {
        set(0.0)
    } else {
        let x2 = _mm512_mul_ps(x, x);
        let ratio = _mm512_div_ps(horner_vector(&LOG1P_NUM, x), horner_vector(&LOG1P_DEN, x));
        let cubic = _mm512_mul_ps(_mm512_mul_ps(x, x2), ratio);
        _mm512_add_ps(x, _mm512_fmadd_ps(set(-0.5), x2, cubic))
    };
    _mm512_mask_blend_ps(small, large, near)
}

/// [`erf_inv_f32`] of 16 lanes, the tail computed only where a lane takes it.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
#[inline]
fn erf_inv_vector(x: std::arch::x86_64::__m512) -> std::arch::x86_64::__m512 {
    use std::arch::x86_64::*;
    let set = _mm512_set1_ps;
    let negated = _mm512_xor_ps(x, set(-0.0));
    let w = _mm512_xor_ps(xla_log1p_vector(_mm512_mul_ps(x, negated)), set(-0.0));
    let central = horner_vector(&ERF_INV_CENTRAL, _mm512_sub_ps(w, set(2.5)));
    // `w < 5` false (NaN lanes included) takes the tail.
    let tail_lanes = _mm512_cmp_ps_mask::<_CMP_NLT_UQ>(w, set(5.0));
    let p = if tail_lanes == 0 {
        central
    } else {
        let root = _mm512_sub_ps(_mm512_sqrt_ps(w), set(3.0));
        _mm512_mask_blend_ps(tail_lanes, central, horner_vector(&ERF_INV_TAIL, root))
    };
    let unit = _mm512_cmp_ps_mask::<_CMP_EQ_OQ>(_mm512_abs_ps(x), set(1.0));
    _mm512_mask_blend_ps(
        unit,
        _mm512_mul_ps(p, x),
        _mm512_mul_ps(x, set(f32::INFINITY)),
    )
}

/// XLA's `f64` `erf_inv` (Giles' double-precision version): a polynomial in `w - 3.125`
/// (`w < 6.25`), `sqrt(w) - 3.25` (`w < 16`) or `sqrt(w) - 5`, times `x`.
///
/// ```
/// let y = autobatch::backend::cpu::erf_inv_f64(0.5);
/// assert!((y - 0.4769362762044699).abs() < 1e-15);
/// ```
#[inline(always)]
pub fn erf_inv_f64(x: f64) -> f64 {
    let w = -(x * -x).ln_1p();
    let root = w.sqrt();
    let central = horner_f64(&F64_CENTRAL, w - 3.125);
    let middle = horner_f64(&F64_MIDDLE, root - 3.25);
    let tail = horner_f64(&F64_TAIL, root - 5.0);
    let p = if w < 6.25 {
        central
    } else if w < 16.0 {
        middle
    } else {
        tail
    };
    if x.abs() == 1.0 {
        x * f64::INFINITY
    } else {
        p * x
    }
}

/// Giles' double-precision coefficients for `w < 6.25` (in `w - 3.125`).
#[allow(clippy::excessive_precision)]
const F64_CENTRAL: [f64; 23] = [
    -3.6444120640178196996e-21,
    -1.685059138182016589e-19,
    1.2858480715256400167e-18,
    1.115787767802518096e-17,
    -1.333171662854620906e-16,
    2.0972767875968561637e-17,
    6.6376381343583238325e-15,
    -4.0545662729752068639e-14,
    -8.1519341976054721522e-14,
    2.6335093153082322977e-12,
    -1.2975133253453532498e-11,
    -5.4154120542946279317e-11,
    1.051212273321532285e-09,
    -4.1126339803469836976e-09,
    -2.9070369957882005086e-08,
    4.2347877827932403518e-07,
    -1.3654692000834678645e-06,
    -1.3882523362786468719e-05,
    0.0001867342080340571352,
    -0.00074070253416626697512,
    -0.0060336708714301490533,
    0.24015818242558961693,
    1.6536545626831027356,
];

/// Giles' double-precision coefficients for `6.25 <= w < 16` (in `sqrt(w) - 3.25`).
#[allow(clippy::excessive_precision)]
const F64_MIDDLE: [f64; 19] = [
    2.2137376921775787049e-09,
    9.0756561938885390979e-08,
    -2.7517406297064545428e-07,
    1.8239629214389227755e-08,
    1.5027403968909827627e-06,
    -4.013867526981545969e-06,
    2.9234449089955446044e-06,
    1.2475304481671778723e-05,
    -4.7318229009055733981e-05,
    6.8284851459573175448e-05,
    2.4031110387097893999e-05,
    -0.0003550375203628474796,
    0.00095328937973738049703,
    -0.0016882755560235047313,
    0.0024914420961078508066,
    -0.0037512085075692412107,
    0.005370914553590063617,
    1.0052589676941592334,
    3.0838856104922207635,
];

/// Giles' double-precision coefficients for `w >= 16` (in `sqrt(w) - 5`).
#[allow(clippy::excessive_precision)]
const F64_TAIL: [f64; 17] = [
    -2.7109920616438573243e-11,
    -2.5556418169965252055e-10,
    1.5076572693500548083e-09,
    -3.7894654401267369937e-09,
    7.6157012080783393804e-09,
    -1.4960026627149240478e-08,
    2.9147953450901080826e-08,
    -6.7711997758452339498e-08,
    2.2900482228026654717e-07,
    -9.9298272942317002539e-07,
    4.5260625972231537039e-06,
    -1.9681778105531670567e-05,
    7.5995277030017761139e-05,
    -0.00021503011930044477347,
    -0.00013871931833623122026,
    1.0103004648645343977,
    4.8499064014085844221,
];
