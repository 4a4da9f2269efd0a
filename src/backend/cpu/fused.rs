//! Fused elementwise kernels: a [`FusedGroup`] compiled to register code and run chunk
//! by chunk.
//!
//! Each value of the group gets a scratch register of one chunk (chunks are sized so
//! that all registers together take [`REGISTER_BYTES`] and stay in the L1 cache);
//! registers are reused once their value is dead. Scalars (broadcast scalars, constants
//! whose elements are all equal) need none where the reading loop takes a
//! single-element operand ([`Src::Scalar`]). An
//! instruction runs one of the elementwise loops of `elementwise` over a whole chunk, so
//! the interpretation cost is paid per chunk, not per element, and every loop is the
//! same vectorized code the unfused kernels use: fused and unfused results are equal bit
//! for bit. Outputs are stored from their register as soon as they are computed (an
//! output no later instruction reads is written by its instruction directly);
//! reductions over trailing axes sum whole rows inside a chunk with the same pairwise
//! summation as the `reduce` kernel. Rows longer than a chunk are walked a few leaves of
//! that pairwise sum at a time, the leaf sums combined at the row's end as the whole row
//! would be ([`LongRows`]), so such reductions stay in the kernel with the same results.

use super::elementwise::{
    Out, Slice, binary_into, bitcast_into, compare_into, convert_into, copy_into, fma_into,
    select_into, unary_into,
};
use super::log_sum::sum_ln_rows;
use super::reduce::{identity, reduce_group};
use super::scalar::{Scalar, pairwise_combine, pairwise_leaves};
use super::simd::vectorized;
use super::thread_slot::ThreadSlot;
use super::threefry::threefry2x32_into;
use super::worker::BySide;
use super::{Recycled, alloc};
use crate::array::{Buffer, DType};
use crate::compile::fusion::{FusedGroup, MAX_FUSED_ROW};
use crate::ir::{BinaryOp, CompareOp, Primitive, Program, ReduceOp, UnaryOp, Var};
use std::collections::HashMap;
use std::mem::MaybeUninit;
use std::sync::Arc;

mod chain;
use chain::Stream;

/// The scratch memory one chunk of all of a kernel's registers may take: within the
/// L1 data cache (48 KiB on the machines measured), beside the inputs' chunks. Measured
/// on the notebook's step: 16 KiB (about 512 elements per register), 12.7 µs per half of
/// the `[128, 100]` kernel; 32 KiB, 11.1 µs; 48 KiB, 10.9 µs but slower kernels around it.
const REGISTER_BYTES: usize = 32 * 1024;

/// The alignment, in bytes, of the start of every register's chunk (a cache line: a
/// vector load or store that straddles two lines costs two).
pub(crate) const REGISTER_ALIGN: usize = 64;

/// Where a register's chunk starts in its buffer: the first element on a
/// [`REGISTER_ALIGN`] boundary (registers are allocated with room for the lead).
pub(crate) fn lead(register: &Buffer) -> usize {
    crate::with_buffer!(register, v => v.as_ptr().align_offset(REGISTER_ALIGN))
}

/// The fewest and the most elements a chunk holds (whatever the register count).
const MIN_CHUNK: usize = 256;
const MAX_CHUNK: usize = 8192;

/// The most elements of a run whose registers live on the stack for the run
/// ([`FusedKernel::run_tiny`]), and the most registers such a kernel may have.
const TINY_ELEMENTS: usize = 16;
const TINY_REGISTERS: usize = 24;

/// Registers of a tiny run: [`TINY_ELEMENTS`] slots of at most 8 bytes each, every
/// register on its own cache lines.
#[repr(C, align(64))]
struct TinyRegisters([[u64; TINY_ELEMENTS]; TINY_REGISTERS]);

/// Where an instruction reads a value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Src {
    /// A scratch register.
    Reg(usize),
    /// The current chunk of a group input.
    Input(usize),
    /// Element 0 of a group input, for every element (a broadcast scalar, or a constant
    /// whose elements are all equal): read by the instructions whose loops take a
    /// single-element operand (binary operations, fused multiply-adds, Threefry keys),
    /// which saves a register of copies; others read it splatted into a register.
    Scalar(usize),
}

/// Where an elementwise instruction writes its value.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Dst {
    /// A scratch register.
    Reg(usize),
    /// The current chunk of output `.0`, directly: a kernel output no later
    /// instruction reads needs no register and no copy out of one.
    Out(usize),
}

/// One step of a fused kernel, run on every chunk.
#[derive(Clone, Debug)]
enum Instr {
    Unary(UnaryOp, Src, Dst),
    Binary(BinaryOp, Src, Src, Dst),
    Compare(CompareOp, Src, Src, Dst),
    Select(Src, Src, Src, Dst),
    Fma(Src, Src, Src, Dst),
    Convert(Src, Dst),
    Bitcast(Src, Dst),
    /// Threefry-2x32 of `(k0, k1, x0, x1)` into two registers.
    Threefry([Src; 4], usize, usize),
    /// Fills a register with element 0 of an input (a broadcast scalar, or a constant
    /// whose elements are all equal).
    Splat(usize, usize),
    /// Fills a register with the whole of an input, repeated (a pattern broadcast along
    /// leading axes, or a scalar).
    Tile(usize, usize),
    /// Fills a register with the stretch of a repeating input that the current chunk
    /// covers (a pattern longer than the chunks).
    TileAt(usize, usize),
    /// Copies a value into output `.1`.
    Store(Src, usize),
    /// Reduces each row of a value into output `.2`.
    Reduce(ReduceOp, Src, usize),
    /// Sums the natural logarithms of each row of an `f32` value, plus a scalar where
    /// `.1` names one, into output `.2`, as the logarithm of the row's product
    /// (`reduce_sum(log(k + x))` whose logarithms nothing else reads; see `log_sum`).
    SumLn(Src, Option<Src>, usize),
    /// A run of cheap elementwise instructions as machine code (see [`chain`]).
    Chain(Arc<chain::Chain>),
}

impl Instr {
    /// The registers the instruction reads, and those it writes.
    fn registers(&self) -> (Vec<usize>, Vec<usize>) {
        let reg = |s: &Src| match *s {
            Src::Reg(r) => Some(r),
            Src::Input(_) | Src::Scalar(_) => None,
        };
        let regs = |srcs: &[Src]| srcs.iter().filter_map(reg).collect::<Vec<_>>();
        let dst = |d: &Dst| match *d {
            Dst::Reg(r) => vec![r],
            Dst::Out(_) => Vec::new(),
        };
        match self {
            Instr::Unary(_, x, d) | Instr::Convert(x, d) | Instr::Bitcast(x, d) => {
                (regs(&[*x]), dst(d))
            }
            Instr::Binary(_, x, y, d) | Instr::Compare(_, x, y, d) => (regs(&[*x, *y]), dst(d)),
            Instr::Select(a, b, c, d) | Instr::Fma(a, b, c, d) => (regs(&[*a, *b, *c]), dst(d)),
            Instr::Threefry(srcs, r0, r1) => (regs(srcs), vec![*r0, *r1]),
            Instr::Splat(_, r) | Instr::Tile(_, r) | Instr::TileAt(_, r) => (Vec::new(), vec![*r]),
            Instr::Store(x, _) | Instr::Reduce(_, x, _) | Instr::SumLn(x, _, _) => {
                (regs(&[*x]), Vec::new())
            }
            Instr::Chain(c) => (c.reads.clone(), c.writes.clone()),
        }
    }
}

