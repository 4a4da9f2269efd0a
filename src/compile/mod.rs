//! Compiler passes over [`Program`]s: `fold`, `simplify`, `cse`, `dce`,
//! `signs_into_products`, `constant_layout`, `unbroadcast` (each a function
//! `Program -> Program`), their pipeline `optimize`, and `fusion`, which schedules equations into fused kernels.

mod cse;
mod dce;
mod fold;
pub mod fusion;
mod layout;
mod signs;
mod simplify;
mod unbroadcast;

pub use cse::cse;
pub use dce::dce;
pub use fold::{MAX_FOLDED, fold};
pub use layout::constant_layout;
pub use signs::signs_into_products;
pub use simplify::simplify;
pub use unbroadcast::unbroadcast;

use crate::ir::Program;

/// The optimization pipeline `jit` applies: small constant subexpressions folded,
/// identities simplified away, common subexpressions merged, constant matrices stored
/// the way products read them, large constants that repeat a pattern turned back into
/// broadcasts of it, constant signs moved into the constant matrices of products, then
/// dead code (and constants) removed.
///
/// ```
/// use autobatch::{compile::optimize, make_program, Array};
/// let p = make_program(|x: &Array| { let _dead = x.sin(); x.exp() * x.exp() }, &Array::zeros(&[2])).unwrap();
/// let q = optimize(&p);
/// assert_eq!((q.count_primitive("exp"), q.count_primitive("sin")), (1, 0));
/// ```
pub fn optimize(program: &Program) -> Program {
    let live = dce(&cse(&simplify(&fold(program))));
    dce(&signs_into_products(&unbroadcast(&constant_layout(&live))))
}

#[cfg(test)]
mod tests {
    use super::{
        constant_layout, cse, dce, fold, fusion::schedule, optimize, simplify, unbroadcast,
    };
    use crate::DType;
    use crate::ir::{ArrayType, Equation, Primitive, Program, UnaryOp, Var};

    /// Hand-built programs the verifier rejects go through every pass without a panic.
    #[test]
    fn ill_formed_programs_pass_through_unchanged() {
        let t = ArrayType::new(DType::F32, vec![2]);
        let eq = |primitive, inputs: Vec<Var>| Equation {
            primitive,
            inputs,
            outputs: vec![Var(1)],
        };
        let bad = [
            // An operand that has no type.
            eq(Primitive::Unary(UnaryOp::Exp), vec![Var(7)]),
            // A reshape without its operand.
            eq(Primitive::Reshape { shape: vec![2] }, vec![]),
            // A reduction over an axis the operand lacks.
            eq(
                Primitive::Reduce {
                    op: crate::ir::ReduceOp::Sum,
                    axes: vec![3],
                },
                vec![Var(0)],
            ),
        ];
        for e in bad {
            let p = Program {
                var_types: vec![t.clone(), t.clone()],
                constvars: vec![],
                consts: vec![],
                invars: vec![Var(0)],
                equations: vec![e],
                outvars: vec![Var(1), Var(9)],
            };
            assert!(p.verify().is_err());
            for q in [
                cse(&p),
                dce(&p),
                fold(&p),
                simplify(&p),
                constant_layout(&p),
                unbroadcast(&p),
                optimize(&p),
            ] {
                assert_eq!(q.equations, p.equations);
            }
            assert_eq!(schedule(&p).steps.len(), 1);
        }
    }
}
