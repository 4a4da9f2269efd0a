//! Reductions: `reduce` over several axes, `arg_reduce` along one axis, and `cumsum`.

use super::scalar::Scalar;
use super::simd::vectorized;
use super::strided::{permute, prod, split_at_axis};
use super::{alloc, copy_vec, filled};
use crate::array::{Buffer, Element};
use crate::ir::{ArgOp, ReduceOp};
use std::borrow::Cow;

/// `x` of `shape` with `axes` (increasing) reduced away by `op`. Float sums are
/// pairwise; empty reductions give the op's identity.
pub(crate) fn reduce(
    op: ReduceOp,
    x: &Buffer,
    shape: &[usize],
    axes: &[usize],
) -> Result<Buffer, String> {
    crate::with_buffer!(x, v => reduce_typed(op, v, shape, axes).map(Element::into_buffer))
}

fn identity<T: Scalar>(op: ReduceOp) -> T {
    match op {
        ReduceOp::Sum => T::ZERO,
        ReduceOp::Prod => T::ONE,
        ReduceOp::Max => T::LOWEST,
        ReduceOp::Min => T::HIGHEST,
    }
}

/// One group of elements reduced by `op` (float sums pairwise).
#[inline(always)]
pub(crate) fn reduce_group<T: Scalar>(op: ReduceOp, xs: &[T]) -> T {
    match op {
        ReduceOp::Sum => T::sum(xs),
        ReduceOp::Prod => xs.iter().fold(T::ONE, |a, &x| a.mul(x)),
        ReduceOp::Max => xs.iter().fold(T::LOWEST, |a, &x| a.max(x)),
        ReduceOp::Min => xs.iter().fold(T::HIGHEST, |a, &x| a.min(x)),
    }
}

fn reduce_typed<T: Scalar>(
    op: ReduceOp,
    x: &[T],
    shape: &[usize],
    axes: &[usize],
) -> Result<Vec<T>, String> {
    let kept: Vec<usize> = (0..shape.len()).filter(|a| !axes.contains(a)).collect();
    let kept_shape: Vec<usize> = kept.iter().map(|&a| shape[a]).collect();
    let reduced_shape: Vec<usize> = axes.iter().map(|&a| shape[a]).collect();
    let n_out = prod(&kept_shape);
    let group = prod(&reduced_shape);
    if n_out == 0 || group == 0 {
        return filled(n_out, identity(op));
    }
    // Move the reduced axes innermost so that each group is contiguous.
    let perm: Vec<usize> = kept.iter().chain(axes).copied().collect();
    let data: Cow<'_, [T]> = if perm.iter().enumerate().all(|(i, &p)| i == p) {
        Cow::Borrowed(x)
    } else {
        Cow::Owned(permute(x, shape, &perm)?)
    };
    let mut out = alloc(n_out)?;
    vectorized(
        #[inline(always)]
        || out.extend(data.chunks_exact(group).map(|g| reduce_group(op, g))),
    );
    Ok(out)
}

/// The `i32` index of the first extreme element of `x` (of `shape`) along `axis`; a NaN
/// counts as the extreme, so the first NaN wins.
pub(crate) fn arg_reduce(
    op: ArgOp,
    x: &Buffer,
    shape: &[usize],
    axis: usize,
) -> Result<Buffer, String> {
    crate::with_buffer!(x, v => arg_reduce_typed(op, v, shape, axis).map(Buffer::I32))
}

fn arg_reduce_typed<T: Scalar>(
    op: ArgOp,
    x: &[T],
    shape: &[usize],
    axis: usize,
) -> Result<Vec<i32>, String> {
    let (outer, n, inner) = split_at_axis(shape, axis);
    let n_out = prod(&[outer, inner]);
    let mut out = alloc(n_out)?;
    if n_out == 0 {
        return Ok(out);
    }
    if n == 0 {
        return Err(format!("cannot take the {} of an empty axis", op.name()));
    }
    let better = |v: T, best: T| match op {
        ArgOp::Argmax => v > best,
        ArgOp::Argmin => v < best,
    };
    for o in 0..outer {
        let block = &x[o * n * inner..(o + 1) * n * inner];
        for i in 0..inner {
            let mut best = block[i];
            let mut best_j = 0;
            if !best.is_nan() {
                for j in 1..n {
                    let v = block[j * inner + i];
                    if v.is_nan() {
                        best_j = j;
                        break;
                    }
                    if better(v, best) {
                        best = v;
                        best_j = j;
                    }
                }
            }
            out.push(best_j as i32);
        }
    }
    Ok(out)
}

/// The inclusive running sum of `x` (of `shape`) along `axis`, from the last element
/// backwards when `reverse`.
pub(crate) fn cumsum(
    x: &Buffer,
    shape: &[usize],
    axis: usize,
    reverse: bool,
) -> Result<Buffer, String> {
    crate::with_buffer!(x, v => cumsum_typed(v, shape, axis, reverse).map(Element::into_buffer))
}

fn cumsum_typed<T: Scalar>(
    x: &[T],
    shape: &[usize],
    axis: usize,
    reverse: bool,
) -> Result<Vec<T>, String> {
    let mut out = copy_vec(x)?;
    if out.is_empty() {
        return Ok(out);
    }
    let (outer, n, inner) = split_at_axis(shape, axis);
    for block in out.chunks_exact_mut(n * inner).take(outer) {
        for i in 0..inner {
            let mut acc = T::ZERO;
            let mut step = |j: usize| {
                acc = acc.add(block[j * inner + i]);
                block[j * inner + i] = acc;
            };
            if reverse {
                (0..n).rev().for_each(&mut step);
            } else {
                (0..n).for_each(&mut step);
            }
        }
    }
    Ok(out)
}
