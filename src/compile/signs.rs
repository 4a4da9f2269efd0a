//! Signs move into constant matrices: `broadcast(s) * dot_general(u, E)`, where `E` is
//! a constant matrix, `s` a constant whose elements are each `1` or `-1` broadcast along
//! the product's columns, and the product read only there, becomes `dot_general(u, E')`
//! with `E'` the constant `E` with each column's sign flipped as `s` says — the
//! log-likelihood's `-(2y - 1) * (x @ beta)`: an elementwise pass fewer over every data
//! point (in the notebook's step a pass over each thread's `[rows, 100]` values).
//!
//! Exact up to the sign of a zero sum: each term of each sum changes sign with its
//! column, and round-to-nearest is symmetric, so every sum is the exact negation (or
//! the same) of the one before; a sum that is zero comes out `+0` where the product
//! then negated gave `-0`. Dead products are left for [`dce`](super::dce).

use crate::ir::{BinaryOp, Equation, Primitive, Program, Var};
use std::collections::HashMap;

/// The largest matrix (in elements) given a signed copy: making the copy costs the
/// compile about a millisecond per 4 MB (at 100,000 points and 100 features, 40 MB,
/// the jitted step's first call took 330 -> 385 ms), while the pass it saves shrinks
/// beside the product as the matrix grows.
const MAX_SIGNED_ELEMENTS: usize = 1 << 20;

/// `program` with each constant sign vector that scales a product's columns moved
/// into the product's constant matrix (see the module documentation). An ill-formed
/// program (one [`Program::verify`] rejects) comes back unchanged.
///
/// ```
/// use autobatch::{compile::{dce, signs_into_products}, make_program, Array};
/// let x = Array::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]); // [features, points]
/// let signs = Array::from_vec(vec![1.0f32, -1.0, -1.0], &[3]);
/// let f = |betas: &Array| &signs * betas.dot(&x); // [batch, points]
/// let p = make_program(f, &Array::zeros(&[4, 2])).unwrap();
/// let q = dce(&signs_into_products(&p));
/// assert_eq!((q.count_primitive("mul"), q.count_primitive("dot_general")), (0, 1));
/// ```
pub fn signs_into_products(program: &Program) -> Program {
    if program.verify().is_err() {
        return program.clone();
    }
    let mut program = program.clone();
    let mut uses: HashMap<Var, usize> = HashMap::new();
    for v in program.equations.iter().flat_map(|eq| &eq.inputs) {
        *uses.entry(*v).or_default() += 1;
    }
    for v in &program.outvars {
        *uses.entry(*v).or_default() += 1;
    }
    let constants: HashMap<Var, crate::Array> = (program.constvars.iter().copied())
        .zip(program.consts.iter().cloned())
        .collect();
    let is_signs = |v: &Var| {
        constants
            .get(v)
            .and_then(|c| c.buffer())
            .is_some_and(|b| match b {
                crate::array::Buffer::F32(x) => x.iter().all(|&e| e == 1.0 || e == -1.0),
                crate::array::Buffer::F64(x) => x.iter().all(|&e| e == 1.0 || e == -1.0),
                _ => false,
            })
    };
    let mut def: HashMap<Var, usize> = HashMap::new();
    for i in 0..program.equations.len() {
        let eq = &program.equations[i];
        if let [y] = eq.outputs[..] {
            def.insert(y, i);
        }
        if eq.primitive != Primitive::Binary(BinaryOp::Mul) || eq.outputs.len() != 1 {
            continue;
        }
        let y = eq.outputs[0];
        let found = [(0, 1), (1, 0)].into_iter().find_map(|(s, p)| {
            let b = &program.equations[*def.get(&eq.inputs[s])?];
            let d = &program.equations[*def.get(&eq.inputs[p])?];
            let Primitive::BroadcastInDim { dims, .. } = &b.primitive else {
                return None;
            };
            let Primitive::DotGeneral {
                lhs_contract,
                rhs_contract,
                lhs_batch,
                rhs_batch,
            } = &d.primitive
            else {
                return None;
            };
            let (lhs, rhs) = (program.var_type(d.inputs[0]), program.var_type(d.inputs[1]));
            let plain = lhs.shape.len() == 2
                && rhs.shape.len() == 2
                && lhs_contract[..] == [1]
                && (rhs_contract[..] == [0] || rhs_contract[..] == [1])
                && lhs_batch.is_empty()
                && rhs_batch.is_empty();
            let columns = rhs.shape[1 - rhs_contract.first().copied().unwrap_or(0).min(1)];
            let signs = b.inputs[0];
            (plain
                && dims[..] == [1]
                && program.var_type(signs).shape[..] == [columns]
                && program.var_type(y) == program.var_type(eq.inputs[p])
                && program.var_type(signs).dtype == rhs.dtype
                && uses.get(&eq.inputs[p]) == Some(&1)
                && is_signs(&signs))
            .then(|| (d.clone(), signs, rhs_contract[0]))
        });
        let Some((dot, signs, contract)) = found else {
            continue;
        };
        let (Some(matrix), Some(s)) = (constants.get(&dot.inputs[1]), constants.get(&signs)) else {
            continue;
        };
        if matrix.size() > MAX_SIGNED_ELEMENTS {
            continue;
        }
        // The signs along the matrix's free axis: its columns, or its rows when it is
        // contracted along its columns.
        let n = s.size() as isize;
        let along = if contract == 0 { [1, n] } else { [n, 1] };
        let signed = matrix * &s.reshape(&along);
        if !signed.is_concrete() || signed.array_type() != matrix.array_type() {
            continue;
        }
        let v = Var(program.var_types.len() as u32);
        program.var_types.push(signed.array_type());
        program.constvars.push(v);
        program.consts.push(signed);
        program.equations[i] = Equation {
            primitive: dot.primitive,
            inputs: vec![dot.inputs[0], v],
            outputs: vec![y],
        };
    }
    program
}

