//! Reductions: values against hand-computed results, dtypes, keepdims, errors.

use autobatch::{Array, DType, make_program};

/// `[[1, 2, 3], [4, 5, 6]]` as `T`.
fn m23<T: autobatch::Element>() -> Array {
    let v: Vec<T> = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
        .iter()
        .map(|&x| T::from_f64(x))
        .collect();
    Array::from_vec(v, &[2, 3])
}

fn bools() -> Array {
    Array::from_vec(vec![true, false, true, true, true, false], &[2, 3])
}

fn f32s(a: &Array) -> Vec<f32> {
    a.to_vec::<f32>().unwrap()
}

fn f64s(a: &Array) -> Vec<f64> {
    a.to_vec::<f64>().unwrap()
}

fn i32s(a: &Array) -> Vec<i32> {
    a.to_vec::<i32>().unwrap()
}

fn close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() <= tol, "{got:?} vs {want:?}");
    }
}

/// Asserts the error's op, message, and that it points at `line` of this file.
#[track_caller]
fn expect_err(a: Array, op: &str, message: &str, line: u32) {
    let e = a.check().unwrap_err();
    assert_eq!(e.op(), op);
    assert_eq!(e.message(), message);
    let loc = e.location().expect("errors carry the caller's location");
    assert_eq!(loc.line(), line, "{e}");
    assert!(loc.file().ends_with("api_reduce.rs"), "{e}");
}

#[test]
fn sum_all_and_per_axis() {
    let x = m23::<f32>();
    assert_eq!(f32s(&x.sum()), vec![21.0]);
    assert_eq!(x.sum().shape(), &[] as &[usize]);
    assert_eq!(f32s(&x.sum_axis(0)), vec![5.0, 7.0, 9.0]);
    assert_eq!(f32s(&x.sum_axis(1)), vec![6.0, 15.0]);
    assert_eq!(f32s(&x.sum_axis(-1)), vec![6.0, 15.0]);
    assert_eq!(f32s(&x.sum_axis(-2)), vec![5.0, 7.0, 9.0]);
    let both = x.sum_axes(&[0, 1], false);
    assert_eq!(both.shape(), &[] as &[usize]);
    assert_eq!(f32s(&both), vec![21.0]);
    let kept = x.sum_axes(&[-1, 0], true);
    assert_eq!(kept.shape(), &[1, 1]);
    assert_eq!(f32s(&kept), vec![21.0]);
    let kept0 = x.sum_axes(&[0], true);
    assert_eq!(kept0.shape(), &[1, 3]);
    assert_eq!(f32s(&kept0), vec![5.0, 7.0, 9.0]);
    // No axes: nothing is reduced (NumPy's axis=()).
    assert_eq!(f32s(&x.sum_axes(&[], false)), f32s(&x));
}

#[test]
fn sum_dtypes() {
    assert_eq!(m23::<f64>().sum().dtype(), DType::F64);
    assert_eq!(f64s(&m23::<f64>().sum_axis(0)), vec![5.0, 7.0, 9.0]);
    let i = m23::<i32>().sum_axis(-1);
    assert_eq!(i.dtype(), DType::I32);
    assert_eq!(i32s(&i), vec![6, 15]);
    assert_eq!(m23::<u32>().sum().dtype(), DType::U32);
    let b = bools();
    assert_eq!(b.sum().dtype(), DType::I32);
    assert_eq!(i32s(&b.sum()), vec![4]);
    assert_eq!(i32s(&b.sum_axis(0)), vec![2, 1, 1]);
    assert_eq!(i32s(&b.sum_axes(&[1], true)), vec![2, 2]);
    // Even reducing nothing converts bool, as jnp.sum does.
    assert_eq!(b.sum_axes(&[], false).dtype(), DType::I32);
}

#[test]
fn sum_over_several_axes_of_a_3d_array() {
    let data: Vec<f64> = (0..24).map(|v| v as f64).collect();
    let x = Array::from_vec(data.clone(), &[2, 3, 4]);
    let at = |i: usize, j: usize, k: usize| data[i * 12 + j * 4 + k];
    let mut want = vec![0.0; 3];
    for (j, w) in want.iter_mut().enumerate() {
        for i in 0..2 {
            for k in 0..4 {
                *w += at(i, j, k);
            }
        }
    }
    let got = x.sum_axes(&[0, -1], false);
    assert_eq!(got.shape(), &[3]);
    assert_eq!(f64s(&got), want);
    let kept = x.sum_axes(&[2, 0], true);
    assert_eq!(kept.shape(), &[1, 3, 1]);
    assert_eq!(f64s(&kept), want);
    let mut want12 = vec![0.0; 2];
    for (i, w) in want12.iter_mut().enumerate() {
        for j in 0..3 {
            for k in 0..4 {
                *w += at(i, j, k);
            }
        }
    }
    assert_eq!(f64s(&x.sum_axes(&[1, 2], false)), want12);
}

