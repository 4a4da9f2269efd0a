//! `scan`: a loop that threads a carry through a body and stacks the body's per-step
//! outputs, with `fori_loop` and `map` built on it.
//!
//! - vmap: scanned inputs keep their batch axis right after the step axis; carries that
//!   become batched in the body are batched from the start (a fixed point).
//! - jvp: the nonzero tangents join the constants, the carry and the scanned inputs.
//! - vjp: a forward scan stores the carry of every step (the residuals), then a scan in
//!   the opposite direction runs each step's reverse-mode program, accumulating the
//!   constants' cotangents in its carry.

use super::body::*;
use crate::array::{Array, apply_primitive};
use crate::error::Result;
use crate::ir::{Primitive, Program, ScanCall, SubProgram};
use crate::trace::{Tree, TreeResult};
use crate::transform::ad_util::{add, differentiable, zeros_like};
use crate::transform::autodiff::{backward, forward};
use crate::transform::batching::{Batched, batch_at};
use std::panic::Location;

/// Options of [`scan_with`]: the number of steps and the direction.
///
/// ```
/// use autobatch::control::ScanOptions;
/// let o = ScanOptions::new().length(4).reverse(true);
/// assert_eq!((o.get_length(), o.is_reverse()), (Some(4), true));
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ScanOptions {
    length: Option<usize>,
    reverse: bool,
}

impl ScanOptions {
    /// Forward, with the length taken from the scanned inputs.
    ///
    /// ```
    /// assert!(!autobatch::control::ScanOptions::new().is_reverse());
    /// ```
    pub fn new() -> ScanOptions {
        ScanOptions::default()
    }

    /// The number of steps (needed when nothing is scanned over; otherwise it must equal
    /// the scanned inputs' leading extent).
    ///
    /// ```
    /// assert_eq!(autobatch::control::ScanOptions::new().length(3).get_length(), Some(3));
    /// ```
    pub fn length(mut self, n: usize) -> ScanOptions {
        self.length = Some(n);
        self
    }

    /// Runs the steps from the last index to the first (the outputs stay in index order).
    ///
    /// ```
    /// assert!(autobatch::control::ScanOptions::new().reverse(true).is_reverse());
    /// ```
    pub fn reverse(mut self, reverse: bool) -> ScanOptions {
        self.reverse = reverse;
        self
    }

    /// The number of steps, if given.
    ///
    /// ```
    /// assert_eq!(autobatch::control::ScanOptions::new().get_length(), None);
    /// ```
    pub fn get_length(&self) -> Option<usize> {
        self.length
    }

    /// Whether the steps run backwards.
    ///
    /// ```
    /// assert!(!autobatch::control::ScanOptions::default().is_reverse());
    /// ```
    pub fn is_reverse(&self) -> bool {
        self.reverse
    }
}

/// Scans `f` over the leading axis of `xs`: `f(carry, x_i)` returns `(new carry, y_i)`;
/// the result is the final carry and the `y_i` stacked along a new leading axis (like
/// `jax.lax.scan`). The body must return the carry's structure, shapes and dtypes.
///
/// ```
/// use autobatch::{control::scan, Array};
/// // Running products: the carry is the product so far; each step also outputs it.
/// let xs = Array::from_vec(vec![1.5f64, -0.5, 2.0], &[3]);
/// let (last, ys): (Array, Array) =
///     scan(|c: &Array, x: &Array| { let p = c * x; (p.clone(), p) }, &Array::scalar(1.0f64), &xs).unwrap();
/// assert_eq!(last.item::<f64>().unwrap(), -1.5);
/// assert_eq!(ys.to_vec::<f64>().unwrap(), vec![1.5, -0.75, -1.5]);
/// ```
#[track_caller]
pub fn scan<C, X, Y, O>(f: impl Fn(&C, &X) -> O, init: &C, xs: &X) -> Result<(C, Y)>
where
    C: Tree,
    X: Tree,
    Y: Tree,
    O: TreeResult<Tree = (C, Y)>,
{
    scan_with(f, init, xs, ScanOptions::new())
}

