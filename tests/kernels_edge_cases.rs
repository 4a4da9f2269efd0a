//! CPU kernels at XLA's edge cases: integer division and shifts, NaN propagation,
//! padding with negative and interior amounts, and Threefry known answers.

mod common;
use autobatch::ir::{ArgOp, BinaryOp, ReduceOp, UnaryOp};
use autobatch::{Array, DType, lax};

fn i32s(v: &[i32]) -> Array {
    Array::from_slice(v, &[v.len()])
}
fn u32s(v: &[u32]) -> Array {
    Array::from_slice(v, &[v.len()])
}

#[test]
fn integer_arithmetic_wraps_and_never_panics() {
    let a = i32s(&[7, -7, i32::MIN, i32::MAX, 5]);
    let b = i32s(&[0, 2, -1, 1, -2]);
    assert_eq!(
        lax::binary(BinaryOp::Div, &a, &b).to_vec::<i32>().unwrap(),
        vec![-1, -3, i32::MIN, i32::MAX, -2]
    );
    assert_eq!(
        lax::binary(BinaryOp::Rem, &a, &b).to_vec::<i32>().unwrap(),
        vec![7, -1, 0, 0, 1]
    );
    assert_eq!(
        lax::binary(BinaryOp::Add, &a, &i32s(&[0, 0, -1, 1, 0]))
            .to_vec::<i32>()
            .unwrap()[2..4],
        [i32::MAX, i32::MIN]
    );
    assert_eq!(
        lax::unary(UnaryOp::Neg, &i32s(&[i32::MIN]))
            .to_vec::<i32>()
            .unwrap(),
        vec![i32::MIN]
    );
    assert_eq!(
        lax::unary(UnaryOp::Abs, &i32s(&[i32::MIN]))
            .to_vec::<i32>()
            .unwrap(),
        vec![i32::MIN]
    );
    let u = u32s(&[7, 0]);
    assert_eq!(
        lax::binary(BinaryOp::Div, &u, &u32s(&[0, 0]))
            .to_vec::<u32>()
            .unwrap(),
        vec![u32::MAX, u32::MAX]
    );
    assert_eq!(
        lax::binary(BinaryOp::Sub, &u32s(&[0]), &u32s(&[1]))
            .to_vec::<u32>()
            .unwrap(),
        vec![u32::MAX]
    );
    let s = u32s(&[1, 1, 1, 0x8000_0000]);
    let by = u32s(&[0, 31, 32, 31]);
    assert_eq!(
        lax::binary(BinaryOp::ShiftLeft, &s, &by)
            .to_vec::<u32>()
            .unwrap(),
        vec![1, 0x8000_0000, 0, 0]
    );
    assert_eq!(
        lax::binary(BinaryOp::ShiftRightLogical, &s, &by)
            .to_vec::<u32>()
            .unwrap(),
        vec![1, 0, 0, 1]
    );
    let neg_shift = lax::binary(BinaryOp::ShiftLeft, &i32s(&[1]), &i32s(&[-1]));
    assert_eq!(neg_shift.to_vec::<i32>().unwrap(), vec![0]);
}

#[test]
fn nan_propagates_through_max_min_and_their_reductions() {
    let x = Array::from_vec(vec![1.0f32, f32::NAN, 3.0], &[3]);
    let y = Array::from_vec(vec![2.0f32, 0.0, f32::NAN], &[3]);
    let m = lax::binary(BinaryOp::Max, &x, &y).to_vec::<f32>().unwrap();
    assert_eq!(m[0], 2.0);
    assert!(m[1].is_nan() && m[2].is_nan());
    assert!(
        lax::reduce(ReduceOp::Max, &x, &[0])
            .item::<f32>()
            .unwrap()
            .is_nan()
    );
    assert!(
        lax::reduce(ReduceOp::Min, &x, &[0])
            .item::<f32>()
            .unwrap()
            .is_nan()
    );
    assert_eq!(
        lax::arg_reduce(ArgOp::Argmax, &x, 0).item::<i32>().unwrap(),
        1
    );
    assert_eq!(
        lax::arg_reduce(ArgOp::Argmin, &x, 0).item::<i32>().unwrap(),
        1
    );
    let ties = Array::from_vec(vec![3.0f32, 1.0, 3.0], &[3]);
    assert_eq!(
        lax::arg_reduce(ArgOp::Argmax, &ties, 0)
            .item::<i32>()
            .unwrap(),
        0
    );
    // Empty reductions give the identity.
    let empty = Array::zeros(&[0]);
    assert_eq!(
        lax::reduce(ReduceOp::Sum, &empty, &[0])
            .item::<f32>()
            .unwrap(),
        0.0
    );
    assert_eq!(
        lax::reduce(ReduceOp::Prod, &empty, &[0])
            .item::<f32>()
            .unwrap(),
        1.0
    );
    assert_eq!(
        lax::reduce(ReduceOp::Max, &empty, &[0])
            .item::<f32>()
            .unwrap(),
        f32::NEG_INFINITY
    );
}

