//! Per-dtype scalar semantics shared by the kernels (XLA conventions).
//!
//! Every kernel is generic over these traits, so the rules for wrapping integer
//! arithmetic, division by zero, NaN-propagating `max`/`min` and shifts live in one
//! place. Operations a shape rule rejects for a dtype (say `add` on `bool`) still have a
//! panic-free definition here, so no code path can abort.

use crate::array::Element;

/// Arithmetic every dtype supports (integers wrap; `bool` uses or/and where defined).
pub(crate) trait Scalar: Element + PartialOrd {
    /// The additive identity.
    const ZERO: Self;
    /// The multiplicative identity.
    const ONE: Self;
    /// The identity of `max` (`-inf` for floats, `false` for bool).
    const LOWEST: Self;
    /// The identity of `min` (`+inf` for floats, `true` for bool).
    const HIGHEST: Self;
    /// `self + o` (wrapping).
    fn add(self, o: Self) -> Self;
    /// `self - o` (wrapping).
    fn sub(self, o: Self) -> Self;
    /// `self * o` (wrapping).
    fn mul(self, o: Self) -> Self;
    /// `self / o` with XLA's integer conventions.
    fn div(self, o: Self) -> Self;
    /// `self % o` with the sign of `self`, XLA's integer conventions.
    fn rem(self, o: Self) -> Self;
    /// The larger value; NaN if either is NaN.
    fn max(self, o: Self) -> Self;
    /// The smaller value; NaN if either is NaN.
    fn min(self, o: Self) -> Self;
    /// `-self` (wrapping).
    fn neg(self) -> Self;
    /// `|self|` (wrapping).
    fn abs(self) -> Self;
    /// `-1`, `0` or `1`; floats keep `-0.0` and NaN.
    fn sign(self) -> Self;
    /// Whether the value is a float NaN.
    fn is_nan(self) -> bool;
    /// `n` converted with `as` semantics (used by `iota`).
    fn from_usize(n: usize) -> Self;
    /// The sum of `xs` (pairwise for floats, wrapping for integers).
    fn sum(xs: &[Self]) -> Self {
        xs.iter().fold(Self::ZERO, |a, &x| a.add(x))
    }
    /// `out[r] = sum(row r)` of `x` in rows of `row` elements, each row summed in exactly
    /// the order of [`Scalar::sum`].
    #[inline(always)]
    fn sum_rows(x: &[Self], row: usize, out: &mut [std::mem::MaybeUninit<Self>]) {
        for (o, r) in out.iter_mut().zip(x.chunks_exact(row.max(1))) {
            o.write(Self::sum(r));
        }
    }
    /// `out[c] = sum(column c)` of the row-major `x` with `out.len()` columns, each
    /// column summed in exactly the order of [`Scalar::sum`].
    fn sum_columns(x: &[Self], out: &mut [Self]) {
        out.fill(Self::ZERO);
        for row in x.chunks_exact(out.len().max(1)) {
            for (o, &v) in out.iter_mut().zip(row) {
                *o = o.add(v);
            }
        }
    }
}

/// Bitwise operations of the integer and bool dtypes.
pub(crate) trait Bits: Scalar {
    /// Bitwise / logical and.
    fn and(self, o: Self) -> Self;
    /// Bitwise / logical or.
    fn or(self, o: Self) -> Self;
    /// Bitwise / logical exclusive or.
    fn xor(self, o: Self) -> Self;
    /// Bitwise / logical not.
    fn not(self) -> Self;
    /// `self << o`, 0 when `o` (as unsigned) is 32 or more.
    fn shl(self, o: Self) -> Self;
    /// Logical `self >> o`, 0 when `o` (as unsigned) is 32 or more.
    fn shr(self, o: Self) -> Self;
}

