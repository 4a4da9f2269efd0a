//! Thin, typed wrappers that apply one primitive each (the analogue of `jax.lax`).
//!
//! No broadcasting or promotion happens here: operands must already satisfy the
//! primitive's shape rule (otherwise the result is an error array naming the primitive).
//! The NumPy-like API on [`Array`] is built from these.

use super::core::{Array, apply, apply1};
use super::dtype::DType;
use crate::ir::{ArgOp, BinaryOp, CompareOp, Primitive, ReduceOp, UnaryOp};

/// Applies a one-operand elementwise primitive.
///
/// ```
/// use autobatch::{lax, ir::UnaryOp, Array};
/// let y = lax::unary(UnaryOp::Neg, &Array::ones(&[2]));
/// assert_eq!(y.to_vec::<f32>().unwrap(), vec![-1.0, -1.0]);
/// ```
#[track_caller]
pub fn unary(op: UnaryOp, x: &Array) -> Array {
    apply1(Primitive::Unary(op), &[x])
}

/// The inverse error function as XLA computes it (`jax.lax.erf_inv`): the function
/// `jax.random.normal` draws through, bit for bit in `f32` (`erf_inv(+-1) = +-inf`, NaN
/// outside `[-1, 1]`). Float operands only. For a more accurate `f64` inverse, see
/// [`special::erfinv`](crate::special::erfinv).
///
/// ```
/// use autobatch::{lax, Array};
/// let y = lax::erf_inv(&Array::from_vec(vec![0.5f32, 1.0], &[2]));
/// assert_eq!(y.to_vec::<f32>().unwrap(), vec![0.47693628, f32::INFINITY]);
/// ```
#[track_caller]
pub fn erf_inv(x: &Array) -> Array {
    unary(UnaryOp::ErfInv, x)
}

/// The error function `erf(x) = 2/sqrt(pi) * integral_0^x exp(-t^2) dt`, elementwise
/// (msun's approximations; `f32` evaluated in `f64` and rounded once). Float operands
/// only; [`special::erf`](crate::special::erf) accepts any number.
///
/// ```
/// use autobatch::{lax, Array};
/// let y = lax::erf(&Array::from_vec(vec![0.0f32, 1.0], &[2]));
/// assert_eq!(y.to_vec::<f32>().unwrap(), vec![0.0, 0.8427008]);
/// ```
#[track_caller]
pub fn erf(x: &Array) -> Array {
    unary(UnaryOp::Erf, x)
}

/// The fused multiply-add `a * b + c`, rounded once (float operands of one shape and
/// dtype).
///
/// ```
/// use autobatch::{lax, Array};
/// let e = f32::EPSILON;
/// let a = Array::from_vec(vec![1.0 + e], &[1]);
/// let b = Array::from_vec(vec![1.0 - e], &[1]);
/// let c = Array::from_vec(vec![-1.0f32], &[1]);
/// // (1 + e)(1 - e) - 1 = -e^2 exactly; the unfused product rounds to 1 and gives 0.
/// assert_eq!(lax::fma(&a, &b, &c).to_vec::<f32>().unwrap(), vec![-e * e]);
/// ```
#[track_caller]
pub fn fma(a: &Array, b: &Array, c: &Array) -> Array {
    apply1(Primitive::Fma, &[a, b, c])
}

/// Applies a two-operand elementwise primitive (equal shapes and dtypes).
///
/// ```
/// use autobatch::{lax, ir::BinaryOp, Array};
/// let y = lax::binary(BinaryOp::Add, &Array::ones(&[2]), &Array::ones(&[2]));
/// assert_eq!(y.to_vec::<f32>().unwrap(), vec![2.0, 2.0]);
/// ```
#[track_caller]
pub fn binary(op: BinaryOp, x: &Array, y: &Array) -> Array {
    apply1(Primitive::Binary(op), &[x, y])
}

/// Applies an elementwise comparison (equal shapes and dtypes), giving `bool`.
///
/// ```
/// use autobatch::{lax, ir::CompareOp, Array};
/// let y = lax::compare(CompareOp::Eq, &Array::ones(&[2]), &Array::ones(&[2]));
/// assert_eq!(y.to_vec::<bool>().unwrap(), vec![true, true]);
/// ```
#[track_caller]
pub fn compare(op: CompareOp, x: &Array, y: &Array) -> Array {
    apply1(Primitive::Compare(op), &[x, y])
}

