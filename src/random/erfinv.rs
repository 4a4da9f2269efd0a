//! XLA's inverse error function, the heart of `normal`.
//!
//! `f32` reproduces XLA's CPU code bit for bit: Giles' single-precision approximation
//! evaluated with fused multiply-adds, on top of XLA's own `log1p` (a Cephes rational
//! approximation for small arguments, else `log(1 + x)` with XLA's Cephes-style `log`),
//! with the multiply-adds that LLVM contracts there fused too. Which operations are fused
//! was settled against JAX's output: this arrangement reproduces all 10325 normal variates
//! of the reference data exactly (with the platform `log1pf` instead, 99.3% match). The
//! fused steps are emulated in `f64` (see `fma_fast`: exact but for a double-rounding case
//! about one operation in 2^29 could hit).

use super::fma::{fma_fast as fma, horner_f32};
use super::ops::{
    abs, add, and, convert, div, eq, gt, konst, konst_u32, log1p, lt, max, mul, neg, or, select,
    shr, sqrt, sub,
};
use crate::array::{Array, DType, lax};

/// `erfinv` elementwise for `f32` or `f64` arrays, as XLA computes it (`erfinv(+-1) = +-inf`).
#[track_caller]
pub(super) fn erfinv(x: &Array) -> Array {
    match x.dtype() {
        DType::F64 => erfinv_f64(x),
        _ => erfinv_f32(x),
    }
}

/// Horner evaluation `p = c_k + p * w` with fused steps, starting from `coeffs[0]`.
#[track_caller]
fn horner(coeffs: &[f64], w: &Array) -> Array {
    let (dtype, shape) = (w.dtype(), w.shape().to_vec());
    if dtype == DType::F32 {
        return horner_f32(coeffs, w);
    }
    let mut p = konst(coeffs[0], dtype, &shape);
    for &k in &coeffs[1..] {
        p = fma(&p, w, &konst(k, dtype, &shape));
    }
    p
}

/// `p * x`, except `x * inf` where `|x| == 1`.
#[track_caller]
fn finish(p: &Array, x: &Array) -> Array {
    let (dtype, shape) = (x.dtype(), x.shape().to_vec());
    let at_one = eq(&abs(x), &konst(1.0, dtype, &shape));
    let inf = mul(x, &konst(f64::INFINITY, dtype, &shape));
    select(&at_one, &inf, &mul(p, x))
}

/// Giles' single-precision coefficients, highest degree first, for `w < 5` (in `w - 2.5`).
#[allow(clippy::excessive_precision)]
const F32_CENTRAL: [f64; 9] = [
    2.81022636e-08,
    3.43273939e-07,
    -3.5233877e-06,
    -4.39150654e-06,
    0.00021858087,
    -0.00125372503,
    -0.00417768164,
    0.246640727,
    1.50140941,
];

/// Giles' single-precision coefficients for `w >= 5` (in `sqrt(w) - 3`).
#[allow(clippy::excessive_precision)]
const F32_TAIL: [f64; 9] = [
    -0.000200214257,
    0.000100950558,
    0.00134934322,
    -0.00367342844,
    0.00573950773,
    -0.0076224613,
    0.00943887047,
    1.00167406,
    2.83297682,
];

/// XLA's `f32` erfinv: `w = -log1p(x * -x)`; a degree-8 polynomial in `w - 2.5` (w < 5) or
/// `sqrt(w) - 3`; times `x`.
#[track_caller]
fn erfinv_f32(x: &Array) -> Array {
    let shape = x.shape().to_vec();
    let c = |v: f64| konst(v, DType::F32, &shape);
    let w = neg(&log1p_f32(&mul(x, &neg(x))));
    let central = lt(&w, &c(5.0));
    let p_central = horner(&F32_CENTRAL, &sub(&w, &c(2.5)));
    let p_tail = horner(&F32_TAIL, &sub(&sqrt(&w), &c(3.0)));
    finish(&select(&central, &p_central, &p_tail), x)
}

/// XLA's `f32` `log1p`: for `|x| < sqrt(2) - 1` the Cephes rational approximation
/// `x - x^2/2 + x^3 * P(x)/Q(x)` (Horner steps fused, as is `-0.5 * x^2 + ...`), else
/// `log(x + 1)` with XLA's `log`.
#[track_caller]
fn log1p_f32(x: &Array) -> Array {
    #[allow(clippy::excessive_precision)]
    const NUM: [f64; 7] = [
        4.5270000862445199635215E-5,
        4.9854102823193375972212E-1,
        6.5787325942061044846969E0,
        2.9911919328553073277375E1,
        6.0949667980987787057556E1,
        5.7112963590585538103336E1,
        2.0039553499201281259648E1,
    ];
    #[allow(clippy::excessive_precision)]
    const DEN: [f64; 7] = [
        1.0,
        1.5062909083469192043167E1,
        8.3047565967967209469434E1,
        2.2176239823732856465394E2,
        3.0909872225312059774938E2,
        2.1642788614495947685003E2,
        6.0118660497603843919306E1,
    ];
    let shape = x.shape().to_vec();
    let c = |v: f64| konst(v, DType::F32, &shape);
    let large = log_f32(&add(x, &c(1.0)));
    let x2 = mul(x, x);
    let ratio = div(&horner(&NUM, x), &horner(&DEN, x));
    let small = mul(&mul(x, &x2), &ratio);
    let small = add(x, &fma(&c(-0.5), &x2, &small));
    #[allow(clippy::excessive_precision)]
    let threshold = c(0.41421356237309504880);
    select(&lt(&abs(x), &threshold), &small, &large)
}