/// Transcendental and rounding functions of the float dtypes.
pub(crate) trait Float: Scalar {
    fn exp(self) -> Self;
    /// [`Float::exp`] of a whole slice by an instruction-set-specific kernel with the
    /// same results, or `false` (nothing written) where there is none.
    fn exp_slice(_x: &[Self], _out: &mut [std::mem::MaybeUninit<Self>]) -> bool {
        false
    }
    fn ln(self) -> Self;
    /// [`Float::ln`] of a whole slice, as [`Float::exp_slice`].
    fn ln_slice(_x: &[Self], _out: &mut [std::mem::MaybeUninit<Self>]) -> bool {
        false
    }
    /// [`Float::erf_inv`] of a whole slice, as [`Float::exp_slice`].
    fn erf_inv_slice(_x: &[Self], _out: &mut [std::mem::MaybeUninit<Self>]) -> bool {
        false
    }
    fn ln_1p(self) -> Self;
    fn exp_m1(self) -> Self;
    fn sqrt(self) -> Self;
    fn rsqrt(self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn tanh(self) -> Self;
    fn logistic(self) -> Self;
    fn erf_inv(self) -> Self;
    fn erf(self) -> Self;
    fn mul_add(self, b: Self, c: Self) -> Self;
    /// `small_dot`'s product (`a` with its row and column strides, `b` with its row
    /// stride and unit column stride, `(m, k, n)`) by an instruction-set-specific kernel
    /// with the same results, or `false` (nothing written) where there is none.
    fn product_kernel(
        _out: &mut [std::mem::MaybeUninit<Self>],
        _a: (&[Self], usize, usize),
        _b: (&[Self], usize),
        _dims: (usize, usize, usize),
    ) -> bool {
        false
    }
    fn floor(self) -> Self;
    fn ceil(self) -> Self;
    fn round(self) -> Self;
    fn pow(self, o: Self) -> Self;
}

/// Below this length a float sum is a plain loop; above it the halves are summed
/// recursively (NumPy's pairwise summation), which bounds the rounding error by
/// `O(log n)` instead of `O(n)`.
pub(crate) const PAIRWISE_BLOCK: usize = 128;

/// The pairwise sum; short sums are one loop (inlined into vectorized kernels), long
/// ones recurse.
#[inline(always)]
fn pairwise<T: Scalar>(xs: &[T]) -> T {
    if xs.len() <= PAIRWISE_BLOCK {
        block_sum(xs)
    } else {
        pairwise_halves(xs)
    }
}

/// The sums of the two halves (split at a multiple of 8), added, down to leaves of at
/// most [`PAIRWISE_BLOCK`] elements, each summed by [`Scalar::sum_rows`] (a vector loop:
/// this recursive function is never inlined into a vectorized kernel, so a leaf summed
/// here by [`block_sum`] would run at the baseline instruction set).
fn pairwise_halves<T: Scalar>(xs: &[T]) -> T {
    if xs.len() <= PAIRWISE_BLOCK {
        let mut sum = [std::mem::MaybeUninit::new(T::ZERO)];
        T::sum_rows(xs, xs.len(), &mut sum);
        // SAFETY: initialized above (and overwritten by the row's sum).
        return unsafe { sum[0].assume_init() };
    }
    let half = (xs.len() / 2) / 8 * 8;
    let (a, b) = xs.split_at(half);
    pairwise_halves(a).add(pairwise_halves(b))
}

/// Eight accumulators added pairwise, in the order [`block_sum`] adds them.
#[inline(always)]
fn combine8<T: Scalar>(a: &[T; 8]) -> T {
    ((a[0].add(a[1])).add(a[2].add(a[3]))).add((a[4].add(a[5])).add(a[6].add(a[7])))
}

/// Eight interleaved accumulators, as in NumPy, combined pairwise at the end.
#[inline(always)]
fn block_sum<T: Scalar>(xs: &[T]) -> T {
    let mut acc = [T::ZERO; 8];
    let chunks = xs.chunks_exact(8);
    let rest = chunks.remainder();
    for c in chunks {
        for (a, &x) in acc.iter_mut().zip(c) {
            *a = a.add(x);
        }
    }
    let mut s = combine8(&acc);
    for &x in rest {
        s = s.add(x);
    }
    s
}

/// [`pairwise`] of each row of `row` elements of `x` into `out`. Short rows (one
/// [`block_sum`] each) are summed four at a time, their accumulators interleaved so that
/// the additions of different rows overlap instead of waiting on one another; the
/// additions of each row are the same, in the same order.
#[inline(always)]
fn pairwise_rows<T: Scalar>(x: &[T], row: usize, out: &mut [std::mem::MaybeUninit<T>]) {
    if row == 0 || row > PAIRWISE_BLOCK {
        for (o, r) in out.iter_mut().zip(x.chunks_exact(row.max(1))) {
            o.write(pairwise(r));
        }
        return;
    }
    let full = row / 8 * 8;
    let n = (x.len() / row).min(out.len());
    let quads = n / 4;
    for q in 0..quads {
        let quad: [&[T]; 4] = std::array::from_fn(|i| &x[(4 * q + i) * row..(4 * q + i + 1) * row]);
        let mut acc = [[T::ZERO; 8]; 4];
        for c in (0..full).step_by(8) {
            for (a, r) in acc.iter_mut().zip(&quad) {
                for (s, &v) in a.iter_mut().zip(&r[c..c + 8]) {
                    *s = s.add(v);
                }
            }
        }
        for (i, (a, r)) in acc.iter().zip(&quad).enumerate() {
            let mut s = combine8(a);
            for &v in &r[full..] {
                s = s.add(v);
            }
            out[4 * q + i].write(s);
        }
    }
    for r in 4 * quads..n {
        out[r].write(block_sum(&x[r * row..(r + 1) * row]));
    }
}

/// [`pairwise_rows`] of `f32` rows: with AVX2, short rows are summed by one vector
/// loop whose eight lanes are [`block_sum`]'s eight accumulators, combined as
/// [`combine8`] combines them (the same additions in the same order, so the same bits).
#[inline(always)]
fn sum_rows_f32(x: &[f32], row: usize, out: &mut [std::mem::MaybeUninit<f32>]) {
    #[cfg(target_arch = "x86_64")]
    if row > 0
        && row <= PAIRWISE_BLOCK
        && x.len() == out.len() * row
        && super::simd::level() != super::simd::Level::Baseline
    {
        // SAFETY: AVX2 is available at every level but the baseline; the lengths match.
        unsafe { short_rows_f32_avx2(x, row, out) };
        return;
    }
    pairwise_rows(x, row, out)
}

/// Each row of `row` (at most [`PAIRWISE_BLOCK`]) elements of `x` summed as
/// [`block_sum`] sums it, into `out` (one per row).
///
/// # Safety
/// The CPU must have AVX2, and `x.len() == out.len() * row`.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn short_rows_f32_avx2(x: &[f32], row: usize, out: &mut [std::mem::MaybeUninit<f32>]) {
    use std::arch::x86_64::*;
    let full = row / 8 * 8;
    for (o, r) in out.iter_mut().zip(x.chunks_exact(row)) {
        let mut acc = _mm256_setzero_ps();
        for c in (0..full).step_by(8) {
            // SAFETY: c + 8 <= full <= row elements of the row.
            acc = _mm256_add_ps(acc, unsafe { _mm256_loadu_ps(r.as_ptr().add(c)) });
        }
        // ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)), each sum's left operand
        // first: the even lanes, then the first of each pair of pairs.
        let pairs = _mm256_add_ps(
            _mm256_shuffle_ps::<0b10_00_10_00>(acc, acc),
            _mm256_shuffle_ps::<0b11_01_11_01>(acc, acc),
        );
        let quads = _mm256_add_ps(
            _mm256_shuffle_ps::<0b00_00_00_00>(pairs, pairs),
            _mm256_shuffle_ps::<0b01_01_01_01>(pairs, pairs),
        );
        let lo = _mm256_castps256_ps128(quads);
        let hi = _mm256_extractf128_ps::<1>(quads);
        let mut s = _mm_cvtss_f32(_mm_add_ss(lo, hi));
        for &v in &r[full..] {
            s += v;
        }
        o.write(s);
    }
}