#[test]
fn mean_values_and_dtypes() {
    let x = m23::<f32>();
    assert_eq!(f32s(&x.mean()), vec![3.5]);
    assert_eq!(f32s(&x.mean_axis(0)), vec![2.5, 3.5, 4.5]);
    assert_eq!(f32s(&x.mean_axis(-1)), vec![2.0, 5.0]);
    let kept = x.mean_axes(&[1], true);
    assert_eq!(kept.shape(), &[2, 1]);
    assert_eq!(f32s(&kept), vec![2.0, 5.0]);
    assert_eq!(f32s(&x.mean_axes(&[0, 1], false)), vec![3.5]);
    let d = m23::<f64>().mean_axis(1);
    assert_eq!(d.dtype(), DType::F64);
    assert_eq!(f64s(&d), vec![2.0, 5.0]);
    let i = m23::<i32>().mean();
    assert_eq!(i.dtype(), DType::F32);
    assert_eq!(f32s(&i), vec![3.5]);
    let b = bools().mean_axis(0);
    assert_eq!(b.dtype(), DType::F32);
    assert_eq!(f32s(&b), vec![1.0, 0.5, 0.5]);
    assert_eq!(m23::<u32>().mean_axis(0).dtype(), DType::F32);
}

#[test]
fn mean_of_an_empty_axis_is_nan() {
    let e = Array::from_vec(Vec::<f32>::new(), &[0, 3]);
    let m = e.mean_axis(0);
    assert_eq!(m.shape(), &[3]);
    assert!(f32s(&m).iter().all(|v| v.is_nan()));
    assert!(f32s(&e.mean())[0].is_nan());
    // The other axis is not empty: an empty result, no error.
    assert_eq!(e.mean_axis(1).shape(), &[0]);
}

#[test]
fn prod_values_and_dtypes() {
    let x = m23::<f32>();
    assert_eq!(f32s(&x.prod()), vec![720.0]);
    assert_eq!(f32s(&x.prod_axis(0)), vec![4.0, 10.0, 18.0]);
    assert_eq!(f32s(&x.prod_axis(-1)), vec![6.0, 120.0]);
    assert_eq!(x.prod_axes(&[0], true).shape(), &[1, 3]);
    assert_eq!(i32s(&m23::<i32>().prod_axis(1)), vec![6, 120]);
    assert_eq!(f64s(&m23::<f64>().prod()), vec![720.0]);
    let b = bools().prod_axis(0);
    assert_eq!(b.dtype(), DType::I32);
    assert_eq!(i32s(&b), vec![1, 0, 0]);
}

#[test]
fn max_and_min() {
    let x = m23::<f32>();
    assert_eq!(f32s(&x.max()), vec![6.0]);
    assert_eq!(f32s(&x.max_axis(0)), vec![4.0, 5.0, 6.0]);
    assert_eq!(f32s(&x.max_axis(-1)), vec![3.0, 6.0]);
    assert_eq!(f32s(&x.min()), vec![1.0]);
    assert_eq!(f32s(&x.min_axis(0)), vec![1.0, 2.0, 3.0]);
    assert_eq!(f32s(&x.min_axis(1)), vec![1.0, 4.0]);
    let kept = x.max_axes(&[1], true);
    assert_eq!(kept.shape(), &[2, 1]);
    assert_eq!(f32s(&kept), vec![3.0, 6.0]);
    assert_eq!(x.min_axes(&[0, 1], true).shape(), &[1, 1]);
    let i = m23::<i32>().max_axis(0);
    assert_eq!(i.dtype(), DType::I32);
    assert_eq!(i32s(&i), vec![4, 5, 6]);
    assert_eq!(f64s(&m23::<f64>().min_axis(-1)), vec![1.0, 4.0]);
    let b = bools();
    assert_eq!(b.max_axis(1).dtype(), DType::Bool);
    assert_eq!(
        b.max_axis(0).to_vec::<bool>().unwrap(),
        vec![true, true, true]
    );
    assert_eq!(
        b.min_axis(0).to_vec::<bool>().unwrap(),
        vec![true, false, false]
    );
    let nan = Array::from_vec(vec![1.0f32, f32::NAN, 3.0], &[3]);
    assert!(f32s(&nan.max())[0].is_nan());
}