/// A fused group compiled to register code.
#[derive(Debug)]
pub(crate) struct FusedKernel {
    elements: usize,
    /// How many inputs it reads.
    inputs: usize,
    chunk: usize,
    row: usize,
    /// What every chunk start is a multiple of.
    granule: usize,
    registers: Vec<DType>,
    /// Fills of registers that are never reused from constants: run once per register
    /// set (the registers keep them from call to call).
    fixed: Vec<Instr>,
    /// Fills of registers that are never reused from other inputs: run once per call.
    prologue: Vec<Instr>,
    /// Run on every chunk.
    instrs: Vec<Instr>,
    /// `instrs` with runs of cheap instructions compiled ([`chain`]), where this machine
    /// runs them and a run was found: used instead of `instrs` by threads whose kernels
    /// use AVX-512.
    chained: Option<Vec<Instr>>,
    /// Dtype and element count of each output, in the group's output order.
    outputs: Vec<(DType, usize)>,
    /// Register sets kept between runs, one per side of a join (so each thread gets
    /// back the memory already in its core's cache, and the two never share a line),
    /// each taken and put back without a locked instruction ([`ThreadSlot`]).
    scratch: BySide<ThreadSlot<Vec<Buffer>>>,
    /// How rows longer than a chunk are walked (`None`: chunks hold whole rows).
    long_rows: Option<LongRows>,
}

/// The chunks of a row longer than [`MAX_FUSED_ROW`]: runs of whole leaves of its
/// pairwise sum, so that each reduction sums leaf by leaf and combines the leaf sums
/// as `pairwise` would (the same result, bit for bit, as summing the row at once).
#[derive(Debug)]
struct LongRows {
    /// The leaves, as ranges within the row.
    leaves: Vec<std::ops::Range<usize>>,
    /// The chunks, as ranges of leaves.
    chunks: Vec<std::ops::Range<usize>>,
}

impl LongRows {
    /// The leaves of a row of `row` elements, in chunks of at most `chunk` elements
    /// (or one leaf).
    fn new(row: usize, chunk: usize) -> LongRows {
        let leaves = pairwise_leaves(row);
        let mut chunks = Vec::new();
        let mut first = 0;
        for i in 1..=leaves.len() {
            let full = i == leaves.len() || leaves[i].end - leaves[first].start > chunk;
            if full {
                chunks.push(first..i);
                first = i;
            }
        }
        LongRows { leaves, chunks }
    }

    /// The longest chunk, in elements.
    fn longest(&self) -> usize {
        self.chunks
            .iter()
            .map(|c| self.leaves[c.end - 1].end - self.leaves[c.start].start)
            .max()
            .unwrap_or(1)
    }
}

/// Where a chunk of a long row falls: the row's index among the range's rows, the
/// chunk's leaves, and whether it ends the row.
#[derive(Clone, Copy)]
struct RowPart<'a> {
    row: usize,
    leaves: &'a [std::ops::Range<usize>],
    first_leaf: usize,
    last: bool,
}

