//! Arrays print like NumPy's repr (with `Array(` and a short dtype name, like JAX).
//!
//! The table in `matches_numpy_repr` was generated with NumPy 2.4 the way JAX builds its
//! repr: `np.array2string(a, prefix="Array(", suffix=",", separator=", ")`, then the
//! short dtype name, on its own line when NumPy's `array_repr` would put it there.

use autobatch::{Array, DType, make_program};

#[test]
fn matches_numpy_repr() {
    let cases: Vec<(&str, Array, &str)> = vec![
        (
            "f64_prec8_rounds",
            Array::from_vec(vec![0.123456789123f64, 1.0f64], &[2]),
            "Array([0.12345679, 1.        ], dtype=f64)",
        ),
        (
            "f64_prec8_trims_zeros",
            Array::from_vec(vec![1.000000001f64, 2.5f64], &[2]),
            "Array([1. , 2.5], dtype=f64)",
        ),
        (
            "f64_sci_prec8",
            Array::from_vec(vec![1.23456789123e-05f64, 1.0f64], &[2]),
            "Array([1.23456789e-05, 1.00000000e+00], dtype=f64)",
        ),
        (
            "f64_three_digit_exponents",
            Array::from_vec(vec![1e-100f64, 1.0f64, 1e+100f64], &[3]),
            "Array([1.e-100, 1.e+000, 1.e+100], dtype=f64)",
        ),
        (
            "f64_below_1e8_positional",
            Array::from_vec(vec![10000000.0f64, 50000000.0f64], &[2]),
            "Array([10000000., 50000000.], dtype=f64)",
        ),
        (
            "f64_1e8_scientific",
            Array::from_vec(vec![100000000.0f64, 50000000.0f64], &[2]),
            "Array([1.e+08, 5.e+07], dtype=f64)",
        ),
        (
            "f32_below_1e6_positional",
            Array::from_vec(vec![999999.0f32, 500000.0f32], &[2]),
            "Array([999999., 500000.], dtype=f32)",
        ),
        (
            "f32_1e6_scientific",
            Array::from_vec(vec![2e+06f32, 1e+06f32], &[2]),
            "Array([2.e+06, 1.e+06], dtype=f32)",
        ),
        (
            "f32_1e4_boundary",
            Array::from_vec(vec![1e-04f32, 1.0f32], &[2]),
            "Array([1.e-04, 1.e+00], dtype=f32)",
        ),
        (
            "f32_ratio_boundary",
            Array::from_vec(vec![0.1f32, 100.0f32], &[2]),
            "Array([  0.1, 100. ], dtype=f32)",
        ),
        (
            "f32_ratio_over",
            Array::from_vec(vec![0.1f32, 1000.0f32], &[2]),
            "Array([1.e-01, 1.e+03], dtype=f32)",
        ),
        (
            "f32_nan_in_scientific",
            Array::from_vec(vec![f32::NAN, 1e-07f32, f32::INFINITY], &[3]),
            "Array([   nan, 1.e-07,    inf], dtype=f32)",
        ),
        (
            "f32_negative_scientific",
            Array::from_vec(vec![-1e-07f32, 1.0f32], &[2]),
            "Array([-1.e-07,  1.e+00], dtype=f32)",
        ),
        (
            "f32_zeros",
            Array::from_vec(vec![0.0f32, 0.0f32, 0.0f32], &[3]),
            "Array([0., 0., 0.], dtype=f32)",
        ),
        (
            "f32_only_nonfinite",
            Array::from_vec(vec![f32::NAN, f32::INFINITY], &[2]),
            "Array([nan, inf], dtype=f32)",
        ),
        (
            "f32_neg_zero",
            Array::from_vec(vec![-0.0f32, 1.5f32], &[2]),
            "Array([-0. ,  1.5], dtype=f32)",
        ),
        (
            "f32_thirds",
            Array::from_vec(vec![0.33333334f32, 0.6666667f32, 100.0f32], &[3]),
            "Array([  0.33333334,   0.6666667 , 100.        ], dtype=f32)",
        ),
        (
            "bool_all_true",
            Array::from_vec(vec![true, true], &[2]),
            "Array([ True,  True], dtype=bool)",
        ),
        (
            "bool_matrix",
            Array::from_vec(vec![true, false, false, true], &[2, 2]),
            "Array([[ True, False],\n       [False,  True]], dtype=bool)",
        ),
        (
            "u32_wide",
            Array::from_vec(vec![3u32, 4000000000u32], &[2]),
            "Array([         3, 4000000000], dtype=u32)",
        ),
        (
            "i32_negative_matrix",
            Array::from_vec(vec![-1i32, 2i32, 3i32, -400i32], &[2, 2]),
            "Array([[  -1,    2],\n       [   3, -400]], dtype=i32)",
        ),
        (
            "i32_dtype_on_new_line",
            Array::from_vec(
                vec![
                    0i32, 1i32, 2i32, 3i32, 4i32, 5i32, 6i32, 7i32, 8i32, 9i32, 10i32, 11i32,
                    12i32, 13i32, 14i32, 15i32, 16i32,
                ],
                &[17],
            ),
            "Array([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16],\n      dtype=i32)",
        ),
        (
            "i32_rows_wrap_in_matrix",
            Array::arange(60).reshape(&[2, 30]),
            "Array([[ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15,\n        16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29],\n       [30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45,\n        46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59]],\n      dtype=i32)",
        ),
        (
            "i32_wrap_then_dtype",
            Array::from_vec(
                vec![
                    0i32, 1000i32, 2000i32, 3000i32, 4000i32, 5000i32, 6000i32, 7000i32, 8000i32,
                    9000i32, 10000i32, 11000i32, 12000i32, 13000i32, 14000i32, 15000i32, 16000i32,
                    17000i32, 18000i32, 19000i32, 20000i32, 21000i32, 22000i32, 23000i32,
                ],
                &[24],
            ),
            "Array([    0,  1000,  2000,  3000,  4000,  5000,  6000,  7000,  8000,\n        9000, 10000, 11000, 12000, 13000, 14000, 15000, 16000, 17000,\n       18000, 19000, 20000, 21000, 22000, 23000], dtype=i32)",
        ),
        (
            "f32_rank3_wraps",
            (Array::arange(100).astype(DType::F32) * 1.5).reshape(&[2, 2, 25]),
            "Array([[[  0. ,   1.5,   3. ,   4.5,   6. ,   7.5,   9. ,  10.5,  12. ,\n          13.5,  15. ,  16.5,  18. ,  19.5,  21. ,  22.5,  24. ,  25.5,\n          27. ,  28.5,  30. ,  31.5,  33. ,  34.5,  36. ],\n        [ 37.5,  39. ,  40.5,  42. ,  43.5,  45. ,  46.5,  48. ,  49.5,\n          51. ,  52.5,  54. ,  55.5,  57. ,  58.5,  60. ,  61.5,  63. ,\n          64.5,  66. ,  67.5,  69. ,  70.5,  72. ,  73.5]],\n\n       [[ 75. ,  76.5,  78. ,  79.5,  81. ,  82.5,  84. ,  85.5,  87. ,\n          88.5,  90. ,  91.5,  93. ,  94.5,  96. ,  97.5,  99. , 100.5,\n         102. , 103.5, 105. , 106.5, 108. , 109.5, 111. ],\n        [112.5, 114. , 115.5, 117. , 118.5, 120. , 121.5, 123. , 124.5,\n         126. , 127.5, 129. , 130.5, 132. , 133.5, 135. , 136.5, 138. ,\n         139.5, 141. , 142.5, 144. , 145.5, 147. , 148.5]]], dtype=f32)",
        ),
        (
            "i32_rank4",
            Array::from_vec(
                vec![
                    0i32, 1i32, 2i32, 3i32, 4i32, 5i32, 6i32, 7i32, 8i32, 9i32, 10i32, 11i32,
                    12i32, 13i32, 14i32, 15i32,
                ],
                &[2, 2, 2, 2],
            ),
            "Array([[[[ 0,  1],\n         [ 2,  3]],\n\n        [[ 4,  5],\n         [ 6,  7]]],\n\n\n       [[[ 8,  9],\n         [10, 11]],\n\n        [[12, 13],\n         [14, 15]]]], dtype=i32)",
        ),
        (
            "i32_summarized_rows",
            Array::arange(6000).reshape(&[2000, 3]),
            "Array([[   0,    1,    2],\n       [   3,    4,    5],\n       [   6,    7,    8],\n       ...,\n       [5991, 5992, 5993],\n       [5994, 5995, 5996],\n       [5997, 5998, 5999]], dtype=i32)",
        ),
        (
            "f32_summarized_rank3",
            Array::arange(8000)
                .astype(DType::F32)
                .reshape(&[20, 20, 20]),
            "Array([[[0.000e+00, 1.000e+00, 2.000e+00, ..., 1.700e+01, 1.800e+01,\n         1.900e+01],\n        [2.000e+01, 2.100e+01, 2.200e+01, ..., 3.700e+01, 3.800e+01,\n         3.900e+01],\n        [4.000e+01, 4.100e+01, 4.200e+01, ..., 5.700e+01, 5.800e+01,\n         5.900e+01],\n        ...,\n        [3.400e+02, 3.410e+02, 3.420e+02, ..., 3.570e+02, 3.580e+02,\n         3.590e+02],\n        [3.600e+02, 3.610e+02, 3.620e+02, ..., 3.770e+02, 3.780e+02,\n         3.790e+02],\n        [3.800e+02, 3.810e+02, 3.820e+02, ..., 3.970e+02, 3.980e+02,\n         3.990e+02]],\n\n       [[4.000e+02, 4.010e+02, 4.020e+02, ..., 4.170e+02, 4.180e+02,\n         4.190e+02],\n        [4.200e+02, 4.210e+02, 4.220e+02, ..., 4.370e+02, 4.380e+02,\n         4.390e+02],\n        [4.400e+02, 4.410e+02, 4.420e+02, ..., 4.570e+02, 4.580e+02,\n         4.590e+02],\n        ...,\n        [7.400e+02, 7.410e+02, 7.420e+02, ..., 7.570e+02, 7.580e+02,\n         7.590e+02],\n        [7.600e+02, 7.610e+02, 7.620e+02, ..., 7.770e+02, 7.780e+02,\n         7.790e+02],\n        [7.800e+02, 7.810e+02, 7.820e+02, ..., 7.970e+02, 7.980e+02,\n         7.990e+02]],\n\n       [[8.000e+02, 8.010e+02, 8.020e+02, ..., 8.170e+02, 8.180e+02,\n         8.190e+02],\n        [8.200e+02, 8.210e+02, 8.220e+02, ..., 8.370e+02, 8.380e+02,\n         8.390e+02],\n        [8.400e+02, 8.410e+02, 8.420e+02, ..., 8.570e+02, 8.580e+02,\n         8.590e+02],\n        ...,\n        [1.140e+03, 1.141e+03, 1.142e+03, ..., 1.157e+03, 1.158e+03,\n         1.159e+03],\n        [1.160e+03, 1.161e+03, 1.162e+03, ..., 1.177e+03, 1.178e+03,\n         1.179e+03],\n        [1.180e+03, 1.181e+03, 1.182e+03, ..., 1.197e+03, 1.198e+03,\n         1.199e+03]],\n\n       ...,\n\n       [[6.800e+03, 6.801e+03, 6.802e+03, ..., 6.817e+03, 6.818e+03,\n         6.819e+03],\n        [6.820e+03, 6.821e+03, 6.822e+03, ..., 6.837e+03, 6.838e+03,\n         6.839e+03],\n        [6.840e+03, 6.841e+03, 6.842e+03, ..., 6.857e+03, 6.858e+03,\n         6.859e+03],\n        ...,\n        [7.140e+03, 7.141e+03, 7.142e+03, ..., 7.157e+03, 7.158e+03,\n         7.159e+03],\n        [7.160e+03, 7.161e+03, 7.162e+03, ..., 7.177e+03, 7.178e+03,\n         7.179e+03],\n        [7.180e+03, 7.181e+03, 7.182e+03, ..., 7.197e+03, 7.198e+03,\n         7.199e+03]],\n\n       [[7.200e+03, 7.201e+03, 7.202e+03, ..., 7.217e+03, 7.218e+03,\n         7.219e+03],\n        [7.220e+03, 7.221e+03, 7.222e+03, ..., 7.237e+03, 7.238e+03,\n         7.239e+03],\n        [7.240e+03, 7.241e+03, 7.242e+03, ..., 7.257e+03, 7.258e+03,\n         7.259e+03],\n        ...,\n        [7.540e+03, 7.541e+03, 7.542e+03, ..., 7.557e+03, 7.558e+03,\n         7.559e+03],\n        [7.560e+03, 7.561e+03, 7.562e+03, ..., 7.577e+03, 7.578e+03,\n         7.579e+03],\n        [7.580e+03, 7.581e+03, 7.582e+03, ..., 7.597e+03, 7.598e+03,\n         7.599e+03]],\n\n       [[7.600e+03, 7.601e+03, 7.602e+03, ..., 7.617e+03, 7.618e+03,\n         7.619e+03],\n        [7.620e+03, 7.621e+03, 7.622e+03, ..., 7.637e+03, 7.638e+03,\n         7.639e+03],\n        [7.640e+03, 7.641e+03, 7.642e+03, ..., 7.657e+03, 7.658e+03,\n         7.659e+03],\n        ...,\n        [7.940e+03, 7.941e+03, 7.942e+03, ..., 7.957e+03, 7.958e+03,\n         7.959e+03],\n        [7.960e+03, 7.961e+03, 7.962e+03, ..., 7.977e+03, 7.978e+03,\n         7.979e+03],\n        [7.980e+03, 7.981e+03, 7.982e+03, ..., 7.997e+03, 7.998e+03,\n         7.999e+03]]], dtype=f32)",
        ),
        (
            "f32_summarized_linspace",
            Array::linspace(0.0, 1.0, 2001),
            "Array([0.000e+00, 5.000e-04, 1.000e-03, ..., 9.990e-01, 9.995e-01,\n       1.000e+00], dtype=f32)",
        ),
        (
            "f64_summarized_positional",
            (Array::arange(1001).astype(DType::F64) * 0.5 + 1000),
            "Array([1000. , 1000.5, 1001. , ..., 1499. , 1499.5, 1500. ], dtype=f64)",
        ),
    ];
    for (name, array, want) in cases {
        assert_eq!(array.to_string(), want, "{name}");
        assert_eq!(format!("{array:?}"), want, "{name} (Debug)");
    }
}

#[test]
fn zero_dimensional() {
    assert_eq!(Array::scalar(2.5f32).to_string(), "Array(2.5, dtype=f32)");
    assert_eq!(Array::scalar(-2.0f64).to_string(), "Array(-2., dtype=f64)");
    assert_eq!(Array::scalar(7i32).to_string(), "Array(7, dtype=i32)");
    assert_eq!(Array::scalar(true).to_string(), "Array(True, dtype=bool)");
    assert_eq!(Array::scalar(false).to_string(), "Array(False, dtype=bool)");
    assert_eq!(
        Array::scalar(1e-7f32).to_string(),
        "Array(1.e-07, dtype=f32)"
    );
    assert_eq!(Array::scalar(f32::NAN).to_string(), "Array(nan, dtype=f32)");
}

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
