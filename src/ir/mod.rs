//! The intermediate representation: primitives, their shape rules, and programs.

mod array_type;
mod primitive;
pub(crate) mod printer;
mod program;
pub mod shape_rules;
mod sub_program;
mod verify;

pub use array_type::{ArrayType, shape_size, shape_str};
pub use primitive::{
    ArgOp, BinaryOp, CompareOp, CondCall, CustomJvpCall, Primitive, ReduceOp, ScanCall, UnaryOp,
    WhileCall,
};
pub use printer::var_name;
pub use program::{Equation, Program, Var};
pub use shape_rules::output_types;
pub use sub_program::SubProgram;
