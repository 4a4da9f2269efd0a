//! Reductions: `reduce` over several axes, `arg_reduce` along one axis, and `cumsum`.

use super::scalar::Scalar;
use super::simd::vectorized;
use super::strided::{permute, prod, split_at_axis};
use super::{Recycled, alloc, copy_vec, filled};
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

/// The identity of a reduction (what an empty one gives).
pub(crate) fn identity<T: Scalar>(op: ReduceOp) -> T {
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
    // As `prod` of the kept and of the reduced axes' extents, without lists (a zero
    // extent stays zero through saturating products).
    let extents = |reduced: bool| {
        shape
            .iter()
            .enumerate()
            .filter(|(a, _)| axes.contains(a) == reduced)
            .fold(1usize, |n, (_, &d)| n.saturating_mul(d))
    };
    let (n_out, group) = (extents(false), extents(true));
    if n_out == 0 || group == 0 {
        return filled(n_out, identity(op));
    }
    // Leading axes summed: whole rows added column by column (no transposed copy). A
    // single column is one contiguous group, reduced below as such (the same result).
    if n_out > 1 && axes.iter().enumerate().all(|(i, &a)| i == a) {
        let mut out = filled(n_out, identity::<T>(op))?;
        let x = x
            .get(..group * n_out)
            .ok_or("reduce: the operand is smaller than its shape")?;
        vectorized(
            #[inline(always)]
            || reduce_leading(op, x, &mut out),
        );
        return Ok(out);
    }
    // Move the reduced axes innermost so that each group is contiguous.
    // The kept axes (ascending) then the reduced ones: no move when the reduced axes
    // are already the last ones, in order.
    let innermost = shape.len() - axes.len().min(shape.len());
    let data: Cow<'_, [T]> = if axes.iter().enumerate().all(|(i, &a)| a == innermost + i) {
        Cow::Borrowed(x)
    } else {
        let perm: Recycled<usize> = (0..shape.len())
            .filter(|a| !axes.contains(a))
            .chain(axes.iter().copied())
            .collect();
        Cow::Owned(permute(x, shape, &perm)?)
    };
    let mut out = alloc(n_out)?;
    let groups = |data: &[T], out: &mut Vec<T>| {
        vectorized(
            #[inline(always)]
            || out.extend(data.chunks_exact(group).map(|g| reduce_group(op, g))),
        )
    };
    if n_out >= 2 && n_out * group >= PARALLEL_MIN_ELEMENTS {
        // Each thread reduces half of the groups (each group the same way either way).
        let all = data
            .get(..n_out * group)
            .ok_or("reduce: the operand is smaller than its shape")?;
        let (a, b) = all.split_at(n_out / 2 * group);
        let mut second = alloc(n_out - n_out / 2)?;
        super::worker::join(|| groups(a, &mut out), || groups(b, &mut second));
        out.extend_from_slice(&second);
    } else {
        groups(&data, &mut out);
    }
    Ok(out)
}

/// Reductions reading at least this many elements use two threads.
const PARALLEL_MIN_ELEMENTS: usize = 1 << 20;

/// `out[c] = op` over column `c` of the row-major `x` (`out.len()` columns), in the
/// order [`reduce_group`] reduces a contiguous group; `out` starts at the op's identity.
#[inline(always)]
fn reduce_leading<T: Scalar>(op: ReduceOp, x: &[T], out: &mut [T]) {
    let columns = |f: fn(T, T) -> T, out: &mut [T]| {
        for row in x.chunks_exact(out.len()) {
            for (o, &v) in out.iter_mut().zip(row) {
                *o = f(*o, v);
            }
        }
    };
    match op {
        ReduceOp::Sum => T::sum_columns(x, out),
        ReduceOp::Prod => columns(T::mul, out),
        ReduceOp::Max => columns(T::max, out),
        ReduceOp::Min => columns(T::min, out),
    }
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

#[cfg(test)]
mod tests {
    use super::{reduce_group, reduce_typed};
    use crate::ir::ReduceOp;

    /// Each column reduced on its own, as a contiguous group.
    fn by_column<T: super::Scalar>(op: ReduceOp, x: &[T], cols: usize) -> Vec<T> {
        (0..cols)
            .map(|c| {
                let column: Vec<T> = x.iter().skip(c).step_by(cols).copied().collect();
                reduce_group(op, &column)
            })
            .collect()
    }

    #[test]
    fn leading_axes_reduce_like_contiguous_groups_bit_for_bit() {
        let mut s: u64 = 7;
        let mut next = || {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 33) as f64 / (1u64 << 31) as f64 - 0.5) * 1e3
        };
        for &(rows, cols) in &[
            (1, 3),
            (7, 1),
            (8, 5),
            (128, 10),
            (129, 3),
            (300, 17),
            (1000, 2),
        ] {
            let x64: Vec<f64> = (0..rows * cols).map(|_| next()).collect();
            let x32: Vec<f32> = x64.iter().map(|&v| v as f32).collect();
            let xi: Vec<i32> = x64.iter().map(|&v| v as i32).collect();
            for op in [ReduceOp::Sum, ReduceOp::Prod, ReduceOp::Max, ReduceOp::Min] {
                let got = reduce_typed(op, &x64, &[rows, cols], &[0]).unwrap();
                let want = by_column(op, &x64, cols);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&got), bits(&want), "f64 {op:?} {rows}x{cols}");
                let got = reduce_typed(op, &x32, &[rows, cols], &[0]).unwrap();
                let want = by_column(op, &x32, cols);
                let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&got), bits(&want), "f32 {op:?} {rows}x{cols}");
                let got = reduce_typed(op, &xi, &[rows, cols], &[0]).unwrap();
                assert_eq!(got, by_column(op, &xi, cols), "i32 {op:?} {rows}x{cols}");
            }
        }
        // Two leading axes at once.
        let x: Vec<f32> = (0..2 * 200 * 3).map(|i| (i as f32).sin()).collect();
        let got = reduce_typed(ReduceOp::Sum, &x, &[2, 200, 3], &[0, 1]).unwrap();
        assert_eq!(got, by_column(ReduceOp::Sum, &x, 3));
        // Every axis: one column, the same sum as that column alone.
        let x: Vec<f32> = (0..64 * 100).map(|i| (i as f32 * 0.1).sin()).collect();
        for (shape, axes) in [(&[6400][..], &[0][..]), (&[64, 100], &[0, 1])] {
            let got = reduce_typed(ReduceOp::Sum, &x, shape, axes).unwrap();
            assert_eq!(got, by_column(ReduceOp::Sum, &x, 1), "{shape:?}");
        }
    }

    #[test]
    fn large_reductions_split_between_threads_give_each_group_its_own_sum() {
        let (groups, len) = (5, 1 << 18);
        let x: Vec<f32> = (0..groups * len)
            .map(|i| ((i % 977) as f32).sqrt())
            .collect();
        let got = reduce_typed(ReduceOp::Sum, &x, &[groups, len], &[1]).unwrap();
        let want: Vec<f32> = x
            .chunks_exact(len)
            .map(|g| reduce_group(ReduceOp::Sum, g))
            .collect();
        assert_eq!(got, want);
    }
}
