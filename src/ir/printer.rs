//! Prints a [`Program`] the way JAX prints a jaxpr.
//!
//! Variables are named `a`, `b`, ..., `z`, `ba`, `bb`, ... in order of definition
//! (non-scalar constants, inputs, then equation outputs). Scalar constants are printed
//! inline as literals (`2.0:f32[]`).

use super::program::{Program, Var};
use crate::array::Array;
use std::collections::HashMap;
use std::fmt;

/// The name of the `i`-th variable: `a`..`z`, then `ba`, `bb`, ... (JAX's scheme).
///
/// ```
/// assert_eq!(autobatch::ir::var_name(0), "a");
/// assert_eq!(autobatch::ir::var_name(26), "ba");
/// ```
pub fn var_name(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'a' + (i % 26) as u8);
        i /= 26;
        if i == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8(s).expect("letters are ASCII")
}

/// Formats a scalar constant as a literal, e.g. `2.0:f32[]`.
fn literal(a: &Array) -> Option<String> {
    if !a.shape().is_empty() {
        return None;
    }
    let text = a.scalar_literal()?;
    Some(format!("{text}:{}[]", a.dtype()))
}

/// The names a printed program gives its variables: literal constants print as their
/// value, every other variable gets the next name in order of definition.
pub(crate) fn var_names(p: &Program) -> HashMap<Var, String> {
    let mut names: HashMap<Var, String> = HashMap::new();
    let mut next = 0;
    let mut name = |v: Var, names: &mut HashMap<Var, String>| {
        names.insert(v, var_name(next));
        next += 1;
    };
    for (v, c) in p.constvars.iter().zip(&p.consts) {
        match literal(c) {
            Some(lit) => {
                names.insert(*v, lit);
            }
            None => name(*v, &mut names),
        }
    }
    for v in &p.invars {
        name(*v, &mut names);
    }
    for eq in &p.equations {
        for v in &eq.outputs {
            name(*v, &mut names);
        }
    }
    names
}

/// Writes one equation as `lhs:type ... = primitive args`.
pub(crate) fn write_equation(
    f: &mut impl fmt::Write,
    p: &Program,
    eq: &crate::ir::Equation,
    names: &HashMap<Var, String>,
) -> fmt::Result {
    let name = |v: &Var| names.get(v).cloned().unwrap_or_else(|| format!("?{}", v.0));
    let lhs: Vec<String> = eq
        .outputs
        .iter()
        .map(|v| format!("{}:{}", name(v), p.var_type(*v)))
        .collect();
    write!(f, "{} = {}", lhs.join(" "), eq.primitive)?;
    for a in &eq.inputs {
        write!(f, " {}", name(a))?;
    }
    Ok(())
}

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = var_names(self);
        let typed = |v: &Var| format!("{}:{}", names[v], self.var_type(*v));
        let header_consts: Vec<String> = self
            .constvars
            .iter()
            .zip(&self.consts)
            .filter(|(_, c)| literal(c).is_none())
            .map(|(v, _)| typed(v))
            .collect();
        let header_inputs: Vec<String> = self.invars.iter().map(typed).collect();
        write!(f, "{{ lambda ")?;
        if !header_consts.is_empty() {
            write!(f, "{} ", header_consts.join(" "))?;
        }
        write!(f, "; {}. let", header_inputs.join(" "))?;
        for eq in &self.equations {
            write!(f, "\n    ")?;
            write_equation(f, self, eq, &names)?;
            // Control flow: each sub-program below its equation, indented.
            for (label, sub) in eq.primitive.sub_programs() {
                let text = sub.to_string();
                write!(f, "\n      {label} = ")?;
                for (i, line) in text.lines().enumerate() {
                    if i > 0 {
                        write!(f, "\n      ")?;
                    }
                    write!(f, "{line}")?;
                }
            }
        }
        let outs: Vec<String> = self
            .outvars
            .iter()
            .map(|v| names.get(v).cloned().unwrap_or_else(|| format!("?{}", v.0)))
            .collect();
        write!(f, "\n  in ({}) }}", outs.join(", "))
    }
}
