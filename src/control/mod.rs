//! Control flow inside traced code, like `jax.lax`'s: [`cond`] and [`switch`] (one of
//! several functions, chosen by a traced value), [`while_loop`], [`scan`] (a loop that
//! stacks per-step outputs), and [`fori_loop`] and [`map`] built on `scan`.
//!
//! Bodies are ordinary Rust closures, traced once into sub-programs held by one
//! equation (`cond`, `while`, `scan`), so loops compose with every transform: `vmap` of
//! a loop batches its body (a `while_loop` whose condition depends on the example runs
//! until every example is done, freezing the finished ones), forward mode works for all
//! three, reverse mode for `cond`, `scan` and `fori_loop`. Run eagerly or under `jit`,
//! a loop executes its body's compiled plan: no tracing per iteration.
//!
//! ```
//! use autobatch::{control::fori_loop, grad, vmap, Array};
//! // x_{k+1} = x_k - 0.1 sin(x_k), eight steps, differentiated and batched.
//! let f = |x: &Array| fori_loop(0, 8, |_i: &Array, x: &Array| x - 0.1 * x.sin(), x).map(|x| x.sum());
//! let g = vmap(grad(f))(&Array::from_vec(vec![0.5f32, 1.0, 2.0], &[3, 1])).unwrap();
//! assert_eq!(g.shape(), &[3, 1]);
//! ```

mod body;
mod cond;
mod scan;
mod while_loop;

pub use cond::{cond, switch};
pub use scan::{ScanOptions, fori_loop, map, scan, scan_with};
pub use while_loop::while_loop;

pub(crate) mod rules {
    //! The transform rules of the control-flow primitives, for the rule tables.
    pub(crate) use super::cond::{
        batch_rule as cond_batch, jvp_rule as cond_jvp, vjp_rule as cond_vjp,
    };
    pub(crate) use super::scan::{
        batch_rule as scan_batch, jvp_rule as scan_jvp, vjp_rule as scan_vjp,
    };
    pub(crate) use super::while_loop::{
        batch_rule as while_batch, jvp_rule as while_jvp, vjp_rule as while_vjp,
    };
}
