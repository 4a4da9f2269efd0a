//! Creation functions: values, dtypes, and errors instead of panics or aborts.

use autobatch::{Array, DType};

#[test]
fn filled_arrays() {
    assert_eq!(Array::zeros(&[2, 2]).to_vec::<f32>().unwrap(), vec![0.0; 4]);
    assert_eq!(Array::ones(&[3]).dtype(), DType::F32);
    assert_eq!(
        Array::full(&[2], -1.5).to_vec::<f32>().unwrap(),
        vec![-1.5, -1.5]
    );
    assert_eq!(
        Array::zeros_of(&[1], DType::U32).to_vec::<u32>().unwrap(),
        vec![0]
    );
    assert_eq!(
        Array::ones_of(&[2], DType::Bool).to_vec::<bool>().unwrap(),
        vec![true, true]
    );
    assert_eq!(
        Array::full_of(&[1], 7.9, DType::I32)
            .to_vec::<i32>()
            .unwrap(),
        vec![7]
    );
    let x = Array::from_vec(vec![1.0f64, 2.0], &[2]);
    assert_eq!(Array::zeros_like(&x).dtype(), DType::F64);
    assert_eq!(
        Array::ones_like(&x).to_vec::<f64>().unwrap(),
        vec![1.0, 1.0]
    );
    assert_eq!(
        Array::full_like(&x, 3.0).to_vec::<f64>().unwrap(),
        vec![3.0, 3.0]
    );
    assert_eq!(Array::scalar(true).shape(), &[] as &[usize]);
    assert_eq!(Array::from(2.5f32).dtype(), DType::F32);
    assert_eq!(Array::from(2i32).dtype(), DType::I32);
}

#[test]
fn ranges_and_identity() {
    assert_eq!(Array::arange(4).to_vec::<i32>().unwrap(), vec![0, 1, 2, 3]);
    assert_eq!(Array::arange(-3).shape(), &[0]);
    assert_eq!(
        Array::arange_f(1.0, 2.0, 0.5).to_vec::<f32>().unwrap(),
        vec![1.0, 1.5]
    );
    assert_eq!(
        Array::arange_f(3.0, 0.0, -1.0).to_vec::<f32>().unwrap(),
        vec![3.0, 2.0, 1.0]
    );
    assert_eq!(
        Array::linspace(0.0, 1.0, 3).to_vec::<f32>().unwrap(),
        vec![0.0, 0.5, 1.0]
    );
    assert_eq!(
        Array::linspace(2.0, 5.0, 1).to_vec::<f32>().unwrap(),
        vec![2.0]
    );
    assert_eq!(Array::linspace(0.0, 1.0, 0).shape(), &[0]);
    assert_eq!(
        Array::linspace_of(0.0, 0.3, 4, DType::F64)
            .to_vec::<f64>()
            .unwrap()[3],
        0.3
    );
    assert_eq!(
        Array::eye(3).to_vec::<f32>().unwrap(),
        vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
    );
    assert_eq!(
        Array::eye_of(1, DType::Bool).to_vec::<bool>().unwrap(),
        vec![true]
    );
}

#[test]
fn invalid_arguments_are_errors() {
    let msg = |a: Array| {
        let e = a.check().unwrap_err();
        (e.op().to_string(), e.message().to_string())
    };
    assert_eq!(msg(Array::arange_f(0.0, 1.0, 0.0)).0, "arange");
    assert_eq!(msg(Array::arange_f(f64::NAN, 1.0, 1.0)).0, "arange");
    assert_eq!(
        msg(Array::arange_f(0.0, 1e30, 1e-30)).1,
        "1e60 elements are too many"
    );
    assert_eq!(msg(Array::linspace(0.0, 1.0, -1)).0, "linspace");
    assert_eq!(
        msg(Array::linspace_of(0.0, 1.0, 2, DType::I32)).0,
        "linspace"
    );
    assert_eq!(msg(Array::eye(-1)).0, "eye");
    assert_eq!(
        msg(Array::zeros(&[1 << 30, 1 << 30, 1 << 30])),
        (
            "zeros".into(),
            "shape [1073741824, 1073741824, 1073741824] is too large".into()
        )
    );
    assert_eq!(
        msg(Array::from_vec(vec![1.0f32; 3], &[2])),
        ("from_vec".into(), "3 elements cannot fill shape [2]".into())
    );
}