/// XLA's `f32` natural logarithm on CPU (the Cephes/Eigen approximation): split `t` into
/// `2^e * m` with `m` in `[sqrt(1/2), sqrt(2))`, then `log(m)` by a degree-8 polynomial in
/// `m - 1` plus `e * log(2)` in two parts. Multiply-adds are fused where LLVM contracts
/// them: an add (or subtract) of a product used only there, the first operand's product
/// when both are products.
#[track_caller]
fn log_f32(t: &Array) -> Array {
    #[allow(clippy::excessive_precision)]
    const P: [f64; 9] = [
        7.0376836292E-2,
        -1.1514610310E-1,
        1.1676998740E-1,
        -1.2420140846E-1,
        1.4249322787E-1,
        -1.6668057665E-1,
        2.0000714765E-1,
        -2.4999993993E-1,
        3.3333331174E-1,
    ];
    let shape = t.shape().to_vec();
    let c = |v: f64| konst(v, DType::F32, &shape);
    let u = |v: u32| konst_u32(v, &shape);
    // Denormals are cut off at the smallest normal.
    let clamped = max(t, &lax::bitcast(&u(0x0080_0000), DType::F32));
    let bits = lax::bitcast(&clamped, DType::U32);
    let biased = convert(&shr(&bits, &u(23)), DType::I32);
    let exponent = convert(&sub(&biased, &konst(127.0, DType::I32, &shape)), DType::F32);
    let e = add(&c(1.0), &exponent);
    // The significand in [0.5, 1).
    let m = lax::bitcast(
        &or(&and(&bits, &u(0x807f_ffff)), &u(0x3f00_0000)),
        DType::F32,
    );
    let below = lt(&m, &c(std::f64::consts::FRAC_1_SQRT_2));
    let zero = c(0.0);
    let e = sub(&e, &select(&below, &c(1.0), &zero));
    let m = add(&sub(&m, &c(1.0)), &select(&below, &m, &zero));
    let m2 = mul(&m, &m);
    let m3 = mul(&m2, &m);
    let y = fma(&m, &c(P[0]), &c(P[1]));
    let y1 = fma(&m, &c(P[3]), &c(P[4]));
    let y2 = fma(&m, &c(P[6]), &c(P[7]));
    let y = fma(&y, &m, &c(P[2]));
    let y1 = fma(&y1, &m, &c(P[5]));
    let y2 = fma(&y2, &m, &c(P[8]));
    let y = fma(&y, &m3, &y1);
    let y = fma(&y, &m3, &y2);
    // `y * m3 + q1 * e`: LLVM fuses the first product of an add whose operands are both
    // products, and rounds the second.
    let y = fma(&y, &m3, &mul(&c(-2.12194440e-4), &e));
    let r = add(&fma(&c(-0.5), &m2, &m), &y);
    let r = fma(&c(0.693359375), &e, &r);
    // log(0) = -inf, log(inf) = inf, log(negative or NaN) = NaN.
    let r = select(&gt(t, &zero), &r, &c(f64::NAN));
    let r = select(&eq(t, &zero), &c(f64::NEG_INFINITY), &r);
    select(&eq(t, &c(f64::INFINITY)), &c(f64::INFINITY), &r)
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

/// XLA's `f64` erfinv (Giles' double-precision version, three ranges of `w`).
#[track_caller]
fn erfinv_f64(x: &Array) -> Array {
    let shape = x.shape().to_vec();
    let c = |v: f64| konst(v, DType::F64, &shape);
    let w = neg(&log1p(&mul(x, &neg(x))));
    let root = sqrt(&w);
    let central = horner(&F64_CENTRAL, &sub(&w, &c(3.125)));
    let middle = horner(&F64_MIDDLE, &sub(&root, &c(3.25)));
    let tail = horner(&F64_TAIL, &sub(&root, &c(5.0)));
    let p = select(
        &lt(&w, &c(6.25)),
        &central,
        &select(&lt(&w, &c(16.0)), &middle, &tail),
    );
    finish(&p, x)
}