/// The leaves of [`pairwise`] over `len` elements: the ranges summed by one
/// [`block_sum`] each, in order. Summing each leaf with [`Scalar::sum`] and combining the
/// sums with [`pairwise_combine`] gives `pairwise` of the whole, bit for bit, so a long
/// row can be summed a few leaves at a time.
pub(crate) fn pairwise_leaves(len: usize) -> Vec<std::ops::Range<usize>> {
    fn walk(start: usize, len: usize, out: &mut Vec<std::ops::Range<usize>>) {
        if len <= PAIRWISE_BLOCK {
            out.push(start..start + len);
        } else {
            let half = (len / 2) / 8 * 8;
            walk(start, half, out);
            walk(start + half, len - half, out);
        }
    }
    let mut out = Vec::new();
    walk(0, len, &mut out);
    out
}

/// [`pairwise`] of `len` elements from the sums of its [`pairwise_leaves`], in order.
pub(crate) fn pairwise_combine<T: Scalar>(len: usize, leaf_sums: &[T]) -> T {
    fn walk<T: Scalar>(len: usize, sums: &mut std::slice::Iter<'_, T>) -> T {
        if len <= PAIRWISE_BLOCK {
            sums.next().copied().unwrap_or(T::ZERO)
        } else {
            let half = (len / 2) / 8 * 8;
            let a = walk(half, sums);
            a.add(walk(len - half, sums))
        }
    }
    walk(len, &mut leaf_sums.iter())
}

/// [`pairwise`] of every column of the row-major `x` (`out.len()` columns) at once:
/// the same tree of additions per column, so each result equals `pairwise` of its
/// column bit for bit, without gathering the columns.
fn pairwise_columns<T: Scalar>(x: &[T], out: &mut [T]) {
    let cols = out.len();
    if cols == 0 {
        return;
    }
    let rows = x.len() / cols;
    if rows <= PAIRWISE_BLOCK {
        block_sum_columns(&x[..rows * cols], out);
    } else {
        let half = (rows / 2) / 8 * 8;
        let (a, b) = x[..rows * cols].split_at(half * cols);
        let mut second = vec![T::ZERO; cols];
        pairwise_columns(a, out);
        pairwise_columns(b, &mut second);
        for (o, s) in out.iter_mut().zip(second) {
            *o = o.add(s);
        }
    }
}

/// [`block_sum`] of every column of the row-major `x` (`out.len()` columns).
fn block_sum_columns<T: Scalar>(x: &[T], out: &mut [T]) {
    let cols = out.len();
    let full = x.len() / cols / 8 * 8;
    let mut acc = vec![T::ZERO; 8 * cols];
    accumulate8(&mut acc, &x[..full * cols], cols, 0);
    finish8(&acc, &x[full * cols..], out);
}

