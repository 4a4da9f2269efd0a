//! Signs move into constant matrices. Where `s` is a constant whose elements are each `1`
//! or `-1`, broadcast along the last axis of a `[rows, n]` value, and `E` a constant
//! matrix:
//!
//! * `broadcast(s) * dot_general(u, E)`, the product read only there, becomes
//!   `dot_general(u, E')` with `E'` the constant `E` with each free column's sign
//!   flipped as `s` says — the log-likelihood's `-(2y - 1) * (x @ beta)`: an elementwise
//!   pass fewer over every data point (in the notebook's step a pass over each thread's
//!   `[rows, 100]` values). Exact up to the sign of a zero sum: each term of each sum
//!   changes sign with its column, and round-to-nearest is symmetric, so every sum is
//!   the exact negation (or the same) of the one before; a sum that is zero comes out
//!   `+0` where the product then negated gave `-0`.
//! * `dot_general(broadcast(s) * t, E)`, the signs along the contracted axis and the
//!   scaled value read only there, becomes `dot_general(t, E')` with `E'` the constant
//!   `E` with each contracted row's sign flipped — the gradient's
//!   `(g * -(2y - 1)) @ x`. Exact: every term is the same number.
//!
//! Matrices of more than [`MAX_SIGNED_ELEMENTS`] elements are left alone. Dead products
//! and multiplications are left for [`dce`](super::dce).

use crate::ir::{BinaryOp, Equation, Primitive, Program, Var};
use std::collections::HashMap;

/// The largest matrix (in elements) given a signed copy: making the copy costs the
/// compile about a millisecond per 4 MB (at 100,000 points and 100 features, 40 MB,
/// the jitted step's first call took 330 -> 385 ms), while the pass it saves shrinks
/// beside the product as the matrix grows.
pub const MAX_SIGNED_ELEMENTS: usize = 1 << 20;

/// `program` with each constant sign vector that scales a product's columns, or its
/// left-hand side along the contracted axis, moved into the product's constant matrix
/// (see the module documentation). An ill-formed program (one [`Program::verify`]
/// rejects) comes back unchanged.
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
        let Some(rewrite) = column_signs(&program, &def, &uses, &is_signs, i)
            .or_else(|| contracted_signs(&program, &def, &uses, &is_signs, i))
        else {
            continue;
        };
        let (Some(matrix), Some(s)) = (
            constants.get(&rewrite.matrix),
            constants.get(&rewrite.signs),
        ) else {
            continue;
        };
        if matrix.size() > MAX_SIGNED_ELEMENTS {
            continue;
        }
        let n = s.size() as isize;
        let along = if rewrite.axis == 0 { [n, 1] } else { [1, n] };
        let signed = matrix * &s.reshape(&along);
        if !signed.is_concrete() || signed.array_type() != matrix.array_type() {
            continue;
        }
        let v = Var(program.var_types.len() as u32);
        program.var_types.push(signed.array_type());
        program.constvars.push(v);
        program.consts.push(signed);
        let y = program.equations[i].outputs[0];
        program.equations[i] = Equation {
            primitive: rewrite.product,
            inputs: vec![rewrite.lhs, v],
            outputs: vec![y],
        };
    }
    program
}

/// A product to rewrite as `product(lhs, matrix')`, `matrix'` being `matrix` with the
/// signs `signs` applied along its axis `axis`.
struct SignedProduct {
    product: Primitive,
    lhs: Var,
    matrix: Var,
    signs: Var,
    axis: usize,
}

/// The constant matrix's contracted axis if `primitive` is a plain product of a
/// `[rows, k]` left-hand side and a 2-D right-hand side (no batch axes).
fn plain_product(program: &Program, eq: &Equation) -> Option<usize> {
    let Primitive::DotGeneral {
        lhs_contract,
        rhs_contract,
        lhs_batch,
        rhs_batch,
    } = &eq.primitive
    else {
        return None;
    };
    let (lhs, rhs) = (
        program.var_type(eq.inputs[0]),
        program.var_type(eq.inputs[1]),
    );
    (lhs.shape.len() == 2
        && rhs.shape.len() == 2
        && lhs_contract[..] == [1]
        && (rhs_contract[..] == [0] || rhs_contract[..] == [1])
        && lhs_batch.is_empty()
        && rhs_batch.is_empty())
    .then(|| rhs_contract[0])
}

