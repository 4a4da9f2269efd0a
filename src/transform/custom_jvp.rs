//! `custom_jvp`: functions with a derivative rule given by the user, for numerically
//! stable or cheaper derivatives (`softplus`, `logsumexp`, ...).
//!
//! The function and its rule are traced into two programs held by one
//! [`Primitive::CustomJvp`] equation. Evaluating or batching it runs the primal program;
//! forward mode runs the JVP program; reverse mode transposes the JVP program's tangent
//! map (a linear function of the tangents) with the ordinary reverse-mode machinery.
//! Values the function closes over are constants of the rule: derivatives do not flow
//! into them.

use super::autodiff::{backward, forward};
use super::batching::{Batched, batch_at};
use super::vmap::run_batched;
use crate::array::{Array, apply_primitive};
use crate::error::{Error, Result};
use crate::ir::{ArrayType, CustomJvpCall, Primitive, Program};
use crate::trace::{Tree, TreeResult, trace_with_types};
use std::panic::Location;
use std::sync::Arc;

/// `f` with the derivative rule `jvp`: `jvp(primals, tangents)` returns `(f(primals),
/// directional derivative along tangents)` and must be linear in `tangents`.
///
/// ```
/// use autobatch::{custom_jvp, grad, Array};
/// // log(1 + e^x) with the stable derivative logistic(x), finite for any x.
/// let softplus = custom_jvp(
///     |x: &Array| x.maximum(0.0) + (-x.abs()).exp().log1p(),
///     |x: &Array, t: &Array| (x.maximum(0.0) + (-x.abs()).exp().log1p(), x.logistic() * t),
/// );
/// let g = grad(|x: &Array| softplus(x).map(|y| y.sum()))(&Array::from_vec(vec![0.0f32, 100.0], &[2])).unwrap();
/// assert_eq!(g.to_vec::<f32>().unwrap(), vec![0.5, 1.0]);
/// ```
#[track_caller]
pub fn custom_jvp<A, R, OF, OJ>(
    f: impl Fn(&A) -> OF,
    jvp: impl Fn(&A, &A) -> OJ,
) -> impl Fn(&A) -> Result<R>
where
    A: Tree + Clone,
    R: Tree,
    OF: TreeResult<Tree = R>,
    OJ: TreeResult<Tree = (R, R)>,
{
    let loc = Location::caller();
    move |args: &A| {
        let leaves = args.leaves();
        if let Some(e) = leaves.iter().find_map(|a| a.error_value()) {
            return Err(e.clone());
        }
        let types: Vec<ArrayType> = leaves.iter().map(|a| a.array_type()).collect();
        let (primal, template) = trace_with_types(&f, args, &types)?;
        let pair = (args.clone(), args.clone());
        let mut jvp_types = types.clone();
        jvp_types.extend(types.iter().cloned());
        let (jvp_program, _) = trace_with_types(
            |(p, t): &(A, A)| jvp(p, t).into_tree_result(),
            &pair,
            &jvp_types,
        )?;
        let n_out = primal.outvars.len();
        let jvp_out = jvp_program.output_types();
        let want = primal.output_types();
        if jvp_out.len() != 2 * n_out
            || jvp_out[..n_out] != want[..]
            || jvp_out[n_out..] != want[..]
        {
            return Err(Error::new(
                "custom_jvp",
                format!(
                    "the rule must return (outputs, tangents) shaped like the function's outputs {:?}, got {:?}",
                    primal
                        .output_types()
                        .iter()
                        .map(|t| t.to_string())
                        .collect::<Vec<_>>(),
                    jvp_out.iter().map(|t| t.to_string()).collect::<Vec<_>>()
                ),
                Some(loc),
            ));
        }
        let outs = bind_custom(primal, jvp_program, &leaves);
        if let Some(e) = outs.iter().find_map(|a| a.error_value()) {
            return Err(e.clone());
        }
        Ok(template.rebuild(&mut outs.into_iter()))
    }
}

/// Moves a program's closed-over values to leading inputs; returns the program and them.
fn closure_convert(mut program: Program) -> (Program, Vec<Array>) {
    let consts = std::mem::take(&mut program.consts);
    let mut invars = std::mem::take(&mut program.constvars);
    invars.extend(program.invars.iter().copied());
    program.invars = invars;
    (program, consts)
}

/// Binds a custom-derivative equation for `primal` and `jvp` (closed programs) on `args`.
fn bind_custom(primal: Program, jvp: Program, args: &[Array]) -> Vec<Array> {
    let (primal, pc) = closure_convert(primal);
    let (jvp, jc) = closure_convert(jvp);
    let call = CustomJvpCall {
        primal: Arc::new(primal),
        jvp: Arc::new(jvp),
        primal_consts: pc.len(),
        jvp_consts: jc.len(),
    };
    let operands: Vec<&Array> = pc.iter().chain(&jc).chain(args).collect();
    apply_primitive(Primitive::CustomJvp(call), &operands)
}

/// Splits operands into (primal consts, jvp consts, args).
fn split<'a, T>(call: &CustomJvpCall, xs: &'a [T]) -> (&'a [T], &'a [T], &'a [T]) {
    let (pc, jc) = (call.primal_consts, call.jvp_consts);
    (&xs[..pc], &xs[pc..pc + jc], &xs[pc + jc..])
}