/// Adds the rows of `x` (`cols` columns; row `r` is row `first + r` of the block) into
/// the interleaved accumulators: accumulator `j` of column `c` at `acc[j * cols + c]`
/// takes the rows `j` modulo 8.
///
/// Eight consecutive rows starting at a multiple of 8 lie in memory exactly as the
/// accumulators do, so the rows are added as contiguous runs of `acc.len()` elements (a
/// vector loop), not row by row: a row of a few columns is too short for full vectors,
/// and each accumulator row stored and reloaded at an offset of `cols` elements stalls
/// store-to-load forwarding (about 12 cycles a row at 10 columns, against 1.5).
#[inline(always)]
fn accumulate8<T: Scalar>(acc: &mut [T], x: &[T], cols: usize, first: usize) {
    let block = acc.len();
    if block == 0 {
        return;
    }
    let start = ((first % 8) * cols).min(block);
    let (head, rest) = x.split_at((block - start).min(x.len()));
    add_into(&mut acc[start..], head);
    for run in rest.chunks(block) {
        add_into(acc, run);
    }
}

/// `acc[i] += x[i]` over the shorter of the two.
#[inline(always)]
fn add_into<T: Scalar>(acc: &mut [T], x: &[T]) {
    for (a, &v) in acc.iter_mut().zip(x) {
        *a = a.add(v);
    }
}

/// Each column's eight accumulators combined pairwise, then the rows `rest` (fewer than
/// 8) added in order.
#[inline(always)]
fn finish8<T: Scalar>(acc: &[T], rest: &[T], out: &mut [T]) {
    let cols = out.len();
    for (c, o) in out.iter_mut().enumerate() {
        *o = combine8(&std::array::from_fn(|j| acc[j * cols + c]));
    }
    for row in rest.chunks_exact(cols) {
        for (o, &v) in out.iter_mut().zip(row) {
            *o = o.add(v);
        }
    }
}

/// Whether the column sums of `rows` rows ([`Scalar::sum_columns`] of floats) can be
/// computed in two parts split after row `first`: [`columns_head`] of the first part,
/// then [`columns_tail`] of the rest. True where the summation tree allows it: a single
/// block split anywhere before its last partial group of 8 rows (the second part adds
/// each row into the interleaved accumulator the whole sum would), or a tree whose first
/// split is at `first`.
pub(crate) fn columns_split(rows: usize, first: usize) -> bool {
    if rows <= PAIRWISE_BLOCK {
        first > 0 && first <= rows / 8 * 8
    } else {
        first == (rows / 2) / 8 * 8
    }
}

/// The length of the summation state [`columns_head`] leaves for `cols` column sums of
/// `rows` rows: a block's interleaved accumulators (`8 * cols`), or the first half's
/// sums (`cols`).
pub(crate) fn columns_head_len(rows: usize, cols: usize) -> usize {
    if rows <= PAIRWISE_BLOCK {
        8 * cols
    } else {
        cols
    }
}

/// Writes into `state` ([`columns_head_len`] long) the state of the column sums of
/// `rows` rows after their first `first` rows `x` (a split [`columns_split`] allows).
/// Fails when the parts do not have the lengths those row counts give.
pub(crate) fn columns_head<T: Scalar>(
    x: &[T],
    (rows, first): (usize, usize),
    state: &mut [T],
) -> Result<(), String> {
    let per_column = if rows <= PAIRWISE_BLOCK { 8 } else { 1 };
    let cols = state.len() / per_column;
    if !columns_split(rows, first) || state.len() != per_column * cols || x.len() != first * cols {
        return Err("column sum parts do not fit their rows".into());
    }
    state.fill(T::ZERO);
    if rows <= PAIRWISE_BLOCK {
        accumulate8(state, x, cols, 0);
    } else {
        pairwise_columns(x, state);
    }
    Ok(())
}

/// The column sums of `rows` rows from the [`columns_head`] `state` of their first
/// `first` rows and the remaining rows `x`: bit for bit those of all the rows at once.
/// Fails when the parts do not have the lengths those row counts give.
pub(crate) fn columns_tail<T: Scalar>(
    state: &[T],
    x: &[T],
    (rows, first): (usize, usize),
    out: &mut [T],
) -> Result<(), String> {
    let cols = out.len();
    let head = columns_head_len(rows, cols);
    if !columns_split(rows, first) || state.len() != head || x.len() != (rows - first) * cols {
        return Err("column sum parts do not fit their rows".into());
    }
    if rows <= PAIRWISE_BLOCK {
        // The accumulators on the stack where they fit (a region's sums of a few
        // columns), not in a new allocation.
        let mut stack = [T::ZERO; 256];
        let mut heap = Vec::new();
        let acc = if state.len() <= stack.len() {
            let on_stack = &mut stack[..state.len()];
            on_stack.copy_from_slice(state);
            on_stack
        } else {
            heap.extend_from_slice(state);
            &mut heap[..]
        };
        let full = (rows / 8 * 8 - first) * cols;
        accumulate8(acc, &x[..full], cols, first);
        finish8(acc, &x[full..], out);
    } else {
        pairwise_columns(x, out);
        for (o, &h) in out.iter_mut().zip(state) {
            *o = h.add(*o);
        }
    }
    Ok(())
}

