//! Runs of a fused kernel's cheap elementwise instructions compiled to machine code, so
//! that their intermediate values stay in vector registers.
//!
//! A fused kernel runs each instruction over a whole chunk before the next (see
//! `fused`): every instruction loads its operands from and stores its result to the
//! chunk's registers in L1. For an `exp` or a `log` that traffic is small beside the
//! arithmetic; for an add or a multiply it is most of the cost (about 1.6 cycles per 16
//! elements here, against about 0.5 for the operation itself). A run of two or more such
//! instructions — `f32`, `i32` and `u32` adds, subtractions and products, quotients,
//! `max` and `min` of floats, bitwise operations, shifts, negation, fused multiply-adds,
//! bitcasts between 32-bit types, and copies into outputs — becomes one [`Chain`]: a
//! loop over the chunk, 16 elements at a time, that loads each operand once, keeps every
//! value in a `zmm` register, and stores only what later instructions or the kernel's
//! outputs read. The last partial vector runs under a mask.
//!
//! Each operation is the same IEEE operation the instruction's slice loop performs
//! (`vaddps` for `+`, `vfmadd` for `mul_add`, ...), and where the loop's semantics differ
//! from the machine's the code adds the difference (`max` and `min` give the canonical
//! NaN when either operand is NaN), so a chain's results are the instructions' results
//! bit for bit (the tests compare them on special values), up to which NaN a NaN result
//! is: that depends on the order of the operands in the machine instruction, which the
//! compiler already chooses freely for the slice loops. Chains exist only where the
//! CPU has AVX-512 and the system gives executable memory; the kernel keeps its plain
//! instructions for other CPUs (and for a thread whose kernels are pinned to a lower
//! vector width).
//!
//! `exp` and `ln` stay separate passes: inside a chain they were no faster (those
//! kernels are bound by arithmetic, and a pass's loads and stores use ports that would
//! otherwise idle), and two in one chain were much slower (each vector a long dependent
//! sequence that out-of-order execution cannot overlap enough).

use super::super::native::{
    Asm, CMP_UNORD_Q, ExecCode, Op, RAX, RCX, RDI, RDX, RSI, Rm, VADDPS, VBROADCASTSS, VCMPPS,
    VDIVPS, VFMADD213PS, VMAXPS, VMINPS, VMOVAPS, VMOVUPS_LOAD, VMOVUPS_STORE, VMULPS, VPADDD,
    VPANDD, VPBROADCASTD_GPR, VPMULLD, VPORD, VPSLLVD, VPSRLVD, VPSUBD, VPXORD, VSUBPS, Zmm,
};
use super::{Dst, Instr, Src};
use crate::array::DType;
use crate::ir::{BinaryOp, UnaryOp};
use std::collections::HashMap;

/// The most pointers a chain reads from or writes through.
pub(super) const MAX_STREAMS: usize = 24;

/// The vector registers a chain may use (all 32; none is preserved across calls).
const ZMM_REGISTERS: usize = 32;

/// Where a chain reads or writes elements, resolved to a pointer for each chunk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(super) enum Stream {
    /// A scratch register's chunk (read: its value before the chain; written: a value
    /// read after it).
    Reg(usize),
    /// The current chunk of an input.
    Input(usize),
    /// Element 0 of an input, for every element.
    Scalar(usize),
    /// The current chunk of an output.
    Out(usize),
}

/// Compiled instructions: the code and the streams whose pointers it takes, in order.
#[derive(Debug)]
pub(super) struct Chain {
    pub(super) streams: Vec<Stream>,
    /// The scratch registers it reads (their values from before it).
    pub(super) reads: Vec<usize>,
    /// The scratch registers it writes (values read after it).
    pub(super) writes: Vec<usize>,
    /// How many instructions it replaces (read by the tests).
    #[cfg(test)]
    pub(super) instructions: usize,
    code: ExecCode,
}

