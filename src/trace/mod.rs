//! Tracing: the trace stack, `bind`, `Tree`, and `make_program`.

mod make_program;
mod stack;
mod tree;

pub use make_program::make_program;
pub(crate) use make_program::trace_with_types;
#[allow(unused_imports)]
pub(crate) use stack::TraceGuard;
pub(crate) use stack::{bind, bind_within};
pub use tree::{Tree, TreeResult};