macro_rules! float_scalar {
    ($t:ty, $exp:path, $exp_slice:path, $ln:path, $ln_slice:path, $ln_1p:path, $exp_m1:path, $tanh:path, $erf_inv:path, $erf_inv_slice:path, $erf:path, $product:path, $sum_rows:path) => {
        impl Scalar for $t {
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const LOWEST: Self = <$t>::NEG_INFINITY;
            const HIGHEST: Self = <$t>::INFINITY;
            #[inline(always)]
            fn add(self, o: Self) -> Self {
                self + o
            }
            #[inline(always)]
            fn sub(self, o: Self) -> Self {
                self - o
            }
            #[inline(always)]
            fn mul(self, o: Self) -> Self {
                self * o
            }
            #[inline(always)]
            fn div(self, o: Self) -> Self {
                self / o
            }
            #[inline(always)]
            fn rem(self, o: Self) -> Self {
                self % o
            }
            #[inline(always)]
            fn max(self, o: Self) -> Self {
                if self.is_nan() || o.is_nan() {
                    <$t>::NAN
                } else if self > o {
                    self
                } else {
                    o
                }
            }
            #[inline(always)]
            fn min(self, o: Self) -> Self {
                if self.is_nan() || o.is_nan() {
                    <$t>::NAN
                } else if self < o {
                    self
                } else {
                    o
                }
            }
            #[inline(always)]
            fn neg(self) -> Self {
                -self
            }
            #[inline(always)]
            fn abs(self) -> Self {
                <$t>::abs(self)
            }
            #[inline(always)]
            fn sign(self) -> Self {
                if self > 0.0 {
                    1.0
                } else if self < 0.0 {
                    -1.0
                } else {
                    self
                }
            }
            #[inline(always)]
            fn is_nan(self) -> bool {
                <$t>::is_nan(self)
            }
            #[inline(always)]
            fn from_usize(n: usize) -> Self {
                n as $t
            }
            #[inline(always)]
            fn sum(xs: &[Self]) -> Self {
                pairwise(xs)
            }
            fn sum_columns(x: &[Self], out: &mut [Self]) {
                pairwise_columns(x, out)
            }
            #[inline(always)]
            fn sum_rows(x: &[Self], row: usize, out: &mut [std::mem::MaybeUninit<Self>]) {
                $sum_rows(x, row, out)
            }
        }

        impl Float for $t {
            #[inline(always)]
            fn exp(self) -> Self {
                $exp(self)
            }
            fn exp_slice(x: &[Self], out: &mut [std::mem::MaybeUninit<Self>]) -> bool {
                $exp_slice(x, out)
            }
            fn ln_slice(x: &[Self], out: &mut [std::mem::MaybeUninit<Self>]) -> bool {
                $ln_slice(x, out)
            }
            fn erf_inv_slice(x: &[Self], out: &mut [std::mem::MaybeUninit<Self>]) -> bool {
                $erf_inv_slice(x, out)
            }
            fn product_kernel(
                out: &mut [std::mem::MaybeUninit<Self>],
                a: (&[Self], usize, usize),
                b: (&[Self], usize),
                dims: (usize, usize, usize),
            ) -> bool {
                $product(out, a, b, dims)
            }
            #[inline(always)]
            fn ln(self) -> Self {
                $ln(self)
            }
            #[inline(always)]
            fn ln_1p(self) -> Self {
                $ln_1p(self)
            }
            #[inline(always)]
            fn exp_m1(self) -> Self {
                $exp_m1(self)
            }
            #[inline(always)]
            fn sqrt(self) -> Self {
                <$t>::sqrt(self)
            }
            #[inline(always)]
            fn rsqrt(self) -> Self {
                1.0 / <$t>::sqrt(self)
            }
            #[inline(always)]
            fn sin(self) -> Self {
                <$t>::sin(self)
            }
            #[inline(always)]
            fn cos(self) -> Self {
                <$t>::cos(self)
            }
            #[inline(always)]
            fn tanh(self) -> Self {
                $tanh(self)
            }
            #[inline(always)]
            fn logistic(self) -> Self {
                // e^-|x| never overflows; the branch-free form vectorizes.
                let e = $exp(-self.abs());
                let r = 1.0 / (1.0 + e);
                if self >= 0.0 { r } else { e * r }
            }
            #[inline(always)]
            fn erf_inv(self) -> Self {
                $erf_inv(self)
            }
            #[inline(always)]
            fn erf(self) -> Self {
                $erf(self)
            }
            #[inline(always)]
            fn mul_add(self, b: Self, c: Self) -> Self {
                <$t>::mul_add(self, b, c)
            }
            #[inline(always)]
            fn floor(self) -> Self {
                <$t>::floor(self)
            }
            #[inline(always)]
            fn ceil(self) -> Self {
                <$t>::ceil(self)
            }
            #[inline(always)]
            fn round(self) -> Self {
                <$t>::round_ties_even(self)
            }
            #[inline(always)]
            fn pow(self, o: Self) -> Self {
                <$t>::powf(self, o)
            }
        }
    };
}
/// No instruction-set-specific slice kernel: the generic loop runs.
fn no_slice_kernel<T>(_x: &[T], _out: &mut [std::mem::MaybeUninit<T>]) -> bool {
    false
}

