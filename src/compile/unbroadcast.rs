//! Broadcast constants, un-materialized: a large constant that repeats one pattern along
//! its leading axes becomes the pattern plus a `broadcast_in_dim`.
//!
//! Tracing evaluates operations on concrete values eagerly, so a batched program meets
//! its unbatched constants already broadcast: `vmap` of `c * f(x)` with a `[n]` constant
//! `c` reads a `[batch, n]` constant, computed once but streamed from memory on every
//! call. Fused kernels read a broadcast pattern once per call and keep it in a register
//! (see `backend::cpu::fused`), so the broadcast is cheaper than the buffer. The rewrite
//! is exact: the broadcast rebuilds every element, bit for bit.
//!
//! Only constants above [`MAX_FOLDED`](super::MAX_FOLDED) elements (smaller ones are
//! what `fold` produces and keeps) that only elementwise equations read are rewritten: a
//! product or a reduction reading the constant would otherwise materialize it on every
//! call.

use crate::array::{Array, Buffer, Element};
use crate::ir::{ArrayType, Equation, Primitive, Program, Var};
use std::collections::HashSet;

/// `program` with each large constant that is a broadcast of a smaller pattern along
/// its leading axes (or of one value) replaced by that pattern and a `broadcast_in_dim`
/// (see the module documentation). An ill-formed program comes back unchanged.
///
/// ```
/// use autobatch::{compile::unbroadcast, make_program, Array};
/// // Under vmap the [64] constant meets the batch as a [32, 64] constant.
/// let c = Array::arange(64).astype(autobatch::DType::F32);
/// let f = autobatch::vmap(|x: &Array| x * &c);
/// let p = make_program(|x: &Array| f(x).unwrap(), &Array::zeros(&[32, 64])).unwrap();
/// assert_eq!(p.consts[0].shape(), &[32, 64]);
/// let q = unbroadcast(&p);
/// assert_eq!(q.consts[0].shape(), &[64]);
/// assert_eq!(q.count_primitive("broadcast_in_dim"), 1);
/// let x = Array::ones(&[32, 64]);
/// assert_eq!(q.call(&[x.clone()]).unwrap()[0].to_vec::<f32>().unwrap(),
///            p.call(&[x]).unwrap()[0].to_vec::<f32>().unwrap());
/// ```
pub fn unbroadcast(program: &Program) -> Program {
    if program.verify().is_err() {
        return program.clone();
    }
    // Constants some equation other than an elementwise one reads, or that are results.
    let mut pinned: HashSet<Var> = program.outvars.iter().copied().collect();
    for eq in &program.equations {
        if !is_elementwise(&eq.primitive) {
            pinned.extend(eq.inputs.iter().copied());
        }
    }
    let mut out = program.clone();
    let mut prologue = Vec::new();
    for (i, (&v, c)) in program.constvars.iter().zip(&program.consts).enumerate() {
        let ty = program.var_type(v);
        if ty.size() <= super::MAX_FOLDED || pinned.contains(&v) {
            continue;
        }
        let Some(buffer) = c.buffer() else { continue };
        let Some(lead) = repeated_axes(buffer, &ty.shape) else {
            continue;
        };
        let pattern_shape = ty.shape[lead..].to_vec();
        let len: usize = pattern_shape.iter().product();
        let pattern_type = ArrayType::new(ty.dtype, pattern_shape);
        let pattern = Array::from_concrete(pattern_type.clone(), prefix(buffer, len));
        let p = Var(out.var_types.len() as u32);
        out.var_types.push(pattern_type);
        out.consts[i] = pattern;
        out.constvars[i] = p;
        prologue.push(Equation {
            primitive: Primitive::BroadcastInDim {
                shape: ty.shape.clone(),
                dims: (lead..ty.shape.len()).collect(),
            },
            inputs: vec![p],
            outputs: vec![v],
        });
    }
    if !prologue.is_empty() {
        prologue.extend(out.equations);
        out.equations = prologue;
    }
    out
}