/// [`scan`] with options: a length when nothing is scanned over, and the direction.
///
/// ```
/// use autobatch::{control::{scan_with, ScanOptions}, Array};
/// // Reverse cumulative sums.
/// let xs = Array::from_vec(vec![1.0f32, 2.0, 3.0], &[3]);
/// let (_, ys): (Array, Array) = scan_with(
///     |c: &Array, x: &Array| { let s = c + x; (s.clone(), s) },
///     &Array::scalar(0.0f32), &xs, ScanOptions::new().reverse(true),
/// ).unwrap();
/// assert_eq!(ys.to_vec::<f32>().unwrap(), vec![6.0, 5.0, 3.0]);
/// ```
#[track_caller]
pub fn scan_with<C, X, Y, O>(
    f: impl Fn(&C, &X) -> O,
    init: &C,
    xs: &X,
    options: ScanOptions,
) -> Result<(C, Y)>
where
    C: Tree,
    X: Tree,
    Y: Tree,
    O: TreeResult<Tree = (C, Y)>,
{
    let loc = Location::caller();
    let carry = init.leaves();
    let x_leaves = xs.leaves();
    first_error(&carry)?;
    first_error(&x_leaves)?;
    let mut length = options.length;
    for (i, x) in x_leaves.iter().enumerate() {
        let Some(&n) = x.shape().first() else {
            return Err(error(
                "scan",
                format!(
                    "scanned input {i} is a scalar ({}); scanned inputs need a leading axis",
                    x.array_type()
                ),
                loc,
            ));
        };
        match length {
            Some(l) if l != n => {
                return Err(error(
                    "scan",
                    format!(
                        "scanned input {i} has leading extent {n}, but the scan has length {l}"
                    ),
                    loc,
                ));
            }
            _ => length = Some(n),
        }
    }
    let Some(length) = length else {
        return Err(error(
            "scan",
            "nothing is scanned over: give the number of steps with ScanOptions::length",
            loc,
        ));
    };
    let carry_types = types_of(&carry);
    let mut types = carry_types.clone();
    types.extend(
        x_leaves
            .iter()
            .map(|x| crate::ir::ArrayType::new(x.dtype(), x.shape()[1..].to_vec())),
    );
    let template = (copy_tree(init), copy_tree(xs));
    let traced = trace_body(|(c, x): &(C, X)| f(c, x), &template, &types)?;
    let got = traced.program.output_types();
    if got.len() < carry.len() || got[..carry.len()] != carry_types[..] {
        return Err(error(
            "scan",
            format!(
                "the body must return a carry with the shapes and dtypes {}, got {}",
                types_str(&carry_types),
                types_str(&got[..carry.len().min(got.len())])
            ),
            loc,
        ));
    }
    let outs = bind_scan(
        traced.program,
        traced.consts,
        &carry,
        &x_leaves,
        length,
        options.reverse,
    )?;
    Ok(traced.out.rebuild(&mut outs.into_iter()))
}

/// Binds a `scan` equation.
#[track_caller]
fn bind_scan(
    body: Program,
    consts: Vec<Array>,
    carry: &[Array],
    xs: &[Array],
    length: usize,
    reverse: bool,
) -> Result<Vec<Array>> {
    let call = ScanCall {
        body: SubProgram::new(body),
        consts: consts.len(),
        carry: carry.len(),
        length,
        reverse,
    };
    let mut operands = consts;
    operands.extend(carry.iter().cloned());
    operands.extend(xs.iter().cloned());
    bind(Primitive::Scan(call), &operands)
}

/// `body(i, carry)` for `i` in `lower..upper`, starting from `init`: the final carry.
/// With fixed bounds it is a `scan`, so reverse-mode derivatives work through it.
///
/// ```
/// use autobatch::{control::fori_loop, Array};
/// // 1 + 2 + ... + 10, with the index converted to f32.
/// let sum = fori_loop(1, 11, |i: &Array, s: &Array| s + i.astype(autobatch::DType::F32), &Array::scalar(0.0f32)).unwrap();
/// assert_eq!(sum.item::<f32>().unwrap(), 55.0);
/// ```
#[track_caller]
pub fn fori_loop<C, O>(
    lower: i32,
    upper: i32,
    body: impl Fn(&Array, &C) -> O,
    init: &C,
) -> Result<C>
where
    C: Tree,
    O: TreeResult<Tree = C>,
{
    let length = (i64::from(upper) - i64::from(lower)).max(0) as usize;
    let start = (Array::scalar(lower), copy_tree(init));
    let step = |(i, c): &(Array, C), _: &()| -> Result<((Array, C), ())> {
        let next = body(i, c).into_tree_result()?;
        let one = Array::scalar(1i32);
        let i_next = crate::lax::binary(crate::ir::BinaryOp::Add, i, &one);
        Ok(((i_next, next), ()))
    };
    let ((_, carry), ()) = scan_with(step, &start, &(), ScanOptions::new().length(length))?;
    Ok(carry)
}

