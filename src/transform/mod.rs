//! Transforms: functions of functions. Each traces the user's function into a
//! [`Program`](crate::ir::Program), applies one rule per primitive, and evaluates (or,
//! under an outer trace, records) the result.

pub(crate) mod ad_util;
pub(crate) mod autodiff;
pub(crate) mod batching;
mod custom_jvp;
mod deferred;
mod jit;
mod jvp_rules;
mod tree_fn;
mod vjp_rules;
pub(crate) mod vmap;

pub use autodiff::{
    Pullback, grad, hessian, jacfwd, jacrev, jvp, stop_gradient, value_and_grad,
    value_and_grad_with_aux, vjp,
};
pub use custom_jvp::custom_jvp;
pub(crate) use deferred::DeferredCall;
pub use jit::{jit, jit_program};
pub use tree_fn::{One, TreeFn};
pub use vmap::{Axes, VmapOptions, vmap, vmap_with};
