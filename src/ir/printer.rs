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

impl fmt::Display for Program {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: HashMap<Var, String> = HashMap::new();
        let mut next = 0;
        let mut name = |v: Var, names: &mut HashMap<Var, String>| {
            let n = var_name(next);
            next += 1;
            names.insert(v, n.clone());
            n
        };
        let mut header_consts = Vec::new();
        for (v, c) in self.constvars.iter().zip(&self.consts) {
            match literal(c) {
                Some(lit) => {
                    names.insert(*v, lit);
                }
                None => {
                    let n = name(*v, &mut names);
                    header_consts.push(format!("{n}:{}", self.var_type(*v)));
                }
            }
        }
        let mut header_inputs = Vec::new();
        for v in &self.invars {
            let n = name(*v, &mut names);
            header_inputs.push(format!("{n}:{}", self.var_type(*v)));
        }
        write!(f, "{{ lambda ")?;
        if !header_consts.is_empty() {
            write!(f, "{} ", header_consts.join(" "))?;
        }
        write!(f, "; {}. let", header_inputs.join(" "))?;
        for eq in &self.equations {
            let lhs: Vec<String> = eq
                .outputs
                .iter()
                .map(|&v| {
                    let n = name(v, &mut names);
                    format!("{n}:{}", self.var_type(v))
                })
                .collect();
            let args: Vec<String> = eq
                .inputs
                .iter()
                .map(|v| names.get(v).cloned().unwrap_or_else(|| format!("?{}", v.0)))
                .collect();
            write!(f, "\n    {} = {}", lhs.join(" "), eq.primitive)?;
            for a in args {
                write!(f, " {a}")?;
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
