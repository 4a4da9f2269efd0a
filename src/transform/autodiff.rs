//! Automatic differentiation: `jvp`, `vjp`, `grad`, `value_and_grad`, `jacfwd`, `jacrev`,
//! `hessian`.
//!
//! Each traces the function into a program, then interprets it with the per-primitive
//! rules of `jvp_rules.rs` (forward mode) or `vjp_rules.rs` (reverse mode: a forward pass
//! that keeps every value, then a backward pass over the equations in reverse). The rules
//! are written with primitives, so they are themselves differentiable, batchable and
//! traceable: `grad(grad(f))`, `vmap(grad(f))` and `grad(vmap(f))` need no special cases.
//! A function that closes over a traced value of an outer transform sees it as a
//! constant (it is captured, not differentiated), so nested derivatives do not confuse
//! their perturbations.

use super::ad_util::{accumulate, differentiable, zeros_like};
use super::jvp_rules::jvp_rule;
use super::tree_fn::TreeFn;
use super::vjp_rules::vjp_rule;
use crate::array::{Array, lax};
use crate::compile::dce;
use crate::error::{Error, Loc, Result};
use crate::ir::{ArrayType, Program};
use crate::trace::{Tree, TreeResult, trace_with_types};
use std::panic::Location;

fn ad_error(op: &str, message: impl Into<String>, loc: Loc) -> Error {
    Error::new(op, message, Some(loc))
}

fn leaves_checked<A: Tree>(args: &A) -> Result<Vec<Array>> {
    let leaves = args.leaves();
    if let Some(e) = leaves.iter().find_map(|a| a.error_value()) {
        return Err(e.clone());
    }
    Ok(leaves)
}

fn types_of(leaves: &[Array]) -> Vec<ArrayType> {
    leaves.iter().map(|a| a.array_type()).collect()
}

/// Runs `program` forward with tangents. Returns outputs and their tangents (`None`: zero).
pub(crate) fn jvp_program(
    program: &Program,
    primals: &[Array],
    tangents: &[Option<Array>],
) -> Result<(Vec<Array>, Vec<Option<Array>>)> {
    let mut env: Vec<Option<(Array, Option<Array>)>> = vec![None; program.var_types.len()];
    for (v, c) in program.constvars.iter().zip(&program.consts) {
        env[v.index()] = Some((c.clone(), None));
    }
    for ((v, p), t) in program.invars.iter().zip(primals).zip(tangents) {
        env[v.index()] = Some((p.clone(), t.clone()));
    }
    let missing = || Error::new("jvp", "the program uses an undefined variable", None);
    for eq in &program.equations {
        let mut ps = Vec::with_capacity(eq.inputs.len());
        let mut ts = Vec::with_capacity(eq.inputs.len());
        for v in &eq.inputs {
            let (p, t) = env
                .get(v.index())
                .and_then(|e| e.clone())
                .ok_or_else(missing)?;
            ps.push(p);
            ts.push(t);
        }
        let (outs, out_ts) = jvp_rule(&eq.primitive, &ps, &ts);
        if let Some(e) = outs
            .iter()
            .chain(out_ts.iter().flatten())
            .find_map(|a| a.error_value())
        {
            return Err(e.clone());
        }
        for ((v, p), t) in eq.outputs.iter().zip(outs).zip(out_ts) {
            env[v.index()] = Some((p, t));
        }
    }
    let mut outs = Vec::new();
    let mut tans = Vec::new();
    for v in &program.outvars {
        let (p, t) = env
            .get(v.index())
            .and_then(|e| e.clone())
            .ok_or_else(missing)?;
        outs.push(p);
        tans.push(t);
    }
    Ok((outs, tans))
}

