//! Tracing loop bodies and branches into sub-programs, and the transformed sub-programs
//! the control-flow rules build (batched, forward-mode, reverse-mode).
//!
//! A sub-program keeps its concrete constants; the values of enclosing traces it closes
//! over become leading inputs, returned beside it, which the caller passes as operands of
//! the control-flow equation. So the equation holds no hidden traced value and outer
//! transforms see everything it reads.

use crate::array::{Array, apply_primitive};
use crate::error::{Error, Loc, Result};
use crate::ir::{ArrayType, Primitive, Program, SubProgram, Var};
use crate::trace::{Tree, TreeResult, trace_with_types};
use crate::transform::ad_util::{differentiable, zeros_like};
use crate::transform::autodiff::jvp_program;
use crate::transform::batching::{Batched, batch_at};
use crate::transform::vmap::run_batched;

/// A traced function: its program, the enclosing traces' values it reads (its leading
/// inputs), and its traced result (whose structure rebuilds outputs).
pub(crate) struct Traced<T> {
    pub program: Program,
    pub consts: Vec<Array>,
    pub out: T,
}

/// Traces `f` on arguments with `template`'s structure and leaf `types`.
pub(crate) fn trace_body<A: Tree, O: TreeResult>(
    f: impl FnOnce(&A) -> O,
    template: &A,
    types: &[ArrayType],
) -> Result<Traced<O::Tree>> {
    let (program, out) = trace_with_types(f, template, types)?;
    let (program, consts) = lift_traced_consts(program);
    Ok(Traced {
        program,
        consts,
        out,
    })
}

/// Traces a function of a list of arrays of `types`.
pub(crate) fn trace_list(
    f: impl FnOnce(&[Array]) -> Result<Vec<Array>>,
    types: &[ArrayType],
) -> Result<(Program, Vec<Array>)> {
    let template: Vec<Array> = types.iter().map(|_| Array::scalar(0f32)).collect();
    let traced = trace_body(|xs: &Vec<Array>| f(xs), &template, types)?;
    Ok((traced.program, traced.consts))
}

/// Moves the constants that are values of enclosing traces to leading inputs.
fn lift_traced_consts(mut p: Program) -> (Program, Vec<Array>) {
    let mut kept = (Vec::new(), Vec::new());
    let mut lifted = (Vec::new(), Vec::new());
    for (v, c) in p.constvars.drain(..).zip(p.consts.drain(..)) {
        let side = if c.is_traced() {
            &mut lifted
        } else {
            &mut kept
        };
        side.0.push(v);
        side.1.push(c);
    }
    (p.constvars, p.consts) = kept;
    let (mut invars, consts) = lifted;
    invars.append(&mut p.invars);
    p.invars = invars;
    (p, consts)
}

/// Inserts unused inputs of `types` at position `at` of the program's inputs.
pub(crate) fn insert_unused_inputs(p: &mut Program, at: usize, types: &[ArrayType]) {
    let vars: Vec<Var> = types
        .iter()
        .map(|t| {
            p.var_types.push(t.clone());
            Var((p.var_types.len() - 1) as u32)
        })
        .collect();
    p.invars.splice(at..at, vars);
}

/// The types of arrays.
pub(crate) fn types_of(xs: &[Array]) -> Vec<ArrayType> {
    xs.iter().map(|a| a.array_type()).collect()
}

/// `(f32[3], i32[])`.
pub(crate) fn types_str(types: &[ArrayType]) -> String {
    let items: Vec<String> = types.iter().map(|t| t.to_string()).collect();
    format!("({})", items.join(", "))
}

/// A copy of a Tree's structure and leaves (a template for tracing).
pub(crate) fn copy_tree<T: Tree>(t: &T) -> T {
    t.rebuild(&mut t.leaves().into_iter())
}

/// The first error among `xs`, if any.
pub(crate) fn first_error(xs: &[Array]) -> Result<()> {
    match xs.iter().find_map(|a| a.error_value()) {
        Some(e) => Err(e.clone()),
        None => Ok(()),
    }
}

