//! Shape ops (`reshape`, `transpose`, `t`, `swapaxes`, `moveaxis`, `expand_dims`,
//! `squeeze`, `flatten`) and joins (`concatenate`, `stack`).

use autobatch::array::{concatenate, stack};
use autobatch::{Array, DType, make_program};

/// `0, 1, 2, ...` as i32 in `shape`.
fn iota(shape: &[usize]) -> Array {
    let n: usize = shape.iter().product();
    Array::from_vec((0..n as i32).collect::<Vec<i32>>(), shape)
}

fn i32s(a: &Array) -> Vec<i32> {
    a.to_vec::<i32>().unwrap()
}

/// Asserts the error's op and message and that it points at `line` of this file.
#[track_caller]
fn expect_err(a: Array, op: &str, message: &str, line: u32) {
    let e = a.check().unwrap_err();
    assert_eq!(e.op(), op);
    assert_eq!(e.message(), message);
    let loc = e.location().expect("errors carry the caller's location");
    assert_eq!(loc.line(), line, "{e}");
    assert!(loc.file().ends_with("api_shape.rs"), "{e}");
}

/// The number of equations `f` records on a traced `x`.
fn equations(x: &Array, f: impl FnOnce(&Array) -> Array) -> usize {
    make_program(f, x).unwrap().equations.len()
}

