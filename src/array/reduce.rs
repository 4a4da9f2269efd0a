//! Reductions: `sum`, `mean`, `prod`, `max`, `min`, `var`, `std`, `argmax`, `argmin`,
//! and the running sum `cumsum`.
//!
//! Each reduction comes in three forms, like `x.sum()` (every axis), `x.sum_axis(-1)`
//! (one axis) and `x.sum_axes(&[0, 2], true)` (several axes, optionally keeping them
//! with extent 1). Axes are `isize` and may be negative. An empty `axes` list reduces
//! nothing (NumPy's `axis=()`).
//!
//! Result dtypes follow `jax.numpy`: `sum`/`prod`/`cumsum` of `bool` give `i32`;
//! `mean`/`var`/`std` of integers and `bool` give `f32`; `max`/`min` keep the dtype.

use super::core::Array;
use super::dtype::DType;
use super::lax;
use super::promote::Operand;
use super::shape_ops::{axis_error, normalize_axes, normalize_axis, reshape_to};
use crate::ir::{ArgOp, BinaryOp, ReduceOp, UnaryOp, shape_str};

/// The reduced axes, sorted, for `axes` (`None` = every axis), or an error array.
#[track_caller]
fn reduced_axes(op: &str, x: &Array, axes: Option<&[isize]>) -> Result<Vec<usize>, Array> {
    let mut axes = match axes {
        None => (0..x.ndim()).collect(),
        Some(a) => normalize_axes(op, a, x.shape())?,
    };
    axes.sort_unstable();
    Ok(axes)
}

/// The shape of `x` with `axes` removed, or set to 1 when `keepdims`.
fn reduced_shape(shape: &[usize], axes: &[usize], keepdims: bool) -> Vec<usize> {
    let mut out = Vec::with_capacity(shape.len());
    for (i, &d) in shape.iter().enumerate() {
        if !axes.contains(&i) {
            out.push(d);
        } else if keepdims {
            out.push(1);
        }
    }
    out
}

/// Applies `lax::reduce` over `axes` (sorted) and restores them as extent-1 axes when
/// `keepdims`. Emits nothing for an empty `axes`.
#[track_caller]
fn reduce_raw(op: ReduceOp, x: &Array, axes: &[usize], keepdims: bool) -> Array {
    if axes.is_empty() {
        return x.clone();
    }
    let out = lax::reduce(op, x, axes);
    if keepdims {
        reshape_to(&out, &reduced_shape(x.shape(), axes, true))
    } else {
        out
    }
}

/// A scalar of `dtype` broadcast (inside the trace of `like`) to `like`'s shape.
#[track_caller]
fn filled_like(value: f64, dtype: DType, like: &Array) -> Array {
    let scalar = Operand::Float(value).into_array(dtype);
    super::broadcast::broadcast_for(&scalar, like.shape(), "fill", &[like])
}

/// Converts `bool` to `i32` (the accumulator of `sum`, `prod`, `cumsum`).
#[track_caller]
fn bool_to_int(x: &Array) -> Array {
    if x.dtype() == DType::Bool {
        lax::convert(x, DType::I32)
    } else {
        x.clone()
    }
}

/// Converts non-floats to `f32` (for `mean`, `var`, `std`).
#[track_caller]
fn to_float(x: &Array) -> Array {
    if x.dtype().is_float() {
        x.clone()
    } else {
        lax::convert(x, DType::F32)
    }
}

/// Number of elements reduced over `axes`.
fn count(x: &Array, axes: &[usize]) -> usize {
    axes.iter().map(|&a| x.shape()[a]).product()
}

#[track_caller]
fn sum_impl(x: &Array, axes: Option<&[isize]>, keepdims: bool) -> Array {
    if x.error_value().is_some() {
        return x.clone();
    }
    match reduced_axes("sum", x, axes) {
        Ok(axes) => reduce_raw(ReduceOp::Sum, &bool_to_int(x), &axes, keepdims),
        Err(e) => e,
    }
}