/// Binds `prim` on `operands`, failing with the first error among the outputs.
#[track_caller]
pub(crate) fn bind(prim: Primitive, operands: &[Array]) -> Result<Vec<Array>> {
    let refs: Vec<&Array> = operands.iter().collect();
    let outs = apply_primitive(prim, &refs);
    first_error(&outs)?;
    Ok(outs)
}

/// An error of `op` at `loc`.
pub(crate) fn error(op: &str, message: impl Into<String>, loc: Loc) -> Error {
    Error::new(op, message, Some(loc))
}

/// `n` error arrays carrying `e` (what a rule returns when it fails).
pub(crate) fn errors(e: Error, n: usize) -> Vec<Array> {
    vec![Array::from_error(e); n]
}

/// Makes programs that read different leading values read the same ones: program `k`
/// takes `all consts ++ its other inputs`, ignoring the other programs' values.
/// Returns the sub-programs and all the values, in order.
pub(crate) fn join_consts(traced: Vec<(Program, Vec<Array>)>) -> (Vec<SubProgram>, Vec<Array>) {
    let types: Vec<Vec<ArrayType>> = traced.iter().map(|(_, c)| types_of(c)).collect();
    let all: Vec<Array> = traced.iter().flat_map(|(_, c)| c.iter().cloned()).collect();
    let programs = traced
        .into_iter()
        .enumerate()
        .map(|(k, (mut p, own))| {
            let after: Vec<ArrayType> = types[k + 1..].iter().flatten().cloned().collect();
            insert_unused_inputs(&mut p, own.len(), &after);
            let before: Vec<ArrayType> = types[..k].iter().flatten().cloned().collect();
            insert_unused_inputs(&mut p, 0, &before);
            SubProgram::new(p)
        })
        .collect();
    (programs, all)
}

/// Per-example types of batched operands: `n` added in front where `batched`.
pub(crate) fn batched_type(t: &ArrayType, batched: bool, n: usize) -> ArrayType {
    if batched {
        let mut shape = vec![n];
        shape.extend_from_slice(&t.shape);
        ArrayType::new(t.dtype, shape)
    } else {
        t.clone()
    }
}

/// `program` batched over `n` examples: input `i` has type `program`'s input type with
/// the batch axis in front where `in_batched[i]`. Outputs flagged in `force` (and any
/// output that comes out batched) are returned with the batch axis in front; the flags
/// say which outputs are batched.
pub(crate) fn batched_program(
    program: &Program,
    in_batched: &[bool],
    force: &[bool],
    n: usize,
) -> Result<(Program, Vec<Array>, Vec<bool>)> {
    let types: Vec<ArrayType> = program
        .input_types()
        .iter()
        .zip(in_batched)
        .map(|(t, &b)| batched_type(t, b, n))
        .collect();
    let mut flags = vec![false; program.outvars.len()];
    let (p, consts) = trace_list(
        |xs| {
            let inputs = xs
                .iter()
                .zip(in_batched)
                .map(|(x, &b)| Batched::new(x.clone(), b.then_some(0)))
                .collect();
            let outs = run_batched(program, inputs, n)?;
            Ok(outs
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    flags[i] = o.bdim.is_some() || force.get(i).copied().unwrap_or(false);
                    if flags[i] {
                        batch_at(o, 0, n)
                    } else {
                        o.value.clone()
                    }
                })
                .collect())
        },
        &types,
    )?;
    Ok((p, consts, flags))
}

/// The value of `b` with its batch axis in front if `batched`, else unbatched `b` itself.
pub(crate) fn at_front_if(b: &Batched, batched: bool, n: usize) -> Array {
    if batched {
        batch_at(b, 0, n)
    } else {
        b.value.clone()
    }
}

