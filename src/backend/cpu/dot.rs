//! `dot_general`: each batch element is one `m x k` by `k x n` matrix product. Operands
//! whose axes are already grouped as `[batch, free, contract]` or `[batch, contract,
//! free]` are used in place, through strides (a transpose costs nothing); others are
//! permuted first. Float products go through `gemm`, or `small_dot` when the right-hand
//! side is small; integer products use a plain loop.

use super::elementwise::{Out, Slice};
use super::scalar::{Float, Scalar};
use super::small_dot::{is_small, small_product};
use super::strided::{permute, prod};
use super::{alloc, filled, typed};
use crate::array::Buffer;
use std::borrow::Cow;

/// The contracting and batch axes of a `dot_general`, paired lhs to rhs.
pub(crate) struct Axes<'a> {
    pub(crate) lhs_contract: &'a [usize],
    pub(crate) rhs_contract: &'a [usize],
    pub(crate) lhs_batch: &'a [usize],
    pub(crate) rhs_batch: &'a [usize],
}

/// The float types `gemm` supports.
trait GemmFloat: Float {}
impl GemmFloat for f32 {}
impl GemmFloat for f64 {}

/// The batched matrix problem. Batch element `b` of the lhs is the `m x k` matrix at
/// `lhs[b * m * k..]` with element `(i, p)` at `i * lhs_strides.0 + p * lhs_strides.1`;
/// likewise the rhs, `k x n`.
struct Problem<'a, T: Clone> {
    batch: usize,
    m: usize,
    k: usize,
    n: usize,
    lhs: Cow<'a, [T]>,
    lhs_strides: (usize, usize),
    rhs: Cow<'a, [T]>,
    rhs_strides: (usize, usize),
}

/// How an operand's axes are grouped after its batch axes: `Some(true)` for `[batch,
/// outer..., inner...]` with the given `outer` axes first, `Some(false)` for the inner
/// axes first, `None` if the axes are not grouped in order.
fn grouping(batch: &[usize], outer: &[usize], inner: &[usize]) -> Option<bool> {
    let in_order =
        |axes: &[usize], from: usize| axes.iter().enumerate().all(|(i, &a)| a == from + i);
    let nb = batch.len();
    if !in_order(batch, 0) {
        return None;
    }
    if in_order(outer, nb) && in_order(inner, nb + outer.len()) {
        Some(true)
    } else if in_order(inner, nb) && in_order(outer, nb + inner.len()) {
        Some(false)
    } else {
        None
    }
}

/// The contraction of `lhs` and `rhs` (each a buffer with its shape) over `axes`.
/// Output axes: batch, then lhs's free axes, then rhs's free axes.
pub(crate) fn dot_general(
    lhs: (&Buffer, &[usize]),
    rhs: (&Buffer, &[usize]),
    axes: Axes<'_>,
) -> Result<Buffer, String> {
    let (l, ls) = lhs;
    let (r, rs) = rhs;
    match l {
        Buffer::F32(v) => dot_float(v, ls, typed(r)?, rs, &axes).map(Buffer::F32),
        Buffer::F64(v) => dot_float(v, ls, typed(r)?, rs, &axes).map(Buffer::F64),
        Buffer::I32(v) => dot_loop(v, ls, typed(r)?, rs, &axes).map(Buffer::I32),
        Buffer::U32(v) => dot_loop(v, ls, typed(r)?, rs, &axes).map(Buffer::U32),
        Buffer::Bool(v) => dot_loop(v, ls, typed(r)?, rs, &axes).map(Buffer::Bool),
    }
}

/// `x` of `shape` permuted by `perm`, borrowed when `perm` is the identity.
fn arrange<'a, T: Copy + 'static>(
    x: &'a [T],
    shape: &[usize],
    perm: &[usize],
) -> Result<Cow<'a, [T]>, String> {
    if perm.iter().enumerate().all(|(i, &p)| i == p) {
        Ok(Cow::Borrowed(x))
    } else {
        permute(x, shape, perm).map(Cow::Owned)
    }
}

