//! The CPU backend: a kernel for every primitive and dtype, fused kernels, and the plan
//! `jit` runs.
//!
//! [`eval`] dispatches on the primitive (exhaustively); the kernels live one concern per
//! file: `elementwise` (unary, binary, compare, select, fma, convert, bitcast), `layout`
//! (broadcast, reshape, transpose, slice, pad, concatenate, iota), `gather` (take,
//! scatter-add), `reduce` (reductions, arg-reductions, cumsum), `dot` (`dot_general`,
//! through `gemm` for floats), `linalg` (`cholesky`, `triangular_solve`), `threefry` and
//! `erf_inv`. The per-dtype scalar semantics (wrapping integers, XLA's division
//! conventions, NaN-propagating max/min) are in `scalar`, the fast `f32` `exp` and `ln` in
//! [`math`]. Every loop is compiled for the CPU's widest vector instruction set (`simd`).
//! `fused` runs groups of elementwise equations as one chunked kernel, `plan` runs a
//! whole program, `pool` recycles its buffers and `worker` is the helper thread large
//! kernels split their work with.

mod cache;
mod control;
mod dot;
mod elementwise;
mod erf;
mod erf_inv;
mod fused;
mod gather;
mod layout;
mod linalg;
mod log_sum;
pub mod math;
pub mod math_f64;
mod moves;
mod native;
mod plan;
mod pool;
pub(crate) use pool::{Recycled, recycle};
mod reduce;
mod rows;
mod scalar;
mod simd;
mod small_dot;
mod strided;
mod thread_slot;
pub(crate) use thread_slot::ThreadSlot;
mod threefry;
mod worker;

pub(crate) use elementwise::{Slice, binary_slices};
pub use erf::{erf_f32, erf_f64};
pub use erf_inv::{erf_inv_f32, erf_inv_f64};
pub(crate) use plan::Plan;

use crate::array::{Buffer, Element};
use crate::ir::{ArrayType, Primitive, output_types};

/// How `jit` runs `program` on this machine, a step per line: single equations
/// (`equation 3: dot_general`), fused kernels (`kernel over 1280 elements`) and row-split
/// regions, whose steps two threads run side by side, each on half of the rows (`rows
/// 128 split at 64: ...`; only where a second core is available).
///
/// ```
/// use autobatch::{backend::cpu::describe_plan, jit_program, Array};
/// let p = jit_program(|x: &Array| (x.exp() + 1.0).log(), &Array::zeros(&[4])).unwrap();
/// assert_eq!(describe_plan(&p), "kernel over 4 elements");
/// ```
pub fn describe_plan(program: &crate::ir::Program) -> String {
    match Plan::new(program.clone()) {
        Some(plan) => plan.describe(),
        None => "no plan: a constant is not concrete".to_string(),
    }
}

/// `op` elementwise on two buffers of one dtype, each either of the result's length or a
/// single element read for every element (an eager operation with a scalar operand, run
/// without materializing its broadcast). Errors name what does not fit.
///
/// ```
/// use autobatch::{array::Buffer, backend::cpu::binary_with_scalars, ir::BinaryOp};
/// let y = binary_with_scalars(BinaryOp::Mul, &Buffer::F32(vec![2.0]), &Buffer::F32(vec![1.0, 3.0]));
/// assert_eq!(y.unwrap(), Buffer::F32(vec![2.0, 6.0]));
/// ```
pub fn binary_with_scalars(
    op: crate::ir::BinaryOp,
    x: &Buffer,
    y: &Buffer,
) -> Result<Buffer, String> {
    elementwise::binary(op, x, y)
}

/// Evaluates `prim` on concrete operands whose types satisfy its shape rule, producing
/// buffers of `out_types`. Fails only when memory for the outputs cannot be had (or
/// when the operands do not match their types or the shape rule, which callers rule
/// out).
///
/// ```
/// use autobatch::{array::Buffer, backend::cpu::eval, ir::{ArrayType, Primitive, UnaryOp}, DType};
/// let t = ArrayType::new(DType::F32, vec![2]);
/// let x = Buffer::F32(vec![1.0, 4.0]);
/// let out = eval(&Primitive::Unary(UnaryOp::Sqrt), &[(&x, &t)], &[t.clone()]).unwrap();
/// assert_eq!(out, vec![Buffer::F32(vec![1.0, 2.0])]);
/// ```
pub fn eval(
    prim: &Primitive,
    inputs: &[(&Buffer, &ArrayType)],
    out_types: &[ArrayType],
) -> Result<Vec<Buffer>, String> {
    check_operands(prim, inputs, out_types)?;
    eval_unchecked(prim, inputs, out_types).map(Recycled::into_vec)
}