/// `pred ? on_true : on_false`, elementwise, all of one shape.
///
/// ```
/// use autobatch::{lax, Array};
/// let p = Array::from_vec(vec![true, false], &[2]);
/// let y = lax::select(&p, &Array::ones(&[2]), &Array::zeros(&[2]));
/// assert_eq!(y.to_vec::<f32>().unwrap(), vec![1.0, 0.0]);
/// ```
#[track_caller]
pub fn select(pred: &Array, on_true: &Array, on_false: &Array) -> Array {
    apply1(Primitive::Select, &[pred, on_true, on_false])
}

/// Converts values to `dtype`.
///
/// ```
/// use autobatch::{lax, Array, DType};
/// let y = lax::convert(&Array::from_vec(vec![1.7f32, -1.7], &[2]), DType::I32);
/// assert_eq!(y.to_vec::<i32>().unwrap(), vec![1, -1]);
/// ```
#[track_caller]
pub fn convert(x: &Array, dtype: DType) -> Array {
    if x.dtype() == dtype && x.error_value().is_none() {
        return x.clone();
    }
    apply1(Primitive::Convert { dtype }, &[x])
}

/// Reinterprets the bits as `dtype` of the same width.
///
/// ```
/// use autobatch::{lax, Array, DType};
/// let y = lax::bitcast(&Array::scalar(1.0f32), DType::U32);
/// assert_eq!(y.item::<u32>().unwrap(), 0x3f80_0000);
/// ```
#[track_caller]
pub fn bitcast(x: &Array, dtype: DType) -> Array {
    apply1(Primitive::Bitcast { dtype }, &[x])
}

/// Broadcasts `x` to `shape`, operand axis `i` becoming output axis `dims[i]`.
///
/// ```
/// use autobatch::{lax, Array};
/// let y = lax::broadcast_in_dim(&Array::ones(&[3]), &[2, 3], &[1]);
/// assert_eq!(y.shape(), &[2, 3]);
/// ```
#[track_caller]
pub fn broadcast_in_dim(x: &Array, shape: &[usize], dims: &[usize]) -> Array {
    apply1(
        Primitive::BroadcastInDim {
            shape: shape.to_vec(),
            dims: dims.to_vec(),
        },
        &[x],
    )
}

/// Row-major reshape.
///
/// ```
/// use autobatch::{lax, Array};
/// assert_eq!(lax::reshape(&Array::ones(&[6]), &[2, 3]).shape(), &[2, 3]);
/// ```
#[track_caller]
pub fn reshape(x: &Array, shape: &[usize]) -> Array {
    apply1(
        Primitive::Reshape {
            shape: shape.to_vec(),
        },
        &[x],
    )
}

/// Permutes axes: output axis `i` is operand axis `perm[i]`.
///
/// ```
/// use autobatch::{lax, Array};
/// assert_eq!(lax::transpose(&Array::ones(&[2, 3]), &[1, 0]).shape(), &[3, 2]);
/// ```
#[track_caller]
pub fn transpose(x: &Array, perm: &[usize]) -> Array {
    apply1(
        Primitive::Transpose {
            perm: perm.to_vec(),
        },
        &[x],
    )
}

/// A strided slice.
///
/// ```
/// use autobatch::{lax, Array};
/// let x = Array::from_vec(vec![0i32, 1, 2, 3, 4], &[5]);
/// assert_eq!(lax::slice(&x, &[1], &[5], &[2]).to_vec::<i32>().unwrap(), vec![1, 3]);
/// ```
#[track_caller]
pub fn slice(x: &Array, start: &[usize], limit: &[usize], strides: &[usize]) -> Array {
    apply1(
        Primitive::Slice {
            start: start.to_vec(),
            limit: limit.to_vec(),
            strides: strides.to_vec(),
        },
        &[x],
    )
}

/// Pads with `value` (a scalar of `x`'s dtype): `low` before, `high` after and
/// `interior` between elements of each axis.
///
/// ```
/// use autobatch::{lax, Array};
/// let x = Array::from_vec(vec![1i32, 2], &[2]);
/// let y = lax::pad(&x, &Array::scalar(0i32), &[1], &[0], &[1]);
/// assert_eq!(y.to_vec::<i32>().unwrap(), vec![0, 1, 0, 2]);
/// ```
#[track_caller]
pub fn pad(x: &Array, value: &Array, low: &[i64], high: &[i64], interior: &[usize]) -> Array {
    apply1(
        Primitive::Pad {
            low: low.to_vec(),
            high: high.to_vec(),
            interior: interior.to_vec(),
        },
        &[x, value],
    )
}

