//! Compiler passes over [`Program`]s: `cse`, `dce` (each a function `Program -> Program`),
//! their pipeline `optimize`, and `fusion`, which schedules equations into fused kernels.

mod cse;
mod dce;
pub mod fusion;

pub use cse::cse;
pub use dce::dce;

use crate::ir::Program;

/// The optimization pipeline `jit` applies: common subexpressions merged, then dead code
/// removed.
///
/// ```
/// use autobatch::{compile::optimize, make_program, Array};
/// let p = make_program(|x: &Array| { let _dead = x.sin(); x.exp() * x.exp() }, &Array::zeros(&[2])).unwrap();
/// let q = optimize(&p);
/// assert_eq!((q.count_primitive("exp"), q.count_primitive("sin")), (1, 0));
/// ```
pub fn optimize(program: &Program) -> Program {
    dce(&cse(program))
}
