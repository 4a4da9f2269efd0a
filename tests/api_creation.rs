//! Creation functions: values, dtypes, shapes, and error arrays (never panics or aborts)
//! that name the function and the caller's line.

use autobatch::{Array, DType, make_program};

#[test]
fn filled_arrays() {
    assert_eq!(Array::zeros(&[2, 2]).to_vec::<f32>().unwrap(), vec![0.0; 4]);
    assert_eq!(Array::zeros(&[2, 2]).shape(), &[2, 2]);
    assert_eq!(Array::ones(&[3]).dtype(), DType::F32);
    assert_eq!(Array::ones(&[3]).to_vec::<f32>().unwrap(), vec![1.0; 3]);
    assert_eq!(
        Array::full(&[2], -1.5).to_vec::<f32>().unwrap(),
        vec![-1.5, -1.5]
    );
    assert_eq!(
        Array::full(&[1], 0.1).to_vec::<f32>().unwrap(),
        vec![0.1f32]
    );
    assert!(Array::full(&[1], f64::NAN).item::<f32>().unwrap().is_nan());
    // 0-d and empty shapes.
    assert_eq!(Array::zeros(&[]).shape(), &[] as &[usize]);
    assert_eq!(Array::ones(&[]).item::<f32>().unwrap(), 1.0);
    assert_eq!(Array::zeros(&[3, 0]).size(), 0);
    assert_eq!(Array::zeros(&[3, 0]).to_vec::<f32>().unwrap(), vec![]);
}

#[test]
fn filled_arrays_of_every_dtype() {
    for d in DType::ALL {
        let z = Array::zeros_of(&[2], d);
        let o = Array::ones_of(&[2], d);
        let f = Array::full_of(&[2], 3.0, d);
        for a in [&z, &o, &f] {
            assert_eq!(a.dtype(), d);
            assert_eq!(a.shape(), &[2]);
        }
        assert_eq!(z.to_vec::<f64>().unwrap(), vec![0.0, 0.0], "{d}");
        assert_eq!(o.to_vec::<f64>().unwrap(), vec![1.0, 1.0], "{d}");
        let three = if d == DType::Bool { 1.0 } else { 3.0 };
        assert_eq!(f.to_vec::<f64>().unwrap(), vec![three; 2], "{d}");
    }
    // `value` converts like `as`: truncation toward zero, saturation, nonzero is true.
    assert_eq!(
        Array::full_of(&[1], 7.9, DType::I32)
            .to_vec::<i32>()
            .unwrap(),
        vec![7]
    );
    assert_eq!(
        Array::full_of(&[1], -1.0, DType::U32)
            .to_vec::<u32>()
            .unwrap(),
        vec![0]
    );
    assert_eq!(
        Array::full_of(&[1], 0.0, DType::Bool)
            .to_vec::<bool>()
            .unwrap(),
        vec![false]
    );
    assert_eq!(
        Array::full_of(&[1], 0.1, DType::F64)
            .to_vec::<f64>()
            .unwrap(),
        vec![0.1]
    );
}

#[test]
fn like_functions_copy_shape_and_dtype() {
    for d in DType::ALL {
        let x = Array::zeros_of(&[2, 3], d);
        for (a, v) in [
            (Array::zeros_like(&x), 0.0f64),
            (Array::ones_like(&x), 1.0),
            (Array::full_like(&x, 2.0), 2.0),
        ] {
            assert_eq!(a.dtype(), d);
            assert_eq!(a.shape(), &[2, 3]);
            let v = if d == DType::Bool { v.min(1.0) } else { v };
            assert_eq!(a.to_vec::<f64>().unwrap(), vec![v; 6], "{d}");
        }
    }
    // An error array passes its error on.
    let bad = Array::zeros(&[2]) + Array::zeros(&[3]);
    assert_eq!(
        Array::ones_like(&bad).check().unwrap_err(),
        bad.check().unwrap_err()
    );
    // A traced array gives a constant of its type.
    make_program(
        |x: &Array| {
            let z = Array::full_like(x, 5.0);
            assert!(z.is_concrete());
            assert_eq!(z.to_vec::<f32>().unwrap(), vec![5.0; 3]);
            x + z
        },
        &Array::zeros(&[3]),
    )
    .unwrap();
}

