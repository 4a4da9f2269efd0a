//! Small lax-level helpers shared by the derivative rules: operands always have equal
//! shapes and dtypes here, so these are thin and never broadcast implicitly.

use crate::array::{Array, DType, lax};
use crate::ir::{BinaryOp, CompareOp, UnaryOp};

/// A constant `value` with `like`'s shape and dtype (recorded into `like`'s trace when
/// `like` is traced, so programs show a broadcast of a literal).
#[track_caller]
pub(crate) fn full_like(like: &Array, value: f64) -> Array {
    let scalar = crate::array::Operand::Float(value).into_array(like.dtype());
    crate::array::broadcast_for(&scalar, like.shape(), "full_like", &[like])
}

/// Zeros shaped like `like`.
#[track_caller]
pub(crate) fn zeros_like(like: &Array) -> Array {
    full_like(like, 0.0)
}

#[track_caller]
pub(crate) fn add(a: &Array, b: &Array) -> Array {
    lax::binary(BinaryOp::Add, a, b)
}
#[track_caller]
pub(crate) fn sub(a: &Array, b: &Array) -> Array {
    lax::binary(BinaryOp::Sub, a, b)
}
#[track_caller]
pub(crate) fn mul(a: &Array, b: &Array) -> Array {
    lax::binary(BinaryOp::Mul, a, b)
}
#[track_caller]
pub(crate) fn div(a: &Array, b: &Array) -> Array {
    lax::binary(BinaryOp::Div, a, b)
}
#[track_caller]
pub(crate) fn neg(a: &Array) -> Array {
    lax::unary(UnaryOp::Neg, a)
}
#[track_caller]
pub(crate) fn scale(a: &Array, c: f64) -> Array {
    mul(a, &full_like(a, c))
}
/// The derivative of `erf_inv` at the point where it equals `y`: `sqrt(pi)/2 e^(y^2)`.
#[track_caller]
pub(crate) fn erf_inv_slope(y: &Array) -> Array {
    scale(
        &lax::unary(UnaryOp::Exp, &mul(y, y)),
        std::f64::consts::PI.sqrt() / 2.0,
    )
}
/// The derivative of `erf` at `x`: `2/sqrt(pi) e^(-x^2)`.
#[track_caller]
pub(crate) fn erf_slope(x: &Array) -> Array {
    scale(
        &lax::unary(UnaryOp::Exp, &neg(&mul(x, x))),
        std::f64::consts::FRAC_2_SQRT_PI,
    )
}
#[track_caller]
pub(crate) fn cmp(op: CompareOp, a: &Array, b: &Array) -> Array {
    lax::compare(op, a, b)
}
/// `select(pred, a, 0)`.
#[track_caller]
pub(crate) fn where_or_zero(pred: &Array, a: &Array) -> Array {
    lax::select(pred, a, &zeros_like(a))
}
/// 1.0 where `pred` holds, else 0.0, in `dtype`.
#[track_caller]
pub(crate) fn mask(pred: &Array, dtype: DType) -> Array {
    lax::convert(pred, dtype)
}

/// Adds an optional tangent/cotangent contribution into an accumulator.
#[track_caller]
pub(crate) fn accumulate(acc: &mut Option<Array>, x: Array) {
    *acc = Some(match acc.take() {
        None => x,
        Some(a) => add(&a, &x),
    });
}

/// Whether values of this dtype carry derivatives.
pub(crate) fn differentiable(dtype: DType) -> bool {
    dtype.is_float()
}

/// Sums `ct` (of `out_shape`) down to `operand_shape` for a `broadcast_in_dim` with `dims`:
/// the transpose of broadcasting.
#[track_caller]
pub(crate) fn unbroadcast(ct: &Array, operand_shape: &[usize], dims: &[usize]) -> Array {
    let out_rank = ct.ndim();
    let mut summed: Vec<usize> = (0..out_rank).filter(|a| !dims.contains(a)).collect();
    for (i, &d) in dims.iter().enumerate() {
        if operand_shape[i] == 1 && ct.shape()[d] != 1 {
            summed.push(d);
        }
    }
    summed.sort_unstable();
    let reduced = if summed.is_empty() {
        ct.clone()
    } else {
        lax::reduce(crate::ir::ReduceOp::Sum, ct, &summed)
    };
    if reduced.shape() == operand_shape {
        reduced
    } else {
        lax::reshape(&reduced, operand_shape)
    }
}

/// Broadcasts a reduction's result (or cotangent) back over the reduced `axes` of `shape`.
#[track_caller]
pub(crate) fn unreduce(x: &Array, shape: &[usize], axes: &[usize]) -> Array {
    let dims: Vec<usize> = (0..shape.len()).filter(|a| !axes.contains(a)).collect();
    lax::broadcast_in_dim(x, shape, &dims)
}
