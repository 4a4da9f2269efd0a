//! A compiled plan: a program whose types are all known ahead of time, scheduled into
//! single equations and fused kernels, run directly on buffers.
//!
//! `jit` builds one plan per signature. Running it skips everything the general path
//! (`bind`) does per op — type inference, trace bookkeeping, wrapping every intermediate
//! in an `Array` — runs each fused group of elementwise equations as one chunked kernel
//! ([`FusedKernel`]), and frees each intermediate buffer right after its last use. It is
//! used when every argument is concrete; under a trace `jit` replays the program instead.

use super::elementwise::Slice;
use super::fused::{FusedKernel, View};
use super::moves::{Moves, resolve_moves};
use super::rows::{RowRegion, form_regions};
use super::thread_slot::ThreadSlot;
use super::{Recycled, eval_unchecked};
use crate::array::{Array, Buffer};
use crate::compile::fusion::{Schedule, Step, schedule};
use crate::error::{Error, Result};
use crate::ir::{ArrayType, Primitive, Program, Var, output_types};
use std::borrow::Cow;

/// One step of a plan.
pub(super) enum PlanStep {
    /// An equation of the program, run by its kernel.
    Equation(usize),
    /// A fused group, with the variables it reads and defines. Where `elements[i]` is
    /// `Some(e)`, the kernel's input `i` is element `e` of `inputs[i]` (a one-element
    /// value read in place from the value it was cut from: see `moves`).
    Fused {
        kernel: FusedKernel,
        inputs: Vec<Var>,
        elements: Vec<Option<usize>>,
        outputs: Vec<Var>,
    },
    /// Steps split by rows between two threads.
    Rows(RowRegion),
    /// A small value copied element by element from the values it was cut from.
    Moves(Moves),
}

impl PlanStep {
    /// The variables the step reads and those it defines.
    pub(super) fn vars<'p>(&'p self, program: &'p Program) -> (&'p [Var], &'p [Var]) {
        match self {
            PlanStep::Equation(k) => (
                &program.equations[*k].inputs,
                &program.equations[*k].outputs,
            ),
            PlanStep::Fused {
                inputs, outputs, ..
            } => (inputs, outputs),
            PlanStep::Rows(r) => (&r.reads, &r.writes),
            PlanStep::Moves(m) => (&m.reads, std::slice::from_ref(&m.output)),
        }
    }
}

/// `Plan::last_step` of a variable no step reads.
const NEVER_READ: usize = usize::MAX - 1;

/// The plan of a program with constant inputs and outputs typed ahead of time.
pub(crate) struct Plan {
    program: Program,
    /// The output types of each equation.
    out_types: Vec<Vec<ArrayType>>,
    steps: Vec<PlanStep>,
    /// For each variable, the last step reading it (`usize::MAX`: kept to the end;
    /// [`NEVER_READ`]: not read).
    last_step: Vec<usize>,
    /// Each variable's slot in a run's environment: only the variables a run touches
    /// have one ([`UNUSED`] for the others, which a run never reads or writes), so the
    /// environment stays small: the notebook's whole-step program touches 45 of its 129
    /// variables, and filling the 129 empty slots, on cache lines the previous step's
    /// kernels had evicted, took 640 cycles a call (45: 150–170).
    slots: Vec<usize>,
    /// The constants the plan reads: their slots and their positions in the program's
    /// constants.
    constants: Vec<(usize, usize)>,
    /// How many slots a run's environment has.
    slot_count: usize,
    /// The memory of a run's environment, kept empty between runs (for the thread
    /// that runs the plan, without a lock: [`ThreadSlot`]).
    spare_env: ThreadSlot<Vec<Slot<'static>>>,
}

/// The slot of a variable no run touches.
const UNUSED: usize = usize::MAX;

/// A variable's value during a run: absent, borrowed (an input or a constant) or owned.
type Slot<'a> = Option<Cow<'a, Buffer>>;

