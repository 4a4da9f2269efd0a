//! Elementwise API: the promotion table (weak Rust numbers included, on either side),
//! broadcasting, values against `std`, comparisons and logic, `where_`/`clip`/`astype`,
//! operators for every operand combination, error messages with the caller's line, and
//! error propagation.

use autobatch::array::{clip, logical_and, logical_not, logical_or};
use autobatch::{
    Array, DType, add, divide, equal, greater, greater_equal, less, less_equal, make_program,
    maximum, minimum, multiply, not_equal, power, select, subtract, where_,
};

/// `[1, 2]` in `dtype` (`[true, true]` for bool).
fn one_two(dtype: DType) -> Array {
    Array::from_vec(vec![1.0f64, 2.0], &[2]).astype(dtype)
}

fn f64s(a: &Array) -> Vec<f64> {
    a.to_vec::<f64>().unwrap()
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
    assert_eq!(DType::ALL, [F32, F64, I32, U32, Bool]);
    for (i, a) in DType::ALL.iter().enumerate() {
        for (j, b) in DType::ALL.iter().enumerate() {
            let sum = one_two(*a) + one_two(*b);
            assert_eq!(sum.dtype(), expected[i][j], "{a} + {b}");
            // bool [1, 2] is [true, true]; bool + bool computes in i32.
            let want = match (*a == Bool, *b == Bool) {
                (true, true) => vec![2.0, 2.0],
                (true, false) | (false, true) => vec![2.0, 3.0],
                (false, false) => vec![2.0, 4.0],
            };
            assert_eq!(f64s(&sum), want, "{a} + {b}");
            let prod = multiply(one_two(*a), one_two(*b));
            assert_eq!(prod.dtype(), expected[i][j], "{a} * {b}");
            // Division is true division: integer and bool results become f32.
            let q = one_two(*a) / one_two(*b);
            let want_q = if expected[i][j].is_float() {
                expected[i][j]
            } else {
                F32
            };
            assert_eq!(q.dtype(), want_q, "{a} / {b}");
        }
    }
}

/// The dtype a weak number of the given kind gives with an array of `dtype`.
fn weak_result(dtype: DType, float_kind: bool) -> DType {
    match (dtype, float_kind) {
        (d, true) if d.is_float() => d,
        (_, true) => DType::F32,
        (DType::Bool, false) => DType::I32,
        (d, false) => d,
    }
}

#[test]
fn weak_numbers_of_every_kind_on_either_side() {
    macro_rules! check_kind {
        ($x:expr, $d:expr, $is_float:expr, $($s:expr),*) => {$(
            let want = weak_result($d, $is_float);
            let bool_array = $d == DType::Bool;
            // x + s and s + x, through the free function (any kind on either side).
            let r = add(&$x, $s);
            assert_eq!(r.dtype(), want, "{} + {:?}", $d, $s);
            assert_eq!(f64s(&r), if bool_array { vec![3.0, 3.0] } else { vec![3.0, 4.0] });
            let l = subtract($s, &$x);
            assert_eq!(l.dtype(), want, "{:?} - {}", $s, $d);
            assert_eq!(f64s(&l), if bool_array { vec![1.0, 1.0] } else { vec![1.0, 0.0] });
            // and through the operator on the right.
            let r = &$x * $s;
            assert_eq!(r.dtype(), want, "{} * {:?}", $d, $s);
            assert_eq!(f64s(&r), if bool_array { vec![2.0, 2.0] } else { vec![2.0, 4.0] });
        )*};
    }
    for d in DType::ALL {
        let x = one_two(d);
        check_kind!(x, d, true, 2.0f32, 2.0f64);
        check_kind!(x, d, false, 2i32, 2i64, 2u32, 2usize);
        // Unsuffixed literals on the left of an operator (f64 and i32).
        assert_eq!((2.0 - &x).dtype(), weak_result(d, true));
        assert_eq!((2 - x.clone()).dtype(), weak_result(d, false));
    }
    // A weak float meeting integers gives f32 with the fraction kept.
    let i = Array::from_vec(vec![1i32, 2], &[2]);
    assert_eq!((&i * 2.5).to_vec::<f32>().unwrap(), vec![2.5, 5.0]);
    let u = Array::from_vec(vec![1u32, 2], &[2]);
    assert_eq!((0.5 + &u).to_vec::<f32>().unwrap(), vec![1.5, 2.5]);
    // A weak f64 is rounded once to the array's f32 (as JAX does).
    assert_eq!(
        (Array::zeros(&[1]) + 0.1).to_vec::<f32>().unwrap(),
        vec![0.1f32]
    );
    // Only weak numbers: i32 for integers, f32 with any float.
    assert_eq!(add(2, 3).dtype(), DType::I32);
    assert_eq!(add(2, 3).item::<i32>().unwrap(), 5);
    assert_eq!(add(2.5, 3).dtype(), DType::F32);
    assert_eq!(add(2.5, 3).item::<f32>().unwrap(), 5.5);
    // A Rust bool is a (strong) bool scalar.
    assert_eq!(add(&i, true).to_vec::<i32>().unwrap(), vec![2, 3]);
    // True division of integers gives f32, as jnp.divide does.
    let q = Array::from_vec(vec![1i32, 3], &[2]) / 2;
    assert_eq!(q.dtype(), DType::F32);
    assert_eq!(q.to_vec::<f32>().unwrap(), vec![0.5, 1.5]);
    assert_eq!(divide(7, 2).item::<f32>().unwrap(), 3.5);
}

