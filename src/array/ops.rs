//! Rust's arithmetic operators on arrays: `+ - * /` for every mix of `Array`, `&Array`
//! and Rust numbers on either side, and unary `-`.
//!
//! Numbers are weakly typed (`2.0 * &x` keeps `x`'s dtype); `/` is true division
//! (integers give `f32`); arithmetic on two bools computes in `i32`.
//!
//! On the right of an operator any Rust number works (`x * 0.5f32`, `x + 1u32`, `x / n`
//! for `n: usize`). On the left, only `f64` and `i32` do: they are the types unsuffixed
//! literals fall back to, and a second float (or integer) impl would leave the type of
//! `1.0 + x` undecided until after method resolution, so `(1.0 + x).log()` would no longer
//! compile. For other number types on the left write `x * a`, `f64::from(a) * x`, or a
//! free function (`autobatch::subtract(a, &x)` takes any operand on either side).
//!
//! ```
//! use autobatch::Array;
//! let x = Array::from_vec(vec![1.0f32, 2.0], &[2]);
//! let y = 2.0 * &x + 1 - x.clone() / 2.0;
//! assert_eq!(y.to_vec::<f32>().unwrap(), vec![2.5, 4.0]);
//! assert_eq!((-&x).to_vec::<f32>().unwrap(), vec![-1.0, -2.0]);
//! ```

use super::core::Array;
use super::elementwise::binary_op;
use super::promote::ArrayLike;
use crate::ir::BinaryOp;
use std::ops::{Add, Div, Mul, Neg, Sub};

macro_rules! array_ops {
    ($($trait:ident $method:ident $name:literal $op:ident;)*) => {$(
        impl<R: ArrayLike> $trait<R> for Array {
            type Output = Array;
            #[track_caller]
            fn $method(self, rhs: R) -> Array {
                binary_op($name, BinaryOp::$op, self.into_operand(), rhs.into_operand())
            }
        }
        impl<R: ArrayLike> $trait<R> for &Array {
            type Output = Array;
            #[track_caller]
            fn $method(self, rhs: R) -> Array {
                binary_op($name, BinaryOp::$op, self.into_operand(), rhs.into_operand())
            }
        }
        scalar_lhs!($trait $method $name $op: f64 i32);
    )*};
}

macro_rules! scalar_lhs {
    ($trait:ident $method:ident $name:literal $op:ident: $($t:ty)*) => {$(
        impl $trait<Array> for $t {
            type Output = Array;
            #[track_caller]
            fn $method(self, rhs: Array) -> Array {
                binary_op($name, BinaryOp::$op, self.into_operand(), rhs.into_operand())
            }
        }
        impl $trait<&Array> for $t {
            type Output = Array;
            #[track_caller]
            fn $method(self, rhs: &Array) -> Array {
                binary_op($name, BinaryOp::$op, self.into_operand(), rhs.into_operand())
            }
        }
    )*};
}

array_ops! {
    Add add "add" Add;
    Sub sub "sub" Sub;
    Mul mul "mul" Mul;
    Div div "div" Div;
}

impl Neg for Array {
    type Output = Array;
    #[track_caller]
    fn neg(self) -> Array {
        Array::neg(&self)
    }
}

impl Neg for &Array {
    type Output = Array;
    #[track_caller]
    fn neg(self) -> Array {
        Array::neg(self)
    }
}