/// Joins arrays along `axis`.
///
/// ```
/// use autobatch::{lax, Array};
/// let y = lax::concatenate(&[&Array::ones(&[2]), &Array::zeros(&[1])], 0);
/// assert_eq!(y.to_vec::<f32>().unwrap(), vec![1.0, 1.0, 0.0]);
/// ```
#[track_caller]
pub fn concatenate(xs: &[&Array], axis: usize) -> Array {
    apply1(Primitive::Concatenate { axis }, xs)
}

/// Counts 0, 1, 2, ... along axis `dim` of an array of `shape`.
///
/// ```
/// use autobatch::{lax, DType};
/// let y = lax::iota(DType::I32, &[2, 3], 1);
/// assert_eq!(y.to_vec::<i32>().unwrap(), vec![0, 1, 2, 0, 1, 2]);
/// ```
#[track_caller]
pub fn iota(dtype: DType, shape: &[usize], dim: usize) -> Array {
    apply1(
        Primitive::Iota {
            dtype,
            shape: shape.to_vec(),
            dim,
        },
        &[],
    )
}

/// Picks entries along `axis` at `indices` (`i32`, clamped into range).
///
/// ```
/// use autobatch::{lax, Array};
/// let x = Array::from_vec(vec![10i32, 20, 30], &[3]);
/// let i = Array::from_vec(vec![2i32, 0], &[2]);
/// assert_eq!(lax::take(&x, &i, 0).to_vec::<i32>().unwrap(), vec![30, 10]);
/// ```
#[track_caller]
pub fn take(x: &Array, indices: &Array, axis: usize) -> Array {
    apply1(Primitive::Take { axis }, &[x, indices])
}

/// Adds `updates` into a copy of `x` at `indices` along `axis` (the transpose of [`take`]).
///
/// ```
/// use autobatch::{lax, Array};
/// let x = Array::zeros(&[3]);
/// let i = Array::from_vec(vec![1i32, 1], &[2]);
/// let y = lax::scatter_add(&x, &i, &Array::ones(&[2]), 0);
/// assert_eq!(y.to_vec::<f32>().unwrap(), vec![0.0, 2.0, 0.0]);
/// ```
#[track_caller]
pub fn scatter_add(x: &Array, indices: &Array, updates: &Array, axis: usize) -> Array {
    apply1(Primitive::ScatterAdd { axis }, &[x, indices, updates])
}

/// Reduces `axes` (increasing) away with `op`.
///
/// ```
/// use autobatch::{lax, ir::ReduceOp, Array};
/// let y = lax::reduce(ReduceOp::Sum, &Array::ones(&[2, 3]), &[1]);
/// assert_eq!(y.to_vec::<f32>().unwrap(), vec![3.0, 3.0]);
/// ```
#[track_caller]
pub fn reduce(op: ReduceOp, x: &Array, axes: &[usize]) -> Array {
    apply1(
        Primitive::Reduce {
            op,
            axes: axes.to_vec(),
        },
        &[x],
    )
}

/// The `i32` index of the first maximum or minimum along `axis`.
///
/// ```
/// use autobatch::{lax, ir::ArgOp, Array};
/// let x = Array::from_vec(vec![1.0f32, 3.0, 3.0], &[3]);
/// assert_eq!(lax::arg_reduce(ArgOp::Argmax, &x, 0).item::<i32>().unwrap(), 1);
/// ```
#[track_caller]
pub fn arg_reduce(op: ArgOp, x: &Array, axis: usize) -> Array {
    apply1(Primitive::ArgReduce { op, axis }, &[x])
}

/// Inclusive running sum along `axis` (from the end when `reverse`).
///
/// ```
/// use autobatch::{lax, Array};
/// let x = Array::from_vec(vec![1i32, 2, 3], &[3]);
/// assert_eq!(lax::cumsum(&x, 0, false).to_vec::<i32>().unwrap(), vec![1, 3, 6]);
/// assert_eq!(lax::cumsum(&x, 0, true).to_vec::<i32>().unwrap(), vec![6, 5, 3]);
/// ```
#[track_caller]
pub fn cumsum(x: &Array, axis: usize, reverse: bool) -> Array {
    apply1(Primitive::Cumsum { axis, reverse }, &[x])
}

