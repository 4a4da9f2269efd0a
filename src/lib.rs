//! # autobatch
//!
//! JAX's programming model for Bayesian inference in Rust: write a log-density for ONE
//! parameter vector over [`Array`], then batch, differentiate and compile it.
//!
//! ```
//! use autobatch::Array;
//! let x = Array::from_vec(vec![1.0f32, 2.0, 3.0], &[3]);
//! let y = (&x * &x).sum();
//! assert_eq!(y.item::<f32>().unwrap(), 14.0);
//! ```

pub mod array;
pub mod backend;
pub mod compile;
pub mod control;
pub mod datasets;
mod error;
pub mod ir;
pub mod notebook;
pub mod numpy_legacy;
pub mod plot;
pub mod random;
pub mod special;
pub mod stats;
mod trace;
pub mod transform;

pub use array::lax;
pub use array::{
    Array, DType, Element, Idx, add, clip, concatenate, divide, dot, equal, greater, greater_equal,
    less, less_equal, logical_and, logical_not, logical_or, matmul, maximum, minimum, multiply,
    not_equal, power, select, stack, subtract, take, where_,
};
pub use error::{Error, Loc, Result};
pub use trace::{Tree, TreeResult, make_program};
pub use transform::{
    Axes, One, Pullback, TreeFn, VmapOptions, custom_jvp, grad, hessian, jacfwd, jacrev, jit,
    jit_program, jvp, stop_gradient, value_and_grad, value_and_grad_with_aux, vjp, vmap, vmap_with,
};

/// The names most programs need: `use autobatch::prelude::*;`.
///
/// ```
/// use autobatch::prelude::*;
/// let x: Array = Array::zeros(&[2]);
/// assert_eq!(x.dtype(), DType::F32);
/// ```
pub mod prelude {
    pub use crate::{
        Array, DType, Error, Result, Tree, grad, jit, make_program, value_and_grad, vmap, vmap_with,
    };
}

/// The README's examples, compiled and run as doc tests.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
