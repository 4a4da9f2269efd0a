//! `dot` and `matmul`: every shape case against naive loops, dtypes, errors, and the
//! primitives they emit.

use autobatch::array::{dot, matmul};
use autobatch::{Array, DType, make_program};

/// Deterministic small integers (exact in f32), as f64, for an array of `shape`.
fn data(shape: &[usize], seed: usize) -> Vec<f64> {
    let n: usize = shape.iter().product();
    (0..n)
        .map(|i| ((i * 7 + seed * 5) % 11) as f64 - 5.0)
        .collect()
}

fn f32_array(shape: &[usize], seed: usize) -> Array {
    let v: Vec<f32> = data(shape, seed).iter().map(|&x| x as f32).collect();
    Array::from_vec(v, shape)
}

fn f64_array(shape: &[usize], seed: usize) -> Array {
    Array::from_vec(data(shape, seed), shape)
}

/// Row-major strides.
fn strides(shape: &[usize]) -> Vec<usize> {
    let mut s = vec![1; shape.len()];
    for i in (0..shape.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * shape[i + 1];
    }
    s
}

fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for i in (0..shape.len()).rev() {
        idx[i] = flat % shape[i];
        flat /= shape[i];
    }
    idx
}

fn at(v: &[f64], shape: &[usize], idx: &[usize]) -> f64 {
    let s = strides(shape);
    v[idx.iter().zip(&s).map(|(i, s)| i * s).sum::<usize>()]
}

/// NumPy's `dot` for operands of rank >= 1, by loops.
fn naive_dot(a: &[f64], sa: &[usize], b: &[f64], sb: &[usize]) -> (Vec<f64>, Vec<usize>) {
    let (ra, rb) = (sa.len(), sb.len());
    let k = sa[ra - 1];
    let mut shape: Vec<usize> = sa[..ra - 1].to_vec();
    if rb >= 2 {
        shape.extend_from_slice(&sb[..rb - 2]);
        shape.push(sb[rb - 1]);
    }
    let n: usize = shape.iter().product();
    let mut out = Vec::with_capacity(n);
    for flat in 0..n {
        let idx = unravel(flat, &shape);
        let (ia, ib) = idx.split_at(ra - 1);
        let mut acc = 0.0;
        for kk in 0..k {
            let mut ja = ia.to_vec();
            ja.push(kk);
            let jb: Vec<usize> = if rb >= 2 {
                let mut j = ib[..rb - 2].to_vec();
                j.push(kk);
                j.push(ib[rb - 2]);
                j
            } else {
                vec![kk]
            };
            acc += at(a, sa, &ja) * at(b, sb, &jb);
        }
        out.push(acc);
    }
    (out, shape)
}

/// NumPy's `matmul` by loops: 1-d operands promoted, batch axes broadcast.
fn naive_matmul(a: &[f64], sa: &[usize], b: &[f64], sb: &[usize]) -> (Vec<f64>, Vec<usize>) {
    let sa2: Vec<usize> = if sa.len() == 1 {
        vec![1, sa[0]]
    } else {
        sa.to_vec()
    };
    let sb2: Vec<usize> = if sb.len() == 1 {
        vec![sb[0], 1]
    } else {
        sb.to_vec()
    };
    let (ra, rb) = (sa2.len(), sb2.len());
    let (n, k, m) = (sa2[ra - 2], sa2[ra - 1], sb2[rb - 1]);
    let nb = (ra - 2).max(rb - 2);
    let pad = |s: &[usize]| {
        let mut p = vec![1; nb - (s.len() - 2)];
        p.extend_from_slice(&s[..s.len() - 2]);
        p
    };
    let (ba, bb) = (pad(&sa2), pad(&sb2));
    let batch: Vec<usize> = ba.iter().zip(&bb).map(|(&x, &y)| x.max(y)).collect();
    let mut shape = batch.clone();
    shape.push(n);
    shape.push(m);
    let total: usize = shape.iter().product();
    let mut out = Vec::with_capacity(total);
    for flat in 0..total {
        let idx = unravel(flat, &shape);
        let (bi, rest) = idx.split_at(nb);
        let pick = |bs: &[usize], s: &[usize]| -> Vec<usize> {
            let full: Vec<usize> = bi
                .iter()
                .zip(bs)
                .map(|(&i, &d)| if d == 1 { 0 } else { i })
                .collect();
            full[nb - (s.len() - 2)..].to_vec()
        };
        let mut acc = 0.0;
        for kk in 0..k {
            let mut ja = pick(&ba, &sa2);
            ja.extend([rest[0], kk]);
            let mut jb = pick(&bb, &sb2);
            jb.extend([kk, rest[1]]);
            acc += at(a, &sa2, &ja) * at(b, &sb2, &jb);
        }
        out.push(acc);
    }
    // Drop the axes added for 1-d operands.
    if sb.len() == 1 {
        shape.pop();
    }
    if sa.len() == 1 {
        let r = shape.len();
        shape.remove(if sb.len() == 1 { r - 1 } else { r - 2 });
    }
    (out, shape)
}

