//! Indexing with Python semantics: `x.index(s![.., 1, 2..5])`, and `take`.
//!
//! An index list holds one [`Idx`] per axis, in order: an integer picks one entry and
//! removes the axis (negative counts from the end), a range keeps a strided part of it
//! (bounds clamp like Python slices; steps may be negative), `..` keeps it whole, and
//! [`Idx::NewAxis`] inserts an axis of extent 1. Missing trailing entries mean `..`.

use super::core::Array;
use super::dtype::DType;
use super::lax;
use super::shape_ops::{axis_error, first_error, normalize_axis, reshape_to};
use crate::ir::{BinaryOp, CompareOp, shape_str};
use std::ops::{Range, RangeFrom, RangeFull, RangeInclusive, RangeTo, RangeToInclusive};

/// One entry of an index list (see [`Array::index`] and the [`s!`](crate::s) macro).
///
/// ```
/// use autobatch::array::Idx;
/// assert_eq!(Idx::from(3), Idx::At(3));
/// assert_eq!(Idx::from(1..), Idx::Range { start: Some(1), stop: None, step: 1 });
/// assert_eq!(Idx::from(..), Idx::All);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Idx {
    /// One entry of the axis, which is removed (negative counts from the end).
    At(isize),
    /// Entries `start, start + step, ...` before `stop`, with Python's defaults and
    /// clamping (`None` means the start or end in the direction of `step`).
    Range {
        /// The first entry, if given.
        start: Option<isize>,
        /// The entry to stop before, if given.
        stop: Option<isize>,
        /// The stride (nonzero; negative walks backwards).
        step: isize,
    },
    /// The whole axis (`..`).
    All,
    /// A new axis of extent 1 (NumPy's `None` / `np.newaxis`); consumes no input axis.
    NewAxis,
}

impl Idx {
    /// The slice `start:stop:step` (Python semantics; `None` for an omitted bound).
    ///
    /// ```
    /// use autobatch::{s, Array, array::Idx};
    /// let x = Array::from_vec(vec![0, 1, 2, 3, 4], &[5]);
    /// assert_eq!(x.index(&[Idx::step(None, None, -2)]).to_vec::<i32>().unwrap(), vec![4, 2, 0]);
    /// assert_eq!(x.index(s![Idx::step(Some(3), Some(0), -1)]).to_vec::<i32>().unwrap(), vec![3, 2, 1]);
    /// ```
    pub fn step(start: Option<isize>, stop: Option<isize>, step: isize) -> Idx {
        Idx::Range { start, stop, step }
    }
}

macro_rules! idx_from_ints {
    ($($t:ty),*) => {$(
        impl From<$t> for Idx {
            fn from(i: $t) -> Idx {
                Idx::At(i as isize)
            }
        }
        impl From<Range<$t>> for Idx {
            fn from(r: Range<$t>) -> Idx {
                Idx::step(Some(r.start as isize), Some(r.end as isize), 1)
            }
        }
        impl From<RangeFrom<$t>> for Idx {
            fn from(r: RangeFrom<$t>) -> Idx {
                Idx::step(Some(r.start as isize), None, 1)
            }
        }
        impl From<RangeTo<$t>> for Idx {
            fn from(r: RangeTo<$t>) -> Idx {
                Idx::step(None, Some(r.end as isize), 1)
            }
        }
        impl From<RangeInclusive<$t>> for Idx {
            fn from(r: RangeInclusive<$t>) -> Idx {
                let end = *r.end() as isize;
                // `a..=-1` runs to the end of the axis, as `a..` does.
                let stop = if end == -1 { None } else { Some(end + 1) };
                Idx::step(Some(*r.start() as isize), stop, 1)
            }
        }
        impl From<RangeToInclusive<$t>> for Idx {
            fn from(r: RangeToInclusive<$t>) -> Idx {
                let end = r.end as isize;
                let stop = if end == -1 { None } else { Some(end + 1) };
                Idx::step(None, stop, 1)
            }
        }
    )*};
}
idx_from_ints!(i32, isize, usize, i64);

