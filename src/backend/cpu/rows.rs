//! Row-split regions: runs of plan steps over the same leading ("row") axis that two
//! threads execute side by side, each computing its part of the rows through every step
//! of the run, with one hand-off for the whole run.
//!
//! Splitting kernel by kernel hands every intermediate from one core's cache to the
//! other's and pays a hand-off per kernel; for the notebook's 12800-element kernels that
//! cost more than the second core saved. A batch of examples (`vmap`) is rows of
//! independent work: a fused kernel over `[rows, ...]` computes row `i` from row `i` of
//! its inputs, and a product `[rows, k] x [k, n]` computes row `i` from row `i` of its
//! left-hand side. So a region of such steps splits at a row (a little before the middle:
//! [`helper_rows`]), and each thread
//! reads only rows it wrote itself. Steps in between that do not fit (a reduction over
//! the rows, a small kernel) run after the region when nothing in it needs them.
//!
//! A step joins a region when it is
//! - a fused kernel whose outputs all lead with the region's row count, whose split
//!   row falls on a multiple of its granule, and whose inputs from inside the region
//!   are read element by element (not as broadcast patterns); or
//! - a `dot_general` of a `[rows, k]` float matrix contracted on its last axis with a
//!   matrix computed before the region.
//!
//! The split is at a row boundary the kernels' chunks and reductions respect, so each
//! element is computed by the same operations as without the split.

use super::Recycled;
use super::cache::{demote, prefetch};
use super::dot::matmul_rows;
use super::elementwise::{Out, Slice};
use super::fused::{FusedKernel, REGISTER_ALIGN, View, lead, set_len, spare, uninit, zeros};
use super::plan::PlanStep;
use super::scalar::{PAIRWISE_BLOCK, columns_head, columns_head_len, columns_split, columns_tail};
use super::simd::vectorized;
use super::thread_slot::ThreadSlot;
use super::worker::{BySide, on_helper};
use crate::array::{Buffer, DType};
use crate::ir::{Primitive, Program, ReduceOp, Var};
use std::collections::{HashMap, HashSet};
use std::thread::ThreadId;

/// Regions doing less work than this (elements of fused kernels plus a quarter of the
/// products' multiply-adds) run on one thread: the hand-off costs about a microsecond.
const MIN_WORK: usize = 1 << 15;

/// A value a region defines: its variable, dtype, length, and where the second thread's
/// part begins.
struct RegionValue {
    var: Var,
    dtype: DType,
    len: usize,
    split: usize,
    /// Read only inside the region: each thread keeps its part in a buffer of its own
    /// (from its own pool, so the memory stays in that core's cache from call to call).
    internal: bool,
}

/// Where a region step's operand comes from.
#[derive(Clone, Copy)]
enum Input {
    /// A value defined earlier in the region (an index into its values).
    Region(usize),
    /// A value computed before the region.
    External(Var),
    /// Element `.1` of a value computed before the region, read by a kernel as a
    /// one-element value (see [`RowRegion::read_elements_in_place`]).
    Element(Var, usize),
}

/// A step of a region.
enum RegionOp {
    Fused {
        kernel: Box<FusedKernel>,
        inputs: Vec<Input>,
        /// The region values it defines, in the kernel's output order.
        outputs: Vec<usize>,
        /// The element at which the second thread starts.
        mid: usize,
    },
    Dot {
        lhs: Input,
        /// Computed before the region (`accepts` checks it).
        rhs: Input,
        rhs_shape: Vec<usize>,
        rhs_contract: usize,
        /// The left-hand side's row length.
        k: usize,
        out: usize,
    },
    /// Column sums (a sum over the rows) of a region value: the thread with the first
    /// rows leaves the state of the summation after them, the other finishes it over
    /// its own rows after the join (see `scalar::columns_split`).
    ColumnSum {
        input: usize,
        /// Its index among the region's sums.
        out: usize,
    },
}

/// The values computed before a region, by variable (read from both threads).
pub(super) type Env<'a> = dyn Fn(Var) -> Option<&'a Buffer> + Sync + 'a;

/// A part's buffers for the internal values, with the thread that allocated them.
type KeptBuffers = (ThreadId, Vec<Buffer>);

/// A column sum a region computes: its variable, dtype and length.
struct RegionSum {
    var: Var,
    dtype: DType,
    cols: usize,
}

/// The buffers kept in `slot` if the calling thread allocated them (else they stay).
fn take_kept(slot: &ThreadSlot<KeptBuffers>) -> Option<Vec<Buffer>> {
    let me = super::worker::current_thread();
    match slot.take()? {
        (t, buffers) if t == me => Some(buffers),
        theirs => {
            slot.put(theirs);
            None
        }
    }
}

