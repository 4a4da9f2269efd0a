//! `Array`, its dtypes and storage, and the NumPy-like API built on the primitives.

mod buffer;
mod core;
mod display;
mod dtype;
pub mod lax;

pub use buffer::Buffer;
pub use core::Array;
pub(crate) use core::Repr;
pub(crate) use core::apply as apply_primitive;
pub use dtype::{DType, Element};
mod broadcast;
mod promote;

pub(crate) use broadcast::broadcast_for;
pub use broadcast::broadcast_shapes;
pub use promote::{ArrayLike, Operand, promote_types, result_type};

// The NumPy-like API, one concern per file.
mod creation;
mod elementwise;
mod index;
mod join;
mod linalg;
mod ops;
mod reduce;
mod shape_ops;

#[allow(unused_imports)]
pub use creation::*;
#[allow(unused_imports)]
pub use elementwise::*;
#[allow(unused_imports)]
pub use index::*;
#[allow(unused_imports)]
pub use join::*;
#[allow(unused_imports)]
pub use linalg::*;
#[allow(unused_imports)]
pub use reduce::*;
#[allow(unused_imports)]
pub use shape_ops::*;
