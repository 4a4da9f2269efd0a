//! Products: `dot` and `matmul`, with NumPy's semantics, each lowered to ONE
//! `dot_general` (plus a transpose or broadcasts only where the layout needs them).

use super::broadcast::{broadcast_for, broadcast_shapes};
use super::core::Array;
use super::dtype::DType;
use super::lax;
use super::promote::promote_types;
use super::shape_ops::first_error;
use crate::ir::shape_str;

/// Checks that neither operand is `bool` and converts both to their promoted dtype.
#[track_caller]
fn promoted(op: &str, a: &Array, b: &Array) -> Result<(Array, Array), Array> {
    if a.dtype() == DType::Bool || b.dtype() == DType::Bool {
        return Err(Array::error(
            op,
            format!(
                "does not accept bool operands, got {} and {}",
                a.array_type(),
                b.array_type()
            ),
        ));
    }
    let dtype = promote_types(a.dtype(), b.dtype());
    Ok((lax::convert(a, dtype), lax::convert(b, dtype)))
}

/// The error array `op: cannot contract shapes A and B`.
#[track_caller]
fn contract_error(op: &str, a: &Array, b: &Array) -> Array {
    Array::error(
        op,
        format!(
            "cannot contract shapes {} and {}",
            shape_str(a.shape()),
            shape_str(b.shape())
        ),
    )
}

/// NumPy's `dot` (see [`Array::dot`]).
///
/// ```
/// use autobatch::{array::dot, Array};
/// let a = Array::from_vec(vec![1.0f32, 2.0, 3.0], &[3]);
/// assert_eq!(dot(&a, &a).item::<f32>().unwrap(), 14.0);
/// ```
#[track_caller]
pub fn dot(a: &Array, b: &Array) -> Array {
    if let Some(e) = first_error(&[a, b]) {
        return e;
    }
    let (a, b) = match promoted("dot", a, b) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let (ra, rb) = (a.ndim(), b.ndim());
    // A 0-d operand scales the other: a contraction over no axes is exactly that.
    if ra == 0 || rb == 0 {
        return lax::dot_general(&a, &b, &[], &[], &[], &[]);
    }
    // a's last axis meets b's only axis (1-d) or second-to-last axis (n-d). The output
    // order of dot_general (a's free axes, then b's free axes) is NumPy's.
    let ca = ra - 1;
    let cb = if rb == 1 { 0 } else { rb - 2 };
    if a.shape()[ca] != b.shape()[cb] {
        return contract_error("dot", &a, &b);
    }
    lax::dot_general(&a, &b, &[ca], &[cb], &[], &[])
}

/// NumPy's `matmul` (the `@` operator; see [`Array::matmul`]).
///
/// ```
/// use autobatch::{array::matmul, Array};
/// let a = Array::ones(&[5, 2, 3]);
/// let b = Array::ones(&[3, 4]);
/// assert_eq!(matmul(&a, &b).shape(), &[5, 2, 4]);
/// ```
#[track_caller]
pub fn matmul(a: &Array, b: &Array) -> Array {
    if let Some(e) = first_error(&[a, b]) {
        return e;
    }
    if a.ndim() == 0 || b.ndim() == 0 {
        return Array::error(
            "matmul",
            format!(
                "needs operands with at least one axis, got shapes {} and {}",
                shape_str(a.shape()),
                shape_str(b.shape())
            ),
        );
    }
    let (a, b) = match promoted("matmul", a, b) {
        Ok(p) => p,
        Err(e) => return e,
    };
    let (ra, rb) = (a.ndim(), b.ndim());
    // Contracted axes: a's last; b's only axis (1-d) or its second-to-last.
    let ca = ra - 1;
    let cb = if rb == 1 { 0 } else { rb - 2 };
    if a.shape()[ca] != b.shape()[cb] {
        return contract_error("matmul", &a, &b);
    }
    // With a 1-d or 2-d operand the other's batch axes pass through as free axes, so no
    // broadcast is needed: a[..., n, k] @ b[k, (m)] and a[k] @ b[..., k, m] come out of
    // dot_general in NumPy's order.
    if rb <= 2 || ra == 1 {
        return lax::dot_general(&a, &b, &[ca], &[cb], &[], &[]);
    }
    if ra == 2 {
        // a[n, k] @ b[B..., k, m]: dot_general gives [n, B..., m]; move n before m.
        let out = lax::dot_general(&a, &b, &[1], &[cb], &[], &[]);
        let nb = rb - 2;
        let mut perm: Vec<usize> = (1..=nb).collect();
        perm.push(0);
        perm.push(nb + 1);
        return lax::transpose(&out, &perm);
    }
    // Both have batch axes: broadcast them to a common batch shape, then batch over it.
    let (batch_a, batch_b) = (&a.shape()[..ra - 2], &b.shape()[..rb - 2]);
    let Some(batch) = broadcast_shapes(batch_a, batch_b) else {
        return Array::error(
            "matmul",
            format!(
                "cannot broadcast the batch shapes {} and {} (of shapes {} and {})",
                shape_str(batch_a),
                shape_str(batch_b),
                shape_str(a.shape()),
                shape_str(b.shape())
            ),
        );
    };
    let mut shape_a = batch.clone();
    shape_a.extend_from_slice(&a.shape()[ra - 2..]);
    let mut shape_b = batch.clone();
    shape_b.extend_from_slice(&b.shape()[rb - 2..]);
    let a = broadcast_for(&a, &shape_a, "matmul", &[&b]);
    let b = broadcast_for(&b, &shape_b, "matmul", &[&a]);
    let nb = batch.len();
    let batch_axes: Vec<usize> = (0..nb).collect();
    lax::dot_general(&a, &b, &[nb + 1], &[nb], &batch_axes, &batch_axes)
}

impl Array {
    /// NumPy's `dot`: a 0-d operand scales the other; 1-d · 1-d is the inner product;
    /// 2-d · 2-d the matrix product; n-d · 1-d contracts the last axes; n-d · m-d
    /// contracts `self`'s last axis with `other`'s second-to-last, giving
    /// `self.shape[:-1] + other.shape[:-2] + other.shape[-1:]`. Mixed dtypes promote;
    /// `bool` operands are an error.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    /// let v = Array::from_vec(vec![1.0f32, 0.0, -1.0], &[3]);
    /// assert_eq!(x.dot(&v).to_vec::<f32>().unwrap(), vec![-2.0, -2.0]);
    /// let err = v.dot(&Array::zeros(&[4, 5])).check().unwrap_err();
    /// assert_eq!(err.to_string().split(" (at").next().unwrap(), "dot: cannot contract shapes [3] and [4, 5]");
    /// ```
    #[track_caller]
    pub fn dot(&self, other: &Array) -> Array {
        dot(self, other)
    }

    /// NumPy's `matmul` (Python's `@`): the last two axes are matrices and the leading
    /// axes broadcast as a batch; a 1-d operand is a row (left) or column (right)
    /// vector whose extra axis is dropped from the result. 0-d operands are an error.
    ///
    /// ```
    /// use autobatch::Array;
    /// let a = Array::ones(&[2, 1, 3, 4]);
    /// let b = Array::ones(&[5, 4, 2]);
    /// let c = a.matmul(&b);
    /// assert_eq!(c.shape(), &[2, 5, 3, 2]);
    /// assert_eq!(c.to_vec::<f32>().unwrap()[0], 4.0);
    /// ```
    #[track_caller]
    pub fn matmul(&self, other: &Array) -> Array {
        matmul(self, other)
    }
}
