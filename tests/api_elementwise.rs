//! Elementwise API: the promotion table (weak Rust numbers included), broadcasting,
//! values against `std`, operators for every operand combination, and error messages.

use autobatch::{Array, DType, maximum, where_};

fn one(dtype: DType) -> Array {
    Array::from_vec(vec![1.0f64, 2.0], &[2]).astype(dtype)
}

#[test]
fn promotion_table_of_arrays() {
    use DType::*;
    let expected = [
        // rows: lhs F32, F64, I32, U32, Bool; columns: rhs in the same order
        [F32, F64, F32, F32, F32],
        [F64, F64, F64, F64, F64],
        [F32, F64, I32, I32, I32],
        [F32, F64, I32, U32, U32],
        [F32, F64, I32, U32, I32],
    ];
    for (i, a) in DType::ALL.iter().enumerate() {
        for (j, b) in DType::ALL.iter().enumerate() {
            let sum = one(*a) + one(*b);
            assert_eq!(sum.dtype(), expected[i][j], "{a} + {b}");
            let want = if *a == Bool && *b == Bool {
                vec![2.0, 2.0]
            } else {
                vec![2.0, 4.0]
            };
            let want = if *a == Bool || *b == Bool {
                if *a == *b { want } else { vec![2.0, 3.0] }
            } else {
                want
            };
            assert_eq!(sum.to_vec::<f64>().unwrap(), want, "{a} + {b}");
        }
    }
}

#[test]
fn rust_numbers_are_weakly_typed() {
    for d in [DType::F32, DType::F64] {
        assert_eq!((2.0 * one(d)).dtype(), d);
        assert_eq!((one(d) + 1).dtype(), d);
        assert_eq!((one(d) * 0.5f32).dtype(), d);
    }
    for d in [DType::I32, DType::U32] {
        assert_eq!((one(d) + 1).dtype(), d);
        assert_eq!((2 * one(d)).dtype(), d);
        // A float number meeting integers gives the default float dtype.
        assert_eq!((one(d) * 2.5).dtype(), DType::F32);
        assert_eq!((one(d) * 2.5).to_vec::<f32>().unwrap(), vec![2.5, 5.0]);
    }
    assert_eq!((one(DType::Bool) + 1).dtype(), DType::I32);
    assert_eq!((one(DType::Bool) * 1.5).dtype(), DType::F32);
    // True division of integers gives f32, as jnp.divide does.
    let q = Array::from_vec(vec![1i32, 3], &[2]) / 2;
    assert_eq!(q.dtype(), DType::F32);
    assert_eq!(q.to_vec::<f32>().unwrap(), vec![0.5, 1.5]);
    // A weak f64 literal is rounded to the array's f32.
    let x = Array::zeros(&[1]) + 0.1;
    assert_eq!(x.to_vec::<f32>().unwrap(), vec![0.1f32]);
}

#[test]
fn broadcasting() {
    let a = Array::from_vec(vec![1.0f32, 2.0, 3.0], &[3, 1]);
    let b = Array::from_vec(vec![10.0f32, 20.0, 30.0, 40.0], &[4]);
    let c = &a + &b;
    assert_eq!(c.shape(), &[3, 4]);
    assert_eq!(
        c.to_vec::<f32>().unwrap()[..5],
        [11.0, 21.0, 31.0, 41.0, 12.0]
    );
    assert_eq!((&a * Array::scalar(2.0f32)).shape(), &[3, 1]);
    assert_eq!(
        (Array::zeros(&[2, 1, 3]) - Array::zeros(&[4, 1])).shape(),
        &[2, 4, 3]
    );
    let line = line!() + 1;
    let err = (Array::zeros(&[100]) * Array::zeros(&[100, 10]))
        .check()
        .unwrap_err();
    assert_eq!(err.op(), "mul");
    assert_eq!(err.message(), "cannot broadcast shapes [100] and [100, 10]");
    assert_eq!(err.location().unwrap().file(), file!());
    assert_eq!(err.location().unwrap().line(), line);
    let err = where_(Array::zeros(&[2]).gt(0.0), Array::zeros(&[3]), 0.0)
        .check()
        .unwrap_err();
    assert_eq!(
        err.to_string().split(" (at").next().unwrap(),
        "where: cannot broadcast shapes [2], [3], []"
    );
}