/// Forward mode: the outputs and their tangents from the JVP program.
#[track_caller]
pub(crate) fn jvp_rule(
    call: &CustomJvpCall,
    primals: &[Array],
    tangents: &[Option<Array>],
) -> (Vec<Array>, Vec<Option<Array>>) {
    let (_, jc, args) = split(call, primals);
    let (_, _, arg_tangents) = split(call, tangents);
    let mut inputs: Vec<Array> = jc.to_vec();
    inputs.extend(args.iter().cloned());
    inputs.extend(
        arg_tangents
            .iter()
            .zip(args)
            .map(|(t, a)| t.clone().unwrap_or_else(|| super::ad_util::zeros_like(a))),
    );
    let n = call.num_outputs();
    match call.jvp.call(&inputs) {
        Ok(mut outs) => {
            let tangents = outs.split_off(n).into_iter().map(Some).collect();
            (outs, tangents)
        }
        Err(e) => (
            vec![Array::from_error(e.clone()); n],
            vec![Some(Array::from_error(e)); n],
        ),
    }
}

/// Reverse mode: transposes the JVP program's (linear) tangent map at zero tangents.
#[track_caller]
pub(crate) fn vjp_rule(
    call: &CustomJvpCall,
    x: &[Array],
    cts: &[Option<Array>],
) -> Vec<Option<Array>> {
    let (_, jc, args) = split(call, x);
    let mut inputs: Vec<Array> = jc.to_vec();
    inputs.extend(args.iter().cloned());
    inputs.extend(args.iter().map(super::ad_util::zeros_like));
    let n = call.num_outputs();
    let mut out_cts: Vec<Option<Array>> = vec![None; n];
    out_cts.extend(cts.iter().cloned());
    let mut result = vec![None; x.len()];
    let env = match forward(&call.jvp, &inputs) {
        Ok(env) => env,
        Err(e) => {
            result.fill(Some(Array::from_error(e)));
            return result;
        }
    };
    match backward(&call.jvp, &env, &out_cts) {
        Ok(in_cts) => {
            // in_cts: jvp consts, args, tangents — the tangents' cotangents are the answer.
            let start = call.jvp_consts + args.len();
            let base = call.primal_consts + call.jvp_consts;
            for (i, ct) in in_cts.into_iter().skip(start).enumerate() {
                result[base + i] = ct;
            }
        }
        Err(e) => result.fill(Some(Array::from_error(e))),
    }
    result
}

/// Batching: both programs are batched (every operand with its batch axis first) into a
/// new custom-derivative equation, so the rule survives `vmap`.
#[track_caller]
pub(crate) fn batch_rule(call: &CustomJvpCall, args: &[Batched], n: usize) -> Vec<Batched> {
    let values: Vec<Array> = args.iter().map(|a| batch_at(a, 0, n)).collect();
    let (pc, jc, xs) = split(call, &values);
    let fail = |e: Error| vec![Batched::new(Array::from_error(e), None); call.num_outputs()];
    let batched_program = |program: &Program, inputs: Vec<Array>| -> Result<Program> {
        let types: Vec<ArrayType> = inputs.iter().map(|a| a.array_type()).collect();
        let (p, _) = trace_with_types(
            |xs: &Vec<Array>| {
                let batched: Vec<Batched> = xs
                    .iter()
                    .map(|x| Batched::new(x.clone(), Some(0)))
                    .collect();
                run_batched(program, batched, n).map(|outs| {
                    outs.iter()
                        .map(|b| batch_at(b, 0, n))
                        .collect::<Vec<Array>>()
                })
            },
            &inputs,
            &types,
        )?;
        Ok(p)
    };
    let mut primal_inputs: Vec<Array> = pc.to_vec();
    primal_inputs.extend(xs.iter().cloned());
    let mut jvp_inputs: Vec<Array> = jc.to_vec();
    jvp_inputs.extend(xs.iter().cloned());
    jvp_inputs.extend(xs.iter().cloned());
    let primal = match batched_program(&call.primal, primal_inputs) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let jvp = match batched_program(&call.jvp, jvp_inputs) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    // The batched programs take the (now batched) closed-over values as explicit inputs.
    let mut outer_primal = primal;
    let mut outer_jvp = jvp;
    let p_inputs = outer_primal.invars.len() - xs.len();
    let j_inputs = outer_jvp.invars.len() - 2 * xs.len();
    // Re-split: the leading inputs of each batched program are its former constants.
    let primal_consts: Vec<Array> = pc.to_vec();
    let jvp_consts: Vec<Array> = jc.to_vec();
    debug_assert_eq!(p_inputs, primal_consts.len());
    debug_assert_eq!(j_inputs, jvp_consts.len());
    // Fold the explicit const inputs back into constants so `bind_custom` re-converts them.
    move_leading_inputs_to_consts(&mut outer_primal, &primal_consts);
    move_leading_inputs_to_consts(&mut outer_jvp, &jvp_consts);
    bind_custom(outer_primal, outer_jvp, xs)
        .into_iter()
        .map(|v| Batched::new(v, Some(0)))
        .collect()
}

/// Turns the first `values.len()` inputs of `program` into constants bound to `values`.
fn move_leading_inputs_to_consts(program: &mut Program, values: &[Array]) {
    let k = values.len();
    let leading: Vec<_> = program.invars.drain(..k).collect();
    program.constvars.extend(leading);
    program.consts.extend(values.iter().cloned());
}