#[test]
fn reshape_values_and_inference() {
    let x = iota(&[2, 3]);
    let r = x.reshape(&[3, 2]);
    assert_eq!(r.shape(), &[3, 2]);
    assert_eq!(i32s(&r), vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(x.reshape(&[-1]).shape(), &[6]);
    assert_eq!(x.reshape(&[3, -1]).shape(), &[3, 2]);
    assert_eq!(x.reshape(&[-1, 1, 2]).shape(), &[3, 1, 2]);
    assert_eq!(x.reshape(&[1, 6, 1]).shape(), &[1, 6, 1]);
    assert_eq!(iota(&[1]).reshape(&[]).shape(), &[] as &[usize]);
    assert_eq!(Array::scalar(1.5f32).reshape(&[-1]).shape(), &[1]);
    let empty = iota(&[0, 3]);
    assert_eq!(empty.reshape(&[-1, 3]).shape(), &[0, 3]);
    assert_eq!(empty.reshape(&[3, -1]).shape(), &[3, 0]);
    assert_eq!(empty.reshape(&[5, 0]).shape(), &[5, 0]);
}

#[test]
fn reshape_errors() {
    let x = iota(&[6]);
    let (r, line) = (x.reshape(&[4, -1]), line!());
    expect_err(r, "reshape", "cannot reshape [6] into [4, -1]", line);
    let (r, line) = (x.reshape(&[4]), line!());
    expect_err(r, "reshape", "cannot reshape [6] into [4]", line);
    let (r, line) = (x.reshape(&[-1, -1]), line!());
    expect_err(r, "reshape", "cannot reshape [6] into [-1, -1]", line);
    let (r, line) = (x.reshape(&[-2, -3]), line!());
    expect_err(r, "reshape", "cannot reshape [6] into [-2, -3]", line);
    // -1 next to a zero extent is ambiguous for an empty array.
    let (r, line) = (iota(&[0, 3]).reshape(&[3, 0, -1]), line!());
    expect_err(r, "reshape", "cannot reshape [0, 3] into [3, 0, -1]", line);
}

#[test]
fn transpose_and_t() {
    let x = iota(&[2, 3]);
    assert_eq!(i32s(&x.t()), vec![0, 3, 1, 4, 2, 5]);
    assert_eq!(x.t().shape(), &[3, 2]);
    assert_eq!(i32s(&x.transpose(&[1, 0])), vec![0, 3, 1, 4, 2, 5]);
    assert_eq!(i32s(&x.transpose(&[-1, -2])), vec![0, 3, 1, 4, 2, 5]);
    let y = iota(&[2, 3, 4]);
    let p = y.transpose(&[2, 0, 1]);
    assert_eq!(p.shape(), &[4, 2, 3]);
    // p[k, i, j] == y[i, j, k] == 12 i + 4 j + k.
    let v = i32s(&p);
    for k in 0..4 {
        for i in 0..2 {
            for j in 0..3 {
                assert_eq!(v[k * 6 + i * 3 + j], (12 * i + 4 * j + k) as i32);
            }
        }
    }
    assert_eq!(y.t().shape(), &[4, 3, 2]);
    assert_eq!(i32s(&y.t())[..4], [0, 12, 4, 16]);
    assert_eq!(iota(&[3]).t().shape(), &[3]);
    let (r, line) = (x.transpose(&[0, 0]), line!());
    expect_err(
        r,
        "transpose",
        "[0, 0] is not a permutation of the axes of shape [2, 3]",
        line,
    );
    let (r, line) = (x.transpose(&[0]), line!());
    expect_err(
        r,
        "transpose",
        "[0] is not a permutation of the axes of shape [2, 3]",
        line,
    );
    let (r, line) = (x.transpose(&[0, 2]), line!());
    expect_err(
        r,
        "transpose",
        "[0, 2] is not a permutation of the axes of shape [2, 3]",
        line,
    );
}

#[test]
fn swapaxes_and_moveaxis() {
    let y = iota(&[2, 3, 4]);
    assert_eq!(y.swapaxes(0, 2).shape(), &[4, 3, 2]);
    assert_eq!(i32s(&y.swapaxes(0, -1)), i32s(&y.transpose(&[2, 1, 0])));
    assert_eq!(y.moveaxis(0, -1).shape(), &[3, 4, 2]);
    assert_eq!(i32s(&y.moveaxis(0, -1)), i32s(&y.transpose(&[1, 2, 0])));
    assert_eq!(y.moveaxis(-1, 0).shape(), &[4, 2, 3]);
    assert_eq!(i32s(&y.moveaxis(2, 0)), i32s(&y.transpose(&[2, 0, 1])));
    assert_eq!(y.moveaxis(1, 2).shape(), &[2, 4, 3]);
    let (r, line) = (y.swapaxes(0, 3), line!());
    expect_err(
        r,
        "swapaxes",
        "axis 3 is out of range for shape [2, 3, 4]",
        line,
    );
    let (r, line) = (y.moveaxis(-4, 0), line!());
    expect_err(
        r,
        "moveaxis",
        "axis -4 is out of range for shape [2, 3, 4]",
        line,
    );
}

#[test]
fn expand_dims_squeeze_flatten() {
    let x = iota(&[2, 3]);
    assert_eq!(x.expand_dims(0).shape(), &[1, 2, 3]);
    assert_eq!(x.expand_dims(1).shape(), &[2, 1, 3]);
    assert_eq!(x.expand_dims(2).shape(), &[2, 3, 1]);
    assert_eq!(x.expand_dims(-1).shape(), &[2, 3, 1]);
    assert_eq!(x.expand_dims(-3).shape(), &[1, 2, 3]);
    assert_eq!(i32s(&x.expand_dims(1)), i32s(&x));
    let (r, line) = (x.expand_dims(3), line!());
    expect_err(
        r,
        "expand_dims",
        "axis 3 is out of range for shape [2, 3]",
        line,
    );
    let (r, line) = (x.expand_dims(-4), line!());
    expect_err(
        r,
        "expand_dims",
        "axis -4 is out of range for shape [2, 3]",
        line,
    );

    let y = iota(&[1, 3, 1]);
    assert_eq!(y.squeeze().shape(), &[3]);
    assert_eq!(i32s(&y.squeeze()), vec![0, 1, 2]);
    assert_eq!(y.squeeze_axes(&[0]).shape(), &[3, 1]);
    assert_eq!(y.squeeze_axes(&[-1]).shape(), &[1, 3]);
    assert_eq!(y.squeeze_axes(&[2, 0]).shape(), &[3]);
    assert_eq!(iota(&[1, 1]).squeeze().shape(), &[] as &[usize]);
    let (r, line) = (y.squeeze_axes(&[1]), line!());
    expect_err(
        r,
        "squeeze",
        "axis 1 of shape [1, 3, 1] has extent 3, not 1",
        line,
    );
    let (r, line) = (y.squeeze_axes(&[3]), line!());
    expect_err(
        r,
        "squeeze",
        "axis 3 is out of range for shape [1, 3, 1]",
        line,
    );
    let (r, line) = (y.squeeze_axes(&[0, -3]), line!());
    expect_err(
        r,
        "squeeze",
        "axis 0 appears twice in [0, -3] for shape [1, 3, 1]",
        line,
    );

    assert_eq!(i32s(&x.flatten()), vec![0, 1, 2, 3, 4, 5]);
    assert_eq!(x.flatten().shape(), &[6]);
    assert_eq!(x.ravel().shape(), &[6]);
    assert_eq!(Array::scalar(3i32).flatten().shape(), &[1]);
    assert_eq!(i32s(&x.t().flatten()), vec![0, 3, 1, 4, 2, 5]);
}

#[test]
fn no_op_calls_record_nothing() {
    let x = iota(&[2, 3]);
    assert_eq!(equations(&x, |x| x.reshape(&[2, 3])), 0);
    assert_eq!(equations(&x, |x| x.reshape(&[2, -1])), 0);
    assert_eq!(equations(&x, |x| x.transpose(&[0, 1])), 0);
    assert_eq!(equations(&x, |x| x.swapaxes(1, -1)), 0);
    assert_eq!(equations(&x, |x| x.moveaxis(0, -2)), 0);
    assert_eq!(equations(&x, |x| x.squeeze()), 0);
    assert_eq!(equations(&x, |x| x.squeeze_axes(&[])), 0);
    assert_eq!(equations(&iota(&[4]), |x| x.t()), 0);
    assert_eq!(equations(&iota(&[4]), |x| x.flatten()), 0);
    assert_eq!(equations(&x, |x| x.t()), 1);
    assert_eq!(equations(&x, |x| x.expand_dims(0)), 1);
    assert_eq!(equations(&x, |x| x.t().t()), 2);
}

#[test]
fn errors_propagate_through_shape_ops() {
    let (bad, line) = (iota(&[6]).reshape(&[4]), line!());
    for r in [
        bad.reshape(&[-1]),
        bad.transpose(&[0]),
        bad.t(),
        bad.swapaxes(0, 0),
        bad.moveaxis(0, 0),
        bad.expand_dims(0),
        bad.squeeze(),
        bad.squeeze_axes(&[0]),
        bad.flatten(),
        concatenate(&[&iota(&[2]), &bad], 0),
        stack(&[&bad], 0),
    ] {
        expect_err(r, "reshape", "cannot reshape [6] into [4]", line);
    }
}

#[test]
fn concatenate_values_and_promotion() {
    let a = iota(&[2, 2]);
    let b = Array::from_vec(vec![10i32, 11], &[1, 2]);
    let c = concatenate(&[&a, &b], 0);
    assert_eq!(c.shape(), &[3, 2]);
    assert_eq!(i32s(&c), vec![0, 1, 2, 3, 10, 11]);
    let d = concatenate(&[&a, &b.t()], -1);
    assert_eq!(d.shape(), &[2, 3]);
    assert_eq!(i32s(&d), vec![0, 1, 10, 2, 3, 11]);
    let f = Array::from_vec(vec![0.5f32, 1.5], &[2]);
    let i = Array::from_vec(vec![1i32], &[1]);
    let m = concatenate(&[&i, &f, &i], 0);
    assert_eq!(m.dtype(), DType::F32);
    assert_eq!(m.to_vec::<f32>().unwrap(), vec![1.0, 0.5, 1.5, 1.0]);
    let bo = Array::from_vec(vec![true], &[1]);
    assert_eq!(concatenate(&[&bo, &i], 0).dtype(), DType::I32);
    assert_eq!(i32s(&concatenate(&[&a], 1)), i32s(&a));
    let empty = Array::from_vec(Vec::<i32>::new(), &[0, 2]);
    assert_eq!(i32s(&concatenate(&[&empty, &a, &empty], 0)), i32s(&a));
}

#[test]
fn concatenate_errors() {
    let a = iota(&[2, 2]);
    let b = iota(&[1, 2]);
    let (r, line) = (concatenate(&[], 0), line!());
    expect_err(r, "concatenate", "needs at least one array, got none", line);
    let (r, line) = (concatenate(&[&a, &b], 1), line!());
    expect_err(
        r,
        "concatenate",
        "cannot join shapes [2, 2] and [1, 2] along axis 1",
        line,
    );
    let (r, line) = (concatenate(&[&a, &iota(&[2])], 0), line!());
    expect_err(
        r,
        "concatenate",
        "cannot join arrays of different ranks: shapes [2, 2] and [2]",
        line,
    );
    let (r, line) = (concatenate(&[&a, &b, &a], 2), line!());
    expect_err(
        r,
        "concatenate",
        "axis 2 is out of range for shape [2, 2]",
        line,
    );
    let s = Array::scalar(1i32);
    let (r, line) = (concatenate(&[&s, &s], 0), line!());
    expect_err(
        r,
        "concatenate",
        "cannot join 0-d arrays (shapes [] and []); use stack",
        line,
    );
}

#[test]
fn stack_values_and_errors() {
    let a = iota(&[2, 3]);
    let b = Array::from_vec(vec![10i32, 11, 12, 13, 14, 15], &[2, 3]);
    let s0 = stack(&[&a, &b], 0);
    assert_eq!(s0.shape(), &[2, 2, 3]);
    assert_eq!(i32s(&s0), vec![0, 1, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15]);
    let s1 = stack(&[&a, &b], 1);
    assert_eq!(s1.shape(), &[2, 2, 3]);
    assert_eq!(i32s(&s1), vec![0, 1, 2, 10, 11, 12, 3, 4, 5, 13, 14, 15]);
    let s2 = stack(&[&a, &b], -1);
    assert_eq!(s2.shape(), &[2, 3, 2]);
    assert_eq!(i32s(&s2), vec![0, 10, 1, 11, 2, 12, 3, 13, 4, 14, 5, 15]);
    let one = stack(&[&a], 0);
    assert_eq!(one.shape(), &[1, 2, 3]);
    let scalars = stack(&[&Array::scalar(1.0f64), &Array::scalar(2i32)], 0);
    assert_eq!(scalars.dtype(), DType::F64);
    assert_eq!(scalars.to_vec::<f64>().unwrap(), vec![1.0, 2.0]);

    let (r, line) = (stack(&[], 0), line!());
    expect_err(r, "stack", "needs at least one array, got none", line);
    let (r, line) = (stack(&[&a, &iota(&[3, 2])], 0), line!());
    expect_err(
        r,
        "stack",
        "needs arrays of one shape, got shapes [2, 3] and [3, 2]",
        line,
    );
    let (r, line) = (stack(&[&a, &b], 3), line!());
    expect_err(r, "stack", "axis 3 is out of range for shape [2, 3]", line);
    let (r, line) = (stack(&[&a, &b], -4), line!());
    expect_err(r, "stack", "axis -4 is out of range for shape [2, 3]", line);
}

#[test]
fn joins_trace_into_one_concatenate() {
    let x = iota(&[2, 3]);
    let c = iota(&[1, 3]);
    let p = make_program(|x: &Array| concatenate(&[x, &c, x], 0), &x).unwrap();
    assert_eq!(p.count_primitive("concatenate"), 1, "{p}");
    assert_eq!(p.output_types()[0].to_string(), "i32[5,3]");
    let p = make_program(|x: &Array| stack(&[x, x], 1), &x).unwrap();
    assert_eq!(p.count_primitive("concatenate"), 1, "{p}");
    assert_eq!(p.output_types()[0].to_string(), "i32[2,2,3]");
}