#[test]
fn unary_functions_match_std() {
    let xs = [0.3f64, 1.7, 2.5];
    let x = Array::from_slice(&xs, &[3]);
    type F = fn(&Array) -> Array;
    type Case = (&'static str, F, fn(f64) -> f64);
    let cases: [Case; 11] = [
        ("exp", Array::exp, f64::exp),
        ("log", Array::log, f64::ln),
        ("log1p", Array::log1p, f64::ln_1p),
        ("expm1", Array::expm1, f64::exp_m1),
        ("sqrt", Array::sqrt, f64::sqrt),
        ("sin", Array::sin, f64::sin),
        ("cos", Array::cos, f64::cos),
        ("tanh", Array::tanh, f64::tanh),
        ("floor", Array::floor, f64::floor),
        ("ceil", Array::ceil, f64::ceil),
        ("abs", Array::abs, f64::abs),
    ];
    for (name, f, g) in cases {
        let got = f(&x).to_vec::<f64>().unwrap();
        let want: Vec<f64> = xs.iter().map(|&v| g(v)).collect();
        assert_eq!(got, want, "{name}");
        let got32 = f(&x.astype(DType::F32)).to_vec::<f32>().unwrap();
        let want32: Vec<f32> = xs.iter().map(|&v| g(v as f32 as f64) as f32).collect();
        for (a, b) in got32.iter().zip(&want32) {
            assert!(
                (a - b).abs() <= 2.0 * f32::EPSILON * b.abs().max(1.0),
                "{name} f32: {a} vs {b}"
            );
        }
    }
    assert_eq!(x.rsqrt().to_vec::<f64>().unwrap()[1], 1.0 / 1.7f64.sqrt());
    assert_eq!(
        Array::from_vec(vec![-20.0f64, 0.0, 20.0], &[3])
            .logistic()
            .to_vec::<f64>()
            .unwrap(),
        vec![
            (-20f64).exp() / (1.0 + (-20f64).exp()),
            0.5,
            1.0 / (1.0 + (-20f64).exp())
        ]
    );
    assert_eq!(
        Array::from_vec(vec![0.5f32, 1.5, 2.5, -0.5], &[4])
            .round()
            .to_vec::<f32>()
            .unwrap(),
        vec![0.0, 2.0, 2.0, -0.0]
    );
    assert_eq!(
        Array::from_vec(vec![-2.0f32, 0.0, 3.0], &[3])
            .sign()
            .to_vec::<f32>()
            .unwrap(),
        vec![-1.0, 0.0, 1.0]
    );
    // Integers promote to f32 for float functions and stay for rounding.
    let i = Array::from_vec(vec![1i32, 4], &[2]);
    assert_eq!(i.sqrt().dtype(), DType::F32);
    assert_eq!(i.sqrt().to_vec::<f32>().unwrap(), vec![1.0, 2.0]);
    assert_eq!(i.floor().dtype(), DType::I32);
    assert_eq!((-&i).to_vec::<i32>().unwrap(), vec![-1, -4]);
    let err = Array::from_vec(vec![true], &[1]).abs().check().unwrap_err();
    assert_eq!(
        (err.op(), err.message()),
        ("abs", "does not accept dtype bool")
    );
}

#[test]
fn binary_functions_comparisons_and_logic() {
    let a = Array::from_vec(vec![1.0f32, 5.0, 3.0], &[3]);
    let b = Array::from_vec(vec![2.0f32, 4.0, 3.0], &[3]);
    assert_eq!(a.maximum(&b).to_vec::<f32>().unwrap(), vec![2.0, 5.0, 3.0]);
    assert_eq!(a.minimum(&b).to_vec::<f32>().unwrap(), vec![1.0, 4.0, 3.0]);
    assert!(
        maximum(Array::scalar(f32::NAN), 1.0)
            .item::<f32>()
            .unwrap()
            .is_nan()
    );
    assert_eq!(a.pow(2.0).to_vec::<f32>().unwrap(), vec![1.0, 25.0, 9.0]);
    assert_eq!(a.lt(&b).to_vec::<bool>().unwrap(), vec![true, false, false]);
    assert_eq!(a.le(&b).to_vec::<bool>().unwrap(), vec![true, false, true]);
    assert_eq!(a.gt(&b).to_vec::<bool>().unwrap(), vec![false, true, false]);
    assert_eq!(a.ge(&b).to_vec::<bool>().unwrap(), vec![false, true, true]);
    assert_eq!(
        a.equal(&b).to_vec::<bool>().unwrap(),
        vec![false, false, true]
    );
    assert_eq!(
        a.not_equal(3).to_vec::<bool>().unwrap(),
        vec![true, true, false]
    );
    let p = a.gt(1.5);
    assert_eq!(
        p.logical_and(b.lt(3.5)).to_vec::<bool>().unwrap(),
        vec![false, false, true]
    );
    assert_eq!(
        p.logical_or(false).to_vec::<bool>().unwrap(),
        vec![false, true, true]
    );
    assert_eq!(
        Array::from_vec(vec![0i32, 7], &[2])
            .logical_not()
            .to_vec::<bool>()
            .unwrap(),
        vec![true, false]
    );
    assert_eq!(
        where_(&p, &a, -1.0).to_vec::<f32>().unwrap(),
        vec![-1.0, 5.0, 3.0]
    );
    assert_eq!(
        a.clip(2.0, 4.0).to_vec::<f32>().unwrap(),
        vec![2.0, 4.0, 3.0]
    );
    assert_eq!(a.clip(2, 4).dtype(), DType::F32);
    assert_eq!(
        Array::from_vec(vec![-1.5f32, 2.7, f32::NAN], &[3])
            .astype(DType::I32)
            .to_vec::<i32>()
            .unwrap(),
        vec![-1, 2, 0]
    );
    assert_eq!(
        Array::from_vec(vec![0.0f32, -2.0], &[2])
            .astype(DType::Bool)
            .to_vec::<bool>()
            .unwrap(),
        vec![false, true]
    );
}

#[test]
fn operators_for_every_operand_combination() {
    let x = Array::from_vec(vec![4.0f32, 8.0], &[2]);
    let y = Array::from_vec(vec![2.0f32, 2.0], &[2]);
    let v = |a: Array| a.to_vec::<f32>().unwrap();
    assert_eq!(v(x.clone() + y.clone()), vec![6.0, 10.0]);
    assert_eq!(v(x.clone() - &y), vec![2.0, 6.0]);
    assert_eq!(v(&x * y.clone()), vec![8.0, 16.0]);
    assert_eq!(v(&x / &y), vec![2.0, 4.0]);
    assert_eq!(v(x.clone() + 1.0), vec![5.0, 9.0]);
    assert_eq!(v(&x - 1), vec![3.0, 7.0]);
    assert_eq!(v(&x * 2.0f32), vec![8.0, 16.0]);
    assert_eq!(v(&x / 2u32), vec![2.0, 4.0]);
    assert_eq!(v(&x + 1i64), vec![5.0, 9.0]);
    assert_eq!(v(&x + 1usize), vec![5.0, 9.0]);
    assert_eq!(v(1.0 + x.clone()), vec![5.0, 9.0]);
    assert_eq!(v(10.0 - &x), vec![6.0, 2.0]);
    assert_eq!(v(2 * &x), vec![8.0, 16.0]);
    assert_eq!(v(16 / x.clone()), vec![4.0, 2.0]);
    assert_eq!(v(-&x), vec![-4.0, -8.0]);
    assert_eq!(v(-x.clone()), vec![-4.0, -8.0]);
}

#[test]
fn errors_propagate_and_keep_the_first() {
    let line = line!() + 1;
    let bad = Array::zeros(&[2]) + Array::zeros(&[3]);
    let later = (bad.exp() * 2.0 + Array::zeros(&[7, 7])).sum();
    let err = later.check().unwrap_err();
    assert_eq!(err.op(), "add");
    assert_eq!(err.message(), "cannot broadcast shapes [2] and [3]");
    assert_eq!(err.location().unwrap().line(), line);
    assert!(later.to_vec::<f32>().is_err());
    assert!(later.item::<f32>().is_err());
}
