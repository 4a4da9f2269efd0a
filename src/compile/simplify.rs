//! Algebraic simplification: equations that compute nothing new are replaced by their
//! operand, and chains of reshapes collapse into one.
//!
//! The rules are exact, so results do not change at all (not even the sign of a zero or
//! a NaN payload), and they keep every transform's meaning: `stop_gradient` is never
//! removed, and nothing here depends on values except multiplication by a constant one.
//!
//! * `reshape` to the operand's own shape, identity `transpose`, `convert` to the
//!   operand's dtype, `broadcast_in_dim` to the operand's shape, and a `slice` of the
//!   whole operand: the operand;
//! * `reshape(reshape(x))`: one `reshape` of `x`;
//! * `neg(neg(x))`: `x`;
//! * `x * 1` and `1 * x` for floats, where `1` is a constant whose elements are all one
//!   (also through broadcasts): `x`.
//!
//! Negations move to where they cost less, exactly for every number (a NaN may come out
//! with the other sign: `inf - inf` gives the CPU's default NaN before the negation or
//! after it):
//!
//! * `reduce_sum(neg(x))`, the negation used only there: `neg(reduce_sum(x))` — one
//!   negated sum instead of a negated operand (the log-likelihood's `-log(...)` summed
//!   over data points); round-to-nearest is symmetric, so every partial sum is the
//!   exact negation of the other's;
//! * `a + neg(b)` and `neg(b) + a`: `a - b`; `a - neg(b)`: `a + b`.
//!
//! Dead equations are left for [`dce`](super::dce).

use crate::ir::{BinaryOp, Equation, Primitive, Program, ReduceOp, UnaryOp, Var};
use std::collections::{HashMap, HashSet};

/// `program` with the identities above removed (see the module documentation).
/// An ill-formed program (one [`Program::verify`] rejects) comes back unchanged.
///
/// ```
/// use autobatch::{compile::{dce, simplify}, make_program, Array};
/// let p = make_program(|x: &Array| (x.reshape(&[2, 3]).reshape(&[6]) * 1.0).exp(), &Array::zeros(&[6])).unwrap();
/// let q = dce(&simplify(&p));
/// assert_eq!((q.count_primitive("reshape"), q.count_primitive("mul")), (0, 0));
/// assert_eq!(q.equations.len(), 1); // exp
/// ```
pub fn simplify(program: &Program) -> Program {
    if program.verify().is_err() {
        return program.clone();
    }
    let mut out = program.clone();
    // Constants whose elements are all one, each scanned once.
    let ones: std::collections::HashSet<Var> = program
        .constvars
        .iter()
        .zip(&program.consts)
        .filter(|(_, c)| match c.buffer() {
            Some(crate::array::Buffer::F32(v)) => !v.is_empty() && v.iter().all(|&x| x == 1.0),
            Some(crate::array::Buffer::F64(v)) => !v.is_empty() && v.iter().all(|&x| x == 1.0),
            _ => false,
        })
        .map(|(v, _)| *v)
        .collect();
    // Replacement of each simplified variable.
    let mut same: HashMap<Var, Var> = HashMap::new();
    // The defining equation (after rewriting) of each variable.
    let mut def: HashMap<Var, Equation> = HashMap::new();
    let resolve = |same: &HashMap<Var, Var>, v: Var| *same.get(&v).unwrap_or(&v);
    let mut equations = Vec::with_capacity(program.equations.len());
    for eq in &program.equations {
        let mut eq = eq.clone();
        for v in eq.inputs.iter_mut() {
            *v = resolve(&same, *v);
        }
        if eq.outputs.len() == 1 {
            let y = eq.outputs[0];
            if let Some(x) = identity_of(program, &eq, &def, &ones) {
                same.insert(y, x);
                continue;
            }
            // reshape(reshape(x)) -> reshape(x).
            if let Primitive::Reshape { .. } = eq.primitive
                && let Some(inner) = def.get(&eq.inputs[0])
                && matches!(inner.primitive, Primitive::Reshape { .. })
            {
                eq.inputs[0] = inner.inputs[0];
                if program.var_type(eq.inputs[0]).shape == program.var_type(y).shape {
                    same.insert(y, eq.inputs[0]);
                    continue;
                }
            }
            def.insert(y, eq.clone());
        }
        equations.push(eq);
    }
    out.equations = equations;
    for v in out.outvars.iter_mut() {
        *v = resolve(&same, *v);
    }
    move_negations(out)
}

