//! `while_loop`: repeat a body on a carried value while a condition holds.
//!
//! - vmap: carries that become batched in the body are batched from the start (a fixed
//!   point). When the condition is batched, the loop runs while ANY example continues,
//!   and an example whose condition is false keeps its carry (a masked update).
//! - jvp: the tangents join the carry (a fixed point decides which are nonzero).
//! - vjp: not defined (the trip count is not known when tracing), as in JAX: an error
//!   that points to `scan` and `fori_loop`.

use super::body::*;
use crate::array::{Array, lax};
use crate::error::Result;
use crate::ir::{Primitive, ReduceOp, SubProgram, WhileCall};
use crate::trace::{Tree, TreeResult};
use crate::transform::batching::Batched;
use crate::transform::vmap::run_batched;
use std::panic::Location;

/// Runs `body` on the carry, starting from `init`, while `cond_fn(carry)` (a bool
/// scalar) is true, and returns the final carry. The body must return the carry's
/// structure, shapes and dtypes.
///
/// ```
/// use autobatch::{control::while_loop, Array};
/// // Doubles until the value reaches 100.
/// let out = while_loop(|x: &Array| x.lt(100.0), |x: &Array| x * 2.0, &Array::scalar(3.0f32)).unwrap();
/// assert_eq!(out.item::<f32>().unwrap(), 192.0);
/// ```
#[track_caller]
pub fn while_loop<C, P, B>(cond_fn: impl Fn(&C) -> P, body: impl Fn(&C) -> B, init: &C) -> Result<C>
where
    C: Tree,
    P: TreeResult<Tree = Array>,
    B: TreeResult<Tree = C>,
{
    let loc = Location::caller();
    let carry = init.leaves();
    first_error(&carry)?;
    let types = types_of(&carry);
    let cond = trace_body(|c: &C| cond_fn(c), init, &types)?;
    let pred = cond.program.output_types();
    if pred.len() != 1 || pred[0].dtype != crate::DType::Bool || !pred[0].shape.is_empty() {
        return Err(error(
            "while_loop",
            format!(
                "the condition must return a bool scalar, got {}",
                types_str(&pred)
            ),
            loc,
        ));
    }
    let body = trace_body(|c: &C| body(c), init, &types)?;
    let got = body.program.output_types();
    if got != types {
        return Err(error(
            "while_loop",
            format!(
                "the body must return the carry's shapes and dtypes {}, got {}",
                types_str(&types),
                types_str(&got)
            ),
            loc,
        ));
    }
    let outs = bind_while(cond.program, cond.consts, body.program, body.consts, &carry)?;
    Ok(init.rebuild(&mut outs.into_iter()))
}

/// Binds a `while` equation.
#[track_caller]
fn bind_while(
    cond: crate::ir::Program,
    cond_consts: Vec<Array>,
    body: crate::ir::Program,
    body_consts: Vec<Array>,
    carry: &[Array],
) -> Result<Vec<Array>> {
    let call = WhileCall {
        cond: SubProgram::new(cond),
        body: SubProgram::new(body),
        cond_consts: cond_consts.len(),
        body_consts: body_consts.len(),
    };
    let mut operands = cond_consts;
    operands.extend(body_consts);
    operands.extend(carry.iter().cloned());
    bind(Primitive::While(call), &operands)
}

/// Batching: see the module documentation.
#[track_caller]
pub(crate) fn batch_rule(call: &WhileCall, args: &[Batched], n: usize) -> Vec<Batched> {
    batch(call, args, n).unwrap_or_else(|e| {
        errors(e, call.num_carry())
            .into_iter()
            .map(|a| Batched::new(a, None))
            .collect()
    })
}