#[test]
fn conversions_from_rust_scalars() {
    let cases: [(Array, DType, f64); 5] = [
        (Array::from(2.5f32), DType::F32, 2.5),
        (Array::from(-0.25f64), DType::F64, -0.25),
        (Array::from(-7i32), DType::I32, -7.0),
        (Array::from(7u32), DType::U32, 7.0),
        (Array::from(true), DType::Bool, 1.0),
    ];
    for (a, d, v) in cases {
        assert_eq!(a.dtype(), d);
        assert_eq!(a.shape(), &[] as &[usize]);
        assert_eq!(a.item::<f64>().unwrap(), v);
    }
    let a: Array = 3.0f32.into();
    assert_eq!((a * 2).item::<f32>().unwrap(), 6.0);
}

#[test]
fn integer_ranges() {
    let a = Array::arange(4);
    assert_eq!(a.dtype(), DType::I32);
    assert_eq!(a.to_vec::<i32>().unwrap(), vec![0, 1, 2, 3]);
    assert_eq!(Array::arange(0).shape(), &[0]);
    // Like np.arange, a negative count gives an empty array.
    assert_eq!(Array::arange(-3).shape(), &[0]);
}

#[test]
fn float_ranges_follow_numpys_length_rule() {
    let a = Array::arange_f(1.0, 2.0, 0.5);
    assert_eq!(a.dtype(), DType::F32);
    assert_eq!(a.to_vec::<f32>().unwrap(), vec![1.0, 1.5]);
    assert_eq!(
        Array::arange_f(3.0, 0.0, -1.0).to_vec::<f32>().unwrap(),
        vec![3.0, 2.0, 1.0]
    );
    // ceil((1.3 - 1) / 0.1) = ceil(3.0000000000000004) = 4, as np.arange(1, 1.3, 0.1).
    assert_eq!(
        Array::arange_f(1.0, 1.3, 0.1).to_vec::<f32>().unwrap(),
        vec![1.0, 1.1, 1.2, 1.3]
    );
    assert_eq!(Array::arange_f(0.0, 1.0, 0.1).shape(), &[10]);
    assert_eq!(Array::arange_f(0.0, 2.5, 1.0).shape(), &[3]);
    // Wrong direction or empty interval: empty.
    assert_eq!(Array::arange_f(0.0, 1.0, -1.0).shape(), &[0]);
    assert_eq!(Array::arange_f(1.0, 1.0, 1.0).shape(), &[0]);
}