#[track_caller]
fn prod_impl(x: &Array, axes: Option<&[isize]>, keepdims: bool) -> Array {
    if x.error_value().is_some() {
        return x.clone();
    }
    match reduced_axes("prod", x, axes) {
        Ok(axes) => reduce_raw(ReduceOp::Prod, &bool_to_int(x), &axes, keepdims),
        Err(e) => e,
    }
}

#[track_caller]
fn extreme_impl(op: ReduceOp, x: &Array, axes: Option<&[isize]>, keepdims: bool) -> Array {
    let name = if op == ReduceOp::Max { "max" } else { "min" };
    if x.error_value().is_some() {
        return x.clone();
    }
    let axes = match reduced_axes(name, x, axes) {
        Ok(a) => a,
        Err(e) => return e,
    };
    if let Some(&a) = axes.iter().find(|&&a| x.shape()[a] == 0) {
        return Array::error(
            name,
            format!(
                "cannot take the {name} over the empty axis {a} of shape {}",
                shape_str(x.shape())
            ),
        );
    }
    reduce_raw(op, x, &axes, keepdims)
}

#[track_caller]
fn mean_impl(x: &Array, axes: &[usize], keepdims: bool) -> Array {
    let x = to_float(x);
    if axes.is_empty() {
        return x;
    }
    let sum = reduce_raw(ReduceOp::Sum, &x, axes, keepdims);
    let n = filled_like(count(&x, axes) as f64, x.dtype(), &sum);
    lax::binary(BinaryOp::Div, &sum, &n)
}

#[track_caller]
fn var_impl(x: &Array, axes: &[usize], ddof: usize, keepdims: bool) -> Array {
    let x = to_float(x);
    let mean = mean_impl(&x, axes, false);
    let kept: Vec<usize> = (0..x.ndim()).filter(|i| !axes.contains(i)).collect();
    let mean = if axes.is_empty() {
        mean
    } else {
        lax::broadcast_in_dim(&mean, x.shape(), &kept)
    };
    let centered = lax::binary(BinaryOp::Sub, &x, &mean);
    let squares = lax::binary(BinaryOp::Mul, &centered, &centered);
    let total = reduce_raw(ReduceOp::Sum, &squares, axes, keepdims);
    let dof = (count(&x, axes) as f64 - ddof as f64).max(0.0);
    let divisor = filled_like(dof, x.dtype(), &total);
    lax::binary(BinaryOp::Div, &total, &divisor)
}

#[track_caller]
fn moments(
    op: &str,
    x: &Array,
    axes: Option<&[isize]>,
    ddof: Option<usize>,
    keepdims: bool,
) -> Array {
    if x.error_value().is_some() {
        return x.clone();
    }
    let axes = match reduced_axes(op, x, axes) {
        Ok(a) => a,
        Err(e) => return e,
    };
    match ddof {
        None => mean_impl(x, &axes, keepdims),
        Some(d) => {
            let var = var_impl(x, &axes, d, keepdims);
            if op == "std" {
                lax::unary(UnaryOp::Sqrt, &var)
            } else {
                var
            }
        }
    }
}

#[track_caller]
fn arg_flat(op: ArgOp, x: &Array) -> Array {
    if x.error_value().is_some() {
        return x.clone();
    }
    if x.size() == 0 {
        return Array::error(
            op.name(),
            format!(
                "cannot take the {} of the empty array of shape {}",
                op.name(),
                shape_str(x.shape())
            ),
        );
    }
    lax::arg_reduce(op, &reshape_to(x, &[x.size()]), 0)
}

#[track_caller]
fn arg_axis(op: ArgOp, x: &Array, axis: isize, keepdims: bool) -> Array {
    if x.error_value().is_some() {
        return x.clone();
    }
    let Some(a) = normalize_axis(axis, x.ndim()) else {
        return axis_error(op.name(), axis, x.shape());
    };
    if x.shape()[a] == 0 {
        return Array::error(
            op.name(),
            format!(
                "cannot take the {} over the empty axis {a} of shape {}",
                op.name(),
                shape_str(x.shape())
            ),
        );
    }
    let out = lax::arg_reduce(op, x, a);
    if keepdims {
        reshape_to(&out, &reduced_shape(x.shape(), &[a], true))
    } else {
        out
    }
}