#[test]
fn bool_arithmetic_computes_in_i32() {
    let t = Array::from_vec(vec![true, false], &[2]);
    let sum = &t + &t;
    assert_eq!(sum.dtype(), DType::I32);
    assert_eq!(sum.to_vec::<i32>().unwrap(), vec![2, 0]);
    assert_eq!((&t - &t).to_vec::<i32>().unwrap(), vec![0, 0]);
    assert_eq!((&t * &t).to_vec::<i32>().unwrap(), vec![1, 0]);
    assert_eq!((&t / &t).dtype(), DType::F32);
    // maximum/minimum keep bool, as in JAX.
    assert_eq!(t.maximum(&t).dtype(), DType::Bool);
    assert_eq!(t.minimum(true).to_vec::<bool>().unwrap(), vec![true, false]);
}

#[test]
fn broadcasting() {
    let a = Array::from_vec(vec![1.0f32, 2.0, 3.0], &[3, 1]);
    let b = Array::from_vec(vec![10.0f32, 20.0, 30.0, 40.0], &[4]);
    let c = &a + &b;
    assert_eq!(c.shape(), &[3, 4]);
    assert_eq!(
        c.to_vec::<f32>().unwrap(),
        vec![
            11.0, 21.0, 31.0, 41.0, 12.0, 22.0, 32.0, 42.0, 13.0, 23.0, 33.0, 43.0
        ]
    );
    // A scalar (0-d array or number) broadcasts to anything.
    let s = &a * Array::scalar(2.0f32);
    assert_eq!(s.shape(), &[3, 1]);
    assert_eq!(s.to_vec::<f32>().unwrap(), vec![2.0, 4.0, 6.0]);
    assert_eq!((1.0 - &b).to_vec::<f32>().unwrap()[3], -39.0);
    // Rank mismatch: leading axes are added.
    let m = Array::from_vec(vec![1i32, 2, 3, 4, 5, 6], &[2, 3]);
    let r = Array::from_vec(vec![10i32, 20, 30], &[3]);
    assert_eq!(
        (&m + &r).to_vec::<i32>().unwrap(),
        vec![11, 22, 33, 14, 25, 36]
    );
    assert_eq!(
        (Array::zeros(&[2, 1, 3]) - Array::zeros(&[4, 1])).shape(),
        &[2, 4, 3]
    );
    // Empty axes broadcast with 1 to 0.
    assert_eq!(
        (Array::zeros(&[0, 1]) + Array::zeros(&[3])).shape(),
        &[0, 3]
    );
}

