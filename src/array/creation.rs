//! Creating arrays: `zeros`, `ones`, `full`, `arange`, `linspace`, `eye`, `*_like`, and
//! conversions from Rust scalars.
//!
//! Invalid arguments (a zero step, NaN bounds, a negative count, a shape too large to
//! allocate) give an error array naming the function, never a panic or an abort.

use super::buffer::Buffer;
use super::core::Array;
use super::dtype::DType;
use crate::ir::shape_rules::MAX_ELEMENTS;
use crate::ir::{ArrayType, shape_str};

/// A buffer of `n` copies of `value` in `dtype`, or `None` when it cannot be allocated.
fn filled(dtype: DType, n: usize, value: f64) -> Option<Buffer> {
    let mut b = Buffer::zeros(dtype, n)?;
    if value != 0.0 {
        match &mut b {
            Buffer::F32(v) => v.fill(value as f32),
            Buffer::F64(v) => v.fill(value),
            Buffer::I32(v) => v.fill(value as i32),
            Buffer::U32(v) => v.fill(value as u32),
            Buffer::Bool(v) => v.fill(true),
        }
    }
    Some(b)
}

/// The element count of `shape`, or an error array naming `op`.
#[track_caller]
fn checked_size(shape: &[usize], op: &str) -> Result<usize, Array> {
    // No closure may raise the error: it would record the closure's location.
    match shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d)) {
        Some(n) if n <= MAX_ELEMENTS => Ok(n),
        _ => Err(Array::error(
            op,
            format!("shape {} is too large", shape_str(shape)),
        )),
    }
}

#[track_caller]
fn full_impl(shape: &[usize], value: f64, dtype: DType, op: &str) -> Array {
    let n = match checked_size(shape, op) {
        Ok(n) => n,
        Err(e) => return e,
    };
    match filled(dtype, n, value) {
        Some(b) => Array::from_concrete(ArrayType::new(dtype, shape.to_vec()), b),
        None => Array::error(op, format!("cannot allocate shape {}", shape_str(shape))),
    }
}

impl Array {
    /// An `f32` array of zeros.
    ///
    /// ```
    /// assert_eq!(autobatch::Array::zeros(&[2]).to_vec::<f32>().unwrap(), vec![0.0, 0.0]);
    /// ```
    #[track_caller]
    pub fn zeros(shape: &[usize]) -> Array {
        full_impl(shape, 0.0, DType::F32, "zeros")
    }

    /// An `f32` array of ones.
    ///
    /// ```
    /// assert_eq!(autobatch::Array::ones(&[2]).to_vec::<f32>().unwrap(), vec![1.0, 1.0]);
    /// ```
    #[track_caller]
    pub fn ones(shape: &[usize]) -> Array {
        full_impl(shape, 1.0, DType::F32, "ones")
    }

    /// An `f32` array filled with `value`.
    ///
    /// ```
    /// assert_eq!(autobatch::Array::full(&[2], 2.5).to_vec::<f32>().unwrap(), vec![2.5, 2.5]);
    /// ```
    #[track_caller]
    pub fn full(shape: &[usize], value: f64) -> Array {
        full_impl(shape, value, DType::F32, "full")
    }

    /// Zeros of `dtype`.
    ///
    /// ```
    /// use autobatch::{Array, DType};
    /// assert_eq!(Array::zeros_of(&[2], DType::I32).to_vec::<i32>().unwrap(), vec![0, 0]);
    /// ```
    #[track_caller]
    pub fn zeros_of(shape: &[usize], dtype: DType) -> Array {
        full_impl(shape, 0.0, dtype, "zeros")
    }

    /// Ones of `dtype`.
    ///
    /// ```
    /// use autobatch::{Array, DType};
    /// assert_eq!(Array::ones_of(&[1], DType::Bool).to_vec::<bool>().unwrap(), vec![true]);
    /// ```
    #[track_caller]
    pub fn ones_of(shape: &[usize], dtype: DType) -> Array {
        full_impl(shape, 1.0, dtype, "ones")
    }