/// [`eval`] without re-checking the operands: for callers that have just computed
/// `out_types` from these very operands with the shape rule (as `bind` does).
pub(crate) fn eval_unchecked(
    prim: &Primitive,
    inputs: &[(&Buffer, &ArrayType)],
    out_types: &[ArrayType],
) -> Result<Recycled<Buffer>, String> {
    // `check_operands` (or the caller) guarantees the primitive's arity.
    let bufs = |i: usize| inputs[i].0;
    let types = |i: usize| inputs[i].1;
    // `check_operands` guarantees the arity and one output type per output.
    let out = &out_types[0];
    let one = |b: Result<Buffer, String>| {
        b.map(|b| {
            let mut outs = Recycled::with_capacity(1);
            outs.push(b);
            outs
        })
    };
    let many = |b: Result<Vec<Buffer>, String>| b.map(Recycled::from);
    match prim {
        Primitive::Unary(op) => one(elementwise::unary(*op, bufs(0))),
        Primitive::Binary(op) => one(elementwise::binary(*op, bufs(0), bufs(1))),
        Primitive::Compare(op) => one(elementwise::compare(*op, bufs(0), bufs(1))),
        Primitive::Select => one(elementwise::select(bufs(0), bufs(1), bufs(2))),
        Primitive::Fma => one(elementwise::fma(bufs(0), bufs(1), bufs(2))),
        Primitive::Convert { dtype } => one(elementwise::convert(bufs(0), *dtype)),
        Primitive::Bitcast { dtype } => one(elementwise::bitcast(bufs(0), *dtype)),
        Primitive::BroadcastInDim { shape, dims } => one(layout::broadcast_in_dim(
            bufs(0),
            &types(0).shape,
            shape,
            dims,
        )),
        Primitive::Reshape { .. } | Primitive::StopGradient => one(copy(bufs(0))),
        Primitive::Transpose { perm } => one(layout::transpose(bufs(0), &types(0).shape, perm)),
        Primitive::Slice {
            start,
            limit: _,
            strides,
        } => one(layout::slice(
            bufs(0),
            &types(0).shape,
            start,
            strides,
            &out.shape,
        )),
        Primitive::Pad {
            low,
            high: _,
            interior,
        } => one(layout::pad(
            bufs(0),
            bufs(1),
            &types(0).shape,
            low,
            interior,
            &out.shape,
        )),
        Primitive::Concatenate { axis } => one(layout::concatenate(inputs, *axis, &out.shape)),
        Primitive::Iota { dtype, shape, dim } => one(layout::iota(*dtype, shape, *dim)),
        Primitive::Take { axis } => one(gather::take(bufs(0), bufs(1), &types(0).shape, *axis)),
        Primitive::ScatterAdd { axis } => one(gather::scatter_add(
            bufs(0),
            bufs(1),
            bufs(2),
            &types(0).shape,
            *axis,
        )),
        Primitive::Reduce { op, axes } => one(reduce::reduce(*op, bufs(0), &types(0).shape, axes)),
        Primitive::ArgReduce { op, axis } => {
            one(reduce::arg_reduce(*op, bufs(0), &types(0).shape, *axis))
        }
        Primitive::Cumsum { axis, reverse } => {
            one(reduce::cumsum(bufs(0), &types(0).shape, *axis, *reverse))
        }
        Primitive::DotGeneral {
            lhs_contract,
            rhs_contract,
            lhs_batch,
            rhs_batch,
        } => one(dot::dot_general(
            (bufs(0), &types(0).shape),
            (bufs(1), &types(1).shape),
            dot::Axes {
                lhs_contract,
                rhs_contract,
                lhs_batch,
                rhs_batch,
            },
        )),
        Primitive::Threefry2x32 => many(threefry::threefry2x32(bufs(0), bufs(1), bufs(2), bufs(3))),
        Primitive::CustomJvp(call) => many(custom_jvp(call, inputs)),
        Primitive::Cond(call) => control::cond(call, inputs),
        Primitive::While(call) => control::while_loop(call, inputs),
        Primitive::Scan(call) => control::scan(call, inputs, out_types),
        Primitive::Cholesky => one(linalg::cholesky(bufs(0), &types(0).shape)),
        Primitive::TriangularSolve {
            lower,
            transpose_a,
            unit_diagonal,
        } => one(linalg::triangular_solve(
            bufs(0),
            bufs(1),
            &types(1).shape,
            linalg::SolveFlags {
                lower: *lower,
                transpose_a: *transpose_a,
                unit_diagonal: *unit_diagonal,
            },
        )),
    }
}

