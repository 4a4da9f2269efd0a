//! Matrix products with a short contraction and few columns (the notebook's `[128, 10]
//! x [10, 100]` and `[128, 100] x [100, 10]`), as one register-blocked loop.
//!
//! A general GEMM call packs both operands and dispatches a micro-kernel through
//! several layers, which for such shapes costs more than the arithmetic (about 2 µs for
//! 64 x 10 x 100 here). When the right-hand side is small ([`is_small`]: it then
//! stays in the L1 cache), this loop keeps a block of output rows by one or more vectors
//! of columns in registers ([`ROWS`] by one vector in the portable loop; on AVX-512 up
//! to six rows by four vectors, see `avx512_f32`) and walks the contraction once, each
//! step one broadcast of a left-hand element and a fused multiply-add per row and
//! vector.
//!
//! Every output element is `fma(a[i, k-1], b[k-1, j], ... fma(a[i, 0], b[0, j], 0))`:
//! the same operations in the same order whatever the blocking, the row count or the
//! instruction set, so a product split between threads by rows equals the whole.

use super::scalar::Float;
use super::simd::vectorized;
use std::mem::MaybeUninit;

/// The largest contraction and column count taken here (the right-hand side then
/// takes at most 64 KiB of `f32`).
const MAX_K: usize = 128;
const MAX_N: usize = 128;

/// Output rows computed together (each left-hand element loaded once per row, each
/// right-hand vector once per block).
const ROWS: usize = 8;

/// Whether a `k x n` right-hand side is multiplied here rather than by `gemm`. Depends
/// on the right-hand side only, so every row of a product is computed the same way.
pub(crate) fn is_small(k: usize, n: usize) -> bool {
    k <= MAX_K && n <= MAX_N
}

/// `out = a b` for `a` (`m x k`, element `(i, p)` at `i * a_rs + p * a_cs`) and `b`
/// (`k x n`, likewise); `out` is `m x n` row-major and is written without being read.
/// `(k, n)` must be [`is_small`]; the operands must hold every element their strides
/// name.
pub(crate) fn small_product<T: Float>(
    out: &mut [MaybeUninit<T>],
    (a, (a_rs, a_cs)): (&[T], (usize, usize)),
    (b, (b_rs, b_cs)): (&[T], (usize, usize)),
    (m, k, n): (usize, usize, usize),
) -> Result<(), String> {
    if !is_small(k, n) {
        return Err(format!("a {k} x {n} right-hand side is not small"));
    }
    let last = |rs: usize, cs: usize, rows: usize, cols: usize| {
        (rows > 0 && cols > 0).then(|| (rows - 1) * rs + (cols - 1) * cs)
    };
    let fits = |x: &[T], rs, cs, rows, cols| last(rs, cs, rows, cols).is_none_or(|l| l < x.len());
    if !fits(a, a_rs, a_cs, m, k) || !fits(b, b_rs, b_cs, k, n) || out.len() < m * n {
        return Err("small product: operands smaller than their shapes".into());
    }
    if m == 0 || n == 0 {
        return Ok(());
    }
    if k == 0 {
        out[..m * n].fill(MaybeUninit::new(T::ZERO));
        return Ok(());
    }
    if b_cs == 1 && T::product_kernel(out, (a, a_rs, a_cs), (b, b_rs), (m, k, n)) {
        return Ok(());
    }
    let lanes = 64 / std::mem::size_of::<T>();
    // Whole vectors of columns are read in place (rows of `b` with unit column
    // stride, else a packed copy); the last partial one from a zero-padded copy.
    let full = n - n % lanes;
    let packed;
    let (body, body_rs) = if b_cs == 1 || full == 0 {
        (b, b_rs)
    } else {
        let mut v = super::alloc(k * full)?;
        for p in 0..k {
            v.extend((0..full).map(|j| b[p * b_rs + j * b_cs]));
        }
        packed = v;
        (&packed[..], full)
    };
    let mut tail = [[T::ZERO; 16]; MAX_K];
    for (p, row) in tail.iter_mut().enumerate().take(k) {
        for (j, x) in row.iter_mut().enumerate().take(n - full) {
            *x = b[p * b_rs + (full + j) * b_cs];
        }
    }
    let tail = tail.as_flattened();
    vectorized(
        #[inline(always)]
        || {
            if lanes == 16 {
                rows_of::<T, 16>(out, (a, a_rs, a_cs), (body, body_rs), tail, (m, k, n));
            } else {
                rows_of::<T, 8>(out, (a, a_rs, a_cs), (body, body_rs), tail, (m, k, n));
            }
        },
    );
    Ok(())
}