/// Which of `tangents` are nonzero and belong to differentiable values.
pub(crate) fn nonzero(primals: &[Array], tangents: &[Option<Array>]) -> Vec<bool> {
    primals
        .iter()
        .zip(tangents)
        .map(|(p, t)| t.is_some() && differentiable(p.dtype()))
        .collect()
}

/// The forward-mode program of `program`: its inputs are the primals followed by the
/// tangents of the inputs flagged in `in_nz`; its outputs are the primal outputs followed
/// by the tangents of the outputs flagged in `out_want` (zeros where the tangent is
/// zero). Also returns which output tangents are nonzero.
pub(crate) fn jvp_of_program(
    program: &Program,
    in_nz: &[bool],
    out_want: &[bool],
) -> Result<(Program, Vec<Array>, Vec<bool>)> {
    let primal_types = program.input_types();
    let mut types = primal_types.clone();
    types.extend(
        primal_types
            .iter()
            .zip(in_nz)
            .filter(|(_, nz)| **nz)
            .map(|(t, _)| t.clone()),
    );
    let n = primal_types.len();
    let mut out_nz = vec![false; program.outvars.len()];
    let (p, consts) = trace_list(
        |xs| {
            let (primals, given) = xs.split_at(n);
            let mut given = given.iter();
            let tangents: Vec<Option<Array>> = in_nz
                .iter()
                .map(|&nz| if nz { given.next().cloned() } else { None })
                .collect();
            let (mut outs, touts) = jvp_program(program, primals, &tangents)?;
            let mut extra = Vec::new();
            for (i, (t, o)) in touts.into_iter().zip(outs.iter()).enumerate() {
                out_nz[i] = t.is_some() && differentiable(o.dtype());
                if out_want[i] {
                    extra.push(t.unwrap_or_else(|| zeros_like(o)));
                }
            }
            outs.extend(extra);
            Ok(outs)
        },
        &types,
    )?;
    Ok((p, consts, out_nz))
}

/// Grows the carry's flags (batched, or nonzero tangent) to a fixed point: `step(flags)`
/// transforms the body with the carry flagged so and returns its result and the flags
/// of its outputs (the carry's first); a carry the body makes flagged is flagged from
/// the start. Returns the stable flags and the last step's result, built with them.
pub(crate) fn carry_fixed_point<T>(
    mut flags: Vec<bool>,
    mut step: impl FnMut(&[bool]) -> Result<(T, Vec<bool>)>,
) -> Result<(Vec<bool>, T)> {
    loop {
        let (result, out) = step(&flags)?;
        let next: Vec<bool> = flags.iter().zip(&out).map(|(a, b)| *a || *b).collect();
        if next == flags {
            return Ok((flags, result));
        }
        flags = next;
    }
}

/// The tangents (or cotangents) of the values flagged in `flags`, zeros where `None`.
#[track_caller]
pub(crate) fn instantiate(
    primals: &[Array],
    tangents: &[Option<Array>],
    flags: &[bool],
) -> Vec<Array> {
    primals
        .iter()
        .zip(tangents)
        .zip(flags)
        .filter(|(_, f)| **f)
        .map(|((p, t), _)| t.clone().unwrap_or_else(|| zeros_like(p)))
        .collect()
}

/// The differentiable flags of `types`.
pub(crate) fn differentiable_types(types: &[ArrayType]) -> Vec<bool> {
    types.iter().map(|t| differentiable(t.dtype)).collect()
}

/// Picks the entries of `xs` flagged in `flags`.
pub(crate) fn pick<T: Clone>(xs: &[T], flags: &[bool]) -> Vec<T> {
    xs.iter()
        .zip(flags)
        .filter(|(_, f)| **f)
        .map(|(x, _)| x.clone())
        .collect()
}

/// Spreads `values` over the positions flagged in `flags` (`None` elsewhere).
pub(crate) fn spread(values: Vec<Array>, flags: &[bool]) -> Vec<Option<Array>> {
    let mut values = values.into_iter();
    flags
        .iter()
        .map(|&f| if f { values.next() } else { None })
        .collect()
}