/// Evaluates `program`, keeping every value (the residuals of the backward pass).
pub(crate) fn forward(program: &Program, inputs: &[Array]) -> Result<Vec<Option<Array>>> {
    let mut env: Vec<Option<Array>> = vec![None; program.var_types.len()];
    for (v, c) in program.constvars.iter().zip(&program.consts) {
        env[v.index()] = Some(c.clone());
    }
    for (v, x) in program.invars.iter().zip(inputs) {
        env[v.index()] = Some(x.clone());
    }
    let missing = || Error::new("vjp", "the program uses an undefined variable", None);
    for eq in &program.equations {
        let args: Vec<&Array> = eq
            .inputs
            .iter()
            .map(|v| {
                env.get(v.index())
                    .and_then(|a| a.as_ref())
                    .ok_or_else(missing)
            })
            .collect::<Result<_>>()?;
        let outs = crate::array::apply_primitive(eq.primitive.clone(), &args);
        if let Some(e) = outs.iter().find_map(|a| a.error_value()) {
            return Err(e.clone());
        }
        for (v, a) in eq.outputs.iter().zip(outs) {
            env[v.index()] = Some(a);
        }
    }
    Ok(env)
}

/// The backward pass: cotangents of the inputs (`None`: zero) given the outputs'.
pub(crate) fn backward(
    program: &Program,
    env: &[Option<Array>],
    out_cts: &[Option<Array>],
) -> Result<Vec<Option<Array>>> {
    let mut cts: Vec<Option<Array>> = vec![None; program.var_types.len()];
    for (v, ct) in program.outvars.iter().zip(out_cts) {
        if let Some(ct) = ct {
            accumulate(&mut cts[v.index()], ct.clone());
        }
    }
    let missing = || Error::new("vjp", "the program uses an undefined variable", None);
    for eq in program.equations.iter().rev() {
        let out_cts: Vec<Option<Array>> =
            eq.outputs.iter().map(|v| cts[v.index()].take()).collect();
        if out_cts.iter().all(Option::is_none) {
            continue;
        }
        let xs: Vec<Array> = eq
            .inputs
            .iter()
            .map(|v| {
                env.get(v.index())
                    .and_then(|a| a.clone())
                    .ok_or_else(missing)
            })
            .collect::<Result<_>>()?;
        let ys: Vec<Array> = eq
            .outputs
            .iter()
            .map(|v| {
                env.get(v.index())
                    .and_then(|a| a.clone())
                    .ok_or_else(missing)
            })
            .collect::<Result<_>>()?;
        let in_cts = vjp_rule(&eq.primitive, &xs, &ys, &out_cts);
        for (v, ct) in eq.inputs.iter().zip(in_cts) {
            if let Some(ct) = ct {
                if let Some(e) = ct.error_value() {
                    return Err(e.clone());
                }
                if differentiable(program.var_type(*v).dtype) {
                    accumulate(&mut cts[v.index()], ct);
                }
            }
        }
    }
    Ok(program
        .invars
        .iter()
        .map(|v| cts[v.index()].take())
        .collect())
}

/// Forward-mode derivative: `f(primals)` and the directional derivative of `f` at
/// `primals` along `tangents` (a Tree like `primals`).
///
/// ```
/// use autobatch::{jvp, Array};
/// let x = Array::from_vec(vec![1.0f32, 2.0], &[2]);
/// let (y, dy) = jvp(|x: &Array| (x * x).sum(), &x, &Array::ones(&[2])).unwrap();
/// assert_eq!(y.item::<f32>().unwrap(), 5.0);
/// assert_eq!(dy.item::<f32>().unwrap(), 6.0);
/// ```
#[track_caller]
pub fn jvp<A: Tree, O: TreeResult>(
    f: impl Fn(&A) -> O,
    primals: &A,
    tangents: &A,
) -> Result<(O::Tree, O::Tree)> {
    let loc = Location::caller();
    let ps = leaves_checked(primals)?;
    let ts = leaves_checked(tangents)?;
    if ps.len() != ts.len() {
        return Err(ad_error(
            "jvp",
            format!(
                "primals have {} leaves but tangents have {}",
                ps.len(),
                ts.len()
            ),
            loc,
        ));
    }
    for (i, (p, t)) in ps.iter().zip(&ts).enumerate() {
        if p.type_ref() != t.type_ref() {
            return Err(ad_error(
                "jvp",
                format!(
                    "tangent leaf {i} is {} but its primal is {}",
                    t.array_type(),
                    p.array_type()
                ),
                loc,
            ));
        }
    }
    let (program, template) = trace_with_types(f, primals, &types_of(&ps))?;
    let tangents: Vec<Option<Array>> = ts
        .into_iter()
        .zip(&ps)
        .map(|(t, p)| differentiable(p.dtype()).then_some(t))
        .collect();
    let (outs, out_ts) = jvp_program(&program, &ps, &tangents)?;
    let out_ts: Vec<Array> = out_ts
        .into_iter()
        .zip(&outs)
        .map(|(t, o)| t.unwrap_or_else(|| zeros_like(o)))
        .collect();
    Ok((
        template.rebuild(&mut outs.into_iter()),
        template.rebuild(&mut out_ts.into_iter()),
    ))
}

