//! Structural kernels that move elements without arithmetic: broadcast, transpose,
//! slice, pad, concatenate, and the generator iota.

use super::scalar::Scalar;
use super::strided::{gather_strided, permute, prod, split_at_axis, strides};
use super::{alloc, filled, typed};
use crate::array::{Buffer, DType, Element};
use crate::ir::ArrayType;

/// `x` of `in_shape` broadcast to `shape`, operand axis `i` becoming output axis `dims[i]`.
pub(crate) fn broadcast_in_dim(
    x: &Buffer,
    in_shape: &[usize],
    shape: &[usize],
    dims: &[usize],
) -> Result<Buffer, String> {
    let in_strides = strides(in_shape);
    let mut src_strides = vec![0; shape.len()];
    for (i, &d) in dims.iter().enumerate() {
        // An extent-1 axis repeats its element: stride 0.
        if in_shape[i] != 1 {
            src_strides[d] = in_strides[i];
        }
    }
    crate::with_buffer!(x, v => gather_strided(v, 0, shape, &src_strides).map(Element::into_buffer))
}

/// `x` of `in_shape` with output axis `i` taken from axis `perm[i]`.
pub(crate) fn transpose(x: &Buffer, in_shape: &[usize], perm: &[usize]) -> Result<Buffer, String> {
    crate::with_buffer!(x, v => permute(v, in_shape, perm).map(Element::into_buffer))
}

/// The strided slice of `x` starting at `start` with steps `steps`, of shape `out_shape`.
pub(crate) fn slice(
    x: &Buffer,
    in_shape: &[usize],
    start: &[usize],
    steps: &[usize],
    out_shape: &[usize],
) -> Result<Buffer, String> {
    // A slice whose elements are one run of the operand (unit steps, and every axis
    // after the first one it takes more than one element of kept whole) is one copy.
    let first_wide = out_shape
        .iter()
        .position(|&n| n > 1)
        .unwrap_or(out_shape.len());
    let run = steps.iter().all(|&s| s == 1)
        && in_shape.len() == out_shape.len()
        && out_shape[first_wide.min(out_shape.len())..]
            .iter()
            .zip(&in_shape[first_wide.min(in_shape.len())..])
            .skip(1)
            .all(|(o, i)| o == i);
    if run && start.len() == in_shape.len() {
        let (mut base, mut stride) = (0, 1);
        for (&a, &n) in start.iter().zip(in_shape).rev() {
            base += a * stride;
            stride *= n;
        }
        let n = prod(out_shape);
        // An empty result reads nothing (its start may lie past the end).
        let base = if n == 0 { 0 } else { base };
        return crate::with_buffer!(x, v => {
            let part = v.get(base..base + n).ok_or("slice: the operand is smaller than its shape")?;
            super::copy_vec(part).map(Element::into_buffer)
        });
    }
    let in_strides = strides(in_shape);
    let src_strides: Vec<usize> = steps.iter().zip(&in_strides).map(|(a, b)| a * b).collect();
    // An empty result never reads `base`, which may then lie one past the end.
    let base = if out_shape.contains(&0) {
        0
    } else {
        start.iter().zip(&in_strides).map(|(a, b)| a * b).sum()
    };
    crate::with_buffer!(x, v => gather_strided(v, base, out_shape, &src_strides).map(Element::into_buffer))
}

/// `x` padded with the scalar `value`: `low` before each axis (negative crops),
/// `interior` between neighbours, and up to `out_shape` after (the `high` padding is
/// implied by the output shape).
pub(crate) fn pad(
    x: &Buffer,
    value: &Buffer,
    in_shape: &[usize],
    low: &[i64],
    interior: &[usize],
    out_shape: &[usize],
) -> Result<Buffer, String> {
    crate::with_buffer!(x, v => {
        let fill = *typed(value)?
            .first()
            .ok_or_else(|| "the padding value must hold one element".to_string())?;
        pad_typed(v, fill, in_shape, low, interior, out_shape).map(Element::into_buffer)
    })
}