/// Runs a custom-derivative function's primal program on the operands.
fn custom_jvp(
    call: &crate::ir::CustomJvpCall,
    inputs: &[(&Buffer, &ArrayType)],
) -> Result<Vec<Buffer>, String> {
    let (pc, jc) = (call.primal_consts, call.jvp_consts);
    let arrays: Vec<crate::Array> = inputs[..pc]
        .iter()
        .chain(&inputs[pc + jc..])
        .map(|(b, t)| crate::Array::from_concrete((*t).clone(), (*b).clone()))
        .collect();
    let outs = call.primal.call(&arrays).map_err(|e| e.to_string())?;
    outs.iter()
        .map(|a| {
            a.buffer()
                .cloned()
                .ok_or_else(|| "a custom function's output is not concrete".to_string())
        })
        .collect()
}

/// Checks what the kernels rely on: each buffer matches its type, the types pass the
/// shape rule, and `out_types` is what the rule gives. Makes every kernel panic-free
/// even for a careless caller.
fn check_operands(
    prim: &Primitive,
    inputs: &[(&Buffer, &ArrayType)],
    out_types: &[ArrayType],
) -> Result<(), String> {
    for (i, (b, t)) in inputs.iter().enumerate() {
        if b.dtype() != t.dtype || b.len() != strided::prod(&t.shape) {
            return Err(format!(
                "operand {i} holds {} {} elements but is typed {t}",
                b.len(),
                b.dtype()
            ));
        }
    }
    let types: Vec<&ArrayType> = inputs.iter().map(|(_, t)| *t).collect();
    let expected = output_types(prim, &types)?;
    if expected != out_types {
        return Err(format!(
            "output types {out_types:?} differ from the shape rule's {expected:?}"
        ));
    }
    Ok(())
}

/// An empty vector with room for `n` elements, or an error instead of an abort when the
/// memory cannot be had.
pub(crate) fn alloc<T: 'static>(n: usize) -> Result<Vec<T>, String> {
    if let Some(v) = pool::take(n) {
        return Ok(v);
    }
    let mut v = Vec::new();
    v.try_reserve_exact(n)
        .map_err(|_| format!("cannot allocate {n} elements"))?;
    Ok(v)
}

/// A vector of `n` copies of `value`, allocated with [`alloc`].
pub(crate) fn filled<T: Clone + 'static>(n: usize, value: T) -> Result<Vec<T>, String> {
    let mut v = alloc(n)?;
    v.resize(n, value);
    Ok(v)
}

/// A copy of `x` made with [`alloc`].
pub(crate) fn copy_vec<T: Copy + 'static>(x: &[T]) -> Result<Vec<T>, String> {
    let mut v = alloc(x.len())?;
    v.extend_from_slice(x);
    Ok(v)
}

/// A copy of the buffer (reshape and stop_gradient leave the row-major data unchanged).
fn copy(b: &Buffer) -> Result<Buffer, String> {
    crate::with_buffer!(b, v => copy_vec(v).map(Element::into_buffer))
}

/// The elements of `b` as `T`, or an error if `b` holds another dtype (which the shape
/// rules exclude).
pub(crate) fn typed<T: Element>(b: &Buffer) -> Result<&[T], String> {
    T::slice_of(b).ok_or_else(|| format!("expected {} operand, got {}", T::DTYPE, b.dtype()))
}

/// Test inputs shared by the backend's unit tests.
#[cfg(test)]
pub(crate) mod test_inputs {
    /// Marsaglia's 32-bit xorshift from `seed` (non-zero): a reproducible stream of
    /// words.
    pub(crate) fn xorshift32(mut s: u32) -> impl FnMut() -> u32 {
        move || {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            s
        }
    }
}