/// The pullback returned by [`vjp`]: maps a cotangent of the outputs to one of the inputs.
///
/// ```
/// use autobatch::{vjp, Array};
/// let (y, pullback) = vjp(|x: &Array| x * 3.0, &Array::ones(&[2])).unwrap();
/// let g = pullback.call(&Array::ones(&[2])).unwrap();
/// assert_eq!(g.to_vec::<f32>().unwrap(), vec![3.0, 3.0]);
/// # let _ = y;
/// ```
pub struct Pullback<A, R> {
    program: Program,
    env: Vec<Option<Array>>,
    inputs_template: A,
    inputs: Vec<Array>,
    outputs_template: R,
    loc: Loc,
}

impl<A: Tree, R: Tree> Pullback<A, R> {
    /// The cotangent of the inputs for the cotangent `ct` of the outputs (a Tree like the
    /// outputs, with the same shapes and dtypes).
    ///
    /// ```
    /// use autobatch::{vjp, Array};
    /// let (_, pb) = vjp(|x: &Array| x.exp().sum(), &Array::zeros(&[3])).unwrap();
    /// assert_eq!(pb.call(&Array::scalar(2.0f32)).unwrap().to_vec::<f32>().unwrap(), vec![2.0; 3]);
    /// ```
    pub fn call(&self, ct: &R) -> Result<A> {
        let cts = leaves_checked(ct)?;
        let want = self.outputs_template.leaves();
        if cts.len() != want.len() {
            return Err(ad_error(
                "vjp",
                format!(
                    "the cotangent has {} leaves, the outputs {}",
                    cts.len(),
                    want.len()
                ),
                self.loc,
            ));
        }
        for (i, (c, o)) in cts.iter().zip(&want).enumerate() {
            if c.type_ref() != o.type_ref() {
                return Err(ad_error(
                    "vjp",
                    format!(
                        "cotangent leaf {i} is {} but the output is {}",
                        c.array_type(),
                        o.array_type()
                    ),
                    self.loc,
                ));
            }
        }
        let cts: Vec<Option<Array>> = cts
            .into_iter()
            .map(|c| differentiable(c.dtype()).then_some(c))
            .collect();
        let in_cts = backward(&self.program, &self.env, &cts)?;
        let grads: Vec<Array> = in_cts
            .into_iter()
            .zip(&self.inputs)
            .map(|(c, x)| c.unwrap_or_else(|| zeros_like(x)))
            .collect();
        Ok(self.inputs_template.rebuild(&mut grads.into_iter()))
    }
}

/// Reverse-mode derivative: `f(primals)` and a [`Pullback`] computing vector-Jacobian
/// products at `primals`.
///
/// ```
/// use autobatch::{vjp, Array};
/// let x = Array::from_vec(vec![1.0f32, 2.0], &[2]);
/// let (y, pb) = vjp(|x: &Array| x * x, &x).unwrap();
/// assert_eq!(pb.call(&Array::ones(&[2])).unwrap().to_vec::<f32>().unwrap(), vec![2.0, 4.0]);
/// # let _ = y;
/// ```
#[track_caller]
#[allow(clippy::type_complexity)] // the pair (outputs, pullback), both typed by the Trees
pub fn vjp<A: Tree + Clone, O: TreeResult>(
    f: impl Fn(&A) -> O,
    primals: &A,
) -> Result<(O::Tree, Pullback<A, O::Tree>)> {
    let loc = Location::caller();
    let xs = leaves_checked(primals)?;
    let (program, template) = trace_with_types(f, primals, &types_of(&xs))?;
    let env = forward(&program, &xs)?;
    let outs: Vec<Array> = program
        .outvars
        .iter()
        .map(|v| {
            env[v.index()]
                .clone()
                .ok_or_else(|| Error::new("vjp", "an output is undefined", Some(loc)))
        })
        .collect::<Result<_>>()?;
    let result = template.rebuild(&mut outs.into_iter());
    let outputs_template = result.rebuild(&mut result.leaves().into_iter());
    Ok((
        result,
        Pullback {
            program,
            env,
            inputs_template: primals.clone(),
            inputs: xs,
            outputs_template,
            loc,
        },
    ))
}

