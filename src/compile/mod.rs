//! Compiler passes over [`Program`](crate::ir::Program), each a function `Program -> Program`.

mod dce;

pub use dce::dce;