impl Chain {
    /// Runs the chain over `len` elements whose stream pointers are `ptrs` (in the order
    /// of `streams`).
    ///
    /// # Safety
    /// Each pointer must be valid for `len` 32-bit elements (reads, or writes for
    /// registers and outputs it stores), one element for a scalar; the CPU must have
    /// AVX-512 (chains are built only where it does).
    pub(super) unsafe fn run(&self, ptrs: &[*mut u8], len: usize) {
        let tail = len % 16;
        let mask = (1usize << tail) - 1;
        // SAFETY: as required of the caller; the code reads `ptrs[k]` for each stream.
        unsafe { self.code.call(ptrs.as_ptr(), len / 16, mask) }
    }
}

/// The instruction list with each run of two or more instructions a chain can compute
/// replaced by one `Instr::Chain`, or `None` where nothing was replaced (or chains are
/// unavailable). `dtype` gives each operand's element type.
pub(super) fn form(instrs: &[Instr], dtype: &dyn Fn(Src) -> Option<DType>) -> Option<Vec<Instr>> {
    if !available() {
        return None;
    }
    let steps: Vec<Option<Step>> = instrs.iter().map(|i| step(i, dtype)).collect();
    let mut out = Vec::with_capacity(instrs.len());
    let mut replaced = false;
    let mut i = 0;
    while i < instrs.len() {
        // The longest run from `i` whose code fits the registers and streams.
        let mut run: Vec<Step> = Vec::new();
        while let Some(Some(s)) = steps.get(i + run.len()) {
            run.push(*s);
            if layout(&run).is_none() {
                run.pop();
                break;
            }
        }
        let end = i + run.len();
        if run.len() >= 2
            && let Some(chain) = compile(&run, &instrs[end..])
        {
            out.push(Instr::Chain(std::sync::Arc::new(chain)));
            replaced = true;
            i = end;
        } else {
            out.push(instrs[i].clone());
            i += 1;
        }
    }
    replaced.then_some(out)
}

/// Whether this machine runs chains: x86-64 with AVX-512 on a Unix system.
fn available() -> bool {
    cfg!(all(target_arch = "x86_64", unix))
        && super::super::simd::level() == super::super::simd::Level::Avx512
}

/// Whether values of `d` fill 32-bit lanes (the lanes chains compute on).
fn is_word(d: Option<DType>) -> bool {
    matches!(d, Some(DType::F32 | DType::I32 | DType::U32))
}

/// An instruction as a chain computes it, with its operands' element type resolved.
#[derive(Clone, Copy, Debug)]
enum Step {
    /// `d = x op y`; `nan`: a float `max` or `min`, which gives the canonical NaN.
    Binary {
        code: Op,
        nan: bool,
        x: Src,
        y: Src,
        d: Dst,
    },
    /// `d = -x`, of floats (a sign flip) or of integers (wrapping).
    Neg { float: bool, x: Src, d: Dst },
    /// `d = a * b + c`, rounded once.
    Fma { a: Src, b: Src, c: Src, d: Dst },
    /// `d = x`, read as another 32-bit type; or a copy of `x` into an output (a
    /// `Store`).
    Bitcast { x: Src, d: Dst },
}

impl Step {
    /// The operands.
    fn srcs(&self) -> Vec<Src> {
        match *self {
            Step::Binary { x, y, .. } => vec![x, y],
            Step::Neg { x, .. } | Step::Bitcast { x, .. } => vec![x],
            Step::Fma { a, b, c, .. } => vec![a, b, c],
        }
    }

    /// Where the result goes.
    fn dst(&self) -> Dst {
        match *self {
            Step::Binary { d, .. }
            | Step::Neg { d, .. }
            | Step::Fma { d, .. }
            | Step::Bitcast { d, .. } => d,
        }
    }
}