/// The value and gradient of a scalar function of one Tree argument, computed directly
/// (the traced forward and backward passes run on `args`).
fn value_and_grad_impl<A: Tree, Aux: Tree>(
    f: &impl Fn(&A) -> Result<(Array, Aux)>,
    args: &A,
    op: &str,
    loc: Loc,
) -> Result<((Array, Aux), A)> {
    let xs = leaves_checked(args)?;
    for (i, x) in xs.iter().enumerate() {
        if !differentiable(x.dtype()) {
            return Err(ad_error(
                op,
                format!(
                    "input leaf {i} has dtype {}; only float inputs can be differentiated \
                     (pass integer data as a non-differentiated argument)",
                    x.dtype()
                ),
                loc,
            ));
        }
    }
    let (program, template) = trace_with_types(|a: &A| f(a), args, &types_of(&xs))?;
    let out_t = program.var_type(program.outvars[0]).clone();
    if !out_t.dtype.is_float() || !out_t.shape.is_empty() {
        return Err(ad_error(
            op,
            format!("the function must return a float scalar, got {out_t}"),
            loc,
        ));
    }
    let env = forward(&program, &xs)?;
    let values: Vec<Array> = program
        .outvars
        .iter()
        .map(|v| {
            env[v.index()]
                .clone()
                .ok_or_else(|| Error::new(op, "an output is undefined", Some(loc)))
        })
        .collect::<Result<_>>()?;
    let mut out_cts: Vec<Option<Array>> = vec![None; values.len()];
    out_cts[0] = Some(super::ad_util::full_like(&values[0], 1.0));
    let in_cts = backward(&program, &env, &out_cts)?;
    let grads: Vec<Array> = in_cts
        .into_iter()
        .zip(&xs)
        .map(|(c, x)| c.unwrap_or_else(|| zeros_like(x)))
        .collect();
    Ok((
        template.rebuild(&mut values.into_iter()),
        args.rebuild(&mut grads.into_iter()),
    ))
}

/// Runs `compute` as one traced program with dead code removed, then evaluates it (or
/// records it into the enclosing trace): derivative programs carry no dead forward work.
fn run_simplified<A: Tree, R: Tree>(compute: impl Fn(&A) -> Result<R>, args: &A) -> Result<R> {
    let xs = leaves_checked(args)?;
    let (program, template) = trace_with_types(compute, args, &types_of(&xs))?;
    let outs = dce(&program).call(&xs)?;
    Ok(template.rebuild(&mut outs.into_iter()))
}

/// The gradient of a scalar-valued `f` with respect to its first argument (a whole
/// Tree: a tuple of parameters gets a tuple of gradients). Further arguments are not
/// differentiated.
///
/// ```
/// use autobatch::{grad, Array};
/// let df = grad(|x: &Array| (x * x).sum());
/// let g = df(&Array::from_vec(vec![1.0f32, -2.0], &[2])).unwrap();
/// assert_eq!(g.to_vec::<f32>().unwrap(), vec![2.0, -4.0]);
/// ```
#[track_caller]
pub fn grad<'a, M, F>(f: F) -> F::Spread<Result<F::First>>
where
    F: TreeFn<'a, M>,
    M: 'a,
    F::Out: TreeResult<Tree = Array>,
{
    differentiate(
        f,
        "grad",
        Location::caller(),
        |out| out.into_tree_result().map(|v| (v, ())),
        |(_, g)| g,
    )
}

