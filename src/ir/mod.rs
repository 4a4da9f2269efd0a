//! The intermediate representation: primitives, their shape rules, and programs.

mod array_type;
mod primitive;
pub(crate) mod printer;
mod program;
pub mod shape_rules;
mod verify;

pub use array_type::{ArrayType, shape_size, shape_str};
pub use primitive::{ArgOp, BinaryOp, CompareOp, CustomJvpCall, Primitive, ReduceOp, UnaryOp};
pub use printer::var_name;
pub use program::{Equation, Program, Var};
pub use shape_rules::output_types;