/// `instr` as a chain step, if a chain can compute it.
fn step(instr: &Instr, dtype: &dyn Fn(Src) -> Option<DType>) -> Option<Step> {
    match *instr {
        Instr::Binary(op, x, y, d) => {
            let t = dtype(x);
            if t != dtype(y) || !is_word(t) {
                return None;
            }
            let code = binary_code(op, t?)?;
            let nan = matches!(op, BinaryOp::Max | BinaryOp::Min);
            Some(Step::Binary { code, nan, x, y, d })
        }
        Instr::Unary(UnaryOp::Neg, x, d) => {
            let t = dtype(x);
            is_word(t).then_some(Step::Neg {
                float: t == Some(DType::F32),
                x,
                d,
            })
        }
        Instr::Fma(a, b, c, d) => [a, b, c]
            .iter()
            .all(|&s| dtype(s) == Some(DType::F32))
            .then_some(Step::Fma { a, b, c, d }),
        Instr::Bitcast(x, d) => is_word(dtype(x)).then_some(Step::Bitcast { x, d }),
        Instr::Store(x, o) => is_word(dtype(x)).then_some(Step::Bitcast { x, d: Dst::Out(o) }),
        _ => None,
    }
}

/// The instruction of a binary operation on 32-bit lanes of `dtype`.
fn binary_code(op: BinaryOp, dtype: DType) -> Option<Op> {
    Some(match (dtype, op) {
        (DType::F32, BinaryOp::Add) => VADDPS,
        (DType::F32, BinaryOp::Sub) => VSUBPS,
        (DType::F32, BinaryOp::Mul) => VMULPS,
        (DType::F32, BinaryOp::Div) => VDIVPS,
        (DType::F32, BinaryOp::Max) => VMAXPS,
        (DType::F32, BinaryOp::Min) => VMINPS,
        (DType::I32 | DType::U32, BinaryOp::Add) => VPADDD,
        (DType::I32 | DType::U32, BinaryOp::Sub) => VPSUBD,
        (DType::I32 | DType::U32, BinaryOp::Mul) => VPMULLD,
        (DType::I32 | DType::U32, BinaryOp::And) => VPANDD,
        (DType::I32 | DType::U32, BinaryOp::Or) => VPORD,
        (DType::I32 | DType::U32, BinaryOp::Xor) => VPXORD,
        (DType::I32 | DType::U32, BinaryOp::ShiftLeft) => VPSLLVD,
        (DType::I32 | DType::U32, BinaryOp::ShiftRightLogical) => VPSRLVD,
        _ => return None,
    })
}

/// Constants the code keeps in registers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
enum Constant {
    /// `0x8000_0000`: flips an `f32`'s sign.
    Sign,
    /// Zero, to negate integers from.
    Zero,
    /// The canonical NaN `max` and `min` give.
    Nan,
}

impl Constant {
    /// The bits of each lane.
    fn bits(self) -> u32 {
        match self {
            Constant::Sign => 0x8000_0000,
            Constant::Zero => 0,
            Constant::Nan => f32::NAN.to_bits(),
        }
    }
}

/// What a run's code keeps in registers for the whole call: its constants and scalars.
struct Layout {
    constants: Vec<Constant>,
    scalars: Vec<usize>,
}

