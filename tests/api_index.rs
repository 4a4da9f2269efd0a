//! Indexing with `s![...]` / `Idx` (Python semantics) and `take`.

use autobatch::array::{Idx, take};
use autobatch::{Array, DType, make_program, s};

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
    assert!(loc.file().ends_with("api_index.rs"), "{e}");
}

/// Python's `list(range(n))[start:stop:step]`, the reference for 1-d slicing.
fn py_slice(n: i64, start: Option<i64>, stop: Option<i64>, step: i64) -> Vec<i32> {
    let (lo, hi) = if step > 0 { (0, n) } else { (-1, n - 1) };
    let fix = |v: i64| if v < 0 { (v + n).max(lo) } else { v.min(hi) };
    let first = start.map_or(if step > 0 { 0 } else { n - 1 }, fix);
    let end = stop.map_or(if step > 0 { n } else { -1 }, fix);
    let mut out = Vec::new();
    let mut i = first;
    while (step > 0 && i < end) || (step < 0 && i > end) {
        out.push(i as i32);
        i += step;
    }
    out
}

#[test]
// Empty Rust ranges like `4..2` are legal indices, as `x[4:2]` is in Python.
#[allow(clippy::reversed_empty_ranges)]
fn idx_conversions() {
    assert_eq!(Idx::from(2), Idx::At(2));
    assert_eq!(Idx::from(-1isize), Idx::At(-1));
    assert_eq!(Idx::from(3usize), Idx::At(3));
    assert_eq!(Idx::from(4i64), Idx::At(4));
    assert_eq!(Idx::from(..), Idx::All);
    assert_eq!(Idx::from(1..3), Idx::step(Some(1), Some(3), 1));
    assert_eq!(Idx::from(1usize..), Idx::step(Some(1), None, 1));
    assert_eq!(Idx::from(..-1), Idx::step(None, Some(-1), 1));
    assert_eq!(Idx::from(1..=2), Idx::step(Some(1), Some(3), 1));
    assert_eq!(Idx::from(1..=-1), Idx::step(Some(1), None, 1));
    assert_eq!(Idx::from(..=-2i64), Idx::step(None, Some(-1), 1));
    let list: &[Idx] = s![.., 1, 2..5, Idx::NewAxis];
    assert_eq!(
        list,
        &[
            Idx::All,
            Idx::At(1),
            Idx::step(Some(2), Some(5), 1),
            Idx::NewAxis
        ]
    );
}

#[test]
fn integers_remove_axes() {
    let x = iota(&[3, 4]);
    assert_eq!(i32s(&x.index(s![1])), vec![4, 5, 6, 7]);
    assert_eq!(x.index(s![1]).shape(), &[4]);
    assert_eq!(i32s(&x.index(s![-1])), vec![8, 9, 10, 11]);
    assert_eq!(i32s(&x.index(s![.., 2])), vec![2, 6, 10]);
    assert_eq!(i32s(&x.index(s![.., -4])), vec![0, 4, 8]);
    let e = x.index(s![2, 3]);
    assert_eq!(e.shape(), &[] as &[usize]);
    assert_eq!(e.item::<i32>().unwrap(), 11);
    assert_eq!(i32s(&x.index(s![-3, -4])), vec![0]);
    // Missing trailing indices mean `..`; no indices return the array itself.
    assert_eq!(x.index(s![]).shape(), &[3, 4]);
    assert_eq!(i32s(&x.index(s![])), i32s(&x));
}

#[test]
// Empty Rust ranges like `4..2` are legal indices, as `x[4:2]` is in Python.
#[allow(clippy::reversed_empty_ranges)]
fn ranges_clamp_like_python() {
    let x = iota(&[6]);
    assert_eq!(i32s(&x.index(s![1..4])), vec![1, 2, 3]);
    assert_eq!(i32s(&x.index(s![4..])), vec![4, 5]);
    assert_eq!(i32s(&x.index(s![..2])), vec![0, 1]);
    assert_eq!(i32s(&x.index(s![-2..])), vec![4, 5]);
    assert_eq!(i32s(&x.index(s![..-1])), vec![0, 1, 2, 3, 4]);
    assert_eq!(i32s(&x.index(s![2..=3])), vec![2, 3]);
    assert_eq!(i32s(&x.index(s![..=-2])), vec![0, 1, 2, 3, 4]);
    assert_eq!(i32s(&x.index(s![3..100])), vec![3, 4, 5]);
    assert_eq!(i32s(&x.index(s![-100..2])), vec![0, 1]);
    assert_eq!(x.index(s![4..2]).shape(), &[0]);
    assert_eq!(x.index(s![10..]).shape(), &[0]);
    let m = iota(&[3, 4]);
    let sub = m.index(s![1.., 1..3]);
    assert_eq!(sub.shape(), &[2, 2]);
    assert_eq!(i32s(&sub), vec![5, 6, 9, 10]);
}

