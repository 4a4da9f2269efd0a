//! Reverse-mode rules: the cotangents of each primitive's inputs from its outputs'
//! cotangent, given the forward values (inputs and outputs) as residuals.
//!
//! Cotangents are `Option<Array>`: `None` is a symbolic zero. Integer and boolean inputs
//! (indices, predicates) get no cotangent.

use super::ad_util::*;
use super::jvp_rules::{binary_partials, matmul, matrix_transpose, phi, reduce_partials, triangle};
use crate::array::{Array, lax};
use crate::ir::{CompareOp, Primitive, ReduceOp, UnaryOp};

/// Cotangents of `prim`'s inputs, given its inputs `x`, outputs `y` and the cotangents of
/// its outputs (at least one is `Some`).
#[track_caller]
pub(crate) fn vjp_rule(
    prim: &Primitive,
    x: &[Array],
    y: &[Array],
    cts: &[Option<Array>],
) -> Vec<Option<Array>> {
    use crate::control::rules;
    match prim {
        Primitive::Cond(call) => return rules::cond_vjp(call, x, cts),
        Primitive::While(_) => return rules::while_vjp(x),
        Primitive::Scan(call) => return rules::scan_vjp(call, x, cts),
        _ => {}
    }
    let mut out: Vec<Option<Array>> = vec![None; x.len()];
    let Some(ct) = cts.first().and_then(|c| c.clone()) else {
        return out;
    };
    if !differentiable(ct.dtype()) {
        return out;
    }
    let x0 = &x[0];
    let y0 = &y[0];
    match prim {
        Primitive::Unary(op) => {
            out[0] = match op {
                UnaryOp::Neg => Some(neg(&ct)),
                UnaryOp::Exp => Some(mul(&ct, y0)),
                UnaryOp::Log => Some(div(&ct, x0)),
                UnaryOp::Log1p => Some(div(&ct, &add(&full_like(x0, 1.0), x0))),
                UnaryOp::Expm1 => Some(mul(&ct, &add(y0, &full_like(y0, 1.0)))),
                UnaryOp::Sqrt => Some(div(&ct, &scale(y0, 2.0))),
                UnaryOp::Rsqrt => Some(mul(&ct, &div(&scale(y0, -0.5), x0))),
                UnaryOp::Abs => {
                    let nonneg = cmp(CompareOp::Ge, x0, &zeros_like(x0));
                    Some(lax::select(&nonneg, &ct, &neg(&ct)))
                }
                UnaryOp::Sin => Some(mul(&ct, &lax::unary(UnaryOp::Cos, x0))),
                UnaryOp::Cos => Some(neg(&mul(&ct, &lax::unary(UnaryOp::Sin, x0)))),
                UnaryOp::Tanh => Some(mul(&ct, &sub(&full_like(y0, 1.0), &mul(y0, y0)))),
                UnaryOp::Logistic => Some(mul(&ct, &mul(y0, &sub(&full_like(y0, 1.0), y0)))),
                UnaryOp::ErfInv => Some(mul(&ct, &erf_inv_slope(y0))),
                UnaryOp::Erf => Some(mul(&ct, &erf_slope(x0))),
                UnaryOp::Sign | UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::Not => {
                    None
                }
            };
        }
        Primitive::Binary(op) => {
            let (dx, dy) = binary_partials(*op, x0, &x[1], y0);
            out[0] = dx.map(|d| mul(&ct, &d));
            out[1] = dy.map(|d| mul(&ct, &d));
        }
        Primitive::Compare(_) | Primitive::Bitcast { .. } | Primitive::Iota { .. } => {}
        Primitive::ArgReduce { .. } | Primitive::StopGradient | Primitive::Threefry2x32 => {}
        Primitive::CustomJvp(call) => return super::custom_jvp::vjp_rule(call, x, cts),
        Primitive::Cond(_) | Primitive::While(_) | Primitive::Scan(_) => {
            unreachable!("control-flow rules return before this match")
        }
        Primitive::Fma => {
            out[0] = Some(mul(&ct, &x[1]));
            out[1] = Some(mul(&x[0], &ct));
            out[2] = Some(ct.clone());
        }
        Primitive::Select => {
            let pred = &x[0];
            out[1] = Some(where_or_zero(pred, &ct));
            out[2] = Some(lax::select(pred, &zeros_like(&ct), &ct));
        }
        Primitive::Convert { .. } => {
            if differentiable(x0.dtype()) {
                out[0] = Some(lax::convert(&ct, x0.dtype()));
            }
        }
        Primitive::BroadcastInDim { dims, .. } => {
            out[0] = Some(unbroadcast(&ct, x0.shape(), dims));
        }
        Primitive::Reshape { .. } => out[0] = Some(lax::reshape(&ct, x0.shape())),
        Primitive::Transpose { perm } => {
            let mut inverse = vec![0; perm.len()];
            for (i, &p) in perm.iter().enumerate() {
                inverse[p] = i;
            }
            out[0] = Some(lax::transpose(&ct, &inverse));
        }
        Primitive::Slice {
            start,
            limit: _,
            strides,
        } => {
            // Scatter the cotangent back: zeros before, between and after the elements.
            let scalar_zero = crate::array::Operand::Float(0.0).into_array(ct.dtype());
            let mut low = Vec::new();
            let mut high = Vec::new();
            let mut interior = Vec::new();
            for a in 0..x0.ndim() {
                let m = ct.shape()[a];
                let n = x0.shape()[a] as i64;
                let (lo, span, gap) = if m == 0 {
                    (0, 0, 0)
                } else {
                    (
                        start[a] as i64,
                        ((m - 1) * strides[a] + 1) as i64,
                        strides[a] - 1,
                    )
                };
                low.push(lo);
                high.push(n - lo - span);
                interior.push(gap);
            }
            out[0] = Some(lax::pad(&ct, &scalar_zero, &low, &high, &interior));
        }
        Primitive::Pad {
            low,
            high,
            interior,
        } => {
            // Undo negative padding (cropping) with zeros, then take every (interior+1)-th
            // element starting at the positive low padding.
            let scalar_zero = crate::array::Operand::Float(0.0).into_array(ct.dtype());
            let grow_low: Vec<i64> = low.iter().map(|&l| (-l).max(0)).collect();
            let grow_high: Vec<i64> = high.iter().map(|&h| (-h).max(0)).collect();
            let full = lax::pad(
                &ct,
                &scalar_zero,
                &grow_low,
                &grow_high,
                &vec![0; ct.ndim()],
            );
            let start: Vec<usize> = low.iter().map(|&l| l.max(0) as usize).collect();
            let strides: Vec<usize> = interior.iter().map(|&i| i + 1).collect();
            let limit: Vec<usize> = (0..ct.ndim())
                .map(|a| {
                    let n = x0.shape()[a];
                    if n == 0 {
                        start[a]
                    } else {
                        start[a] + (n - 1) * strides[a] + 1
                    }
                })
                .collect();
            let t_operand = lax::slice(&full, &start, &limit, &strides);
            let all: Vec<usize> = (0..ct.ndim()).collect();
            let total = lax::reduce(ReduceOp::Sum, &ct, &all);
            let inside = lax::reduce(ReduceOp::Sum, &t_operand, &all);
            out[1] = Some(sub(&total, &inside));
            out[0] = Some(t_operand);
        }
        Primitive::Concatenate { axis } => {
            let mut offset = 0;
            for (i, xi) in x.iter().enumerate() {
                let mut start = vec![0; ct.ndim()];
                let mut limit = ct.shape().to_vec();
                start[*axis] = offset;
                offset += xi.shape()[*axis];
                limit[*axis] = offset;
                out[i] = Some(lax::slice(&ct, &start, &limit, &vec![1; ct.ndim()]));
            }
        }
        Primitive::Take { axis } => {
            out[0] = Some(lax::scatter_add(&zeros_like(x0), &x[1], &ct, *axis));
        }
        Primitive::ScatterAdd { axis } => {
            out[0] = Some(ct.clone());
            out[2] = Some(lax::take(&ct, &x[1], *axis));
        }
        Primitive::Reduce { op, axes } => {
            let ct_b = unreduce(&ct, x0.shape(), axes);
            out[0] = Some(match op {
                ReduceOp::Sum => ct_b,
                _ => mul(&ct_b, &reduce_partials(*op, x0, y0, axes)),
            });
        }
        Primitive::Cholesky => {
            // Murray (2016): P = Φ(Lᵀ L̄), S = L⁻ᵀ P L⁻¹, Ā = (S + Sᵀ)/2. The cotangent is
            // the full symmetric matrix (JAX's convention), the adjoint of the JVP rule,
            // which symmetrizes the input tangent.
            let p = phi(&matmul(&matrix_transpose(y0), &ct));
            let w = lax::triangular_solve(y0, &p, true, true, false);
            let s = matrix_transpose(&lax::triangular_solve(
                y0,
                &matrix_transpose(&w),
                true,
                true,
                false,
            ));
            out[0] = Some(scale(&add(&s, &matrix_transpose(&s)), 0.5));
        }
        Primitive::TriangularSolve {
            lower,
            transpose_a,
            unit_diagonal,
        } => {
            // b̄ = op(a)⁻ᵀ x̄; ā = -b̄ xᵀ (transposed when `transpose_a`), on the triangle.
            let b_ct = lax::triangular_solve(x0, &ct, *lower, !transpose_a, *unit_diagonal);
            let a_ct = if *transpose_a {
                matmul(y0, &matrix_transpose(&b_ct))
            } else {
                matmul(&b_ct, &matrix_transpose(y0))
            };
            out[0] = Some(neg(&triangle(&a_ct, *lower, !unit_diagonal)));
            out[1] = Some(b_ct);
        }
        Primitive::Cumsum { axis, reverse } => out[0] = Some(lax::cumsum(&ct, *axis, !reverse)),
        Primitive::DotGeneral {
            lhs_contract,
            rhs_contract,
            lhs_batch,
            rhs_batch,
        } => {
            let (l, r) = (&x[0], &x[1]);
            let nb = lhs_batch.len();
            let l_free: Vec<usize> = (0..l.ndim())
                .filter(|a| !lhs_contract.contains(a) && !lhs_batch.contains(a))
                .collect();
            let r_free: Vec<usize> = (0..r.ndim())
                .filter(|a| !rhs_contract.contains(a) && !rhs_batch.contains(a))
                .collect();
            let ct_batch: Vec<usize> = (0..nb).collect();
            let ct_l_free: Vec<usize> = (nb..nb + l_free.len()).collect();
            let ct_r_free: Vec<usize> = (nb + l_free.len()..ct.ndim()).collect();
            // d lhs: contract ct's rhs-free axes with rhs's free axes.
            let dl = lax::dot_general(&ct, r, &ct_r_free, &r_free, &ct_batch, rhs_batch);
            // dl axes: batch, lhs free, then rhs's contracted axes in increasing order.
            let mut r_contract_sorted = rhs_contract.clone();
            r_contract_sorted.sort_unstable();
            let mut src_of_lhs_axis = vec![0; l.ndim()];
            for (i, &a) in lhs_batch.iter().enumerate() {
                src_of_lhs_axis[a] = i;
            }
            for (j, &a) in l_free.iter().enumerate() {
                src_of_lhs_axis[a] = nb + j;
            }
            for (k, &ra) in r_contract_sorted.iter().enumerate() {
                let pos = rhs_contract
                    .iter()
                    .position(|&c| c == ra)
                    .expect("ra is a contracted axis");
                src_of_lhs_axis[lhs_contract[pos]] = nb + l_free.len() + k;
            }
            out[0] = Some(lax::transpose(&dl, &src_of_lhs_axis));
            // d rhs: contract ct's lhs-free axes with lhs's free axes.
            let dr = lax::dot_general(&ct, l, &ct_l_free, &l_free, &ct_batch, lhs_batch);
            let mut l_contract_sorted = lhs_contract.clone();
            l_contract_sorted.sort_unstable();
            let mut src_of_rhs_axis = vec![0; r.ndim()];
            for (i, &a) in rhs_batch.iter().enumerate() {
                src_of_rhs_axis[a] = i;
            }
            for (j, &a) in r_free.iter().enumerate() {
                src_of_rhs_axis[a] = nb + j;
            }
            for (k, &la) in l_contract_sorted.iter().enumerate() {
                let pos = lhs_contract
                    .iter()
                    .position(|&c| c == la)
                    .expect("la is a contracted axis");
                src_of_rhs_axis[rhs_contract[pos]] = nb + r_free.len() + k;
            }
            out[1] = Some(lax::transpose(&dr, &src_of_rhs_axis));
        }
    }
    out
}
