//! Batching rules: how each primitive runs on operands that carry a batch axis.
//!
//! A batched value is an array plus the position of its batch axis (`None` when the
//! value is the same for every example). Rules keep the batch axis where it is whenever
//! the primitive allows and move it only when needed; an unbatched operand that meets a
//! batched one is broadcast only as far as the primitive requires. Every rule emits the
//! primitive once on the whole batch: no loop over examples.

use crate::array::{Array, DType, lax};
use crate::ir::{BinaryOp, Primitive};

/// An array and where its batch axis is (`None`: shared by every example).
#[derive(Clone)]
pub(crate) struct Batched {
    pub value: Array,
    pub bdim: Option<usize>,
}

impl Batched {
    pub(crate) fn new(value: Array, bdim: Option<usize>) -> Batched {
        Batched { value, bdim }
    }
}

/// `x` with axis `from` moved to position `to`.
#[track_caller]
pub(crate) fn move_axis(x: &Array, from: usize, to: usize) -> Array {
    if from == to {
        return x.clone();
    }
    let mut perm: Vec<usize> = (0..x.ndim()).filter(|&a| a != from).collect();
    perm.insert(to, from);
    lax::transpose(x, &perm)
}

/// The value with its batch axis at `to`, broadcasting an unbatched value to `n` examples.
#[track_caller]
pub(crate) fn batch_at(b: &Batched, to: usize, n: usize) -> Array {
    match b.bdim {
        Some(d) => move_axis(&b.value, d, to),
        None => {
            let mut shape = b.value.shape().to_vec();
            shape.insert(to, n);
            let dims: Vec<usize> = (0..shape.len()).filter(|&a| a != to).collect();
            lax::broadcast_in_dim(&b.value, &shape, &dims)
        }
    }
}

/// Per-example axis `a` of a value whose batch axis is at `bdim`.
fn shifted(a: usize, bdim: usize) -> usize {
    if a >= bdim { a + 1 } else { a }
}