fn check_dot(sa: &[usize], sb: &[usize]) {
    let (a, b) = (f32_array(sa, 1), f32_array(sb, 2));
    let got = a.dot(&b);
    let (want, shape) = naive_dot(&data(sa, 1), sa, &data(sb, 2), sb);
    assert_eq!(got.shape(), shape.as_slice(), "dot {sa:?} {sb:?}");
    assert_eq!(got.dtype(), DType::F32);
    let got: Vec<f64> = got.to_vec::<f64>().unwrap();
    assert_eq!(got, want, "dot {sa:?} {sb:?}");
    // The free function agrees.
    assert_eq!(dot(&a, &b).to_vec::<f64>().unwrap(), want);
}

fn check_matmul(sa: &[usize], sb: &[usize], want_shape: &[usize]) {
    let (a, b) = (f64_array(sa, 3), f64_array(sb, 4));
    let got = a.matmul(&b);
    let (want, shape) = naive_matmul(&data(sa, 3), sa, &data(sb, 4), sb);
    assert_eq!(shape, want_shape, "naive matmul {sa:?} {sb:?}");
    assert_eq!(got.shape(), want_shape, "matmul {sa:?} {sb:?}");
    assert_eq!(got.dtype(), DType::F64);
    assert_eq!(got.to_vec::<f64>().unwrap(), want, "matmul {sa:?} {sb:?}");
    assert_eq!(matmul(&a, &b).to_vec::<f64>().unwrap(), want);
}

#[test]
fn dot_zero_d_scales() {
    let s = Array::scalar(2.0f32);
    let x = f32_array(&[2, 3], 0);
    let want: Vec<f32> = data(&[2, 3], 0).iter().map(|&v| 2.0 * v as f32).collect();
    assert_eq!(s.dot(&x).shape(), &[2, 3]);
    assert_eq!(s.dot(&x).to_vec::<f32>().unwrap(), want);
    assert_eq!(x.dot(&s).to_vec::<f32>().unwrap(), want);
    assert_eq!(s.dot(&s).to_vec::<f32>().unwrap(), vec![4.0]);
}

#[test]
fn dot_every_rank_combination() {
    check_dot(&[4], &[4]);
    check_dot(&[2, 3], &[3]);
    check_dot(&[3], &[3, 5]);
    check_dot(&[2, 3], &[3, 4]);
    check_dot(&[2, 4, 3], &[3]);
    check_dot(&[2, 4, 3], &[3, 5]);
    check_dot(&[2, 3], &[4, 3, 5]);
    check_dot(&[2, 2, 3], &[2, 3, 2]);
    check_dot(&[3], &[2, 3, 4]);
    check_dot(&[0, 3], &[3, 2]);
    check_dot(&[2, 0], &[0, 3]);
}

#[test]
fn dot_known_values() {
    let x = Array::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], &[2, 3]);
    let v = Array::from_vec(vec![1.0f32, 0.0, -1.0], &[3]);
    assert_eq!(x.dot(&v).to_vec::<f32>().unwrap(), vec![-2.0, -2.0]);
    assert_eq!(v.dot(&v).shape(), &[] as &[usize]);
    assert_eq!(v.dot(&v).item::<f32>().unwrap(), 2.0);
    let xt = Array::from_vec(vec![1.0f32, 4.0, 2.0, 5.0, 3.0, 6.0], &[3, 2]);
    assert_eq!(
        x.dot(&xt).to_vec::<f32>().unwrap(),
        vec![14.0, 32.0, 32.0, 77.0]
    );
}