#[test]
fn var_and_std() {
    let x = m23::<f32>();
    close(&[f32s(&x.var())[0] as f64], &[17.5 / 6.0], 1e-6);
    assert_eq!(f32s(&x.var_axis(0)), vec![2.25, 2.25, 2.25]);
    close(
        &f32s(&x.var_axis(-1))
            .iter()
            .map(|&v| v as f64)
            .collect::<Vec<_>>(),
        &[2.0 / 3.0, 2.0 / 3.0],
        1e-6,
    );
    assert_eq!(f32s(&x.std_axis(0)), vec![1.5, 1.5, 1.5]);
    close(&[f32s(&x.std())[0] as f64], &[(17.5f64 / 6.0).sqrt()], 1e-6);
    let kept = x.var_axes(&[1], true);
    assert_eq!(kept.shape(), &[2, 1]);
    assert_eq!(x.std_axes(&[0, 1], true).shape(), &[1, 1]);
    let d = m23::<f64>();
    close(&f64s(&d.var_ddof(&[1], 1, false)), &[1.0, 1.0], 1e-12);
    close(&f64s(&d.std_axes(&[0], false)), &[1.5, 1.5, 1.5], 1e-12);
    let i = m23::<i32>().var_axis(0);
    assert_eq!(i.dtype(), DType::F32);
    assert_eq!(f32s(&i), vec![2.25, 2.25, 2.25]);
    let b = bools().var_axis(1);
    assert_eq!(b.dtype(), DType::F32);
    close(
        &f32s(&b).iter().map(|&v| v as f64).collect::<Vec<_>>(),
        &[2.0 / 9.0, 2.0 / 9.0],
        1e-6,
    );
}

#[test]
fn argmax_and_argmin() {
    let x = Array::from_vec(vec![1.0f32, 9.0, 3.0, 9.0, 0.0, 0.0], &[2, 3]);
    assert_eq!(x.argmax().dtype(), DType::I32);
    assert_eq!(i32s(&x.argmax()), vec![1]);
    assert_eq!(i32s(&x.argmin()), vec![4]);
    assert_eq!(i32s(&x.argmax_axis(0, false)), vec![1, 0, 0]);
    assert_eq!(i32s(&x.argmax_axis(-1, false)), vec![1, 0]);
    assert_eq!(i32s(&x.argmin_axis(1, false)), vec![0, 1]);
    assert_eq!(i32s(&x.argmin_axis(-2, false)), vec![0, 1, 1]);
    let kept = x.argmax_axis(1, true);
    assert_eq!(kept.shape(), &[2, 1]);
    assert_eq!(i32s(&kept), vec![1, 0]);
    assert_eq!(x.argmin_axis(0, true).shape(), &[1, 3]);
    assert_eq!(i32s(&m23::<i32>().argmax()), vec![5]);
    assert_eq!(i32s(&bools().argmin_axis(1, false)), vec![1, 2]);
    assert_eq!(i32s(&Array::scalar(2.0f64).argmax()), vec![0]);
}

#[test]
fn cumsum_values() {
    let x = m23::<f32>();
    assert_eq!(f32s(&x.cumsum(0)), vec![1.0, 2.0, 3.0, 5.0, 7.0, 9.0]);
    assert_eq!(f32s(&x.cumsum(1)), vec![1.0, 3.0, 6.0, 4.0, 9.0, 15.0]);
    assert_eq!(f32s(&x.cumsum(-1)), vec![1.0, 3.0, 6.0, 4.0, 9.0, 15.0]);
    let flat = x.cumsum_flat();
    assert_eq!(flat.shape(), &[6]);
    assert_eq!(f32s(&flat), vec![1.0, 3.0, 6.0, 10.0, 15.0, 21.0]);
    assert_eq!(i32s(&m23::<i32>().cumsum(0)), vec![1, 2, 3, 5, 7, 9]);
    let b = bools().cumsum(1);
    assert_eq!(b.dtype(), DType::I32);
    assert_eq!(i32s(&b), vec![1, 1, 2, 1, 2, 2]);
}

