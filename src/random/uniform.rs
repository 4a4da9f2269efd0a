//! Uniform floats (`jax.random.uniform`): random mantissa bits under the exponent of 1.0,
//! minus 1, then an affine map with a fused multiply-add.

use super::error;
use super::keys::words;
use super::ops::{add, convert, konst, konst_u32, max, mul, or, shr, sub, xor};
use crate::array::{Array, DType, lax};

/// Uniform floats in `[0, 1)` of `shape` and float `dtype` (`jax.random.uniform`).
///
/// `f32`: `bitcast((bits >> 9) | 0x3f800000) - 1` (23 random bits); `f64`: the same with
/// the 64-bit word `(y0 << 32) | y1` of each block and 52 random bits (JAX's x64 mode).
///
/// ```
/// use autobatch::{random, DType};
/// let u = random::uniform(&random::key(0), &[5], DType::F32);
/// assert_eq!(u.to_vec::<f32>().unwrap()[0], 0.947667);
/// let bad = random::uniform(&random::key(0), &[5], DType::I32);
/// assert_eq!(bad.check().unwrap_err().op(), "uniform");
/// ```
#[track_caller]
pub fn uniform(key: &Array, shape: &[usize], dtype: DType) -> Array {
    unit(key, shape, dtype, "uniform")
}

/// Uniform floats in `[minval, maxval)` (`jax.random.uniform(key, shape, dtype, minval,
/// maxval)`): `max(minval, u * (maxval - minval) + minval)` with `minval`, `maxval` and
/// their difference rounded to `dtype`, and the multiply-add fused (one rounding) as XLA
/// does on CPU — bit-exact with JAX for `f32`; for `f64` the multiply and add are rounded
/// separately (at most one ulp from JAX, and exact for the default range).
///
/// ```
/// use autobatch::{random, DType};
/// let u = random::uniform_range(&random::key(0), &[6], DType::F32, -2.0, 3.0);
/// // JAX's value, 2.7383351.
/// assert_eq!(u.to_vec::<f32>().unwrap()[0].to_bits(), 0x402f_40e2);
/// ```
#[track_caller]
pub fn uniform_range(
    key: &Array,
    shape: &[usize],
    dtype: DType,
    minval: f64,
    maxval: f64,
) -> Array {
    scaled(key, shape, dtype, (minval, maxval), "uniform")
}

/// [`uniform_range`] reporting errors as `op`.
#[track_caller]
pub(super) fn scaled(
    key: &Array,
    shape: &[usize],
    dtype: DType,
    (minval, maxval): (f64, f64),
    op: &str,
) -> Array {
    let u = unit(key, shape, dtype, op);
    if u.error_value().is_some() {
        return u;
    }
    // The span is rounded to `dtype` after rounding the bounds, as `maxval - minval` in JAX.
    let span = match dtype {
        DType::F32 => f64::from(maxval as f32 - minval as f32),
        _ => maxval - minval,
    };
    let lo = konst(minval, dtype, shape);
    // XLA fuses `u * span + lo` into one multiply-add on CPU (in `f32`; the `f64` map is
    // rounded twice, which JAX's x64 results match to float rounding).
    let scaled = match dtype {
        DType::F32 => crate::array::lax::fma(&u, &konst(span, dtype, shape), &lo),
        _ => super::ops::add(&super::ops::mul(&u, &konst(span, dtype, shape)), &lo),
    };
    max(&lo, &scaled)
}

/// `[0, 1)` floats: the shared core of every sampler.
#[track_caller]
pub(super) fn unit(key: &Array, shape: &[usize], dtype: DType, op: &str) -> Array {
    let (y0, y1) = match words(key, shape, op) {
        Ok(w) => w,
        Err(e) => return e,
    };
    match dtype {
        DType::F32 => {
            let bits = xor(&y0, &y1);
            let mantissa = shr(&bits, &konst_u32(9, shape));
            let one_to_two = or(&mantissa, &konst_u32(0x3f80_0000, shape));
            sub(
                &lax::bitcast(&one_to_two, DType::F32),
                &konst(1.0, DType::F32, shape),
            )
        }
        DType::F64 => {
            // The top 52 bits of (y0 << 32) | y1 are (y0 << 20) | (y1 >> 12): as an integer
            // below 2^52 it is exact in f64, and times 2^-52 it is the mantissa minus 1.
            let hi = convert(&y0, DType::F64);
            let lo = convert(&shr(&y1, &konst_u32(12, shape)), DType::F64);
            let mantissa = add(&mul(&hi, &konst(1048576.0, DType::F64, shape)), &lo);
            mul(&mantissa, &konst(2f64.powi(-52), DType::F64, shape))
        }
        other => error(op, format!("needs a float dtype (f32 or f64), got {other}")),
    }
}
