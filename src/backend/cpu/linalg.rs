//! Dense linear algebra on the trailing two axes: `cholesky` (row-oriented
//! Cholesky–Banachiewicz) and `triangular_solve` (forward / back substitution), one plain
//! loop per matrix of the batch. The matrices of this library are small, so hand-written
//! kernels are enough and add no dependency.

use super::scalar::Float;
use super::strided::prod;
use super::{alloc, filled};
use crate::array::{Buffer, Element};

/// The lower Cholesky factor of every `[n, n]` matrix of `a` (of `shape`, `[..., n, n]`),
/// reading only the lower triangle. A non-positive (or NaN) pivot makes that whole matrix
/// NaN.
pub(crate) fn cholesky(a: &Buffer, shape: &[usize]) -> Result<Buffer, String> {
    match a {
        Buffer::F32(v) => cholesky_typed(v, shape).map(Element::into_buffer),
        Buffer::F64(v) => cholesky_typed(v, shape).map(Element::into_buffer),
        other => Err(format!(
            "cholesky needs a float operand, got {}",
            other.dtype()
        )),
    }
}

fn cholesky_typed<T: Float>(a: &[T], shape: &[usize]) -> Result<Vec<T>, String> {
    let n = shape.last().copied().unwrap_or(0);
    let total = prod(shape);
    let mut out = filled(total, T::ZERO)?;
    if n == 0 {
        return Ok(out);
    }
    let nan = T::ZERO.div(T::ZERO);
    for (src, dst) in a.chunks_exact(n * n).zip(out.chunks_exact_mut(n * n)) {
        let mut ok = true;
        'rows: for i in 0..n {
            for j in 0..=i {
                let mut s = src[i * n + j];
                for k in 0..j {
                    s = s.sub(dst[i * n + k].mul(dst[j * n + k]));
                }
                if i == j {
                    // A pivot that is not positive (NaN included) fails the comparison.
                    if s > T::ZERO {
                        dst[i * n + i] = s.sqrt();
                    } else {
                        ok = false;
                        break 'rows;
                    }
                } else {
                    dst[i * n + j] = s.div(dst[j * n + j]);
                }
            }
        }
        if !ok {
            dst.iter_mut().for_each(|x| *x = nan);
        }
    }
    Ok(out)
}

/// The flags of a triangular solve.
#[derive(Copy, Clone, Debug)]
pub(crate) struct SolveFlags {
    pub lower: bool,
    pub transpose_a: bool,
    pub unit_diagonal: bool,
}

/// Solves `op(a) x = b` per matrix, for `b` of `b_shape` (`[..., n, k]`) and `a` of
/// `[..., n, n]` with the same leading axes.
pub(crate) fn triangular_solve(
    a: &Buffer,
    b: &Buffer,
    b_shape: &[usize],
    flags: SolveFlags,
) -> Result<Buffer, String> {
    match (a, b) {
        (Buffer::F32(a), Buffer::F32(b)) => {
            solve_typed(a, b, b_shape, flags).map(Element::into_buffer)
        }
        (Buffer::F64(a), Buffer::F64(b)) => {
            solve_typed(a, b, b_shape, flags).map(Element::into_buffer)
        }
        _ => Err(format!(
            "triangular_solve needs float operands of one dtype, got {} and {}",
            a.dtype(),
            b.dtype()
        )),
    }
}

fn solve_typed<T: Float>(
    a: &[T],
    b: &[T],
    b_shape: &[usize],
    flags: SolveFlags,
) -> Result<Vec<T>, String> {
    let r = b_shape.len();
    let (n, k) = if r >= 2 {
        (b_shape[r - 2], b_shape[r - 1])
    } else {
        (0, 0)
    };
    let mut x = alloc(b.len())?;
    x.extend_from_slice(b);
    if n == 0 || k == 0 {
        return Ok(x);
    }
    // Entry (i, j) of op(a) within one matrix.
    let at = |m: &[T], i: usize, j: usize| {
        if flags.transpose_a {
            m[j * n + i]
        } else {
            m[i * n + j]
        }
    };
    // op(a) is lower triangular (solved forward) when exactly one of `lower` and
    // `transpose_a` holds; otherwise it is upper triangular (solved backward).
    let forward = flags.lower != flags.transpose_a;
    for (am, xm) in a.chunks_exact(n * n).zip(x.chunks_exact_mut(n * k)) {
        for step in 0..n {
            let i = if forward { step } else { n - 1 - step };
            let (lo, hi) = if forward { (0, i) } else { (i + 1, n) };
            for j in lo..hi {
                let aij = at(am, i, j);
                for c in 0..k {
                    xm[i * k + c] = xm[i * k + c].sub(aij.mul(xm[j * k + c]));
                }
            }
            if !flags.unit_diagonal {
                let d = am[i * n + i];
                for c in 0..k {
                    xm[i * k + c] = xm[i * k + c].div(d);
                }
            }
        }
    }
    Ok(x)
}