fn no_product_kernel<T>(
    _out: &mut [std::mem::MaybeUninit<T>],
    _a: (&[T], usize, usize),
    _b: (&[T], usize),
    _dims: (usize, usize, usize),
) -> bool {
    false
}

// Both use the vectorizable kernels of `math.rs` and `math_f64.rs` (bounds there).
float_scalar!(
    f32,
    super::math::exp_f32,
    super::math::exp_f32_slice,
    super::math::ln_f32,
    super::math::ln_f32_slice,
    super::math::ln_1p_f32,
    super::math::exp_m1_f32,
    super::math::tanh_f32,
    super::erf_inv::erf_inv_f32,
    super::erf_inv::erf_inv_f32_slice,
    super::erf::erf_f32,
    super::small_dot::product_f32,
    sum_rows_f32
);
float_scalar!(
    f64,
    super::math_f64::exp_f64,
    no_slice_kernel,
    super::math_f64::ln_f64,
    no_slice_kernel,
    super::math_f64::ln_1p_f64,
    super::math_f64::exp_m1_f64,
    super::math_f64::tanh_f64,
    super::erf_inv::erf_inv_f64,
    no_slice_kernel,
    super::erf::erf_f64,
    no_product_kernel,
    pairwise_rows
);

macro_rules! int_common {
    () => {
        #[inline(always)]
        fn add(self, o: Self) -> Self {
            self.wrapping_add(o)
        }
        #[inline(always)]
        fn sub(self, o: Self) -> Self {
            self.wrapping_sub(o)
        }
        #[inline(always)]
        fn mul(self, o: Self) -> Self {
            self.wrapping_mul(o)
        }
        #[inline(always)]
        fn max(self, o: Self) -> Self {
            Ord::max(self, o)
        }
        #[inline(always)]
        fn min(self, o: Self) -> Self {
            Ord::min(self, o)
        }
        #[inline(always)]
        fn neg(self) -> Self {
            self.wrapping_neg()
        }
        #[inline(always)]
        fn is_nan(self) -> bool {
            false
        }
        #[inline(always)]
        fn from_usize(n: usize) -> Self {
            n as Self
        }
    };
}

impl Scalar for i32 {
    const ZERO: Self = 0;
    const ONE: Self = 1;
    const LOWEST: Self = i32::MIN;
    const HIGHEST: Self = i32::MAX;
    int_common!();
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        if o == 0 { -1 } else { self.wrapping_div(o) }
    }
    #[inline(always)]
    fn rem(self, o: Self) -> Self {
        if o == 0 { self } else { self.wrapping_rem(o) }
    }
    #[inline(always)]
    fn abs(self) -> Self {
        self.wrapping_abs()
    }
    #[inline(always)]
    fn sign(self) -> Self {
        self.signum()
    }
}

impl Scalar for u32 {
    const ZERO: Self = 0;
    const ONE: Self = 1;
    const LOWEST: Self = 0;
    const HIGHEST: Self = u32::MAX;
    int_common!();
    #[inline(always)]
    fn div(self, o: Self) -> Self {
        self.checked_div(o).unwrap_or(u32::MAX)
    }
    #[inline(always)]
    fn rem(self, o: Self) -> Self {
        if o == 0 { self } else { self % o }
    }
    #[inline(always)]
    fn abs(self) -> Self {
        self
    }
    #[inline(always)]
    fn sign(self) -> Self {
        u32::from(self > 0)
    }
}

