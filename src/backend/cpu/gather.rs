//! Indexing kernels along one axis: take (a gather) and its transpose, scatter-add.

use super::scalar::Scalar;
use super::strided::{prod, split_at_axis};
use super::{alloc, copy_vec, typed};
use crate::array::{Buffer, Element};

/// `index` clamped into `0..extent` (`extent` is at least 1).
fn clamp(index: i32, extent: usize) -> usize {
    (Ord::max(index, 0) as usize).min(extent - 1)
}

/// The entries of `x` (of `shape`) at `indices` along `axis`, indices clamped into range.
pub(crate) fn take(
    x: &Buffer,
    indices: &Buffer,
    shape: &[usize],
    axis: usize,
) -> Result<Buffer, String> {
    let idx: &[i32] = typed(indices)?;
    crate::with_buffer!(x, v => take_typed(v, idx, shape, axis).map(Element::into_buffer))
}

fn take_typed<T: Copy + 'static>(
    x: &[T],
    idx: &[i32],
    shape: &[usize],
    axis: usize,
) -> Result<Vec<T>, String> {
    let (outer, n, inner) = split_at_axis(shape, axis);
    let total = prod(&[outer, idx.len(), inner]);
    let mut out = alloc(total)?;
    // A non-empty output implies a non-empty operand axis (the shape rule's condition).
    if total == 0 || n == 0 {
        return Ok(out);
    }
    for o in 0..outer {
        let block = &x[o * n * inner..(o + 1) * n * inner];
        for &i in idx {
            let c = clamp(i, n);
            out.extend_from_slice(&block[c * inner..(c + 1) * inner]);
        }
    }
    Ok(out)
}

/// A copy of `x` (of `shape`) with `updates` added at `indices` along `axis`; indices
/// are clamped into range and duplicates accumulate.
pub(crate) fn scatter_add(
    x: &Buffer,
    indices: &Buffer,
    updates: &Buffer,
    shape: &[usize],
    axis: usize,
) -> Result<Buffer, String> {
    let idx: &[i32] = typed(indices)?;
    crate::with_buffer!(x, v => {
        scatter_add_typed(v, idx, typed(updates)?, shape, axis).map(Element::into_buffer)
    })
}

fn scatter_add_typed<T: Scalar>(
    x: &[T],
    idx: &[i32],
    updates: &[T],
    shape: &[usize],
    axis: usize,
) -> Result<Vec<T>, String> {
    let mut out = copy_vec(x)?;
    let (outer, n, inner) = split_at_axis(shape, axis);
    if out.is_empty() || idx.is_empty() || n == 0 {
        return Ok(out);
    }
    let m = idx.len();
    for o in 0..outer {
        for (j, &i) in idx.iter().enumerate() {
            let c = clamp(i, n);
            let dst = &mut out[(o * n + c) * inner..(o * n + c + 1) * inner];
            let src = &updates[(o * m + j) * inner..(o * m + j + 1) * inner];
            for (d, &s) in dst.iter_mut().zip(src) {
                *d = d.add(s);
            }
        }
    }
    Ok(out)
}