impl FusedKernel {
    /// Compiles `group` of `program`. `uniform(v)` tells whether input `v` is a constant
    /// whose elements are all equal (read once per chunk instead of streamed). Fails
    /// only on a group the fusion pass would not form.
    pub(crate) fn new(
        program: &Program,
        group: &FusedGroup,
        uniform: impl Fn(Var) -> bool,
    ) -> Result<FusedKernel, String> {
        let mut b = Builder {
            program,
            registers: Vec::new(),
            free: Vec::new(),
            pins: Vec::new(),
            fixed: Vec::new(),
            prologue: Vec::new(),
            instrs: Vec::new(),
            values: HashMap::new(),
            splats: HashMap::new(),
            constant_inputs: group
                .inputs
                .iter()
                .map(|v| program.constvars.contains(v))
                .collect(),
        };
        let n = group.elements;
        for (i, &v) in group.inputs.iter().enumerate() {
            let ty = program.var_type(v);
            if ty.size() != n {
                // A scalar or a pattern for a broadcast, which splats or tiles it itself.
                if ty.size() == 0 || !n.is_multiple_of(ty.size()) {
                    return Err(format!("a fused input has {} elements, not {n}", ty.size()));
                }
            } else if n > 1 && uniform(v) {
                b.values.insert(v, Src::Scalar(i));
            } else {
                b.values.insert(v, Src::Input(i));
            }
        }
        // The last instruction position reading each value, to free its register.
        let mut last_read: HashMap<Var, usize> = HashMap::new();
        for (pos, &k) in group.equations.iter().enumerate() {
            for &v in &program.equations[k].inputs {
                last_read.insert(v, pos);
            }
        }
        let mut outputs = Vec::new();
        let output_index = |v: Var| group.outputs.iter().position(|&o| o == v);
        for (pos, &k) in group.equations.iter().enumerate() {
            let eq = &program.equations[k];
            let out = eq.outputs[0];
            let ty = program.var_type(out);
            let arg = |b: &Builder<'_>, i: usize| b.src(eq.inputs[i]);
            // Whether the instruction writes the value into its output itself.
            let mut stored = false;
            let dst = match &eq.primitive {
                Primitive::Reduce { op, .. } => {
                    let x = arg(&b, 0)?;
                    let x = b.in_register(x, program.var_type(eq.inputs[0]).dtype);
                    let o = output_index(out).ok_or("a fused reduction's result is unused")?;
                    b.instrs.push(Instr::Reduce(*op, x, o));
                    None
                }
                Primitive::Reshape { .. }
                | Primitive::StopGradient
                | Primitive::Transpose { .. }
                | Primitive::BroadcastInDim { .. }
                    if program.var_type(eq.inputs[0]).size() == n =>
                {
                    // A copy: the result is the operand.
                    let x = arg(&b, 0)?;
                    b.values.insert(out, x);
                    None
                }
                Primitive::BroadcastInDim { .. } => {
                    // A scalar, or a pattern repeating along leading axes: the same in
                    // every chunk, so written once per call.
                    let i = group
                        .inputs
                        .iter()
                        .position(|&v| v == eq.inputs[0])
                        .ok_or("a fused broadcast reads a value of the group")?;
                    let period = program.var_type(eq.inputs[0]).size();
                    // Chunks of long rows start anywhere in their row.
                    let aligned = group.row <= MAX_FUSED_ROW || period == 1;
                    if period == 1 {
                        b.values.insert(out, Src::Scalar(i));
                        None
                    } else if aligned && group.granule.max(1).is_multiple_of(period) {
                        let r = b.pinned(ty.dtype);
                        b.fill(Instr::Tile(i, r), i);
                        Some(r)
                    } else {
                        // Chunks start at varying offsets into a long pattern.
                        let r = b.register(ty.dtype);
                        b.instrs.push(Instr::TileAt(i, r));
                        Some(r)
                    }
                }
                Primitive::Threefry2x32 => {
                    let mut srcs = [arg(&b, 0)?, arg(&b, 1)?, arg(&b, 2)?, arg(&b, 3)?];
                    // The loops take scalar keys (and then a scalar `x0`) only.
                    let scalar = |s: &Src| matches!(s, Src::Scalar(_));
                    let keys = scalar(&srcs[0]) && scalar(&srcs[1]) && !scalar(&srcs[3]);
                    for (k, s) in srcs.iter_mut().enumerate() {
                        if !(keys && k < 3) {
                            *s = b.in_register(*s, DType::U32);
                        }
                    }
                    let (r0, r1) = (b.register(DType::U32), b.register(DType::U32));
                    b.instrs.push(Instr::Threefry(srcs, r0, r1));
                    let second = *eq.outputs.get(1).ok_or("threefry2x32 has two results")?;
                    b.values.insert(second, Src::Reg(r1));
                    if let Some(o) = output_index(second) {
                        b.instrs.push(Instr::Store(Src::Reg(r1), o));
                    }
                    Some(r0)
                }
                prim => {
                    let mut srcs: Vec<Src> = (0..eq.inputs.len())
                        .map(|i| arg(&b, i))
                        .collect::<Result<_, _>>()?;
                    // Which operands the instruction's loop takes as single elements:
                    // one of a binary operation's, the second and third of a fused
                    // multiply-add.
                    let takes_scalar = |k: usize, srcs: &[Src]| match prim {
                        Primitive::Binary(_) => k == 1 || !matches!(srcs[1], Src::Scalar(_)),
                        Primitive::Fma => k > 0,
                        _ => false,
                    };
                    for k in 0..srcs.len() {
                        if !takes_scalar(k, &srcs) {
                            let dtype = program.var_type(eq.inputs[k]).dtype;
                            srcs[k] = b.in_register(srcs[k], dtype);
                        }
                    }
                    // A kernel output (listed once) that no later instruction reads is
                    // written straight into the output.
                    let direct = output_index(out).filter(|_| {
                        !last_read.contains_key(&out)
                            && group.outputs.iter().filter(|&&v| v == out).count() == 1
                    });
                    let d = match direct {
                        Some(o) => Dst::Out(o),
                        None => Dst::Reg(b.register(ty.dtype)),
                    };
                    b.instrs.push(match prim {
                        Primitive::Unary(op) => Instr::Unary(*op, srcs[0], d),
                        Primitive::Binary(op) => Instr::Binary(*op, srcs[0], srcs[1], d),
                        Primitive::Compare(op) => Instr::Compare(*op, srcs[0], srcs[1], d),
                        Primitive::Select => Instr::Select(srcs[0], srcs[1], srcs[2], d),
                        Primitive::Fma => Instr::Fma(srcs[0], srcs[1], srcs[2], d),
                        Primitive::Convert { .. } => Instr::Convert(srcs[0], d),
                        Primitive::Bitcast { .. } => Instr::Bitcast(srcs[0], d),
                        other => return Err(format!("{} cannot be fused", other.name())),
                    });
                    match d {
                        Dst::Reg(r) => Some(r),
                        Dst::Out(_) => {
                            stored = true;
                            None
                        }
                    }
                }
            };
            if let Some(r) = dst {
                b.values.insert(out, Src::Reg(r));
            }
            if let Some(o) = output_index(out)
                && !stored
                && !matches!(eq.primitive, Primitive::Reduce { .. })
            {
                let x = b.src(out)?;
                let x = b.in_register(x, ty.dtype);
                b.instrs.push(Instr::Store(x, o));
            }
            // Free the registers no value read later lives in.
            let mut touched: Vec<usize> = Vec::new();
            for v in eq.inputs.iter().chain(&eq.outputs) {
                if let Some(&Src::Reg(r)) = b.values.get(v)
                    && !touched.contains(&r)
                {
                    touched.push(r);
                }
            }
            for r in touched {
                let live = b
                    .values
                    .iter()
                    .any(|(w, s)| *s == Src::Reg(r) && last_read.get(w).is_some_and(|&p| p > pos));
                if !live && !b.free.contains(&r) && !b.pins.contains(&r) {
                    b.free.push(r);
                }
            }
        }
        for &v in &group.outputs {
            outputs.push((program.var_type(v).dtype, program.var_type(v).size()));
        }
        if group.row <= MAX_FUSED_ROW {
            sum_logs_as_products(&mut b.instrs, &b.registers);
        }
        let row = group.row.max(1);
        let granule = group.granule.max(1);
        if !granule.is_multiple_of(row) {
            return Err("a fused group's rows do not divide its chunks".into());
        }
        // As many elements as let one chunk of every register fit the budget.
        let per_element: usize = b.registers.iter().map(|d| d.size_bytes()).sum();
        let target = (REGISTER_BYTES / per_element.max(1)).clamp(MIN_CHUNK, MAX_CHUNK) / 16 * 16;
        // No longer than the kernel (small kernels keep small registers).
        let target = target.min(n.max(1).next_multiple_of(16));
        let long_rows = (row > MAX_FUSED_ROW).then(|| LongRows::new(row, target));
        let chunk = if let Some(long) = &long_rows {
            long.longest()
        } else if granule > 1 {
            granule * (target / granule).max(1)
        } else {
            target
        };
        // No instruction writes a register it reads (or one register twice), which is
        // what lets `run_chunk` hand out a register's slots beside the slices it reads.
        for instr in b.instrs.iter().chain(&b.fixed).chain(&b.prologue) {
            let (reads, writes) = instr.registers();
            let overlap = writes.iter().enumerate().any(|(k, w)| {
                reads.contains(w) || writes[k + 1..].contains(w) || *w >= b.registers.len()
            });
            if overlap || reads.iter().any(|&r| r >= b.registers.len()) {
                return Err(format!("{instr:?} reads or writes a register wrongly"));
            }
        }
        // Every output is written by exactly one store or reduction per chunk (which
        // is what lets `run` hand out uninitialized output memory).
        for o in 0..outputs.len() {
            let writers = b
                .instrs
                .iter()
                .filter(|i| match i {
                    Instr::Store(_, k) | Instr::Reduce(_, _, k) | Instr::SumLn(_, _, k) => *k == o,
                    Instr::Unary(.., d)
                    | Instr::Binary(.., d)
                    | Instr::Compare(.., d)
                    | Instr::Select(.., d)
                    | Instr::Fma(.., d)
                    | Instr::Convert(_, d)
                    | Instr::Bitcast(_, d) => *d == Dst::Out(o),
                    _ => false,
                })
                .count();
            if writers != 1 {
                return Err(format!("fused output {o} has {writers} writers"));
            }
        }
        let register_dtypes = b.registers.clone();
        let input_dtypes: Vec<DType> = group
            .inputs
            .iter()
            .map(|&v| program.var_type(v).dtype)
            .collect();
        let dtype = |s: Src| match s {
            Src::Reg(r) => register_dtypes.get(r).copied(),
            Src::Input(i) | Src::Scalar(i) => input_dtypes.get(i).copied(),
        };
        let chained = chain::form(&b.instrs, &dtype);
        Ok(FusedKernel {
            elements: n,
            inputs: group.inputs.len(),
            chunk,
            row,
            granule: group.granule.max(1),
            registers: b.registers,
            fixed: b.fixed,
            prologue: b.prologue,
            instrs: b.instrs,
            chained,
            outputs,
            scratch: BySide::default(),
            long_rows,
        })
    }