/// `bool` as the field with or/and: only `max` (or), `min` (and) and the bitwise ops are
/// accepted by the shape rules; the rest are total but never reached.
impl Scalar for bool {
    const ZERO: Self = false;
    const ONE: Self = true;
    const LOWEST: Self = false;
    const HIGHEST: Self = true;
    #[inline(always)]
    fn add(self, o: Self) -> Self {
        self | o
    }
    #[inline(always)]
    fn sub(self, o: Self) -> Self {
        self ^ o
    }
    #[inline(always)]
    fn mul(self, o: Self) -> Self {
        self & o
    }
    #[inline(always)]
    fn div(self, _o: Self) -> Self {
        self
    }
    #[inline(always)]
    fn rem(self, _o: Self) -> Self {
        self
    }
    #[inline(always)]
    fn max(self, o: Self) -> Self {
        self | o
    }
    #[inline(always)]
    fn min(self, o: Self) -> Self {
        self & o
    }
    #[inline(always)]
    fn neg(self) -> Self {
        self
    }
    #[inline(always)]
    fn abs(self) -> Self {
        self
    }
    #[inline(always)]
    fn sign(self) -> Self {
        self
    }
    #[inline(always)]
    fn is_nan(self) -> bool {
        false
    }
    #[inline(always)]
    fn from_usize(n: usize) -> Self {
        n != 0
    }
}

macro_rules! int_bits {
    ($t:ty) => {
        impl Bits for $t {
            #[inline(always)]
            fn and(self, o: Self) -> Self {
                self & o
            }
            #[inline(always)]
            fn or(self, o: Self) -> Self {
                self | o
            }
            #[inline(always)]
            fn xor(self, o: Self) -> Self {
                self ^ o
            }
            #[inline(always)]
            fn not(self) -> Self {
                !self
            }
            #[inline(always)]
            fn shl(self, o: Self) -> Self {
                // The amount is read as unsigned: negative i32 amounts are >= 32.
                let amount = o as u32;
                if amount >= 32 { 0 } else { self << amount }
            }
            #[inline(always)]
            fn shr(self, o: Self) -> Self {
                let amount = o as u32;
                if amount >= 32 {
                    0
                } else {
                    ((self as u32) >> amount) as $t
                }
            }
        }
    };
}
int_bits!(i32);
int_bits!(u32);