/// All rows, [`ROWS`] at a time, then one at a time: the columns of whole vectors from
/// `body` (row `p` at `p * body_rs`), the rest from `tail` (rows of 16).
#[inline(always)]
fn rows_of<T: Float, const W: usize>(
    out: &mut [MaybeUninit<T>],
    (a, a_rs, a_cs): (&[T], usize, usize),
    (body, body_rs): (&[T], usize),
    tail: &[T],
    (m, k, n): (usize, usize, usize),
) {
    let full = n - n % W;
    let mut i = 0;
    while i < m {
        // Blocks of `ROWS` rows, then of 4 and 2 before single ones (a single row's
        // multiply-adds are one dependent chain per vector).
        let r = [ROWS, 4, 2, 1]
            .into_iter()
            .find(|&r| i + r <= m)
            .unwrap_or(1);
        for j in (0..full).step_by(W) {
            rows_block::<T, W>(r, out, (a, a_rs, a_cs), (body, body_rs, j), (i, j), (k, n));
        }
        if full < n {
            rows_block::<T, W>(r, out, (a, a_rs, a_cs), (tail, 16, 0), (i, full), (k, n));
        }
        i += r;
    }
}

/// [`block`] of `r` rows (`ROWS`, 4, 2 or 1). A function, not a closure: only what is
/// inlined into [`vectorized`]'s caller is compiled for the wide instruction set (a
/// closure here was compiled for the baseline, each multiply-add a library call: the
/// notebook's step took 470 µs on an AVX2-only CPU).
#[inline(always)]
fn rows_block<T: Float, const W: usize>(
    r: usize,
    out: &mut [MaybeUninit<T>],
    a: (&[T], usize, usize),
    b: (&[T], usize, usize),
    at: (usize, usize),
    kn: (usize, usize),
) {
    match r {
        ROWS => block::<T, W, ROWS>(out, a, b, at, kn),
        4 => block::<T, W, 4>(out, a, b, at, kn),
        2 => block::<T, W, 2>(out, a, b, at, kn),
        _ => block::<T, W, 1>(out, a, b, at, kn),
    }
}

/// Output rows `i..i + R`, columns `j..j + W` (those below `n`), reading row `p` of the
/// right-hand side's columns at `b[p * b_rs + b_at..]`.
#[inline(always)]
fn block<T: Float, const W: usize, const R: usize>(
    out: &mut [MaybeUninit<T>],
    (a, a_rs, a_cs): (&[T], usize, usize),
    (b, b_rs, b_at): (&[T], usize, usize),
    (i, j): (usize, usize),
    (k, n): (usize, usize),
) {
    // Every index below is checked here once, so the loop runs without checks.
    let a_last = (i + R - 1) * a_rs + (k - 1) * a_cs;
    let b_last = (k - 1) * b_rs + b_at + W - 1;
    assert!(
        a_last < a.len() && b_last < b.len(),
        "small_product checks the operands' extents before any block"
    );
    let mut acc = [[T::ZERO; W]; R];
    for p in 0..k {
        let at = p * b_rs + b_at;
        // SAFETY: `at + W - 1 <= b_last < b.len()` (checked above).
        let bv: [T; W] = std::array::from_fn(|l| unsafe { *b.get_unchecked(at + l) });
        for (r, acc) in acc.iter_mut().enumerate() {
            // SAFETY: at most `a_last < a.len()` (checked above).
            let x = unsafe { *a.get_unchecked((i + r) * a_rs + p * a_cs) };
            for l in 0..W {
                acc[l] = x.mul_add(bv[l], acc[l]);
            }
        }
    }
    let cols = W.min(n - j);
    for (r, acc) in acc.iter().enumerate() {
        let row = &mut out[(i + r) * n + j..];
        if cols == W {
            // Whole vectors: a fixed-length store.
            for l in 0..W {
                row[l].write(acc[l]);
            }
        } else {
            for l in 0..cols {
                row[l].write(acc[l]);
            }
        }
    }
}
/// [`small_product`] of `f32` operands whose right-hand side has unit column stride, on
/// AVX-512 (`false`, nothing written, elsewhere or when the operands do not fit their
/// dimensions).
pub(crate) fn product_f32(
    out: &mut [MaybeUninit<f32>],
    (a, a_rs, a_cs): (&[f32], usize, usize),
    (b, b_rs): (&[f32], usize),
    (m, k, n): (usize, usize, usize),
) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        let fits = m > 0
            && k > 0
            && n > 0
            && (m - 1) * a_rs + (k - 1) * a_cs < a.len()
            && (k - 1) * b_rs + n - 1 < b.len()
            && out.len() >= m * n;
        if fits && super::simd::level() == super::simd::Level::Avx512 {
            // SAFETY: the CPU has AVX-512 (`level`); the operands fit (checked above).
            unsafe { avx512_f32(out, (a, a_rs, a_cs), (b, b_rs), (m, k, n)) };
            return true;
        }
    }
    let _ = (out, a, a_rs, a_cs, b, b_rs, m, k, n);
    false
}

