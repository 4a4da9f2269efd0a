//! JAX-compatible pseudo-random numbers: splittable Threefry-2x32 keys with JAX's default
//! (`jax_threefry_partitionable = True`) semantics.
//!
//! Keys are `u32` arrays of shape `[2]` (`[..., 2]` for batches of keys, consumed through
//! `vmap`), and every sampler is made of array primitives, so samplers work under `vmap`
//! (over keys), `jit` and `grad` like any other function. Bad arguments give error arrays,
//! never panics.
//!
//! Fidelity to JAX 0.10 on CPU (checked against its output in `tests/random.rs`):
//! * bit for bit: [`key`], [`split`], [`split_shape`], [`fold_in`], [`bits`],
//!   [`uniform`] / [`uniform_range`] (`f32`, and `f64` over `[0, 1)`), [`normal`] (`f32`:
//!   XLA's `erf_inv` kernel and fused multiply-add), [`bernoulli`];
//! * same algorithm, integer arithmetic, so the same values (not covered by reference data):
//!   [`randint`], [`permutation`], [`choice`];
//! * same algorithm, equal to float rounding: `f64` [`normal`], [`exponential`],
//!   [`cauchy`], [`laplace`], [`logistic`], [`gumbel`], [`categorical`],
//!   [`truncated_normal`].
//! * rejection samplers (a vmapped `while_loop` per element; fidelity in [`gamma`]):
//!   [`gamma`], [`loggamma`], [`beta`], [`dirichlet`], [`chisquare`], [`t`].
//!
//! ```
//! use autobatch::{random, DType};
//! let (key, sub) = random::split2(&random::key(10003));
//! let eps = random::normal(&sub, &[128, 10], DType::F32);
//! assert_eq!(eps.shape(), &[128, 10]);
//! # let _ = key;
//! ```

mod continuous;
mod discrete;
mod gamma;
mod gamma_family;
mod keys;
mod normal;
mod ops;
mod shuffle;
mod uniform;

pub use continuous::{cauchy, exponential, gumbel, laplace, logistic};
pub use discrete::{bernoulli, categorical, randint};
pub use gamma::{gamma, loggamma};
pub use gamma_family::{beta, chisquare, dirichlet, t};
pub use keys::{bits, fold_in, key, split, split_shape, split2};
pub use normal::{normal, truncated_normal};
pub use shuffle::{PRIMITIVE_SORT_LIMIT, choice, permutation};
pub use uniform::{uniform, uniform_range};

use crate::array::{Array, DType, lax};
use crate::error::Error;
use crate::ir::shape_str;
use std::panic::Location;

/// An error array naming `op`, located at the user's call.
#[track_caller]
fn error(op: &str, message: String) -> Array {
    Array::from_error(Error::new(op, message, Some(Location::caller())))
}

/// `Err` (an error array naming `op`) unless `dtype` is `f32` or `f64`.
#[track_caller]
fn float_dtype(op: &str, dtype: DType) -> Result<(), Array> {
    match dtype {
        DType::F32 | DType::F64 => Ok(()),
        other => Err(error(
            op,
            format!("needs a float dtype (f32 or f64), got {other}"),
        )),
    }
}

/// The two words of a key `[2]` as `u32` scalars, or an error array naming `op`.
#[track_caller]
fn key_words(key: &Array, op: &str) -> Result<(Array, Array), Array> {
    if let Some(e) = key.error_value() {
        return Err(Array::from_error(e.clone()));
    }
    if key.dtype() != DType::U32 || key.shape() != [2] {
        return Err(error(
            op,
            format!(
                "a key is a u32 array of shape [2], got {} {} (vmap over a batch of keys)",
                key.dtype(),
                shape_str(key.shape())
            ),
        ));
    }
    let k0 = lax::reshape(&lax::slice(key, &[0], &[1], &[1]), &[]);
    let k1 = lax::reshape(&lax::slice(key, &[1], &[2], &[1]), &[]);
    Ok((k0, k1))
}
