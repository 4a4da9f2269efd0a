//! Output types of each primitive, with every precondition its kernel relies on checked.
//!
//! [`output_types`] is the single source of truth for what a primitive accepts: tracing
//! calls it to type new equations, eager evaluation calls it before running a kernel (so
//! kernels may assume valid shapes), and the verifier calls it on every equation.

use super::array_type::{ArrayType, shape_str};
use super::primitive::{Primitive, ReduceOp, UnaryOp};
use crate::array::DType;

/// The most elements one array may hold (keeps every size computation in range).
pub const MAX_ELEMENTS: usize = 1 << 40;

/// The output types of `prim` applied to operands of types `inputs`, or a message saying
/// which precondition fails.
///
/// ```
/// use autobatch::{ir::{output_types, ArrayType, BinaryOp, Primitive}, DType};
/// let a = ArrayType::new(DType::F32, vec![3]);
/// let out = output_types(&Primitive::Binary(BinaryOp::Add), &[&a, &a]).unwrap();
/// assert_eq!(out, vec![a.clone()]);
/// let b = ArrayType::new(DType::F32, vec![4]);
/// assert!(output_types(&Primitive::Binary(BinaryOp::Add), &[&a, &b]).is_err());
/// ```
pub fn output_types(prim: &Primitive, inputs: &[&ArrayType]) -> Result<Vec<ArrayType>, String> {
    let arity = match prim {
        Primitive::Iota { .. } => 0,
        Primitive::Unary(_)
        | Primitive::Convert { .. }
        | Primitive::Bitcast { .. }
        | Primitive::BroadcastInDim { .. }
        | Primitive::Reshape { .. }
        | Primitive::Transpose { .. }
        | Primitive::Slice { .. }
        | Primitive::Reduce { .. }
        | Primitive::ArgReduce { .. }
        | Primitive::Cumsum { .. }
        | Primitive::Cholesky
        | Primitive::StopGradient => 1,
        Primitive::Binary(_)
        | Primitive::Compare(_)
        | Primitive::Pad { .. }
        | Primitive::Take { .. }
        | Primitive::DotGeneral { .. }
        | Primitive::TriangularSolve { .. } => 2,
        Primitive::Select | Primitive::Fma | Primitive::ScatterAdd { .. } => 3,
        Primitive::Threefry2x32 => 4,
        Primitive::Concatenate { .. } => inputs.len().max(1),
        Primitive::CustomJvp(call) => {
            call.primal_consts + call.jvp_consts + call.primal.invars.len() - call.primal_consts
        }
        Primitive::Cond(call) => 1 + call.branches.first().map_or(0, |b| b.invars.len()),
        Primitive::While(call) => call.cond_consts + call.body_consts + call.num_carry(),
        Primitive::Scan(call) => call.body.invars.len(),
    };
    if inputs.len() != arity {
        return Err(format!("expected {arity} operand(s), got {}", inputs.len()));
    }
    for t in inputs {
        check_size(&t.shape)?;
    }
    let one = |t: ArrayType| Ok(vec![t]);
    match prim {
        Primitive::Unary(op) => {
            let x = inputs[0];
            let ok = match op {
                UnaryOp::Not => !x.dtype.is_float(),
                UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Sign => x.dtype != DType::Bool,
                _ => x.dtype.is_float(),
            };
            if !ok {
                return Err(format!("does not accept dtype {}", x.dtype));
            }
            one(x.clone())
        }
        Primitive::Binary(op) => {
            let (x, y) = (inputs[0], inputs[1]);
            same_types(x, y)?;
            if !op.accepts(x.dtype) {
                return Err(format!("does not accept dtype {}", x.dtype));
            }
            one(x.clone())
        }
        Primitive::Compare(_) => {
            let (x, y) = (inputs[0], inputs[1]);
            same_types(x, y)?;
            one(ArrayType::new(DType::Bool, x.shape.clone()))
        }
        Primitive::Select => {
            let (p, t, f) = (inputs[0], inputs[1], inputs[2]);
            if p.dtype != DType::Bool {
                return Err(format!("predicate must be bool, got {}", p.dtype));
            }
            same_types(t, f)?;
            if p.shape != t.shape {
                return Err(format!(
                    "predicate shape {} differs from operand shape {}",
                    shape_str(&p.shape),
                    shape_str(&t.shape)
                ));
            }
            one(t.clone())
        }
        Primitive::Fma => {
            let (a, b, c) = (inputs[0], inputs[1], inputs[2]);
            same_types(a, b)?;
            same_types(a, c)?;
            if !a.dtype.is_float() {
                return Err(format!("does not accept dtype {}", a.dtype));
            }
            one(a.clone())
        }
        Primitive::Convert { dtype } => one(ArrayType::new(*dtype, inputs[0].shape.clone())),
        Primitive::Bitcast { dtype } => {
            let from = inputs[0].dtype;
            let ok = from == *dtype
                || (matches!(from, DType::F32 | DType::I32 | DType::U32)
                    && matches!(dtype, DType::F32 | DType::I32 | DType::U32));
            if !ok {
                return Err(format!("cannot bitcast {from} to {dtype}"));
            }
            one(ArrayType::new(*dtype, inputs[0].shape.clone()))
        }
        Primitive::BroadcastInDim { shape, dims } => {
            let x = inputs[0];
            check_size(shape)?;
            if dims.len() != x.rank() {
                return Err(format!(
                    "dims {dims:?} must name one output axis per operand axis of {}",
                    shape_str(&x.shape)
                ));
            }
            for (i, &d) in dims.iter().enumerate() {
                if d >= shape.len() || (i > 0 && dims[i - 1] >= d) {
                    return Err(format!(
                        "dims {dims:?} must be increasing and below rank {}",
                        shape.len()
                    ));
                }
                if x.shape[i] != 1 && x.shape[i] != shape[d] {
                    return Err(format!(
                        "cannot broadcast {} to {} with dims {dims:?}",
                        shape_str(&x.shape),
                        shape_str(shape)
                    ));
                }
            }
            one(ArrayType::new(x.dtype, shape.clone()))
        }
        Primitive::Reshape { shape } => {
            let x = inputs[0];
            check_size(shape)?;
            if shape.iter().product::<usize>() != x.size() {
                return Err(format!(
                    "cannot reshape {} into {}",
                    shape_str(&x.shape),
                    shape_str(shape)
                ));
            }
            one(ArrayType::new(x.dtype, shape.clone()))
        }
        Primitive::Transpose { perm } => {
            let x = inputs[0];
            check_perm(perm, x.rank())?;
            let shape = perm.iter().map(|&p| x.shape[p]).collect();
            one(ArrayType::new(x.dtype, shape))
        }
        Primitive::Slice {
            start,
            limit,
            strides,
        } => {
            let x = inputs[0];
            if start.len() != x.rank() || limit.len() != x.rank() || strides.len() != x.rank() {
                return Err(format!(
                    "start, limit and strides need {} entries each",
                    x.rank()
                ));
            }
            let mut shape = Vec::with_capacity(x.rank());
            for i in 0..x.rank() {
                if start[i] > limit[i] || limit[i] > x.shape[i] || strides[i] == 0 {
                    return Err(format!(
                        "invalid slice {}..{} step {} of axis {i} with extent {}",
                        start[i], limit[i], strides[i], x.shape[i]
                    ));
                }
                shape.push((limit[i] - start[i]).div_ceil(strides[i]));
            }
            one(ArrayType::new(x.dtype, shape))
        }
        Primitive::Pad {
            low,
            high,
            interior,
        } => {
            let (x, v) = (inputs[0], inputs[1]);
            if v.rank() != 0 || v.dtype != x.dtype {
                return Err(format!(
                    "padding value must be a {} scalar, got {v}",
                    x.dtype
                ));
            }
            if low.len() != x.rank() || high.len() != x.rank() || interior.len() != x.rank() {
                return Err(format!(
                    "low, high and interior need {} entries each",
                    x.rank()
                ));
            }
            let mut shape = Vec::with_capacity(x.rank());
            for i in 0..x.rank() {
                let n = x.shape[i] as i128;
                let inner = n + (n - 1).max(0) * interior[i] as i128;
                let extent = low[i] as i128 + high[i] as i128 + inner;
                if extent < 0 || extent > MAX_ELEMENTS as i128 {
                    return Err(format!("padding gives axis {i} a negative or huge extent"));
                }
                // Negative padding may remove only padding and elements, never more.
                if (low[i] as i128) < -inner || (high[i] as i128) < -inner {
                    return Err(format!("negative padding exceeds axis {i}"));
                }
                shape.push(extent as usize);
            }
            check_size(&shape)?;
            one(ArrayType::new(x.dtype, shape))
        }
        Primitive::Concatenate { axis } => {
            let first = inputs[0];
            if *axis >= first.rank() {
                return Err(format!(
                    "axis {axis} is out of range for rank {}",
                    first.rank()
                ));
            }
            let mut shape = first.shape.clone();
            for t in &inputs[1..] {
                let compatible = t.dtype == first.dtype
                    && t.rank() == first.rank()
                    && (0..first.rank()).all(|i| i == *axis || t.shape[i] == first.shape[i]);
                if !compatible {
                    return Err(format!(
                        "cannot concatenate {first} and {t} along axis {axis}"
                    ));
                }
                shape[*axis] += t.shape[*axis];
            }
            check_size(&shape)?;
            one(ArrayType::new(first.dtype, shape))
        }
        Primitive::Iota { dtype, shape, dim } => {
            check_size(shape)?;
            if *dtype == DType::Bool || *dim >= shape.len() {
                return Err(format!(
                    "needs a numeric dtype and an axis below rank {}",
                    shape.len()
                ));
            }
            one(ArrayType::new(*dtype, shape.clone()))
        }
        Primitive::Take { axis } => {
            let (x, idx) = (inputs[0], inputs[1]);
            take_output(x, idx, *axis).map(|t| vec![t])
        }
        Primitive::ScatterAdd { axis } => {
            let (x, idx, upd) = (inputs[0], inputs[1], inputs[2]);
            if x.dtype == DType::Bool {
                return Err("does not accept dtype bool".into());
            }
            let expected = take_output(x, idx, *axis)?;
            if *upd != expected {
                return Err(format!("updates must be {expected}, got {upd}"));
            }
            one(x.clone())
        }
        Primitive::Reduce { op, axes } => {
            let x = inputs[0];
            check_axes(axes, x.rank())?;
            if matches!(op, ReduceOp::Sum | ReduceOp::Prod) && x.dtype == DType::Bool {
                return Err("does not accept dtype bool".into());
            }
            let shape = (0..x.rank())
                .filter(|i| !axes.contains(i))
                .map(|i| x.shape[i])
                .collect();
            one(ArrayType::new(x.dtype, shape))
        }
        Primitive::ArgReduce { axis, .. } => {
            let x = inputs[0];
            if *axis >= x.rank() || x.shape[*axis] == 0 {
                return Err(format!(
                    "axis {axis} must exist and be non-empty in {}",
                    shape_str(&x.shape)
                ));
            }
            let mut shape = x.shape.clone();
            shape.remove(*axis);
            one(ArrayType::new(DType::I32, shape))
        }
        Primitive::Cumsum { axis, .. } => {
            let x = inputs[0];
            if *axis >= x.rank() || x.dtype == DType::Bool {
                return Err(format!(
                    "needs a numeric operand and an axis below rank {}",
                    x.rank()
                ));
            }
            one(x.clone())
        }
        Primitive::DotGeneral {
            lhs_contract,
            rhs_contract,
            lhs_batch,
            rhs_batch,
        } => {
            let (l, r) = (inputs[0], inputs[1]);
            if l.dtype != r.dtype || l.dtype == DType::Bool {
                return Err(format!(
                    "operands must share a numeric dtype, got {} and {}",
                    l.dtype, r.dtype
                ));
            }
            if lhs_contract.len() != rhs_contract.len() || lhs_batch.len() != rhs_batch.len() {
                return Err("contracting and batch axes must pair up".into());
            }
            let lhs_axes: Vec<usize> = lhs_batch.iter().chain(lhs_contract).copied().collect();
            let rhs_axes: Vec<usize> = rhs_batch.iter().chain(rhs_contract).copied().collect();
            check_distinct(&lhs_axes, l.rank())?;
            check_distinct(&rhs_axes, r.rank())?;
            for (&a, &b) in lhs_axes.iter().zip(&rhs_axes) {
                if l.shape[a] != r.shape[b] {
                    return Err(format!(
                        "cannot contract {} with {}: lhs axis {a} has {} entries, rhs axis {b} has {}",
                        shape_str(&l.shape),
                        shape_str(&r.shape),
                        l.shape[a],
                        r.shape[b]
                    ));
                }
            }
            let mut shape: Vec<usize> = lhs_batch.iter().map(|&a| l.shape[a]).collect();
            shape.extend(
                (0..l.rank())
                    .filter(|a| !lhs_axes.contains(a))
                    .map(|a| l.shape[a]),
            );
            shape.extend(
                (0..r.rank())
                    .filter(|a| !rhs_axes.contains(a))
                    .map(|a| r.shape[a]),
            );
            check_size(&shape)?;
            one(ArrayType::new(l.dtype, shape))
        }
        Primitive::StopGradient => one(inputs[0].clone()),
        Primitive::Cholesky => {
            let a = inputs[0];
            square_float(a)?;
            one(a.clone())
        }
        Primitive::TriangularSolve { .. } => {
            let (a, b) = (inputs[0], inputs[1]);
            square_float(a)?;
            if b.dtype != a.dtype {
                return Err(format!(
                    "operand dtypes differ: {} and {}",
                    a.dtype, b.dtype
                ));
            }
            let r = a.rank();
            if b.rank() != r
                || b.shape[..r - 2] != a.shape[..r - 2]
                || b.shape[r - 2] != a.shape[r - 1]
            {
                return Err(format!(
                    "right-hand side {} must be [..., {n}, k] with the batch axes of {}",
                    shape_str(&b.shape),
                    shape_str(&a.shape),
                    n = a.shape[r - 1]
                ));
            }
            one(b.clone())
        }
        Primitive::CustomJvp(call) => {
            let (pc, jc) = (call.primal_consts, call.jvp_consts);
            let primal_inputs = inputs[..pc].iter().chain(&inputs[pc + jc..]);
            for (i, (t, v)) in primal_inputs.zip(&call.primal.invars).enumerate() {
                if *t != call.primal.var_type(*v) {
                    return Err(format!(
                        "operand {i} should be {}, got {t}",
                        call.primal.var_type(*v)
                    ));
                }
            }
            for (t, v) in inputs[pc..pc + jc].iter().zip(&call.jvp.invars) {
                if *t != call.jvp.var_type(*v) {
                    return Err(format!(
                        "a closed-over value should be {}, got {t}",
                        call.jvp.var_type(*v)
                    ));
                }
            }
            Ok(call.primal.output_types())
        }
        Primitive::Cond(call) => control::cond(call, inputs),
        Primitive::While(call) => control::while_loop(call, inputs),
        Primitive::Scan(call) => control::scan(call, inputs),
        Primitive::Threefry2x32 => {
            let k0 = inputs[0];
            for t in inputs {
                if t.dtype != DType::U32 || t.shape != k0.shape {
                    return Err(format!(
                        "operands must be u32 of one shape, got {}",
                        inputs
                            .iter()
                            .map(|t| t.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            }
            Ok(vec![k0.clone(), k0.clone()])
        }
    }
}

/// A float operand `[..., n, n]` (rank at least 2, square trailing axes).
fn square_float(a: &ArrayType) -> Result<(), String> {
    if !a.dtype.is_float() {
        return Err(format!("does not accept dtype {}", a.dtype));
    }
    let r = a.rank();
    if r < 2 || a.shape[r - 1] != a.shape[r - 2] {
        return Err(format!(
            "needs square matrices [..., n, n], got {}",
            shape_str(&a.shape)
        ));
    }
    Ok(())
}

fn same_types(x: &ArrayType, y: &ArrayType) -> Result<(), String> {
    if x.shape != y.shape {
        return Err(format!(
            "operand shapes differ: {} and {}",
            shape_str(&x.shape),
            shape_str(&y.shape)
        ));
    }
    if x.dtype != y.dtype {
        return Err(format!(
            "operand dtypes differ: {} and {}",
            x.dtype, y.dtype
        ));
    }
    Ok(())
}

fn check_size(shape: &[usize]) -> Result<(), String> {
    // Bound the product of the nonzero extents, so that no product of any subset of the
    // axes can overflow, even in arrays with a zero-size axis.
    let nonzero = shape
        .iter()
        .filter(|&&d| d != 0)
        .fold(1usize, |n, &d| n.saturating_mul(d));
    if nonzero > MAX_ELEMENTS {
        return Err(format!("shape {} is too large", shape_str(shape)));
    }
    Ok(())
}

fn check_perm(perm: &[usize], rank: usize) -> Result<(), String> {
    let mut seen = vec![false; rank];
    if perm.len() != rank {
        return Err(format!("{perm:?} is not a permutation of {rank} axes"));
    }
    for &p in perm {
        if p >= rank || seen[p] {
            return Err(format!("{perm:?} is not a permutation of {rank} axes"));
        }
        seen[p] = true;
    }
    Ok(())
}

fn check_axes(axes: &[usize], rank: usize) -> Result<(), String> {
    for (i, &a) in axes.iter().enumerate() {
        if a >= rank || (i > 0 && axes[i - 1] >= a) {
            return Err(format!(
                "axes {axes:?} must be increasing and below rank {rank}"
            ));
        }
    }
    Ok(())
}

fn check_distinct(axes: &[usize], rank: usize) -> Result<(), String> {
    for (i, &a) in axes.iter().enumerate() {
        if a >= rank || axes[..i].contains(&a) {
            return Err(format!(
                "axes {axes:?} must be distinct and below rank {rank}"
            ));
        }
    }
    Ok(())
}

fn take_output(x: &ArrayType, idx: &ArrayType, axis: usize) -> Result<ArrayType, String> {
    if idx.dtype != DType::I32 {
        return Err(format!("indices must be i32, got {}", idx.dtype));
    }
    if axis >= x.rank() {
        return Err(format!(
            "axis {axis} is out of range for shape {}",
            shape_str(&x.shape)
        ));
    }
    if x.shape[axis] == 0 && idx.size() > 0 {
        return Err(format!("cannot index the empty axis {axis}"));
    }
    let mut shape = x.shape[..axis].to_vec();
    shape.extend_from_slice(&idx.shape);
    shape.extend_from_slice(&x.shape[axis + 1..]);
    check_size(&shape)?;
    Ok(ArrayType::new(x.dtype, shape))
}

/// The shape rules of the control-flow primitives: each sub-program's inputs and outputs
/// agree with the operands and with each other.
mod control {
    use super::super::primitive::{CondCall, ScanCall, WhileCall};
    use super::super::program::Program;
    use super::ArrayType;
    use crate::array::DType;

    /// Checks that `program`'s inputs have the types `inputs`.
    fn takes(program: &Program, inputs: &[&ArrayType], what: &str) -> Result<(), String> {
        if program.invars.len() != inputs.len() {
            return Err(format!(
                "the {what} takes {} values, got {}",
                program.invars.len(),
                inputs.len()
            ));
        }
        for (i, (t, v)) in inputs.iter().zip(&program.invars).enumerate() {
            if *t != program.var_type(*v) {
                return Err(format!(
                    "operand {i} of the {what} should be {}, got {t}",
                    program.var_type(*v)
                ));
            }
        }
        Ok(())
    }

    pub(super) fn cond(call: &CondCall, inputs: &[&ArrayType]) -> Result<Vec<ArrayType>, String> {
        let Some(first) = call.branches.first() else {
            return Err("needs at least one branch".into());
        };
        if inputs[0].dtype != DType::I32 || !inputs[0].shape.is_empty() {
            return Err(format!("the index must be i32[], got {}", inputs[0]));
        }
        let outs = first.output_types();
        for (k, b) in call.branches.iter().enumerate() {
            takes(b, &inputs[1..], &format!("branch {k}"))?;
            if b.output_types() != outs {
                return Err(format!(
                    "branch {k} returns {} but branch 0 returns {}",
                    types_str(&b.output_types()),
                    types_str(&outs)
                ));
            }
        }
        Ok(outs)
    }

    pub(super) fn while_loop(
        call: &WhileCall,
        inputs: &[&ArrayType],
    ) -> Result<Vec<ArrayType>, String> {
        let (c, b) = (call.cond_consts, call.body_consts);
        let carry = &inputs[c + b..];
        let cond_inputs: Vec<&ArrayType> = inputs[..c].iter().chain(carry).copied().collect();
        takes(&call.cond, &cond_inputs, "condition")?;
        let pred = call.cond.output_types();
        if pred.len() != 1 || pred[0].dtype != DType::Bool || !pred[0].shape.is_empty() {
            return Err(format!(
                "the condition must return one bool[], got {}",
                types_str(&pred)
            ));
        }
        takes(&call.body, &inputs[c..], "body")?;
        let outs = call.body.output_types();
        let want: Vec<ArrayType> = carry.iter().map(|t| (*t).clone()).collect();
        if outs != want {
            return Err(format!(
                "the body returns {} for the carry {}",
                types_str(&outs),
                types_str(&want)
            ));
        }
        Ok(outs)
    }

    pub(super) fn scan(call: &ScanCall, inputs: &[&ArrayType]) -> Result<Vec<ArrayType>, String> {
        let (k, c) = (call.consts, call.carry);
        if k + c > inputs.len() {
            return Err(format!(
                "{} operands cannot hold {k} constants and {c} carried values",
                inputs.len()
            ));
        }
        let mut body_inputs: Vec<ArrayType> =
            inputs[..k + c].iter().map(|t| (*t).clone()).collect();
        for (i, x) in inputs[k + c..].iter().enumerate() {
            if x.shape.first() != Some(&call.length) {
                return Err(format!(
                    "scanned operand {i} is {x}, but the scan has length {}",
                    call.length
                ));
            }
            body_inputs.push(ArrayType::new(x.dtype, x.shape[1..].to_vec()));
        }
        let refs: Vec<&ArrayType> = body_inputs.iter().collect();
        takes(&call.body, &refs, "body")?;
        let outs = call.body.output_types();
        if outs.len() < c || outs[..c] != body_inputs[k..k + c] {
            return Err(format!(
                "the body returns {} for the carry {}",
                types_str(&outs[..c.min(outs.len())]),
                types_str(&body_inputs[k..k + c])
            ));
        }
        let mut result = outs[..c].to_vec();
        for y in &outs[c..] {
            let mut shape = vec![call.length];
            shape.extend_from_slice(&y.shape);
            super::check_size(&shape)?;
            result.push(ArrayType::new(y.dtype, shape));
        }
        Ok(result)
    }

    fn types_str(types: &[ArrayType]) -> String {
        let items: Vec<String> = types.iter().map(|t| t.to_string()).collect();
        format!("({})", items.join(", "))
    }
}