#[test]
fn pad_crops_and_interleaves() {
    let x = i32s(&[1, 2, 3]);
    let zero = Array::scalar(0i32);
    assert_eq!(
        lax::pad(&x, &zero, &[1], &[2], &[1])
            .to_vec::<i32>()
            .unwrap(),
        vec![0, 1, 0, 2, 0, 3, 0, 0]
    );
    assert_eq!(
        lax::pad(&x, &zero, &[-1], &[0], &[0])
            .to_vec::<i32>()
            .unwrap(),
        vec![2, 3]
    );
    // [1, 0, 2, 0, 3] without its first two and last elements.
    assert_eq!(
        lax::pad(&x, &zero, &[-2], &[-1], &[1])
            .to_vec::<i32>()
            .unwrap(),
        vec![2, 0]
    );
    let m = Array::from_vec(vec![1.0f32, 2.0, 3.0, 4.0], &[2, 2]);
    let p = lax::pad(&m, &Array::scalar(9.0f32), &[0, 1], &[1, 0], &[0, 0]);
    assert_eq!(p.shape(), &[3, 3]);
    assert_eq!(
        p.to_vec::<f32>().unwrap(),
        vec![9.0, 1.0, 2.0, 9.0, 3.0, 4.0, 9.0, 9.0, 9.0]
    );
    assert!(lax::pad(&x, &zero, &[-4], &[0], &[0]).check().is_err());
}

#[test]
fn conversions_and_bitcasts() {
    let f = Array::from_vec(vec![1.9f32, -1.9, f32::NAN, 1e10, -1e10], &[5]);
    assert_eq!(
        lax::convert(&f, DType::I32).to_vec::<i32>().unwrap(),
        vec![1, -1, 0, i32::MAX, i32::MIN]
    );
    assert_eq!(
        lax::convert(&f, DType::U32).to_vec::<u32>().unwrap(),
        vec![1, 0, 0, u32::MAX, 0]
    );
    assert_eq!(
        lax::bitcast(&Array::scalar(-0.0f32), DType::U32)
            .item::<u32>()
            .unwrap(),
        0x8000_0000
    );
    assert_eq!(
        lax::bitcast(&Array::scalar(0x3f80_0000u32), DType::F32)
            .item::<f32>()
            .unwrap(),
        1.0
    );
    assert!(
        lax::bitcast(&Array::scalar(1.0f64), DType::F32)
            .check()
            .is_err()
    );
}

#[test]
fn threefry_known_answers() {
    let data = common::load("threefry.json");
    for case in data["block_cases"].as_array().unwrap() {
        let k: Vec<u32> = common::ints(&case["key"])
            .iter()
            .map(|&v| v as u32)
            .collect();
        let x: Vec<u32> = common::ints(&case["x"]).iter().map(|&v| v as u32).collect();
        let want: Vec<u32> = common::ints(&case["out"])
            .iter()
            .map(|&v| v as u32)
            .collect();
        let s = |v: u32| Array::scalar(v);
        let (y0, y1) = lax::threefry2x32(&s(k[0]), &s(k[1]), &s(x[0]), &s(x[1]));
        assert_eq!(
            vec![y0.item::<u32>().unwrap(), y1.item::<u32>().unwrap()],
            want,
            "{}",
            case["name"]
        );
    }
}