/// `f` applied to each slice of `xs` along its leading axis, the results stacked (like
/// `jax.lax.map`): a `scan` without a carry.
///
/// ```
/// use autobatch::{control::map, Array};
/// let xs = Array::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]);
/// let sums: Array = map(|row: &Array| row.sum(), &xs).unwrap();
/// assert_eq!(sums.to_vec::<f32>().unwrap(), vec![3.0, 7.0]);
/// ```
#[track_caller]
pub fn map<X, Y, O>(f: impl Fn(&X) -> O, xs: &X) -> Result<Y>
where
    X: Tree,
    Y: Tree,
    O: TreeResult<Tree = Y>,
{
    let step = |_: &(), x: &X| f(x).into_tree_result().map(|y| ((), y));
    let ((), ys) = scan(step, &(), xs)?;
    Ok(ys)
}

/// Splits operands into (consts, carry, xs).
fn split<'a, T>(call: &ScanCall, xs: &'a [T]) -> (&'a [T], &'a [T], &'a [T]) {
    let (k, c) = (call.consts, call.carry);
    (&xs[..k], &xs[k..k + c], &xs[k + c..])
}

/// Batching: see the module documentation.
#[track_caller]
pub(crate) fn batch_rule(call: &ScanCall, args: &[Batched], n: usize) -> Vec<Batched> {
    batch(call, args, n).unwrap_or_else(|e| {
        errors(e, call.body.outvars.len())
            .into_iter()
            .map(|a| Batched::new(a, None))
            .collect()
    })
}

#[track_caller]
fn batch(call: &ScanCall, args: &[Batched], n: usize) -> Result<Vec<Batched>> {
    let (consts, carry, xs) = split(call, args);
    let flags = |v: &[Batched]| -> Vec<bool> { v.iter().map(|x| x.bdim.is_some()).collect() };
    let in_flags = |carry_b: &[bool]| -> Vec<bool> {
        let mut f = flags(consts);
        f.extend(carry_b);
        f.extend(flags(xs));
        f
    };
    let (carry_b, (body, extra, out_b)) = carry_fixed_point(flags(carry), |carry_b| {
        let (p, extra, out_b) = batched_program(&call.body, &in_flags(carry_b), carry_b, n)?;
        Ok(((p, extra, out_b.clone()), out_b))
    })?;
    let mut operands = extra;
    operands.extend(consts.iter().map(|x| at_front_if(x, x.bdim.is_some(), n)));
    let carry_values: Vec<Array> = carry
        .iter()
        .zip(&carry_b)
        .map(|(x, &f)| at_front_if(x, f, n))
        .collect();
    // Scanned inputs: the step axis first, the batch axis right after it.
    let x_values: Vec<Array> = xs
        .iter()
        .map(|x| match x.bdim {
            Some(_) => batch_at(x, 1, n),
            None => x.value.clone(),
        })
        .collect();
    let k = operands.len();
    let call = ScanCall {
        body: SubProgram::new(body),
        consts: k,
        carry: carry.len(),
        length: call.length,
        reverse: call.reverse,
    };
    operands.extend(carry_values);
    operands.extend(x_values);
    let outs = bind(Primitive::Scan(call), &operands)?;
    let c = carry.len();
    Ok(outs
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let bdim = if i < c {
                carry_b[i].then_some(0)
            } else {
                out_b[i].then_some(1)
            };
            Batched::new(v, bdim)
        })
        .collect())
}

/// Forward mode: the nonzero tangents join the constants, the carry and the inputs.
#[track_caller]
pub(crate) fn jvp_rule(
    call: &ScanCall,
    primals: &[Array],
    tangents: &[Option<Array>],
) -> (Vec<Array>, Vec<Option<Array>>) {
    let n_out = call.body.outvars.len();
    jvp(call, primals, tangents).unwrap_or_else(|e| {
        (
            errors(e.clone(), n_out),
            vec![Some(Array::from_error(e)); n_out],
        )
    })
}