#[test]
fn broadcast_errors_name_the_op_the_shapes_and_the_callers_line() {
    let line = line!() + 1;
    let err = (Array::zeros(&[100]) * Array::zeros(&[100, 10]))
        .check()
        .unwrap_err();
    assert_eq!(err.op(), "mul");
    assert_eq!(err.message(), "cannot broadcast shapes [100] and [100, 10]");
    assert_eq!(err.location().unwrap().file(), file!());
    assert_eq!(err.location().unwrap().line(), line);

    let (a, b) = (Array::zeros(&[2]), Array::zeros(&[3]));
    let f = Array::zeros(&[3]);
    #[rustfmt::skip]
    let cases: Vec<(Array, u32, &str)> = vec![
        (&a + &b, line!(), "add"),
        (&a - &b, line!(), "sub"),
        (2.0 - &a + &b, line!(), "add"),
        (&a * &b, line!(), "mul"),
        (&a / &b, line!(), "div"),
        (add(&a, &b), line!(), "add"),
        (subtract(&a, &b), line!(), "sub"),
        (multiply(&a, &b), line!(), "mul"),
        (divide(&a, &b), line!(), "div"),
        (power(&a, &b), line!(), "pow"),
        (a.pow(&b), line!(), "pow"),
        (a.add(&b), line!(), "add"),
        (a.subtract(&b), line!(), "sub"),
        (a.multiply(&b), line!(), "mul"),
        (a.divide(&b), line!(), "div"),
        (a.power(&b), line!(), "pow"),
        (maximum(&a, &b), line!(), "maximum"),
        (minimum(&a, &b), line!(), "minimum"),
        (a.maximum(&b), line!(), "maximum"),
        (a.minimum(&b), line!(), "minimum"),
        (a.lt(&b), line!(), "less"),
        (a.le(&b), line!(), "less_equal"),
        (a.gt(&b), line!(), "greater"),
        (a.ge(&b), line!(), "greater_equal"),
        (a.equal(&b), line!(), "equal"),
        (a.not_equal(&b), line!(), "not_equal"),
        (less(&a, &b), line!(), "less"),
        (less_equal(&a, &b), line!(), "less_equal"),
        (greater(&a, &b), line!(), "greater"),
        (greater_equal(&a, &b), line!(), "greater_equal"),
        (equal(&a, &b), line!(), "equal"),
        (not_equal(&a, &b), line!(), "not_equal"),
        (a.logical_and(&b), line!(), "logical_and"),
        (a.logical_or(&b), line!(), "logical_or"),
        (logical_and(&a, &b), line!(), "logical_and"),
        (logical_or(&a, &b), line!(), "logical_or"),
        (a.clip(&b, 1.0), line!(), "clip"),
        (clip(&a, 0.0, &f), line!(), "clip"),
    ];
    for (array, line, op) in cases {
        let err = array.check().unwrap_err();
        assert_eq!(err.op(), op);
        assert_eq!(err.message(), "cannot broadcast shapes [2] and [3]", "{op}");
        assert_eq!(err.location().unwrap().file(), file!(), "{op}");
        assert_eq!(err.location().unwrap().line(), line, "{op}");
    }

    // where_ broadcasts three operands and lists them all.
    let line = line!() + 1;
    let err = where_(a.gt(0.0), &f, 0.0).check().unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "where: cannot broadcast shapes [2], [3], [] (at {}:{line}:15)",
            file!()
        )
    );
    let err = select(&a, &a, Array::zeros(&[2, 3])).check().unwrap_err();
    assert_eq!(err.message(), "cannot broadcast shapes [2], [2], [2, 3]");
}

type Unary = fn(&Array) -> Array;
type UnaryCase = (&'static str, Unary, fn(f64) -> f64, &'static [f64]);

/// Checks `f` against the f64 reference `g` for f64 and f32 inputs.
fn check_unary(name: &str, f: Unary, g: fn(f64) -> f64, xs: &[f64]) {
    let x = Array::from_slice(xs, &[xs.len()]);
    let got = f(&x);
    assert_eq!(got.dtype(), DType::F64, "{name}");
    for (&v, a) in xs.iter().zip(got.to_vec::<f64>().unwrap()) {
        let b = g(v);
        assert!(
            a == b || (a - b).abs() <= 4.0 * f64::EPSILON * b.abs(),
            "{name} f64 at {v}: {a} vs {b}"
        );
    }
    let x32 = x.astype(DType::F32);
    let got = f(&x32);
    assert_eq!(got.dtype(), DType::F32, "{name}");
    for (&v, a) in xs.iter().zip(got.to_vec::<f32>().unwrap()) {
        let b = g(v as f32 as f64) as f32;
        assert!(
            a == b || (a - b).abs() <= 4.0 * f32::EPSILON * b.abs(),
            "{name} f32 at {v}: {a} vs {b}"
        );
    }
}

#[test]
fn unary_functions_match_std_in_f32_and_f64() {
    const ALL: &[f64] = &[-2.5, -1.7, -0.3, 0.0, 0.3, 1.7, 2.5, 10.0];
    const POSITIVE: &[f64] = &[0.01, 0.3, 1.0, 1.7, 2.5, 100.0];
    let logistic = |x: f64| 1.0 / (1.0 + (-x).exp());
    let sign = |x: f64| if x == 0.0 { 0.0 } else { x.signum() };
    let cases: [UnaryCase; 18] = [
        ("exp", Array::exp, f64::exp, ALL),
        ("log", Array::log, f64::ln, POSITIVE),
        (
            "log1p",
            Array::log1p,
            f64::ln_1p,
            &[-0.5, -1e-10, 0.0, 1e-10, 0.3, 5.0],
        ),
        (
            "expm1",
            Array::expm1,
            f64::exp_m1,
            &[-3.0, -1e-10, 0.0, 1e-10, 0.3, 5.0],
        ),
        ("sqrt", Array::sqrt, f64::sqrt, POSITIVE),
        ("rsqrt", Array::rsqrt, |x| 1.0 / x.sqrt(), POSITIVE),
        ("abs", Array::abs, f64::abs, ALL),
        ("sign", Array::sign, sign, ALL),
        ("sin", Array::sin, f64::sin, ALL),
        ("cos", Array::cos, f64::cos, ALL),
        ("tanh", Array::tanh, f64::tanh, ALL),
        ("logistic", Array::logistic, logistic, ALL),
        ("sigmoid", Array::sigmoid, logistic, ALL),
        ("floor", Array::floor, f64::floor, ALL),
        ("ceil", Array::ceil, f64::ceil, ALL),
        (
            "round",
            Array::round,
            f64::round_ties_even,
            &[-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.6],
        ),
        ("neg", Array::neg, |x| -x, ALL),
        ("neg operator", |x| -x, |x| -x, ALL),
    ];
    for (name, f, g, xs) in cases {
        check_unary(name, f, g, xs);
    }
    // The edges: log(0) = -inf, sqrt(-1) = NaN, logistic saturates without overflow.
    let e = Array::from_vec(vec![0.0f32, -1.0], &[2]);
    assert_eq!(e.log().to_vec::<f32>().unwrap()[0], f32::NEG_INFINITY);
    assert!(e.sqrt().to_vec::<f32>().unwrap()[1].is_nan());
    assert_eq!(
        Array::from_vec(vec![-1000.0f32, 1000.0], &[2])
            .logistic()
            .to_vec::<f32>()
            .unwrap(),
        vec![0.0, 1.0]
    );
}

