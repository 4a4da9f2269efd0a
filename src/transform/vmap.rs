//! `vmap`: automatic batching of a function written for one example.
//!
//! `vmap(f)(xs)` traces `f` once on arguments shaped like ONE example, then runs the
//! traced program with every primitive replaced by its batching rule (see `batching.rs`):
//! each primitive is applied once to the whole batch. Under an outer trace the batched
//! primitives are recorded there, so `make_program(vmap(f), ..)` shows the batched program
//! and `vmap` composes with itself and with every other transform.

use super::batching::{Batched, apply_batched, batch_at, move_axis};
use super::tree_fn::TreeFn;
use crate::array::Array;
use crate::error::{Error, Loc, Result};
use crate::ir::{ArrayType, Program, shape_str};
use crate::trace::{Tree, TreeResult, trace_with_types};
use std::panic::Location;

/// Batch-axis positions for the arguments or the results of a vmapped function.
///
/// ```
/// use autobatch::Axes;
/// let all_first: Axes = 0.into();
/// let per_argument: Axes = [Some(0), None].into();
/// let unbatched: Axes = None.into();
/// # let _ = (all_first, per_argument, unbatched);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub enum Axes {
    /// The same axis (or `None`: not batched) for every leaf.
    All(Option<isize>),
    /// One entry per top-level argument (tuple element), applied to all its leaves.
    PerArg(Vec<Option<isize>>),
    /// One entry per leaf, in flattening order.
    PerLeaf(Vec<Option<isize>>),
}

impl From<i32> for Axes {
    fn from(a: i32) -> Axes {
        Axes::All(Some(a as isize))
    }
}
impl From<isize> for Axes {
    fn from(a: isize) -> Axes {
        Axes::All(Some(a))
    }
}
impl From<Option<i32>> for Axes {
    fn from(a: Option<i32>) -> Axes {
        Axes::All(a.map(|a| a as isize))
    }
}
impl<const N: usize> From<[Option<i32>; N]> for Axes {
    fn from(a: [Option<i32>; N]) -> Axes {
        Axes::PerArg(a.iter().map(|x| x.map(|x| x as isize)).collect())
    }
}
impl From<Vec<Option<i32>>> for Axes {
    fn from(a: Vec<Option<i32>>) -> Axes {
        Axes::PerArg(a.iter().map(|x| x.map(|x| x as isize)).collect())
    }
}

/// Options of [`vmap_with`]: where the batch axis is in each argument and each result,
/// and the batch size when no argument is batched.
///
/// ```
/// use autobatch::{vmap_with, Array, VmapOptions};
/// // Add a shared vector to every row, returning the batch along axis 1.
/// let f = vmap_with(
///     |(x, b): &(Array, Array)| x + b,
///     VmapOptions::new().in_axes([Some(0), None]).out_axes(1),
/// );
/// let out = f(&(Array::ones(&[4, 3]), Array::ones(&[3]))).unwrap();
/// assert_eq!(out.shape(), &[3, 4]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct VmapOptions {
    in_axes: Axes,
    out_axes: Axes,
    axis_size: Option<usize>,
}

impl Default for VmapOptions {
    fn default() -> Self {
        VmapOptions {
            in_axes: Axes::All(Some(0)),
            out_axes: Axes::All(Some(0)),
            axis_size: None,
        }
    }
}

impl VmapOptions {
    /// Batch axis 0 for every argument and result.
    ///
    /// ```
    /// let o = autobatch::VmapOptions::new();
    /// # let _ = o;
    /// ```
    pub fn new() -> VmapOptions {
        VmapOptions::default()
    }

    /// Where each argument carries its batch axis (`None`: shared by all examples).
    ///
    /// ```
    /// let o = autobatch::VmapOptions::new().in_axes([Some(1), None]);
    /// # let _ = o;
    /// ```
    pub fn in_axes(mut self, axes: impl Into<Axes>) -> VmapOptions {
        self.in_axes = axes.into();
        self
    }

    /// Where each result gets its batch axis (`None`: the result must not depend on
    /// the batch and is returned once).
    ///
    /// ```
    /// let o = autobatch::VmapOptions::new().out_axes(-1);
    /// # let _ = o;
    /// ```
    pub fn out_axes(mut self, axes: impl Into<Axes>) -> VmapOptions {
        self.out_axes = axes.into();
        self
    }

    /// The batch size, required when no argument is batched.
    ///
    /// ```
    /// use autobatch::{vmap_with, Array, VmapOptions};
    /// let f = vmap_with(|x: &Array| x * 2.0, VmapOptions::new().in_axes(None).axis_size(3));
    /// assert_eq!(f(&Array::ones(&[2])).unwrap().shape(), &[3, 2]);
    /// ```
    pub fn axis_size(mut self, n: usize) -> VmapOptions {
        self.axis_size = Some(n);
        self
    }
}