/// The layout of `run`'s code, or `None` where it needs more than the 32 vector
/// registers (those kept for the call, plus each loop iteration's loaded operands and
/// results) or more than [`MAX_STREAMS`] pointers.
fn layout(run: &[Step]) -> Option<Layout> {
    let mut constants = Vec::new();
    let mut scalars = Vec::new();
    let mut loaded: Vec<Src> = Vec::new();
    let mut written: Vec<usize> = Vec::new();
    let mut streams: Vec<Stream> = Vec::new();
    let mut stream = |s: Stream| {
        if !streams.contains(&s) {
            streams.push(s);
        }
    };
    let mut constant = |c: Constant| {
        if !constants.contains(&c) {
            constants.push(c);
        }
    };
    for step in run {
        match *step {
            Step::Binary { nan: true, .. } => constant(Constant::Nan),
            Step::Neg { float: true, .. } => constant(Constant::Sign),
            Step::Neg { float: false, .. } => constant(Constant::Zero),
            _ => {}
        }
        for s in step.srcs() {
            match s {
                Src::Scalar(i) => {
                    if !scalars.contains(&i) {
                        scalars.push(i);
                    }
                    stream(Stream::Scalar(i));
                }
                Src::Reg(r) if written.contains(&r) => {}
                Src::Reg(r) => {
                    if !loaded.contains(&s) {
                        loaded.push(s);
                    }
                    stream(Stream::Reg(r));
                }
                Src::Input(i) => {
                    if !loaded.contains(&s) {
                        loaded.push(s);
                    }
                    stream(Stream::Input(i));
                }
            }
        }
        match step.dst() {
            Dst::Reg(r) => {
                written.push(r);
                stream(Stream::Reg(r));
            }
            Dst::Out(o) => stream(Stream::Out(o)),
        }
    }
    let registers = constants.len() + scalars.len() + loaded.len() + run.len();
    (registers <= ZMM_REGISTERS && streams.len() <= MAX_STREAMS)
        .then_some(Layout { constants, scalars })
}

/// The code of `run` (a run of chainable instructions), given the instructions after it
/// (which decide what it must store), or `None` where it does not fit or the system
/// refuses executable memory.
fn compile(run: &[Step], after: &[Instr]) -> Option<Chain> {
    let Layout { constants, scalars } = layout(run)?;
    // Registers written in the run that an instruction after it reads before writing.
    let live_after = |r: usize| {
        for instr in after {
            let (reads, writes) = instr.registers();
            if reads.contains(&r) {
                return true;
            }
            if writes.contains(&r) {
                return false;
            }
        }
        false
    };
    let mut streams: Vec<Stream> = Vec::new();
    let mut slot = |s: Stream| -> i32 {
        let k = streams.iter().position(|&t| t == s).unwrap_or_else(|| {
            streams.push(s);
            streams.len() - 1
        });
        (k * 8) as i32
    };
    let mut asm = Asm::default();
    // Arguments: rdi the stream pointers, rsi whole vectors, rdx the last one's mask.
    asm.zero_gpr(RCX);
    // Constants and scalars, in the first registers, for the whole call.
    let mut next: Zmm = 0;
    let mut constant_reg: HashMap<Constant, Zmm> = HashMap::new();
    for c in constants {
        asm.mov_imm32(RAX, c.bits());
        asm.evex(VPBROADCASTD_GPR, next, 0, Rm::Reg(RAX), 0, false, None);
        constant_reg.insert(c, next);
        next += 1;
    }
    let mut scalar_reg: HashMap<usize, Zmm> = HashMap::new();
    for i in scalars {
        asm.load_gpr(RAX, RDI, slot(Stream::Scalar(i)));
        let at = Rm::Mem {
            base: RAX,
            index: None,
        };
        asm.evex(VBROADCASTSS, next, 0, at, 0, false, None);
        scalar_reg.insert(i, next);
        next += 1;
    }
    let first_free = next;
    // The loop over whole vectors (mask k1 all ones), then the last partial vector.
    asm.mov_imm32(RAX, 0xffff);
    asm.kmovw(1, RAX);
    let kept = (&constant_reg, &scalar_reg);
    let mut vector = |asm: &mut Asm| body(asm, run, &live_after, &mut slot, kept, first_free);
    asm.test_gpr(RSI);
    let skip_loop = asm.jz_forward();
    let top = asm.here();
    vector(&mut asm)?;
    asm.add_imm8(RCX, 64);
    asm.dec(RSI);
    asm.jnz_back(top);
    asm.bind(skip_loop);
    asm.test_gpr(RDX);
    let done = asm.jz_forward();
    asm.kmovw(1, RDX);
    vector(&mut asm)?;
    asm.bind(done);
    asm.ret();
    let code = ExecCode::new(asm.bytes())?;
    let mut reads = Vec::new();
    let mut written = Vec::new();
    for step in run {
        for s in step.srcs() {
            if let Src::Reg(r) = s
                && !written.contains(&r)
                && !reads.contains(&r)
            {
                reads.push(r);
            }
        }
        if let Dst::Reg(r) = step.dst() {
            written.push(r);
        }
    }
    written.sort_unstable();
    written.dedup();
    let writes = written.into_iter().filter(|&r| live_after(r)).collect();
    Some(Chain {
        streams,
        reads,
        writes,
        #[cfg(test)]
        instructions: run.len(),
        code,
    })
}