#[track_caller]
fn batch(call: &WhileCall, args: &[Batched], n: usize) -> Result<Vec<Batched>> {
    let (c, b) = (call.cond_consts, call.body_consts);
    let flags = |xs: &[Batched]| -> Vec<bool> { xs.iter().map(|x| x.bdim.is_some()).collect() };
    let (cond_consts, body_consts, carry) = (&args[..c], &args[c..c + b], &args[c + b..]);
    // The carries the body makes batched are batched from the start.
    let (mut carry_b, body) = carry_fixed_point(flags(carry), |carry_b| {
        let mut in_b = flags(body_consts);
        in_b.extend(carry_b);
        let (p, extra, out_b) = batched_program(&call.body, &in_b, carry_b, n)?;
        Ok(((p, extra), out_b))
    })?;
    let mut cond_in = flags(cond_consts);
    cond_in.extend(&carry_b);
    let (cond_p, cond_extra, pred_b) = batched_program(&call.cond, &cond_in, &[], n)?;
    let pred_batched = pred_b[0];
    if pred_batched {
        carry_b = vec![true; carry.len()];
    }
    let front = |xs: &[Batched]| -> Vec<Array> {
        xs.iter()
            .map(|x| at_front_if(x, x.bdim.is_some(), n))
            .collect()
    };
    let cond_values = front(cond_consts);
    let body_values = front(body_consts);
    let carry_values: Vec<Array> = carry
        .iter()
        .zip(&carry_b)
        .map(|(x, &f)| at_front_if(x, f, n))
        .collect();
    let outs = if !pred_batched {
        let (body_p, body_extra) = body;
        let (mut cc, mut bc) = (cond_extra, body_extra);
        cc.extend(cond_values);
        bc.extend(body_values);
        bind_while(cond_p, cc, body_p, bc, &carry_values)?
    } else {
        masked_loop(call, args, &carry_values, n)?
    };
    Ok(outs
        .into_iter()
        .zip(carry_b)
        .map(|(v, f)| Batched::new(v, f.then_some(0)))
        .collect())
}

/// A batched condition: loop while any example continues; finished examples keep
/// their carry. Every carry is batched (in front) in `carry`.
#[track_caller]
fn masked_loop(
    call: &WhileCall,
    args: &[Batched],
    carry: &[Array],
    n: usize,
) -> Result<Vec<Array>> {
    let (c, b) = (call.cond_consts, call.body_consts);
    let cond_consts = &args[..c];
    let body_consts = &args[c..c + b];
    let values = |xs: &[Batched]| -> Vec<Array> {
        xs.iter()
            .map(|x| at_front_if(x, x.bdim.is_some(), n))
            .collect()
    };
    let cond_flags: Vec<bool> = cond_consts.iter().map(|x| x.bdim.is_some()).collect();
    let body_flags: Vec<bool> = body_consts.iter().map(|x| x.bdim.is_some()).collect();
    let batched = |xs: &[Array], fl: &[bool]| -> Vec<Batched> {
        xs.iter()
            .zip(fl)
            .map(|(x, &f)| Batched::new(x.clone(), f.then_some(0)))
            .collect()
    };
    let carry_types = types_of(carry);
    let every = vec![true; carry.len()];
    // The predicate of every example, batched in front.
    let predicate = |cc: &[Array], carry: &[Array]| -> Result<Array> {
        let mut inputs = batched(cc, &cond_flags);
        inputs.extend(batched(carry, &every));
        let pred = run_batched(&call.cond, inputs, n)?;
        Ok(at_front_if(&pred[0], true, n))
    };
    let cond_values = values(cond_consts);
    let body_values = values(body_consts);
    let mut cond_types = types_of(&cond_values);
    cond_types.extend(carry_types.iter().cloned());
    let (cond_p, cond_extra) = trace_list(
        |xs| {
            let (cc, carry) = xs.split_at(c);
            let pred = predicate(cc, carry)?;
            Ok(vec![lax::reduce(ReduceOp::Max, &pred, &[0])])
        },
        &cond_types,
    )?;
    let mut body_types = types_of(&cond_values);
    body_types.extend(types_of(&body_values));
    body_types.extend(carry_types.iter().cloned());
    let (body_p, body_extra) = trace_list(
        |xs| {
            let (cc, rest) = xs.split_at(c);
            let (bc, carry) = rest.split_at(b);
            let pred = predicate(cc, carry)?;
            let mut inputs = batched(bc, &body_flags);
            inputs.extend(batched(carry, &every));
            let next = run_batched(&call.body, inputs, n)?;
            let out: Vec<Array> = next
                .iter()
                .zip(carry)
                .map(|(new, old)| {
                    let new = at_front_if(new, true, n);
                    let mask = lax::broadcast_in_dim(&pred, old.shape(), &[0]);
                    lax::select(&mask, &new, old)
                })
                .collect();
            first_error(&out)?;
            Ok(out)
        },
        &body_types,
    )?;
    let mut cc = cond_extra;
    cc.extend(cond_values.iter().cloned());
    let mut bc = body_extra;
    bc.extend(cond_values);
    bc.extend(body_values);
    bind_while(cond_p, cc, body_p, bc, carry)
}