/// Batches `f` along axis 0 of every argument leaf; results get the batch along axis 0.
///
/// `f` is written for ONE example and takes one, two or three [`Tree`] arguments; the
/// batched function takes the same arguments with a batch axis. Errors (inconsistent batch sizes, an axis out of range, an op
/// failing inside `f`) come back as `Err`.
///
/// ```
/// use autobatch::{vmap, Array};
/// let w = Array::from_vec(vec![1.0f32, 2.0, 3.0], &[3]);
/// let score = |beta: &Array| w.dot(beta).exp();            // written for one beta
/// let batch = Array::ones(&[5, 3]);
/// let scores = vmap(score)(&batch).unwrap();             // five betas at once
/// assert_eq!(scores.shape(), &[5]);
/// ```
#[track_caller]
pub fn vmap<'a, M, F>(f: F) -> F::Spread<Result<<F::Out as TreeResult>::Tree>>
where
    F: TreeFn<'a, M>,
    F::Out: TreeResult,
    <F::Out as TreeResult>::Tree: 'a,
{
    vmap_with(f, VmapOptions::new())
}

/// [`vmap`] with explicit axes and batch size.
///
/// ```
/// use autobatch::{vmap_with, Array, VmapOptions};
/// // Pairwise products: batch x over axis 0, y over axis 1.
/// let f = vmap_with(|x: &Array, y: &Array| x * y, VmapOptions::new().in_axes([Some(0), Some(1)]));
/// let out = f(&Array::ones(&[4, 2]), &Array::ones(&[2, 4])).unwrap();
/// assert_eq!(out.shape(), &[4, 2]);
/// ```
#[track_caller]
pub fn vmap_with<'a, M, F>(
    f: F,
    options: VmapOptions,
) -> F::Spread<Result<<F::Out as TreeResult>::Tree>>
where
    F: TreeFn<'a, M>,
    F::Out: TreeResult,
    <F::Out as TreeResult>::Tree: 'a,
{
    let loc = Location::caller();
    F::spread(move |args: &F::Args| vmap_call(&|a: &F::Args| f.call_args(a), args, &options, loc))
}

fn vmap_error(message: impl Into<String>, loc: Loc) -> Error {
    Error::new("vmap", message, Some(loc))
}

/// Expands `axes` to one entry per leaf, given the leaves per top-level item.
fn per_leaf(axes: &Axes, counts: &[usize], what: &str, loc: Loc) -> Result<Vec<Option<isize>>> {
    let total: usize = counts.iter().sum();
    match axes {
        Axes::All(a) => Ok(vec![*a; total]),
        Axes::PerLeaf(v) if v.len() == total => Ok(v.clone()),
        Axes::PerLeaf(v) => Err(vmap_error(
            format!(
                "{what} has {} entries but there are {total} leaves",
                v.len()
            ),
            loc,
        )),
        Axes::PerArg(v) if v.len() == counts.len() => Ok(v
            .iter()
            .zip(counts)
            .flat_map(|(a, &c)| std::iter::repeat_n(*a, c))
            .collect()),
        Axes::PerArg(v) => Err(vmap_error(
            format!(
                "{what} has {} entries but there are {} {}",
                v.len(),
                counts.len(),
                if what == "in_axes" {
                    "arguments"
                } else {
                    "results"
                }
            ),
            loc,
        )),
    }
}

/// Which top-level item (argument or result) leaf `leaf` belongs to.
fn item_of(leaf: usize, counts: &[usize]) -> usize {
    let mut end = 0;
    for (i, &c) in counts.iter().enumerate() {
        end += c;
        if leaf < end {
            return i;
        }
    }
    counts.len().saturating_sub(1)
}