#[test]
fn matmul_every_shape_case() {
    check_matmul(&[4], &[4], &[]);
    check_matmul(&[2, 3], &[3], &[2]);
    check_matmul(&[3], &[3, 5], &[5]);
    check_matmul(&[2, 3], &[3, 4], &[2, 4]);
    check_matmul(&[5, 2, 3], &[3, 4], &[5, 2, 4]);
    check_matmul(&[2, 3], &[5, 3, 4], &[5, 2, 4]);
    check_matmul(&[5, 2, 3], &[5, 3, 4], &[5, 2, 4]);
    check_matmul(&[1, 2, 3], &[5, 3, 4], &[5, 2, 4]);
    check_matmul(&[2, 1, 2, 3], &[4, 3, 2], &[2, 4, 2, 2]);
    check_matmul(&[3], &[2, 3, 4], &[2, 4]);
    check_matmul(&[2, 4, 3], &[3], &[2, 4]);
    check_matmul(&[2, 3, 0], &[0, 2], &[2, 3, 2]);
}

#[test]
fn dtypes_promote() {
    let i = Array::from_vec(vec![1i32, 2, 3], &[3]);
    let f = Array::from_vec(vec![0.5f32, 0.25, 1.0], &[3]);
    let d = Array::from_vec(vec![1.0f64, 1.0, 1.0], &[3]);
    let u = Array::from_vec(vec![1u32, 1, 1], &[3]);
    assert_eq!(i.dot(&f).dtype(), DType::F32);
    assert_eq!(i.dot(&f).item::<f32>().unwrap(), 4.0);
    assert_eq!(f.dot(&d).dtype(), DType::F64);
    assert_eq!(f.dot(&d).item::<f64>().unwrap(), 1.75);
    assert_eq!(i.dot(&i).dtype(), DType::I32);
    assert_eq!(i.dot(&i).item::<i32>().unwrap(), 14);
    assert_eq!(i.dot(&u).dtype(), DType::I32);
    assert_eq!(u.matmul(&u).dtype(), DType::U32);
    assert_eq!(u.matmul(&u).item::<u32>().unwrap(), 3);
}

/// Asserts the error's op and message and that it points at `line` of this file.
#[track_caller]
fn expect_err(a: Array, op: &str, message: &str, line: u32) {
    let e = a.check().unwrap_err();
    assert_eq!(e.op(), op);
    assert_eq!(e.message(), message);
    let loc = e.location().expect("errors carry the caller's location");
    assert_eq!(loc.line(), line, "{e}");
    assert!(loc.file().ends_with("api_linalg.rs"), "{e}");
}

#[test]
fn errors() {
    let v3 = f32_array(&[3], 0);
    let m45 = f32_array(&[4, 5], 0);
    let (r, line) = (v3.dot(&m45), line!());
    expect_err(r, "dot", "cannot contract shapes [3] and [4, 5]", line);
    let (r, line) = (dot(&f32_array(&[2, 3], 0), &f32_array(&[2, 3], 0)), line!());
    expect_err(r, "dot", "cannot contract shapes [2, 3] and [2, 3]", line);
    let (r, line) = (v3.matmul(&m45), line!());
    expect_err(r, "matmul", "cannot contract shapes [3] and [4, 5]", line);
    let (r, line) = (Array::scalar(1.0f32).matmul(&v3), line!());
    expect_err(
        r,
        "matmul",
        "needs operands with at least one axis, got shapes [] and [3]",
        line,
    );
    let (a, b) = (f32_array(&[2, 2, 3], 0), f32_array(&[3, 3, 4], 0));
    let (r, line) = (a.matmul(&b), line!());
    expect_err(
        r,
        "matmul",
        "cannot broadcast the batch shapes [2] and [3] (of shapes [2, 2, 3] and [3, 3, 4])",
        line,
    );
    let b = Array::from_vec(vec![true, false, true], &[3]);
    let (r, line) = (b.dot(&v3), line!());
    expect_err(
        r,
        "dot",
        "does not accept bool operands, got bool[3] and f32[3]",
        line,
    );
    let (r, line) = (v3.matmul(&b), line!());
    expect_err(
        r,
        "matmul",
        "does not accept bool operands, got f32[3] and bool[3]",
        line,
    );
    // An error operand propagates unchanged.
    let (bad, line) = (v3.dot(&m45), line!());
    expect_err(
        bad.dot(&v3),
        "dot",
        "cannot contract shapes [3] and [4, 5]",
        line,
    );
    expect_err(
        v3.matmul(&bad),
        "dot",
        "cannot contract shapes [3] and [4, 5]",
        line,
    );
}

