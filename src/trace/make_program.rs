//! `make_program` (the analogue of `jax.make_jaxpr`) and replaying a program on arrays.

use super::stack::{TraceGuard, bind};
use super::tree::{Fallible, Tree, TreeResult};
use crate::array::Array;
use crate::error::{Error, Result};
use crate::ir::{ArrayType, Program, shape_str};
use std::panic::Location;

/// Traces `f` on arguments shaped like `args` and returns the program it computes.
///
/// The program's inputs are the leaves of `args` (their values are not used, only their
/// shapes and dtypes); its outputs are the leaves of `f`'s result (a Tree, or a `Result`
/// of one). An op that fails while
/// tracing (say, shapes that do not broadcast) makes this return that error.
///
/// ```
/// use autobatch::{make_program, Array};
/// let w = Array::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
/// let p = make_program(|x: &Array| w.dot(x).sum(), &Array::zeros(&[3])).unwrap();
/// assert_eq!(p.count_primitive("dot_general"), 1);
/// println!("{p}");
/// ```
#[track_caller]
pub fn make_program<A: Tree, O: TreeResult>(f: impl FnOnce(&A) -> O, args: &A) -> Result<Program> {
    let leaves = args.leaves();
    if let Some(e) = leaves.iter().find_map(|a| a.error_value()) {
        return Err(e.clone());
    }
    let types: Vec<ArrayType> = leaves.iter().map(|a| a.array_type()).collect();
    trace_with_types(f, args, &types).map(|(program, _)| program)
}

/// Traces `f` on arguments with `template`'s structure whose leaves have `types`.
/// Returns the program and `f`'s traced result (whose structure rebuilds outputs; its
/// leaves are tracers of the finished trace and must not be used as values).
pub(crate) fn trace_with_types<A: Tree, O: TreeResult>(
    f: impl FnOnce(&A) -> O,
    template: &A,
    types: &[ArrayType],
) -> Result<(Program, O::Tree)> {
    let guard = TraceGuard::push();
    let traced: Vec<Array> = types.iter().map(|t| guard.new_input(t.clone())).collect();
    let traced_args = template.rebuild(&mut traced.into_iter());
    let out = Fallible(f(&traced_args).into_tree_result());
    let program = guard.finish(&out.leaves())?;
    out.0.map(|tree| (program, tree))
}

impl Program {
    /// Runs the program on `inputs`: computes when they are concrete, and records the
    /// equations into the enclosing trace when they are traced. This replay is how
    /// transformed programs compose with outer transforms.
    ///
    /// ```
    /// use autobatch::{make_program, Array};
    /// let p = make_program(|x: &Array| x * x, &Array::zeros(&[2])).unwrap();
    /// let out = p.call(&[Array::from_vec(vec![3.0f32, 4.0], &[2])]).unwrap();
    /// assert_eq!(out[0].to_vec::<f32>().unwrap(), vec![9.0, 16.0]);
    /// ```
    #[track_caller]
    pub fn call(&self, inputs: &[Array]) -> Result<Vec<Array>> {
        let loc = Location::caller();
        if inputs.len() != self.invars.len() {
            return Err(Error::new(
                "call",
                format!(
                    "the program takes {} inputs, got {}",
                    self.invars.len(),
                    inputs.len()
                ),
                Some(loc),
            ));
        }
        for (i, (a, v)) in inputs.iter().zip(&self.invars).enumerate() {
            if let Some(e) = a.error_value() {
                return Err(e.clone());
            }
            let want = self.var_type(*v);
            if a.type_ref() != want {
                return Err(Error::new(
                    "call",
                    format!(
                        "input {i} should be {want}, got {} {}",
                        a.dtype(),
                        shape_str(a.shape())
                    ),
                    Some(loc),
                ));
            }
        }
        let mut env: Vec<Option<Array>> = vec![None; self.var_types.len()];
        for (v, c) in self.constvars.iter().zip(&self.consts) {
            env[v.index()] = Some(c.clone());
        }
        for (v, a) in self.invars.iter().zip(inputs) {
            env[v.index()] = Some(a.clone());
        }
        let missing = || Error::new("call", "the program uses an undefined variable", Some(loc));
        let last_uses = self.last_uses();
        for (k, eq) in self.equations.iter().enumerate() {
            let args: Vec<Array> = eq
                .inputs
                .iter()
                .map(|v| {
                    env.get(v.index())
                        .and_then(|a| a.clone())
                        .ok_or_else(missing)
                })
                .collect::<Result<_>>()?;
            // Free each value after its last use.
            for v in &eq.inputs {
                if last_uses[v.index()] == k {
                    env[v.index()] = None;
                }
            }
            let args: Vec<&Array> = args.iter().collect();
            let outs = bind(eq.primitive.clone(), &args, loc);
            if let Some(e) = outs.iter().find_map(|a| a.error_value()) {
                return Err(e.clone());
            }
            for (v, a) in eq.outputs.iter().zip(outs) {
                env[v.index()] = Some(a);
            }
        }
        self.outvars
            .iter()
            .map(|v| {
                env.get(v.index())
                    .and_then(|a| a.clone())
                    .ok_or_else(missing)
            })
            .collect()
    }
}