fn pad_typed<T: Copy + 'static>(
    x: &[T],
    fill: T,
    in_shape: &[usize],
    low: &[i64],
    interior: &[usize],
    out_shape: &[usize],
) -> Result<Vec<T>, String> {
    let n_out = prod(out_shape);
    let mut out = filled(n_out, fill)?;
    if x.is_empty() || n_out == 0 {
        return Ok(out);
    }
    // For each axis, the output coordinate of every input index (None when cropped).
    let targets: Vec<Vec<Option<usize>>> = (0..in_shape.len())
        .map(|d| {
            (0..in_shape[d])
                .map(|j| {
                    let pos = low[d] as i128 + j as i128 * (interior[d] as i128 + 1);
                    (0..out_shape[d] as i128)
                        .contains(&pos)
                        .then_some(pos as usize)
                })
                .collect()
        })
        .collect();
    let out_strides = strides(out_shape);
    let mut idx = vec![0usize; in_shape.len()];
    for &elem in x {
        let mut off = Some(0usize);
        for d in 0..idx.len() {
            off = match (off, targets[d][idx[d]]) {
                (Some(o), Some(p)) => Some(o + p * out_strides[d]),
                _ => None,
            };
        }
        if let Some(o) = off {
            out[o] = elem;
        }
        // Advance the odometer over the input.
        for d in (0..idx.len()).rev() {
            idx[d] += 1;
            if idx[d] < in_shape[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    Ok(out)
}

/// The operands joined along `axis` into an array of `out_shape`.
pub(crate) fn concatenate(
    inputs: &[(&Buffer, &ArrayType)],
    axis: usize,
    out_shape: &[usize],
) -> Result<Buffer, String> {
    let (first, _) = inputs
        .first()
        .ok_or_else(|| "concatenate needs at least one operand".to_string())?;
    crate::with_buffer!(*first, v => {
        let mut parts = Vec::with_capacity(inputs.len());
        parts.push((&v[..], inputs[0].1.shape.as_slice()));
        for (b, t) in &inputs[1..] {
            parts.push((typed(b)?, t.shape.as_slice()));
        }
        concatenate_typed(&parts, axis, out_shape).map(Element::into_buffer)
    })
}

fn concatenate_typed<T: Copy + 'static>(
    parts: &[(&[T], &[usize])],
    axis: usize,
    out_shape: &[usize],
) -> Result<Vec<T>, String> {
    let n = prod(out_shape);
    let mut out = alloc(n)?;
    if n == 0 {
        return Ok(out);
    }
    let (outer, _, inner) = split_at_axis(out_shape, axis);
    for o in 0..outer {
        for (data, shape) in parts {
            let chunk = shape[axis] * inner;
            out.extend_from_slice(&data[o * chunk..(o + 1) * chunk]);
        }
    }
    Ok(out)
}

/// An array of `shape` counting 0, 1, 2, ... along axis `dim`.
pub(crate) fn iota(dtype: DType, shape: &[usize], dim: usize) -> Result<Buffer, String> {
    fn go<T: Scalar>(shape: &[usize], dim: usize) -> Result<Buffer, String> {
        let total = prod(shape);
        let mut out = alloc(total)?;
        if total == 0 {
            return Ok(T::into_buffer(out));
        }
        let (outer, n, inner) = split_at_axis(shape, dim);
        for _ in 0..outer {
            for j in 0..n {
                out.extend(std::iter::repeat_n(T::from_usize(j), inner));
            }
        }
        Ok(T::into_buffer(out))
    }
    match dtype {
        DType::F32 => go::<f32>(shape, dim),
        DType::F64 => go::<f64>(shape, dim),
        DType::I32 => go::<i32>(shape, dim),
        DType::U32 => go::<u32>(shape, dim),
        DType::Bool => go::<bool>(shape, dim),
    }
}

#[cfg(test)]
mod tests {
    use super::slice;
    use crate::array::Buffer;
    use crate::backend::cpu::strided::{gather_strided, strides};

    /// Every unit-step slice of small shapes, whether or not it is one run of the
    /// operand, equals the strided gather.
    #[test]
    fn slices_equal_the_strided_gather() {
        for shape in [vec![5], vec![2, 3], vec![3, 1, 4], vec![2, 2, 2]] {
            let n: usize = shape.iter().product();
            let x: Vec<i32> = (0..n as i32).collect();
            let ranges: Vec<Vec<(usize, usize)>> = shape
                .iter()
                .map(|&e| (0..=e).flat_map(|a| (a..=e).map(move |b| (a, b))).collect())
                .collect();
            let mut picks = vec![0usize; shape.len()];
            loop {
                let start: Vec<usize> = picks.iter().zip(&ranges).map(|(&p, r)| r[p].0).collect();
                let out: Vec<usize> = picks
                    .iter()
                    .zip(&ranges)
                    .map(|(&p, r)| r[p].1 - r[p].0)
                    .collect();
                let base = if out.contains(&0) {
                    0
                } else {
                    start.iter().zip(strides(&shape)).map(|(a, s)| a * s).sum()
                };
                let want = gather_strided(&x, base, &out, &strides(&shape)).unwrap();
                let ones = vec![1; shape.len()];
                let got = slice(&Buffer::I32(x.clone()), &shape, &start, &ones, &out).unwrap();
                assert_eq!(
                    got,
                    Buffer::I32(want),
                    "{shape:?} from {start:?} size {out:?}"
                );
                // Next combination.
                let mut d = 0;
                while d < picks.len() {
                    picks[d] += 1;
                    if picks[d] < ranges[d].len() {
                        break;
                    }
                    picks[d] = 0;
                    d += 1;
                }
                if d == picks.len() {
                    break;
                }
            }
        }
    }
}