/// Applies `prim` to batched operands with batch size `n`.
#[track_caller]
pub(crate) fn apply_batched(prim: &Primitive, args: &[Batched], n: usize) -> Vec<Batched> {
    if args.iter().all(|a| a.bdim.is_none()) {
        let values: Vec<&Array> = args.iter().map(|a| &a.value).collect();
        return crate::array::apply_primitive(prim.clone(), &values)
            .into_iter()
            .map(|v| Batched::new(v, None))
            .collect();
    }
    let one = |value: Array, bdim: usize| vec![Batched::new(value, Some(bdim))];
    match prim {
        Primitive::Unary(_)
        | Primitive::Convert { .. }
        | Primitive::Bitcast { .. }
        | Primitive::StopGradient => {
            let x = &args[0];
            let out = crate::array::apply_primitive(prim.clone(), &[&x.value]);
            out.into_iter().map(|v| Batched::new(v, x.bdim)).collect()
        }
        Primitive::Binary(_)
        | Primitive::Compare(_)
        | Primitive::Select
        | Primitive::Fma
        | Primitive::Threefry2x32 => {
            // Elementwise: align every operand's batch axis with the first batched one.
            let target = args
                .iter()
                .find_map(|a| a.bdim)
                .expect("some operand is batched");
            let values: Vec<Array> = args.iter().map(|a| batch_at(a, target, n)).collect();
            let refs: Vec<&Array> = values.iter().collect();
            crate::array::apply_primitive(prim.clone(), &refs)
                .into_iter()
                .map(|v| Batched::new(v, Some(target)))
                .collect()
        }
        Primitive::BroadcastInDim { shape, dims } => {
            let x = batch_at(&args[0], 0, n);
            let mut out_shape = vec![n];
            out_shape.extend_from_slice(shape);
            let mut out_dims = vec![0];
            out_dims.extend(dims.iter().map(|d| d + 1));
            one(lax::broadcast_in_dim(&x, &out_shape, &out_dims), 0)
        }
        Primitive::Reshape { shape } => {
            let x = batch_at(&args[0], 0, n);
            let mut out_shape = vec![n];
            out_shape.extend_from_slice(shape);
            one(lax::reshape(&x, &out_shape), 0)
        }
        Primitive::Transpose { perm } => {
            let b = args[0].bdim.expect("the only operand is batched");
            // Keep the batch axis in place: output axis b is the batch axis.
            let mut p: Vec<usize> = perm.iter().map(|&a| shifted(a, b)).collect();
            p.insert(b, b);
            one(lax::transpose(&args[0].value, &p), b)
        }
        Primitive::Slice {
            start,
            limit,
            strides,
        } => {
            let b = args[0].bdim.expect("the only operand is batched");
            let (mut s, mut l, mut st) = (start.clone(), limit.clone(), strides.clone());
            s.insert(b, 0);
            l.insert(b, n);
            st.insert(b, 1);
            one(lax::slice(&args[0].value, &s, &l, &st), b)
        }
        Primitive::Pad {
            low,
            high,
            interior,
        } => {
            let (x, pad_value) = (&args[0], &args[1]);
            let xb = batch_at(x, 0, n);
            let (mut lo, mut hi, mut int) = (low.clone(), high.clone(), interior.clone());
            lo.insert(0, 0);
            hi.insert(0, 0);
            int.insert(0, 0);
            match pad_value.bdim {
                None => one(lax::pad(&xb, &pad_value.value, &lo, &hi, &int), 0),
                Some(_) => {
                    // A per-example padding value: pad with a placeholder, then select the
                    // padding positions (found by padding a mask) from the broadcast values.
                    let zero = lax::convert(&Array::scalar(0i32), xb.dtype());
                    let padded = lax::pad(&xb, &zero, &lo, &hi, &int);
                    let mask_src = lax::broadcast_in_dim(&Array::scalar(true), xb.shape(), &[]);
                    let mask = lax::pad(&mask_src, &Array::scalar(false), &lo, &hi, &int);
                    let values =
                        lax::broadcast_in_dim(&batch_at(pad_value, 0, n), padded.shape(), &[0]);
                    one(lax::select(&mask, &padded, &values), 0)
                }
            }
        }
        Primitive::Concatenate { axis } => {
            let values: Vec<Array> = args.iter().map(|a| batch_at(a, 0, n)).collect();
            let refs: Vec<&Array> = values.iter().collect();
            one(lax::concatenate(&refs, axis + 1), 0)
        }
        Primitive::Cholesky | Primitive::TriangularSolve { .. } => {
            // Leading axes are batch axes already: put the example axis first on every
            // operand (broadcasting an unbatched one) and apply the primitive once.
            let values: Vec<Array> = args.iter().map(|a| batch_at(a, 0, n)).collect();
            let refs: Vec<&Array> = values.iter().collect();
            crate::array::apply_primitive(prim.clone(), &refs)
                .into_iter()
                .map(|v| Batched::new(v, Some(0)))
                .collect()
        }
        Primitive::Iota { .. } => unreachable!("iota has no operands, so none is batched"),
        Primitive::CustomJvp(call) => super::custom_jvp::batch_rule(call, args, n),
        Primitive::Cond(call) => crate::control::rules::cond_batch(call, args, n),
        Primitive::While(call) => crate::control::rules::while_batch(call, args, n),
        Primitive::Scan(call) => crate::control::rules::scan_batch(call, args, n),
        Primitive::Take { axis } => take_batched(&args[0], &args[1], *axis, n),
        Primitive::ScatterAdd { axis } => {
            scatter_add_batched(&args[0], &args[1], &args[2], *axis, n)
        }
        Primitive::Reduce { op, axes } => {
            let b = args[0].bdim.expect("the only operand is batched");
            let new_axes: Vec<usize> = axes.iter().map(|&a| shifted(a, b)).collect();
            let out_b = b - new_axes.iter().filter(|&&a| a < b).count();
            one(lax::reduce(*op, &args[0].value, &new_axes), out_b)
        }
        Primitive::ArgReduce { op, axis } => {
            let b = args[0].bdim.expect("the only operand is batched");
            let a = shifted(*axis, b);
            let out_b = if a < b { b - 1 } else { b };
            one(lax::arg_reduce(*op, &args[0].value, a), out_b)
        }
        Primitive::Cumsum { axis, reverse } => {
            let b = args[0].bdim.expect("the only operand is batched");
            one(lax::cumsum(&args[0].value, shifted(*axis, b), *reverse), b)
        }
        Primitive::DotGeneral {
            lhs_contract,
            rhs_contract,
            lhs_batch,
            rhs_batch,
        } => dot_general_batched(
            &args[0],
            &args[1],
            [lhs_contract, rhs_contract, lhs_batch, rhs_batch],
        ),
    }
}

