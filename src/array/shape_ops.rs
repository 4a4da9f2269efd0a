//! Shape manipulation: `reshape`, `transpose`, `t`, `swapaxes`, `moveaxis`,
//! `expand_dims`, `squeeze`, `flatten`.
//!
//! Axes are `isize` and may be negative (counting from the end), as in NumPy. A call that
//! would not change the array (same shape, identity permutation) returns the array itself
//! and records nothing. A bad argument gives an error array naming the op, the shape and
//! the offending axes (see [`Error`](crate::Error)).

use super::core::Array;
use super::lax;
use crate::ir::shape_str;

/// `axis` (negative counts from the end) as an index below `ndim`, or `None`.
pub(crate) fn normalize_axis(axis: isize, ndim: usize) -> Option<usize> {
    let n = ndim as isize;
    let a = if axis < 0 { axis + n } else { axis };
    (0..n).contains(&a).then_some(a as usize)
}

/// The error array `op: axis A is out of range for shape S`.
#[track_caller]
pub(crate) fn axis_error(op: &str, axis: isize, shape: &[usize]) -> Array {
    Array::error(
        op,
        format!("axis {axis} is out of range for shape {}", shape_str(shape)),
    )
}

/// Normalizes every axis of `axes` for an array of `shape`, rejecting out-of-range and
/// repeated axes with an error array naming `op`. The result keeps the given order.
#[track_caller]
pub(crate) fn normalize_axes(
    op: &str,
    axes: &[isize],
    shape: &[usize],
) -> Result<Vec<usize>, Array> {
    let mut out = Vec::with_capacity(axes.len());
    for &a in axes {
        let Some(n) = normalize_axis(a, shape.len()) else {
            return Err(axis_error(op, a, shape));
        };
        if out.contains(&n) {
            return Err(Array::error(
                op,
                format!(
                    "axis {n} appears twice in {axes:?} for shape {}",
                    shape_str(shape)
                ),
            ));
        }
        out.push(n);
    }
    Ok(out)
}

/// The first error array among `xs`, if any.
pub(crate) fn first_error(xs: &[&Array]) -> Option<Array> {
    xs.iter()
        .find(|a| a.error_value().is_some())
        .map(|a| (*a).clone())
}

/// Reshapes with `lax::reshape` unless the shape is already `shape`.
#[track_caller]
pub(crate) fn reshape_to(x: &Array, shape: &[usize]) -> Array {
    if x.shape() == shape {
        x.clone()
    } else {
        lax::reshape(x, shape)
    }
}

/// Transposes with `lax::transpose` unless `perm` is the identity.
#[track_caller]
pub(crate) fn transpose_to(x: &Array, perm: &[usize]) -> Array {
    if perm.iter().enumerate().all(|(i, &p)| i == p) {
        x.clone()
    } else {
        lax::transpose(x, perm)
    }
}

impl Array {
    /// Gives a new shape to the same elements, in row-major order. One extent may be
    /// `-1`, inferred from the others.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec((0..6).collect::<Vec<i32>>(), &[6]);
    /// assert_eq!(x.reshape(&[2, -1]).shape(), &[2, 3]);
    /// let err = x.reshape(&[4, -1]).check().unwrap_err();
    /// assert_eq!(err.message(), "cannot reshape [6] into [4, -1]");
    /// ```
    #[track_caller]
    pub fn reshape(&self, shape: &[isize]) -> Array {
        if self.error_value().is_some() {
            return self.clone();
        }
        let size = self.size();
        let fail = || format!("cannot reshape {} into {shape:?}", shape_str(self.shape()));
        let unknown = shape.iter().filter(|&&d| d == -1).count();
        if unknown > 1 || shape.iter().any(|&d| d < -1) {
            return Array::error("reshape", fail());
        }
        let mut known: usize = 1;
        for &d in shape.iter().filter(|&&d| d >= 0) {
            match known.checked_mul(d as usize) {
                Some(k) => known = k,
                None => return Array::error("reshape", fail()),
            }
        }
        let inferred = if unknown == 1 {
            if known == 0 || !size.is_multiple_of(known) {
                return Array::error("reshape", fail());
            }
            size / known
        } else {
            if known != size {
                return Array::error("reshape", fail());
            }
            0
        };
        let out: Vec<usize> = shape
            .iter()
            .map(|&d| if d == -1 { inferred } else { d as usize })
            .collect();
        reshape_to(self, &out)
    }

    /// Permutes the axes: output axis `i` is input axis `perm[i]` (negative axes count
    /// from the end).
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::zeros(&[2, 3, 4]);
    /// assert_eq!(x.transpose(&[2, 0, 1]).shape(), &[4, 2, 3]);
    /// assert_eq!(x.transpose(&[-1, 0, 1]).shape(), &[4, 2, 3]);
    /// assert!(x.transpose(&[0, 0, 1]).check().is_err());
    /// ```
    #[track_caller]
    pub fn transpose(&self, perm: &[isize]) -> Array {
        if self.error_value().is_some() {
            return self.clone();
        }
        let mut p = Vec::with_capacity(perm.len());
        for &a in perm {
            match normalize_axis(a, self.ndim()) {
                Some(n) if !p.contains(&n) => p.push(n),
                _ => break,
            }
        }
        if p.len() != perm.len() || perm.len() != self.ndim() {
            return Array::error(
                "transpose",
                format!(
                    "{perm:?} is not a permutation of the axes of shape {}",
                    shape_str(self.shape())
                ),
            );
        }
        transpose_to(self, &p)
    }

