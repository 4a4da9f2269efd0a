//! Joining arrays: `concatenate` along an existing axis, `stack` along a new one.

use super::core::Array;
use super::lax;
use super::promote::promote_types;
use super::shape_ops::{axis_error, normalize_axis, reshape_to};
use crate::ir::shape_str;

/// The shapes of `arrays` as `A and B` (two) or `A, B, C` (more).
fn listed_shapes(arrays: &[Array]) -> String {
    let shapes: Vec<String> = arrays.iter().map(|a| shape_str(a.shape())).collect();
    match shapes.len() {
        2 => format!("{} and {}", shapes[0], shapes[1]),
        _ => shapes.join(", "),
    }
}

/// The arrays converted to their common dtype, or the first error among them, or an
/// error array when there are none.
#[track_caller]
fn prepared(op: &str, arrays: &[&Array]) -> Result<Vec<Array>, Array> {
    let Some(first) = arrays.first() else {
        return Err(Array::error(op, "needs at least one array, got none"));
    };
    if let Some(e) = arrays.iter().find(|a| a.error_value().is_some()) {
        return Err((*e).clone());
    }
    let mut dtype = first.dtype();
    for a in arrays {
        dtype = promote_types(dtype, a.dtype());
    }
    let mut out = Vec::with_capacity(arrays.len());
    for a in arrays {
        out.push(lax::convert(a, dtype));
    }
    Ok(out)
}

/// Joins arrays along an existing `axis` (negative counts from the end). The arrays
/// must have the same rank (at least 1) and the same extents except along `axis`;
/// dtypes promote.
///
/// ```
/// use autobatch::{array::concatenate, Array};
/// let a = Array::from_vec(vec![1, 2, 3, 4], &[2, 2]);
/// let b = Array::from_vec(vec![5, 6], &[1, 2]);
/// let c = concatenate(&[&a, &b], 0);
/// assert_eq!(c.shape(), &[3, 2]);
/// assert_eq!(c.to_vec::<i32>().unwrap(), vec![1, 2, 3, 4, 5, 6]);
/// let err = concatenate(&[&a, &b], 1).check().unwrap_err();
/// assert_eq!(err.message(), "cannot join shapes [2, 2] and [1, 2] along axis 1");
/// ```
#[track_caller]
pub fn concatenate(arrays: &[&Array], axis: isize) -> Array {
    let arrays = match prepared("concatenate", arrays) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let first = &arrays[0];
    let rank = first.ndim();
    if rank == 0 {
        return Array::error(
            "concatenate",
            format!(
                "cannot join 0-d arrays (shapes {}); use stack",
                listed_shapes(&arrays)
            ),
        );
    }
    if arrays.iter().any(|a| a.ndim() != rank) {
        return Array::error(
            "concatenate",
            format!(
                "cannot join arrays of different ranks: shapes {}",
                listed_shapes(&arrays)
            ),
        );
    }
    let Some(ax) = normalize_axis(axis, rank) else {
        return axis_error("concatenate", axis, first.shape());
    };
    let fits = |a: &Array| (0..rank).all(|i| i == ax || a.shape()[i] == first.shape()[i]);
    if !arrays.iter().all(fits) {
        return Array::error(
            "concatenate",
            format!(
                "cannot join shapes {} along axis {axis}",
                listed_shapes(&arrays)
            ),
        );
    }
    if arrays.len() == 1 {
        return arrays[0].clone();
    }
    let refs: Vec<&Array> = arrays.iter().collect();
    lax::concatenate(&refs, ax)
}

/// Joins arrays of one shape along a new axis at position `axis` of the result
/// (`-1` appends it); dtypes promote.
///
/// ```
/// use autobatch::{array::stack, Array};
/// let a = Array::from_vec(vec![1, 2], &[2]);
/// let b = Array::from_vec(vec![3, 4], &[2]);
/// assert_eq!(stack(&[&a, &b], 0).to_vec::<i32>().unwrap(), vec![1, 2, 3, 4]);
/// assert_eq!(stack(&[&a, &b], -1).to_vec::<i32>().unwrap(), vec![1, 3, 2, 4]);
/// assert_eq!(stack(&[&a, &b], 1).shape(), &[2, 2]);
/// ```
#[track_caller]
pub fn stack(arrays: &[&Array], axis: isize) -> Array {
    let arrays = match prepared("stack", arrays) {
        Ok(a) => a,
        Err(e) => return e,
    };
    let shape = arrays[0].shape().to_vec();
    if arrays.iter().any(|a| a.shape() != shape.as_slice()) {
        return Array::error(
            "stack",
            format!(
                "needs arrays of one shape, got shapes {}",
                listed_shapes(&arrays)
            ),
        );
    }
    let Some(ax) = normalize_axis(axis, shape.len() + 1) else {
        return axis_error("stack", axis, &shape);
    };
    let mut expanded_shape = shape.clone();
    expanded_shape.insert(ax, 1);
    let mut expanded = Vec::with_capacity(arrays.len());
    for a in &arrays {
        expanded.push(reshape_to(a, &expanded_shape));
    }
    if expanded.len() == 1 {
        return expanded.swap_remove(0);
    }
    let refs: Vec<&Array> = expanded.iter().collect();
    lax::concatenate(&refs, ax)
}
