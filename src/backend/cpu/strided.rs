//! Row-major index arithmetic shared by the layout kernels.

use super::alloc;

/// Row-major strides (in elements) of `shape`.
pub(crate) fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

/// The number of elements of `shape`: 0 if any extent is 0 (even when the other extents
/// multiply past `usize::MAX`), else the product, saturating at `usize::MAX` (which no
/// allocation can satisfy, so callers fail cleanly).
pub(crate) fn prod(shape: &[usize]) -> usize {
    if shape.contains(&0) {
        0
    } else {
        shape.iter().fold(1usize, |a, &d| a.saturating_mul(d))
    }
}

/// `(outer, extent, inner)`: the element counts before, along and after `axis`, so that
/// element `(o, j, i)` sits at `(o * extent + j) * inner + i`. Callers check that the
/// array is not empty before looping over `outer`.
pub(crate) fn split_at_axis(shape: &[usize], axis: usize) -> (usize, usize, usize) {
    let outer = prod(&shape[..axis]);
    let inner = prod(&shape[axis + 1..]);
    (outer, shape[axis], inner)
}

/// The array of `shape` whose element at multi-index `o` is
/// `src[base + sum_i o[i] * src_strides[i]]`.
///
/// Transpose, slice and broadcast are all this one walk with different `base` and strides
/// (a stride of 0 repeats an element). The caller guarantees every offset is in range.
pub(crate) fn gather_strided<T: Copy + 'static>(
    src: &[T],
    base: usize,
    shape: &[usize],
    src_strides: &[usize],
) -> Result<Vec<T>, String> {
    let n = prod(shape);
    let mut out = alloc(n)?;
    if n == 0 {
        return Ok(out);
    }
    let Some((&inner, outer_shape)) = shape.split_last() else {
        out.push(src[base]);
        return Ok(out);
    };
    let inner_stride = src_strides[shape.len() - 1];
    let mut idx = vec![0usize; outer_shape.len()];
    let mut off = base;
    loop {
        if inner_stride == 1 {
            out.extend_from_slice(&src[off..off + inner]);
        } else {
            out.extend((0..inner).map(|j| src[off + j * inner_stride]));
        }
        // Advance the odometer over the outer axes.
        let mut d = outer_shape.len();
        loop {
            if d == 0 {
                return Ok(out);
            }
            d -= 1;
            idx[d] += 1;
            off += src_strides[d];
            if idx[d] < outer_shape[d] {
                break;
            }
            off -= src_strides[d] * outer_shape[d];
            idx[d] = 0;
        }
    }
}

/// `x` of `shape` with its axes permuted (output axis `i` is axis `perm[i]`), as a
/// contiguous copy.
pub(crate) fn permute<T: Copy + 'static>(
    x: &[T],
    shape: &[usize],
    perm: &[usize],
) -> Result<Vec<T>, String> {
    let s = strides(shape);
    let out_shape: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
    let out_strides: Vec<usize> = perm.iter().map(|&p| s[p]).collect();
    gather_strided(x, 0, &out_shape, &out_strides)
}
