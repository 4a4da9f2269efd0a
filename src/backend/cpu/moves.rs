//! Small layout chains resolved when a plan is built.
//!
//! Splitting a PRNG key and reading its words traces a dozen equations that only move a
//! few elements around (reshapes, a concatenation, slices). Each would be a plan step of
//! its own, a few hundred cycles for two elements. Here every small value computed only by
//! layout equations is traced back, element by element, to the values it was cut from:
//! the plan copies those elements directly ([`Moves`]) and skips the intermediate steps.
//! A value of one element that fused kernels read as a scalar needs no copy at all: the
//! kernels read that element where it lies (a one-element `View::Whole`), so a key split and the
//! draw that reads its words keep a single layout step, the new key.
//!
//! Where an element comes from is found by running the layout equation itself on
//! position codes instead of data (input `j`'s element `i` holds `j << 24 | i`), so every
//! layout primitive is covered by its own kernel, with no index arithmetic repeated here.

use super::eval_unchecked;
use super::plan::PlanStep;
use crate::array::{Buffer, DType};
use crate::ir::{ArrayType, Primitive, Program, Var};
use std::collections::{HashMap, HashSet};

/// Values with at most this many elements are resolved.
const MAX_MOVED: usize = 64;

/// Position codes hold the element index in their low bits and the operand below.
const INDEX_BITS: u32 = 24;

/// A small value copied element by element from the values it was cut from.
pub(super) struct Moves {
    /// The value defined.
    pub(super) output: Var,
    /// Its dtype.
    pub(super) dtype: DType,
    /// For each of its elements, the value and the element it copies.
    pub(super) sources: Vec<(Var, usize)>,
    /// The values read (each once).
    pub(super) reads: Vec<Var>,
}

impl Moves {
    /// Copies the elements from the buffers `value` finds for variables.
    pub(super) fn run<'b>(
        &self,
        value: impl Fn(Var) -> Option<&'b Buffer>,
    ) -> Result<Buffer, String> {
        macro_rules! gather {
            ($variant:ident) => {{
                let mut out = super::alloc(self.sources.len())?;
                for &(v, i) in &self.sources {
                    match value(v) {
                        Some(Buffer::$variant(b)) => {
                            out.push(*b.get(i).ok_or("a moved element is out of range")?)
                        }
                        _ => return Err("a moved element's value is missing".into()),
                    }
                }
                Buffer::$variant(out)
            }};
        }
        Ok(match self.dtype {
            DType::F32 => gather!(F32),
            DType::F64 => gather!(F64),
            DType::I32 => gather!(I32),
            DType::U32 => gather!(U32),
            DType::Bool => gather!(Bool),
        })
    }
}

/// Whether `prim` only moves elements of its operands (each output element is one
/// operand element).
fn is_layout(prim: &Primitive) -> bool {
    matches!(
        prim,
        Primitive::BroadcastInDim { .. }
            | Primitive::Reshape { .. }
            | Primitive::Transpose { .. }
            | Primitive::Slice { .. }
            | Primitive::Concatenate { .. }
            | Primitive::StopGradient
    )
}

/// Where each element of equation `k`'s output comes from, as (operand, element), or
/// `None` when the equation is not a small layout equation.
fn trace_elements(program: &Program, k: usize) -> Option<Vec<(usize, usize)>> {
    let eq = &program.equations[k];
    let out = program.var_type(*eq.outputs.first()?);
    if !is_layout(&eq.primitive) || eq.outputs.len() != 1 || out.size() > MAX_MOVED {
        return None;
    }
    if eq.inputs.len() >= 1 << (32 - INDEX_BITS) {
        return None;
    }
    let mut codes = Vec::with_capacity(eq.inputs.len());
    let mut types = Vec::with_capacity(eq.inputs.len());
    for (j, &v) in eq.inputs.iter().enumerate() {
        let ty = program.var_type(v);
        if ty.size() >= 1 << INDEX_BITS {
            return None;
        }
        let tag = (j as u32) << INDEX_BITS;
        codes.push(Buffer::U32(
            (0..ty.size() as u32).map(|i| tag | i).collect(),
        ));
        types.push(ArrayType::new(DType::U32, ty.shape.clone()));
    }
    let args: Vec<(&Buffer, &ArrayType)> = codes.iter().zip(&types).collect();
    let out_type = ArrayType::new(DType::U32, out.shape.clone());
    let mut traced = eval_unchecked(&eq.primitive, &args, std::slice::from_ref(&out_type)).ok()?;
    let Some(Buffer::U32(traced)) = traced.pop() else {
        return None;
    };
    let mask = (1u32 << INDEX_BITS) - 1;
    Some(
        traced
            .iter()
            .map(|&c| ((c >> INDEX_BITS) as usize, (c & mask) as usize))
            .collect(),
    )
}