#[cfg(test)]
mod tests {
    use super::signs_into_products;
    use crate::array::lax::dot_general;
    use crate::compile::dce;
    use crate::{Array, make_program};

    /// The product with the signs moved into its matrix gives the same bits, for a
    /// matrix read either way round; signs other than +-1, or a product read twice,
    /// are left alone.
    #[test]
    fn signs_move_into_the_matrix_with_the_same_bits() {
        let x = (Array::arange(60).astype(crate::DType::F32) / 7.0)
            .sin()
            .reshape(&[20, 3]);
        let xt = x.t();
        let signs = Array::from_vec(
            (0..20)
                .map(|i| if i % 3 == 0 { -1.0f32 } else { 1.0 })
                .collect(),
            &[20],
        );
        let beta = (Array::arange(12).astype(crate::DType::F32) / 5.0)
            .cos()
            .reshape(&[4, 3]);
        let columns = |b: &Array| &signs * b.dot(&xt);
        let rows = |b: &Array| &signs * dot_general(b, &x, &[1], &[1], &[], &[]);
        for f in [&columns as &dyn Fn(&Array) -> Array, &rows] {
            let p = make_program(f, &beta).unwrap();
            let q = dce(&signs_into_products(&p));
            assert_eq!((p.count_primitive("mul"), q.count_primitive("mul")), (1, 0));
            let (a, b) = (
                p.call(std::slice::from_ref(&beta)).unwrap(),
                q.call(std::slice::from_ref(&beta)).unwrap(),
            );
            assert_eq!(a[0].to_vec::<f32>().unwrap(), b[0].to_vec::<f32>().unwrap());
        }
        let scaled = |b: &Array| &(&signs * 2.0) * b.dot(&xt);
        let twice = |b: &Array| {
            let d = b.dot(&xt);
            (&signs * &d, d)
        };
        let p = make_program(scaled, &beta).unwrap();
        assert_eq!(dce(&signs_into_products(&p)).count_primitive("mul"), 1);
        let p = make_program(twice, &beta).unwrap();
        assert_eq!(dce(&signs_into_products(&p)).count_primitive("mul"), 1);
    }
}