#[test]
fn linspace_includes_both_ends() {
    let x = Array::linspace(0.0, 1.0, 5);
    assert_eq!(x.dtype(), DType::F32);
    assert_eq!(x.to_vec::<f32>().unwrap(), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    assert_eq!(
        Array::linspace(1.0, -1.0, 3).to_vec::<f32>().unwrap(),
        vec![1.0, 0.0, -1.0]
    );
    assert_eq!(
        Array::linspace(2.0, 5.0, 1).to_vec::<f32>().unwrap(),
        vec![2.0]
    );
    assert_eq!(Array::linspace(0.0, 1.0, 0).shape(), &[0]);
    let d = Array::linspace_of(0.0, 0.3, 4, DType::F64);
    assert_eq!(d.dtype(), DType::F64);
    // start + i * step in f64, the last value exactly `stop`: np.linspace(0, 0.3, 4).
    assert_eq!(
        d.to_vec::<f64>().unwrap(),
        vec![0.0, 0.09999999999999999, 0.19999999999999998, 0.3]
    );
    let many = Array::linspace_of(-1.0, 1.0, 201, DType::F64)
        .to_vec::<f64>()
        .unwrap();
    assert_eq!((many[0], many[100], many[200]), (-1.0, 0.0, 1.0));
}

#[test]
fn identity_matrices() {
    let e = Array::eye(3);
    assert_eq!(e.dtype(), DType::F32);
    assert_eq!(e.shape(), &[3, 3]);
    assert_eq!(
        e.to_vec::<f32>().unwrap(),
        vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    );
    assert_eq!(Array::eye(0).shape(), &[0, 0]);
    assert_eq!(Array::eye(1).to_vec::<f32>().unwrap(), vec![1.0]);
    for d in DType::ALL {
        let e = Array::eye_of(2, d);
        assert_eq!(e.dtype(), d);
        assert_eq!(e.to_vec::<f64>().unwrap(), vec![1.0, 0.0, 0.0, 1.0]);
    }
}

#[test]
fn invalid_arguments_are_errors_naming_the_function_and_line() {
    #[rustfmt::skip]
    let cases: Vec<(Array, u32, &str, &str)> = vec![
        (Array::arange_f(0.0, 1.0, 0.0), line!(), "arange",
            "needs finite bounds and a nonzero step, got start 0, stop 1, step 0"),
        (Array::arange_f(f64::NAN, 1.0, 1.0), line!(), "arange",
            "needs finite bounds and a nonzero step, got start NaN, stop 1, step 1"),
        (Array::arange_f(0.0, f64::INFINITY, 1.0), line!(), "arange",
            "needs finite bounds and a nonzero step, got start 0, stop inf, step 1"),
        (Array::arange_f(0.0, 1e30, 1e-30), line!(), "arange", "1e60 elements are too many"),
        (Array::arange(1 << 40), line!(), "arange", "1099511627776 elements do not fit i32 indices"),
        (Array::linspace(0.0, 1.0, -1), line!(), "linspace",
            "needs finite bounds, num >= 0 and a float dtype, got start 0, stop 1, num -1, dtype f32"),
        (Array::linspace(f64::NAN, 1.0, 3), line!(), "linspace",
            "needs finite bounds, num >= 0 and a float dtype, got start NaN, stop 1, num 3, dtype f32"),
        (Array::linspace_of(0.0, 1.0, 2, DType::I32), line!(), "linspace",
            "needs finite bounds, num >= 0 and a float dtype, got start 0, stop 1, num 2, dtype i32"),
        (Array::linspace(0.0, 1.0, 1 << 50), line!(), "linspace",
            "1125899906842624 elements are too many"),
        (Array::eye(-1), line!(), "eye", "needs 0 <= n with n*n elements in range, got -1"),
        (Array::eye_of(1 << 21, DType::F64), line!(), "eye",
            "needs 0 <= n with n*n elements in range, got 2097152"),
        (Array::zeros(&[1 << 30, 1 << 30, 1 << 30]), line!(), "zeros",
            "shape [1073741824, 1073741824, 1073741824] is too large"),
        (Array::ones(&[usize::MAX, 2]), line!(), "ones",
            "shape [18446744073709551615, 2] is too large"),
        (Array::full(&[1 << 41], 1.0), line!(), "full", "shape [2199023255552] is too large"),
        (Array::zeros_of(&[1 << 41], DType::Bool), line!(), "zeros",
            "shape [2199023255552] is too large"),
        (Array::ones_of(&[1 << 41], DType::I32), line!(), "ones",
            "shape [2199023255552] is too large"),
        (Array::full_of(&[1 << 41], 2.0, DType::U32), line!(), "full",
            "shape [2199023255552] is too large"),
        (Array::from_vec(vec![1.0f32; 3], &[2]), line!(), "from_vec",
            "3 elements cannot fill shape [2]"),
    ];
    for (array, line, op, message) in cases {
        let err = array.check().unwrap_err();
        assert_eq!((err.op(), err.message()), (op, message));
        assert_eq!(err.location().unwrap().file(), file!(), "{op}: {message}");
        assert_eq!(err.location().unwrap().line(), line, "{op}: {message}");
    }
    // An error array behaves like any other: later ops keep the error.
    let e = Array::eye(-1);
    assert_eq!(((&e + 1.0).exp()).check().unwrap_err().op(), "eye");
}