    /// Runs the kernel on the group's inputs (all of each value: [`View::Whole`]), giving
    /// its output buffers. Large kernels split their chunks between two threads; the
    /// chunks, and so the results, are the same either way.
    pub(crate) fn run(&self, inputs: &[View<'_>]) -> Result<Recycled<Buffer>, String> {
        let mut outs: Recycled<Buffer> = Recycled::with_capacity(self.outputs.len());
        for &(dtype, n) in &self.outputs {
            outs.push(uninit(dtype, n)?);
        }
        let mut spans: Recycled<Out<'_>> = outs.iter_mut().map(spare).collect();
        let chunks = self.elements.div_ceil(self.chunk);
        // Long rows split between rows; other kernels between chunks.
        let (units, unit) = if self.long_rows.is_some() {
            (self.elements / self.row, self.row)
        } else {
            (chunks, self.chunk)
        };
        if self.elements >= PARALLEL_MIN_ELEMENTS && units >= 2 {
            let mid = units / 2 * unit;
            let mut second = Recycled::with_capacity(spans.len());
            let mut first = Recycled::with_capacity(spans.len());
            for (span, &(_, n)) in spans.drain(..).zip(&self.outputs) {
                // Reductions' outputs have one element per row.
                let at = if n == self.elements {
                    mid
                } else {
                    mid / self.row
                };
                let (a, b) = span.split_at(at);
                first.push(a);
                second.push(b);
            }
            let (a, b) = super::worker::join(
                || self.run_range(inputs, 0..mid, &mut first),
                || self.run_range(inputs, mid..self.elements, &mut second),
            );
            a?;
            b?;
        } else {
            self.run_range(inputs, 0..self.elements, &mut spans)?;
        }
        drop(spans);
        for (b, &(_, n)) in outs.iter_mut().zip(&self.outputs) {
            // SAFETY: `run_range` succeeded on chunks tiling all elements, and every output
            // has exactly one store or reduction per chunk (checked in `new`), which wrote
            // all `n` elements.
            unsafe { set_len(b, n) };
        }
        Ok(outs)
    }

    /// Whether the kernel sums a row's logarithms as the logarithm of its product.
    #[cfg(test)]
    pub(crate) fn sums_logs_as_products(&self) -> bool {
        self.instrs.iter().any(|i| matches!(i, Instr::SumLn(..)))
    }

    /// The number of elements the kernel runs over.
    pub(crate) fn elements(&self) -> usize {
        self.elements
    }

    /// What a range's start must be a multiple of.
    pub(crate) fn granule(&self) -> usize {
        self.granule
    }

    /// The length of the rows its reductions reduce (its elements when it has none).
    pub(crate) fn row(&self) -> usize {
        self.row
    }

    /// Dtype and element count of each output.
    pub(crate) fn outputs(&self) -> &[(DType, usize)] {
        &self.outputs
    }

    /// The inputs read as repeating patterns (splats and tiles of a broadcast), which
    /// must be [`View::Whole`]; every other input is read element by element.
    pub(crate) fn pattern_inputs(&self) -> Vec<usize> {
        self.fixed
            .iter()
            .chain(&self.prologue)
            .chain(&self.instrs)
            .flat_map(|i| match *i {
                Instr::Splat(k, _) | Instr::Tile(k, _) | Instr::TileAt(k, _) => vec![k],
                Instr::Binary(_, x, y, _) => scalar_inputs(&[x, y]),
                Instr::Fma(a, b, c, _) => scalar_inputs(&[a, b, c]),
                Instr::Threefry(srcs, _, _) => scalar_inputs(&srcs),
                _ => Vec::new(),
            })
            .collect()
    }

    /// The inputs read as a whole from their start (patterns and scalars, or every input
    /// of a one-element kernel): where one of them is a single element of a larger value,
    /// that element can be given in place.
    pub(crate) fn whole_inputs(&self) -> Vec<usize> {
        if self.elements == 1 {
            (0..self.inputs).collect()
        } else {
            self.pattern_inputs()
        }
    }

    /// Runs the chunks of `range` (whose start is a multiple of the granule), writing
    /// each output's part for that range into `outs` (elementwise outputs from element
    /// `range.start`, reductions from row `range.start / row`).
    pub(crate) fn run_range(
        &self,
        inputs: &[View<'_>],
        range: std::ops::Range<usize>,
        outs: &mut [Out<'_>],
    ) -> Result<(), String> {
        if range.start == 0
            && range.len() <= TINY_ELEMENTS
            && self.long_rows.is_none()
            && self.registers.len() <= TINY_REGISTERS
        {
            return self.run_tiny(inputs, range.len(), outs);
        }
        // Scratch registers left by an earlier run, or new ones.
        let cached = self.scratch.mine().take();
        let fresh = cached.is_none();
        let mut regs = match cached {
            Some(regs) => regs,
            None => {
                let mut regs: Vec<Buffer> = Vec::with_capacity(self.registers.len());
                for &d in &self.registers {
                    regs.push(
                        Buffer::zeros(d, self.chunk + REGISTER_ALIGN / d.size_bytes().max(1))
                            .ok_or("cannot allocate the scratch of a fused kernel")?,
                    );
                }
                // Long rows: then one buffer of leaf sums per output, kept with the
                // registers.
                if let Some(long) = &self.long_rows {
                    for &(dtype, _) in &self.outputs {
                        regs.push(
                            Buffer::zeros(dtype, long.leaves.len().max(1))
                                .ok_or("cannot allocate a long row's partial sums")?,
                        );
                    }
                }
                regs
            }
        };
        let base = range.start;
        let (registers, partials) = regs
            .split_at_mut_checked(self.registers.len())
            .ok_or("a fused kernel's registers are missing")?;
        let mut chunks = Recycled::with_capacity(registers.len());
        for (r, &dtype) in registers.iter_mut().zip(&self.registers) {
            chunks.push(RegisterChunk::new(r, dtype, self.chunk)?);
        }
        // Constants fill whole registers, once; other inputs as much as this range's
        // chunks read.
        if fresh {
            fill_patterns(&self.fixed, inputs, &chunks, self.chunk)?;
        }
        fill_patterns(&self.prologue, inputs, &chunks, self.chunk.min(range.len()))?;
        if let Some(long) = &self.long_rows {
            self.run_long_rows(long, inputs, &chunks, partials, outs, range)?;
        } else {
            let mut start = range.start;
            while start < range.end {
                let end = (start + self.chunk).min(range.end);
                // SAFETY: `chunks` point into `registers`, which nothing else touches
                // until the run ends.
                unsafe { self.run_chunk(inputs, &chunks, outs, base, start, end, None)? };
                start = end;
            }
        }
        drop(chunks);
        self.scratch.mine().put(regs);
        Ok(())
    }

    /// Runs all `len` (at most [`TINY_ELEMENTS`]) elements with the registers on the
    /// stack: the kernels of a few elements around a region (a parameter vector's
    /// update, a loss's last scalar steps) then skip taking and returning the kept
    /// scratch registers, which cost more than their instructions (about 300 cycles of a
    /// 500-1000-cycle kernel in the notebook's step, their memory cold after a region).
    /// Constants are written into their registers at every run.
    fn run_tiny(
        &self,
        inputs: &[View<'_>],
        len: usize,
        outs: &mut [Out<'_>],
    ) -> Result<(), String> {
        let mut memory = std::mem::MaybeUninit::<TinyRegisters>::uninit();
        let base = memory.as_mut_ptr().cast::<[u64; TINY_ELEMENTS]>();
        let mut chunks = Recycled::with_capacity(self.registers.len());
        for (r, &dtype) in self.registers.iter().enumerate() {
            if r >= TINY_REGISTERS || dtype.size_bytes() > 8 {
                return Err("a tiny fused kernel's registers do not fit".into());
            }
            // SAFETY: register `r` is within the array; its slots are zeroed (so every
            // value read from it is initialized) and used only through `chunks`, for
            // this run, while `memory` lives.
            let start = unsafe {
                let slots = base.add(r);
                slots.write([0; TINY_ELEMENTS]);
                slots.cast::<u8>()
            };
            chunks.push(RegisterChunk {
                dtype,
                start,
                len: TINY_ELEMENTS,
                register: std::marker::PhantomData,
            });
        }
        fill_patterns(&self.fixed, inputs, &chunks, len)?;
        fill_patterns(&self.prologue, inputs, &chunks, len)?;
        // SAFETY: `chunks` point into `memory`, which nothing else touches until the run
        // ends.
        unsafe { self.run_chunk(inputs, &chunks, outs, 0, 0, len, None) }
    }

    /// Runs the rows of `range` chunk by chunk, each reduction keeping the sums of the
    /// leaves seen so far in its buffer of partial sums (after the registers in `regs`,
    /// one per output) until its row ends.
    fn run_long_rows(
        &self,
        long: &LongRows,
        inputs: &[View<'_>],
        chunks: &[RegisterChunk],
        partials: &mut [Buffer],
        outs: &mut [Out<'_>],
        range: std::ops::Range<usize>,
    ) -> Result<(), String> {
        if partials.len() != self.outputs.len() {
            return Err("a long-row kernel's partial sums are missing".into());
        }
        for (row, row_start) in (range.start..range.end).step_by(self.row).enumerate() {
            for (c, chunk) in long.chunks.iter().enumerate() {
                let leaves = &long.leaves[chunk.clone()];
                let (start, end) = (leaves[0].start, leaves[leaves.len() - 1].end);
                let part = RowPart {
                    row,
                    leaves,
                    first_leaf: chunk.start,
                    last: c + 1 == long.chunks.len(),
                };
                let (start, end) = (row_start + start, row_start + end);
                let long = Some((part, &mut *partials));
                // SAFETY: as in `run_range`.
                unsafe { self.run_chunk(inputs, chunks, outs, range.start, start, end, long)? };
            }
        }
        Ok(())
    }

    /// Runs every instruction on elements `start..end` (at most one chunk).
    ///
    /// # Safety
    /// `chunks` are the chunks of this kernel's registers, none of which is otherwise
    /// read or written during the call.
    #[allow(clippy::too_many_arguments)]
    unsafe fn run_chunk(
        &self,
        inputs: &[View<'_>],
        chunks: &[RegisterChunk],
        outs: &mut [Out<'_>],
        base: usize,
        start: usize,
        end: usize,
        mut long: Option<(RowPart<'_>, &mut [Buffer])>,
    ) -> Result<(), String> {
        let len = end - start;
        if chunks.iter().any(|c| c.len < len) {
            return Err("a fused chunk is longer than its registers".into());
        }
        // SAFETY (the register reads and writes below): as required of the caller; an
        // instruction never writes a register it reads (checked in `new`), so each
        // write's slots are disjoint from the slices read beside it.
        #[inline(always)]
        fn operand<'c>(
            s: Src,
            chunks: &[RegisterChunk<'c>],
            inputs: &[View<'c>],
            range: std::ops::Range<usize>,
        ) -> Result<Slice<'c>, String> {
            match s {
                // SAFETY: as above.
                Src::Reg(r) => Ok(unsafe { chunks[r].values(range.len()) }),
                _ => read(s, inputs, range),
            }
        }
        macro_rules! src {
            ($s:expr) => {
                operand($s, chunks, inputs, start..end)
            };
        }
        #[inline(always)]
        fn dst<'c>(chunks: &[RegisterChunk<'c>], r: usize, len: usize) -> Out<'c> {
            // SAFETY: as above.
            unsafe { chunks[r].slots(len) }
        }
        let dst = |r: usize| dst(chunks, r, len);
        macro_rules! out {
            ($d:expr) => {
                match $d {
                    Dst::Reg(r) => dst(r),
                    Dst::Out(o) => outs[o].sub(start - base..end - base)?,
                }
            };
        }
        let instrs = match &self.chained {
            Some(chained) if super::simd::level() == super::simd::Level::Avx512 => chained,
            _ => &self.instrs,
        };
        for instr in instrs {
            match *instr {
                Instr::Unary(op, x, d) => unary_into(op, src!(x)?, out!(d))?,
                Instr::Binary(op, x, y, d) => binary_into(op, src!(x)?, src!(y)?, out!(d))?,
                Instr::Compare(op, x, y, d) => compare_into(op, src!(x)?, src!(y)?, out!(d))?,
                Instr::Select(p, t, f, d) => select_into(src!(p)?, src!(t)?, src!(f)?, out!(d))?,
                Instr::Fma(a, b, c, d) => fma_into(src!(a)?, src!(b)?, src!(c)?, out!(d))?,
                Instr::Convert(x, d) => convert_into(src!(x)?, out!(d))?,
                Instr::Bitcast(x, d) => bitcast_into(src!(x)?, out!(d))?,
                Instr::Threefry(srcs, r0, r1) => {
                    let x = [
                        src!(srcs[0])?,
                        src!(srcs[1])?,
                        src!(srcs[2])?,
                        src!(srcs[3])?,
                    ];
                    threefry2x32_into(x, dst(r0), dst(r1))?
                }
                Instr::Splat(i, r) | Instr::Tile(i, r) => {
                    let first_only = matches!(instr, Instr::Splat(..));
                    repeat(whole(inputs, i)?, dst(r), 0, first_only)?;
                }
                Instr::TileAt(i, r) => repeat(whole(inputs, i)?, dst(r), start, false)?,
                Instr::Store(x, o) => copy_into(src!(x)?, outs[o].sub(start - base..end - base)?)?,
                Instr::Chain(ref c) => {
                    let mut ptrs = [std::ptr::null_mut::<u8>(); chain::MAX_STREAMS];
                    for (p, s) in ptrs.iter_mut().zip(&c.streams) {
                        *p = match *s {
                            // SAFETY: as above.
                            Stream::Reg(r) => word_ptr(unsafe { chunks[r].slots(len) })?,
                            Stream::Input(i) => word_ptr_of(src!(Src::Input(i))?, len)?,
                            Stream::Scalar(i) => word_ptr_of(src!(Src::Scalar(i))?, 1)?,
                            Stream::Out(o) => word_ptr(outs[o].sub(start - base..end - base)?)?,
                        };
                    }
                    // SAFETY: each pointer holds `len` 32-bit elements (one for a scalar),
                    // as `word_ptr` checked; chains exist only on CPUs with AVX-512.
                    unsafe { c.run(&ptrs, len) };
                }
                Instr::SumLn(x, k, o) => {
                    if long.is_some() {
                        return Err("a row sum of logarithms over long rows".into());
                    }
                    let offset = match k {
                        Some(k) => match src!(k)? {
                            Slice::F32(&[k]) => k,
                            _ => {
                                return Err("a row sum of logarithms' offset is not one f32".into());
                            }
                        },
                        None => 0.0,
                    };
                    let rows = (start - base) / self.row..(end - base) / self.row;
                    match (src!(x)?, outs[o].sub(rows)?) {
                        (Slice::F32(x), Out::F32(out)) => sum_ln_rows(x, offset, self.row, out)?,
                        _ => return Err("a row sum of logarithms of other than f32".into()),
                    }
                }
                Instr::Reduce(op, x, o) => {
                    let x = src!(x)?;
                    if let Some((part, partials)) = &mut long {
                        let out = outs[o].sub(part.row..part.row + 1)?;
                        reduce_long_row(op, x, *part, &mut partials[o], self.row, out)?;
                    } else {
                        let rows = (start - base) / self.row..(end - base) / self.row;
                        reduce_rows(op, x, self.row, outs[o].sub(rows)?)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// Rewrites each row sum of `f32` logarithms that nothing else reads (`Unary(Log)` into
/// a register, then `Reduce(Sum)` of it) into one [`Instr::SumLn`] of the logarithms'
/// operand: one logarithm per row instead of one per element (see `log_sum`). Only
/// where nothing between the two reads the logarithms or rewrites their operand, and
/// nothing after reads the register before writing it again.
fn sum_logs_as_products(instrs: &mut Vec<Instr>, registers: &[DType]) {
    let mut j = 0;
    while j < instrs.len() {
        let Instr::Reduce(ReduceOp::Sum, Src::Reg(r), o) = instrs[j] else {
            j += 1;
            continue;
        };
        let writer = instrs[..j]
            .iter()
            .rposition(|i| i.registers().1.contains(&r));
        let log = writer.and_then(|i| match instrs[i] {
            Instr::Unary(UnaryOp::Log, x @ (Src::Reg(_) | Src::Input(_)), Dst::Reg(_)) => {
                Some((i, x))
            }
            _ => None,
        });
        let Some((i, x)) = log.filter(|_| registers.get(r) == Some(&DType::F32)) else {
            j += 1;
            continue;
        };
        let untouched = instrs[i + 1..j].iter().all(|between| {
            let (reads, writes) = between.registers();
            !reads.contains(&r) && !matches!(x, Src::Reg(xr) if writes.contains(&xr))
        });
        let dead_after = instrs[j + 1..]
            .iter()
            .map(Instr::registers)
            .find(|(reads, writes)| reads.contains(&r) || writes.contains(&r))
            .is_none_or(|(reads, _)| !reads.contains(&r));
        if !(untouched && dead_after) {
            j += 1;
            continue;
        }
        instrs[j] = Instr::SumLn(x, None, o);
        instrs.remove(i);
        fold_offset(instrs, j - 1);
    }
}

/// Where the operand of the [`Instr::SumLn`] at `at` is a scalar plus a value (`1 +
/// exp(x)`, say) computed by an addition that nothing else reads before it, the sum
/// takes the scalar as its offset and the addition moves after it (where a chain of
/// cheap instructions can take it in), or goes where nothing reads its result: a pass
/// over the chunk fewer, the same bits (the sum adds the offset as the addition did).
fn fold_offset(instrs: &mut Vec<Instr>, at: usize) {
    let Instr::SumLn(Src::Reg(x), None, o) = instrs[at] else {
        return;
    };
    let Some(h) = instrs[..at]
        .iter()
        .rposition(|i| i.registers().1.contains(&x))
    else {
        return;
    };
    let (k, c) = match instrs[h] {
        Instr::Binary(BinaryOp::Add, k @ Src::Scalar(_), c, Dst::Reg(_))
        | Instr::Binary(BinaryOp::Add, c, k @ Src::Scalar(_), Dst::Reg(_))
            if !matches!(c, Src::Scalar(_)) =>
        {
            (k, c)
        }
        _ => return,
    };
    let kept = instrs[h + 1..at].iter().all(|between| {
        let (reads, writes) = between.registers();
        !reads.contains(&x) && !matches!(c, Src::Reg(cr) if writes.contains(&cr))
    });
    if !kept {
        return;
    }
    let read_after = instrs[at + 1..]
        .iter()
        .map(Instr::registers)
        .find(|(reads, writes)| reads.contains(&x) || writes.contains(&x))
        .is_some_and(|(reads, _)| reads.contains(&x));
    let add = instrs.remove(h);
    instrs[at - 1] = Instr::SumLn(c, Some(k), o);
    if read_after {
        instrs.insert(at, add);
    }
}

/// Where the elements of a 32-bit chunk begin, for a chain's machine code.
fn word_ptr(out: Out<'_>) -> Result<*mut u8, String> {
    match out {
        Out::F32(v) => Ok(v.as_mut_ptr() as *mut u8),
        Out::I32(v) => Ok(v.as_mut_ptr() as *mut u8),
        Out::U32(v) => Ok(v.as_mut_ptr() as *mut u8),
        _ => Err("a chain writes only 32-bit values".into()),
    }
}

/// Where the elements of a 32-bit input begin, checking that it holds `len` of them.
fn word_ptr_of(slice: Slice<'_>, len: usize) -> Result<*mut u8, String> {
    let (ptr, n) = match slice {
        Slice::F32(v) => (v.as_ptr() as *mut u8, v.len()),
        Slice::I32(v) => (v.as_ptr() as *mut u8, v.len()),
        Slice::U32(v) => (v.as_ptr() as *mut u8, v.len()),
        _ => return Err("a chain reads only 32-bit values".into()),
    };
    if n < len {
        return Err("a chain's input is shorter than its chunk".into());
    }
    Ok(ptr)
}

/// Kernels at least this large run on two threads.
const PARALLEL_MIN_ELEMENTS: usize = 1 << 16;

/// An empty `dtype` buffer with room for `n` elements.
pub(crate) fn uninit(dtype: DType, n: usize) -> Result<Buffer, String> {
    Ok(match dtype {
        DType::F32 => Buffer::F32(alloc(n)?),
        DType::F64 => Buffer::F64(alloc(n)?),
        DType::I32 => Buffer::I32(alloc(n)?),
        DType::U32 => Buffer::U32(alloc(n)?),
        DType::Bool => Buffer::Bool(alloc(n)?),
    })
}

/// A buffer of `n` zeros (false for `Bool`), its memory from the pool when it can.
pub(crate) fn zeros(dtype: DType, n: usize) -> Result<Buffer, String> {
    Ok(match dtype {
        DType::F32 => Buffer::F32(super::filled(n, 0.0)?),
        DType::F64 => Buffer::F64(super::filled(n, 0.0)?),
        DType::I32 => Buffer::I32(super::filled(n, 0)?),
        DType::U32 => Buffer::U32(super::filled(n, 0)?),
        DType::Bool => Buffer::Bool(super::filled(n, false)?),
    })
}

/// The spare capacity of `b`, to be written.
pub(crate) fn spare(b: &mut Buffer) -> Out<'_> {
    match b {
        Buffer::F32(v) => Out::F32(v.spare_capacity_mut()),
        Buffer::F64(v) => Out::F64(v.spare_capacity_mut()),
        Buffer::I32(v) => Out::I32(v.spare_capacity_mut()),
        Buffer::U32(v) => Out::U32(v.spare_capacity_mut()),
        Buffer::Bool(v) => Out::Bool(v.spare_capacity_mut()),
    }
}

/// Sets the length of the vector inside `b`.
///
/// # Safety
/// The first `n` elements of its spare capacity must have been written.
pub(crate) unsafe fn set_len(b: &mut Buffer, n: usize) {
    // SAFETY: as required of the caller; `uninit` reserved at least `n` elements.
    unsafe { crate::with_buffer!(b, v => v.set_len(n)) }
}

/// An input of a kernel: all of a value (a buffer's elements, or one element of a larger
/// value standing for a one-element value: a key word read where it lies, see `moves`),
/// or the part of one that starts at element `offset` (what one thread of a row-split
/// region has computed).
#[derive(Clone, Copy)]
pub(crate) enum View<'a> {
    /// Every element.
    Whole(Slice<'a>),
    /// Elements `offset..offset + slice.len()`.
    Part {
        /// The elements.
        slice: Slice<'a>,
        /// The index of the first.
        offset: usize,
    },
}

/// The inputs among `srcs` read as scalars.
fn scalar_inputs(srcs: &[Src]) -> Vec<usize> {
    srcs.iter()
        .filter_map(|s| match s {
            Src::Scalar(i) => Some(*i),
            _ => None,
        })
        .collect()
}

/// Writes the broadcast fills among `instrs` (splats and tiles of inputs) into the first
/// `len` slots of their registers' chunks (`len` at most the chunks' length).
fn fill_patterns(
    instrs: &[Instr],
    inputs: &[View<'_>],
    chunks: &[RegisterChunk<'_>],
    len: usize,
) -> Result<(), String> {
    for instr in instrs {
        if let Instr::Splat(i, r) | Instr::Tile(i, r) = *instr {
            let first_only = matches!(instr, Instr::Splat(..));
            let chunk = *chunks.get(r).ok_or("a fused register is missing")?;
            if len > chunk.len {
                return Err("a fill is longer than its register's chunk".into());
            }
            // SAFETY: `len` is at most the chunk's length (checked), and nothing else
            // reads or writes the chunk during the fill.
            repeat(
                whole(inputs, i)?,
                unsafe { chunk.slots(len) },
                0,
                first_only,
            )?;
        }
    }
    Ok(())
}

/// All of input `i` (patterns and scalars are read from their start).
fn whole<'a>(inputs: &[View<'a>], i: usize) -> Result<Slice<'a>, String> {
    match inputs.get(i) {
        Some(View::Whole(s)) => Ok(*s),
        Some(View::Part { .. }) => Err("a broadcast input must be whole".into()),
        None => Err("a fused input is missing".into()),
    }
}

/// The chunk of one register for a run: where its first element lies (on a cache
/// line) and its dtype, so that each instruction finds its operands without looking
/// up (or moving) the register's buffer.
#[derive(Clone, Copy)]
struct RegisterChunk<'r> {
    dtype: DType,
    start: *mut u8,
    /// Its elements, in the register borrowed for the run.
    len: usize,
    register: std::marker::PhantomData<&'r mut Buffer>,
}

impl<'r> RegisterChunk<'r> {
    /// The chunk of `register` (of `dtype`, holding at least its lead and `chunk`
    /// elements), for as long as the register is borrowed.
    fn new(register: &'r mut Buffer, dtype: DType, chunk: usize) -> Result<Self, String> {
        let at = lead(register);
        if register.dtype() != dtype || register.len() < at + chunk {
            return Err("a fused kernel's register is smaller than its chunk".into());
        }
        let start = crate::with_buffer!(register, v => v[at..].as_mut_ptr() as *mut u8);
        Ok(RegisterChunk {
            dtype,
            start,
            len: chunk,
            register: std::marker::PhantomData,
        })
    }

    /// The first `len` values of the chunk.
    ///
    /// # Safety
    /// `len` is at most the chunk length, and no slots of this chunk are written while
    /// the slice lives.
    unsafe fn values(self, len: usize) -> Slice<'r> {
        // SAFETY: as required of the caller; the register's elements are initialized.
        unsafe {
            match self.dtype {
                DType::F32 => Slice::F32(std::slice::from_raw_parts(self.start.cast(), len)),
                DType::F64 => Slice::F64(std::slice::from_raw_parts(self.start.cast(), len)),
                DType::I32 => Slice::I32(std::slice::from_raw_parts(self.start.cast(), len)),
                DType::U32 => Slice::U32(std::slice::from_raw_parts(self.start.cast(), len)),
                DType::Bool => Slice::Bool(std::slice::from_raw_parts(self.start.cast(), len)),
            }
        }
    }

    /// The first `len` slots of the chunk, to be overwritten.
    ///
    /// # Safety
    /// `len` is at most the chunk length, and nothing else reads or writes this chunk
    /// while the slots live.
    unsafe fn slots(self, len: usize) -> Out<'r> {
        use std::slice::from_raw_parts_mut as slots;
        // SAFETY: as required of the caller (values written through an `Out` keep the
        // register's elements initialized).
        unsafe {
            match self.dtype {
                DType::F32 => Out::F32(slots(self.start.cast(), len)),
                DType::F64 => Out::F64(slots(self.start.cast(), len)),
                DType::I32 => Out::I32(slots(self.start.cast(), len)),
                DType::U32 => Out::U32(slots(self.start.cast(), len)),
                DType::Bool => Out::Bool(slots(self.start.cast(), len)),
            }
        }
    }
}

/// The current chunk (`range` of the inputs) of a value read from an input.
#[inline(always)]
fn read<'a>(
    s: Src,
    inputs: &[View<'a>],
    range: std::ops::Range<usize>,
) -> Result<Slice<'a>, String> {
    match s {
        Src::Reg(_) => Err("a register read as an input".into()),
        Src::Scalar(i) => Ok(whole(inputs, i)?.sub(0..1)),
        Src::Input(i) => match inputs.get(i) {
            Some(View::Whole(s)) if range.end <= s.len() => Ok(s.sub(range)),
            Some(View::Whole(_)) => Err("a fused input is shorter than its kernel".into()),
            Some(View::Part { slice, offset }) => {
                let start = range.start.checked_sub(*offset);
                let end = range.end.checked_sub(*offset);
                match (start, end) {
                    (Some(a), Some(b)) => Ok(slice.sub(a..b)),
                    _ => Err("a fused input part does not cover the chunk".into()),
                }
            }
            None => Err("a fused input is missing".to_string()),
        },
    }
}

/// Fills `dst` with elements `start..` of `b` repeated without end — or, when
/// `first_only`, with `b`'s first element (a constant whose elements are all equal).
fn repeat(b: Slice<'_>, dst: Out<'_>, start: usize, first_only: bool) -> Result<(), String> {
    fn fill<T: Copy>(src: &[T], dst: &mut [MaybeUninit<T>], start: usize) -> Result<(), String> {
        let len = dst.len();
        if src.is_empty() {
            return Err("a broadcast of an empty value".into());
        }
        if let [v] = src {
            dst.fill(MaybeUninit::new(*v));
            return Ok(());
        }
        // One period (rotated to `start`), then the filled part doubled: a few long
        // copies instead of one short copy per period.
        let period = src.len().min(len);
        let at = start % src.len();
        let head = (src.len() - at).min(period);
        let put = |dst: &mut [MaybeUninit<T>], src: &[T]| {
            for (d, &s) in dst.iter_mut().zip(src) {
                d.write(s);
            }
        };
        put(&mut dst[..head], &src[at..at + head]);
        put(&mut dst[head..period], &src[..period - head]);
        let mut done = period;
        while done < len {
            let n = done.min(len - done);
            dst.copy_within(..n, done);
            done += n;
        }
        Ok(())
    }
    fn pattern<T>(src: &[T], first_only: bool) -> &[T] {
        if first_only {
            &src[..src.len().min(1)]
        } else {
            src
        }
    }
    match (b, dst) {
        (Slice::F32(s), Out::F32(d)) => fill(pattern(s, first_only), d, start),
        (Slice::F64(s), Out::F64(d)) => fill(pattern(s, first_only), d, start),
        (Slice::I32(s), Out::I32(d)) => fill(pattern(s, first_only), d, start),
        (Slice::U32(s), Out::U32(d)) => fill(pattern(s, first_only), d, start),
        (Slice::Bool(s), Out::Bool(d)) => fill(pattern(s, first_only), d, start),
        _ => Err("a broadcast between dtypes".into()),
    }
}

/// Reduces consecutive rows of `row` elements of `x` into `out` (one per row).
fn reduce_rows(op: ReduceOp, x: Slice<'_>, row: usize, out: Out<'_>) -> Result<(), String> {
    fn go<T: Scalar>(
        op: ReduceOp,
        x: &[T],
        row: usize,
        out: &mut [std::mem::MaybeUninit<T>],
    ) -> Result<(), String> {
        if x.len() != out.len() * row {
            return Err("a fused reduction's rows do not fit its chunk".into());
        }
        vectorized(
            #[inline(always)]
            || {
                if op == ReduceOp::Sum {
                    T::sum_rows(x, row, out);
                } else {
                    for (o, r) in out.iter_mut().zip(x.chunks_exact(row)) {
                        o.write(reduce_group(op, r));
                    }
                }
            },
        );
        Ok(())
    }
    match (x, out) {
        (Slice::F32(x), Out::F32(o)) => go(op, x, row, o),
        (Slice::F64(x), Out::F64(o)) => go(op, x, row, o),
        (Slice::I32(x), Out::I32(o)) => go(op, x, row, o),
        (Slice::U32(x), Out::U32(o)) => go(op, x, row, o),
        (Slice::Bool(x), Out::Bool(o)) => go(op, x, row, o),
        _ => Err("a fused reduction between dtypes".into()),
    }
}

/// One chunk of a long row's reduction: sums of the chunk's pairwise leaves into
/// `partials` (for a sum), or the running extreme in `partials[0]` (for `max`/`min`);
/// on the row's last chunk, the result into `out`.
fn reduce_long_row(
    op: ReduceOp,
    x: Slice<'_>,
    part: RowPart<'_>,
    partials: &mut Buffer,
    row: usize,
    out: Out<'_>,
) -> Result<(), String> {
    fn go<T: Scalar>(
        op: ReduceOp,
        x: &[T],
        part: RowPart<'_>,
        partials: &mut [T],
        row: usize,
        out: &mut [std::mem::MaybeUninit<T>],
    ) -> Result<(), String> {
        let offset = part.leaves.first().map_or(0, |l| l.start);
        let leaf = |l: &std::ops::Range<usize>| x.get(l.start - offset..l.end - offset);
        match op {
            ReduceOp::Sum => {
                for (i, l) in part.leaves.iter().enumerate() {
                    let slot = partials
                        .get_mut(part.first_leaf + i)
                        .ok_or("a long row has more leaves than partial sums")?;
                    *slot = reduce_group(op, leaf(l).ok_or("a leaf outside its chunk")?);
                }
            }
            ReduceOp::Max | ReduceOp::Min | ReduceOp::Prod => {
                // One running value, continued from chunk to chunk in element order.
                if part.first_leaf == 0 {
                    partials[0] = identity(op);
                }
                let f = match op {
                    ReduceOp::Max => T::max,
                    ReduceOp::Min => T::min,
                    _ => T::mul,
                };
                partials[0] = x.iter().fold(partials[0], |a, &v| f(a, v));
            }
        }
        if part.last {
            let value = match op {
                ReduceOp::Sum => pairwise_combine(row, partials),
                _ => partials[0],
            };
            out.first_mut()
                .ok_or("a long row's result has no slot")?
                .write(value);
        }
        Ok(())
    }
    match (x, partials, out) {
        (Slice::F32(x), Buffer::F32(p), Out::F32(o)) => go(op, x, part, p, row, o),
        (Slice::F64(x), Buffer::F64(p), Out::F64(o)) => go(op, x, part, p, row, o),
        _ => Err("a long row's reduction must be of floats".into()),
    }
}

/// Register allocation while compiling a group.
struct Builder<'a> {
    program: &'a Program,
    registers: Vec<DType>,
    free: Vec<usize>,
    /// Registers filled before the chunks run (from constants or per call), never
    /// reused.
    pins: Vec<usize>,
    fixed: Vec<Instr>,
    prologue: Vec<Instr>,
    instrs: Vec<Instr>,
    values: HashMap<Var, Src>,
    /// The register each scalar input was splatted into, where one needed it.
    splats: HashMap<usize, usize>,
    /// Whether each group input is a constant (its splats are filled once).
    constant_inputs: Vec<bool>,
}

impl Builder<'_> {
    /// A free register of `dtype`, or a new one.
    fn register(&mut self, dtype: DType) -> usize {
        if let Some(i) = self.free.iter().position(|&r| self.registers[r] == dtype) {
            return self.free.swap_remove(i);
        }
        self.registers.push(dtype);
        self.registers.len() - 1
    }

    /// A register of its own, filled once per call.
    fn pinned(&mut self, dtype: DType) -> usize {
        self.registers.push(dtype);
        self.pins.push(self.registers.len() - 1);
        self.registers.len() - 1
    }

    /// `s` where any instruction can read it: a scalar input splatted into a register
    /// of its own (once per input).
    fn in_register(&mut self, s: Src, dtype: DType) -> Src {
        let Src::Scalar(i) = s else {
            return s;
        };
        if let Some(&r) = self.splats.get(&i) {
            return Src::Reg(r);
        }
        let r = self.pinned(dtype);
        self.fill(Instr::Splat(i, r), i);
        self.splats.insert(i, r);
        Src::Reg(r)
    }

    /// Adds `fill` of a pinned register from group input `input`: once per register set
    /// when the input is a constant, else once per call.
    fn fill(&mut self, fill: Instr, input: usize) {
        if self.constant_inputs.get(input).copied().unwrap_or(false) {
            self.fixed.push(fill);
        } else {
            self.prologue.push(fill);
        }
    }

    fn src(&self, v: Var) -> Result<Src, String> {
        self.values.get(&v).copied().ok_or_else(|| {
            format!(
                "a fused value of type {} is read before it is defined",
                self.program.var_type(v)
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::{REGISTER_ALIGN, lead};
    use crate::array::{Buffer, DType};

    #[test]
    fn register_chunks_start_on_a_cache_line_within_their_padding() {
        for dtype in [DType::F32, DType::F64, DType::I32, DType::U32, DType::Bool] {
            let pad = REGISTER_ALIGN / dtype.size_bytes();
            for n in [1, 16, 100] {
                let b = Buffer::zeros(dtype, n + pad).unwrap();
                let at = lead(&b);
                assert!(at < pad, "{dtype:?}: lead {at} of padding {pad}");
                let address = crate::with_buffer!(&b, v => v[at..].as_ptr() as usize);
                assert_eq!(address % REGISTER_ALIGN, 0, "{dtype:?}");
            }
        }
    }
}