    /// `value` (converted like `as`) in every element, of `dtype`.
    ///
    /// ```
    /// use autobatch::{Array, DType};
    /// assert_eq!(Array::full_of(&[2], 3.0, DType::F64).to_vec::<f64>().unwrap(), vec![3.0, 3.0]);
    /// ```
    #[track_caller]
    pub fn full_of(shape: &[usize], value: f64, dtype: DType) -> Array {
        full_impl(shape, value, dtype, "full")
    }

    /// Zeros with `like`'s shape and dtype.
    ///
    /// ```
    /// let x = autobatch::Array::from_vec(vec![1i32, 2], &[2]);
    /// assert_eq!(autobatch::Array::zeros_like(&x).to_vec::<i32>().unwrap(), vec![0, 0]);
    /// ```
    #[track_caller]
    pub fn zeros_like(like: &Array) -> Array {
        Array::full_like(like, 0.0)
    }

    /// Ones with `like`'s shape and dtype.
    ///
    /// ```
    /// let x = autobatch::Array::zeros(&[2]);
    /// assert_eq!(autobatch::Array::ones_like(&x).to_vec::<f32>().unwrap(), vec![1.0, 1.0]);
    /// ```
    #[track_caller]
    pub fn ones_like(like: &Array) -> Array {
        Array::full_like(like, 1.0)
    }

    /// `value` in every element, with `like`'s shape and dtype.
    ///
    /// ```
    /// let x = autobatch::Array::zeros(&[2]);
    /// assert_eq!(autobatch::Array::full_like(&x, 7.0).to_vec::<f32>().unwrap(), vec![7.0, 7.0]);
    /// ```
    #[track_caller]
    pub fn full_like(like: &Array, value: f64) -> Array {
        if let Some(e) = like.error_value() {
            return Array::from_error(e.clone());
        }
        full_impl(like.shape(), value, like.dtype(), "full_like")
    }

    /// `[0, 1, ..., n-1]` as `i32` (empty for `n <= 0`, as in NumPy).
    ///
    /// ```
    /// assert_eq!(autobatch::Array::arange(3).to_vec::<i32>().unwrap(), vec![0, 1, 2]);
    /// assert_eq!(autobatch::Array::arange(-2).shape(), &[0]);
    /// ```
    #[track_caller]
    pub fn arange(n: i64) -> Array {
        if n > i32::MAX as i64 {
            return Array::error("arange", format!("{n} elements do not fit i32 indices"));
        }
        let n = n.max(0) as usize;
        generated(DType::I32, &[n], "arange", |i| i as f64)
    }

    /// `start, start + step, ...` below `stop` (above, for a negative step) as `f32`, with
    /// NumPy's length `ceil((stop - start) / step)`; element `i` is `start + i * step`
    /// computed in `f64` and rounded once.
    ///
    /// ```
    /// let x = autobatch::Array::arange_f(0.0, 1.0, 0.25);
    /// assert_eq!(x.to_vec::<f32>().unwrap(), vec![0.0, 0.25, 0.5, 0.75]);
    /// assert!(autobatch::Array::arange_f(0.0, 1.0, 0.0).check().is_err());
    /// ```
    #[track_caller]
    pub fn arange_f(start: f64, stop: f64, step: f64) -> Array {
        if !(start.is_finite() && stop.is_finite() && step.is_finite()) || step == 0.0 {
            return Array::error(
                "arange",
                format!(
                    "needs finite bounds and a nonzero step, got start {start}, stop {stop}, step {step}"
                ),
            );
        }
        let len = ((stop - start) / step).ceil().max(0.0);
        if len > MAX_ELEMENTS as f64 {
            return Array::error("arange", format!("{len:e} elements are too many"));
        }
        let n = len as usize;
        generated(DType::F32, &[n], "arange", |i| start + i as f64 * step)
    }

    /// `num` evenly spaced `f32` values from `start` to `stop`, both included (NumPy's
    /// rule: `start + i * (stop - start) / (num - 1)` in `f64`, the last value exactly
    /// `stop`).
    ///
    /// ```
    /// let x = autobatch::Array::linspace(0.0, 1.0, 5);
    /// assert_eq!(x.to_vec::<f32>().unwrap(), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    /// ```
    #[track_caller]
    pub fn linspace(start: f64, stop: f64, num: i64) -> Array {
        linspace_impl(start, stop, num, DType::F32)
    }