/// The value and gradient of a scalar-valued `f` with respect to its first argument; a
/// tuple of parameters gets a tuple of gradients (Rust's `argnums=(0, 1)`).
///
/// ```
/// use autobatch::{value_and_grad, Array};
/// let elbo_like = |(a, b): &(Array, Array), eps: &Array| (a * b * eps).sum();
/// let f = value_and_grad(elbo_like);
/// let (v, (ga, gb)) = f(&(Array::ones(&[2]), Array::full(&[2], 3.0)), &Array::ones(&[2])).unwrap();
/// assert_eq!(v.item::<f32>().unwrap(), 6.0);
/// assert_eq!(ga.to_vec::<f32>().unwrap(), vec![3.0, 3.0]);
/// assert_eq!(gb.to_vec::<f32>().unwrap(), vec![1.0, 1.0]);
/// ```
#[track_caller]
pub fn value_and_grad<'a, M, F>(f: F) -> F::Spread<Result<(Array, F::First)>>
where
    F: TreeFn<'a, M>,
    M: 'a,
    F::Out: TreeResult<Tree = Array>,
{
    differentiate(
        f,
        "value_and_grad",
        Location::caller(),
        |out| out.into_tree_result().map(|v| (v, ())),
        |((v, ()), g)| (v, g),
    )
}

/// [`value_and_grad`] for a function returning `(value, aux)`: the auxiliary Tree is
/// returned as computed, not differentiated.
///
/// ```
/// use autobatch::{value_and_grad_with_aux, Array};
/// let f = value_and_grad_with_aux(|x: &Array| ((x * x).sum(), x.exp()));
/// let ((v, aux), g) = f(&Array::ones(&[2])).unwrap();
/// assert_eq!(v.item::<f32>().unwrap(), 2.0);
/// assert_eq!(g.to_vec::<f32>().unwrap(), vec![2.0, 2.0]);
/// # let _ = aux;
/// ```
#[track_caller]
#[allow(clippy::type_complexity)] // ((value, aux), gradient), spread to the caller's arity
pub fn value_and_grad_with_aux<'a, M, F, Aux>(f: F) -> F::Spread<Result<((Array, Aux), F::First)>>
where
    F: TreeFn<'a, M>,
    F::Out: TreeResult<Tree = (Array, Aux)>,
    M: 'a,
    Aux: Tree + 'a,
{
    differentiate(
        f,
        "value_and_grad",
        Location::caller(),
        TreeResult::into_tree_result,
        |result| result,
    )
}

/// The machinery of [`grad`] and its variants: `f` as a function of its first argument
/// (the others fixed at the call's values), its value split by `split` into `(value, aux)`,
/// differentiated in one simplified program; `finish` picks what the caller returns.
#[allow(clippy::type_complexity)] // ((value, aux), gradient) -> what the caller returns
fn differentiate<'a, M, F, Aux, X>(
    f: F,
    op: &'static str,
    loc: Loc,
    split: fn(F::Out) -> Result<(Array, Aux)>,
    finish: fn(((Array, Aux), F::First)) -> X,
) -> F::Spread<Result<X>>
where
    F: TreeFn<'a, M>,
    M: 'a,
    Aux: Tree + 'a,
    X: Tree + 'a,
{
    F::spread(move |args: &F::Args| {
        run_simplified(
            |a: &F::Args| {
                let g = |first: &F::First| split(f.call_args(&F::with_first(a, first.clone())));
                value_and_grad_impl(&g, F::first(a), op, loc).map(finish)
            },
            args,
        )
    })
}

/// The identity on values; derivatives do not flow through it.
///
/// ```
/// use autobatch::{grad, stop_gradient, Array};
/// let g = grad(|x: &Array| (x * stop_gradient(x)).sum())(&Array::full(&[1], 3.0)).unwrap();
/// assert_eq!(g.to_vec::<f32>().unwrap(), vec![3.0]);
/// ```
#[track_caller]
pub fn stop_gradient(x: &Array) -> Array {
    lax::stop_gradient(x)
}

