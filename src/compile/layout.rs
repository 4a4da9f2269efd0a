//! Constant matrices stored the way products read them fastest.
//!
//! `gemm` copies ("packs") its right-hand side into panels of columns before it
//! multiplies. From a row-major `[k, n]` matrix that copy streams rows; from an `[n, k]`
//! matrix contracted on its last axis (the layout of `x.dot(beta)` batched by `vmap`, or
//! of `a.dot(&b.t())`) it gathers columns, which for the notebook's large case (a
//! `[100000, 100]` data matrix) makes the product a third slower. A constant's layout is
//! free to choose at compile time: such a constant is stored transposed, once, and the
//! product contracts its first axis instead. The product's multiply-adds, their order and
//! so its result are unchanged (only where `gemm` reads each element from differs).

use crate::array::Array;
use crate::ir::{Primitive, Program, Var};
use std::collections::HashMap;

/// `program` with every constant right-hand side of a 2-D product that is contracted on
/// its last axis stored transposed and contracted on its first (see the module
/// documentation). An ill-formed program comes back unchanged.
///
/// ```
/// use autobatch::{compile::constant_layout, make_program, Array};
/// let m = Array::ones(&[300, 40]); // [n, k]
/// let p = make_program(|x: &Array| x.dot(&m.t()), &Array::ones(&[5, 40])).unwrap();
/// let q = constant_layout(&p);
/// assert!(q.consts.iter().any(|c| c.shape() == [40, 300]));
/// let x = Array::ones(&[5, 40]);
/// assert_eq!(q.call(&[x.clone()]).unwrap()[0].to_vec::<f32>().unwrap(),
///            p.call(&[x]).unwrap()[0].to_vec::<f32>().unwrap());
/// ```
pub fn constant_layout(program: &Program) -> Program {
    if program.verify().is_err() {
        return program.clone();
    }
    let constants: HashMap<Var, &Array> = program
        .constvars
        .iter()
        .zip(&program.consts)
        .filter(|(_, c)| c.is_concrete())
        .map(|(v, c)| (*v, c))
        .collect();
    let mut out = program.clone();
    // The transposed copy of each constant, made once however many products read it.
    let mut transposed: HashMap<Var, Var> = HashMap::new();
    for eq in out.equations.iter_mut() {
        let Primitive::DotGeneral {
            rhs_contract,
            lhs_batch,
            rhs_batch,
            ..
        } = &mut eq.primitive
        else {
            continue;
        };
        let rhs = eq.inputs[1];
        let Some(c) = constants.get(&rhs) else {
            continue;
        };
        if c.shape().len() != 2
            || rhs_contract[..] != [1]
            || !lhs_batch.is_empty()
            || !rhs_batch.is_empty()
        {
            continue;
        }
        let t = match transposed.get(&rhs) {
            Some(&t) => t,
            None => {
                let value = c.t();
                if !value.is_concrete() {
                    continue;
                }
                let t = Var(out.var_types.len() as u32);
                out.var_types.push(value.array_type());
                out.constvars.push(t);
                out.consts.push(value);
                transposed.insert(rhs, t);
                t
            }
        };
        eq.inputs[1] = t;
        *rhs_contract = vec![0];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::constant_layout;
    use crate::{Array, DType, make_program, vmap};

    #[test]
    fn batched_data_products_read_a_transposed_constant_with_the_same_bits() {
        let data = (Array::arange(2000).astype(DType::F32) / 700.0)
            .sin()
            .reshape(&[200, 10]);
        let f = vmap(|beta: &Array| data.dot(beta).exp().sum());
        let betas = (Array::arange(40).astype(DType::F32) / 40.0).reshape(&[4, 10]);
        let p = make_program(|b: &Array| f(b).unwrap(), &betas).unwrap();
        let q = constant_layout(&p);
        assert!(q.consts.iter().any(|c| c.shape() == [10, 200]), "{q}");
        let want = p.call(std::slice::from_ref(&betas)).unwrap();
        let got = q.call(&[betas]).unwrap();
        assert_eq!(
            want[0].to_vec::<f32>().unwrap(),
            got[0].to_vec::<f32>().unwrap()
        );
        // Row-major right-hand sides and batched products stay as they are.
        let m = Array::ones(&[10, 7]);
        let p = make_program(|x: &Array| x.dot(&m), &Array::ones(&[3, 10])).unwrap();
        assert_eq!(constant_layout(&p).consts.len(), p.consts.len());
    }
}
