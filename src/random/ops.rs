//! Terse wrappers over `lax` for the samplers: elementwise ops on equal shapes and
//! constants broadcast to a shape. All `#[track_caller]`, so errors point at the user's call.

use crate::array::{Array, DType, lax};
use crate::ir::{BinaryOp, CompareOp, UnaryOp};

/// A constant of `dtype` (rounded to it) broadcast to `shape`.
#[track_caller]
pub(super) fn konst(v: f64, dtype: DType, shape: &[usize]) -> Array {
    let s = match dtype {
        DType::F32 => Array::scalar(v as f32),
        DType::F64 => Array::scalar(v),
        DType::I32 => Array::scalar(v as i32),
        DType::U32 => Array::scalar(v as u32),
        DType::Bool => Array::scalar(v != 0.0),
    };
    full(&s, shape)
}

/// A `u32` constant broadcast to `shape`.
#[track_caller]
pub(super) fn konst_u32(v: u32, shape: &[usize]) -> Array {
    full(&Array::scalar(v), shape)
}

/// A scalar broadcast to `shape`.
#[track_caller]
pub(super) fn full(s: &Array, shape: &[usize]) -> Array {
    lax::broadcast_in_dim(s, shape, &[])
}

macro_rules! binary {
    ($($name:ident => $op:ident),* $(,)?) => {$(
        #[track_caller]
        pub(super) fn $name(a: &Array, b: &Array) -> Array {
            lax::binary(BinaryOp::$op, a, b)
        }
    )*};
}
binary!(add => Add, sub => Sub, mul => Mul, div => Div, rem => Rem, max => Max, min => Min,
    and => And, or => Or, xor => Xor, shr => ShiftRightLogical);

macro_rules! compare {
    ($($name:ident => $op:ident),* $(,)?) => {$(
        #[track_caller]
        pub(super) fn $name(a: &Array, b: &Array) -> Array {
            lax::compare(CompareOp::$op, a, b)
        }
    )*};
}
compare!(eq => Eq, lt => Lt);

macro_rules! unary {
    ($($name:ident => $op:ident),* $(,)?) => {$(
        #[track_caller]
        pub(super) fn $name(a: &Array) -> Array {
            lax::unary(UnaryOp::$op, a)
        }
    )*};
}
unary!(neg => Neg, log => Log, log1p => Log1p, abs => Abs, sign => Sign,
    sin => Sin, cos => Cos);

/// Value conversion.
#[track_caller]
pub(super) fn convert(a: &Array, dtype: DType) -> Array {
    lax::convert(a, dtype)
}