/// One vector's worth of `run`: loads, operations, stores, with `k1` masking the memory
/// accesses and the registers from `first_free` on for this vector's values.
fn body(
    asm: &mut Asm,
    run: &[Step],
    live_after: &dyn Fn(usize) -> bool,
    slot: &mut dyn FnMut(Stream) -> i32,
    (constants, scalars): (&HashMap<Constant, Zmm>, &HashMap<usize, Zmm>),
    first_free: Zmm,
) -> Option<()> {
    let next = std::cell::Cell::new(first_free);
    let fresh = || {
        let r = next.get();
        next.set(r + 1);
        (usize::from(r) < ZMM_REGISTERS).then_some(r)
    };
    // The register holding each scratch register's and input's current vector.
    let mut value: HashMap<Src, Zmm> = HashMap::new();
    let element = Rm::Mem {
        base: RAX,
        index: Some(RCX),
    };
    // An operand's register: a scalar's, a value computed or loaded before, or a load.
    let mut operand = |asm: &mut Asm, s: Src, value: &mut HashMap<Src, Zmm>| {
        if let Src::Scalar(i) = s {
            return scalars.get(&i).copied();
        }
        if let Some(&z) = value.get(&s) {
            return Some(z);
        }
        let stream = match s {
            Src::Reg(r) => Stream::Reg(r),
            Src::Input(i) => Stream::Input(i),
            Src::Scalar(_) => return None,
        };
        let z = fresh()?;
        asm.load_gpr(RAX, RDI, slot(stream));
        asm.evex(VMOVUPS_LOAD, z, 0, element, 1, true, None);
        value.insert(s, z);
        Some(z)
    };
    let mut stores: Vec<(Stream, Zmm)> = Vec::new();
    for step in run {
        let z = match *step {
            Step::Binary {
                code, nan, x, y, ..
            } => {
                let (a, b) = (operand(asm, x, &mut value)?, operand(asm, y, &mut value)?);
                let z = fresh()?;
                asm.vvv(code, z, a, b);
                if nan {
                    // NaN in either operand: the canonical NaN, as the slice loops give.
                    asm.evex(VCMPPS, 2, a, Rm::Reg(b), 0, false, Some(CMP_UNORD_Q));
                    let nan = *constants.get(&Constant::Nan)?;
                    asm.evex(VMOVAPS, z, 0, Rm::Reg(nan), 2, false, None);
                }
                z
            }
            Step::Neg { float, x, .. } => {
                let a = operand(asm, x, &mut value)?;
                let z = fresh()?;
                if float {
                    asm.vvv(VPXORD, z, a, *constants.get(&Constant::Sign)?);
                } else {
                    asm.vvv(VPSUBD, z, *constants.get(&Constant::Zero)?, a);
                }
                z
            }
            Step::Fma { a, b, c, .. } => {
                let (a, b, c) = (
                    operand(asm, a, &mut value)?,
                    operand(asm, b, &mut value)?,
                    operand(asm, c, &mut value)?,
                );
                let z = fresh()?;
                // z = a; z = b * z + c: the exact product a * b, rounded once with c.
                asm.evex(VMOVAPS, z, 0, Rm::Reg(a), 0, false, None);
                asm.vvv(VFMADD213PS, z, b, c);
                z
            }
            Step::Bitcast { x, .. } => operand(asm, x, &mut value)?,
        };
        let d = step.dst();
        match d {
            Dst::Reg(r) => {
                value.insert(Src::Reg(r), z);
                stores.retain(|(s, _)| *s != Stream::Reg(r));
                if live_after(r) {
                    stores.push((Stream::Reg(r), z));
                }
            }
            Dst::Out(o) => stores.push((Stream::Out(o), z)),
        }
    }
    for (stream, z) in stores {
        asm.load_gpr(RAX, RDI, slot(stream));
        asm.evex(VMOVUPS_STORE, z, 0, element, 1, false, None);
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::super::{FusedKernel, Instr};
    use crate::backend::cpu::simd::{Level, level};
    use crate::compile::fusion::{Step, schedule};
    use crate::ir::{BinaryOp, UnaryOp};
    use crate::{Array, DType, jit, jit_program, lax};

    /// Lengths with and without a partial last vector, and of several chunks.
    const LENGTHS: [usize; 7] = [1, 5, 16, 17, 40, 333, 4099];

    /// A fixed pseudo-random sequence.
    fn words(n: usize, seed: u32) -> Vec<u32> {
        let mut s = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 17;
                s ^= s << 5;
                s
            })
            .collect()
    }

    /// Special values (NaNs with payloads and signs, zeros, infinities, subnormals,
    /// extremes) then pseudo-random floats of all magnitudes.
    fn floats(n: usize, seed: u32) -> Array {
        let special = [
            f32::NAN.to_bits(),
            0x7f80_0001,
            0xffc0_0123,
            0x8000_0000,
            0,
            f32::INFINITY.to_bits(),
            f32::NEG_INFINITY.to_bits(),
            0x0000_0001,
            0x807f_ffff,
            f32::MAX.to_bits(),
            1.5f32.to_bits(),
            (-3.0f32).to_bits(),
        ];
        let w = words(n, seed);
        let v: Vec<f32> = (0..n)
            .map(|i| {
                let bits = match special.get((i + seed as usize) % 24) {
                    Some(&b) => b,
                    // Mostly finite values of moderate size, some of any size.
                    None if i % 3 == 0 => w[i],
                    None => (w[i] & 0x807f_ffff) | (((w[i] >> 23) % 40 + 107) << 23),
                };
                f32::from_bits(bits)
            })
            .collect();
        Array::from_vec(v, &[n])
    }

    /// Pseudo-random words, with small ones (shift counts below and above 32) mixed in.
    fn ints(n: usize, seed: u32, dtype: DType) -> Array {
        let v: Vec<u32> = words(n, seed)
            .into_iter()
            .enumerate()
            .map(|(i, w)| if i % 4 == 0 { w % 40 } else { w })
            .collect();
        lax::bitcast(&Array::from_vec(v, &[n]), dtype)
    }

    /// The elements' bits, every NaN as the canonical one: which NaN an operation on
    /// NaNs returns depends on the order of its operands in the machine instruction,
    /// which the compiler chooses for the slice loops too.
    fn bits(a: &Array) -> Vec<u32> {
        let canonical = |x: f32| if x.is_nan() { f32::NAN } else { x };
        match a.dtype() {
            DType::F32 => a
                .to_vec::<f32>()
                .unwrap()
                .iter()
                .map(|&x| canonical(x).to_bits())
                .collect(),
            DType::I32 => a
                .to_vec::<i32>()
                .unwrap()
                .iter()
                .map(|&x| x as u32)
                .collect(),
            _ => a.to_vec::<u32>().unwrap(),
        }
    }

    type Args = (Array, Array, Array);

    /// How many of the instructions of `f`'s kernels (for `args`) run in chains here.
    fn chained(f: &dyn Fn(&Args) -> Array, args: &Args) -> usize {
        let p = jit_program(f, args).unwrap();
        let mut n = 0;
        for step in schedule(&p).steps {
            if let Step::Fused(g) = step {
                let k = FusedKernel::new(&p, &g, |_| false).unwrap();
                for instr in k.chained.iter().flatten() {
                    if let Instr::Chain(c) = instr {
                        n += c.instructions;
                    }
                }
            }
        }
        n
    }

    /// `f` jitted (its instructions in chains) gives eager `f`'s bits, on every length;
    /// at least `chained_at_least` of its instructions run in chains with AVX-512.
    fn same_bits(
        name: &str,
        make: impl Fn(usize) -> Args,
        f: impl Fn(&Args) -> Array + Copy,
        chained_at_least: usize,
    ) {
        for n in LENGTHS {
            let args = make(n);
            let eager = bits(&f(&args));
            let jitted = bits(&jit(f)(&args).unwrap());
            assert_eq!(jitted, eager, "{name}, {n} elements");
            if level() == Level::Avx512 {
                let c = chained(&f, &args);
                assert!(c >= chained_at_least, "{name}: {c} instructions chained");
            }
        }
    }

    fn three_floats(n: usize) -> Args {
        (floats(n, 1), floats(n, 2), floats(n, 3))
    }

    fn three_ints(dtype: DType) -> impl Fn(usize) -> Args {
        move |n| (ints(n, 4, dtype), ints(n, 5, dtype), ints(n, 6, dtype))
    }

    #[test]
    fn float_arithmetic_chains_give_the_instructions_bits() {
        same_bits(
            "+ * - /",
            three_floats,
            |(x, y, z)| ((x + y) * z - x) / y,
            4,
        );
        same_bits(
            "max min",
            three_floats,
            |(x, y, z)| (x.maximum(y) - z).minimum(x) + y.maximum(z),
            5,
        );
        same_bits(
            "scalars",
            three_floats,
            |(x, y, _)| (x * 2.5 - 1.0) / y + 0.25,
            4,
        );
        same_bits(
            "neg and fma",
            three_floats,
            |(x, y, z)| lax::unary(UnaryOp::Neg, &lax::fma(x, y, z)) * x - y,
            4,
        );
        // A value both returned and read again: its copy into the output joins the chain.
        same_bits(
            "stores",
            three_floats,
            |(x, y, z)| {
                let s = x + y;
                let t = &s * z;
                crate::stack(&[&s, &t, &(&t - x)], 0)
            },
            3,
        );
    }

    #[test]
    fn integer_chains_give_the_instructions_bits() {
        for dtype in [DType::U32, DType::I32] {
            same_bits(
                "bitwise",
                three_ints(dtype),
                |(a, b, c)| {
                    let x = lax::binary(BinaryOp::Xor, a, b);
                    let o = lax::binary(BinaryOp::Or, &x, c);
                    lax::binary(BinaryOp::And, &o, a)
                },
                3,
            );
            same_bits(
                "shifts",
                three_ints(dtype),
                |(a, b, c)| {
                    let l = lax::binary(BinaryOp::ShiftLeft, a, c);
                    let r = lax::binary(BinaryOp::ShiftRightLogical, b, c);
                    lax::binary(BinaryOp::Xor, &l, &r)
                },
                3,
            );
            same_bits(
                "add sub mul neg",
                three_ints(dtype),
                |(a, b, c)| {
                    let s = lax::binary(BinaryOp::Add, a, b);
                    let m = lax::binary(BinaryOp::Mul, &s, c);
                    let d = lax::binary(BinaryOp::Sub, &m, a);
                    lax::unary(UnaryOp::Neg, &d)
                },
                4,
            );
        }
    }

    #[test]
    fn bitcasts_chain_between_floats_and_words() {
        same_bits(
            "bitcast",
            |n| (floats(n, 7), ints(n, 8, DType::U32), floats(n, 9)),
            |(x, w, z)| {
                let b = lax::bitcast(&(x * z), DType::U32);
                let m = lax::binary(BinaryOp::Xor, &b, w);
                lax::bitcast(&m, DType::F32) + z
            },
            4,
        );
    }
}