    /// Reverses the order of the axes (NumPy's `.T`); 0-d and 1-d arrays are returned as
    /// they are.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1, 2, 3, 4, 5, 6], &[2, 3]);
    /// assert_eq!(x.t().shape(), &[3, 2]);
    /// assert_eq!(x.t().to_vec::<i32>().unwrap(), vec![1, 4, 2, 5, 3, 6]);
    /// ```
    #[track_caller]
    pub fn t(&self) -> Array {
        if self.error_value().is_some() {
            return self.clone();
        }
        let perm: Vec<usize> = (0..self.ndim()).rev().collect();
        transpose_to(self, &perm)
    }

    /// Exchanges two axes.
    ///
    /// ```
    /// use autobatch::Array;
    /// assert_eq!(Array::zeros(&[2, 3, 4]).swapaxes(0, -1).shape(), &[4, 3, 2]);
    /// ```
    #[track_caller]
    pub fn swapaxes(&self, axis1: isize, axis2: isize) -> Array {
        if self.error_value().is_some() {
            return self.clone();
        }
        let Some(a) = normalize_axis(axis1, self.ndim()) else {
            return axis_error("swapaxes", axis1, self.shape());
        };
        let Some(b) = normalize_axis(axis2, self.ndim()) else {
            return axis_error("swapaxes", axis2, self.shape());
        };
        let mut perm: Vec<usize> = (0..self.ndim()).collect();
        perm.swap(a, b);
        transpose_to(self, &perm)
    }

    /// Moves axis `source` to position `destination`, keeping the others in order.
    ///
    /// ```
    /// use autobatch::Array;
    /// assert_eq!(Array::zeros(&[2, 3, 4]).moveaxis(0, -1).shape(), &[3, 4, 2]);
    /// assert_eq!(Array::zeros(&[2, 3, 4]).moveaxis(-1, 0).shape(), &[4, 2, 3]);
    /// ```
    #[track_caller]
    pub fn moveaxis(&self, source: isize, destination: isize) -> Array {
        if self.error_value().is_some() {
            return self.clone();
        }
        let Some(s) = normalize_axis(source, self.ndim()) else {
            return axis_error("moveaxis", source, self.shape());
        };
        let Some(d) = normalize_axis(destination, self.ndim()) else {
            return axis_error("moveaxis", destination, self.shape());
        };
        let mut perm: Vec<usize> = (0..self.ndim()).filter(|&i| i != s).collect();
        perm.insert(d, s);
        transpose_to(self, &perm)
    }

    /// Inserts an axis of extent 1 at position `axis` of the result (`-1` appends).
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::zeros(&[2, 3]);
    /// assert_eq!(x.expand_dims(0).shape(), &[1, 2, 3]);
    /// assert_eq!(x.expand_dims(-1).shape(), &[2, 3, 1]);
    /// assert!(x.expand_dims(3).check().is_err());
    /// ```
    #[track_caller]
    pub fn expand_dims(&self, axis: isize) -> Array {
        if self.error_value().is_some() {
            return self.clone();
        }
        let Some(a) = normalize_axis(axis, self.ndim() + 1) else {
            return axis_error("expand_dims", axis, self.shape());
        };
        let mut shape = self.shape().to_vec();
        shape.insert(a, 1);
        lax::reshape(self, &shape)
    }

    /// Removes every axis of extent 1.
    ///
    /// ```
    /// use autobatch::Array;
    /// assert_eq!(Array::zeros(&[1, 2, 1]).squeeze().shape(), &[2]);
    /// ```
    #[track_caller]
    pub fn squeeze(&self) -> Array {
        if self.error_value().is_some() {
            return self.clone();
        }
        let shape: Vec<usize> = self.shape().iter().copied().filter(|&d| d != 1).collect();
        reshape_to(self, &shape)
    }

    /// Removes the given axes, each of which must have extent 1.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::zeros(&[1, 2, 1]);
    /// assert_eq!(x.squeeze_axes(&[-1]).shape(), &[1, 2]);
    /// let err = x.squeeze_axes(&[1]).check().unwrap_err();
    /// assert_eq!(err.message(), "axis 1 of shape [1, 2, 1] has extent 2, not 1");
    /// ```
    #[track_caller]
    pub fn squeeze_axes(&self, axes: &[isize]) -> Array {
        if self.error_value().is_some() {
            return self.clone();
        }
        let axes = match normalize_axes("squeeze", axes, self.shape()) {
            Ok(a) => a,
            Err(e) => return e,
        };
        if let Some(&a) = axes.iter().find(|&&a| self.shape()[a] != 1) {
            return Array::error(
                "squeeze",
                format!(
                    "axis {a} of shape {} has extent {}, not 1",
                    shape_str(self.shape()),
                    self.shape()[a]
                ),
            );
        }
        let shape: Vec<usize> = (0..self.ndim())
            .filter(|i| !axes.contains(i))
            .map(|i| self.shape()[i])
            .collect();
        reshape_to(self, &shape)
    }

    /// The elements as a 1-d array, in row-major order.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1, 2, 3, 4], &[2, 2]);
    /// assert_eq!(x.flatten().shape(), &[4]);
    /// assert_eq!(Array::scalar(1.0f32).flatten().shape(), &[1]);
    /// ```
    #[track_caller]
    pub fn flatten(&self) -> Array {
        if self.error_value().is_some() {
            return self.clone();
        }
        reshape_to(self, &[self.size()])
    }

    /// The same as [`flatten`](Array::flatten) (arrays are immutable, so no copy is
    /// ever visible).
    ///
    /// ```
    /// use autobatch::Array;
    /// assert_eq!(Array::zeros(&[2, 3]).ravel().shape(), &[6]);
    /// ```
    #[track_caller]
    pub fn ravel(&self) -> Array {
        self.flatten()
    }
}