/// The `f32` product on AVX-512: blocks of `R` rows by `C` vectors of 16 columns in
/// registers, so that each right-hand vector loaded feeds `R` multiply-adds and each
/// left-hand element broadcast feeds `C` (groups of four vectors six rows at a time,
/// then the last one to three vectors in taller blocks); the last partial vector of
/// columns is loaded and stored under a mask (no copy of the right-hand side). The same
/// multiply-adds in the same order as [`block`]. Measured on `64 x 10 x 100`: 1.26 µs in
/// blocks of 8 rows by one vector, 1.09 µs so; `64 x 100 x 10`: 1.51 -> 1.34 µs.
///
/// # Safety
/// The CPU supports AVX-512F; `a` holds element `(m - 1) * a_rs + (k - 1) * a_cs`, `b`
/// element `(k - 1) * b_rs + n - 1`, and `out` `m * n` slots; `m, k, n > 0`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn avx512_f32(
    out: &mut [MaybeUninit<f32>],
    a: (&[f32], usize, usize),
    b: (&[f32], usize),
    (m, k, n): (usize, usize, usize),
) {
    let mut j = 0;
    while j < n {
        let vectors = (n - j).div_ceil(16);
        // SAFETY (each call): as required of the caller, with `j < n`.
        match vectors {
            1 => unsafe { avx512_columns::<16, 1>(out, a, b, (m, j, k, n)) },
            2 => unsafe { avx512_columns::<8, 2>(out, a, b, (m, j, k, n)) },
            3 => unsafe { avx512_columns::<8, 3>(out, a, b, (m, j, k, n)) },
            _ => unsafe { avx512_columns::<6, 4>(out, a, b, (m, j, k, n)) },
        }
        j += 16 * vectors.min(4);
    }
}

/// Columns `j..j + 16 C` (those below `n`) of every row of [`avx512_f32`]: blocks of `R`
/// rows, then single rows.
///
/// # Safety
/// As [`avx512_f32`], with `j < n`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn avx512_columns<const R: usize, const C: usize>(
    out: &mut [MaybeUninit<f32>],
    a: (&[f32], usize, usize),
    b: (&[f32], usize),
    (m, j, k, n): (usize, usize, usize, usize),
) {
    let mut i = 0;
    while i + R <= m {
        // SAFETY: as required of the caller, rows `i..i + R` exist.
        unsafe { avx512_block::<R, C>(out, a, b, (i, j, k, n)) };
        i += R;
    }
    // The rest in blocks of 8, 4 and 2 rows before single ones: a single row's
    // multiply-adds form one dependent chain per vector, `k` long (eight leftover rows
    // of a 100-long contraction took 3,200 cycles one by one, 400 as one block).
    // SAFETY (each block): as above, the block's rows exist.
    if R > 8 && i + 8 <= m {
        unsafe { avx512_block::<8, C>(out, a, b, (i, j, k, n)) };
        i += 8;
    }
    if R > 4 && i + 4 <= m {
        unsafe { avx512_block::<4, C>(out, a, b, (i, j, k, n)) };
        i += 4;
    }
    if R > 2 && i + 2 <= m {
        unsafe { avx512_block::<2, C>(out, a, b, (i, j, k, n)) };
        i += 2;
    }
    while i < m {
        unsafe { avx512_block::<1, C>(out, a, b, (i, j, k, n)) };
        i += 1;
    }
}

