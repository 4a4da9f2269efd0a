//! Forward-mode rules: the tangent of each primitive's outputs from its inputs' tangents.
//!
//! Tangents are `Option<Array>`: `None` is a symbolic zero (no work is done for it).
//! Integer and boolean values carry no tangent.

use super::ad_util::*;
use crate::array::{Array, DType, apply_primitive, lax};
use crate::ir::{BinaryOp, CompareOp, Primitive, ReduceOp, UnaryOp};

/// Evaluates `prim` on `primals` and returns the outputs with their tangents.
#[track_caller]
pub(crate) fn jvp_rule(
    prim: &Primitive,
    primals: &[Array],
    tangents: &[Option<Array>],
) -> (Vec<Array>, Vec<Option<Array>>) {
    use crate::control::rules;
    match prim {
        Primitive::CustomJvp(call) => return super::custom_jvp::jvp_rule(call, primals, tangents),
        Primitive::Cond(call) => return rules::cond_jvp(call, primals, tangents),
        Primitive::While(call) => return rules::while_jvp(call, primals, tangents),
        Primitive::Scan(call) => return rules::scan_jvp(call, primals, tangents),
        _ => {}
    }
    let refs: Vec<&Array> = primals.iter().collect();
    let outs = apply_primitive(prim.clone(), &refs);
    if tangents.iter().all(Option::is_none) || outs.iter().any(|o| o.error_value().is_some()) {
        let n = outs.len();
        return (outs, vec![None; n]);
    }
    let y = &outs[0];
    let x = &primals[0];
    // A zero tangent made concrete, for rules that need every operand's tangent.
    let inst = |i: usize| {
        tangents[i]
            .clone()
            .unwrap_or_else(|| zeros_like(&primals[i]))
    };
    let out_tangent: Option<Array> = match prim {
        Primitive::Unary(op) => {
            let t = inst(0);
            if !differentiable(x.dtype()) {
                None
            } else {
                match op {
                    UnaryOp::Neg => Some(neg(&t)),
                    UnaryOp::Exp => Some(mul(&t, y)),
                    UnaryOp::Log => Some(div(&t, x)),
                    UnaryOp::Log1p => Some(div(&t, &add(&full_like(x, 1.0), x))),
                    UnaryOp::Expm1 => Some(mul(&t, &add(y, &full_like(y, 1.0)))),
                    UnaryOp::Sqrt => Some(div(&t, &scale(y, 2.0))),
                    UnaryOp::Rsqrt => Some(mul(&t, &div(&scale(y, -0.5), x))),
                    UnaryOp::Abs => {
                        let nonneg = cmp(CompareOp::Ge, x, &zeros_like(x));
                        Some(lax::select(&nonneg, &t, &neg(&t)))
                    }
                    UnaryOp::Sin => Some(mul(&t, &lax::unary(UnaryOp::Cos, x))),
                    UnaryOp::Cos => Some(neg(&mul(&t, &lax::unary(UnaryOp::Sin, x)))),
                    UnaryOp::Tanh => Some(mul(&t, &sub(&full_like(y, 1.0), &mul(y, y)))),
                    UnaryOp::Logistic => Some(mul(&t, &mul(y, &sub(&full_like(y, 1.0), y)))),
                    UnaryOp::ErfInv => Some(mul(&t, &erf_inv_slope(y))),
                    UnaryOp::Erf => Some(mul(&t, &erf_slope(x))),
                    UnaryOp::Sign | UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round => None,
                    UnaryOp::Not => None,
                }
            }
        }
        Primitive::Binary(op) => {
            if !differentiable(x.dtype()) {
                None
            } else {
                let xr = &primals[1];
                let (tx, ty) = (&tangents[0], &tangents[1]);
                let partials = binary_partials(*op, x, xr, y);
                let mut acc = None;
                if let (Some(t), Some(d)) = (tx, &partials.0) {
                    accumulate(&mut acc, mul(t, d));
                }
                if let (Some(t), Some(d)) = (ty, &partials.1) {
                    accumulate(&mut acc, mul(t, d));
                }
                acc
            }
        }
        Primitive::Compare(_) => None,
        Primitive::Select => {
            if !differentiable(y.dtype()) || (tangents[1].is_none() && tangents[2].is_none()) {
                None
            } else {
                Some(lax::select(&primals[0], &inst(1), &inst(2)))
            }
        }
        Primitive::Fma => {
            // d(a b + c) = ta b + a tb + tc.
            let (a, b) = (&primals[0], &primals[1]);
            let mut acc = None;
            if let Some(t) = &tangents[0] {
                accumulate(&mut acc, mul(t, b));
            }
            if let Some(t) = &tangents[1] {
                accumulate(&mut acc, mul(a, t));
            }
            if let Some(t) = &tangents[2] {
                accumulate(&mut acc, t.clone());
            }
            acc
        }
        Primitive::Convert { dtype } => {
            if differentiable(x.dtype()) && differentiable(*dtype) {
                tangents[0].as_ref().map(|t| lax::convert(t, *dtype))
            } else {
                None
            }
        }
        Primitive::Bitcast { .. } | Primitive::Iota { .. } | Primitive::ArgReduce { .. } => None,
        Primitive::StopGradient | Primitive::Threefry2x32 => None,
        Primitive::CustomJvp(_) | Primitive::Cond(_) | Primitive::While(_) | Primitive::Scan(_) => {
            unreachable!("rules holding sub-programs return before this match")
        }
        // Linear in their (first) operand: apply the op to the tangent.
        Primitive::BroadcastInDim { .. }
        | Primitive::Reshape { .. }
        | Primitive::Transpose { .. }
        | Primitive::Slice { .. }
        | Primitive::Cumsum { .. }
        | Primitive::Reduce {
            op: ReduceOp::Sum, ..
        } => linear_in_first(prim, &tangents[0], x),
        Primitive::Take { .. } => {
            if differentiable(x.dtype()) {
                tangents[0]
                    .as_ref()
                    .map(|t| apply_primitive(prim.clone(), &[t, &primals[1]]).remove(0))
            } else {
                None
            }
        }
        Primitive::Pad { .. } => {
            if differentiable(x.dtype()) {
                Some(apply_primitive(prim.clone(), &[&inst(0), &inst(1)]).remove(0))
            } else {
                None
            }
        }
        Primitive::Concatenate { .. } => {
            if differentiable(y.dtype()) {
                let ts: Vec<Array> = (0..primals.len()).map(inst).collect();
                let refs: Vec<&Array> = ts.iter().collect();
                Some(apply_primitive(prim.clone(), &refs).remove(0))
            } else {
                None
            }
        }
        Primitive::ScatterAdd { .. } => {
            if differentiable(x.dtype()) {
                Some(apply_primitive(prim.clone(), &[&inst(0), &primals[1], &inst(2)]).remove(0))
            } else {
                None
            }
        }
        Primitive::Reduce { op, axes } => {
            if !differentiable(x.dtype()) {
                None
            } else {
                let t = inst(0);
                let weights = reduce_partials(*op, x, y, axes);
                Some(lax::reduce(ReduceOp::Sum, &mul(&t, &weights), axes))
            }
        }
        Primitive::Cholesky => {
            // L' = L Φ(L⁻¹ A'ₛ L⁻ᵀ), A'ₛ = (A' + A'ᵀ)/2 (the convention JAX uses: the
            // tangent is symmetrized rather than read from the lower triangle only).
            let t = inst(0);
            let sym = scale(&add(&t, &matrix_transpose(&t)), 0.5);
            let left = lax::triangular_solve(y, &sym, true, false, false);
            let m = matrix_transpose(&lax::triangular_solve(
                y,
                &matrix_transpose(&left),
                true,
                false,
                false,
            ));
            Some(matmul(y, &phi(&m)))
        }
        Primitive::TriangularSolve {
            lower,
            transpose_a,
            unit_diagonal,
        } => {
            // x' = op(a)⁻¹ (b' - op(a'_tri) x).
            let mut rhs = tangents[1].clone();
            if let Some(ta) = &tangents[0] {
                let ta = triangle(ta, *lower, !unit_diagonal);
                let ta = if *transpose_a {
                    matrix_transpose(&ta)
                } else {
                    ta
                };
                let ax = matmul(&ta, y);
                rhs = Some(match rhs {
                    Some(tb) => sub(&tb, &ax),
                    None => neg(&ax),
                });
            }
            rhs.map(|r| lax::triangular_solve(x, &r, *lower, *transpose_a, *unit_diagonal))
        }
        Primitive::DotGeneral { .. } => {
            if !differentiable(x.dtype()) {
                None
            } else {
                let mut acc = None;
                if let Some(tl) = &tangents[0] {
                    accumulate(
                        &mut acc,
                        apply_primitive(prim.clone(), &[tl, &primals[1]]).remove(0),
                    );
                }
                if let Some(tr) = &tangents[1] {
                    accumulate(&mut acc, apply_primitive(prim.clone(), &[x, tr]).remove(0));
                }
                acc
            }
        }
    };
    let mut out_tangents = vec![None; outs.len()];
    out_tangents[0] = out_tangent;
    (outs, out_tangents)
}