impl Bits for bool {
    #[inline(always)]
    fn and(self, o: Self) -> Self {
        self & o
    }
    #[inline(always)]
    fn or(self, o: Self) -> Self {
        self | o
    }
    #[inline(always)]
    fn xor(self, o: Self) -> Self {
        self ^ o
    }
    #[inline(always)]
    fn not(self) -> Self {
        !self
    }
    #[inline(always)]
    fn shl(self, _o: Self) -> Self {
        self
    }
    #[inline(always)]
    fn shr(self, _o: Self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::{
        Scalar, block_sum, columns_head, columns_head_len, columns_split, columns_tail, pairwise,
        pairwise_columns, pairwise_combine, pairwise_leaves,
    };
    use crate::backend::cpu::simd::{Level, with_level};

    #[test]
    fn vector_row_sums_equal_the_pairwise_loop_bit_for_bit() {
        let mut words = crate::backend::cpu::test_inputs::xorshift32(7);
        // Mixed magnitudes and signs (and signed zeros), so the order of the additions
        // shows in the last bits.
        let mut next = move || {
            let w = words();
            let v = f32::from_bits(0x3000_0000 + (w % 0x1800_0000))
                * if w & 1 == 0 { 1.0 } else { -1.0 };
            if w.is_multiple_of(97) { -0.0 } else { v }
        };
        for row in 1..=130usize {
            let x: Vec<f32> = (0..row * 5).map(|_| next()).collect();
            let run = |level| {
                with_level(level, || {
                    let mut out = vec![std::mem::MaybeUninit::new(0f32); 5];
                    super::super::simd::vectorized(|| f32::sum_rows(&x, row, &mut out));
                    // SAFETY: `sum_rows` writes one sum per row.
                    out.iter()
                        .map(|o| unsafe { o.assume_init() }.to_bits())
                        .collect::<Vec<_>>()
                })
            };
            let want: Vec<u32> = x.chunks(row).map(|r| pairwise(r).to_bits()).collect();
            for level in [Level::Baseline, Level::Avx2, Level::Avx512] {
                assert_eq!(run(level), want, "row {row}, {level:?}");
            }
        }
    }

    #[test]
    fn column_sums_equal_each_gathered_column_summed_bit_for_bit() {
        let mut words = crate::backend::cpu::test_inputs::xorshift32(7);
        let mut next = move || (words() % 200_001) as f32 / 1000.0 - 100.0;
        for rows in [1usize, 7, 8, 9, 17, 60, 128, 129, 300] {
            for cols in [1usize, 3, 10, 16, 33] {
                let x: Vec<f32> = (0..rows * cols).map(|_| next()).collect();
                let mut sums = vec![0.0f32; cols];
                pairwise_columns(&x, &mut sums);
                for (c, s) in sums.iter().enumerate() {
                    let column: Vec<f32> = x.iter().skip(c).step_by(cols).copied().collect();
                    assert_eq!(
                        s.to_bits(),
                        pairwise(&column).to_bits(),
                        "{rows}x{cols}, column {c}"
                    );
                }
            }
        }
    }

    #[test]
    fn column_sums_in_two_parts_equal_the_whole_bit_for_bit() {
        let mut words = crate::backend::cpu::test_inputs::xorshift32(99);
        let mut next = move || (words() % 20001) as f32 / 1000.0 - 10.0;
        let mut splits = 0;
        for rows in [2usize, 8, 9, 16, 64, 100, 128, 129, 256, 300] {
            for cols in [1usize, 3, 10] {
                let x: Vec<f32> = (0..rows * cols).map(|_| next()).collect();
                let mut whole = vec![0.0f32; cols];
                pairwise_columns(&x, &mut whole);
                for first in 1..rows {
                    let mut state = vec![0.0f32; columns_head_len(rows, cols)];
                    let (a, b) = x.split_at(first * cols);
                    let head = columns_head(a, (rows, first), &mut state);
                    let mut parts = vec![0.0f32; cols];
                    let tail = columns_tail(&state, b, (rows, first), &mut parts);
                    if !columns_split(rows, first) {
                        assert!(head.is_err() && tail.is_err(), "{rows}x{cols} at {first}");
                        continue;
                    }
                    splits += 1;
                    head.unwrap();
                    tail.unwrap();
                    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&parts), bits(&whole), "{rows}x{cols} at {first}");
                }
            }
        }
        // Every row of a block up to its last partial group of 8 (8, 9, 16, 64, 100 and
        // 128 rows: 7, 8, 15, 63, 96 and 127 splits), and the first split of a longer tree
        // (129, 256, 300 rows).
        assert_eq!(
            splits,
            3 * (7 + 8 + 15 + 63 + 96 + 127 + 1 + 1 + 1),
            "{splits}"
        );
    }

    #[test]
    fn rows_summed_four_at_a_time_equal_each_row_alone() {
        for row in [1, 3, 8, 10, 100, 128, 129, 1000] {
            for rows in [1, 3, 4, 5, 9] {
                let x: Vec<f32> = (0..row * rows)
                    .map(|i| ((i * 7919) % 1013) as f32 * 0.37 - 180.0)
                    .collect();
                let mut out = vec![std::mem::MaybeUninit::new(0f32); rows];
                f32::sum_rows(&x, row, &mut out);
                for (r, o) in out.iter().enumerate() {
                    // SAFETY: `sum_rows` wrote every row's slot.
                    let got = unsafe { o.assume_init() };
                    let want = pairwise(&x[r * row..(r + 1) * row]);
                    assert_eq!(got.to_bits(), want.to_bits(), "{rows} rows of {row}");
                }
            }
        }
    }

    #[test]
    fn leaf_sums_combine_to_the_pairwise_sum_bit_for_bit() {
        for len in [1, 2, 127, 128, 129, 1000, 4097, 100_000, 123_457] {
            let x: Vec<f32> = (0..len)
                .map(|i| ((i * 7919) % 1013) as f32 * 0.37 - 180.0)
                .collect();
            let leaves = pairwise_leaves(len);
            assert_eq!(leaves.first().map(|r| r.start), Some(0));
            assert_eq!(leaves.last().map(|r| r.end), Some(len));
            assert!(leaves.windows(2).all(|w| w[0].end == w[1].start));
            assert!(leaves.iter().all(|r| r.len() <= 128));
            let sums: Vec<f32> = leaves.iter().map(|r| f32::sum(&x[r.clone()])).collect();
            assert_eq!(
                pairwise_combine(len, &sums).to_bits(),
                pairwise(&x).to_bits(),
                "{len}"
            );
        }
    }

    /// The pairwise sum by its definition: halves split at a multiple of 8 down to
    /// blocks of at most 128, each summed by eight interleaved accumulators.
    fn pairwise_by_definition<T: Scalar>(xs: &[T]) -> T {
        if xs.len() <= 128 {
            return block_sum(xs);
        }
        let half = (xs.len() / 2) / 8 * 8;
        pairwise_by_definition(&xs[..half]).add(pairwise_by_definition(&xs[half..]))
    }

    #[test]
    fn long_sums_equal_the_recursive_definition_bit_for_bit() {
        for len in [129, 136, 255, 256, 1000, 6400, 100_003] {
            let x64: Vec<f64> = (0..len)
                .map(|i| ((i * 7919) % 1013) as f64 * 0.37 - 180.0 + 1e-9 * i as f64)
                .collect();
            let x32: Vec<f32> = x64.iter().map(|&v| v as f32).collect();
            for level in [Level::Avx512, Level::Avx2, Level::Baseline] {
                let (got32, got64) = with_level(level, || (pairwise(&x32), pairwise(&x64)));
                let want32 = pairwise_by_definition(&x32);
                let want64 = pairwise_by_definition(&x64);
                assert_eq!(got32.to_bits(), want32.to_bits(), "f32 {len} {level:?}");
                assert_eq!(got64.to_bits(), want64.to_bits(), "f64 {len} {level:?}");
            }
        }
    }
}