#[test]
fn integer_and_bool_inputs_of_float_functions_promote_to_f32() {
    let i = Array::from_vec(vec![1i32, 4], &[2]);
    let as_f32 = i.astype(DType::F32);
    let float_fns: [(&str, Unary); 12] = [
        ("exp", Array::exp),
        ("log", Array::log),
        ("log1p", Array::log1p),
        ("expm1", Array::expm1),
        ("sqrt", Array::sqrt),
        ("rsqrt", Array::rsqrt),
        ("sin", Array::sin),
        ("cos", Array::cos),
        ("tanh", Array::tanh),
        ("logistic", Array::logistic),
        ("sigmoid", Array::sigmoid),
        ("exp (u32)", |x| x.astype(DType::U32).exp()),
    ];
    for (name, f) in float_fns {
        let got = f(&i);
        assert_eq!(got.dtype(), DType::F32, "{name}");
        assert_eq!(
            got.to_vec::<f32>().unwrap(),
            f(&as_f32).to_vec::<f32>().unwrap(),
            "{name}"
        );
    }
    assert_eq!(i.sqrt().to_vec::<f32>().unwrap(), vec![1.0, 2.0]);
    let t = Array::from_vec(vec![true, false], &[2]);
    assert_eq!(t.exp().dtype(), DType::F32);
    assert_eq!(
        t.exp().to_vec::<f32>().unwrap(),
        vec![std::f32::consts::E, 1.0]
    );
    // Rounding keeps integers (and bools) as they are.
    for f in [Array::floor, Array::ceil, Array::round] {
        assert_eq!(f(&i).dtype(), DType::I32);
        assert_eq!(f(&i).to_vec::<i32>().unwrap(), vec![1, 4]);
        assert_eq!(f(&t).dtype(), DType::Bool);
    }
    // Sign-aware ops on integers stay integers.
    let n = Array::from_vec(vec![-3i32, 0, 5], &[3]);
    assert_eq!(n.abs().to_vec::<i32>().unwrap(), vec![3, 0, 5]);
    assert_eq!(n.sign().to_vec::<i32>().unwrap(), vec![-1, 0, 1]);
    assert_eq!(n.neg().to_vec::<i32>().unwrap(), vec![3, 0, -5]);
    assert_eq!((-&n).to_vec::<i32>().unwrap(), vec![3, 0, -5]);
    // ... and reject bools, naming the op.
    for (name, got) in [
        ("abs", t.abs()),
        ("sign", t.sign()),
        ("neg", t.neg()),
        ("neg", -&t),
        ("neg", -t.clone()),
    ] {
        let err = got.check().unwrap_err();
        assert_eq!(
            (err.op(), err.message()),
            (name, "does not accept dtype bool")
        );
    }
}