/// Whether every element of `b` has the same bits.
fn is_uniform(b: &Buffer) -> bool {
    fn same<T: Copy, K: PartialEq>(v: &[T], key: impl Fn(T) -> K) -> bool {
        v.first()
            .is_none_or(|&f| v.iter().all(|&x| key(x) == key(f)))
    }
    match b {
        Buffer::F32(v) => same(v, f32::to_bits),
        Buffer::F64(v) => same(v, f64::to_bits),
        Buffer::I32(v) => same(v, |x| x),
        Buffer::U32(v) => same(v, |x| x),
        Buffer::Bool(v) => same(v, |x| x),
    }
}

impl Plan {
    /// A plan for `program`, or `None` if it cannot run without tracing (a constant that
    /// is not concrete).
    pub(crate) fn new(program: Program) -> Option<Plan> {
        if program.consts.iter().any(|c| !c.is_concrete()) {
            return None;
        }
        let mut out_types = Vec::with_capacity(program.equations.len());
        for eq in &program.equations {
            let ins: Vec<&ArrayType> = eq.inputs.iter().map(|&v| program.var_type(v)).collect();
            out_types.push(output_types(&eq.primitive, &ins).ok()?);
        }
        // Each constant is scanned once (data constants stop at their second element).
        let uniform_consts: std::collections::HashSet<Var> = program
            .constvars
            .iter()
            .zip(&program.consts)
            .filter(|(_, c)| c.buffer().is_some_and(is_uniform))
            .map(|(v, _)| *v)
            .collect();
        let uniform = |v: Var| uniform_consts.contains(&v);
        let Schedule { steps: scheduled } = schedule(&program);
        let mut steps = Vec::with_capacity(scheduled.len());
        for step in scheduled {
            match step {
                Step::Equation(k) => steps.push(PlanStep::Equation(k)),
                Step::Fused(g) => match FusedKernel::new(&program, &g, uniform) {
                    Ok(kernel) => steps.push(PlanStep::Fused {
                        kernel,
                        elements: vec![None; g.inputs.len()],
                        inputs: g.inputs,
                        outputs: g.outputs,
                    }),
                    // A group the kernel compiler declines runs equation by equation.
                    Err(_) => steps.extend(g.equations.into_iter().map(PlanStep::Equation)),
                },
            }
        }
        let steps = resolve_moves(&program, form_regions(&program, steps));
        let mut last_step = vec![NEVER_READ; program.var_types.len()];
        for (s, step) in steps.iter().enumerate() {
            for v in step.vars(&program).0 {
                last_step[v.index()] = s;
            }
        }
        for v in &program.outvars {
            last_step[v.index()] = usize::MAX;
        }
        // A slot of the environment for each variable a run touches, in first-use order.
        let mut slots = vec![UNUSED; program.var_types.len()];
        let mut used = 0;
        let mut touch = |v: &Var| {
            if slots[v.index()] == UNUSED {
                slots[v.index()] = used;
                used += 1;
            }
        };
        program.invars.iter().for_each(&mut touch);
        for step in &steps {
            let (reads, writes) = step.vars(&program);
            reads.iter().chain(writes).for_each(&mut touch);
        }
        program.outvars.iter().for_each(&mut touch);
        let constants = (program.constvars.iter().enumerate())
            .filter(|(_, v)| slots[v.index()] != UNUSED)
            .map(|(i, v)| (slots[v.index()], i))
            .collect();
        Some(Plan {
            program,
            out_types,
            steps,
            last_step,
            slots,
            constants,
            slot_count: used,
            spare_env: ThreadSlot::default(),
        })
    }

    /// One line per step: `equation <k>: <primitive>`, `kernel over <n> elements`,
    /// `rows <r> split at <m>: <steps>` for a row-split region, or `moves <n> elements`.
    pub(crate) fn describe(&self) -> String {
        let mut lines = Vec::new();
        for step in &self.steps {
            lines.push(match step {
                PlanStep::Equation(k) => {
                    format!(
                        "equation {k}: {}",
                        self.program.equations[*k].primitive.name()
                    )
                }
                PlanStep::Fused { kernel, .. } => {
                    format!("kernel over {} elements", kernel.elements())
                }
                PlanStep::Rows(r) => r.describe(),
                PlanStep::Moves(m) => format!("moves {} elements", m.sources.len()),
            });
        }
        lines.join("\n")
    }