#[test]
fn steps_positive_and_negative_match_python() {
    let n = 7i64;
    let x = iota(&[n as usize]);
    let bounds = [
        None,
        Some(-9),
        Some(-3),
        Some(-1),
        Some(0),
        Some(2),
        Some(6),
        Some(9),
    ];
    for step in [-3i64, -2, -1, 1, 2, 3] {
        for start in bounds {
            for stop in bounds {
                let idx = Idx::step(
                    start.map(|v| v as isize),
                    stop.map(|v| v as isize),
                    step as isize,
                );
                let got = x.index(&[idx]);
                let want = py_slice(n, start, stop, step);
                assert_eq!(got.shape(), &[want.len()], "{start:?}:{stop:?}:{step}");
                assert_eq!(i32s(&got), want, "{start:?}:{stop:?}:{step}");
            }
        }
    }
}

#[test]
fn negative_steps_on_several_axes() {
    let x = iota(&[3, 4]);
    let r = x.index(s![Idx::step(None, None, -1), Idx::step(None, None, -2)]);
    assert_eq!(r.shape(), &[3, 2]);
    assert_eq!(i32s(&r), vec![11, 9, 7, 5, 3, 1]);
    let r = x.index(s![Idx::step(Some(2), Some(0), -1), 1]);
    assert_eq!(i32s(&r), vec![9, 5]);
    let r = x.index(s![1, Idx::step(Some(-1), None, -3)]);
    assert_eq!(i32s(&r), vec![7, 4]);
}

#[test]
fn new_axes() {
    let x = iota(&[3, 4]);
    assert_eq!(x.index(s![Idx::NewAxis]).shape(), &[1, 3, 4]);
    assert_eq!(x.index(s![.., Idx::NewAxis]).shape(), &[3, 1, 4]);
    assert_eq!(x.index(s![.., .., Idx::NewAxis]).shape(), &[3, 4, 1]);
    let r = x.index(s![Idx::NewAxis, 1, Idx::NewAxis, 1..3]);
    assert_eq!(r.shape(), &[1, 1, 2]);
    assert_eq!(i32s(&r), vec![5, 6]);
    let s = Array::scalar(2.5f32).index(s![Idx::NewAxis, Idx::NewAxis]);
    assert_eq!(s.shape(), &[1, 1]);
    assert_eq!(s.to_vec::<f32>().unwrap(), vec![2.5]);
}

#[test]
fn index_errors() {
    let x = iota(&[3, 4]);
    let (r, line) = (x.index(s![3]), line!());
    expect_err(
        r,
        "index",
        "index 3 is out of range for axis 0 with extent 3",
        line,
    );
    let (r, line) = (x.index(s![.., -5]), line!());
    expect_err(
        r,
        "index",
        "index -5 is out of range for axis 1 with extent 4",
        line,
    );
    let (r, line) = (x.index(s![0, 0, 0]), line!());
    expect_err(
        r,
        "index",
        "too many indices for shape [3, 4]: 3 given",
        line,
    );
    let (r, line) = (x.index(&[Idx::All, Idx::step(None, None, 0)]), line!());
    expect_err(
        r,
        "index",
        "the slice step for axis 1 must not be zero",
        line,
    );
    let (r, line) = (Array::scalar(1i32).index(s![0]), line!());
    expect_err(r, "index", "too many indices for shape []: 1 given", line);
    let (bad, line) = (x.index(s![7]), line!());
    expect_err(
        bad.index(s![0]),
        "index",
        "index 7 is out of range for axis 0 with extent 3",
        line,
    );
    expect_err(
        bad.take(&iota(&[1]), 0),
        "index",
        "index 7 is out of range for axis 0 with extent 3",
        line,
    );
    expect_err(
        x.take(&bad, 0),
        "index",
        "index 7 is out of range for axis 0 with extent 3",
        line,
    );
}

#[test]
fn indexing_traces_to_slice_take_and_reshape() {
    let x = iota(&[3, 4]);
    let p = make_program(|x: &Array| x.index(s![1.., ..]), &x).unwrap();
    assert_eq!(p.equations.len(), 1, "{p}");
    assert_eq!(p.count_primitive("slice"), 1);
    let p = make_program(|x: &Array| x.index(s![1, Idx::step(None, None, 2)]), &x).unwrap();
    assert_eq!(p.count_primitive("slice"), 1, "{p}");
    assert_eq!(p.count_primitive("reshape"), 1, "{p}");
    assert_eq!(p.equations.len(), 2, "{p}");
    let p = make_program(|x: &Array| x.index(s![Idx::step(None, None, -1)]), &x).unwrap();
    assert_eq!(p.count_primitive("take"), 1, "{p}");
    assert_eq!(p.equations.len(), 1, "{p}");
    let p = make_program(|x: &Array| x.index(s![..]), &x).unwrap();
    assert_eq!(p.equations.len(), 0, "{p}");
}

