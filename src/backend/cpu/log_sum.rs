//! Row sums of natural logarithms, as the logarithm of each row's product.
//!
//! A fused kernel that sums the logarithms of a row (`reduce_sum(log(x))`, the
//! log-likelihood of a row of data points) and reads them for nothing else computes the
//! sum as the logarithm of the row's product: one logarithm per row instead of one per
//! element. Each element splits exactly into its mantissa in `[1, 2)` and its exponent
//! (`vgetmantps` and `vgetexpps`); the mantissas multiply into sixteen running products
//! (element `i` into product `i % 16`), each brought back to `[1, 2)` every 64 blocks of
//! sixteen elements, and the exponents add exactly. At the row's end the products'
//! exponents join the sum, their mantissas multiply pairwise (product `i` with `i + 8`,
//! then `i + 4`, `i + 2`, `i + 1`), and the result is `ln(m) + e ln 2` for the final
//! mantissa `m` and exponent sum `e` ([`ln_f32`] of `m`, the sum in `f64` rounded once).
//!
//! Accuracy: each running product rounds once per factor (relative error 2^-24 at
//! most each), the exponents are exact, and the one logarithm is within an ulp of
//! `ln(m)` (`m < 2`): for a row of `n` elements the result is within `(n / 16 + 8)
//! 2^-24 + 2e-7` of the exact sum, plus about an ulp of the result (the bound the tests
//! check, against sums in `f64`, for rows of 1 to 4096 elements). Summing `n` rounded
//! logarithms instead adds a rounding per element at the sum's scale; over rows of 100
//! or more the product form is the more accurate in total (also tested).
//!
//! Cost, 6,800 `f32` in rows of 100 (a thread's part of the notebook's `[128, 100]`
//! kernel): about 2.5k cycles, against 4.1k for the pass of logarithms and 1.0k for the
//! row sums it replaces.
//!
//! The kernel's compiler also takes a scalar added just before the logarithms into the
//! sum (`log(1 + exp(x))`, the logistic log-likelihood): each element has the offset
//! added as that addition would (the same rounding, so the same bits), and the
//! addition's own pass goes, or moves after the sum where later instructions read it
//! (and joins their chain of cheap operations).
//!
//! A row holding anything but positive finite numbers (a zero, a negative number, an
//! infinity, a NaN) is summed element by element, which gives the IEEE result of the
//! sum of logarithms: `-inf` for a zero, `+inf` for `+inf`, NaN for both or for a
//! negative number or a NaN.
//!
//! The AVX-512 loop and the portable one perform the same operations in the same order,
//! so they give the same bits (tested).

use super::math::ln_f32;
use std::mem::MaybeUninit;

/// Lanes of running products (one AVX-512 vector of `f32`).
const LANES: usize = 16;

/// Blocks of [`LANES`] elements between renormalizations of the running products (each
/// then below 2^64, far from `f32`'s range).
const BLOCKS_PER_RENORMALIZATION: usize = 64;

/// The sum of the natural logarithms of `offset + x` over each row of `row` elements of
/// `x` into `out` (one per row); an error where `x` is not `out.len()` rows. The sums
/// are those of the logarithms of the rounded `offset + x`, as an addition before them
/// would give.
pub(crate) fn sum_ln_rows(
    x: &[f32],
    offset: f32,
    row: usize,
    out: &mut [MaybeUninit<f32>],
) -> Result<(), String> {
    if row == 0 || x.len() != out.len() * row {
        return Err("a row sum of logarithms does not fit its rows".into());
    }
    #[cfg(target_arch = "x86_64")]
    if super::simd::level() == super::simd::Level::Avx512 {
        // SAFETY: the level is AVX-512 only where the CPU has it.
        unsafe { sum_ln_rows_avx512(x, offset, row, out) };
        return Ok(());
    }
    super::simd::vectorized(
        #[inline(always)]
        || {
            for (o, r) in out.iter_mut().zip(x.chunks_exact(row)) {
                o.write(sum_ln_row(r, offset));
            }
        },
    );
    Ok(())
}

/// `x`'s mantissa in `[1, 2)` and exponent, exactly, for a positive finite `x` (as
/// `vgetmantps` with the interval `[1, 2)` and `vgetexpps` give them). Branch-free, so
/// that the portable loop vectorizes.
#[inline(always)]
fn split(x: f32) -> (f32, i32) {
    // A subnormal is first scaled into the normal range, exactly.
    let tiny = x < f32::MIN_POSITIVE;
    let scaled = if tiny { x * 16_777_216.0 } else { x };
    let bits = scaled.to_bits();
    let exponent = ((bits >> 23) & 0xff) as i32 - 127 - if tiny { 24 } else { 0 };
    (f32::from_bits((bits & 0x007f_ffff) | 0x3f80_0000), exponent)
}