/// Replaces the plan's small layout equations: each value among them that a later step
/// or the program's result reads becomes one [`PlanStep::Moves`] from the values it was
/// cut from; the others are dropped.
pub(super) fn resolve_moves(program: &Program, steps: Vec<PlanStep>) -> Vec<PlanStep> {
    // The sources of every small layout value, in terms of values that are not.
    let mut sources: HashMap<Var, Vec<(Var, usize)>> = HashMap::new();
    for step in &steps {
        let PlanStep::Equation(k) = *step else {
            continue;
        };
        let Some(elements) = trace_elements(program, k) else {
            continue;
        };
        let eq = &program.equations[k];
        let resolved: Option<Vec<(Var, usize)>> = elements
            .iter()
            .map(|&(j, i)| {
                let v = *eq.inputs.get(j)?;
                Some(match sources.get(&v) {
                    Some(s) => *s.get(i)?,
                    None => (v, i),
                })
            })
            .collect();
        if let Some(resolved) = resolved {
            sources.insert(eq.outputs[0], resolved);
        }
    }
    if sources.is_empty() {
        return steps;
    }
    // One-element values that kernels read as scalars are read in place (a key word
    // sliced out of a key, say): no step of their own.
    let cut = |v: Var| match sources.get(&v).map(Vec::as_slice) {
        Some(&[source]) => Some(source),
        _ => None,
    };
    let mut steps = steps;
    for step in &mut steps {
        match step {
            PlanStep::Fused {
                kernel,
                inputs,
                elements,
                ..
            } => {
                let whole = kernel.whole_inputs();
                for (i, (v, e)) in inputs.iter_mut().zip(elements.iter_mut()).enumerate() {
                    if e.is_none()
                        && whole.contains(&i)
                        && let Some((w, j)) = cut(*v)
                    {
                        (*v, *e) = (w, Some(j));
                    }
                }
            }
            PlanStep::Rows(r) => r.read_elements_in_place(cut),
            PlanStep::Equation(_) | PlanStep::Moves(_) => {}
        }
    }
    // The moved values something else reads.
    let mut needed: HashSet<Var> = program.outvars.iter().copied().collect();
    for step in &steps {
        match step {
            PlanStep::Equation(k) => {
                let eq = &program.equations[*k];
                if !eq.outputs.first().is_some_and(|o| sources.contains_key(o)) {
                    needed.extend(&eq.inputs);
                }
            }
            PlanStep::Moves(_) => {}
            PlanStep::Fused { inputs, .. } => needed.extend(inputs),
            PlanStep::Rows(r) => needed.extend(&r.reads),
        }
    }
    steps
        .into_iter()
        .filter_map(|step| {
            let PlanStep::Equation(k) = step else {
                return Some(step);
            };
            let Some((output, from)) = program.equations[k]
                .outputs
                .first()
                .and_then(|o| Some((*o, sources.get(o)?)))
            else {
                return Some(step);
            };
            if !needed.contains(&output) {
                return None;
            }
            let mut reads: Vec<Var> = Vec::new();
            for &(v, _) in from {
                if !reads.contains(&v) {
                    reads.push(v);
                }
            }
            Some(PlanStep::Moves(Moves {
                output,
                dtype: program.var_type(output).dtype,
                sources: from.clone(),
                reads,
            }))
        })
        .collect()
}
