//! Tracing: the trace stack, `bind`, `Tree`, and `make_program`.

mod make_program;
mod stack;
mod tree;

pub use make_program::make_program;
pub(crate) use make_program::trace_with_types;
pub(crate) use stack::{bind, bind_within};
#[allow(unused_imports)]
pub(crate) use stack::TraceGuard;
pub use tree::{Tree, TreeResult};
