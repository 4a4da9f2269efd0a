//! Constant folding: equations whose operands are all concrete constants are evaluated
//! once, at compile time, and become constants themselves.
//!
//! Tracing already computes most constant expressions eagerly; what reaches a program
//! is mostly constants broadcast to meet traced values, and the chains transforms build
//! from them (a gradient's `ones`, a batched constant). Results above [`MAX_FOLDED`]
//! elements are left to run (a folded broadcast would turn one number into a large
//! buffer read on every call); `custom_jvp` calls are never folded. The kernels that fold
//! are the ones that would run, so results do not change.

use crate::array::Array;
use crate::backend::cpu::eval;
use crate::ir::{ArrayType, Primitive, Program, Var};
use std::collections::HashMap;

/// The largest result, in elements, that is folded.
pub const MAX_FOLDED: usize = 1024;

/// `program` with its small constant subexpressions evaluated (see the module
/// documentation). Equations that fail to evaluate are kept, to fail at run time as
/// they would have.
/// An ill-formed program (one [`Program::verify`] rejects) comes back unchanged.
///
/// ```
/// use autobatch::{compile::{dce, fold}, make_program, Array};
/// // `x * 2.0` broadcasts the constant 2.0 inside the program; the broadcast folds.
/// let p = make_program(|x: &Array| x * 2.0, &Array::zeros(&[3])).unwrap();
/// assert_eq!(p.equations.len(), 2);
/// let q = dce(&fold(&p));
/// assert_eq!(q.equations.len(), 1);
/// assert_eq!(q.count_primitive("mul"), 1);
/// ```
pub fn fold(program: &Program) -> Program {
    if program.verify().is_err() {
        return program.clone();
    }
    let mut out = program.clone();
    let mut values: HashMap<Var, Array> = program
        .constvars
        .iter()
        .zip(&program.consts)
        .filter(|(_, c)| c.is_concrete())
        .map(|(v, c)| (*v, c.clone()))
        .collect();
    let mut equations = Vec::with_capacity(program.equations.len());
    for eq in &program.equations {
        let foldable = !matches!(
            eq.primitive,
            Primitive::CustomJvp(_) | Primitive::Cond(_) | Primitive::While(_) | Primitive::Scan(_)
        ) && eq.inputs.iter().all(|v| values.contains_key(v))
            && eq
                .outputs
                .iter()
                .all(|&v| program.var_type(v).size() <= MAX_FOLDED);
        if foldable && let Some(results) = evaluate(program, &eq.primitive, &eq.inputs, &values) {
            for (&v, a) in eq.outputs.iter().zip(results) {
                values.insert(v, a.clone());
                out.constvars.push(v);
                out.consts.push(a);
            }
            continue;
        }
        equations.push(eq.clone());
    }
    out.equations = equations;
    out
}

/// The results of `prim` on the constant `inputs`, or `None` if a kernel fails.
fn evaluate(
    program: &Program,
    prim: &Primitive,
    inputs: &[Var],
    values: &HashMap<Var, Array>,
) -> Option<Vec<Array>> {
    let mut args = Vec::with_capacity(inputs.len());
    for v in inputs {
        args.push((values.get(v)?.buffer()?, program.var_type(*v)));
    }
    let types: Vec<&ArrayType> = args.iter().map(|(_, t)| *t).collect();
    let out_types = crate::ir::output_types(prim, &types).ok()?;
    let buffers = eval(prim, &args, &out_types).ok()?;
    Some(
        out_types
            .into_iter()
            .zip(buffers)
            .map(|(t, b)| Array::from_concrete(t, b))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::{MAX_FOLDED, fold};
    use crate::compile::dce;
    use crate::ir::{ArrayType, Equation, Primitive, Program, UnaryOp, Var};
    use crate::{Array, DType};

    /// `x * exp(-broadcast(2))` and `big + broadcast(2)`, written out by hand (tracing
    /// evaluates such constant chains itself).
    fn program() -> Program {
        let t = |shape: &[usize]| ArrayType::new(DType::F32, shape.to_vec());
        let n = MAX_FOLDED + 1;
        let eq = |primitive, inputs: &[u32], outputs: &[u32]| Equation {
            primitive,
            inputs: inputs.iter().map(|&i| Var(i)).collect(),
            outputs: outputs.iter().map(|&i| Var(i)).collect(),
        };
        let bcast = |shape: Vec<usize>| Primitive::BroadcastInDim {
            shape,
            dims: vec![],
        };
        Program {
            var_types: vec![
                t(&[]),
                t(&[3]),
                t(&[n]),
                t(&[3]),
                t(&[3]),
                t(&[3]),
                t(&[3]),
                t(&[n]),
                t(&[n]),
            ],
            constvars: vec![Var(0)],
            consts: vec![Array::scalar(2.0f32)],
            invars: vec![Var(1), Var(2)],
            equations: vec![
                eq(bcast(vec![3]), &[0], &[3]),
                eq(Primitive::Unary(UnaryOp::Neg), &[3], &[4]),
                eq(Primitive::Unary(UnaryOp::Exp), &[4], &[5]),
                eq(Primitive::Binary(crate::ir::BinaryOp::Mul), &[1, 5], &[6]),
                eq(bcast(vec![n]), &[0], &[7]),
                eq(Primitive::Binary(crate::ir::BinaryOp::Add), &[2, 7], &[8]),
            ],
            outvars: vec![Var(6), Var(8)],
        }
    }

    #[test]
    fn small_constant_chains_fold_and_large_broadcasts_stay() {
        let p = program();
        let q = dce(&fold(&p));
        assert_eq!(
            q.count_primitive("exp") + q.count_primitive("neg"),
            0,
            "{q}"
        );
        assert_eq!(q.count_primitive("broadcast_in_dim"), 1, "{q}");
        assert_eq!(q.equations.len(), 3, "{q}");
        let args = [Array::ones(&[3]), Array::zeros(&[MAX_FOLDED + 1])];
        let (want, got) = (p.call(&args).unwrap(), q.call(&args).unwrap());
        for (w, g) in want.iter().zip(&got) {
            assert_eq!(w.to_vec::<f32>().unwrap(), g.to_vec::<f32>().unwrap());
        }
        assert_eq!(got[0].to_vec::<f32>().unwrap(), vec![(-2.0f32).exp(); 3]);
    }
}
