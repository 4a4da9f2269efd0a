//! A compiled plan: a program whose types are all known ahead of time, run directly on
//! buffers.
//!
//! `jit` builds one plan per signature. Running it skips everything the general path
//! (`bind`) does per op — type inference, trace bookkeeping, wrapping every intermediate
//! in an `Array` — and frees each intermediate buffer right after its last use. It is
//! used when every argument is concrete; under a trace `jit` replays the program instead.

use super::eval_unchecked;
use crate::array::{Array, Buffer};
use crate::error::{Error, Result};
use crate::ir::{ArrayType, Program, output_types};
use std::borrow::Cow;

/// The plan of a program with constant inputs and outputs typed ahead of time.
pub(crate) struct Plan {
    program: Program,
    /// The output types of each equation.
    out_types: Vec<Vec<ArrayType>>,
    /// For each variable, the last equation reading it (`usize::MAX`: kept to the end).
    last_uses: Vec<usize>,
}

impl Plan {
    /// A plan for `program`, or `None` if it cannot run without tracing (a constant that
    /// is not concrete).
    pub(crate) fn new(program: Program) -> Option<Plan> {
        if program.consts.iter().any(|c| !c.is_concrete()) {
            return None;
        }
        let mut out_types = Vec::with_capacity(program.equations.len());
        for eq in &program.equations {
            let ins: Vec<&ArrayType> = eq.inputs.iter().map(|&v| program.var_type(v)).collect();
            out_types.push(output_types(&eq.primitive, &ins).ok()?);
        }
        let last_uses = program.last_uses();
        Some(Plan {
            program,
            out_types,
            last_uses,
        })
    }

    /// Runs the plan on concrete `inputs` whose types match the program's inputs.
    pub(crate) fn run(&self, inputs: &[Array]) -> Result<Vec<Array>> {
        let p = &self.program;
        let fail = |m: String| Error::new("jit", m, None);
        let mut env: Vec<Option<Cow<'_, Buffer>>> = vec![None; p.var_types.len()];
        for (v, c) in p.constvars.iter().zip(&p.consts) {
            env[v.index()] = c.buffer().map(Cow::Borrowed);
        }
        if inputs.len() != p.invars.len() {
            return Err(fail(format!(
                "expected {} inputs, got {}",
                p.invars.len(),
                inputs.len()
            )));
        }
        for (v, a) in p.invars.iter().zip(inputs) {
            if a.type_ref() != p.var_type(*v) {
                return Err(fail(format!(
                    "input should be {}, got {}",
                    p.var_type(*v),
                    a.array_type()
                )));
            }
            env[v.index()] = a.buffer().map(Cow::Borrowed);
        }
        for (k, eq) in p.equations.iter().enumerate() {
            let outs = {
                let mut args: Vec<(&Buffer, &ArrayType)> = Vec::with_capacity(eq.inputs.len());
                for v in &eq.inputs {
                    let b = env[v.index()]
                        .as_deref()
                        .ok_or_else(|| fail("a value is missing".into()))?;
                    args.push((b, p.var_type(*v)));
                }
                eval_unchecked(&eq.primitive, &args, &self.out_types[k])
                    .map_err(|m| Error::new(eq.primitive.name(), m, None))?
            };
            for v in &eq.inputs {
                if self.last_uses[v.index()] == k {
                    env[v.index()] = None;
                }
            }
            for (v, b) in eq.outputs.iter().zip(outs) {
                env[v.index()] = Some(Cow::Owned(b));
            }
        }
        p.outvars
            .iter()
            .map(|v| {
                let b = env[v.index()]
                    .clone()
                    .ok_or_else(|| fail("an output is missing".into()))?;
                Ok(Array::from_concrete(p.var_type(*v).clone(), b.into_owned()))
            })
            .collect()
    }
}