/// dot_general with batched operands: one contraction, the example axis becoming a batch
/// axis (both operands batched) or a free axis (one operand batched).
#[track_caller]
fn dot_general_batched(lhs: &Batched, rhs: &Batched, dims: [&Vec<usize>; 4]) -> Vec<Batched> {
    let [lc, rc, lb, rb] = dims;
    let map = |axes: &[usize], b: Option<usize>| -> Vec<usize> {
        axes.iter()
            .map(|&a| b.map_or(a, |b| shifted(a, b)))
            .collect()
    };
    let (lc2, rc2) = (map(lc, lhs.bdim), map(rc, rhs.bdim));
    let (mut lb2, mut rb2) = (map(lb, lhs.bdim), map(rb, rhs.bdim));
    match (lhs.bdim, rhs.bdim) {
        (Some(bl), Some(br)) => {
            lb2.insert(0, bl);
            rb2.insert(0, br);
            let out = lax::dot_general(&lhs.value, &rhs.value, &lc2, &rc2, &lb2, &rb2);
            vec![Batched::new(out, Some(0))]
        }
        (Some(bl), None) => {
            // The example axis is a free lhs axis: output = batch, lhs free, rhs free.
            let free_before = (0..bl)
                .filter(|a| !lc2.contains(a) && !lb2.contains(a))
                .count();
            let out = lax::dot_general(&lhs.value, &rhs.value, &lc2, &rc2, &lb2, &rb2);
            vec![Batched::new(out, Some(lb2.len() + free_before))]
        }
        (None, Some(_)) if rhs.value.ndim() == 1 + rc2.len() + rb2.len() => {
            // The example axis is rhs's only free axis: contract with the operands
            // swapped, so the output is [batch, example, lhs free] — the example axis
            // lands right after the batch axes with no transpose (for `X @ beta` this
            // gives the [examples, points] layout a hand-batched version would use).
            let out = lax::dot_general(&rhs.value, &lhs.value, &rc2, &lc2, &rb2, &lb2);
            vec![Batched::new(out, Some(rb2.len()))]
        }
        (None, Some(br)) => {
            let lhs_free = lhs.value.ndim() - lc2.len() - lb2.len();
            let free_before = (0..br)
                .filter(|a| !rc2.contains(a) && !rb2.contains(a))
                .count();
            let out = lax::dot_general(&lhs.value, &rhs.value, &lc2, &rc2, &lb2, &rb2);
            vec![Batched::new(out, Some(rb2.len() + lhs_free + free_before))]
        }
        (None, None) => unreachable!("handled before dispatch"),
    }
}

/// Indices clamped into `0..extent` (the Take/ScatterAdd semantics), as `i32`.
#[track_caller]
fn clamp_indices(idx: &Array, extent: usize) -> Array {
    let hi = lax::broadcast_in_dim(
        &Array::scalar(extent.saturating_sub(1).min(i32::MAX as usize) as i32),
        idx.shape(),
        &[],
    );
    let lo = lax::broadcast_in_dim(&Array::scalar(0i32), idx.shape(), &[]);
    lax::binary(BinaryOp::Min, &lax::binary(BinaryOp::Max, idx, &lo), &hi)
}

