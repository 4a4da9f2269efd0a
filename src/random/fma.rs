//! Fused multiply-add (one rounding), which XLA on CPU uses wherever a multiply feeds an
//! add. There is no FMA primitive, so it is emulated from `f64` arithmetic: exactly in
//! [`fma`] (the public affine map of `uniform`), and in [`fma_fast`] / [`horner_f32`]
//! (the many steps inside `erfinv`) up to a double-rounding case so rare that it never
//! occurs in the reference data, at a quarter of the cost.

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
    let tie = and(
        &and(&eq(&wide(&narrow(&m)), &m), &ne(&m, &rb)),
        &ne(&e, &zero),
    );
    let toward = select(&gt(&e, &zero), &max(&rb, &m), &min(&rb, &m));
    select(&tie, &narrow(&toward), &r)
}

/// `f32(f64(a) * f64(b) + f64(c))` for `f32` arrays (`f64` ones: `a * b + c`, rounded
/// twice): the fused multiply-add except in the double-rounding
/// case repaired by [`fma`] (the `f64` sum inexact and exactly halfway between two `f32`
/// values — for operands with random low bits about one operation in 2^29).
#[track_caller]
pub(super) fn fma_fast(a: &Array, b: &Array, c: &Array) -> Array {
    if a.dtype() == DType::F64 {
        return add(&mul(a, b), c);
    }
    let wide = |x: &Array| convert(x, DType::F64);
    convert(&add(&mul(&wide(a), &wide(b)), &wide(c)), DType::F32)
}

/// Horner evaluation `p = c_k + p * w` (`coeffs` highest degree first, rounded to `f32`)
/// of an `f32` array `w` with every step a fused multiply-add as in [`fma_fast`]; the
/// running value stays in `f64` (holding `f32` values), which saves the conversions.
#[track_caller]
pub(super) fn horner_f32(coeffs: &[f64], w: &Array) -> Array {
    let shape = w.shape().to_vec();
    let c = |v: f64| konst(f64::from(v as f32), DType::F64, &shape);
    let w = convert(w, DType::F64);
    let mut p = c(coeffs[0]);
    for (i, &k) in coeffs.iter().enumerate().skip(1) {
        let rounded = convert(&add(&mul(&p, &w), &c(k)), DType::F32);
        if i + 1 == coeffs.len() {
            return rounded;
        }
        p = convert(&rounded, DType::F64);
    }
    convert(&p, DType::F32)
}

#[cfg(test)]
mod tests {
    use super::{fma, fma_fast};
    use crate::array::Array;

    /// `(1 + 2^-23)(1 - 2^-23) + (2^24 + 2) = 2^24 + 3 - 2^-46`: the `f64` sum rounds to the
    /// `f32` midpoint `2^24 + 3`, which ties to even upward; the exact value rounds down.
    #[test]
    fn double_rounding_is_repaired() {
        let one = |v: f32| Array::from_vec(vec![v, 2.0], &[2]);
        let (a, b) = (one(1.0 + f32::EPSILON), one(1.0 - f32::EPSILON));
        let c = one(16_777_218.0);
        let want: Vec<f32> = [
            (1.0 + f32::EPSILON, 1.0 - f32::EPSILON, 16_777_218.0),
            (2.0, 2.0, 2.0),
        ]
        .iter()
        .map(|&(a, b, c): &(f32, f32, f32)| a.mul_add(b, c))
        .collect();
        assert_eq!(want[0], 16_777_218.0);
        assert_eq!(fma(&a, &b, &c).to_vec::<f32>().unwrap(), want);
        assert_eq!(
            fma_fast(&a, &b, &c).to_vec::<f32>().unwrap()[0],
            16_777_220.0
        );
    }

    #[test]
    fn matches_mul_add_on_many_values() {
        let mut s: u32 = 7;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            f32::from_bits((s & 0x3fff_ffff) | 0x3000_0000) * if s & 1 == 0 { 1.0 } else { -1.0 }
        };
        let n = 4096;
        let (a, b, c): (Vec<f32>, Vec<f32>, Vec<f32>) =
            (0..n).map(|_| (next(), next(), next())).fold(
                (vec![], vec![], vec![]),
                |(mut a, mut b, mut c), (x, y, z)| {
                    a.push(x);
                    b.push(y);
                    c.push(z);
                    (a, b, c)
                },
            );
        let want: Vec<f32> = (0..n).map(|i| a[i].mul_add(b[i], c[i])).collect();
        let arr = |v: &Vec<f32>| Array::from_vec(v.clone(), &[n]);
        assert_eq!(
            fma(&arr(&a), &arr(&b), &arr(&c)).to_vec::<f32>().unwrap(),
            want
        );
    }
}