/// `program` with the negation rules of the module documentation applied.
fn move_negations(mut program: Program) -> Program {
    let mut uses: HashMap<Var, usize> = HashMap::new();
    for v in program.equations.iter().flat_map(|eq| &eq.inputs) {
        *uses.entry(*v).or_default() += 1;
    }
    for v in &program.outvars {
        *uses.entry(*v).or_default() += 1;
    }
    // The operand of each variable defined as a negation.
    let mut negated: HashMap<Var, Var> = HashMap::new();
    let mut equations = Vec::with_capacity(program.equations.len());
    for mut eq in std::mem::take(&mut program.equations) {
        if eq.outputs.len() != 1 {
            equations.push(eq);
            continue;
        }
        let y = eq.outputs[0];
        match eq.primitive {
            Primitive::Unary(UnaryOp::Neg) => {
                negated.insert(y, eq.inputs[0]);
            }
            Primitive::Reduce {
                op: ReduceOp::Sum, ..
            } => {
                if let Some(&x) = negated.get(&eq.inputs[0])
                    && uses.get(&eq.inputs[0]) == Some(&1)
                {
                    // sum(neg(x)) -> neg(sum(x)), the sum into a new variable.
                    let sum = Var(program.var_types.len() as u32);
                    program.var_types.push(program.var_type(y).clone());
                    eq.inputs[0] = x;
                    eq.outputs[0] = sum;
                    equations.push(eq);
                    equations.push(Equation {
                        primitive: Primitive::Unary(UnaryOp::Neg),
                        inputs: vec![sum],
                        outputs: vec![y],
                    });
                    negated.insert(y, sum);
                    continue;
                }
            }
            Primitive::Binary(op @ (BinaryOp::Add | BinaryOp::Sub)) => {
                let (a, b) = (eq.inputs[0], eq.inputs[1]);
                let same = |v: Var| program.var_type(v) == program.var_type(y);
                let rewrite = match (op, negated.get(&a), negated.get(&b)) {
                    (BinaryOp::Add, _, Some(&nb)) if same(a) && same(nb) => {
                        Some((BinaryOp::Sub, a, nb))
                    }
                    (BinaryOp::Add, Some(&na), None) if same(b) && same(na) => {
                        Some((BinaryOp::Sub, b, na))
                    }
                    (BinaryOp::Sub, _, Some(&nb)) if same(a) && same(nb) => {
                        Some((BinaryOp::Add, a, nb))
                    }
                    _ => None,
                };
                if let Some((op, a, b)) = rewrite {
                    eq.primitive = Primitive::Binary(op);
                    eq.inputs = vec![a, b];
                }
            }
            _ => {}
        }
        equations.push(eq);
    }
    program.equations = equations;
    program
}