/// `x` (`[..., n, m]`) with its last two axes swapped.
#[track_caller]
pub(crate) fn matrix_transpose(x: &Array) -> Array {
    let r = x.ndim();
    let mut perm: Vec<usize> = (0..r).collect();
    perm.swap(r - 2, r - 1);
    lax::transpose(x, &perm)
}

/// The batched matrix product of `a: [..., n, m]` and `b: [..., m, k]` (equal leading axes).
#[track_caller]
pub(crate) fn matmul(a: &Array, b: &Array) -> Array {
    let r = a.ndim();
    let batch: Vec<usize> = (0..r - 2).collect();
    lax::dot_general(a, b, &[r - 1], &[r - 2], &batch, &batch)
}

/// `(row, col)` index arrays (`i32`) shaped like `x` (`[..., n, n]`).
#[track_caller]
fn row_col(x: &Array) -> (Array, Array) {
    let r = x.ndim();
    (
        lax::iota(DType::I32, x.shape(), r - 2),
        lax::iota(DType::I32, x.shape(), r - 1),
    )
}

/// `x` (`[..., n, n]`) with everything outside the lower (or upper) triangle set to zero;
/// the diagonal is kept when `with_diagonal`, zeroed otherwise.
#[track_caller]
pub(crate) fn triangle(x: &Array, lower: bool, with_diagonal: bool) -> Array {
    let (row, col) = row_col(x);
    let op = match (lower, with_diagonal) {
        (true, true) => CompareOp::Ge,
        (true, false) => CompareOp::Gt,
        (false, true) => CompareOp::Le,
        (false, false) => CompareOp::Lt,
    };
    where_or_zero(&cmp(op, &row, &col), x)
}