/// Whether `x` is a positive finite number (zero excluded): what the product form takes.
#[inline(always)]
fn ordinary(x: f32) -> bool {
    x > 0.0 && x < f32::INFINITY
}

/// The sum of the logarithms of `offset + v` over one row, one element at a time (the
/// portable loop).
#[inline(always)]
fn sum_ln_row(r: &[f32], offset: f32) -> f32 {
    if !r.iter().fold(true, |all, &v| all & ordinary(offset + v)) {
        return sum_ln_one_by_one(r, offset);
    }
    let mut products = [1.0f32; LANES];
    let mut exponents = [0i32; LANES];
    let take = |products: &mut [f32; LANES], exponents: &mut [i32; LANES], block: &[f32]| {
        for ((p, e), &v) in products.iter_mut().zip(exponents).zip(block) {
            let (m, k) = split(offset + v);
            *p *= m;
            *e += k;
        }
    };
    let blocks = r.chunks_exact(LANES);
    let rest = blocks.remainder();
    let mut b = 0;
    for block in blocks {
        take(&mut products, &mut exponents, block);
        b += 1;
        if b % BLOCKS_PER_RENORMALIZATION == 0 {
            renormalize(&mut products, &mut exponents);
        }
    }
    if !rest.is_empty() {
        take(&mut products, &mut exponents, rest);
        if (b + 1) % BLOCKS_PER_RENORMALIZATION == 0 {
            renormalize(&mut products, &mut exponents);
        }
    }
    renormalize(&mut products, &mut exponents);
    let mut width = LANES / 2;
    while width > 0 {
        for i in 0..width {
            products[i] *= products[i + width];
        }
        width /= 2;
    }
    let (m, e) = split(products[0]);
    let exponent: i32 = exponents.iter().sum::<i32>() + e;
    (f64::from(exponent) * std::f64::consts::LN_2 + f64::from(ln_f32(m))) as f32
}

/// The sum of the logarithms of `offset + v` over a row, one logarithm per element: the
/// IEEE result for a row holding a zero, an infinity, a negative number or a NaN.
#[inline(always)]
fn sum_ln_one_by_one(r: &[f32], offset: f32) -> f32 {
    r.iter().map(|&v| ln_f32(offset + v)).sum()
}

/// Each running product's exponent moved into its lane's sum, its mantissa kept.
#[inline(always)]
fn renormalize(products: &mut [f32; LANES], exponents: &mut [i32; LANES]) {
    for (p, e) in products.iter_mut().zip(exponents) {
        let (m, k) = split(*p);
        *p = m;
        *e += k;
    }
}

/// [`sum_ln_row`] of every row, sixteen elements a vector, four rows side by side (each
/// row's running products are one dependent chain of multiplications), and the final
/// logarithms sixteen rows a vector.
///
/// # Safety
/// The CPU must have AVX-512 (F and DQ).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
unsafe fn sum_ln_rows_avx512(x: &[f32], offset: f32, row: usize, out: &mut [MaybeUninit<f32>]) {
    let rows = out.len();
    let mut first = 0;
    while first < rows {
        let group = (rows - first).min(LANES);
        let mut mantissas = [1.0f32; LANES];
        let mut exponents = [0i32; LANES];
        let mut ordinary_rows = [true; LANES];
        let mut k = 0;
        while k < group {
            let at = |j: usize| x[(first + k + j) * row..].as_ptr();
            if group - k >= 4 {
                // SAFETY: rows `first + k .. first + k + 4` lie within `x`.
                let parts = unsafe { row_products::<4>([at(0), at(1), at(2), at(3)], offset, row) };
                for (j, part) in parts.into_iter().enumerate() {
                    (mantissas[k + j], exponents[k + j], ordinary_rows[k + j]) = part;
                }
                k += 4;
            } else {
                // SAFETY: row `first + k` lies within `x`.
                let [part] = unsafe { row_products::<1>([at(0)], offset, row) };
                (mantissas[k], exponents[k], ordinary_rows[k]) = part;
                k += 1;
            }
        }
        let mut logs = [MaybeUninit::<f32>::uninit(); LANES];
        if !super::math::ln_f32_slice(&mantissas, &mut logs) {
            for (l, &m) in logs.iter_mut().zip(&mantissas) {
                l.write(ln_f32(m));
            }
        }
        for j in 0..group {
            out[first + j].write(if ordinary_rows[j] {
                // SAFETY: `ln_f32_slice` or the loop above wrote every lane.
                let log = unsafe { logs[j].assume_init() };
                (f64::from(exponents[j]) * std::f64::consts::LN_2 + f64::from(log)) as f32
            } else {
                sum_ln_one_by_one(&x[(first + j) * row..(first + j + 1) * row], offset)
            });
        }
        first += group;
    }
}