/// Rows `i..i + R`, columns `j..j + 16 C` (those below `n`) of [`avx512_f32`].
///
/// # Safety
/// As [`avx512_f32`], with `i + R <= m` and `j < n`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn avx512_block<const R: usize, const C: usize>(
    out: &mut [MaybeUninit<f32>],
    (a, a_rs, a_cs): (&[f32], usize, usize),
    (b, b_rs): (&[f32], usize),
    (i, j, k, n): (usize, usize, usize, usize),
) {
    use std::arch::x86_64::*;
    let (a, b) = (a.as_ptr(), b.as_ptr());
    let o = out.as_mut_ptr() as *mut f32;
    // Each vector's lanes below `n` (none for a vector wholly past it).
    let masks: [__mmask16; C] = std::array::from_fn(|c| {
        let start = j + 16 * c;
        if start >= n {
            0
        } else if n - start >= 16 {
            0xffff
        } else {
            (1u16 << (n - start)) - 1
        }
    });
    let mut acc = [[_mm512_setzero_ps(); C]; R];
    for p in 0..k {
        // SAFETY: lanes past `n` are masked off (no access); the rest exist.
        let bv: [__m512; C] = std::array::from_fn(|c| unsafe {
            _mm512_maskz_loadu_ps(masks[c], b.add(p * b_rs + j + 16 * c))
        });
        for (r, acc) in acc.iter_mut().enumerate() {
            // SAFETY: row `i + r < m`, column `p < k`.
            let x = _mm512_set1_ps(unsafe { *a.add((i + r) * a_rs + p * a_cs) });
            for (acc, &bv) in acc.iter_mut().zip(&bv) {
                *acc = _mm512_fmadd_ps(x, bv, *acc);
            }
        }
    }
    for (r, acc) in acc.iter().enumerate() {
        for (c, &acc) in acc.iter().enumerate() {
            // SAFETY: slots below the row's end exist; the rest are masked off.
            unsafe {
                _mm512_mask_storeu_ps(o.add((i + r) * n + j + 16 * c), masks[c], acc);
            }
        }
    }
}
#[cfg(test)]
mod tests {
    use super::{MAX_K, MAX_N, small_product};
    use crate::backend::cpu::simd::{Level, with_level};
    use std::mem::MaybeUninit;

    /// `a b` for `a` `m x k` (row-major, or column-major when `a_t`) and `b` `k x n`
    /// (row-major, or column-major when `b_t`), at `level`.
    fn product(
        level: Level,
        (a, a_t): (&[f32], bool),
        (b, b_t): (&[f32], bool),
        (m, k, n): (usize, usize, usize),
    ) -> Vec<f32> {
        let a_s = if a_t { (1, m) } else { (k, 1) };
        let b_s = if b_t { (1, k) } else { (n, 1) };
        let mut out = vec![MaybeUninit::new(f32::NAN); m * n];
        with_level(level, || {
            small_product(&mut out, (a, a_s), (b, b_s), (m, k, n))
        })
        .unwrap();
        // SAFETY: initialized above (and written by the product).
        out.iter().map(|x| unsafe { x.assume_init() }).collect()
    }