impl From<RangeFull> for Idx {
    fn from(_: RangeFull) -> Idx {
        Idx::All
    }
}

/// Builds an index list for [`Array::index`] from integers, ranges, `..`, and
/// [`Idx`] values (e.g. `Idx::NewAxis`, `Idx::step(..)`), like NumPy's `x[:, 1, 2:5]`.
///
/// ```
/// use autobatch::{s, Array, array::Idx};
/// let x = Array::from_vec((0..24).collect::<Vec<i32>>(), &[2, 3, 4]);
/// assert_eq!(x.index(s![.., 1, 2..4]).to_vec::<i32>().unwrap(), vec![6, 7, 18, 19]);
/// assert_eq!(x.index(s![-1, Idx::NewAxis, ..2, 3]).shape(), &[1, 2]);
/// ```
#[macro_export]
macro_rules! s {
    ($($e:expr),* $(,)?) => {
        &[$($crate::array::Idx::from($e)),*]
    };
}

/// How one input axis is indexed, after bounds are resolved.
enum AxisPlan {
    /// Entries `start, start + stride, ... < limit`: the whole axis, a forward slice, or
    /// an integer index (`limit = start + 1`, the axis removed by the final reshape).
    Forward {
        start: usize,
        limit: usize,
        stride: usize,
    },
    /// Entries `start, start - stride, ...`, `len` of them (a backward slice).
    Backward {
        start: usize,
        stride: usize,
        len: usize,
    },
}

/// Resolves a Python slice `start:stop:step` on an axis of extent `n` to
/// `(first, step, len)`, as `slice.indices` does.
fn resolve_slice(
    start: Option<isize>,
    stop: Option<isize>,
    step: isize,
    n: usize,
) -> (isize, usize) {
    let n = n as isize;
    if step > 0 {
        let clamp = |v: isize| if v < 0 { (v + n).max(0) } else { v.min(n) };
        let first = start.map_or(0, clamp);
        let end = stop.map_or(n, clamp);
        let len = if end > first {
            (end - first + step - 1) / step
        } else {
            0
        };
        (first, len as usize)
    } else {
        let clamp = |v: isize| if v < 0 { (v + n).max(-1) } else { v.min(n - 1) };
        let first = start.map_or(n - 1, clamp);
        let end = stop.map_or(-1, clamp);
        let back = -step;
        let len = if first > end {
            (first - end + back - 1) / back
        } else {
            0
        };
        (first, len as usize)
    }
}

/// A constant `i32` vector, or an error array if some value does not fit `i32`.
#[track_caller]
fn i32_indices(op: &str, values: Vec<i64>) -> Array {
    let mut out = Vec::with_capacity(values.len());
    for v in values {
        match i32::try_from(v) {
            Ok(i) => out.push(i),
            Err(_) => return Array::error(op, format!("index {v} does not fit in i32")),
        }
    }
    let n = out.len();
    Array::from_vec(out, &[n])
}

