//! NumPy broadcasting, made explicit with `broadcast_in_dim`.

use super::core::{Array, apply1_within};
use crate::ir::{Primitive, shape_str};

/// The shape two shapes broadcast to under NumPy's rules, or `None` if they do not.
///
/// ```
/// use autobatch::array::broadcast_shapes;
/// assert_eq!(broadcast_shapes(&[3, 1], &[4]), Some(vec![3, 4]));
/// assert_eq!(broadcast_shapes(&[100], &[100, 10]), None);
/// ```
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Option<Vec<usize>> {
    let n = a.len().max(b.len());
    let mut out = vec![0; n];
    for i in 0..n {
        let da = if i < n - a.len() {
            1
        } else {
            a[i - (n - a.len())]
        };
        let db = if i < n - b.len() {
            1
        } else {
            b[i - (n - b.len())]
        };
        out[i] = match (da, db) {
            (x, y) if x == y => x,
            (1, y) => y,
            (x, 1) => x,
            _ => return None,
        };
    }
    Some(out)
}

/// Broadcasts `x` to `shape` (NumPy rules: trailing axes align), recording the op into
/// the innermost trace among `x` and `context`. Returns `x` itself when the shape already
/// matches; an error array naming `op` when it does not broadcast.
#[track_caller]
pub(crate) fn broadcast_for(x: &Array, shape: &[usize], op: &str, context: &[&Array]) -> Array {
    if x.error_value().is_some() || x.shape() == shape {
        return x.clone();
    }
    let rank = x.ndim();
    let compatible = rank <= shape.len()
        && x.shape()
            .iter()
            .zip(&shape[shape.len() - rank..])
            .all(|(&d, &s)| d == s || d == 1);
    if !compatible {
        return Array::error(
            op,
            format!(
                "cannot broadcast shape {} to {}",
                shape_str(x.shape()),
                shape_str(shape)
            ),
        );
    }
    let dims: Vec<usize> = (shape.len() - rank..shape.len()).collect();
    apply1_within(
        Primitive::BroadcastInDim {
            shape: shape.to_vec(),
            dims,
        },
        &[x],
        context,
    )
}

/// Broadcasts every operand to their common shape, or returns an error array naming `op`
/// and all the shapes (e.g. `mul: cannot broadcast shapes [100] and [100, 10]`).
#[track_caller]
pub(crate) fn broadcast_all(xs: &[Array], op: &str) -> Result<Vec<Array>, Array> {
    if let Some(e) = xs.iter().find(|a| a.error_value().is_some()) {
        return Err(e.clone());
    }
    let mut shape: Vec<usize> = Vec::new();
    for x in xs {
        match broadcast_shapes(&shape, x.shape()) {
            Some(s) => shape = s,
            None => {
                let shapes: Vec<String> = xs.iter().map(|a| shape_str(a.shape())).collect();
                let listed = match shapes.len() {
                    2 => format!("{} and {}", shapes[0], shapes[1]),
                    _ => shapes.join(", "),
                };
                return Err(Array::error(
                    op,
                    format!("cannot broadcast shapes {listed}"),
                ));
            }
        }
    }
    let context: Vec<&Array> = xs.iter().collect();
    Ok(xs
        .iter()
        .map(|x| broadcast_for(x, &shape, op, &context))
        .collect())
}

impl Array {
    /// Broadcasts to `shape` under NumPy's rules.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1.0f32, 2.0], &[2]);
    /// assert_eq!(x.broadcast_to(&[3, 2]).shape(), &[3, 2]);
    /// assert!(x.broadcast_to(&[3]).check().is_err());
    /// ```
    #[track_caller]
    pub fn broadcast_to(&self, shape: &[usize]) -> Array {
        broadcast_for(self, shape, "broadcast_to", &[])
    }
}