/// The variable an equation merely passes on, if it does.
fn identity_of(
    p: &Program,
    eq: &Equation,
    def: &HashMap<Var, Equation>,
    ones: &HashSet<Var>,
) -> Option<Var> {
    let y = p.var_type(eq.outputs[0]);
    let x0 = *eq.inputs.first()?;
    let same_type = |v: Var| p.var_type(v) == y;
    match &eq.primitive {
        Primitive::Reshape { .. }
        | Primitive::Convert { .. }
        | Primitive::BroadcastInDim { .. }
        | Primitive::Slice { .. }
            if same_type(x0) =>
        {
            // A slice of the same shape starts at 0 with unit strides or covers one
            // element per axis; either way it is the whole operand only if strides fit.
            match &eq.primitive {
                Primitive::Slice { start, strides, .. } => {
                    let whole = start.iter().all(|&s| s == 0)
                        && strides
                            .iter()
                            .zip(&y.shape)
                            .all(|(&st, &d)| st == 1 || d <= 1);
                    whole.then_some(x0)
                }
                _ => Some(x0),
            }
        }
        Primitive::Transpose { perm } if perm.iter().enumerate().all(|(i, &a)| i == a) => Some(x0),
        Primitive::Unary(UnaryOp::Neg) => match def.get(&x0) {
            Some(inner) if inner.primitive == Primitive::Unary(UnaryOp::Neg) => {
                let x = inner.inputs[0];
                same_type(x).then_some(x)
            }
            _ => None,
        },
        Primitive::Binary(BinaryOp::Mul) if y.dtype.is_float() => {
            let x1 = eq.inputs[1];
            if is_one(x1, def, ones) && same_type(x0) {
                Some(x0)
            } else if is_one(x0, def, ones) && same_type(x1) {
                Some(x1)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// Whether `v` is a constant whose elements are all exactly one (one of `ones`, or a
/// broadcast of one).
fn is_one(v: Var, def: &HashMap<Var, Equation>, ones: &HashSet<Var>) -> bool {
    if ones.contains(&v) {
        return true;
    }
    match def.get(&v) {
        Some(eq) if matches!(eq.primitive, Primitive::BroadcastInDim { .. }) => {
            is_one(eq.inputs[0], def, ones)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::simplify;
    use crate::compile::dce;
    use crate::{Array, DType, lax, make_program};

    /// The bits of every result of `p` on `x` (`f32`, or `i32` as its two's complement).
    fn output_bits(p: &crate::ir::Program, x: &Array) -> Vec<Vec<u32>> {
        let outs = p.call(std::slice::from_ref(x)).unwrap();
        outs.iter()
            .map(|a| match a.dtype() {
                crate::DType::I32 => (a.to_vec::<i32>().unwrap().iter())
                    .map(|&v| v as u32)
                    .collect(),
                _ => (a.to_vec::<f32>().unwrap().iter())
                    .map(|v| v.to_bits())
                    .collect(),
            })
            .collect()
    }

    #[test]
    fn identities_go_and_values_stay_the_same() {
        let f = |x: &Array| {
            let a = lax::transpose(&x.reshape(&[2, 3]), &[0, 1]);
            let b = lax::convert(&a, DType::F32).reshape(&[3, 2]).reshape(&[6]);
            let c = -(-(&b * 1.0));
            let d = lax::stop_gradient(&c);
            (d.exp(), 1.0 * &b + -0.0)
        };
        let x = Array::from_vec(vec![-0.0f32, 1.0, f32::NAN, 3.0, -2.0, 0.5], &[6]);
        let p = make_program(f, &x).unwrap();
        let q = dce(&simplify(&p));
        for name in ["reshape", "transpose", "convert", "neg", "mul"] {
            assert_eq!(q.count_primitive(name), 0, "{name} in {q}");
        }
        assert_eq!(q.count_primitive("stop_gradient"), 1, "{q}");
        // x + -0.0 is not x (the sign of a zero): kept.
        assert_eq!(q.count_primitive("add"), 1, "{q}");
        assert_eq!(output_bits(&q, &x), output_bits(&p, &x));
    }

    #[test]
    fn a_reshape_chain_back_to_the_input_is_the_input() {
        let p = make_program(
            |x: &Array| x.reshape(&[4]).reshape(&[2, 2]),
            &Array::zeros(&[2, 2]),
        )
        .unwrap();
        let q = dce(&simplify(&p));
        assert!(q.equations.is_empty(), "{q}");
        assert_eq!(q.outvars, q.invars);
    }

    #[test]
    fn negations_move_after_sums_and_into_subtractions_with_the_same_bits() {
        // -log(...) summed over rows, added to another term; a negation also used
        // elsewhere stays where it is.
        let f = |x: &Array| {
            let rows = (-x.exp().log1p()).sum_axis(1);
            let kept = -x;
            (
                &x.sum_axis(1) + &rows,
                &x.sum_axis(1) - &(-x.sum_axis(1)),
                kept.sum_axis(0),
                kept * 2.0,
            )
        };
        let mut words = crate::backend::cpu::test_inputs::xorshift32(7);
        let values: Vec<f32> = (0..24)
            .map(|_| (words() % 20_001) as f32 / 1000.0 - 10.0)
            .chain([-0.0, 0.0, 1e30, -1e30, 3.5, f32::MIN_POSITIVE])
            .collect();
        let x = Array::from_vec(values, &[5, 6]);
        let p = make_program(f, &x).unwrap();
        let q = dce(&simplify(&p));
        // One negation left for the first sum (after it, as a subtraction), one for the
        // value used twice.
        assert_eq!(q.count_primitive("neg"), 1, "{q}");
        assert_eq!(q.count_primitive("sub"), 1, "{q}");
        assert_eq!(output_bits(&q, &x), output_bits(&p, &x), "{q}");
        // Integers wrap the same way either side of the negation.
        let n = Array::from_vec(vec![i32::MAX, 5, -7, i32::MIN], &[4]);
        let p = make_program(|x: &Array| (-x).sum(), &n).unwrap();
        let q = dce(&simplify(&p));
        assert_eq!(output_bits(&q, &n), output_bits(&p, &n), "{q}");
    }

    #[test]
    fn partial_slices_and_real_products_stay() {
        let p = make_program(
            |x: &Array| (lax::slice(x, &[1], &[3], &[1]) * 2.0, x * x),
            &Array::zeros(&[3]),
        )
        .unwrap();
        let q = dce(&simplify(&p));
        assert_eq!(q.count_primitive("slice"), 1);
        assert_eq!(q.count_primitive("mul"), 2);
    }
}