#[test]
fn binary_functions() {
    let a = Array::from_vec(vec![1.0f32, 5.0, 3.0], &[3]);
    let b = Array::from_vec(vec![2.0f32, 4.0, 3.0], &[3]);
    assert_eq!(a.maximum(&b).to_vec::<f32>().unwrap(), vec![2.0, 5.0, 3.0]);
    assert_eq!(a.minimum(&b).to_vec::<f32>().unwrap(), vec![1.0, 4.0, 3.0]);
    assert_eq!(maximum(&a, 2).to_vec::<f32>().unwrap(), vec![2.0, 5.0, 3.0]);
    assert_eq!(
        minimum(2.5, &a).to_vec::<f32>().unwrap(),
        vec![1.0, 2.5, 2.5]
    );
    let nan = Array::scalar(f32::NAN);
    assert!(maximum(&nan, 1.0).item::<f32>().unwrap().is_nan());
    assert!(minimum(1.0, &nan).item::<f32>().unwrap().is_nan());
    let i = Array::from_vec(vec![-1i32, 7], &[2]);
    assert_eq!(i.maximum(0).dtype(), DType::I32);
    assert_eq!(i.maximum(0).to_vec::<i32>().unwrap(), vec![0, 7]);
    assert_eq!(a.pow(2.0).to_vec::<f32>().unwrap(), vec![1.0, 25.0, 9.0]);
    assert_eq!(a.pow(&b).to_vec::<f32>().unwrap(), vec![1.0, 625.0, 27.0]);
    let p = power(i.astype(DType::F64), 0.5).to_vec::<f64>().unwrap();
    assert!(p[0].is_nan());
    assert_eq!(p[1], 7f64.sqrt());
    // pow is computed in float: integers promote to f32.
    let ip = i.pow(2);
    assert_eq!(ip.dtype(), DType::F32);
    assert_eq!(ip.to_vec::<f32>().unwrap(), vec![1.0, 49.0]);
    assert_eq!(power(2, 10).item::<f32>().unwrap(), 1024.0);
    assert_eq!(
        a.add(1)
            .subtract(&b)
            .multiply(2)
            .divide(4)
            .to_vec::<f32>()
            .unwrap(),
        vec![0.0, 1.0, 0.5]
    );
}

#[test]
fn comparisons() {
    let a = Array::from_vec(vec![1.0f32, 5.0, 3.0], &[3]);
    let b = Array::from_vec(vec![2.0f32, 4.0, 3.0], &[3]);
    let bools = |x: Array| {
        assert_eq!(x.dtype(), DType::Bool);
        x.to_vec::<bool>().unwrap()
    };
    assert_eq!(bools(a.lt(&b)), vec![true, false, false]);
    assert_eq!(bools(a.le(&b)), vec![true, false, true]);
    assert_eq!(bools(a.gt(&b)), vec![false, true, false]);
    assert_eq!(bools(a.ge(&b)), vec![false, true, true]);
    assert_eq!(bools(a.equal(&b)), vec![false, false, true]);
    assert_eq!(bools(a.not_equal(&b)), vec![true, true, false]);
    assert_eq!(bools(less(&a, 3)), vec![true, false, false]);
    assert_eq!(bools(less_equal(3, &a)), vec![false, true, true]);
    assert_eq!(bools(greater(&a, 3.0)), vec![false, true, false]);
    assert_eq!(bools(greater_equal(&a, &b)), vec![false, true, true]);
    assert_eq!(bools(equal(3.0, &a)), vec![false, false, true]);
    assert_eq!(bools(not_equal(&a, 3)), vec![true, true, false]);
    // Integers compared with a weak float promote to f32 (no truncation of 2.5).
    let i = Array::from_vec(vec![1i32, 2, 3], &[3]);
    assert_eq!(bools(i.lt(2.5)), vec![true, true, false]);
    // Mixed dtypes promote; broadcasting applies.
    let u = Array::from_vec(vec![2u32], &[1]);
    assert_eq!(bools(i.ge(&u)), vec![false, true, true]);
    let col = Array::from_vec(vec![1.0f64, 3.0], &[2, 1]);
    let grid = col.lt(&i);
    assert_eq!(grid.shape(), &[2, 3]);
    assert_eq!(bools(grid), vec![false, true, true, false, false, false]);
    // NaN compares unequal to everything, itself included.
    let nan = Array::from_vec(vec![f32::NAN], &[1]);
    assert_eq!(bools(nan.equal(&nan)), vec![false]);
    assert_eq!(bools(nan.not_equal(&nan)), vec![true]);
    assert_eq!(bools(nan.lt(1.0)), vec![false]);
}

#[test]
fn logical_ops() {
    let x = Array::from_vec(vec![0.0f32, 2.0, -1.0, 0.0], &[4]);
    let y = Array::from_vec(vec![0i32, 0, 5, 7], &[4]);
    let bools = |x: Array| {
        assert_eq!(x.dtype(), DType::Bool);
        x.to_vec::<bool>().unwrap()
    };
    assert_eq!(bools(x.logical_and(&y)), vec![false, false, true, false]);
    assert_eq!(bools(x.logical_or(&y)), vec![false, true, true, true]);
    assert_eq!(bools(x.logical_not()), vec![true, false, false, true]);
    assert_eq!(bools(logical_and(&x, 1)), vec![false, true, true, false]);
    assert_eq!(bools(logical_or(0.0, &y)), vec![false, false, true, true]);
    assert_eq!(bools(logical_not(&y)), vec![true, true, false, false]);
    assert_eq!(bools(logical_and(true, &x)), vec![false, true, true, false]);
    let col = Array::from_vec(vec![true, false], &[2, 1]);
    let grid = col.logical_or(&x);
    assert_eq!(grid.shape(), &[2, 4]);
    assert_eq!(
        bools(grid),
        vec![true, true, true, true, false, true, true, false]
    );
    // NaN is nonzero, hence true.
    assert_eq!(
        bools(Array::scalar(f32::NAN).logical_not().reshape(&[1])),
        vec![false]
    );
}