#[test]
fn axis_errors_name_op_shape_and_line() {
    let x = m23::<f32>();
    let (r, line) = (x.sum_axis(3), line!());
    expect_err(r, "sum", "axis 3 is out of range for shape [2, 3]", line);
    let (r, line) = (x.mean_axis(-3), line!());
    expect_err(r, "mean", "axis -3 is out of range for shape [2, 3]", line);
    let (r, line) = (x.sum_axes(&[1, -1], false), line!());
    expect_err(
        r,
        "sum",
        "axis 1 appears twice in [1, -1] for shape [2, 3]",
        line,
    );
    let (r, line) = (x.var_axes(&[0, 0], true), line!());
    expect_err(
        r,
        "var",
        "axis 0 appears twice in [0, 0] for shape [2, 3]",
        line,
    );
    let (r, line) = (x.std_axis(2), line!());
    expect_err(r, "std", "axis 2 is out of range for shape [2, 3]", line);
    let (r, line) = (x.prod_axis(5), line!());
    expect_err(r, "prod", "axis 5 is out of range for shape [2, 3]", line);
    let (r, line) = (x.max_axis(2), line!());
    expect_err(r, "max", "axis 2 is out of range for shape [2, 3]", line);
    let (r, line) = (x.argmin_axis(2, false), line!());
    expect_err(r, "argmin", "axis 2 is out of range for shape [2, 3]", line);
    let (r, line) = (x.cumsum(-3), line!());
    expect_err(
        r,
        "cumsum",
        "axis -3 is out of range for shape [2, 3]",
        line,
    );
    let (r, line) = (Array::scalar(1.0f32).sum_axis(0), line!());
    expect_err(r, "sum", "axis 0 is out of range for shape []", line);
}

#[test]
fn empty_extrema_are_errors() {
    let e = Array::from_vec(Vec::<f32>::new(), &[0, 3]);
    let (r, line) = (e.max(), line!());
    expect_err(
        r,
        "max",
        "cannot take the max over the empty axis 0 of shape [0, 3]",
        line,
    );
    let (r, line) = (e.min_axis(0), line!());
    expect_err(
        r,
        "min",
        "cannot take the min over the empty axis 0 of shape [0, 3]",
        line,
    );
    // Reducing the non-empty axis is fine and gives an empty result.
    assert_eq!(e.max_axis(1).shape(), &[0]);
    let (r, line) = (e.argmax(), line!());
    expect_err(
        r,
        "argmax",
        "cannot take the argmax of the empty array of shape [0, 3]",
        line,
    );
    let (r, line) = (e.argmin_axis(0, true), line!());
    expect_err(
        r,
        "argmin",
        "cannot take the argmin over the empty axis 0 of shape [0, 3]",
        line,
    );
}

#[test]
fn errors_propagate_unchanged() {
    let x = m23::<f32>();
    let (bad, line) = (x.sum_axis(7), line!());
    for r in [
        bad.sum(),
        bad.mean_axis(0),
        bad.max_axes(&[0], true),
        bad.var(),
        bad.argmax(),
        bad.cumsum(0),
        bad.cumsum_flat(),
    ] {
        expect_err(r, "sum", "axis 7 is out of range for shape [2, 3]", line);
    }
}

#[test]
fn traced_reductions_use_the_expected_primitives() {
    let x = m23::<f32>();
    let p = make_program(|x: &Array| x.sum_axis(-1), &x).unwrap();
    assert_eq!(p.equations.len(), 1);
    assert_eq!(p.count_primitive("reduce_sum"), 1);
    let p = make_program(|x: &Array| x.sum_axes(&[], false), &x).unwrap();
    assert_eq!(p.equations.len(), 0);
    let p = make_program(|x: &Array| x.mean_axis(0), &x).unwrap();
    assert_eq!(p.count_primitive("reduce_sum"), 1);
    assert_eq!(p.count_primitive("div"), 1);
    assert_eq!(p.output_types()[0].to_string(), "f32[3]");
    let p = make_program(|x: &Array| x.argmax_axis(1, true), &x).unwrap();
    assert_eq!(p.output_types()[0].to_string(), "i32[2,1]");
    let p = make_program(|x: &Array| x.std_axes(&[0], true), &x).unwrap();
    assert_eq!(p.output_types()[0].to_string(), "f32[1,3]");
    let (r, line) = (make_program(|x: &Array| x.sum_axis(2), &x), line!());
    let e = r.unwrap_err();
    assert_eq!(
        e.to_string().split(" (at").next().unwrap(),
        "sum: axis 2 is out of range for shape [2, 3]"
    );
    assert_eq!(e.location().unwrap().line(), line);
}

#[test]
fn vmapped_reductions_match_row_by_row() {
    let x = m23::<f32>();
    let f = |row: &Array| row.mean();
    assert_eq!(f32s(&autobatch::vmap(f)(&x).unwrap()), vec![2.0, 5.0]);
    let g = |row: &Array| row.argmax();
    assert_eq!(i32s(&autobatch::vmap(g)(&x).unwrap()), vec![2, 2]);
    let h = |row: &Array| row.var();
    let v = f32s(&autobatch::vmap(h)(&x).unwrap());
    close(&[v[0] as f64, v[1] as f64], &[2.0 / 3.0, 2.0 / 3.0], 1e-6);
}