/// Keeps `buffers` (allocated by the calling thread) in `slot` for its next run, unless
/// another thread's are kept there (then they are freed here, by their allocator).
fn put_kept(slot: &ThreadSlot<KeptBuffers>, buffers: Vec<Buffer>) {
    slot.put((super::worker::current_thread(), buffers));
}

/// A run of steps split by rows between two threads.
pub(super) struct RowRegion {
    rows: usize,
    mid_row: usize,
    ops: Vec<RegionOp>,
    values: Vec<RegionValue>,
    sums: Vec<RegionSum>,
    /// Each part's buffers for the internal values (first part, second part), kept
    /// between runs with the thread that allocated them.
    kept: BySide<ThreadSlot<KeptBuffers>>,
    /// The column sums' summation states, kept between runs with the calling thread
    /// that allocated them.
    kept_heads: ThreadSlot<KeptBuffers>,
    /// The variables computed before the region that it reads.
    pub(super) reads: Vec<Var>,
    /// Those of `reads` that are the program's constants (never rewritten).
    constants: Vec<Var>,
    /// The variables it defines, in the order [`RowRegion::run`] returns them: the
    /// values read after the region, then the sums.
    pub(super) writes: Vec<Var>,
}

impl RowRegion {
    /// Reads one-element values cut out of others in place: each kernel input `v` that
    /// the kernel reads as a scalar and for which `cut(v)` gives `(w, e)` becomes
    /// element `e` of `w`, and the region's reads follow.
    pub(super) fn read_elements_in_place(&mut self, cut: impl Fn(Var) -> Option<(Var, usize)>) {
        for op in &mut self.ops {
            if let RegionOp::Fused { kernel, inputs, .. } = op {
                let whole = kernel.whole_inputs();
                for (i, input) in inputs.iter_mut().enumerate() {
                    if let Input::External(v) = *input
                        && whole.contains(&i)
                        && let Some((w, e)) = cut(v)
                    {
                        *input = Input::Element(w, e);
                    }
                }
            }
        }
        let mut reads: Vec<Var> = Vec::new();
        let mut read = |input: &Input| {
            if let Input::External(v) | Input::Element(v, _) = *input
                && !reads.contains(&v)
            {
                reads.push(v);
            }
        };
        for op in &self.ops {
            match op {
                RegionOp::Fused { inputs, .. } => inputs.iter().for_each(&mut read),
                RegionOp::Dot { lhs, rhs, .. } => [lhs, rhs].into_iter().for_each(&mut read),
                RegionOp::ColumnSum { .. } => {}
            }
        }
        self.reads = reads;
    }

    /// `rows <r> split at <m>: kernel over <n> elements, dot_general, ...`.
    pub(super) fn describe(&self) -> String {
        let ops: Vec<String> = self
            .ops
            .iter()
            .map(|op| match op {
                RegionOp::Fused { kernel, .. } => {
                    format!("kernel over {} elements", kernel.elements())
                }
                RegionOp::Dot { .. } => "dot_general".to_string(),
                RegionOp::ColumnSum { .. } => "reduce_sum".to_string(),
            })
            .collect();
        format!(
            "rows {} split at {}: {}",
            self.rows,
            self.mid_row,
            ops.join(", ")
        )
    }

    /// Runs the region on the plan's environment, returning the buffers of
    /// [`RowRegion::writes`].
    pub(super) fn run(&self, env: &Env<'_>) -> Result<Recycled<Buffer>, String> {
        // The values it reads, found here, side by side: the helper reads them from a
        // few lines this thread has just written instead of looking each up through
        // the plan's environment (each lookup a transfer between the cores, about
        // 400 cycles, one after the other).
        let mut inputs = Recycled::with_capacity(self.reads.len());
        for &v in &self.reads {
            inputs.push(Slice::of(env(v).ok_or("a region input is missing")?));
        }
        let inputs = &inputs[..];
        let mut buffers = Recycled::with_capacity(self.writes.len());
        for v in self.values.iter().filter(|v| !v.internal) {
            buffers.push(uninit(v.dtype, v.len)?);
        }
        let mut first_parts = Recycled::with_capacity(self.values.len());
        let mut second_parts = Recycled::with_capacity(self.values.len());
        let mut shared = buffers.iter_mut();
        for v in &self.values {
            if v.internal {
                first_parts.push(None);
                second_parts.push(None);
            } else {
                let b = shared.next().ok_or("a region output is missing")?;
                // Exactly each part (a pooled buffer may have room beyond `len`).
                let (a, c) = spare(b).split_at(v.split);
                let c = c.split_at(v.len - v.split).0;
                first_parts.push(Some(a));
                second_parts.push(Some(c));
            }
        }
        let mut heads = self.heads()?;
        // The helper takes the first rows and this thread the second, so that the
        // column sums finish here on rows this core wrote.
        let ((second, sums), first) = super::worker::join(
            || {
                (
                    self.run_second(&mut second_parts, inputs),
                    self.sum_buffers(),
                )
            },
            || self.run_first(&mut first_parts, &mut heads, inputs),
        );
        drop((first_parts, second_parts));
        let (own, (), sums) = (second?, first?, sums?);
        for (b, v) in buffers
            .iter_mut()
            .zip(self.values.iter().filter(|v| !v.internal))
        {
            // SAFETY: both parts succeeded, and each wrote every slot of its part of every
            // value (a fused kernel's chunks tile its range and each output has one writer
            // per chunk; a product writes its whole block).
            unsafe { set_len(b, v.len) };
        }
        let sums = self.finish_sums(&heads, &own, &buffers, sums);
        self.keep(true, own);
        put_kept(&self.kept_heads, heads);
        buffers.extend(sums?.drain(..));
        Ok(buffers)
    }