#[test]
fn where_select_clip_and_astype() {
    let x = Array::from_vec(vec![-1.0f32, 5.0, 3.0], &[3]);
    let p = x.gt(1.5);
    assert_eq!(
        where_(&p, &x, -1.0).to_vec::<f32>().unwrap(),
        vec![-1.0, 5.0, 3.0]
    );
    // A non-bool condition counts nonzero as true.
    let c = Array::from_vec(vec![0i32, 3, -2], &[3]);
    assert_eq!(where_(&c, 1, 0).to_vec::<i32>().unwrap(), vec![0, 1, 1]);
    assert_eq!(
        select(1.0, &x, 0.0).to_vec::<f32>().unwrap(),
        vec![-1.0, 5.0, 3.0]
    );
    // x and y promote together (the condition does not take part).
    let i = Array::from_vec(vec![1i32, 2, 3], &[3]);
    let d = Array::from_vec(vec![0.5f64], &[1]);
    assert_eq!(where_(&p, &i, &d).dtype(), DType::F64);
    assert_eq!(where_(&p, &i, 0.5).dtype(), DType::F32);
    assert_eq!(
        where_(&p, &i, 0.5).to_vec::<f32>().unwrap(),
        vec![0.5, 2.0, 3.0]
    );
    assert_eq!(where_(&p, &i, 0).dtype(), DType::I32);
    // All three broadcast together.
    let col = Array::from_vec(vec![true, false], &[2, 1]);
    let w = where_(&col, &x, Array::scalar(9.0f32));
    assert_eq!(w.shape(), &[2, 3]);
    assert_eq!(
        w.to_vec::<f32>().unwrap(),
        vec![-1.0, 5.0, 3.0, 9.0, 9.0, 9.0]
    );

    // clip = minimum(maximum(x, lo), hi), in x's dtype for number bounds.
    assert_eq!(
        x.clip(0.0, 4.0).to_vec::<f32>().unwrap(),
        vec![0.0, 4.0, 3.0]
    );
    assert_eq!(x.clip(0, 4).dtype(), DType::F32);
    assert_eq!(x.astype(DType::F64).clip(0.0, 4.0).dtype(), DType::F64);
    assert_eq!(i.clip(2, 2).dtype(), DType::I32);
    assert_eq!(i.clip(2, 2).to_vec::<i32>().unwrap(), vec![2, 2, 2]);
    assert_eq!(i.clip(1.5, 2.5).dtype(), DType::F32);
    assert_eq!(
        i.clip(1.5, 2.5).to_vec::<f32>().unwrap(),
        vec![1.5, 2.0, 2.5]
    );
    // lo > hi gives hi everywhere, as NumPy does.
    assert_eq!(i.clip(3, 1).to_vec::<i32>().unwrap(), vec![1, 1, 1]);
    // Array bounds broadcast.
    let lo = Array::from_vec(vec![0.0f32, 6.0, 0.0], &[3]);
    assert_eq!(
        clip(&x, &lo, 10.0).to_vec::<f32>().unwrap(),
        vec![0.0, 6.0, 3.0]
    );

    // astype between every pair of dtypes.
    let f = Array::from_vec(vec![-1.5f32, 0.0, 2.7, f32::NAN], &[4]);
    assert_eq!(
        f.astype(DType::I32).to_vec::<i32>().unwrap(),
        vec![-1, 0, 2, 0]
    );
    assert_eq!(
        f.astype(DType::Bool).to_vec::<bool>().unwrap(),
        vec![true, false, true, true]
    );
    assert_eq!(
        f.astype(DType::F64).to_vec::<f64>().unwrap()[2],
        2.7f32 as f64
    );
    assert_eq!(
        Array::from_vec(vec![3e9f64, -1e10], &[2])
            .astype(DType::I32)
            .to_vec::<i32>()
            .unwrap(),
        vec![i32::MAX, i32::MIN]
    );
    assert_eq!(
        Array::from_vec(vec![true, false], &[2])
            .astype(DType::F32)
            .to_vec::<f32>()
            .unwrap(),
        vec![1.0, 0.0]
    );
    assert_eq!(
        Array::from_vec(vec![7u32, 0], &[2])
            .astype(DType::Bool)
            .to_vec::<bool>()
            .unwrap(),
        vec![true, false]
    );
    for from in DType::ALL {
        for to in DType::ALL {
            let y = one_two(from).astype(to);
            assert_eq!(y.dtype(), to, "{from} -> {to}");
            let want = if from == DType::Bool || to == DType::Bool {
                vec![1.0, 1.0]
            } else {
                vec![1.0, 2.0]
            };
            assert_eq!(f64s(&y), want, "{from} -> {to}");
        }
    }
}