/// `Φ(x)`: the strictly lower triangle of `x` plus half its diagonal (self-adjoint).
#[track_caller]
pub(crate) fn phi(x: &Array) -> Array {
    let (row, col) = row_col(x);
    let diag = where_or_zero(&cmp(CompareOp::Eq, &row, &col), &scale(x, 0.5));
    lax::select(&cmp(CompareOp::Gt, &row, &col), x, &diag)
}

#[track_caller]
fn linear_in_first(prim: &Primitive, t: &Option<Array>, x: &Array) -> Option<Array> {
    if !differentiable(x.dtype()) {
        return None;
    }
    t.as_ref()
        .map(|t| apply_primitive(prim.clone(), &[t]).remove(0))
}

/// The partial derivatives `(d out / d x, d out / d y)` of a binary op (`None`: zero).
#[track_caller]
pub(crate) fn binary_partials(
    op: BinaryOp,
    x: &Array,
    y: &Array,
    out: &Array,
) -> (Option<Array>, Option<Array>) {
    let one = || full_like(x, 1.0);
    match op {
        BinaryOp::Add => (Some(one()), Some(one())),
        BinaryOp::Sub => (Some(one()), Some(full_like(x, -1.0))),
        BinaryOp::Mul => (Some(y.clone()), Some(x.clone())),
        BinaryOp::Div => (Some(div(&one(), y)), Some(neg(&div(out, y)))),
        BinaryOp::Rem => {
            // x - y * trunc(x / y): d/dx = 1, d/dy = -trunc(x / y).
            let q = div(x, y);
            let trunc = lax::select(
                &cmp(CompareOp::Ge, &q, &zeros_like(&q)),
                &lax::unary(UnaryOp::Floor, &q),
                &lax::unary(UnaryOp::Ceil, &q),
            );
            (Some(one()), Some(neg(&trunc)))
        }
        BinaryOp::Pow => {
            // d/dx = y * x^(y-1) (0 where y == 0); d/dy = log(x) * out (0 where x == 0).
            let ym1 = sub(y, &one());
            let dx = mul(y, &lax::binary(BinaryOp::Pow, x, &ym1));
            let dx = where_or_zero(&cmp(CompareOp::Ne, y, &zeros_like(y)), &dx);
            let x_zero = cmp(CompareOp::Eq, x, &zeros_like(x));
            let safe_x = lax::select(&x_zero, &one(), x);
            let dy = mul(&lax::unary(UnaryOp::Log, &safe_x), out);
            let dy = lax::select(&x_zero, &zeros_like(&dy), &dy);
            (Some(dx), Some(dy))
        }
        BinaryOp::Max | BinaryOp::Min => {
            // Ties split the derivative equally, as in JAX.
            let wins = if op == BinaryOp::Max {
                CompareOp::Gt
            } else {
                CompareOp::Lt
            };
            let half = full_like(x, 0.5);
            let eq = mask(&cmp(CompareOp::Eq, x, y), x.dtype());
            let dx = add(&mask(&cmp(wins, x, y), x.dtype()), &mul(&half, &eq));
            let dy = add(&mask(&cmp(wins, y, x), x.dtype()), &mul(&half, &eq));
            (Some(dx), Some(dy))
        }
        BinaryOp::And
        | BinaryOp::Or
        | BinaryOp::Xor
        | BinaryOp::ShiftLeft
        | BinaryOp::ShiftRightLogical => (None, None),
    }
}

