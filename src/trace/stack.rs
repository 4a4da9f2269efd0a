//! The thread-local stack of active traces, and `bind`: how every op runs.
//!
//! An op whose operands include traced arrays records one equation into the innermost
//! trace among them (the one with the highest id: traces pushed later are nested deeper).
//! Concrete operands of that op become constants of the trace; operands that belong to
//! an OUTER trace become captured constants too (closure conversion), so the inner
//! program stays closed. With no traced operand the op runs eagerly on the CPU backend.

use crate::array::{Array, Buffer, Repr};
use crate::error::{Error, Loc, Result};
use crate::ir::{ArrayType, Equation, Primitive, Program, Var, output_types};
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A trace being recorded: the program under construction.
struct TraceBuilder {
    id: u64,
    var_types: Vec<ArrayType>,
    constvars: Vec<Var>,
    consts: Vec<Array>,
    const_index: HashMap<ConstKey, Var>,
    invars: Vec<Var>,
    equations: Vec<Equation>,
}

/// Identifies a value already captured as a constant, so it is captured once.
#[derive(PartialEq, Eq, Hash)]
enum ConstKey {
    /// A concrete buffer, by address (the trace keeps the array alive, so the address is
    /// not reused while the trace exists).
    Concrete(usize),
    /// A variable of an outer trace.
    Outer(u64, Var),
}

thread_local! {
    static TRACES: RefCell<Vec<TraceBuilder>> = const { RefCell::new(Vec::new()) };
}

static NEXT_TRACE_ID: AtomicU64 = AtomicU64::new(1);

impl TraceBuilder {
    fn new_var(&mut self, ty: ArrayType) -> Var {
        let v = Var(self.var_types.len() as u32);
        self.var_types.push(ty);
        v
    }

    /// The variable standing for `a` in this trace, capturing it as a constant if it is
    /// concrete or belongs to an outer trace.
    fn var_for(&mut self, a: &Array) -> Var {
        let key = match &a.repr {
            Repr::Traced(t) if t.trace == self.id => return t.var,
            Repr::Traced(t) => ConstKey::Outer(t.trace, t.var),
            Repr::Concrete(c) => ConstKey::Concrete(Arc::as_ptr(c) as usize),
            Repr::Error(_) => unreachable!("error operands are handled before recording"),
        };
        if let Some(&v) = self.const_index.get(&key) {
            return v;
        }
        let v = self.new_var(a.array_type());
        self.constvars.push(v);
        self.consts.push(a.clone());
        self.const_index.insert(key, v);
        v
    }
}

/// A trace pushed on this thread's stack; popped when finished or dropped (also when the
/// traced function panics).
pub(crate) struct TraceGuard {
    id: u64,
    // Traces are thread-local: keep the guard on its thread.
    _not_send: std::marker::PhantomData<*const ()>,
}

impl TraceGuard {
    /// Pushes a new, innermost trace.
    pub(crate) fn push() -> TraceGuard {
        let id = NEXT_TRACE_ID.fetch_add(1, Ordering::Relaxed);
        TRACES.with(|t| {
            t.borrow_mut().push(TraceBuilder {
                id,
                var_types: Vec::new(),
                constvars: Vec::new(),
                consts: Vec::new(),
                const_index: HashMap::new(),
                invars: Vec::new(),
                equations: Vec::new(),
            })
        });
        TraceGuard {
            id,
            _not_send: std::marker::PhantomData,
        }
    }

    /// A new explicit input of this trace.
    pub(crate) fn new_input(&self, ty: ArrayType) -> Array {
        let var = with_builder(self.id, |b| {
            let v = b.new_var(ty.clone());
            b.invars.push(v);
            v
        })
        .expect("a trace guard's trace is on the stack until the guard is consumed");
        Array::from_tracer(self.id, var, ty)
    }

    /// Pops the trace and returns its program with `outputs` as results. An error array
    /// among the outputs is returned as `Err`.
    pub(crate) fn finish(self, outputs: &[Array]) -> Result<Program> {
        if let Some(e) = outputs.iter().find_map(|a| a.error_value()) {
            return Err(e.clone());
        }
        for a in outputs {
            check_alive(a)?;
        }
        let outvars = with_builder(self.id, |b| outputs.iter().map(|a| b.var_for(a)).collect())
            .expect("a trace guard's trace is on the stack until the guard is consumed");
        let b = self.pop();
        Ok(Program {
            var_types: b.var_types,
            constvars: b.constvars,
            consts: b.consts,
            invars: b.invars,
            equations: b.equations,
            outvars,
        })
    }

