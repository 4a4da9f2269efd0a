//! Compiler passes over [`Program`]s: `fold`, `simplify`, `cse`, `dce` (each a function
//! `Program -> Program`), their pipeline `optimize`, and `fusion`, which schedules equations into fused kernels.

mod cse;
mod dce;
mod fold;
pub mod fusion;
mod simplify;

pub use cse::cse;
pub use dce::dce;
pub use fold::{MAX_FOLDED, fold};
pub use simplify::simplify;

use crate::ir::Program;

/// The optimization pipeline `jit` applies: small constant subexpressions folded,
/// identities simplified away, common subexpressions merged, then dead code removed.
///
/// ```
/// use autobatch::{compile::optimize, make_program, Array};
/// let p = make_program(|x: &Array| { let _dead = x.sin(); x.exp() * x.exp() }, &Array::zeros(&[2])).unwrap();
/// let q = optimize(&p);
/// assert_eq!((q.count_primitive("exp"), q.count_primitive("sin")), (1, 0));
/// ```
pub fn optimize(program: &Program) -> Program {
    dce(&cse(&simplify(&fold(program))))
}