/// For a reduction over `axes`, the weight of each input element in the output's
/// derivative, shaped like `x`: 1 for sums, the tie-split indicator for max/min, the
/// product of the other elements for products.
#[track_caller]
pub(crate) fn reduce_partials(op: ReduceOp, x: &Array, y: &Array, axes: &[usize]) -> Array {
    match op {
        ReduceOp::Sum => full_like(x, 1.0),
        ReduceOp::Max | ReduceOp::Min => {
            let yb = unreduce(y, x.shape(), axes);
            let hit = mask(&cmp(CompareOp::Eq, x, &yb), x.dtype());
            let count = lax::reduce(ReduceOp::Sum, &hit, axes);
            div(&hit, &unreduce(&count, x.shape(), axes))
        }
        ReduceOp::Prod => {
            // prod of the others: out / x where no zero, exact handling of zeros.
            let nonzero = cmp(CompareOp::Ne, x, &zeros_like(x));
            let x1 = lax::select(&nonzero, x, &full_like(x, 1.0));
            let p1 = unreduce(&lax::reduce(ReduceOp::Prod, &x1, axes), x.shape(), axes);
            let zeros = lax::reduce(
                ReduceOp::Sum,
                &mask(&lax::unary(UnaryOp::Not, &nonzero), DType::I32),
                axes,
            );
            let zeros = unreduce(&zeros, x.shape(), axes);
            let none_zero = cmp(
                CompareOp::Eq,
                &zeros,
                &lax::convert(&zeros_like(x), DType::I32),
            );
            let one_zero = cmp(
                CompareOp::Eq,
                &zeros,
                &lax::convert(&full_like(x, 1.0), DType::I32),
            );
            let at_nonzero = where_or_zero(&none_zero, &div(&p1, &x1));
            let at_zero = where_or_zero(&one_zero, &p1);
            lax::select(&nonzero, &at_nonzero, &at_zero)
        }
    }
}