#[track_caller]
fn jvp(
    call: &ScanCall,
    primals: &[Array],
    tangents: &[Option<Array>],
) -> Result<(Vec<Array>, Vec<Option<Array>>)> {
    let (k, c) = (call.consts, call.carry);
    let n_out = call.body.outvars.len();
    let (consts, carry, xs) = split(call, primals);
    let (consts_t, carry_t, xs_t) = split(call, tangents);
    let consts_nz = nonzero(consts, consts_t);
    let xs_nz = nonzero(xs, xs_t);
    let y_diff = differentiable_types(&call.body.output_types()[c..]);
    let in_nz = |carry_nz: &[bool]| -> Vec<bool> {
        let mut f = consts_nz.clone();
        f.extend(carry_nz);
        f.extend(&xs_nz);
        f
    };
    let out_want = |carry_nz: &[bool]| -> Vec<bool> {
        let mut f = carry_nz.to_vec();
        f.extend(&y_diff);
        f
    };
    let (carry_nz, (body, extra)) = carry_fixed_point(nonzero(carry, carry_t), |carry_nz| {
        let (p, extra, out_nz) = jvp_of_program(&call.body, &in_nz(carry_nz), &out_want(carry_nz))?;
        Ok(((p, extra), out_nz))
    })?;
    if !in_nz(&carry_nz).iter().any(|&z| z) {
        let outs = bind(Primitive::Scan(call.clone()), primals)?;
        return Ok((outs, vec![None; n_out]));
    }
    // The program's inputs: extra, consts, carry, xs, then the tangents of each group;
    // its outputs: carry, ys, then the tangents of the carry and of the ys. The loop
    // needs (extra, consts, const tangents), (carry, carry tangents), (xs, x tangents)
    // and (carry, carry tangents, ys, y tangents).
    let n_ct = count(&consts_nz);
    let n_kt = count(&carry_nz);
    let n_xt = count(&xs_nz);
    let n_ys = n_out - c;
    let n_yt = count(&y_diff);
    let mut body = body;
    let e = extra.len();
    let inv = std::mem::take(&mut body.invars);
    let (head, rest) = inv.split_at(e + k);
    let (carry_v, rest) = rest.split_at(c);
    let (xs_v, rest) = rest.split_at(xs.len());
    let (ct_v, rest) = rest.split_at(n_ct);
    let (kt_v, xt_v) = rest.split_at(n_kt);
    debug_assert_eq!(xt_v.len(), n_xt);
    body.invars = [head, ct_v, carry_v, kt_v, xs_v, xt_v].concat();
    let outv = std::mem::take(&mut body.outvars);
    let (carry_o, rest) = outv.split_at(c);
    let (ys_o, rest) = rest.split_at(n_ys);
    let (kt_o, yt_o) = rest.split_at(n_kt);
    debug_assert_eq!(yt_o.len(), n_yt);
    body.outvars = [carry_o, kt_o, ys_o, yt_o].concat();
    let mut operands = extra;
    operands.extend(consts.iter().cloned());
    operands.extend(instantiate(consts, consts_t, &consts_nz));
    let n_consts = operands.len();
    operands.extend(carry.iter().cloned());
    operands.extend(instantiate(carry, carry_t, &carry_nz));
    operands.extend(xs.iter().cloned());
    operands.extend(instantiate(xs, xs_t, &xs_nz));
    let new_call = ScanCall {
        body: SubProgram::new(body),
        consts: n_consts,
        carry: c + n_kt,
        length: call.length,
        reverse: call.reverse,
    };
    let outs = bind(Primitive::Scan(new_call), &operands)?;
    let mut outs = outs.into_iter();
    let carry_out: Vec<Array> = outs.by_ref().take(c).collect();
    let carry_tan: Vec<Array> = outs.by_ref().take(n_kt).collect();
    let ys_out: Vec<Array> = outs.by_ref().take(n_ys).collect();
    let ys_tan: Vec<Array> = outs.collect();
    let mut primal_outs = carry_out;
    primal_outs.extend(ys_out);
    let mut tangent_outs = spread(carry_tan, &carry_nz);
    tangent_outs.extend(spread(ys_tan, &y_diff));
    Ok((primal_outs, tangent_outs))
}

fn count(flags: &[bool]) -> usize {
    flags.iter().filter(|&&f| f).count()
}

/// Reverse mode: see the module documentation.
#[track_caller]
pub(crate) fn vjp_rule(call: &ScanCall, x: &[Array], cts: &[Option<Array>]) -> Vec<Option<Array>> {
    vjp(call, x, cts).unwrap_or_else(|e| vec![Some(Array::from_error(e)); x.len()])
}