/// The Jacobian of `f: Array -> Array` by forward mode (one JVP per input element, batched
/// with `vmap`). Shape: `f(x).shape ++ x.shape`.
///
/// ```
/// use autobatch::{jacfwd, Array};
/// let j = jacfwd(|x: &Array| x * 2.0)(&Array::ones(&[2])).unwrap();
/// assert_eq!(j.to_vec::<f32>().unwrap(), vec![2.0, 0.0, 0.0, 2.0]);
/// ```
#[track_caller]
pub fn jacfwd<O: TreeResult<Tree = Array>>(
    f: impl Fn(&Array) -> O,
) -> impl Fn(&Array) -> Result<Array> {
    let loc = Location::caller();
    move |x: &Array| {
        let x = float_input(x, "jacfwd", loc)?;
        let n = x.size();
        let basis = basis(&x, n);
        let columns = super::vmap::vmap(|t: &Array| {
            let t = lax::reshape(t, x.shape());
            jvp(&f, &x, &t).map(|(_, dy)| dy)
        })(&basis)?;
        // columns: [n, out...] -> [out..., in...]
        let out_rank = columns.ndim() - 1;
        let moved = super::batching::move_axis(&columns, 0, out_rank);
        let mut shape = columns.shape()[1..].to_vec();
        shape.extend_from_slice(x.shape());
        lax::reshape(&moved, &shape).check()
    }
}

/// The Jacobian of `f: Array -> Array` by reverse mode (one VJP per output element,
/// batched with `vmap`). Shape: `f(x).shape ++ x.shape`.
///
/// ```
/// use autobatch::{jacrev, Array};
/// let j = jacrev(|x: &Array| x.sum_axes(&[0], true) * x)(&Array::ones(&[2])).unwrap();
/// assert_eq!(j.to_vec::<f32>().unwrap(), vec![3.0, 1.0, 1.0, 3.0]);
/// ```
#[track_caller]
pub fn jacrev<O: TreeResult<Tree = Array>>(
    f: impl Fn(&Array) -> O,
) -> impl Fn(&Array) -> Result<Array> {
    let loc = Location::caller();
    move |x: &Array| {
        let x = float_input(x, "jacrev", loc)?;
        let (y, pullback) = vjp(&f, &x)?;
        let y = y.check()?;
        let m = y.size();
        let basis = basis(&y, m);
        let rows =
            super::vmap::vmap(|ct: &Array| pullback.call(&lax::reshape(ct, y.shape())))(&basis)?;
        let mut shape = y.shape().to_vec();
        shape.extend_from_slice(x.shape());
        lax::reshape(&rows, &shape).check()
    }
}

/// The Hessian of a scalar `f: Array -> Array` (forward over reverse). Shape:
/// `x.shape ++ x.shape`.
///
/// ```
/// use autobatch::{hessian, Array};
/// let h = hessian(|x: &Array| (x * x * x).sum())(&Array::from_vec(vec![1.0f32, 2.0], &[2])).unwrap();
/// assert_eq!(h.to_vec::<f32>().unwrap(), vec![6.0, 0.0, 0.0, 12.0]);
/// ```
#[track_caller]
pub fn hessian<'a, O: TreeResult<Tree = Array> + 'a>(
    f: impl Fn(&Array) -> O + 'a,
) -> impl Fn(&Array) -> Result<Array> + 'a {
    jacfwd(grad(f))
}

/// `x` itself if it is a float array; otherwise the error `op` reports.
fn float_input(x: &Array, op: &str, loc: Loc) -> Result<Array> {
    let x = x.check()?;
    if !differentiable(x.dtype()) {
        return Err(ad_error(
            op,
            format!(
                "the input has dtype {}; only floats can be differentiated",
                x.dtype()
            ),
            loc,
        ));
    }
    Ok(x)
}

/// `n` one-hot rows shaped `[n, size]` flattened from `like` (the identity), in its dtype.
fn basis(like: &Array, n: usize) -> Array {
    let i = lax::iota(crate::array::DType::I32, &[n, n], 0);
    let j = lax::iota(crate::array::DType::I32, &[n, n], 1);
    lax::convert(
        &lax::compare(crate::ir::CompareOp::Eq, &i, &j),
        like.dtype(),
    )
}