/// Forward mode: the nonzero tangents join the carry.
#[track_caller]
pub(crate) fn jvp_rule(
    call: &WhileCall,
    primals: &[Array],
    tangents: &[Option<Array>],
) -> (Vec<Array>, Vec<Option<Array>>) {
    let nc = call.num_carry();
    jvp(call, primals, tangents)
        .unwrap_or_else(|e| (errors(e.clone(), nc), vec![Some(Array::from_error(e)); nc]))
}

#[track_caller]
fn jvp(
    call: &WhileCall,
    primals: &[Array],
    tangents: &[Option<Array>],
) -> Result<(Vec<Array>, Vec<Option<Array>>)> {
    let (c, b) = (call.cond_consts, call.body_consts);
    let nc = call.num_carry();
    let consts_nz = nonzero(&primals[c..c + b], &tangents[c..c + b]);
    let (carry_nz, body) =
        carry_fixed_point(nonzero(&primals[c + b..], &tangents[c + b..]), |carry_nz| {
            let mut in_nz = consts_nz.clone();
            in_nz.extend(carry_nz);
            let (p, extra, out_nz) = jvp_of_program(&call.body, &in_nz, carry_nz)?;
            Ok(((p, extra), out_nz))
        })?;
    if !carry_nz.iter().any(|&z| z) {
        let outs = bind_while_call(call, primals)?;
        return Ok((outs, vec![None; nc]));
    }
    // The body's program takes (consts, carry, const tangents, carry tangents); reorder
    // its inputs to (consts, const tangents, carry, carry tangents).
    let (body_p, body_extra) = body;
    let n_ct = consts_nz.iter().filter(|&&z| z).count();
    let n_kt = carry_nz.iter().filter(|&&z| z).count();
    let body_p = reorder_inputs(body_p, body_extra.len(), b, nc, n_ct);
    let carry = &primals[c + b..];
    let carry_t = instantiate(carry, &tangents[c + b..], &carry_nz);
    let mut cond_types = types_of(&primals[..c]);
    cond_types.extend(types_of(carry));
    cond_types.extend(types_of(&carry_t));
    let (cond_p, cond_extra) = trace_list(
        |xs| {
            let mut inputs = xs[..c].to_vec();
            inputs.extend(xs[c..c + nc].iter().cloned());
            call.cond.call(&inputs)
        },
        &cond_types,
    )?;
    let mut cc = cond_extra;
    cc.extend(primals[..c].iter().cloned());
    let mut bc = body_extra;
    bc.extend(primals[c..c + b].iter().cloned());
    bc.extend(pick(&tangents[c..c + b], &consts_nz).into_iter().flatten());
    let mut all_carry = carry.to_vec();
    all_carry.extend(carry_t);
    debug_assert_eq!(all_carry.len(), nc + n_kt);
    let mut outs = bind_while(cond_p, cc, body_p, bc, &all_carry)?;
    let touts = outs.split_off(nc);
    Ok((outs, spread(touts, &carry_nz)))
}

/// Rebinds the original equation (no tangents flow through the loop).
#[track_caller]
fn bind_while_call(call: &WhileCall, operands: &[Array]) -> Result<Vec<Array>> {
    bind(Primitive::While(call.clone()), operands)
}

/// A forward-mode program's inputs are `extra, consts, carry, const tangents, carry
/// tangents`; the loop needs `extra, consts, const tangents, carry, carry tangents`.
fn reorder_inputs(
    mut p: crate::ir::Program,
    extra: usize,
    consts: usize,
    carry: usize,
    const_tangents: usize,
) -> crate::ir::Program {
    let inv = std::mem::take(&mut p.invars);
    let (head, rest) = inv.split_at(extra + consts);
    let (carry_vars, rest) = rest.split_at(carry);
    let (ct_vars, kt_vars) = rest.split_at(const_tangents);
    p.invars = head
        .iter()
        .chain(ct_vars)
        .chain(carry_vars)
        .chain(kt_vars)
        .copied()
        .collect();
    p
}

/// Reverse mode is not defined for `while_loop`: an error saying what to use instead.
#[track_caller]
pub(crate) fn vjp_rule(x: &[Array]) -> Vec<Option<Array>> {
    let e = error(
        "while_loop",
        "reverse-mode differentiation does not support while_loop, whose trip count is \
         not known when tracing; use scan, or fori_loop with fixed bounds (or forward mode, \
         jvp/jacfwd)",
        Location::caller(),
    );
    vec![Some(Array::from_error(e)); x.len()]
}