/// For each of `K` rows of `row` elements starting at `starts`: the mantissa in `[1, 2)`
/// and the exponent of the product of the mantissas of `offset` plus its elements (as
/// [`sum_ln_row`] forms it, exponents summed), and whether those sums were all positive
/// finite numbers.
///
/// # Safety
/// The CPU must have AVX-512 (F and DQ); each start must begin `row` readable `f32`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
#[inline]
unsafe fn row_products<const K: usize>(
    starts: [*const f32; K],
    offset: f32,
    row: usize,
) -> [(f32, i32, bool); K] {
    use std::arch::x86_64::*;
    let full = row / LANES;
    let tail = row % LANES;
    let tail_mask: __mmask16 = ((1u32 << tail) - 1) as __mmask16;
    let one = _mm512_set1_ps(1.0);
    let offset = _mm512_set1_ps(offset);
    let mut products = [one; K];
    let mut exponents = [_mm512_setzero_ps(); K];
    // A block's elements into the products and exponents: a negative element (or -0)
    // makes its mantissa NaN, a zero or an infinity its exponent infinite, a NaN both, so
    // that a row holding any of them shows at its end.
    macro_rules! take {
        ($j:expr, $v:expr) => {{
            let v = $v;
            let m = _mm512_getmant_ps::<_MM_MANT_NORM_1_2, _MM_MANT_SIGN_NAN>(v);
            products[$j] = _mm512_mul_ps(products[$j], m);
            exponents[$j] = _mm512_add_ps(exponents[$j], _mm512_getexp_ps(v));
        }};
    }
    // The products' exponents moved into the sums, their mantissas kept.
    macro_rules! renormalize {
        ($j:expr) => {{
            exponents[$j] = _mm512_add_ps(exponents[$j], _mm512_getexp_ps(products[$j]));
            products[$j] = _mm512_getmant_ps::<_MM_MANT_NORM_1_2, _MM_MANT_SIGN_NAN>(products[$j]);
        }};
    }
    for b in 0..full {
        for j in 0..K {
            // SAFETY: block `b` lies within the row (`b < row / 16`).
            let v = unsafe { _mm512_loadu_ps(starts[j].add(b * LANES)) };
            take!(j, _mm512_add_ps(offset, v));
            if (b + 1).is_multiple_of(BLOCKS_PER_RENORMALIZATION) {
                renormalize!(j);
            }
        }
    }
    if tail > 0 {
        for j in 0..K {
            // SAFETY: the masked load reads only the `tail` elements left in the row.
            let v = unsafe { _mm512_maskz_loadu_ps(tail_mask, starts[j].add(full * LANES)) };
            // Lanes past the row's end count as 1 (mantissa 1, exponent 0: no change).
            take!(
                j,
                _mm512_mask_blend_ps(tail_mask, one, _mm512_add_ps(offset, v))
            );
            if (full + 1).is_multiple_of(BLOCKS_PER_RENORMALIZATION) {
                renormalize!(j);
            }
        }
    }
    std::array::from_fn(|j| {
        renormalize!(j);
        // Exponents are integers far below 2^24: every order sums them exactly.
        let exponent = _mm512_reduce_add_ps(exponents[j]);
        // Products `i` and `i + 8`, then `i + 4`, `i + 2` and `i + 1`, as `sum_ln_row`.
        let p = products[j];
        let p8 = _mm256_mul_ps(_mm512_castps512_ps256(p), _mm512_extractf32x8_ps::<1>(p));
        let p4 = _mm_mul_ps(_mm256_castps256_ps128(p8), _mm256_extractf128_ps::<1>(p8));
        let p2 = _mm_mul_ps(p4, _mm_movehl_ps(p4, p4));
        let p1 = _mm_cvtss_f32(_mm_mul_ss(p2, _mm_shuffle_ps::<0b01>(p2, p2)));
        if exponent.is_finite() && !p1.is_nan() {
            let (m, e) = split(p1);
            (m, exponent as i32 + e, true)
        } else {
            (1.0, 0, false)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::cpu::simd::{Level, with_level};

    fn run(x: &[f32], row: usize) -> Vec<f32> {
        run_offset(x, 0.0, row)
    }

    fn run_offset(x: &[f32], offset: f32, row: usize) -> Vec<f32> {
        let mut out = vec![MaybeUninit::uninit(); x.len() / row];
        sum_ln_rows(x, offset, row, &mut out).unwrap();
        // SAFETY: `sum_ln_rows` wrote every row's result.
        out.into_iter()
            .map(|o| unsafe { o.assume_init() })
            .collect()
    }

    fn rows(seed: u64, n: usize, spread: f32) -> Vec<f32> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let u = (s >> 40) as f32 / (1u64 << 24) as f32;
                (spread * (u - 0.5)).exp()
            })
            .collect()
    }

    /// Within a few units of 2^-24 of the exact sum (in `f64`) per sixteen elements, over
    /// rows of many lengths and spreads; and over rows of 100 or more, closer to it in
    /// total than summing rounded logarithms in `f32`.
    #[test]
    fn close_to_the_exact_sum() {
        let (mut ours, mut naive_total) = (0.0f64, 0.0f64);
        for &row in &[1usize, 7, 16, 17, 100, 1000, 1100, 4096] {
            for &spread in &[1.0f32, 10.0, 80.0] {
                let x = rows(row as u64 * 31 + spread as u64, row * 3, spread);
                let got = run(&x, row);
                for (r, &g) in x.chunks(row).zip(&got) {
                    let exact: f64 = r.iter().map(|&v| f64::from(v).ln()).sum();
                    let bound =
                        (row as f64 / 16.0 + 8.0) * 6e-8 + f64::from(g).abs() * 1.2e-7 + 2e-7;
                    let err = (f64::from(g) - exact).abs();
                    assert!(err <= bound, "row {row} spread {spread}: {g} vs {exact}");
                    if row >= 100 {
                        let naive: f32 = r.iter().map(|&v| ln_f32(v)).sum();
                        ours += err;
                        naive_total += (f64::from(naive) - exact).abs();
                    }
                }
            }
        }
        assert!(ours < naive_total, "{ours} against {naive_total}");
    }

    /// The AVX-512 loop gives the portable loop's bits, special values and subnormals
    /// included.
    #[test]
    fn every_level_gives_the_same_bits() {
        let mut x = rows(5, 100 * 6 + 1030 * 2, 60.0);
        x[3] = 0.0; // row 0: -inf
        x[101] = f32::INFINITY; // row 1: +inf
        x[205] = -1.0; // row 2: NaN
        x[310] = f32::from_bits(5); // row 3: a subnormal
        x[420] = f32::MAX;
        x[430] = f32::MIN_POSITIVE;
        let mut all = run(&x[..600], 100);
        all.extend(run(&x[600..], 1030));
        let portable = with_level(Level::Avx2, || {
            let mut p = run(&x[..600], 100);
            p.extend(run(&x[600..], 1030));
            p
        });
        assert_eq!(all[0], f32::NEG_INFINITY);
        assert_eq!(all[1], f32::INFINITY);
        assert!(all[2].is_nan());
        let exact: f64 = x[300..400].iter().map(|&v| f64::from(v).ln()).sum();
        assert!(
            (f64::from(all[3]) - exact).abs() < 1e-4,
            "{} vs {exact}",
            all[3]
        );
        for (a, p) in all.iter().zip(&portable) {
            assert!(
                a.to_bits() == p.to_bits() || (a.is_nan() && p.is_nan()),
                "{a} vs {p}"
            );
        }
    }

    /// An offset gives the bits of the offset added first, on every level; a row whose
    /// sums reach zero (`-1 + 1`) gives `-inf`.
    #[test]
    fn an_offset_is_the_addition_before() {
        let mut x = rows(9, 100 * 4 + 37 * 3, 8.0);
        x[150] = -1.0;
        let added: Vec<f32> = x.iter().map(|&v| 1.0 + v).collect();
        let mut with = run_offset(&x[..400], 1.0, 100);
        with.extend(run_offset(&x[400..], 1.0, 37));
        let mut before = run(&added[..400], 100);
        before.extend(run(&added[400..], 37));
        let portable = with_level(Level::Avx2, || {
            let mut p = run_offset(&x[..400], 1.0, 100);
            p.extend(run_offset(&x[400..], 1.0, 37));
            p
        });
        assert_eq!(with[1], f32::NEG_INFINITY);
        for ((w, b), p) in with.iter().zip(&before).zip(&portable) {
            assert_eq!(w.to_bits(), b.to_bits());
            assert_eq!(w.to_bits(), p.to_bits());
        }
    }

    #[test]
    fn rows_that_do_not_fit_are_an_error() {
        let mut out = vec![MaybeUninit::uninit(); 2];
        assert!(sum_ln_rows(&[1.0; 5], 0.0, 2, &mut out).is_err());
        assert!(sum_ln_rows(&[], 0.0, 0, &mut []).is_err());
    }
}