/// `+ - * /` for every mix of `Array`, `&Array` and Rust numbers, checked against the
/// same arithmetic on `f32`.
#[test]
fn operators_for_every_operand_combination() {
    let xs = [6.0f32, 9.0];
    let ys = [2.0f32, 4.0];
    let x = Array::from_slice(&xs, &[2]);
    let y = Array::from_slice(&ys, &[2]);
    let got = |a: Array| {
        assert_eq!(a.dtype(), DType::F32);
        a.to_vec::<f32>().unwrap()
    };
    macro_rules! check_op {
        ($($op:tt)*) => {$(
            let want: Vec<f32> = xs.iter().zip(&ys).map(|(a, b)| a $op b).collect();
            assert_eq!(got(x.clone() $op y.clone()), want, "Array {} Array", stringify!($op));
            assert_eq!(got(x.clone() $op &y), want, "Array {} &Array", stringify!($op));
            assert_eq!(got(&x $op y.clone()), want, "&Array {} Array", stringify!($op));
            assert_eq!(got(&x $op &y), want, "&Array {} &Array", stringify!($op));
            let want: Vec<f32> = xs.iter().map(|a| a $op 2.0).collect();
            assert_eq!(got(x.clone() $op 2.0f32), want);
            assert_eq!(got(&x $op 2.0f32), want);
            assert_eq!(got(x.clone() $op 2.0f64), want);
            assert_eq!(got(&x $op 2.0), want);
            assert_eq!(got(x.clone() $op 2i32), want);
            assert_eq!(got(&x $op 2), want);
            assert_eq!(got(x.clone() $op 2i64), want);
            assert_eq!(got(&x $op 2i64), want);
            assert_eq!(got(x.clone() $op 2u32), want);
            assert_eq!(got(&x $op 2u32), want);
            assert_eq!(got(x.clone() $op 2usize), want);
            assert_eq!(got(&x $op 2usize), want);
            let want: Vec<f32> = xs.iter().map(|a| 2.0 $op a).collect();
            assert_eq!(got(2.0 $op x.clone()), want);
            assert_eq!(got(2.0 $op &x), want);
            assert_eq!(got(2 $op x.clone()), want);
            assert_eq!(got(2 $op &x), want);
            // Other number types on the left go through the free functions or `f64::from`.
            assert_eq!(got(f64::from(2.0f32) $op &x), want);
        )*};
    }
    check_op!(+ - * /);
    assert_eq!(got(-x.clone()), vec![-6.0, -9.0]);
    assert_eq!(got(-&x), vec![-6.0, -9.0]);
    // Integer arrays: + - * stay i32, / is true division.
    let i = Array::from_vec(vec![7i32, -3], &[2]);
    assert_eq!((&i + 1).to_vec::<i32>().unwrap(), vec![8, -2]);
    assert_eq!((10 - &i).to_vec::<i32>().unwrap(), vec![3, 13]);
    assert_eq!((&i * &i).to_vec::<i32>().unwrap(), vec![49, 9]);
    assert_eq!((&i / 2).to_vec::<f32>().unwrap(), vec![3.5, -1.5]);
    assert_eq!((1 / &i).dtype(), DType::F32);
    // The notebook's expression reads as in JAX.
    let y01 = Array::from_vec(vec![0i32, 1], &[2]);
    let z = -(2 * &y01 - 1) * &x;
    assert_eq!(z.to_vec::<f32>().unwrap(), vec![6.0, -9.0]);
    assert_eq!(
        (1.0 + (-&x).exp()).log().to_vec::<f32>().unwrap()[0],
        (1.0 + (-6.0f32).exp()).ln()
    );
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
    // Through every kind of op: unary, binary with numbers on either side, comparisons,
    // logic, where_, clip, astype.
    let through = [
        bad.log(),
        bad.floor(),
        bad.abs(),
        bad.logistic(),
        -&bad,
        1.0 - &bad,
        2 * bad.clone(),
        bad.pow(2),
        bad.lt(1.0),
        bad.equal(&bad),
        bad.logical_not(),
        bad.logical_and(true),
        where_(&bad, 1.0, 0.0),
        where_(true, &bad, 0.0),
        where_(true, 0.0, &bad),
        bad.clip(0.0, 1.0),
        bad.astype(DType::I32),
        bad.astype(DType::Bool).abs(),
        bad.astype(DType::F32),
    ];
    for a in through {
        assert_eq!(a.check().unwrap_err(), bad.check().unwrap_err());
    }
    // With two errors, the one of the leftmost operand wins.
    let other = Array::zeros(&[4]) * Array::zeros(&[5]);
    assert_eq!((&bad + &other).check().unwrap_err().op(), "add");
    assert_eq!((&other + &bad).check().unwrap_err().op(), "mul");
    // An error array does not turn into a "cannot broadcast" error of a later op.
    assert_eq!(
        (&bad + Array::zeros(&[9])).check().unwrap_err().message(),
        "cannot broadcast shapes [2] and [3]"
    );
}