impl Array {
    /// Indexes like NumPy basic indexing `x[...]` (see [`s!`](crate::s) and [`Idx`]).
    ///
    /// Integers remove their axis; ranges clamp like Python slices; negative steps walk
    /// backwards; missing trailing entries mean `..`. An integer out of range, a zero
    /// step or more indices than axes gives an error array.
    ///
    /// ```
    /// use autobatch::{s, Array, array::Idx};
    /// let x = Array::from_vec((0..12).collect::<Vec<i32>>(), &[3, 4]);
    /// assert_eq!(x.index(s![1]).to_vec::<i32>().unwrap(), vec![4, 5, 6, 7]);
    /// assert_eq!(x.index(s![.., -1]).to_vec::<i32>().unwrap(), vec![3, 7, 11]);
    /// assert_eq!(x.index(s![0, Idx::step(None, None, -2)]).to_vec::<i32>().unwrap(), vec![3, 1]);
    /// assert_eq!(x.index(s![.., Idx::NewAxis, 1..3]).shape(), &[3, 1, 2]);
    /// let err = x.index(s![3]).check().unwrap_err();
    /// assert_eq!(err.message(), "index 3 is out of range for axis 0 with extent 3");
    /// ```
    #[track_caller]
    pub fn index(&self, idx: &[Idx]) -> Array {
        if self.error_value().is_some() {
            return self.clone();
        }
        let shape = self.shape();
        let consumed = idx.iter().filter(|i| !matches!(i, Idx::NewAxis)).count();
        if consumed > self.ndim() {
            return Array::error(
                "index",
                format!(
                    "too many indices for shape {}: {consumed} given",
                    shape_str(shape)
                ),
            );
        }
        let mut plans = Vec::with_capacity(self.ndim());
        let mut out_shape = Vec::new();
        let mut axis = 0;
        for entry in idx
            .iter()
            .chain(std::iter::repeat_n(&Idx::All, self.ndim() - consumed))
        {
            let n = if axis < self.ndim() { shape[axis] } else { 0 };
            match *entry {
                Idx::NewAxis => {
                    out_shape.push(1);
                    continue;
                }
                Idx::All => {
                    plans.push(AxisPlan::Forward {
                        start: 0,
                        limit: n,
                        stride: 1,
                    });
                    out_shape.push(n);
                }
                Idx::At(i) => {
                    let Some(j) = normalize_axis(i, n) else {
                        return Array::error(
                            "index",
                            format!("index {i} is out of range for axis {axis} with extent {n}"),
                        );
                    };
                    plans.push(AxisPlan::Forward {
                        start: j,
                        limit: j + 1,
                        stride: 1,
                    });
                }
                Idx::Range { start, stop, step } => {
                    if step == 0 {
                        return Array::error(
                            "index",
                            format!("the slice step for axis {axis} must not be zero"),
                        );
                    }
                    let (first, len) = resolve_slice(start, stop, step, n);
                    let stride = step.unsigned_abs();
                    if step > 0 || len <= 1 {
                        // A backward slice of at most one entry is a forward one.
                        let first = if len == 0 {
                            first.clamp(0, n as isize)
                        } else {
                            first
                        } as usize;
                        let limit = if len == 0 {
                            first
                        } else {
                            first + (len - 1) * stride + 1
                        };
                        plans.push(AxisPlan::Forward {
                            start: first,
                            limit,
                            stride: if len <= 1 { 1 } else { stride },
                        });
                    } else {
                        plans.push(AxisPlan::Backward {
                            start: first as usize,
                            stride,
                            len,
                        });
                    }
                    out_shape.push(len);
                }
            }
            axis += 1;
        }
        // One strided slice for every forward axis (backward axes stay whole) ...
        let mut start = Vec::with_capacity(plans.len());
        let mut limit = Vec::with_capacity(plans.len());
        let mut strides = Vec::with_capacity(plans.len());
        for (ax, plan) in plans.iter().enumerate() {
            let (s, l, st) = match *plan {
                AxisPlan::Forward {
                    start,
                    limit,
                    stride,
                } => (start, limit, stride),
                AxisPlan::Backward { .. } => (0, shape[ax], 1),
            };
            start.push(s);
            limit.push(l);
            strides.push(st);
        }
        let whole =
            (0..plans.len()).all(|ax| start[ax] == 0 && limit[ax] == shape[ax] && strides[ax] == 1);
        let mut out = if whole {
            self.clone()
        } else {
            lax::slice(self, &start, &limit, &strides)
        };
        // ... then one take per backward axis, with constant indices ...
        for (ax, plan) in plans.iter().enumerate() {
            if let AxisPlan::Backward { start, stride, len } = *plan {
                let picks: Vec<i64> = (0..len).map(|k| (start - k * stride) as i64).collect();
                out = lax::take(&out, &i32_indices("index", picks), ax);
            }
        }
        // ... and one reshape to drop integer-indexed axes and insert new ones.
        reshape_to(&out, &out_shape)
    }