/// The constant of signs that `v` broadcasts along the last of two axes, if it does.
fn sign_vector(
    program: &Program,
    def: &HashMap<Var, usize>,
    is_signs: &dyn Fn(&Var) -> bool,
    v: Var,
) -> Option<Var> {
    let b = &program.equations[*def.get(&v)?];
    match &b.primitive {
        Primitive::BroadcastInDim { dims, shape } if dims[..] == [1] && shape.len() == 2 => {
            is_signs(&b.inputs[0]).then_some(b.inputs[0])
        }
        _ => None,
    }
}

/// Equation `i` as `broadcast(s) * dot_general(u, E)`: the signs scale `E`'s free axis.
fn column_signs(
    program: &Program,
    def: &HashMap<Var, usize>,
    uses: &HashMap<Var, usize>,
    is_signs: &dyn Fn(&Var) -> bool,
    i: usize,
) -> Option<SignedProduct> {
    let eq = &program.equations[i];
    if eq.primitive != Primitive::Binary(BinaryOp::Mul) || eq.outputs.len() != 1 {
        return None;
    }
    [(0, 1), (1, 0)].into_iter().find_map(|(s, p)| {
        let signs = sign_vector(program, def, is_signs, eq.inputs[s])?;
        let d = &program.equations[*def.get(&eq.inputs[p])?];
        let contract = plain_product(program, d)?;
        let rhs = program.var_type(d.inputs[1]);
        let free = 1 - contract;
        (program.var_type(signs).shape[..] == [rhs.shape[free]]
            && program.var_type(signs).dtype == rhs.dtype
            && program.var_type(eq.outputs[0]) == program.var_type(eq.inputs[p])
            && uses.get(&eq.inputs[p]) == Some(&1))
        .then(|| SignedProduct {
            product: d.primitive.clone(),
            lhs: d.inputs[0],
            matrix: d.inputs[1],
            signs,
            axis: free,
        })
    })
}

/// Equation `i` as `dot_general(broadcast(s) * t, E)`, the signs along the contracted
/// axis: they scale `E`'s contracted axis (the gradient's `(g * -(2y - 1)) @ x`).
fn contracted_signs(
    program: &Program,
    def: &HashMap<Var, usize>,
    uses: &HashMap<Var, usize>,
    is_signs: &dyn Fn(&Var) -> bool,
    i: usize,
) -> Option<SignedProduct> {
    let eq = &program.equations[i];
    let contract = plain_product(program, eq)?;
    let scaled = eq.inputs[0];
    let m = &program.equations[*def.get(&scaled)?];
    if m.primitive != Primitive::Binary(BinaryOp::Mul) || uses.get(&scaled) != Some(&1) {
        return None;
    }
    let rhs = program.var_type(eq.inputs[1]);
    [(0, 1), (1, 0)].into_iter().find_map(|(s, t)| {
        let signs = sign_vector(program, def, is_signs, m.inputs[s])?;
        (program.var_type(signs).shape[..] == [rhs.shape[contract]]
            && program.var_type(signs).dtype == rhs.dtype
            && program.var_type(m.inputs[t]) == program.var_type(scaled))
        .then(|| SignedProduct {
            product: eq.primitive.clone(),
            lhs: m.inputs[t],
            matrix: eq.inputs[1],
            signs,
            axis: contract,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::signs_into_products;
    use crate::array::lax::dot_general;
    use crate::compile::dce;
    use crate::{Array, make_program};

    /// `f`'s program on `arg` loses its one multiplication to the pass, and gives the
    /// same bits.
    fn signs_move(f: &dyn Fn(&Array) -> Array, arg: &Array) {
        let p = make_program(f, arg).unwrap();
        let q = dce(&signs_into_products(&p));
        assert_eq!((p.count_primitive("mul"), q.count_primitive("mul")), (1, 0));
        let args = std::slice::from_ref(arg);
        let (a, b) = (p.call(args).unwrap(), q.call(args).unwrap());
        assert_eq!(a[0].to_vec::<f32>().unwrap(), b[0].to_vec::<f32>().unwrap());
    }

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
        signs_move(&columns, &beta);
        signs_move(&rows, &beta);
        // The gradient's form: signs along the contracted axis, either way round.
        let g = (Array::arange(80).astype(crate::DType::F32) / 3.0)
            .cos()
            .reshape(&[4, 20]);
        let contracted = |g: &Array| (g * &signs).dot(&x);
        let contracted_t = |g: &Array| dot_general(&(&signs * g), &xt, &[1], &[1], &[], &[]);
        signs_move(&contracted, &g);
        signs_move(&contracted_t, &g);
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