/// The output's element count, and the problem when there is anything to compute (no
/// extent is 0; otherwise the output is all zeros).
fn setup<'a, T: Scalar>(
    lhs: &'a [T],
    ls: &[usize],
    rhs: &'a [T],
    rs: &[usize],
    axes: &Axes<'_>,
) -> Result<(usize, Option<Problem<'a, T>>), String> {
    let free = |rank: usize, batch: &[usize], contract: &[usize]| -> Vec<usize> {
        (0..rank)
            .filter(|a| !batch.contains(a) && !contract.contains(a))
            .collect()
    };
    let lhs_free = free(ls.len(), axes.lhs_batch, axes.lhs_contract);
    let rhs_free = free(rs.len(), axes.rhs_batch, axes.rhs_contract);
    let extents =
        |shape: &[usize], ax: &[usize]| prod(&ax.iter().map(|&a| shape[a]).collect::<Vec<_>>());
    let batch = extents(ls, axes.lhs_batch);
    let m = extents(ls, &lhs_free);
    let k = extents(ls, axes.lhs_contract);
    let n = extents(rs, &rhs_free);
    let total = prod(&[batch, m, n]);
    if total == 0 || k == 0 {
        return Ok((total, None));
    }
    // Lhs as [batch, m, k] (free first) or [batch, k, m]; rhs as [batch, k, n] or
    // [batch, n, k]; anything else is permuted to the first form.
    let (lhs, lhs_strides) = match grouping(axes.lhs_batch, &lhs_free, axes.lhs_contract) {
        Some(true) => (Cow::Borrowed(lhs), (k, 1)),
        Some(false) => (Cow::Borrowed(lhs), (1, m)),
        None => {
            let perm: Vec<usize> = [axes.lhs_batch, &lhs_free, axes.lhs_contract].concat();
            (arrange(lhs, ls, &perm)?, (k, 1))
        }
    };
    let (rhs, rhs_strides) = match grouping(axes.rhs_batch, axes.rhs_contract, &rhs_free) {
        Some(true) => (Cow::Borrowed(rhs), (n, 1)),
        Some(false) => (Cow::Borrowed(rhs), (1, k)),
        None => {
            let perm: Vec<usize> = [axes.rhs_batch, axes.rhs_contract, &rhs_free].concat();
            (arrange(rhs, rs, &perm)?, (n, 1))
        }
    };
    let problem = Problem {
        batch,
        m,
        k,
        n,
        lhs,
        lhs_strides,
        rhs,
        rhs_strides,
    };
    Ok((total, Some(problem)))
}

/// Products of at least this many multiply-adds use every core.
const PARALLEL_WORK: usize = 1 << 24;

/// How `gemm` runs an `m x k` by `k x n` product: on the calling thread when small (where
/// waking other threads costs more than it saves), else on every core. `gemm` splits
/// the output, never the contraction, so the result is the same either way.
fn parallelism(m: usize, k: usize, n: usize) -> gemm::Parallelism {
    if m.saturating_mul(k).saturating_mul(n) >= PARALLEL_WORK {
        gemm::Parallelism::Rayon(0)
    } else {
        gemm::Parallelism::None
    }
}

fn dot_float<T: GemmFloat>(
    lhs: &[T],
    ls: &[usize],
    rhs: &[T],
    rs: &[usize],
    axes: &Axes<'_>,
) -> Result<Vec<T>, String> {
    let (total, problem) = setup(lhs, ls, rhs, rs, axes)?;
    let Some(p) = problem else {
        return filled(total, T::ZERO);
    };
    let (m, k, n) = (p.m, p.k, p.n);
    // Every slot is written by the products below: no zeroing first (a large output's
    // memset cost a quarter of the product's time).
    let mut out = alloc(total)?;
    let dsts = out.spare_capacity_mut()[..total].chunks_exact_mut(m * n);
    let lhss = p.lhs.chunks_exact(m * k);
    let rhss = p.rhs.chunks_exact(k * n);
    for ((dst, a), b) in dsts.zip(lhss).zip(rhss).take(p.batch) {
        let (a_rs, a_cs) = p.lhs_strides;
        let (b_rs, b_cs) = p.rhs_strides;
        if is_small(k, n) {
            small_product(dst, (a, p.lhs_strides), (b, p.rhs_strides), (m, k, n))?;
            continue;
        }
        // SAFETY: `dst` holds m*n slots (row-major; `MaybeUninit<T>` has `T`'s layout),
        // `a` m*k and `b` k*n elements, laid out with the strides given (each a row-major
        // or column-major matrix); `dst` does not alias `a` or `b`. `gemm_into` writes
        // every slot without reading it.
        unsafe {
            gemm_into(
                dst.as_mut_ptr() as *mut T,
                (a, (a_rs, a_cs)),
                (b, (b_rs, b_cs)),
                (m, k, n),
                parallelism(m, k, n),
            )
        };
    }
    // SAFETY: the products above wrote all `batch * m * n = total` slots.
    unsafe { out.set_len(total) };
    Ok(out)
}

