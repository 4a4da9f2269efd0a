//! Fused multiply-add (one rounding), which XLA on CPU uses wherever a multiply feeds an
//! add. There is no FMA primitive, so it is emulated exactly from `f64` arithmetic.

use super::ops::{add, and, convert, eq, gt, konst, max, min, mul, ne, select, sub};
use crate::array::{Array, DType};

/// `a * b + c` with a single rounding, elementwise over `f32` arrays of one shape (`f64`
/// arrays get a separately rounded multiply and add: at most one rounding more).
///
/// Why this is exact for `f32`: the product of two `f32` (24-bit significands) has at most
/// 48 significant bits, so `p = a * b` is exact in `f64`. The sum `s = p + c` is rounded
/// once to `f64`, and rounding `s` to `f32` then gives the correctly rounded `a * b + c`
/// *except* when `s` lands exactly halfway between two `f32` values while the `f64` sum
/// was inexact (double rounding: the tie is broken to even although the exact value lies
/// to one side). That case is detected and repaired: `e = (p + c) - s` is computed exactly
/// (Knuth's two-sum); `s` is a tie iff `m = 2s - r` (with `r = f32(s)`) is itself an `f32`
/// value other than `r` — then `r` and `m` are the two neighbours and the exact value lies
/// on the side of `m` or `r` given by the sign of `e`.
#[track_caller]
pub(super) fn fma(a: &Array, b: &Array, c: &Array) -> Array {
    if a.dtype() == DType::F64 {
        return add(&mul(a, b), c);
    }
    let shape = a.shape().to_vec();
    let wide = |x: &Array| convert(x, DType::F64);
    let narrow = |x: &Array| convert(x, DType::F32);
    let (c64, p) = (wide(c), mul(&wide(a), &wide(b)));
    let s = add(&p, &c64);
    // Two-sum: e = (p + c) - s exactly.
    let bb = sub(&s, &p);
    let e = add(&sub(&p, &sub(&s, &bb)), &sub(&c64, &bb));
    let r = narrow(&s);
    let rb = wide(&r);
    let m = sub(&add(&s, &s), &rb);
    let zero = konst(0.0, DType::F64, &shape);
    let tie = and(&and(&eq(&wide(&narrow(&m)), &m), &ne(&m, &rb)), &ne(&e, &zero));
    let toward = select(&gt(&e, &zero), &max(&rb, &m), &min(&rb, &m));
    select(&tie, &narrow(&toward), &r)
}