    /// Runs the plan on concrete `inputs` whose types match the program's inputs.
    #[cfg(test)]
    pub(crate) fn run(&self, inputs: &[Array]) -> Result<Vec<Array>> {
        let p = &self.program;
        let mut outs = self.run_arrays(inputs)?;
        Ok(p.outvars
            .iter()
            .zip(outs.drain(..))
            .map(|(v, b)| Array::from_concrete(p.var_type(*v).clone(), b))
            .collect())
    }

    /// [`Plan::run`] giving the results' buffers.
    pub(crate) fn run_arrays(&self, inputs: &[Array]) -> Result<Recycled<Buffer>> {
        let p = &self.program;
        let fail = |m: String| Error::new("jit", m, None);
        if inputs.len() != p.invars.len() {
            return Err(fail(format!(
                "expected {} inputs, got {}",
                p.invars.len(),
                inputs.len()
            )));
        }
        let mut buffers = Recycled::with_capacity(inputs.len());
        for (v, a) in p.invars.iter().zip(inputs) {
            if a.type_ref() != p.var_type(*v) {
                return Err(fail(format!(
                    "input should be {}, got {}",
                    p.var_type(*v),
                    a.array_type()
                )));
            }
            let c = a
                .concrete()
                .ok_or_else(|| fail("an input is not concrete".into()))?;
            buffers.push(Cow::Borrowed(c.value()?));
        }
        self.run_buffers(buffers)
    }

    /// Runs the plan on buffers of the program's input types (checked by the caller).
    /// Owned inputs are recycled into the buffer pool once read for the last time.
    pub(crate) fn run_buffers(
        &self,
        mut inputs: Recycled<Cow<'_, Buffer>>,
    ) -> Result<Recycled<Buffer>> {
        let p = &self.program;
        let fail = |m: String| Error::new("jit", m, None);
        let mut env = self.take_env();
        let at = |v: &Var| self.slots[v.index()];
        for &(slot, i) in &self.constants {
            env[slot] = p.consts[i].buffer().map(Cow::Borrowed);
        }
        if inputs.len() != p.invars.len() {
            return Err(fail(format!(
                "expected {} inputs, got {}",
                p.invars.len(),
                inputs.len()
            )));
        }
        for (v, b) in p.invars.iter().zip(inputs.drain(..)) {
            env[at(v)] = Some(b);
        }
        // Inputs never read are released now.
        for v in &p.invars {
            if self.last_step[v.index()] == NEVER_READ
                && let Some(Cow::Owned(b)) = env[at(v)].take()
            {
                super::pool::give_buffer(b);
            }
        }
        let missing = || fail("a value is missing".into());
        for (s, step) in self.steps.iter().enumerate() {
            let (reads, writes, mut outs): (&[Var], &[Var], Recycled<Buffer>) = match step {
                PlanStep::Equation(k)
                    if matches!(
                        p.equations[*k].primitive,
                        Primitive::Reshape { .. } | Primitive::StopGradient
                    ) =>
                {
                    // The same elements in the same order: pass the buffer on (moved at
                    // its last read, else borrowed or copied).
                    let eq = &p.equations[*k];
                    let (x, y) = (eq.inputs[0], eq.outputs[0]);
                    let value = if self.last_step[x.index()] == s {
                        env[at(&x)].take()
                    } else {
                        env[at(&x)].clone()
                    };
                    env[at(&y)] = Some(value.ok_or_else(missing)?);
                    continue;
                }
                PlanStep::Equation(k) => {
                    let eq = &p.equations[*k];
                    let mut args: Recycled<(&Buffer, &ArrayType)> =
                        Recycled::with_capacity(eq.inputs.len());
                    for v in &eq.inputs {
                        let b = env[at(v)].as_deref().ok_or_else(missing)?;
                        args.push((b, p.var_type(*v)));
                    }
                    let outs = eval_unchecked(&eq.primitive, &args, &self.out_types[*k])
                        .map_err(|m| Error::new(eq.primitive.name(), m, None))?;
                    (&eq.inputs, &eq.outputs, outs)
                }
                PlanStep::Fused {
                    kernel,
                    inputs,
                    elements,
                    outputs,
                } => {
                    let mut args: Recycled<View<'_>> = Recycled::with_capacity(inputs.len());
                    for (v, e) in inputs.iter().zip(elements) {
                        let b = env[at(v)].as_deref().ok_or_else(missing)?;
                        let values = Slice::of(b);
                        args.push(View::Whole(match *e {
                            None => values,
                            Some(e) => values.element(e).map_err(fail)?,
                        }));
                    }
                    let outs = kernel.run(&args).map_err(fail)?;
                    (inputs, outputs, outs)
                }
                PlanStep::Rows(region) => {
                    let outs = region.run(&|v| env[at(&v)].as_deref()).map_err(fail)?;
                    (&region.reads, &region.writes, outs)
                }
                PlanStep::Moves(m) => {
                    let out = m.run(|v| env[at(&v)].as_deref()).map_err(fail)?;
                    let mut outs = Recycled::with_capacity(1);
                    outs.push(out);
                    (&m.reads, std::slice::from_ref(&m.output), outs)
                }
            };
            for v in reads {
                if self.last_step[v.index()] == s
                    && let Some(Cow::Owned(b)) = env[at(v)].take()
                {
                    super::pool::give_buffer(b);
                }
            }
            for (v, b) in writes.iter().zip(outs.drain(..)) {
                env[at(v)] = Some(Cow::Owned(b));
            }
        }
        // Each output is moved out of the environment; a variable returned twice is
        // cloned for all but its last position.
        let mut outs = Recycled::with_capacity(p.outvars.len());
        for (i, v) in p.outvars.iter().enumerate() {
            let slot = &mut env[at(v)];
            let b = if p.outvars[i + 1..].contains(v) {
                slot.clone()
            } else {
                slot.take()
            };
            let b = b.ok_or_else(|| fail("an output is missing".into()))?;
            outs.push(b.into_owned());
        }
        self.keep_env(env);
        Ok(outs)
    }

