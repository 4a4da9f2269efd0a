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
mod error;
pub mod ir;
mod trace;

pub use array::lax;
pub use array::{Array, DType, Element};
pub use error::{Error, Loc, Result};
pub use trace::{Tree, make_program};

/// The names most programs need: `use autobatch::prelude::*;`.
///
/// ```
/// use autobatch::prelude::*;
/// let x: Array = Array::zeros(&[2]);
/// assert_eq!(x.dtype(), DType::F32);
/// ```
pub mod prelude {
    pub use crate::{Array, DType, Error, Result, Tree, make_program};
}