    /// `a b` by the definition: one fused multiply-add per step, in order, from zero
    /// (`a` row-major with rows `a_rs` apart, `b` row-major).
    fn definition(
        (a, a_rs): (&[f32], usize),
        b: &[f32],
        (m, k, n): (usize, usize, usize),
    ) -> Vec<f32> {
        let mut out = vec![0.0f32; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut acc = 0.0f32;
                for p in 0..k {
                    acc = a[i * a_rs + p].mul_add(b[p * n + j], acc);
                }
                out[i * n + j] = acc;
            }
        }
        out
    }

    #[test]
    fn every_instruction_set_and_layout_gives_the_same_bits_as_the_definition() {
        let mut words = crate::backend::cpu::test_inputs::xorshift32(7);
        let mut next = move || (words() % 2001) as f32 / 1000.0 - 1.0;
        // Every block shape with whole blocks and leftover rows, and column counts
        // ending in each of the narrower blocks.
        let shapes = [
            (1, 1, 1),
            (3, 7, 33),
            (9, 10, 100),
            (17, 100, 10),
            (8, MAX_K, MAX_N),
            (23, 3, 20),
            (13, 5, 40),
            (19, 4, 70),
            (33, 2, 16),
            (25, 10, 100),
            (7, 6, 49),
            (40, 3, 64),
        ];
        for (m, k, n) in shapes {
            let a: Vec<f32> = (0..m * k).map(|_| next()).collect();
            let b: Vec<f32> = (0..k * n).map(|_| next()).collect();
            let want = definition((&a, k), &b, (m, k, n));
            let transposed = |x: &[f32], r: usize, c: usize| -> Vec<f32> {
                (0..r * c).map(|t| x[(t % r) * c + t / r]).collect()
            };
            let (a_t, b_t) = (transposed(&a, m, k), transposed(&b, k, n));
            for level in [Level::Avx512, Level::Avx2, Level::Baseline] {
                for (a, b) in [((&a, false), (&b, false)), ((&a_t, true), (&b_t, true))] {
                    let got = product(level, (a.0, a.1), (b.0, b.1), (m, k, n));
                    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&got), bits(&want), "{m}x{k}x{n} at {level:?}");
                }
            }
        }
    }

    proptest::proptest! {
        /// Any shape the kernel takes, any split of its rows (as a row-split region's
        /// threads make), and a left-hand side with a longer row stride: every element
        /// is the definition's chain of fused multiply-adds, bit for bit.
        #[test]
        fn random_shapes_and_row_splits_give_the_definition_bit_for_bit(
            m in 1usize..48,
            k in 1usize..=MAX_K,
            n in 1usize..=MAX_N,
            pad in 0usize..5,
            split in 0usize..48,
            seed in 1u32..u32::MAX,
        ) {
            let mut words = crate::backend::cpu::test_inputs::xorshift32(seed);
            let mut next = move || (words() % 2001) as f32 / 1000.0 - 1.0;
            let a_rs = k + pad;
            let a: Vec<f32> = (0..m * a_rs).map(|_| next()).collect();
            let b: Vec<f32> = (0..k * n).map(|_| next()).collect();
            let want = definition((&a, a_rs), &b, (m, k, n));
            let split = split.min(m);
            let mut got = vec![MaybeUninit::new(f32::NAN); m * n];
            let (top, bottom) = got.split_at_mut(split * n);
            if split > 0 {
                small_product(top, (&a, (a_rs, 1)), (&b, (n, 1)), (split, k, n)).unwrap();
            }
            if split < m {
                let rest = &a[split * a_rs..];
                small_product(bottom, (rest, (a_rs, 1)), (&b, (n, 1)), (m - split, k, n))
                    .unwrap();
            }
            // SAFETY: initialized above (and written by the products).
            let got: Vec<u32> = got.iter().map(|x| unsafe { x.assume_init() }.to_bits()).collect();
            let want: Vec<u32> = want.iter().map(|x| x.to_bits()).collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn operands_short_of_their_shapes_are_errors() {
        let mut out = vec![MaybeUninit::new(0.0f32); 4];
        let r = small_product(
            &mut out,
            (&[1.0; 3], (2, 1)),
            (&[1.0; 4], (2, 1)),
            (2, 2, 2),
        );
        assert_eq!(
            r.unwrap_err(),
            "small product: operands smaller than their shapes"
        );
        let big = vec![0.0f32; 200 * 2];
        let r = small_product(&mut out, (&big, (200, 1)), (&big, (2, 1)), (1, 200, 2));
        assert_eq!(r.unwrap_err(), "a 200 x 2 right-hand side is not small");
    }
}