fn vmap_call<A: Tree, O: TreeResult>(
    f: &impl Fn(&A) -> O,
    args: &A,
    options: &VmapOptions,
    loc: Loc,
) -> Result<O::Tree> {
    let leaves = args.leaves();
    if let Some(e) = leaves.iter().find_map(|a| a.error_value()) {
        return Err(e.clone());
    }
    let counts = args.arg_leaf_counts();
    let axes = per_leaf(&options.in_axes, &counts, "in_axes", loc)?;

    // Normalize the axes and find the batch size.
    let mut batch: Option<(usize, usize, usize)> = options.axis_size.map(|n| (n, usize::MAX, 0));
    let mut bdims = Vec::with_capacity(leaves.len());
    for (k, (leaf, axis)) in leaves.iter().zip(&axes).enumerate() {
        let Some(axis) = *axis else {
            bdims.push(None);
            continue;
        };
        let rank = leaf.ndim() as isize;
        let arg = item_of(k, &counts);
        if axis < -rank || axis >= rank {
            return Err(vmap_error(
                format!(
                    "in_axes {axis} is out of range for argument {arg} of shape {}",
                    shape_str(leaf.shape())
                ),
                loc,
            ));
        }
        let axis = if axis < 0 { axis + rank } else { axis } as usize;
        let n = leaf.shape()[axis];
        match batch {
            None => batch = Some((n, arg, axis)),
            Some((m, first, first_axis)) if m != n => {
                let first_desc = if first == usize::MAX {
                    "axis_size is".to_string()
                } else {
                    format!("argument {first} has size {m} along axis {first_axis}")
                };
                return Err(vmap_error(
                    format!(
                        "inconsistent batch sizes: {first_desc}{}, argument {arg} has size {n} along axis {axis}",
                        if first == usize::MAX {
                            format!(" {m}")
                        } else {
                            String::new()
                        }
                    ),
                    loc,
                ));
            }
            _ => {}
        }
        bdims.push(Some(axis));
    }
    let Some((n, _, _)) = batch else {
        return Err(vmap_error(
            "no argument is batched (every in_axes entry is None); give axis_size",
            loc,
        ));
    };

    // Trace f on one example.
    let example_types: Vec<ArrayType> = leaves
        .iter()
        .zip(&bdims)
        .map(|(leaf, b)| {
            let mut t = leaf.array_type();
            if let Some(b) = b {
                t.shape.remove(*b);
            }
            t
        })
        .collect();
    let (program, template) = trace_with_types(f, args, &example_types)?;

    // Run it batched.
    let inputs: Vec<Batched> = leaves
        .into_iter()
        .zip(bdims)
        .map(|(v, b)| Batched::new(v, b))
        .collect();
    let outputs = run_batched(&program, inputs, n)?;

    // Place the batch axis of each result.
    let out_counts = template.arg_leaf_counts();
    let out_axes = per_leaf(&options.out_axes, &out_counts, "out_axes", loc)?;
    let mut results = Vec::with_capacity(outputs.len());
    for (k, (out, axis)) in outputs.into_iter().zip(out_axes).enumerate() {
        let value = match axis {
            None => {
                if out.bdim.is_some() {
                    return Err(vmap_error(
                        format!(
                            "result {} depends on the batch but its out_axes is None",
                            item_of(k, &out_counts)
                        ),
                        loc,
                    ));
                }
                out.value
            }
            Some(axis) => {
                let rank = out.value.ndim() + usize::from(out.bdim.is_none());
                let r = rank as isize;
                if axis < -r || axis >= r {
                    return Err(vmap_error(
                        format!(
                            "out_axes {axis} is out of range for result {} of rank {}",
                            item_of(k, &out_counts),
                            rank - 1
                        ),
                        loc,
                    ));
                }
                let axis = if axis < 0 { axis + r } else { axis } as usize;
                match out.bdim {
                    Some(b) => move_axis(&out.value, b, axis),
                    None => batch_at(&out, axis, n),
                }
            }
        };
        results.push(value.check()?);
    }
    Ok(template.rebuild(&mut results.into_iter()))
}

/// Evaluates `program` on batched inputs with batching rules; constants are unbatched.
pub(crate) fn run_batched(
    program: &Program,
    inputs: Vec<Batched>,
    n: usize,
) -> Result<Vec<Batched>> {
    let mut env: Vec<Option<Batched>> = vec![None; program.var_types.len()];
    for (v, c) in program.constvars.iter().zip(&program.consts) {
        env[v.index()] = Some(Batched::new(c.clone(), None));
    }
    for (v, x) in program.invars.iter().zip(inputs) {
        env[v.index()] = Some(x);
    }
    let missing = || Error::new("vmap", "the program uses an undefined variable", None);
    for eq in &program.equations {
        let args: Vec<Batched> = eq
            .inputs
            .iter()
            .map(|v| {
                env.get(v.index())
                    .and_then(|b| b.clone())
                    .ok_or_else(missing)
            })
            .collect::<Result<_>>()?;
        let outs = apply_batched(&eq.primitive, &args, n);
        if let Some(e) = outs.iter().find_map(|b| b.value.error_value()) {
            return Err(e.clone());
        }
        for (v, b) in eq.outputs.iter().zip(outs) {
            env[v.index()] = Some(b);
        }
    }
    program
        .outvars
        .iter()
        .map(|v| {
            env.get(v.index())
                .and_then(|b| b.clone())
                .ok_or_else(missing)
        })
        .collect()
}

/// The value of a batched output as an array with the batch axis at 0.
#[allow(dead_code)]
pub(crate) fn at_front(b: &Batched, n: usize) -> Array {
    batch_at(b, 0, n)
}
