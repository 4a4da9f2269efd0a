//! `cond` and `switch`: run one of several functions of the same operands, chosen by a
//! traced predicate or index. Both branches are traced (they must return the same
//! types); only the chosen one runs.
//!
//! - vmap: an unbatched index stays a `cond` of batched branches; a batched index runs
//!   every branch on the whole batch and selects per example (like JAX).
//! - jvp: a `cond` of the branches' forward-mode programs.
//! - vjp: a `cond` of the branches' reverse-mode programs (each recomputes its forward
//!   values from the operands).

use super::body::*;
use crate::array::{Array, DType, lax};
use crate::error::{Loc, Result};
use crate::ir::{CompareOp, CondCall, Primitive};
use crate::trace::{Tree, TreeResult};
use crate::transform::ad_util::{differentiable, zeros_like};
use crate::transform::autodiff::{backward, forward};
use crate::transform::batching::{Batched, batch_at};
use crate::transform::vmap::run_batched;
use std::panic::Location;

/// `on_true(operands)` if the scalar `pred` is true (nonzero), else `on_false(operands)`.
/// Both functions are traced and must return the same structure, shapes and dtypes.
///
/// ```
/// use autobatch::{control::cond, Array};
/// let x = Array::from_vec(vec![1.0f32, -2.0], &[2]);
/// let y: Array = cond(&x.sum().lt(0.0), |x: &Array| -x, |x: &Array| x * 2.0, &x).unwrap();
/// assert_eq!(y.to_vec::<f32>().unwrap(), vec![-1.0, 2.0]);
/// ```
#[track_caller]
pub fn cond<A, R, OT, OF>(
    pred: &Array,
    on_true: impl Fn(&A) -> OT,
    on_false: impl Fn(&A) -> OF,
    operands: &A,
) -> Result<R>
where
    A: Tree,
    R: Tree,
    OT: TreeResult<Tree = R>,
    OF: TreeResult<Tree = R>,
{
    let loc = Location::caller();
    if let Some(e) = pred.error_value() {
        return Err(e.clone());
    }
    if pred.ndim() != 0 {
        return Err(error(
            "cond",
            format!("the predicate must be a scalar, got {}", pred.array_type()),
            loc,
        ));
    }
    let truth = if pred.dtype() == DType::Bool {
        pred.clone()
    } else {
        lax::compare(CompareOp::Ne, pred, &zeros_like(pred))
    };
    let index = lax::convert(&truth, DType::I32);
    let on_false = |a: &A| on_false(a).into_tree_result();
    let on_true = |a: &A| on_true(a).into_tree_result();
    switch_impl(&index, &[&on_false, &on_true], operands, loc)
}