    /// The second half's rows through every step, returning its parts of the internal
    /// values (for the column sums to finish on; the caller recycles them).
    fn run_second(
        &self,
        shared: &mut [Option<Out<'_>>],
        inputs: &[Slice<'_>],
    ) -> Result<Vec<Buffer>, String> {
        let mut own = self.own_parts(true)?;
        let result = self.run_steps(true, shared, &mut own, &mut [], inputs);
        if result.is_ok() {
            // The caller returns them with `keep` after reading them.
            for (b, v) in own
                .iter_mut()
                .zip(self.values.iter().filter(|v| v.internal))
            {
                // SAFETY: every step succeeded, each writing all of this part of the
                // values it defines, after the buffer's lead.
                unsafe { set_len(b, lead(b) + v.len - v.split) };
            }
            return Ok(own);
        }
        self.keep(true, own);
        result.map(|()| Vec::new())
    }

    /// The first half's rows through every step, leaving the column sums' states in
    /// `heads`.
    fn run_first(
        &self,
        shared: &mut [Option<Out<'_>>],
        heads: &mut [Buffer],
        inputs: &[Slice<'_>],
    ) -> Result<(), String> {
        let mut own = self.own_parts(false)?;
        let result = self.run_steps(false, shared, &mut own, heads, inputs);
        self.keep(false, own);
        result
    }

    /// This thread's (empty) buffers for its part of the internal values (the second
    /// half's when `second`): those it used last time, or new ones allocated here, so
    /// that the memory stays in this core's cache from call to call.
    fn own_parts(&self, second: bool) -> Result<Vec<Buffer>, String> {
        if let Some(own) = take_kept(self.kept.side(usize::from(second))) {
            return Ok(own);
        }
        let mut own = Vec::new();
        for v in self.values.iter().filter(|v| v.internal) {
            let part = if second { v.len - v.split } else { v.split };
            // With room to start the part on a cache line ([`lead`]): full-width vector
            // loads and stores of an unaligned part each straddle two lines.
            let room = REGISTER_ALIGN / v.dtype.size_bytes().max(1);
            own.push(uninit(v.dtype, part + room)?);
        }
        Ok(own)
    }

    /// Keeps this thread's buffers of a part (emptied) for its next run, unless another
    /// thread's are kept (then they are freed here, by the thread that allocated them).
    fn keep(&self, second: bool, mut own: Vec<Buffer>) {
        for b in &mut own {
            crate::with_buffer!(b, v => v.clear());
        }
        put_kept(self.kept.side(usize::from(second)), own);
    }

    /// The column sums, from the first part's summation states and the second part's
    /// rows (in `own` for internal values, else in the region's output `buffers`).
    fn finish_sums(
        &self,
        heads: &[Buffer],
        own: &[Buffer],
        buffers: &[Buffer],
        mut sums: Recycled<Buffer>,
    ) -> Result<Recycled<Buffer>, String> {
        // The helper has just written every summation state: ask for all their lines
        // at once (each state read in turn waited about 400 cycles for its lines).
        for head in heads {
            prefetch(Slice::of(head).bytes());
        }
        for op in &self.ops {
            let RegionOp::ColumnSum { input, out } = *op else {
                continue;
            };
            let cols = self.sums.get(out).ok_or("a column sum is missing")?.cols;
            let v = &self.values[input];
            let position = |internal: bool| {
                self.values[..input]
                    .iter()
                    .filter(|w| w.internal == internal)
                    .count()
            };
            let rows: Slice<'_> = if v.internal {
                let part = own.get(position(true)).ok_or("a region part is missing")?;
                let at = lead(part);
                Slice::range(part, at..at + v.len - v.split)
            } else {
                let b = buffers
                    .get(position(false))
                    .ok_or("a region output is missing")?;
                Slice::range(b, v.split..v.len)
            };
            let head = heads
                .get(out)
                .ok_or("a column sum's first part is missing")?;
            let split = (self.rows, self.mid_row);
            match (head, rows, sums.get_mut(out)) {
                (Buffer::F32(h), Slice::F32(x), Some(Buffer::F32(o))) if o.len() == cols => {
                    vectorized(|| columns_tail(h, x, split, o))?
                }
                (Buffer::F64(h), Slice::F64(x), Some(Buffer::F64(o))) if o.len() == cols => {
                    vectorized(|| columns_tail(h, x, split, o))?
                }
                _ => return Err("a region column sum must be of floats".into()),
            }
        }
        Ok(sums)
    }

    /// The summation states the first part leaves for the column sums: those this
    /// thread used last time, or new ones (allocated here, by the calling thread, which
    /// frees them: memory one thread frees must not come from the other's allocator).
    fn heads(&self) -> Result<Vec<Buffer>, String> {
        if let Some(heads) = take_kept(&self.kept_heads) {
            return Ok(heads);
        }
        let mut heads = Vec::with_capacity(self.sums.len());
        for s in &self.sums {
            let n = columns_head_len(self.rows, s.cols);
            heads.push(Buffer::zeros(s.dtype, n).ok_or("cannot allocate a column sum")?);
        }
        Ok(heads)
    }

    /// Memory for the column sums' results, allocated by the calling thread while it
    /// waits for the helper (a first allocation after a region's work found the
    /// allocator's memory cold: about 340 cycles).
    fn sum_buffers(&self) -> Result<Recycled<Buffer>, String> {
        let mut sums = Recycled::with_capacity(self.sums.len());
        for s in &self.sums {
            sums.push(zeros(s.dtype, s.cols)?);
        }
        Ok(sums)
    }

    fn run_steps<'a, 's: 'a>(
        &self,
        second: bool,
        shared: &mut [Option<Out<'s>>],
        own: &'a mut [Buffer],
        heads: &mut [Buffer],
        inputs: &[Slice<'_>],
    ) -> Result<(), String> {
        let mut own = own.iter_mut();
        let mut outs: Recycled<Option<Out<'a>>> = Recycled::with_capacity(shared.len());
        // Taken out of the caller's list, which the caller frees (memory one thread
        // frees must not come from the other's allocator: that stalls on its lock).
        for (slot, v) in shared.iter_mut().map(Option::take).zip(&self.values) {
            outs.push(match slot {
                Some(o) => Some(o),
                None if v.internal => {
                    let part = if second { v.len - v.split } else { v.split };
                    own.next().map(|b| {
                        let at = lead(b);
                        spare(b).split_at(at).1.split_at(part).0
                    })
                }
                None => return Err("a region output part is missing".into()),
            });
        }
        // `inputs` holds the values of `reads`, in order.
        let external = |v: Var| -> Result<Slice<'_>, String> {
            let at = self.reads.iter().position(|&r| r == v);
            at.and_then(|i| inputs.get(i).copied())
                .ok_or_else(|| "a region input is missing".to_string())
        };
        let (row0, row1) = if second {
            (self.mid_row, self.rows)
        } else {
            (0, self.mid_row)
        };
        // The helper hands the rows it read of values computed outside the region back
        // to the shared cache as it goes: the thread that writes them next (the caller,
        // rewriting a pooled buffer at its next call: a draw of random numbers, say)
        // then does not wait for them to be taken from the helper's core line by line
        // (measured: the notebook sampler's draw 8.1k -> 7.6k cycles). Constants are
        // never rewritten, and stay where the helper reads them again.
        let hand_back = !second && on_helper();
        let mut done: Recycled<Option<Slice<'a>>> = Recycled::filled(self.values.len(), None);
        let offset = |j: usize| if second { self.values[j].split } else { 0 };
        for op in &self.ops {
            match op {
                RegionOp::Fused {
                    kernel,
                    inputs,
                    outputs,
                    mid,
                } => {
                    let mut views = Recycled::with_capacity(inputs.len());
                    for input in inputs {
                        views.push(match *input {
                            Input::Region(j) => View::Part {
                                slice: done[j].ok_or("a region value is not ready")?,
                                offset: offset(j),
                            },
                            Input::External(v) => View::Whole(external(v)?),
                            Input::Element(v, e) => View::Whole(external(v)?.element(e)?),
                        });
                    }
                    let mut mine = Recycled::with_capacity(outputs.len());
                    for &j in outputs {
                        mine.push(outs[j].take().ok_or("a region value is defined twice")?);
                    }
                    let range = if second {
                        *mid..kernel.elements()
                    } else {
                        0..*mid
                    };
                    kernel.run_range(&views, range.clone(), &mut mine)?;
                    if hand_back {
                        for (input, view) in inputs.iter().zip(&views) {
                            if let (&Input::External(v), View::Whole(x)) = (input, view)
                                && x.len() == kernel.elements()
                                && !self.constants.contains(&v)
                            {
                                demote(x.sub(range.clone()).bytes());
                            }
                        }
                    }
                    for (&j, o) in outputs.iter().zip(mine.drain(..)) {
                        // SAFETY: `run_range` succeeded, writing every slot of this part.
                        done[j] = Some(unsafe { o.assume_init() });
                    }
                }
                RegionOp::Dot {
                    lhs,
                    rhs,
                    rhs_shape,
                    rhs_contract,
                    k,
                    out,
                } => {
                    let a = match *lhs {
                        Input::Region(j) => done[j].ok_or("a region value is not ready")?,
                        Input::External(v) => external(v)?.sub(row0 * k..row1 * k),
                        Input::Element(..) => return Err("a product reads a whole matrix".into()),
                    };
                    let demote_lhs = hand_back
                        && matches!(*lhs, Input::External(v) if !self.constants.contains(&v));
                    let Input::External(rhs) = *rhs else {
                        return Err("a product's right-hand side is computed in its region".into());
                    };
                    let mut o = outs[*out].take().ok_or("a region value is defined twice")?;
                    matmul_rows(
                        a,
                        row1 - row0,
                        external(rhs)?,
                        rhs_shape,
                        *rhs_contract,
                        &mut o,
                    )?;
                    if demote_lhs {
                        demote(a.bytes());
                    }
                    // SAFETY: `matmul_rows` succeeded, writing every slot of this part.
                    done[*out] = Some(unsafe { o.assume_init() });
                }
                RegionOp::ColumnSum { input, out } => {
                    // The second part's rows are summed after the join.
                    if !second {
                        let x = done[*input].ok_or("a region value is not ready")?;
                        let state = heads
                            .get_mut(*out)
                            .ok_or("a column sum's state is missing")?;
                        match (x, state) {
                            (Slice::F32(x), Buffer::F32(h)) => {
                                vectorized(|| columns_head(x, (self.rows, self.mid_row), h))?
                            }
                            (Slice::F64(x), Buffer::F64(h)) => {
                                vectorized(|| columns_head(x, (self.rows, self.mid_row), h))?
                            }
                            _ => return Err("a region column sum must be of floats".into()),
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

/// What a step contributes to a region, before it is built.
enum Candidate {
    Fused {
        mid: usize,
    },
    Dot {
        rhs: Var,
        rhs_contract: usize,
        k: usize,
    },
    ColumnSum {
        input: Var,
        cols: usize,
    },
}

/// The region row count of `step` and how it splits, if it can join one.
fn candidate(program: &Program, step: &PlanStep, splits: &Splits) -> Option<(usize, Candidate)> {
    match step {
        PlanStep::Fused {
            kernel, outputs, ..
        } => {
            let rows = *program.var_type(*outputs.first()?).shape.first()?;
            if rows < 2
                || outputs
                    .iter()
                    .any(|&v| program.var_type(v).shape.first() != Some(&rows))
                || kernel.elements() % rows != 0
            {
                return None;
            }
            let mid = splits.helper_rows(rows) * (kernel.elements() / rows);
            (mid.is_multiple_of(kernel.granule()) && mid.is_multiple_of(kernel.row()))
                .then_some((rows, Candidate::Fused { mid }))
        }
        PlanStep::Equation(k)
            if matches!(
                &program.equations[*k].primitive,
                Primitive::Reduce { op: ReduceOp::Sum, axes } if axes[..] == [0]
            ) =>
        {
            let x = program.var_type(program.equations[*k].inputs[0]);
            let rows = *x.shape.first()?;
            let float = matches!(x.dtype, DType::F32 | DType::F64);
            (float && rows >= 2).then(|| {
                let cols = x.size() / rows;
                let input = program.equations[*k].inputs[0];
                (rows, Candidate::ColumnSum { input, cols })
            })
        }
        PlanStep::Equation(k) => {
            let eq = &program.equations[*k];
            let Primitive::DotGeneral {
                lhs_contract,
                rhs_contract,
                lhs_batch,
                ..
            } = &eq.primitive
            else {
                return None;
            };
            let (lt, rt) = (
                program.var_type(eq.inputs[0]),
                program.var_type(eq.inputs[1]),
            );
            let float = matches!(lt.dtype, DType::F32 | DType::F64);
            if !float
                || !lhs_batch.is_empty()
                || lt.shape.len() != 2
                || rt.shape.len() != 2
                || lhs_contract[..] != [1]
                || rhs_contract.len() != 1
                || lt.shape[0] < 2
            {
                return None;
            }
            Some((
                lt.shape[0],
                Candidate::Dot {
                    rhs: eq.inputs[1],
                    rhs_contract: rhs_contract[0],
                    k: lt.shape[1],
                },
            ))
        }
        PlanStep::Rows(_) | PlanStep::Moves(_) => None,
    }
}

/// A region being formed: its steps (with their positions) and the steps deferred past it.
#[derive(Default)]
struct Forming {
    rows: usize,
    members: Vec<(usize, PlanStep, Candidate)>,
    deferred: Vec<(usize, PlanStep)>,
    /// The values its steps define, in order (`internal` is decided at the end).
    values: Vec<RegionValue>,
    /// Their indices, by variable.
    index: HashMap<Var, usize>,
    deferred_vars: HashSet<Var>,
    sums: Vec<RegionSum>,
    work: usize,
}

impl Forming {
    /// Whether `step` (a candidate over `rows` rows) can join: it reads nothing deferred,
    /// and the region values it reads are read in the region's row layout.
    fn accepts(
        &self,
        program: &Program,
        step: &PlanStep,
        rows: usize,
        c: &Candidate,
        splits: &Splits,
    ) -> bool {
        if !self.members.is_empty() && rows != self.rows {
            return false;
        }
        let (reads, _) = step.vars(program);
        if reads.iter().any(|v| self.deferred_vars.contains(v)) {
            return false;
        }
        let mid_row = splits.helper_rows(rows);
        let value = |v: &Var| self.index.get(v).map(|&j| &self.values[j]);
        match (step, c) {
            (PlanStep::Fused { kernel, inputs, .. }, Candidate::Fused { mid }) => {
                let patterns = kernel.pattern_inputs();
                inputs.iter().enumerate().all(|(i, v)| match value(v) {
                    None => true,
                    Some(r) => {
                        !patterns.contains(&i) && r.len == kernel.elements() && r.split == *mid
                    }
                })
            }
            (PlanStep::Equation(k), Candidate::Dot { rhs, k: row, .. }) => {
                let lhs = program.equations[*k].inputs[0];
                value(rhs).is_none()
                    && value(&lhs).is_none_or(|r| r.len == rows * row && r.split == mid_row * row)
            }
            // Only of a value the region computes, split where the summation can be.
            (PlanStep::Equation(_), Candidate::ColumnSum { input, cols }) => {
                value(input).is_some_and(|r| r.len == rows * cols && r.split == mid_row * cols)
                    && columns_split(rows, mid_row)
            }
            _ => false,
        }
    }

    /// Records a value the region defines.
    fn define(&mut self, var: Var, dtype: DType, len: usize, split: usize) {
        self.index.insert(var, self.values.len());
        self.values.push(RegionValue {
            var,
            dtype,
            len,
            split,
            internal: false,
        });
    }

    fn add(
        &mut self,
        program: &Program,
        (pos, step): (usize, PlanStep),
        rows: usize,
        c: Candidate,
        splits: &Splits,
    ) {
        self.rows = rows;
        let mid_row = splits.helper_rows(rows);
        self.work += rows_and_work(program, &step).map_or(0, |(_, w)| w);
        match (&step, &c) {
            (
                PlanStep::Fused {
                    kernel, outputs, ..
                },
                Candidate::Fused { mid },
            ) => {
                for (&v, &(dtype, n)) in outputs.iter().zip(kernel.outputs()) {
                    // Reductions' outputs have one element per row of the kernel.
                    let split = if n == kernel.elements() {
                        *mid
                    } else {
                        mid / kernel.row()
                    };
                    self.define(v, dtype, n, split);
                }
            }
            (PlanStep::Equation(k), Candidate::Dot { .. }) => {
                let out = program.equations[*k].outputs[0];
                let ty = program.var_type(out);
                let n = ty.size();
                self.define(out, ty.dtype, n, mid_row * (n / rows));
            }
            (PlanStep::Equation(k), Candidate::ColumnSum { cols, .. }) => {
                let out = program.equations[*k].outputs[0];
                self.sums.push(RegionSum {
                    var: out,
                    dtype: program.var_type(out).dtype,
                    cols: *cols,
                });
                // Available only after the region.
                self.deferred_vars.insert(out);
            }
            _ => {}
        }
        self.members.push((pos, step, c));
    }

    fn defer(&mut self, program: &Program, pos: usize, step: PlanStep) {
        let (_, writes) = step.vars(program);
        self.deferred_vars.extend(writes.iter().copied());
        self.deferred.push((pos, step));
    }

    /// The steps: one region then the deferred steps, or everything in program order
    /// when the region is not worth a second thread.
    fn finish(
        self,
        program: &Program,
        readers: &HashMap<Var, Vec<usize>>,
        out: &mut Vec<PlanStep>,
        splits: &Splits,
    ) {
        if self.members.len() < 2 || self.work < MIN_WORK {
            let mut all: Vec<(usize, PlanStep)> = self
                .members
                .into_iter()
                .map(|(p, s, _)| (p, s))
                .chain(self.deferred)
                .collect();
            all.sort_by_key(|(p, _)| *p);
            out.extend(all.into_iter().map(|(_, s)| s));
            return;
        }
        let rows = self.rows;
        let members: HashSet<usize> = self.members.iter().map(|(p, _, _)| *p).collect();
        // Read by a step outside the region, or a result of the program.
        let read_outside = |v: Var| {
            program.outvars.contains(&v)
                || readers
                    .get(&v)
                    .is_some_and(|rs| rs.iter().any(|p| !members.contains(p)))
        };
        let mut values = self.values;
        for v in &mut values {
            v.internal = !read_outside(v.var);
        }
        let index = self.index;
        let mut reads: Vec<Var> = Vec::new();
        let mut read = |v: Var| {
            if !reads.contains(&v) {
                reads.push(v);
            }
        };
        let mut input = |v: Var| match index.get(&v) {
            Some(&j) => Input::Region(j),
            None => {
                read(v);
                Input::External(v)
            }
        };
        let mut ops = Vec::with_capacity(self.members.len());
        let mut sums_seen = 0;
        for (_, step, c) in self.members {
            match (step, c) {
                (
                    PlanStep::Fused {
                        kernel,
                        inputs,
                        elements,
                        outputs,
                    },
                    Candidate::Fused { mid },
                ) => ops.push(RegionOp::Fused {
                    inputs: (inputs.iter().zip(elements))
                        .map(|(&v, e)| match (input(v), e) {
                            (Input::External(v), Some(e)) => Input::Element(v, e),
                            (input, _) => input,
                        })
                        .collect(),
                    outputs: outputs.iter().map(|v| index[v]).collect(),
                    kernel: Box::new(kernel),
                    mid,
                }),
                (
                    PlanStep::Equation(e),
                    Candidate::Dot {
                        rhs,
                        rhs_contract,
                        k,
                    },
                ) => {
                    let eq = &program.equations[e];
                    ops.push(RegionOp::Dot {
                        lhs: input(eq.inputs[0]),
                        rhs: input(rhs),
                        rhs_shape: program.var_type(rhs).shape.clone(),
                        rhs_contract,
                        k,
                        out: index[&eq.outputs[0]],
                    });
                }
                (PlanStep::Equation(_), Candidate::ColumnSum { input: x, .. }) => {
                    // The sums were recorded in the order their steps joined.
                    ops.push(RegionOp::ColumnSum {
                        input: index[&x],
                        out: sums_seen,
                    });
                    sums_seen += 1;
                }
                _ => {}
            }
        }
        let writes = values
            .iter()
            .filter(|v| !v.internal)
            .map(|v| v.var)
            .chain(self.sums.iter().map(|s| s.var))
            .collect();
        let constants = (reads.iter().copied())
            .filter(|v| program.constvars.contains(v))
            .collect();
        out.push(PlanStep::Rows(RowRegion {
            rows,
            mid_row: splits.helper_rows(rows),
            ops,
            values,
            sums: self.sums,
            kept: Default::default(),
            kept_heads: ThreadSlot::default(),
            reads,
            constants,
            writes,
        }));
        out.extend(self.deferred.into_iter().map(|(_, s)| s));
    }
}

/// Groups the plan's steps into row-split regions where that pays (see the module
/// documentation); other steps keep their order.
pub(super) fn form_regions(program: &Program, steps: Vec<PlanStep>) -> Vec<PlanStep> {
    if super::worker::threads() < 2 {
        return steps;
    }
    let mut readers: HashMap<Var, Vec<usize>> = HashMap::new();
    for (pos, step) in steps.iter().enumerate() {
        for &v in step.vars(program).0 {
            readers.entry(v).or_default().push(pos);
        }
    }
    let splits = Splits::new(program, &steps);
    let mut out = Vec::with_capacity(steps.len());
    let mut forming = Forming::default();
    for (pos, step) in steps.into_iter().enumerate() {
        match candidate(program, &step, &splits) {
            Some((rows, c)) if forming.accepts(program, &step, rows, &c, &splits) => {
                forming.add(program, (pos, step), rows, c, &splits);
            }
            Some((rows, c)) => {
                // A new region starts here.
                std::mem::take(&mut forming).finish(program, &readers, &mut out, &splits);
                if forming.accepts(program, &step, rows, &c, &splits) {
                    forming.add(program, (pos, step), rows, c, &splits);
                } else {
                    out.push(step);
                }
            }
            None if forming.members.is_empty() => out.push(step),
            None => forming.defer(program, pos, step),
        }
    }
    forming.finish(program, &readers, &mut out, &splits);
    out
}

/// Where the regions of each row count split: how many of the rows the helper takes
/// (the first ones).
///
/// Less than half where the region is small: the helper starts later than this thread
/// and pays more for its part (it wakes, reads from the other core's cache the inputs
/// this thread computed, and leaves the column sums' states), about as much as
/// [`HELPER_LEAD`] units of work. Measured on the notebook's step (128 rows, about
/// 79,000 units, 11 µs per part), the region's fast-step median with the helper taking
/// 64 rows: 12.5 µs; 60: 12.3 µs; 56 and 58: 12.0 µs — when the helper still looked up
/// each input in the calling thread's environment. Reading them from one list the
/// calling thread fills before the hand-off, the helper finished its 56 rows about 3k
/// cycles before the calling thread its 72; the jitted notebook step's median (cycles,
/// four rounds) with the helper taking 56 rows: 39.6k; 58: 39.0k; 60: 38.8k; 62: 39.3k.
/// Large regions split in half.
struct Splits {
    /// The helper's rows, by row count.
    helper: HashMap<usize, usize>,
}

/// The work (in the units of [`MIN_WORK`]) the helper's lead is worth.
const HELPER_LEAD: usize = 4096;

/// What the helper's row count is a multiple of (below a pairwise block): a split most
/// kernels' granules divide (rows, or patterns of up to four rows); a column sum's
/// state may be left anywhere in a block ([`columns_split`]).
const SPLIT_ROWS: usize = 4;

impl Splits {
    /// The splits for the steps of `program`, from the work of the steps over each row
    /// count (an estimate of a region's, made before the regions form).
    fn new(program: &Program, steps: &[PlanStep]) -> Splits {
        let mut work: HashMap<usize, usize> = HashMap::new();
        for step in steps {
            if let Some((rows, w)) = rows_and_work(program, step) {
                *work.entry(rows).or_default() += w;
            }
        }
        let helper = work
            .into_iter()
            .map(|(rows, w)| (rows, helper_rows(rows, w)))
            .collect();
        Splits { helper }
    }

    /// The helper's rows of a region over `rows` rows.
    fn helper_rows(&self, rows: usize) -> usize {
        self.helper
            .get(&rows)
            .copied()
            .unwrap_or_else(|| helper_rows(rows, usize::MAX))
    }
}

/// The row count and work of a step that may join a region: a fused kernel's elements,
/// a quarter of a product's multiply-adds.
fn rows_and_work(program: &Program, step: &PlanStep) -> Option<(usize, usize)> {
    match step {
        PlanStep::Fused {
            kernel, outputs, ..
        } => Some((
            *program.var_type(*outputs.first()?).shape.first()?,
            kernel.elements(),
        )),
        PlanStep::Equation(k) => {
            let eq = &program.equations[*k];
            let Primitive::DotGeneral { .. } = eq.primitive else {
                return None;
            };
            let lhs = program.var_type(eq.inputs[0]);
            let rows = *lhs.shape.first()?;
            let out = program.var_type(eq.outputs[0]).size();
            Some((rows, out * (lhs.size() / rows.max(1)) / 4))
        }
        PlanStep::Rows(_) | PlanStep::Moves(_) => None,
    }
}

/// How many of `rows` rows the helper takes in a region doing `work` units of work: its
/// share of the work less its lead, split evenly, in rows, to the nearest multiple of
/// [`SPLIT_ROWS`], at most half; above [`PAIRWISE_BLOCK`] rows the halves of the column
/// sums' pairwise tree ([`columns_split`]), where the lead matters less.
fn helper_rows(rows: usize, work: usize) -> usize {
    let part = if rows <= PAIRWISE_BLOCK {
        let rows_less_lead = rows as u128 * work.saturating_sub(HELPER_LEAD) as u128;
        let even = rows_less_lead / (2 * work.max(1) as u128);
        let nearest = (even as usize + SPLIT_ROWS / 2) / SPLIT_ROWS * SPLIT_ROWS;
        if nearest > rows / 2 {
            nearest - SPLIT_ROWS
        } else {
            nearest
        }
    } else {
        rows / 2 / 8 * 8
    };
    if part == 0 { rows / 2 } else { part }
}

#[cfg(test)]
mod tests {
    use super::{HELPER_LEAD, helper_rows};

    #[test]
    fn the_helper_takes_fewer_rows_of_small_regions_and_half_of_large_ones() {
        // The notebook's value-and-gradient region: about 79,000 units over 128 rows.
        assert_eq!(helper_rows(128, 79_360), 60);
        // Its large case (100,000 points): even halves.
        assert_eq!(helper_rows(128, 12_800 + 320_000_000), 64);
        assert_eq!(helper_rows(128, usize::MAX), 64);
        // A region barely worth splitting leaves the helper well under half.
        assert_eq!(helper_rows(128, 4 * HELPER_LEAD), 48);
        // Above one pairwise block, the first split of the column sums' tree.
        assert_eq!(helper_rows(300, 79_360), 144);
        assert_eq!(helper_rows(256, usize::MAX), 128);
        // Few rows: about half.
        assert_eq!(helper_rows(9, 79_360), 4);
        assert_eq!(helper_rows(2, 79_360), 1);
    }
}
