//! Arrays print like NumPy's repr (with `Array(` and a short dtype name).

use autobatch::{Array, DType, make_program};

#[test]
fn floats_align_on_the_decimal_point() {
    assert_eq!(
        Array::from_vec(vec![1.0f32, 2.0], &[2]).to_string(),
        "Array([1., 2.], dtype=f32)"
    );
    assert_eq!(
        Array::from_vec(vec![1.0f32, 2.5, -3.25], &[3]).to_string(),
        "Array([ 1.  ,  2.5 , -3.25], dtype=f32)"
    );
    assert_eq!(Array::scalar(2.5f32).to_string(), "Array(2.5, dtype=f32)");
    assert_eq!(Array::scalar(-2.0f64).to_string(), "Array(-2., dtype=f64)");
    // f32 values print with the shortest digits that round-trip in f32.
    assert_eq!(
        (Array::from_vec(vec![0.1f32, 0.2, 0.3], &[3]) * 3.0).to_string(),
        "Array([0.3       , 0.6       , 0.90000004], dtype=f32)"
    );
}

#[test]
fn scientific_notation_when_numpy_uses_it() {
    assert_eq!(
        Array::from_vec(vec![1e-5f32, 1.0, 1.5], &[3]).to_string(),
        "Array([1.0e-05, 1.0e+00, 1.5e+00], dtype=f32)"
    );
    assert_eq!(
        Array::from_vec(vec![1e20f64, 1.0], &[2]).to_string(),
        "Array([1.e+20, 1.e+00], dtype=f64)"
    );
}

#[test]
fn special_values_ints_and_bools() {
    let x = Array::from_vec(vec![f32::NAN, 1.0, f32::INFINITY, -f32::INFINITY], &[4]);
    assert_eq!(x.to_string(), "Array([ nan,   1.,  inf, -inf], dtype=f32)");
    assert_eq!(
        Array::from_vec(vec![true, false], &[2]).to_string(),
        "Array([ True, False], dtype=bool)"
    );
    assert_eq!(
        Array::from_vec(vec![3u32, 10], &[2]).to_string(),
        "Array([ 3, 10], dtype=u32)"
    );
}

#[test]
fn nested_arrays_and_wrapping() {
    let m = Array::from_vec(vec![1i32, 2, 3, 40], &[2, 2]);
    assert_eq!(
        m.to_string(),
        "Array([[ 1,  2],\n       [ 3, 40]], dtype=i32)"
    );
    let t = Array::from_vec(
        (0..8).map(|x| x as f64 * 0.5).collect::<Vec<_>>(),
        &[2, 2, 2],
    );
    assert_eq!(
        t.to_string(),
        "Array([[[0. , 0.5],\n        [1. , 1.5]],\n\n       [[2. , 2.5],\n        [3. , 3.5]]], dtype=f64)"
    );
    let long = Array::arange(30).to_string();
    assert_eq!(
        long,
        "Array([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16,\n       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29], dtype=i32)"
    );
    assert!(long.lines().all(|l| l.len() <= 75));
}

#[test]
fn large_arrays_are_summarized() {
    let x = Array::arange(2000).astype(DType::F32);
    assert_eq!(
        x.to_string(),
        "Array([0.000e+00, 1.000e+00, 2.000e+00, ..., 1.997e+03, 1.998e+03,\n       1.999e+03], dtype=f32)"
    );
    let m = Array::zeros(&[100, 100]).astype(DType::I32).to_string();
    assert_eq!(m.lines().count(), 7, "{m}");
    assert!(m.contains("..."));
}

#[test]
fn empty_traced_and_error_arrays() {
    assert_eq!(
        Array::zeros(&[0, 3]).to_string(),
        "Array([], shape=(0, 3), dtype=f32)"
    );
    make_program(
        |x: &Array| {
            assert_eq!(x.to_string(), "Traced<f32[3]>");
            assert_eq!(format!("{x:?}"), "Traced<f32[3]>");
            x.clone()
        },
        &Array::zeros(&[3]),
    )
    .unwrap();
    let e = Array::zeros(&[2]).reshape(&[3]).to_string();
    assert!(
        e.starts_with("Error(reshape: cannot reshape [2] into [3] (at "),
        "{e}"
    );
}
