//! Dead-code elimination: drop equations whose results no output needs, and constants no
//! equation uses. Primitives have no side effects, so this never changes results.

use crate::ir::Program;

/// `program` without dead equations or unused constants.
/// An ill-formed program (one [`Program::verify`] rejects) comes back unchanged.
///
/// ```
/// use autobatch::{compile::dce, make_program, Array};
/// let p = make_program(|x: &Array| { let _unused = x.exp(); x * 2.0 }, &Array::zeros(&[3])).unwrap();
/// assert_eq!(p.count_primitive("exp"), 1);
/// assert_eq!(dce(&p).count_primitive("exp"), 0);
/// ```
pub fn dce(program: &Program) -> Program {
    if program.verify().is_err() {
        return program.clone();
    }
    let mut live = vec![false; program.var_types.len()];
    for v in &program.outvars {
        live[v.index()] = true;
    }
    let mut keep = vec![false; program.equations.len()];
    for (k, eq) in program.equations.iter().enumerate().rev() {
        if eq.outputs.iter().any(|o| live[o.index()]) {
            keep[k] = true;
            for i in &eq.inputs {
                live[i.index()] = true;
            }
        }
    }
    let mut out = program.clone();
    out.equations = program
        .equations
        .iter()
        .zip(&keep)
        .filter(|(_, k)| **k)
        .map(|(e, _)| e.clone())
        .collect();
    let (constvars, consts): (Vec<_>, Vec<_>) = program
        .constvars
        .iter()
        .zip(&program.consts)
        .filter(|(v, _)| live[v.index()])
        .map(|(v, c)| (*v, c.clone()))
        .unzip();
    out.constvars = constvars;
    out.consts = consts;
    out
}