impl Array {
    /// The sum of all elements (`bool` counts as `i32`).
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]);
    /// assert_eq!(x.sum().item::<f32>().unwrap(), 10.0);
    /// ```
    #[track_caller]
    pub fn sum(&self) -> Array {
        sum_impl(self, None, false)
    }

    /// The sum along one axis (negative counts from the end).
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1, 2, 3, 4, 5, 6], &[2, 3]);
    /// assert_eq!(x.sum_axis(-1).to_vec::<i32>().unwrap(), vec![6, 15]);
    /// ```
    #[track_caller]
    pub fn sum_axis(&self, axis: isize) -> Array {
        sum_impl(self, Some(&[axis]), false)
    }

    /// The sum over `axes`, keeping them with extent 1 when `keepdims`.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1, 2, 3, 4, 5, 6], &[2, 3]);
    /// let y = x.sum_axes(&[0, 1], true);
    /// assert_eq!(y.shape(), &[1, 1]);
    /// assert_eq!(y.to_vec::<i32>().unwrap(), vec![21]);
    /// ```
    #[track_caller]
    pub fn sum_axes(&self, axes: &[isize], keepdims: bool) -> Array {
        sum_impl(self, Some(axes), keepdims)
    }

    /// The product of all elements (`bool` counts as `i32`).
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1, 2, 3, 4], &[4]);
    /// assert_eq!(x.prod().item::<i32>().unwrap(), 24);
    /// ```
    #[track_caller]
    pub fn prod(&self) -> Array {
        prod_impl(self, None, false)
    }

    /// The product along one axis.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1, 2, 3, 4, 5, 6], &[2, 3]);
    /// assert_eq!(x.prod_axis(0).to_vec::<i32>().unwrap(), vec![4, 10, 18]);
    /// ```
    #[track_caller]
    pub fn prod_axis(&self, axis: isize) -> Array {
        prod_impl(self, Some(&[axis]), false)
    }

    /// The product over `axes`, keeping them with extent 1 when `keepdims`.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1, 2, 3, 4, 5, 6], &[2, 3]);
    /// assert_eq!(x.prod_axes(&[1], true).to_vec::<i32>().unwrap(), vec![6, 120]);
    /// ```
    #[track_caller]
    pub fn prod_axes(&self, axes: &[isize], keepdims: bool) -> Array {
        prod_impl(self, Some(axes), keepdims)
    }

    /// The largest element (an error for an empty array). NaN propagates.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1.0f32, 5.0, 3.0], &[3]);
    /// assert_eq!(x.max().item::<f32>().unwrap(), 5.0);
    /// ```
    #[track_caller]
    pub fn max(&self) -> Array {
        extreme_impl(ReduceOp::Max, self, None, false)
    }

    /// The largest element along one axis.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1, 5, 3, 4], &[2, 2]);
    /// assert_eq!(x.max_axis(1).to_vec::<i32>().unwrap(), vec![5, 4]);
    /// ```
    #[track_caller]
    pub fn max_axis(&self, axis: isize) -> Array {
        extreme_impl(ReduceOp::Max, self, Some(&[axis]), false)
    }

    /// The largest element over `axes`, keeping them with extent 1 when `keepdims`.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1, 5, 3, 4], &[2, 2]);
    /// assert_eq!(x.max_axes(&[0], true).to_vec::<i32>().unwrap(), vec![3, 5]);
    /// ```
    #[track_caller]
    pub fn max_axes(&self, axes: &[isize], keepdims: bool) -> Array {
        extreme_impl(ReduceOp::Max, self, Some(axes), keepdims)
    }

    /// The smallest element (an error for an empty array). NaN propagates.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1.0f32, 5.0, -3.0], &[3]);
    /// assert_eq!(x.min().item::<f32>().unwrap(), -3.0);
    /// ```
    #[track_caller]
    pub fn min(&self) -> Array {
        extreme_impl(ReduceOp::Min, self, None, false)
    }

    /// The smallest element along one axis.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1, 5, 3, 4], &[2, 2]);
    /// assert_eq!(x.min_axis(-1).to_vec::<i32>().unwrap(), vec![1, 3]);
    /// ```
    #[track_caller]
    pub fn min_axis(&self, axis: isize) -> Array {
        extreme_impl(ReduceOp::Min, self, Some(&[axis]), false)
    }

    /// The smallest element over `axes`, keeping them with extent 1 when `keepdims`.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1, 5, 3, 4], &[2, 2]);
    /// assert_eq!(x.min_axes(&[0], false).to_vec::<i32>().unwrap(), vec![1, 4]);
    /// ```
    #[track_caller]
    pub fn min_axes(&self, axes: &[isize], keepdims: bool) -> Array {
        extreme_impl(ReduceOp::Min, self, Some(axes), keepdims)
    }

    /// The arithmetic mean of all elements (`f32` for integer and `bool` input; NaN for
    /// an empty array).
    ///
    /// ```
    /// use autobatch::{Array, DType};
    /// let x = Array::from_vec(vec![1, 2, 3, 4], &[4]);
    /// assert_eq!(x.mean().dtype(), DType::F32);
    /// assert_eq!(x.mean().item::<f32>().unwrap(), 2.5);
    /// ```
    #[track_caller]
    pub fn mean(&self) -> Array {
        moments("mean", self, None, None, false)
    }

    /// The mean along one axis.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1.0f64, 2.0, 3.0, 5.0], &[2, 2]);
    /// assert_eq!(x.mean_axis(0).to_vec::<f64>().unwrap(), vec![2.0, 3.5]);
    /// ```
    #[track_caller]
    pub fn mean_axis(&self, axis: isize) -> Array {
        moments("mean", self, Some(&[axis]), None, false)
    }

    /// The mean over `axes`, keeping them with extent 1 when `keepdims`.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1.0f64, 2.0, 3.0, 5.0], &[2, 2]);
    /// assert_eq!(x.mean_axes(&[1], true).to_vec::<f64>().unwrap(), vec![1.5, 4.0]);
    /// ```
    #[track_caller]
    pub fn mean_axes(&self, axes: &[isize], keepdims: bool) -> Array {
        moments("mean", self, Some(axes), None, keepdims)
    }

    /// The population variance of all elements (`ddof = 0`).
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[4]);
    /// assert_eq!(x.var().item::<f32>().unwrap(), 1.25);
    /// ```
    #[track_caller]
    pub fn var(&self) -> Array {
        moments("var", self, None, Some(0), false)
    }

    /// The population variance along one axis.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1.0f32, 3.0, 2.0, 2.0], &[2, 2]);
    /// assert_eq!(x.var_axis(1).to_vec::<f32>().unwrap(), vec![1.0, 0.0]);
    /// ```
    #[track_caller]
    pub fn var_axis(&self, axis: isize) -> Array {
        moments("var", self, Some(&[axis]), Some(0), false)
    }

    /// The population variance over `axes`, keeping them with extent 1 when `keepdims`.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1.0f32, 3.0, 2.0, 2.0], &[2, 2]);
    /// assert_eq!(x.var_axes(&[0], true).to_vec::<f32>().unwrap(), vec![0.25, 0.25]);
    /// ```
    #[track_caller]
    pub fn var_axes(&self, axes: &[isize], keepdims: bool) -> Array {
        moments("var", self, Some(axes), Some(0), keepdims)
    }

    /// The variance over `axes` with `ddof` delta degrees of freedom: the sum of squared
    /// deviations divided by `n - ddof` (`ddof = 1` gives the unbiased estimate).
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1.0f64, 2.0, 3.0, 4.0], &[4]);
    /// let v = x.var_ddof(&[0], 1, false).item::<f64>().unwrap();
    /// assert!((v - 5.0 / 3.0).abs() < 1e-12);
    /// ```
    #[track_caller]
    pub fn var_ddof(&self, axes: &[isize], ddof: usize, keepdims: bool) -> Array {
        moments("var", self, Some(axes), Some(ddof), keepdims)
    }

    /// The population standard deviation of all elements.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1.0f32, 3.0], &[2]);
    /// assert_eq!(x.std().item::<f32>().unwrap(), 1.0);
    /// ```
    #[track_caller]
    pub fn std(&self) -> Array {
        moments("std", self, None, Some(0), false)
    }

    /// The population standard deviation along one axis.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1.0f32, 3.0, 2.0, 2.0], &[2, 2]);
    /// assert_eq!(x.std_axis(-1).to_vec::<f32>().unwrap(), vec![1.0, 0.0]);
    /// ```
    #[track_caller]
    pub fn std_axis(&self, axis: isize) -> Array {
        moments("std", self, Some(&[axis]), Some(0), false)
    }

    /// The population standard deviation over `axes`, keeping them with extent 1 when
    /// `keepdims`.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1.0f32, 3.0, 2.0, 2.0], &[2, 2]);
    /// assert_eq!(x.std_axes(&[1], true).shape(), &[2, 1]);
    /// ```
    #[track_caller]
    pub fn std_axes(&self, axes: &[isize], keepdims: bool) -> Array {
        moments("std", self, Some(axes), Some(0), keepdims)
    }

    /// The index (`i32`) of the first largest element of the flattened array.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1, 9, 3, 9], &[2, 2]);
    /// assert_eq!(x.argmax().item::<i32>().unwrap(), 1);
    /// ```
    #[track_caller]
    pub fn argmax(&self) -> Array {
        arg_flat(ArgOp::Argmax, self)
    }

    /// The index (`i32`) of the first largest element along `axis`, which is removed
    /// (or kept with extent 1 when `keepdims`).
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1, 9, 3, 2], &[2, 2]);
    /// assert_eq!(x.argmax_axis(1, false).to_vec::<i32>().unwrap(), vec![1, 0]);
    /// assert_eq!(x.argmax_axis(0, true).shape(), &[1, 2]);
    /// ```
    #[track_caller]
    pub fn argmax_axis(&self, axis: isize, keepdims: bool) -> Array {
        arg_axis(ArgOp::Argmax, self, axis, keepdims)
    }

    /// The index (`i32`) of the first smallest element of the flattened array.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![4, 9, 0, 0], &[2, 2]);
    /// assert_eq!(x.argmin().item::<i32>().unwrap(), 2);
    /// ```
    #[track_caller]
    pub fn argmin(&self) -> Array {
        arg_flat(ArgOp::Argmin, self)
    }

    /// The index (`i32`) of the first smallest element along `axis`.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1, 9, 3, 2], &[2, 2]);
    /// assert_eq!(x.argmin_axis(-1, false).to_vec::<i32>().unwrap(), vec![0, 1]);
    /// ```
    #[track_caller]
    pub fn argmin_axis(&self, axis: isize, keepdims: bool) -> Array {
        arg_axis(ArgOp::Argmin, self, axis, keepdims)
    }

    /// The inclusive running sum along `axis` (`bool` counts as `i32`).
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1, 2, 3, 4], &[2, 2]);
    /// assert_eq!(x.cumsum(1).to_vec::<i32>().unwrap(), vec![1, 3, 3, 7]);
    /// assert_eq!(x.cumsum(0).to_vec::<i32>().unwrap(), vec![1, 2, 4, 6]);
    /// ```
    #[track_caller]
    pub fn cumsum(&self, axis: isize) -> Array {
        if self.error_value().is_some() {
            return self.clone();
        }
        let Some(a) = normalize_axis(axis, self.ndim()) else {
            return axis_error("cumsum", axis, self.shape());
        };
        lax::cumsum(&bool_to_int(self), a, false)
    }

    /// The running sum of the flattened array (NumPy's `cumsum` without an axis).
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![1, 2, 3, 4], &[2, 2]);
    /// assert_eq!(x.cumsum_flat().to_vec::<i32>().unwrap(), vec![1, 3, 6, 10]);
    /// ```
    #[track_caller]
    pub fn cumsum_flat(&self) -> Array {
        if self.error_value().is_some() {
            return self.clone();
        }
        lax::cumsum(&bool_to_int(&reshape_to(self, &[self.size()])), 0, false)
    }
}