#[test]
fn traced_ops_record_the_same_primitives() {
    let p = make_program(
        |x: &Array| (2.0 * x + 1).exp().maximum(0.5).lt(3.0),
        &Array::zeros(&[3]),
    )
    .unwrap();
    for prim in ["mul", "add", "exp", "max", "lt"] {
        assert_eq!(p.count_primitive(prim), 1, "{prim} in\n{p}");
    }
    // Broadcasting shows up as explicit broadcast_in_dim, never inside the elementwise op.
    let p = make_program(|x: &Array| x + Array::zeros(&[2, 3]), &Array::zeros(&[3])).unwrap();
    assert_eq!(p.count_primitive("broadcast_in_dim"), 1, "{p}");
    // Shape errors are found while tracing, at the user's line.
    let line = line!() + 1;
    let err = make_program(|x: &Array| x * Array::zeros(&[2]), &Array::zeros(&[3])).unwrap_err();
    assert_eq!(err.op(), "mul");
    assert_eq!(err.message(), "cannot broadcast shapes [3] and [2]");
    assert_eq!(err.location().unwrap().line(), line);
}

/// Eager operations with a scalar operand (a Rust number or a 0-d array) run without
/// materializing the broadcast: the same bits as the primitive on the broadcast array,
/// for every dtype and operation, with the scalar on either side.
#[test]
fn eager_scalar_operands_equal_the_broadcast_primitive_bit_for_bit() {
    use autobatch::{ir::BinaryOp, lax};
    let values = [
        -7.5f64,
        -1.0,
        -0.0,
        0.0,
        0.3,
        1.0,
        2.5,
        1e30,
        f64::NAN,
        f64::INFINITY,
    ];
    // Every dtype converts to f64 exactly, so equal bits there are equal values here.
    let bits = |a: &Array| -> Vec<u64> {
        let v = a.astype(DType::F64).to_vec::<f64>().unwrap();
        v.iter().map(|v| v.to_bits()).collect()
    };
    type Op = fn(&Array, &Array) -> Array;
    let ops: [(BinaryOp, Op); 5] = [
        (BinaryOp::Add, |a, b| add(a, b)),
        (BinaryOp::Sub, |a, b| subtract(a, b)),
        (BinaryOp::Mul, |a, b| multiply(a, b)),
        (BinaryOp::Max, |a, b| maximum(a, b)),
        (BinaryOp::Min, |a, b| minimum(a, b)),
    ];
    for dtype in [DType::F32, DType::F64, DType::I32, DType::U32] {
        let x = Array::from_slice(&values, &[2, 5]).astype(dtype);
        for &s in &[-3.0f64, 0.5, 2.0] {
            let scalar = Array::scalar(s).astype(dtype);
            let wide = scalar.broadcast_to(&[2, 5]);
            for (op, f) in ops {
                let want = lax::binary(op, &x, &wide);
                assert_eq!(
                    bits(&f(&x, &scalar)),
                    bits(&want),
                    "{dtype} {op:?} scalar right"
                );
                let want = lax::binary(op, &wide, &x);
                assert_eq!(
                    bits(&f(&scalar, &x)),
                    bits(&want),
                    "{dtype} {op:?} scalar left"
                );
            }
            if dtype.is_float() {
                // A Rust number takes the array's dtype (weak typing) and reads in place.
                let want = lax::binary(BinaryOp::Mul, &x, &wide);
                assert_eq!(bits(&(&x * s)), bits(&want), "{dtype} * {s}");
                let want = lax::binary(BinaryOp::Div, &wide, &x);
                assert_eq!(bits(&(s / &x)), bits(&want), "{s} / {dtype}");
            }
        }
    }
    // Mixed dtypes still promote, and shapes that are not a scalar still broadcast.
    let i = Array::from_vec(vec![1i32, 2], &[2]);
    assert_eq!((&i * 0.5).to_vec::<f32>().unwrap(), vec![0.5, 1.0]);
    let col = Array::from_vec(vec![1.0f32, 2.0], &[2, 1]);
    assert_eq!(
        (&col + &Array::from_vec(vec![10.0f32, 20.0], &[1, 2])).shape(),
        &[2, 2]
    );
    // An erroneous operand still gives its error.
    let bad = &Array::zeros(&[2]) + &Array::zeros(&[3]);
    let err = (&bad * 2.0).check().unwrap_err().to_string();
    assert!(err.contains("add"), "{err}");
}