/// `branches[index](operands)`, with `index` (an integer scalar) clamped into
/// `0..branches.len()`. Every branch is traced and must return the same structure,
/// shapes and dtypes.
///
/// ```
/// use autobatch::{control::switch, Array};
/// let double = |x: &Array| x * 2.0;
/// let square = |x: &Array| x * x;
/// let negate = |x: &Array| -x;
/// let branches: [&dyn Fn(&Array) -> Array; 3] = [&double, &square, &negate];
/// let x = Array::scalar(3.0f32);
/// let y: Array = switch(&Array::scalar(1i32), &branches, &x).unwrap();
/// assert_eq!(y.item::<f32>().unwrap(), 9.0);
/// let y: Array = switch(&Array::scalar(7i32), &branches, &x).unwrap();
/// assert_eq!(y.item::<f32>().unwrap(), -3.0);
/// ```
#[track_caller]
pub fn switch<A, R, O>(index: &Array, branches: &[&dyn Fn(&A) -> O], operands: &A) -> Result<R>
where
    A: Tree,
    R: Tree,
    O: TreeResult<Tree = R>,
{
    let loc = Location::caller();
    if let Some(e) = index.error_value() {
        return Err(e.clone());
    }
    if index.ndim() != 0 || !matches!(index.dtype(), DType::I32 | DType::U32) {
        return Err(error(
            "switch",
            format!(
                "the index must be an integer scalar, got {}",
                index.array_type()
            ),
            loc,
        ));
    }
    let index = if index.dtype() == DType::U32 {
        // Large unsigned values stay large (clamped to the last branch), not negative.
        let capped = lax::binary(
            crate::ir::BinaryOp::Min,
            index,
            &Array::scalar(i32::MAX as u32),
        );
        lax::convert(&capped, DType::I32)
    } else {
        index.clone()
    };
    let wrapped: Vec<Box<Branch<'_, A, R>>> = branches
        .iter()
        .map(|b| Box::new(move |a: &A| b(a).into_tree_result()) as Box<Branch<'_, A, R>>)
        .collect();
    let refs: Vec<&Branch<'_, A, R>> = wrapped.iter().map(|b| b.as_ref()).collect();
    switch_impl(&index, &refs, operands, loc)
}

/// A traced branch: a function of the operands.
type Branch<'a, A, R> = dyn Fn(&A) -> Result<R> + 'a;

fn switch_impl<A: Tree, R: Tree>(
    index: &Array,
    branches: &[&Branch<'_, A, R>],
    operands: &A,
    loc: Loc,
) -> Result<R> {
    if branches.is_empty() {
        return Err(error("switch", "needs at least one branch", loc));
    }
    let leaves = operands.leaves();
    first_error(&leaves)?;
    let types = types_of(&leaves);
    let mut traced = Vec::with_capacity(branches.len());
    for branch in branches {
        traced.push(trace_body(|a: &A| branch(a), operands, &types)?);
    }
    let want = traced[0].program.output_types();
    for (k, t) in traced.iter().enumerate() {
        let got = t.program.output_types();
        if got != want {
            return Err(error(
                "cond",
                format!(
                    "branch {k} returns {} but branch 0 returns {}: every branch must return \
                     the same shapes and dtypes",
                    types_str(&got),
                    types_str(&want)
                ),
                loc,
            ));
        }
    }
    let mut traced = traced.into_iter();
    let first = traced
        .next()
        .expect("there is at least one branch (checked above)");
    let template = first.out;
    let mut programs = vec![(first.program, first.consts)];
    programs.extend(traced.map(|t| (t.program, t.consts)));
    let (branches, consts) = join_consts(programs);
    let mut operands = vec![index.clone()];
    operands.extend(consts);
    operands.extend(leaves);
    let outs = bind(Primitive::Cond(CondCall { branches }), &operands)?;
    Ok(template.rebuild(&mut outs.into_iter()))
}

/// The error of a hand-built `cond` without branches (traced ones always have some).
#[track_caller]
fn no_branches() -> crate::Error {
    error("cond", "needs at least one branch", Location::caller())
}

/// Binds a `cond` of traced branches (with their lifted values) on `index` and `args`.
#[track_caller]
fn bind_cond(
    index: &Array,
    traced: Vec<(crate::ir::Program, Vec<Array>)>,
    args: &[Array],
) -> Result<Vec<Array>> {
    let (branches, consts) = join_consts(traced);
    let mut operands = vec![index.clone()];
    operands.extend(consts);
    operands.extend(args.iter().cloned());
    bind(Primitive::Cond(CondCall { branches }), &operands)
}

/// Batching: see the module documentation.
#[track_caller]
pub(crate) fn batch_rule(call: &CondCall, args: &[Batched], n: usize) -> Vec<Batched> {
    let n_out = Primitive::Cond(call.clone()).num_outputs();
    let result = if call.branches.is_empty() || args.is_empty() {
        Err(no_branches())
    } else if args[0].bdim.is_some() {
        select_branches(call, args, n)
    } else {
        batched_branches(call, args, n)
    };
    result.unwrap_or_else(|e| {
        errors(e, n_out)
            .into_iter()
            .map(|a| Batched::new(a, None))
            .collect()
    })
}

/// An unbatched index: a `cond` of the batched branches.
#[track_caller]
fn batched_branches(call: &CondCall, args: &[Batched], n: usize) -> Result<Vec<Batched>> {
    let ops = &args[1..];
    let in_batched: Vec<bool> = ops.iter().map(|b| b.bdim.is_some()).collect();
    let values: Vec<Array> = ops
        .iter()
        .map(|b| at_front_if(b, b.bdim.is_some(), n))
        .collect();
    let mut out_batched = vec![false; call.branches[0].outvars.len()];
    for branch in &call.branches {
        let (_, _, flags) = batched_program(branch, &in_batched, &[], n)?;
        for (o, f) in out_batched.iter_mut().zip(flags) {
            *o |= f;
        }
    }
    let mut traced = Vec::with_capacity(call.branches.len());
    for branch in &call.branches {
        let (p, consts, _) = batched_program(branch, &in_batched, &out_batched, n)?;
        traced.push((p, consts));
    }
    let outs = bind_cond(&args[0].value, traced, &values)?;
    Ok(outs
        .into_iter()
        .zip(out_batched)
        .map(|(v, b)| Batched::new(v, b.then_some(0)))
        .collect())
}

/// A batched index: every branch runs on the whole batch; each example takes the
/// outputs of its own branch.
#[track_caller]
fn select_branches(call: &CondCall, args: &[Batched], n: usize) -> Result<Vec<Batched>> {
    let index = batch_at(&args[0], 0, n);
    let last = Array::scalar((call.branches.len() - 1) as i32);
    let index = lax::binary(
        crate::ir::BinaryOp::Max,
        &lax::binary(
            crate::ir::BinaryOp::Min,
            &index,
            &lax::broadcast_in_dim(&last, &[n], &[]),
        ),
        &lax::broadcast_in_dim(&Array::scalar(0i32), &[n], &[]),
    );
    let mut chosen: Vec<Array> = Vec::new();
    for (k, branch) in call.branches.iter().enumerate() {
        let outs = run_batched(branch, args[1..].to_vec(), n)?;
        let outs: Vec<Array> = outs.iter().map(|o| batch_at(o, 0, n)).collect();
        if k == 0 {
            chosen = outs;
            continue;
        }
        let here = lax::compare(
            CompareOp::Eq,
            &index,
            &lax::broadcast_in_dim(&Array::scalar(k as i32), &[n], &[]),
        );
        for (c, o) in chosen.iter_mut().zip(outs) {
            let pred = lax::broadcast_in_dim(&here, o.shape(), &[0]);
            *c = lax::select(&pred, &o, c);
        }
    }
    first_error(&chosen)?;
    Ok(chosen
        .into_iter()
        .map(|v| Batched::new(v, Some(0)))
        .collect())
}

/// Forward mode: a `cond` of the branches' forward-mode programs.
#[track_caller]
pub(crate) fn jvp_rule(
    call: &CondCall,
    primals: &[Array],
    tangents: &[Option<Array>],
) -> (Vec<Array>, Vec<Option<Array>>) {
    let Some(first) = call.branches.first().filter(|_| !primals.is_empty()) else {
        return (vec![], vec![]);
    };
    let n_out = first.outvars.len();
    let run = || -> Result<(Vec<Array>, Vec<Option<Array>>)> {
        let ops = &primals[1..];
        let in_nz = nonzero(ops, &tangents[1..]);
        let out_diff = differentiable_types(&call.branches[0].output_types());
        let out_want: Vec<bool> = if in_nz.iter().any(|&z| z) {
            out_diff
        } else {
            vec![false; n_out]
        };
        let mut traced = Vec::with_capacity(call.branches.len());
        for branch in &call.branches {
            let (p, consts, _) = jvp_of_program(branch, &in_nz, &out_want)?;
            traced.push((p, consts));
        }
        let mut args = ops.to_vec();
        args.extend(pick(&tangents[1..], &in_nz).into_iter().flatten());
        let mut outs = bind_cond(&primals[0], traced, &args)?;
        let touts = outs.split_off(n_out);
        Ok((outs, spread(touts, &out_want)))
    };
    run().unwrap_or_else(|e| {
        (
            errors(e.clone(), n_out),
            vec![Some(Array::from_error(e)); n_out],
        )
    })
}

/// Reverse mode: a `cond` of the branches' reverse-mode programs.
#[track_caller]
pub(crate) fn vjp_rule(call: &CondCall, x: &[Array], cts: &[Option<Array>]) -> Vec<Option<Array>> {
    let run = || -> Result<Vec<Option<Array>>> {
        if call.branches.is_empty() || x.is_empty() {
            return Err(no_branches());
        }
        let ops = &x[1..];
        let in_diff: Vec<bool> = ops.iter().map(|a| differentiable(a.dtype())).collect();
        let given: Vec<bool> = cts.iter().map(Option::is_some).collect();
        let ct_values: Vec<Array> = cts.iter().flatten().cloned().collect();
        let mut types = types_of(ops);
        types.extend(types_of(&ct_values));
        let mut traced = Vec::with_capacity(call.branches.len());
        for branch in &call.branches {
            traced.push(trace_list(
                |xs| {
                    let (primals, given_cts) = xs.split_at(ops.len());
                    let out_cts = spread(given_cts.to_vec(), &given);
                    let env = forward(branch, primals)?;
                    let in_cts = backward(branch, &env, &out_cts)?;
                    Ok(instantiate(primals, &in_cts, &in_diff))
                },
                &types,
            )?);
        }
        let mut args = ops.to_vec();
        args.extend(ct_values);
        let outs = bind_cond(&x[0], traced, &args)?;
        let mut result = vec![None];
        result.extend(spread(outs, &in_diff));
        Ok(result)
    };
    run().unwrap_or_else(|e| vec![Some(Array::from_error(e)); x.len()])
}
