//! Common-subexpression elimination: an equation that repeats an earlier one (same
//! primitive and parameters, same operands) is dropped and its results are renamed to the
//! earlier results. Primitives are pure, so results are unchanged.

use crate::ir::{Primitive, Program, Var};
use std::collections::HashMap;

/// `program` with repeated equations merged.
/// An ill-formed program (one [`Program::verify`] rejects) comes back unchanged.
///
/// ```
/// use autobatch::{compile::cse, make_program, Array};
/// let p = make_program(|x: &Array| x.exp() + x.exp(), &Array::zeros(&[3])).unwrap();
/// assert_eq!(p.count_primitive("exp"), 2);
/// assert_eq!(cse(&p).count_primitive("exp"), 1);
/// ```
pub fn cse(program: &Program) -> Program {
    if program.verify().is_err() {
        return program.clone();
    }
    let mut rename: HashMap<Var, Var> = HashMap::new();
    // A primitive hashes by its parameters and, for custom rules, by the addresses of
    // their programs, never by an array's values (which a deferred array computes later).
    #[allow(clippy::mutable_key_type)]
    let mut seen: HashMap<(Primitive, Vec<Var>), Vec<Var>> = HashMap::new();
    let resolve = |v: Var, rename: &HashMap<Var, Var>| *rename.get(&v).unwrap_or(&v);
    let mut out = program.clone();
    out.equations.clear();
    for eq in &program.equations {
        let inputs: Vec<Var> = eq.inputs.iter().map(|&v| resolve(v, &rename)).collect();
        let key = (eq.primitive.clone(), inputs.clone());
        if let Some(prev) = seen.get(&key) {
            for (o, p) in eq.outputs.iter().zip(prev) {
                rename.insert(*o, *p);
            }
            continue;
        }
        seen.insert(key, eq.outputs.clone());
        let mut kept = eq.clone();
        kept.inputs = inputs;
        out.equations.push(kept);
    }
    out.outvars = program
        .outvars
        .iter()
        .map(|&v| resolve(v, &rename))
        .collect();
    out
}
