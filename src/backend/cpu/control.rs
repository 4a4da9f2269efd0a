//! Control flow on concrete values: `cond`, `while` and `scan` run their sub-programs'
//! compiled plans (optimized and fused once, on first use), passing buffers from one
//! iteration to the next. The carry moves into each step and the step's intermediates go
//! back to the buffer pool, so a warmed-up loop allocates only its outputs (and
//! per-step slices of the scanned inputs, from the pool when they are large).

use super::{Recycled, alloc, typed};
use crate::array::{Array, Buffer, Element};
use crate::ir::{ArrayType, CondCall, ScanCall, SubProgram, WhileCall};
use std::borrow::Cow;

/// Runs `sub` on `inputs` (typed as its inputs): through its plan, or, for a program
/// that cannot be planned, by replaying it op by op.
fn run(
    sub: &SubProgram,
    mut inputs: Recycled<Cow<'_, Buffer>>,
) -> Result<Recycled<Buffer>, String> {
    if let Some(plan) = sub.plan() {
        return plan
            .run_buffers(inputs)
            .map_err(|e| e.message().to_string());
    }
    let arrays: Vec<Array> = sub
        .invars
        .iter()
        .zip(inputs.drain(..))
        .map(|(v, b)| Array::from_concrete(sub.var_type(*v).clone(), b.into_owned()))
        .collect();
    let outs = sub.call(&arrays).map_err(|e| e.message().to_string())?;
    outs.into_iter()
        .map(|a| {
            a.buffer()
                .cloned()
                .ok_or_else(|| "a sub-program's output is not concrete".to_string())
        })
        .collect()
}

fn borrowed<'a>(inputs: &[(&'a Buffer, &ArrayType)]) -> impl Iterator<Item = Cow<'a, Buffer>> {
    inputs.iter().map(|(b, _)| Cow::Borrowed(*b))
}

/// `cond`: the branch the (clamped) index picks.
pub(super) fn cond(
    call: &CondCall,
    inputs: &[(&Buffer, &ArrayType)],
) -> Result<Recycled<Buffer>, String> {
    let index = typed::<i32>(inputs[0].0)?
        .first()
        .copied()
        .ok_or("the index is empty")?;
    let last = call.branches.len().saturating_sub(1);
    let k = usize::try_from(index).unwrap_or(0).min(last);
    let branch = call.branches.get(k).ok_or("cond has no branches")?;
    run(branch, borrowed(&inputs[1..]).collect())
}

/// `while`: the body replaces the carry as long as the condition holds.
pub(super) fn while_loop(
    call: &WhileCall,
    inputs: &[(&Buffer, &ArrayType)],
) -> Result<Recycled<Buffer>, String> {
    let (c, b) = (call.cond_consts, call.body_consts);
    let mut carry: Recycled<Buffer> = inputs[c + b..].iter().map(|(x, _)| (*x).clone()).collect();
    loop {
        let cond_inputs = borrowed(&inputs[..c])
            .chain(carry.iter().map(Cow::Borrowed))
            .collect();
        let pred = run(&call.cond, cond_inputs)?;
        let go = pred
            .first()
            .and_then(|p| typed::<bool>(p).ok())
            .and_then(|p| p.first().copied())
            .ok_or("the condition did not return a bool")?;
        if !go {
            return Ok(carry);
        }
        let body_inputs = borrowed(&inputs[c..c + b])
            .chain(carry.drain(..).map(Cow::Owned))
            .collect();
        carry = run(&call.body, body_inputs)?;
    }
}

/// Elements `[i * n, (i + 1) * n)` of `b` as a new buffer.
fn row(b: &Buffer, i: usize, n: usize) -> Result<Buffer, String> {
    crate::with_buffer!(b, v => {
        let mut out = alloc(n)?;
        out.extend_from_slice(&v[i * n..(i + 1) * n]);
        Ok(Element::into_buffer(out))
    })
}

/// Writes `src` into elements `[i * n, (i + 1) * n)` of `dst` (same dtype).
fn write_row(dst: &mut Buffer, src: &Buffer, i: usize) -> Result<(), String> {
    let n = src.len();
    crate::with_buffer!(dst, d => {
        let s = Element::slice_of(src).ok_or("a scan output changed dtype")?;
        d[i * n..(i + 1) * n].copy_from_slice(s);
        Ok(())
    })
}

/// `scan`: one body run per step, the carry threaded through, the outputs stacked.
pub(super) fn scan(
    call: &ScanCall,
    inputs: &[(&Buffer, &ArrayType)],
    out_types: &[ArrayType],
) -> Result<Recycled<Buffer>, String> {
    let (k, c, length) = (call.consts, call.carry, call.length);
    let mut carry: Recycled<Buffer> = inputs[k..k + c].iter().map(|(x, _)| (*x).clone()).collect();
    let xs = &inputs[k + c..];
    let x_sizes: Recycled<usize> = xs
        .iter()
        .map(|(b, _)| b.len().checked_div(length).unwrap_or(0))
        .collect();
    let mut ys: Vec<Buffer> = out_types[c..]
        .iter()
        .map(|t| Buffer::zeros(t.dtype, t.size()).ok_or("cannot allocate a scan output"))
        .collect::<Result<_, _>>()?;
    for step in 0..length {
        let i = if call.reverse {
            length - 1 - step
        } else {
            step
        };
        let mut body_inputs: Recycled<Cow<'_, Buffer>> = borrowed(&inputs[..k]).collect();
        body_inputs.extend(carry.drain(..).map(Cow::Owned));
        for ((x, _), &n) in xs.iter().zip(&x_sizes) {
            body_inputs.push(Cow::Owned(row(x, i, n)?));
        }
        let mut outs = run(&call.body, body_inputs)?;
        for (y, out) in ys.iter_mut().zip(outs.drain(c..)) {
            write_row(y, &out, i)?;
            super::pool::give_buffer(out);
        }
        carry = outs;
    }
    carry.extend(ys);
    Ok(carry)
}