/// `dst` (`m x n`, row-major) `= a b` through `gemm`, for `a` (`m x k`, element `(i, p)`
/// at `i * rs + p * cs`) and `b` (`k x n`, likewise). `dst` is written without being read.
///
/// # Safety
/// `dst` points to `m * n` writable slots that alias neither operand, and each operand
/// holds every element its strides name.
unsafe fn gemm_into<T: GemmFloat>(
    dst: *mut T,
    (a, (a_rs, a_cs)): (&[T], (usize, usize)),
    (b, (b_rs, b_cs)): (&[T], (usize, usize)),
    (m, k, n): (usize, usize, usize),
    parallelism: gemm::Parallelism,
) {
    // SAFETY: as required of the caller. With `read_dst` false gemm writes `dst = 1 * a
    // * b` (alpha, the factor of the old `dst`, is ignored); `T` is f32 or f64, the
    // types gemm supports.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst,
            1,
            n as isize,
            false,
            a.as_ptr(),
            a_cs as isize,
            a_rs as isize,
            b.as_ptr(),
            b_cs as isize,
            b_rs as isize,
            T::ZERO,
            T::ONE,
            false,
            false,
            false,
            parallelism,
        );
    }
}

fn dot_loop<T: Scalar>(
    lhs: &[T],
    ls: &[usize],
    rhs: &[T],
    rs: &[usize],
    axes: &Axes<'_>,
) -> Result<Vec<T>, String> {
    let (total, problem) = setup(lhs, ls, rhs, rs, axes)?;
    // This loop accumulates into its output: zeros first.
    let mut out = filled(total, T::ZERO)?;
    let Some(p) = problem else {
        return Ok(out);
    };
    let (m, k, n) = (p.m, p.k, p.n);
    let dsts = out.chunks_exact_mut(m * n);
    let lhss = p.lhs.chunks_exact(m * k);
    let rhss = p.rhs.chunks_exact(k * n);
    let ((a_rs, a_cs), (b_rs, b_cs)) = (p.lhs_strides, p.rhs_strides);
    for ((dst, a), b) in dsts.zip(lhss).zip(rhss).take(p.batch) {
        for (i, dst_row) in dst.chunks_exact_mut(n).enumerate() {
            for q in 0..k {
                let a_iq = a[i * a_rs + q * a_cs];
                for (j, d) in dst_row.iter_mut().enumerate() {
                    *d = d.add(a_iq.mul(b[q * b_rs + j * b_cs]));
                }
            }
        }
    }
    Ok(out)
}

/// `out = a b` for the rows `a` (`rows x k`, row-major: a block of a 2-D left-hand side
/// contracted on its last axis) and a 2-D `rhs` of `rhs_shape` contracted on axis
/// `rhs_contract` (0: `k x n`; 1: `n x k`), through `gemm`; `out` holds `rows * n`
/// slots. One thread's part of a row-split region (see `rows.rs`).
pub(crate) fn matmul_rows(
    a: Slice<'_>,
    rows: usize,
    rhs: Slice<'_>,
    rhs_shape: &[usize],
    rhs_contract: usize,
    out: &mut Out<'_>,
) -> Result<(), String> {
    let [r0, r1] = rhs_shape else {
        return Err("matmul_rows: the right-hand side must be a matrix".into());
    };
    let (k, n, rhs_strides) = match rhs_contract {
        0 => (*r0, *r1, (*r1, 1)),
        1 => (*r1, *r0, (1, *r1)),
        _ => return Err("matmul_rows: bad contracting axis".into()),
    };
    fn go<T: GemmFloat>(
        a: &[T],
        b: &[T],
        out: &mut [std::mem::MaybeUninit<T>],
        (m, k, n): (usize, usize, usize),
        (b_rs, b_cs): (usize, usize),
    ) -> Result<(), String> {
        if a.len() < m * k || b.len() < k * n || out.len() < m * n {
            return Err("matmul_rows: operands smaller than their shapes".into());
        }
        if m == 0 || n == 0 {
            return Ok(());
        }
        if k == 0 {
            out[..m * n].fill(std::mem::MaybeUninit::new(T::ZERO));
            return Ok(());
        }
        if is_small(k, n) {
            return small_product(out, (a, (k, 1)), (b, (b_rs, b_cs)), (m, k, n));
        }
        // SAFETY: `out` holds m*n slots (row-major), `a` m*k elements (row-major) and `b`
        // k*n with the strides given (checked above); `out` does not alias `a` or `b` (a
        // `&mut` and two `&`). `gemm_into` writes every slot without reading it, so
        // uninitialized slots are fine (`MaybeUninit<T>` has `T`'s layout).
        unsafe {
            gemm_into(
                out.as_mut_ptr() as *mut T,
                (a, (k, 1)),
                (b, (b_rs, b_cs)),
                (m, k, n),
                // Each thread of a region runs its own rows.
                gemm::Parallelism::None,
            )
        };
        Ok(())
    }
    match (a, rhs, out) {
        (Slice::F32(a), Slice::F32(b), Out::F32(o)) => go(a, b, o, (rows, k, n), rhs_strides),
        (Slice::F64(a), Slice::F64(b), Out::F64(o)) => go(a, b, o, (rows, k, n), rhs_strides),
        _ => Err("matmul_rows: operands must be f32 or f64 of one dtype".into()),
    }
}