#[track_caller]
fn vjp(call: &ScanCall, x: &[Array], cts: &[Option<Array>]) -> Result<Vec<Option<Array>>> {
    let (k, c) = (call.consts, call.carry);
    let (consts, carry, xs) = split(call, x);
    let (carry_ct, ys_ct) = cts.split_at(c);
    let body_types = call.body.input_types();
    // 1. The carry entering every step (the residuals), stacked in step-index order.
    let carries: Vec<Array> = if c == 0 {
        Vec::new()
    } else {
        let (p, extra) = trace_list(
            |v| {
                let mut outs = call.body.call(v)?;
                outs.truncate(c);
                outs.extend(v[k..k + c].iter().cloned());
                Ok(outs)
            },
            &body_types,
        )?;
        let mut operands = extra;
        operands.extend(consts.iter().cloned());
        let kk = operands.len();
        operands.extend(carry.iter().cloned());
        operands.extend(xs.iter().cloned());
        let res_call = ScanCall {
            body: SubProgram::new(p),
            consts: kk,
            carry: c,
            length: call.length,
            reverse: call.reverse,
        };
        let mut outs = bind(Primitive::Scan(res_call), &operands)?;
        outs.split_off(c)
    };
    // 2. The reverse scan.
    let const_diff: Vec<bool> = consts.iter().map(|a| differentiable(a.dtype())).collect();
    let carry_diff: Vec<bool> = carry.iter().map(|a| differentiable(a.dtype())).collect();
    let xs_diff: Vec<bool> = xs.iter().map(|a| differentiable(a.dtype())).collect();
    let y_given: Vec<bool> = ys_ct.iter().map(Option::is_some).collect();
    let ys_given: Vec<Array> = ys_ct.iter().flatten().cloned().collect();
    let acc0: Vec<Array> = pick(consts, &const_diff).iter().map(zeros_like).collect();
    let ct0 = instantiate(carry, carry_ct, &carry_diff);
    let (na, nk) = (acc0.len(), ct0.len());
    // Step inputs: consts | acc, carry ct | carry_i, x_i, y ct_i.
    let mut types = types_of(consts);
    types.extend(types_of(&acc0));
    types.extend(types_of(&ct0));
    types.extend(body_types[k..].iter().cloned());
    types.extend(
        ys_given
            .iter()
            .map(|y| crate::ir::ArrayType::new(y.dtype(), y.shape()[1..].to_vec())),
    );
    let nx = xs.len();
    let (p, extra) = trace_list(
        |v| {
            let (consts_v, rest) = v.split_at(k);
            let (acc, rest) = rest.split_at(na);
            let (carry_ct_v, rest) = rest.split_at(nk);
            let (carry_v, rest) = rest.split_at(c);
            let (x_v, y_ct_v) = rest.split_at(nx);
            let mut primals = consts_v.to_vec();
            primals.extend(carry_v.iter().cloned());
            primals.extend(x_v.iter().cloned());
            let env = forward(&call.body, &primals)?;
            let mut out_cts = spread(carry_ct_v.to_vec(), &carry_diff);
            out_cts.extend(spread(y_ct_v.to_vec(), &y_given));
            let in_cts = backward(&call.body, &env, &out_cts)?;
            let (c_consts, rest) = in_cts.split_at(k);
            let (c_carry, c_xs) = rest.split_at(c);
            let mut out: Vec<Array> = acc
                .iter()
                .zip(instantiate(consts_v, c_consts, &const_diff))
                .map(|(a, d)| add(a, &d))
                .collect();
            out.extend(instantiate(carry_v, c_carry, &carry_diff));
            out.extend(instantiate(x_v, c_xs, &xs_diff));
            first_error(&out)?;
            Ok(out)
        },
        &types,
    )?;
    let mut operands = extra;
    operands.extend(consts.iter().cloned());
    let kk = operands.len();
    operands.extend(acc0);
    operands.extend(ct0);
    operands.extend(carries);
    operands.extend(xs.iter().cloned());
    operands.extend(ys_given);
    let back = ScanCall {
        body: SubProgram::new(p),
        consts: kk,
        carry: na + nk,
        length: call.length,
        reverse: !call.reverse,
    };
    let refs: Vec<&Array> = operands.iter().collect();
    let outs = apply_primitive(Primitive::Scan(back), &refs);
    first_error(&outs)?;
    let mut outs = outs.into_iter();
    let acc: Vec<Array> = outs.by_ref().take(na).collect();
    let init_ct: Vec<Array> = outs.by_ref().take(nk).collect();
    let xs_ct: Vec<Array> = outs.collect();
    let mut result = spread(acc, &const_diff);
    result.extend(spread(init_ct, &carry_diff));
    result.extend(spread(xs_ct, &xs_diff));
    Ok(result)
}