    fn pop(&self) -> TraceBuilder {
        TRACES.with(|t| {
            let mut stack = t.borrow_mut();
            let pos = stack
                .iter()
                .rposition(|b| b.id == self.id)
                .expect("a trace guard's trace is on the stack until the guard is consumed");
            stack.remove(pos)
        })
    }
}

impl Drop for TraceGuard {
    fn drop(&mut self) {
        // `finish` already popped; otherwise (an early return or a panic) pop now.
        let _ = TRACES.try_with(|t| {
            if let Ok(mut stack) = t.try_borrow_mut()
                && let Some(pos) = stack.iter().rposition(|b| b.id == self.id)
            {
                stack.remove(pos);
            }
        });
    }
}

fn with_builder<R>(id: u64, f: impl FnOnce(&mut TraceBuilder) -> R) -> Option<R> {
    TRACES.with(|t| {
        let mut stack = t.borrow_mut();
        stack.iter_mut().rev().find(|b| b.id == id).map(f)
    })
}

fn is_active(id: u64) -> bool {
    TRACES.with(|t| t.borrow().iter().any(|b| b.id == id))
}

/// `Err` if `a` is a tracer whose trace has ended (a value leaked out of a transform).
fn check_alive(a: &Array) -> Result<()> {
    if let Repr::Traced(t) = &a.repr
        && !is_active(t.trace)
    {
        return Err(Error::new(
            "trace",
            format!(
                "a traced {} escaped the transform that created it: values computed inside \
                 make_program/vmap/grad/jit can be used only inside it, or returned from it",
                t.ty
            ),
            None,
        ));
    }
    Ok(())
}

/// Applies `prim` to `inputs`: propagates errors, checks types, then evaluates eagerly or
/// records an equation in the innermost trace among the operands.
pub(crate) fn bind(prim: Primitive, inputs: &[&Array], loc: Loc) -> Vec<Array> {
    bind_within(prim, inputs, &[], loc)
}

/// Like [`bind`], but the op is recorded into the innermost trace among `inputs` AND
/// `context` (arrays that are not operands). The API uses this to record, say, the
/// broadcast of a constant scalar into the trace of the traced operand it meets, instead
/// of materializing a broadcast constant at trace time.
pub(crate) fn bind_within(
    prim: Primitive,
    inputs: &[&Array],
    context: &[&Array],
    loc: Loc,
) -> Vec<Array> {
    let n_out = prim.num_outputs();
    let fail = |e: Error| vec![Array::from_error(e); n_out];
    if let Some(e) = inputs.iter().find_map(|a| a.error_value()) {
        return fail(e.clone());
    }
    let types: Vec<&ArrayType> = inputs.iter().map(|a| a.type_ref()).collect();
    let out_types = match output_types(&prim, &types) {
        Ok(t) => t,
        Err(msg) => return fail(Error::new(prim.name(), msg, Some(loc))),
    };
    let mut innermost = None;
    for a in inputs.iter().chain(context) {
        if let Repr::Traced(t) = &a.repr {
            if let Err(mut e) = check_alive(a) {
                e = Error::new(prim.name(), e.message(), Some(loc));
                return fail(e);
            }
            innermost = innermost.max(Some(t.trace));
        }
    }
    match innermost {
        None => {
            let mut concretes: Vec<(&Buffer, &ArrayType)> = Vec::with_capacity(inputs.len());
            for a in inputs {
                let c = a.concrete().expect("no operand is traced or an error");
                // A deferred result is computed here; its computation's error is the op's.
                match c.value() {
                    Ok(buffer) => concretes.push((buffer, &c.ty)),
                    Err(e) => return fail(e),
                }
            }
            // `out_types` was just computed from these operands by the shape rule, and each
            // concrete array's buffer matches its type by construction.
            match crate::backend::cpu::eval_unchecked(&prim, &concretes, &out_types) {
                Ok(mut buffers) => buffers
                    .drain(..)
                    .zip(out_types)
                    .map(|(b, t)| Array::from_concrete(t, b))
                    .collect(),
                Err(msg) => fail(Error::new(prim.name(), msg, Some(loc))),
            }
        }
        Some(id) => with_builder(id, |b| {
            let ins = inputs.iter().map(|a| b.var_for(a)).collect();
            let outs: Vec<Var> = out_types.iter().map(|t| b.new_var(t.clone())).collect();
            b.equations.push(Equation {
                primitive: prim.clone(),
                inputs: ins,
                outputs: outs.clone(),
            });
            outs.into_iter()
                .zip(out_types)
                .map(|(v, t)| Array::from_tracer(id, v, t))
                .collect()
        })
        .expect("the innermost trace was checked to be active"),
    }
}