    /// An environment of empty slots, one per variable a run touches, in the kept memory
    /// if no other run holds it.
    fn take_env<'a>(&self) -> Vec<Slot<'a>> {
        let mut env: Vec<Slot<'a>> = self.spare_env.take().unwrap_or_default();
        env.resize(self.slot_count, None);
        env
    }

    /// Empties `env` (dropping what it still owns) and keeps its memory for the next run.
    fn keep_env(&self, mut env: Vec<Slot<'_>>) {
        env.clear();
        // An empty vector collected in place: the same memory, with the slots' lifetime
        // no longer tied to this run's inputs.
        let empty: Vec<Slot<'static>> = env.into_iter().map(|_| None).collect();
        self.spare_env.put(empty);
    }
}

#[cfg(test)]
mod tests {
    use super::{Plan, PlanStep};
    use crate::{Array, make_program};

    /// Whether each fused kernel of `p`'s plan sums logarithms as products.
    fn log_sums(p: &crate::ir::Program) -> Vec<bool> {
        let plan = Plan::new(p.clone()).expect("a program of concrete constants has a plan");
        (plan.steps.iter())
            .filter_map(|s| match s {
                PlanStep::Fused { kernel, .. } => Some(kernel.sums_logs_as_products()),
                _ => None,
            })
            .collect()
    }