#[test]
fn take_values_and_negative_indices() {
    let x = Array::from_vec(vec![10i32, 20, 30, 40, 50, 60], &[2, 3]);
    let i = Array::from_vec(vec![-1i32, 0, 2], &[3]);
    let r = x.take(&i, 1);
    assert_eq!(r.shape(), &[2, 3]);
    assert_eq!(i32s(&r), vec![30, 10, 30, 60, 40, 60]);
    let r = x.take(&Array::from_vec(vec![1i32, -2], &[2]), 0);
    assert_eq!(i32s(&r), vec![40, 50, 60, 10, 20, 30]);
    let r = x.take(&Array::from_vec(vec![-1i32], &[1]), -2);
    assert_eq!(i32s(&r), vec![40, 50, 60]);
    // Index arrays of any shape; the result takes their shape in place of the axis.
    let grid = Array::from_vec(vec![0i32, 1, 2, 2], &[2, 2]);
    let r = x.take(&grid, 1);
    assert_eq!(r.shape(), &[2, 2, 2]);
    assert_eq!(i32s(&r), vec![10, 20, 30, 30, 40, 50, 60, 60]);
    let r = x.take(&Array::scalar(-1i32), 1);
    assert_eq!(r.shape(), &[2]);
    assert_eq!(i32s(&r), vec![30, 60]);
    // u32 indices work; the free function agrees.
    let u = Array::from_vec(vec![2u32, 0], &[2]);
    assert_eq!(i32s(&take(&x, &u, 1)), vec![30, 10, 60, 40]);
    let f = Array::from_vec(vec![0.5f64, 1.5], &[2]);
    let r = f.take(&Array::from_vec(vec![1i32, 1, 0], &[3]), 0);
    assert_eq!(r.dtype(), DType::F64);
    assert_eq!(r.to_vec::<f64>().unwrap(), vec![1.5, 1.5, 0.5]);
}

#[test]
fn take_errors() {
    let x = iota(&[2, 3]);
    let (r, line) = (x.take(&Array::from_vec(vec![0i32, 3], &[2]), 1), line!());
    expect_err(
        r,
        "take",
        "index 3 is out of range for axis 1 with extent 3",
        line,
    );
    let (r, line) = (x.take(&Array::from_vec(vec![-3i32], &[1]), 0), line!());
    expect_err(
        r,
        "take",
        "index -3 is out of range for axis 0 with extent 2",
        line,
    );
    let (r, line) = (x.take(&Array::from_vec(vec![0.0f32], &[1]), 0), line!());
    expect_err(r, "take", "indices must be integers, got f32", line);
    let (r, line) = (x.take(&Array::from_vec(vec![true], &[1]), 0), line!());
    expect_err(r, "take", "indices must be integers, got bool", line);
    let (r, line) = (x.take(&iota(&[1]), 2), line!());
    expect_err(r, "take", "axis 2 is out of range for shape [2, 3]", line);
    let (r, line) = (take(&iota(&[0, 3]), &iota(&[1]), 0), line!());
    expect_err(
        r,
        "take",
        "cannot take entries from the empty axis 0 of shape [0, 3]",
        line,
    );
    // Taking nothing from an empty axis is fine.
    assert_eq!(iota(&[0, 3]).take(&iota(&[0]), 0).shape(), &[0, 3]);
}

#[test]
fn take_with_traced_indices_wraps_negatives() {
    let x = Array::from_vec(vec![10i32, 20, 30], &[3]);
    let idx = Array::from_vec(vec![-1i32, 0, -3], &[3]);
    let p = make_program(|i: &Array| x.take(i, 0), &idx).unwrap();
    assert_eq!(p.count_primitive("take"), 1, "{p}");
    assert_eq!(p.count_primitive("select"), 1, "{p}");
    let out = p.call(&[idx]).unwrap();
    assert_eq!(i32s(&out[0]), vec![30, 10, 10]);
    // Out-of-range traced indices clamp, as the Take primitive does.
    let far = Array::from_vec(vec![5i32, -7], &[2]);
    let p = make_program(|i: &Array| x.take(i, 0), &far).unwrap();
    assert_eq!(i32s(&p.call(&[far]).unwrap()[0]), vec![30, 10]);
    // Concrete indices in a traced take stay constants: no wrapping ops.
    let p = make_program(
        |x: &Array| x.take(&Array::from_vec(vec![-1i32], &[1]), 0),
        &x,
    )
    .unwrap();
    assert_eq!(p.equations.len(), 1, "{p}");
}

#[test]
fn vmapped_indexing_matches_row_by_row() {
    let x = iota(&[3, 5]);
    let f = |row: &Array| row.index(s![Idx::step(Some(-1), Some(0), -2)]);
    let batched = autobatch::vmap(f)(&x).unwrap();
    assert_eq!(batched.shape(), &[3, 2]);
    assert_eq!(i32s(&batched), vec![4, 2, 9, 7, 14, 12]);
    let idx = Array::from_vec(vec![-1i32, 0, 2, -2, 4, -5], &[3, 2]);
    let batched = autobatch::vmap(|i: &Array| x.index(s![0]).take(i, 0))(&idx).unwrap();
    assert_eq!(i32s(&batched), vec![4, 0, 2, 3, 4, 0]);
}
