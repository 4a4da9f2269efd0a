//! `Array`, its dtypes and storage, and the NumPy-like API built on the primitives.

mod buffer;
mod core;
mod display;
mod dtype;
pub mod lax;

pub use buffer::Buffer;
pub use core::Array;
pub(crate) use core::Repr;
pub use dtype::{DType, Element};