#[test]
fn matrix_vector_dot_is_one_dot_general() {
    let x = f32_array(&[100, 10], 0);
    let p = make_program(|beta: &Array| x.dot(beta), &f32_array(&[10], 1)).unwrap();
    assert_eq!(p.equations.len(), 1, "{p}");
    assert_eq!(p.count_primitive("dot_general"), 1);
    assert_eq!(p.output_types()[0].to_string(), "f32[100]");
    let p = make_program(|m: &Array| x.dot(m), &f32_array(&[10, 3], 1)).unwrap();
    assert_eq!(p.equations.len(), 1, "{p}");
    let p = make_program(|m: &Array| m.dot(&x.t()), &f32_array(&[4, 10], 1)).unwrap();
    assert_eq!(p.equations.len(), 1, "{p}");
    // A mixed-dtype constant is converted eagerly, outside the program.
    let xi = Array::from_vec(vec![1i32; 20], &[2, 10]);
    let p = make_program(|beta: &Array| xi.dot(beta), &f32_array(&[10], 1)).unwrap();
    assert_eq!(p.equations.len(), 1, "{p}");
}

#[test]
fn matmul_emits_one_dot_general() {
    let args = (f32_array(&[5, 2, 3], 0), f32_array(&[5, 3, 4], 1));
    let p = make_program(|(a, b): &(Array, Array)| a.matmul(b), &args).unwrap();
    assert_eq!(p.equations.len(), 1, "{p}");
    let args = (f32_array(&[2, 3], 0), f32_array(&[5, 3, 4], 1));
    let p = make_program(|(a, b): &(Array, Array)| a.matmul(b), &args).unwrap();
    assert_eq!(p.count_primitive("dot_general"), 1, "{p}");
    assert_eq!(p.output_types()[0].shape, vec![5, 2, 4]);
    let args = (f32_array(&[1, 2, 3], 0), f32_array(&[5, 3, 4], 1));
    let p = make_program(|(a, b): &(Array, Array)| a.matmul(b), &args).unwrap();
    assert_eq!(p.count_primitive("dot_general"), 1, "{p}");
    assert_eq!(p.count_primitive("broadcast_in_dim"), 1, "{p}");
    let args = (f32_array(&[3], 0), f32_array(&[5, 3, 4], 1));
    let p = make_program(|(a, b): &(Array, Array)| a.matmul(b), &args).unwrap();
    assert_eq!(p.equations.len(), 1, "{p}");
}

#[test]
fn vmapped_products_match_row_by_row() {
    let x = f32_array(&[6, 4], 0);
    let betas = f32_array(&[5, 4], 1);
    let batched = autobatch::vmap(|beta: &Array| x.dot(beta))(&betas).unwrap();
    assert_eq!(batched.shape(), &[5, 6]);
    let want = x.dot(&betas.t()).t();
    assert_eq!(
        batched.to_vec::<f32>().unwrap(),
        want.to_vec::<f32>().unwrap()
    );
    let mats = f64_array(&[3, 2, 4], 2);
    let rhs = f64_array(&[4, 5], 3);
    let batched = autobatch::vmap(|m: &Array| m.matmul(&rhs))(&mats).unwrap();
    assert_eq!(
        batched.to_vec::<f64>().unwrap(),
        mats.matmul(&rhs).to_vec::<f64>().unwrap()
    );
}