    /// [`linspace`](Array::linspace) in a float `dtype` (an error array for other dtypes).
    ///
    /// ```
    /// use autobatch::{Array, DType};
    /// let x = Array::linspace_of(0.0, 2.0, 3, DType::F64);
    /// assert_eq!(x.to_vec::<f64>().unwrap(), vec![0.0, 1.0, 2.0]);
    /// ```
    #[track_caller]
    pub fn linspace_of(start: f64, stop: f64, num: i64, dtype: DType) -> Array {
        linspace_impl(start, stop, num, dtype)
    }

    /// The `n x n` identity matrix in `f32`.
    ///
    /// ```
    /// assert_eq!(autobatch::Array::eye(2).to_vec::<f32>().unwrap(), vec![1.0, 0.0, 0.0, 1.0]);
    /// ```
    #[track_caller]
    pub fn eye(n: i64) -> Array {
        eye_impl(n, DType::F32)
    }

    /// The `n x n` identity matrix in `dtype`.
    ///
    /// ```
    /// use autobatch::{Array, DType};
    /// assert_eq!(Array::eye_of(2, DType::I32).to_vec::<i32>().unwrap(), vec![1, 0, 0, 1]);
    /// ```
    #[track_caller]
    pub fn eye_of(n: i64, dtype: DType) -> Array {
        eye_impl(n, dtype)
    }
}

#[track_caller]
fn linspace_impl(start: f64, stop: f64, num: i64, dtype: DType) -> Array {
    if !(start.is_finite() && stop.is_finite()) || num < 0 || !dtype.is_float() {
        return Array::error(
            "linspace",
            format!(
                "needs finite bounds, num >= 0 and a float dtype, got start {start}, stop {stop}, num {num}, dtype {dtype}"
            ),
        );
    }
    if num as u64 > MAX_ELEMENTS as u64 {
        return Array::error("linspace", format!("{num} elements are too many"));
    }
    let n = num as usize;
    let step = if n > 1 {
        (stop - start) / (n - 1) as f64
    } else {
        0.0
    };
    generated(dtype, &[n], "linspace", |i| {
        if n > 1 && i == n - 1 {
            stop
        } else {
            start + i as f64 * step
        }
    })
}

#[track_caller]
fn eye_impl(n: i64, dtype: DType) -> Array {
    if n < 0 || (n as u64).saturating_mul(n as u64) > MAX_ELEMENTS as u64 {
        return Array::error(
            "eye",
            format!("needs 0 <= n with n*n elements in range, got {n}"),
        );
    }
    let n = n as usize;
    generated(dtype, &[n, n], "eye", |i| {
        if i % (n + 1) == 0 { 1.0 } else { 0.0 }
    })
}

/// An array of `shape` whose flat element `i` is `value(i)` converted to `dtype` (like
/// `as`); an error array naming `op` if the shape is too large or cannot be allocated.
#[track_caller]
fn generated(dtype: DType, shape: &[usize], op: &str, value: impl Fn(usize) -> f64) -> Array {
    let n = match checked_size(shape, op) {
        Ok(n) => n,
        Err(e) => return e,
    };
    let Some(mut b) = Buffer::zeros(dtype, n) else {
        return Array::error(op, format!("cannot allocate shape {}", shape_str(shape)));
    };
    match &mut b {
        Buffer::F32(v) => v
            .iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x = value(i) as f32),
        Buffer::F64(v) => v.iter_mut().enumerate().for_each(|(i, x)| *x = value(i)),
        Buffer::I32(v) => v
            .iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x = value(i) as i32),
        Buffer::U32(v) => v
            .iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x = value(i) as u32),
        Buffer::Bool(v) => v
            .iter_mut()
            .enumerate()
            .for_each(|(i, x)| *x = value(i) != 0.0),
    }
    Array::from_concrete(ArrayType::new(dtype, shape.to_vec()), b)
}

macro_rules! from_scalar {
    ($($t:ty),*) => {$(
        impl From<$t> for Array {
            /// A 0-d array of the number's own dtype.
            fn from(v: $t) -> Array {
                Array::scalar(v)
            }
        }
    )*};
}
from_scalar!(f32, f64, i32, u32, bool);
