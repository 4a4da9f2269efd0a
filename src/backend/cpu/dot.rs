//! `dot_general`: operands are permuted to `[batch, free, contract]` (lhs) and
//! `[batch, contract, free]` (rhs), then each batch element is one `m x k` by `k x n`
//! matrix product: through `gemm` for floats, a plain loop for integers.

use super::scalar::Scalar;
use super::strided::{permute, prod};
use super::{filled, typed};
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
trait GemmFloat: Scalar {}
impl GemmFloat for f32 {}
impl GemmFloat for f64 {}

/// The batched matrix problem: operands in `[batch, m, k]` and `[batch, k, n]` layout.
struct Problem<'a, T: Clone> {
    batch: usize,
    m: usize,
    k: usize,
    n: usize,
    lhs: Cow<'a, [T]>,
    rhs: Cow<'a, [T]>,
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
fn arrange<'a, T: Copy>(
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

/// The zero-filled output, and the problem when there is anything to compute (no
/// extent is 0).
#[allow(clippy::type_complexity)]
fn setup<'a, T: Scalar>(
    lhs: &'a [T],
    ls: &[usize],
    rhs: &'a [T],
    rs: &[usize],
    axes: &Axes<'_>,
) -> Result<(Vec<T>, Option<Problem<'a, T>>), String> {
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
    let out = filled(total, T::ZERO)?;
    if total == 0 || k == 0 {
        return Ok((out, None));
    }
    let lhs_perm: Vec<usize> = [axes.lhs_batch, &lhs_free, axes.lhs_contract].concat();
    let rhs_perm: Vec<usize> = [axes.rhs_batch, axes.rhs_contract, &rhs_free].concat();
    let problem = Problem {
        batch,
        m,
        k,
        n,
        lhs: arrange(lhs, ls, &lhs_perm)?,
        rhs: arrange(rhs, rs, &rhs_perm)?,
    };
    Ok((out, Some(problem)))
}

fn dot_float<T: GemmFloat>(
    lhs: &[T],
    ls: &[usize],
    rhs: &[T],
    rs: &[usize],
    axes: &Axes<'_>,
) -> Result<Vec<T>, String> {
    let (mut out, problem) = setup(lhs, ls, rhs, rs, axes)?;
    let Some(p) = problem else {
        return Ok(out);
    };
    let (m, k, n) = (p.m, p.k, p.n);
    let dsts = out.chunks_exact_mut(m * n);
    let lhss = p.lhs.chunks_exact(m * k);
    let rhss = p.rhs.chunks_exact(k * n);
    for ((dst, a), b) in dsts.zip(lhss).zip(rhss).take(p.batch) {
        // SAFETY: `dst` holds m*n, `a` m*k and `b` k*n elements, all row-major with the
        // strides given (column stride 1, row stride = row length), so every access gemm
        // makes is in bounds; `dst` does not alias `a` or `b`. With `read_dst` false
        // gemm writes `dst = 1 * a * b` (alpha, the factor of the old `dst`, is
        // ignored). `T` is f32 or f64, the types gemm supports.
        unsafe {
            gemm::gemm(
                m,
                n,
                k,
                dst.as_mut_ptr(),
                1,
                n as isize,
                false,
                a.as_ptr(),
                1,
                k as isize,
                b.as_ptr(),
                1,
                n as isize,
                T::ZERO,
                T::ONE,
                false,
                false,
                false,
                gemm::Parallelism::None,
            );
        }
    }
    Ok(out)
}

fn dot_loop<T: Scalar>(
    lhs: &[T],
    ls: &[usize],
    rhs: &[T],
    rs: &[usize],
    axes: &Axes<'_>,
) -> Result<Vec<T>, String> {
    let (mut out, problem) = setup(lhs, ls, rhs, rs, axes)?;
    let Some(p) = problem else {
        return Ok(out);
    };
    let (m, k, n) = (p.m, p.k, p.n);
    let dsts = out.chunks_exact_mut(m * n);
    let lhss = p.lhs.chunks_exact(m * k);
    let rhss = p.rhs.chunks_exact(k * n);
    for ((dst, a), b) in dsts.zip(lhss).zip(rhss).take(p.batch) {
        for (dst_row, a_row) in dst.chunks_exact_mut(n).zip(a.chunks_exact(k)) {
            for (&a_ip, b_row) in a_row.iter().zip(b.chunks_exact(n)) {
                for (d, &b_pj) in dst_row.iter_mut().zip(b_row) {
                    *d = d.add(a_ip.mul(b_pj));
                }
            }
        }
    }
    Ok(out)
}