    /// A row sum of logarithms read for nothing else runs as the logarithm of the row's
    /// product, and agrees with the eager sum of logarithms: closely on ordinary rows,
    /// exactly on rows with a zero (-inf), an infinity (+inf), a negative number or a
    /// NaN (NaN). Where the logarithms are also a result, they are computed one by one.
    #[test]
    fn row_sums_of_logarithms_run_as_products() {
        let mut v: Vec<f32> = (0..700)
            .map(|i| 0.3 + (i as f32 * 0.37).sin().abs() * 40.0)
            .collect();
        v[5] = 0.0;
        v[105] = f32::INFINITY;
        v[205] = -2.0;
        v[305] = f32::NAN;
        v[405] = -0.0;
        let x = Array::from_vec(v, &[7, 100]);
        let sums = |x: &Array| x.log().sum_axis(-1);
        let p = crate::jit_program(sums, &x).unwrap();
        assert_eq!(log_sums(&p), [true]);
        let plan = Plan::new(p).unwrap();
        let jitted = plan.run(std::slice::from_ref(&x)).unwrap()[0]
            .to_vec::<f32>()
            .unwrap();
        let eager = sums(&x).to_vec::<f32>().unwrap();
        assert_eq!(jitted[0], f32::NEG_INFINITY);
        assert_eq!(jitted[1], f32::INFINITY);
        assert!(jitted[2].is_nan() && jitted[3].is_nan());
        assert_eq!(jitted[4], f32::NEG_INFINITY);
        for (j, e) in jitted[5..].iter().zip(&eager[5..]) {
            assert!((j - e).abs() <= 1e-5 * e.abs().max(1.0), "{j} vs {e}");
        }
        let both = crate::jit_program(|x: &Array| (x.log().sum_axis(-1), x.log()), &x).unwrap();
        assert_eq!(log_sums(&both), [false]);
    }

    /// `sum(log(1 + x))` takes the 1 into the sum (the addition's pass gone, or moved
    /// after it where the sum of one is read too) with the bits of the sum of the
    /// logarithms of the added values.
    #[test]
    fn an_added_scalar_folds_into_a_row_sum_of_logarithms() {
        let v: Vec<f32> = (0..700).map(|i| (i as f32 * 0.37).sin() * 3.0).collect();
        let x = Array::from_vec(v, &[7, 100]);
        let run = |p: &crate::ir::Program, a: &Array| {
            let plan = Plan::new(p.clone()).unwrap();
            plan.run(std::slice::from_ref(a)).unwrap()[0]
                .to_vec::<f32>()
                .unwrap()
        };
        let offset =
            crate::jit_program(|x: &Array| (x.exp() + 1.0).log().sum_axis(-1), &x).unwrap();
        let added = (x.exp() + 1.0).check().unwrap();
        let plain = crate::jit_program(|y: &Array| y.log().sum_axis(-1), &added).unwrap();
        assert_eq!(log_sums(&offset), [true]);
        assert_eq!(run(&offset, &x), run(&plain, &added));
        let read_too = |x: &Array| {
            let y = x.exp() + 1.0;
            (y.log().sum_axis(-1), (x.exp() / &y).sum_axis(-1))
        };
        let p = crate::jit_program(read_too, &x).unwrap();
        let plan = Plan::new(p).unwrap();
        let out = plan.run(std::slice::from_ref(&x)).unwrap();
        assert_eq!(out[0].to_vec::<f32>().unwrap(), run(&plain, &added));
        let (sums, eager) = (
            out[1].to_vec::<f32>().unwrap(),
            read_too(&x).1.to_vec::<f32>().unwrap(),
        );
        assert_eq!(sums, eager);
    }

    /// A run leaves its environment's memory for the next (one slot per variable, all
    /// empty), and the next run uses that same memory and gives the same values.
    #[test]
    fn runs_reuse_one_environment() {
        let x = Array::from_vec(vec![0.5f32, 1.0, 2.0], &[3]);
        let p = make_program(|x: &Array| ((x * 2.0).exp() + 1.0).log().sum(), &x).unwrap();
        let plan = Plan::new(p.clone()).expect("a program of concrete constants has a plan");
        let first = plan.run(std::slice::from_ref(&x)).unwrap()[0].to_vec::<f32>();
        let kept = plan
            .spare_env
            .take()
            .expect("the first run keeps its environment");
        let (ptr, capacity, len) = (kept.as_ptr(), kept.capacity(), kept.len());
        plan.spare_env.put(kept);
        assert_eq!(len, 0);
        assert!(capacity >= plan.slot_count, "{capacity} slots kept");
        assert!(plan.slot_count <= p.var_types.len());
        let second = plan.run(std::slice::from_ref(&x)).unwrap()[0].to_vec::<f32>();
        let kept = plan
            .spare_env
            .take()
            .expect("the second run keeps it again");
        assert_eq!(kept.as_ptr(), ptr);
        assert_eq!(first.unwrap(), second.unwrap());
    }
}