/// Generalized contraction: output axes are the batch axes, then lhs's free axes, then
/// rhs's free axes.
///
/// ```
/// use autobatch::{lax, Array};
/// let a = Array::ones(&[2, 3]);
/// let b = Array::ones(&[3, 4]);
/// let c = lax::dot_general(&a, &b, &[1], &[0], &[], &[]);
/// assert_eq!(c.shape(), &[2, 4]);
/// assert_eq!(c.to_vec::<f32>().unwrap()[0], 3.0);
/// ```
#[track_caller]
pub fn dot_general(
    lhs: &Array,
    rhs: &Array,
    lhs_contract: &[usize],
    rhs_contract: &[usize],
    lhs_batch: &[usize],
    rhs_batch: &[usize],
) -> Array {
    apply1(
        Primitive::DotGeneral {
            lhs_contract: lhs_contract.to_vec(),
            rhs_contract: rhs_contract.to_vec(),
            lhs_batch: lhs_batch.to_vec(),
            rhs_batch: rhs_batch.to_vec(),
        },
        &[lhs, rhs],
    )
}

/// The lower Cholesky factor `l` (`l lᵀ = a`, zeros above the diagonal) of each
/// symmetric positive definite matrix in `a: [..., n, n]` (float). Only the lower
/// triangle of `a` is read; a matrix that is not positive definite gives NaN.
///
/// ```
/// use autobatch::{lax, Array};
/// let a = Array::from_vec(vec![4.0f64, 2.0, 2.0, 5.0], &[2, 2]);
/// assert_eq!(lax::cholesky(&a).to_vec::<f64>().unwrap(), vec![2.0, 0.0, 1.0, 2.0]);
/// ```
#[track_caller]
pub fn cholesky(a: &Array) -> Array {
    apply1(Primitive::Cholesky, &[a])
}

/// Solves `op(a) x = b` for `x: [..., n, k]`, where `a: [..., n, n]` is lower (or upper)
/// triangular (only that triangle is read), `op(a)` is `a` or `aᵀ` (`transpose_a`), and
/// `unit_diagonal` takes the diagonal as ones. The leading axes of `a` and `b` must be
/// equal (no broadcasting).
///
/// ```
/// use autobatch::{lax, Array};
/// let a = Array::from_vec(vec![2.0f64, 0.0, 1.0, 4.0], &[2, 2]);
/// let b = Array::from_vec(vec![2.0f64, 9.0], &[2, 1]);
/// let x = lax::triangular_solve(&a, &b, true, false, false);
/// assert_eq!(x.to_vec::<f64>().unwrap(), vec![1.0, 2.0]);
/// ```
#[track_caller]
pub fn triangular_solve(
    a: &Array,
    b: &Array,
    lower: bool,
    transpose_a: bool,
    unit_diagonal: bool,
) -> Array {
    apply1(
        Primitive::TriangularSolve {
            lower,
            transpose_a,
            unit_diagonal,
        },
        &[a, b],
    )
}

/// The identity on values, through which no derivative flows.
///
/// ```
/// use autobatch::{lax, Array};
/// assert_eq!(lax::stop_gradient(&Array::ones(&[1])).to_vec::<f32>().unwrap(), vec![1.0]);
/// ```
#[track_caller]
pub fn stop_gradient(x: &Array) -> Array {
    apply1(Primitive::StopGradient, &[x])
}

/// The Threefry-2x32 block function, elementwise over `u32` arrays of one shape.
///
/// ```
/// use autobatch::{lax, Array};
/// let z = Array::scalar(0u32);
/// let (y0, y1) = lax::threefry2x32(&z, &z, &z, &z);
/// assert_eq!(y0.item::<u32>().unwrap(), 0x6b20_0159);
/// assert_eq!(y1.item::<u32>().unwrap(), 0x99ba_4efe);
/// ```
#[track_caller]
pub fn threefry2x32(k0: &Array, k1: &Array, x0: &Array, x1: &Array) -> (Array, Array) {
    let mut out = apply(Primitive::Threefry2x32, &[k0, k1, x0, x1]);
    let y1 = out.pop().expect("threefry2x32 has two outputs");
    let y0 = out.pop().expect("threefry2x32 has two outputs");
    (y0, y1)
}
