//! Fused multiply-add (one rounding), which XLA on CPU uses wherever a multiply feeds an
//! add (here: the affine map of `uniform`). There is no FMA primitive, so it is emulated
//! exactly from `f64` arithmetic.

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

#[cfg(test)]
mod tests {
    use super::fma;
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