/// Whether `prim` computes each element from the same element of its operands (the
/// equations a fused kernel runs).
fn is_elementwise(prim: &Primitive) -> bool {
    matches!(
        prim,
        Primitive::Unary(_)
            | Primitive::Binary(_)
            | Primitive::Compare(_)
            | Primitive::Select
            | Primitive::Fma
            | Primitive::Convert { .. }
            | Primitive::Bitcast { .. }
    )
}

/// The most leading axes of `shape` along which `b` repeats the block after them (all
/// of them when every element is the same), or `None` when it repeats along none.
fn repeated_axes(b: &Buffer, shape: &[usize]) -> Option<usize> {
    fn repeats<T: Copy, K: PartialEq>(v: &[T], period: usize, key: impl Fn(T) -> K) -> bool {
        let (first, rest) = v.split_at(period);
        rest.chunks_exact(period)
            .all(|c| c.iter().zip(first).all(|(&x, &y)| key(x) == key(y)))
    }
    let total: usize = shape.iter().product();
    // Fewest trailing elements first: the smallest pattern that works.
    (1..=shape.len()).rev().find(|&lead| {
        let period: usize = shape[lead..].iter().product();
        period > 0
            && period < total
            && match b {
                Buffer::F32(v) => repeats(v, period, f32::to_bits),
                Buffer::F64(v) => repeats(v, period, f64::to_bits),
                Buffer::I32(v) => repeats(v, period, |x| x),
                Buffer::U32(v) => repeats(v, period, |x| x),
                Buffer::Bool(v) => repeats(v, period, |x| x),
            }
    })
}

/// The first `n` elements of `b`.
fn prefix(b: &Buffer, n: usize) -> Buffer {
    crate::with_buffer!(b, v => Element::into_buffer(v[..n.min(v.len())].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::{repeated_axes, unbroadcast};
    use crate::array::Buffer;
    use crate::{Array, DType, make_program};

    #[test]
    fn finds_the_smallest_repeating_block() {
        let rows: Vec<f32> = (0..6).flat_map(|_| [1.0, 2.0, 3.0]).collect();
        assert_eq!(repeated_axes(&Buffer::F32(rows), &[2, 3, 3]), Some(2));
        assert_eq!(
            repeated_axes(&Buffer::U32(vec![7; 24]), &[2, 3, 4]),
            Some(3)
        );
        let planes: Vec<i32> = (0..2).flat_map(|_| 0..12).collect();
        assert_eq!(repeated_axes(&Buffer::I32(planes), &[2, 3, 4]), Some(1));
        assert_eq!(
            repeated_axes(&Buffer::I32((0..24).collect()), &[2, 3, 4]),
            None
        );
        // -0.0 and 0.0 differ: the rewrite is exact to the bit.
        assert_eq!(repeated_axes(&Buffer::F32(vec![0.0, -0.0]), &[2]), None);
    }

    #[test]
    fn large_batched_constants_become_broadcasts_and_others_stay() {
        let row = Array::arange(100).astype(DType::F32);
        let f = crate::vmap(|x: &Array| (x * &row).exp());
        let x = Array::ones(&[128, 100]);
        let p = make_program(|x: &Array| f(x).unwrap(), &x).unwrap();
        let q = unbroadcast(&p);
        assert_eq!(q.consts[0].shape(), &[100], "{q}");
        assert_eq!(
            q.call(std::slice::from_ref(&x)).unwrap()[0]
                .to_vec::<f32>()
                .unwrap(),
            p.call(std::slice::from_ref(&x)).unwrap()[0]
                .to_vec::<f32>()
                .unwrap()
        );
        // Read by a product: kept whole.
        let m = Array::ones(&[64, 64]);
        let p = make_program(|x: &Array| x.dot(&m), &Array::ones(&[3, 64])).unwrap();
        assert_eq!(unbroadcast(&p).consts[0].shape(), &[64, 64]);
        // Small: kept (folding makes these).
        let small = Array::ones(&[4, 8]);
        let p = make_program(|x: &Array| x * &small, &Array::ones(&[4, 8])).unwrap();
        assert_eq!(unbroadcast(&p).consts[0].shape(), &[4, 8]);
    }
}