    /// Picks entries along `axis` at `indices` (any integer dtype; negative entries
    /// count from the end), like `numpy.take`: the result's shape is
    /// `self.shape[..axis] + indices.shape + self.shape[axis + 1..]`.
    ///
    /// Concrete indices outside `-n..n` are an error naming the index; traced indices
    /// (inside a transform) are clamped into range instead.
    ///
    /// ```
    /// use autobatch::Array;
    /// let x = Array::from_vec(vec![10, 20, 30, 40, 50, 60], &[2, 3]);
    /// let i = Array::from_vec(vec![-1, 0], &[2]);
    /// assert_eq!(x.take(&i, 1).to_vec::<i32>().unwrap(), vec![30, 10, 60, 40]);
    /// let err = x.take(&Array::from_vec(vec![3], &[1]), 1).check().unwrap_err();
    /// assert_eq!(err.message(), "index 3 is out of range for axis 1 with extent 3");
    /// ```
    #[track_caller]
    pub fn take(&self, indices: &Array, axis: isize) -> Array {
        take(self, indices, axis)
    }
}

/// Picks entries of `x` along `axis` at `indices` (see [`Array::take`]).
///
/// ```
/// use autobatch::{array::take, Array};
/// let x = Array::from_vec(vec![1.0f32, 2.0, 3.0], &[3]);
/// let i = Array::from_vec(vec![2u32, 2, 0], &[3]);
/// assert_eq!(take(&x, &i, 0).to_vec::<f32>().unwrap(), vec![3.0, 3.0, 1.0]);
/// ```
#[track_caller]
pub fn take(x: &Array, indices: &Array, axis: isize) -> Array {
    if let Some(e) = first_error(&[x, indices]) {
        return e;
    }
    if !indices.dtype().is_int() {
        return Array::error(
            "take",
            format!("indices must be integers, got {}", indices.dtype()),
        );
    }
    let Some(ax) = normalize_axis(axis, x.ndim()) else {
        return axis_error("take", axis, x.shape());
    };
    let n = x.shape()[ax];
    if n == 0 && indices.size() > 0 {
        return Array::error(
            "take",
            format!(
                "cannot take entries from the empty axis {ax} of shape {}",
                shape_str(x.shape())
            ),
        );
    }
    if i32::try_from(n).is_err() {
        return Array::error(
            "take",
            format!("axis {ax} of extent {n} is too long for i32 indices"),
        );
    }
    let idx = if let Some(buffer) = indices.buffer() {
        // Concrete: check every index and wrap negatives here, keeping a constant.
        let mut wrapped = Vec::with_capacity(buffer.len());
        for k in 0..buffer.len() {
            let v = buffer.get_f64(k) as i64;
            let w = if v < 0 { v + n as i64 } else { v };
            if !(0..n as i64).contains(&w) {
                return Array::error(
                    "take",
                    format!("index {v} is out of range for axis {ax} with extent {n}"),
                );
            }
            // `0 <= w < n`, and `n` fits in i32 (checked above).
            wrapped.push(w as i32);
        }
        Array::from_vec(wrapped, indices.shape())
    } else if indices.dtype() == DType::U32 {
        // Traced unsigned indices are never negative; the Take primitive clamps them.
        lax::convert(indices, DType::I32)
    } else {
        // Traced: wrap negatives with lax ops; the Take primitive clamps the rest.
        let idx = lax::convert(indices, DType::I32);
        let zero =
            super::broadcast::broadcast_for(&Array::scalar(0i32), idx.shape(), "take", &[&idx]);
        let extent =
            super::broadcast::broadcast_for(&Array::scalar(n as i32), idx.shape(), "take", &[&idx]);
        let negative = lax::compare(CompareOp::Lt, &idx, &zero);
        let shifted = lax::binary(BinaryOp::Add, &idx, &extent);
        lax::select(&negative, &shifted, &idx)
    };
    lax::take(x, &idx, ax)
}