/// Flat indices into an operand whose example axis (0) and indexed axis (1) were merged:
/// example `k`'s index `i` becomes `k * extent + clamp(i)`. `idx` has its batch axis at 0.
#[track_caller]
fn flat_indices(idx: &Array, extent: usize) -> Array {
    let clamped = clamp_indices(idx, extent);
    let k = lax::iota(DType::I32, idx.shape(), 0);
    let m = lax::broadcast_in_dim(&Array::scalar(extent as i32), idx.shape(), &[]);
    lax::binary(BinaryOp::Add, &lax::binary(BinaryOp::Mul, &k, &m), &clamped)
}

#[track_caller]
fn take_batched(x: &Batched, idx: &Batched, axis: usize, n: usize) -> Vec<Batched> {
    match (x.bdim, idx.bdim) {
        (Some(bx), None) => {
            let out = lax::take(&x.value, &idx.value, shifted(axis, bx));
            // Output = x[..axis'] ++ idx ++ x[axis'+1..]: the batch axis moves only if it
            // came after the indexed axis.
            let b = if bx <= axis {
                bx
            } else {
                bx - 1 + idx.value.ndim()
            };
            vec![Batched::new(out, Some(b))]
        }
        (None, Some(bi)) => {
            let out = lax::take(&x.value, &idx.value, axis);
            vec![Batched::new(out, Some(axis + bi))]
        }
        _ => {
            // Both batched: merge the example axis with the indexed axis and offset the
            // indices per example, so one take serves the whole batch.
            let xs = batch_at(x, 0, n);
            let xs = move_axis(&xs, axis + 1, 1);
            let m = xs.shape()[1];
            let mut merged = vec![n * m];
            merged.extend_from_slice(&xs.shape()[2..]);
            let flat_x = lax::reshape(&xs, &merged);
            let ids = batch_at(idx, 0, n);
            let out = lax::take(&flat_x, &flat_indices(&ids, m), 0);
            // out: [n, idx..., x[..axis]..., x[axis+1..]...] -> [n, x[..axis], idx, rest]
            let ni = ids.ndim() - 1;
            let mut perm = vec![0];
            perm.extend(1 + ni..1 + ni + axis);
            perm.extend(1..1 + ni);
            perm.extend(1 + ni + axis..out.ndim());
            vec![Batched::new(lax::transpose(&out, &perm), Some(0))]
        }
    }
}

#[track_caller]
fn scatter_add_batched(
    x: &Batched,
    idx: &Batched,
    upd: &Batched,
    axis: usize,
    n: usize,
) -> Vec<Batched> {
    let ni = idx.value.ndim() - usize::from(idx.bdim.is_some());
    let xs = batch_at(x, 0, n);
    // updates, per example: x[..axis] ++ idx ++ x[axis+1..]
    let us = batch_at(upd, 0, n);
    match idx.bdim {
        None => {
            let out = lax::scatter_add(&xs, &idx.value, &us, axis + 1);
            vec![Batched::new(out, Some(0))]
        }
        Some(_) => {
            let xs_m = move_axis(&xs, axis + 1, 1);
            let m = xs_m.shape()[1];
            let mut merged = vec![n * m];
            merged.extend_from_slice(&xs_m.shape()[2..]);
            let flat_x = lax::reshape(&xs_m, &merged);
            let ids = batch_at(idx, 0, n);
            // updates to [n, idx..., x[..axis]..., rest...]
            let mut perm = vec![0];
            perm.extend(1 + axis..1 + axis + ni);
            perm.extend(1..1 + axis);
            perm.extend(1 + axis + ni..us.ndim());
            // Now laid out as the flat take's output: [n, idx..., rest...].
            let flat_u = lax::transpose(&us, &perm);
            let summed = lax::scatter_add(&flat_x, &flat_indices(&ids, m), &flat_u, 0);
            let unmerged = lax::reshape(&summed, xs_m.shape());
            vec![Batched::new(move_axis(&unmerged, 1, axis + 1), Some(0))]
        }
    }
}
