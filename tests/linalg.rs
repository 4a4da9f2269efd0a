//! The `cholesky` and `triangular_solve` primitives: values against naive
//! reconstructions, vmap against per-example calls, JVP against central differences and
//! VJP against JVP (dot-product test), shape/dtype errors and non-SPD inputs.

mod common;
use autobatch::{Array, Axes, DType, VmapOptions, jvp, lax, make_program, vjp, vmap_with};
use common::Rng;

/// A random symmetric positive definite `[batch.., n, n]` matrix `M Mᵀ + n I`.
fn spd(rng: &mut Rng, batch: &[usize], n: usize) -> Array {
    let mut shape = batch.to_vec();
    shape.extend([n, n]);
    let m = rng.array_in(&shape, -1.0, 1.0);
    m.matmul(&m.swapaxes(-1, -2)) + Array::eye_of(n as i64, DType::F64) * n as f64
}

fn vals(a: &Array) -> Vec<f64> {
    a.astype(DType::F64).to_vec::<f64>().unwrap()
}

#[test]
fn cholesky_reconstructs_spd_matrices() {
    let mut rng = Rng(3);
    for batch in [vec![], vec![1], vec![3], vec![2, 2]] {
        for n in [1, 2, 3, 5, 8] {
            let a = spd(&mut rng, &batch, n);
            let l = lax::cholesky(&a);
            assert_eq!(l.shape(), a.shape());
            let (lv, av) = (vals(&l), vals(&a));
            let mats = lv.len() / (n * n);
            for b in 0..mats {
                let lm = &lv[b * n * n..(b + 1) * n * n];
                let am = &av[b * n * n..(b + 1) * n * n];
                for i in 0..n {
                    for j in 0..n {
                        if j > i {
                            assert_eq!(lm[i * n + j], 0.0, "upper entry ({i},{j})");
                        }
                        let r: f64 = (0..n).map(|k| lm[i * n + k] * lm[j * n + k]).sum();
                        assert!(
                            (r - am[i * n + j]).abs() <= 1e-12 * (1.0 + am[i * n + j].abs()),
                            "batch {batch:?} n {n}: (L Lᵀ)[{i},{j}] = {r}, A = {}",
                            am[i * n + j]
                        );
                    }
                    assert!(lm[i * n + i] > 0.0);
                }
            }
        }
    }
}

#[test]
fn cholesky_reads_only_the_lower_triangle_and_handles_f32() {
    let a = Array::from_vec(vec![4.0f64, 100.0, 2.0, 5.0], &[2, 2]);
    assert_eq!(vals(&lax::cholesky(&a)), vec![2.0, 0.0, 1.0, 2.0]);
    let a32 = Array::from_vec(vec![4.0f32, 2.0, 2.0, 5.0], &[2, 2]);
    let l = lax::cholesky(&a32);
    assert_eq!(l.dtype(), DType::F32);
    assert_eq!(l.to_vec::<f32>().unwrap(), vec![2.0, 0.0, 1.0, 2.0]);
}

#[test]
fn non_spd_input_gives_nan_without_panicking() {
    let a = Array::from_vec(
        vec![
            1.0f64, 2.0, 2.0, 1.0, /* second matrix is SPD */ 4.0, 0.0, 0.0, 9.0,
        ],
        &[2, 2, 2],
    );
    let l = vals(&lax::cholesky(&a));
    assert!(l[..4].iter().all(|x| x.is_nan()), "{l:?}");
    assert_eq!(&l[4..], &[2.0, 0.0, 0.0, 3.0]);
    let z = vals(&lax::cholesky(&Array::zeros_of(&[3, 3], DType::F64)));
    assert!(z.iter().all(|x| x.is_nan()));
    let nan = Array::from_vec(vec![f64::NAN], &[1, 1]);
    assert!(vals(&lax::cholesky(&nan))[0].is_nan());
    // Empty matrices and batches are fine.
    assert_eq!(
        lax::cholesky(&Array::zeros_of(&[0, 0], DType::F64)).shape(),
        &[0, 0]
    );
    assert_eq!(
        lax::cholesky(&Array::zeros_of(&[0, 2, 2], DType::F64)).shape(),
        &[0, 2, 2]
    );
}

/// `op(a_tri) x` computed naively, where `a_tri` is the triangle of `a` that the solve
/// reads (ones on the diagonal when `unit`).
fn apply_op(a: &[f64], x: &[f64], n: usize, k: usize, flags: (bool, bool, bool)) -> Vec<f64> {
    let (lower, trans, unit) = flags;
    let tri = |i: usize, j: usize| -> f64 {
        if i == j {
            if unit { 1.0 } else { a[i * n + j] }
        } else if (lower && i > j) || (!lower && i < j) {
            a[i * n + j]
        } else {
            0.0
        }
    };
    let op = |i: usize, j: usize| if trans { tri(j, i) } else { tri(i, j) };
    let mut out = vec![0.0; n * k];
    for i in 0..n {
        for c in 0..k {
            out[i * k + c] = (0..n).map(|j| op(i, j) * x[j * k + c]).sum();
        }
    }
    out
}

const FLAGS: [(bool, bool, bool); 8] = [
    (true, false, false),
    (true, false, true),
    (true, true, false),
    (true, true, true),
    (false, false, false),
    (false, false, true),
    (false, true, false),
    (false, true, true),
];

/// A random `[batch.., n, n]` matrix with a dominant diagonal (well conditioned in both
/// triangles) and nonzero junk everywhere.
fn tri_matrix(rng: &mut Rng, batch: &[usize], n: usize) -> Array {
    let mut shape = batch.to_vec();
    shape.extend([n, n]);
    rng.array_in(&shape, -1.0, 1.0) + Array::eye_of(n as i64, DType::F64) * 3.0
}

#[test]
fn triangular_solve_every_flag_combination() {
    let mut rng = Rng(5);
    for flags in FLAGS {
        let (lower, trans, unit) = flags;
        for batch in [vec![], vec![2], vec![2, 3]] {
            for (n, k) in [(1, 1), (3, 1), (4, 2), (6, 5)] {
                let a = tri_matrix(&mut rng, &batch, n);
                let mut bshape = batch.clone();
                bshape.extend([n, k]);
                let b = rng.array_in(&bshape, -2.0, 2.0);
                let x = lax::triangular_solve(&a, &b, lower, trans, unit);
                assert_eq!(x.shape(), b.shape());
                let (av, bv, xv) = (vals(&a), vals(&b), vals(&x));
                let mats: usize = batch.iter().product();
                for m in 0..mats {
                    let am = &av[m * n * n..(m + 1) * n * n];
                    let xm = &xv[m * n * k..(m + 1) * n * k];
                    let back = apply_op(am, xm, n, k, flags);
                    for (i, (r, want)) in back.iter().zip(&bv[m * n * k..]).enumerate() {
                        assert!(
                            (r - want).abs() <= 1e-12 * (1.0 + want.abs()),
                            "flags {flags:?} batch {batch:?} n {n} k {k}: [{i}] {r} vs {want}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn shape_and_dtype_errors() {
    let msg = |a: &Array| {
        let e = a.error_value().expect("an error");
        format!("{}: {}", e.op(), e.message())
    };
    let c = lax::cholesky(&Array::zeros_of(&[2, 3], DType::F64));
    assert_eq!(
        msg(&c),
        "cholesky: needs square matrices [..., n, n], got [2, 3]"
    );
    let c = lax::cholesky(&Array::zeros_of(&[3], DType::F64));
    assert!(msg(&c).contains("square"), "{}", msg(&c));
    let c = lax::cholesky(&Array::zeros_of(&[2, 2], DType::I32));
    assert_eq!(msg(&c), "cholesky: does not accept dtype i32");
    let a = Array::zeros_of(&[2, 3, 3], DType::F64);
    let s = lax::triangular_solve(
        &a,
        &Array::zeros_of(&[2, 4, 1], DType::F64),
        true,
        false,
        false,
    );
    assert!(
        msg(&s).starts_with("triangular_solve: right-hand side [2, 4, 1]"),
        "{}",
        msg(&s)
    );
    let s = lax::triangular_solve(
        &a,
        &Array::zeros_of(&[3, 3, 1], DType::F64),
        true,
        false,
        false,
    );
    assert!(msg(&s).contains("batch axes"), "{}", msg(&s));
    let s = lax::triangular_solve(
        &a,
        &Array::zeros_of(&[2, 3], DType::F64),
        true,
        false,
        false,
    );
    assert!(msg(&s).contains("right-hand side"), "{}", msg(&s));
    let s = lax::triangular_solve(
        &a,
        &Array::zeros_of(&[2, 3, 1], DType::F32),
        true,
        false,
        false,
    );
    assert_eq!(
        msg(&s),
        "triangular_solve: operand dtypes differ: f64 and f32"
    );
    let s = lax::triangular_solve(
        &Array::zeros_of(&[2, 2], DType::I32),
        &Array::zeros_of(&[2, 1], DType::I32),
        true,
        false,
        false,
    );
    assert_eq!(msg(&s), "triangular_solve: does not accept dtype i32");
}

#[test]
fn programs_print_the_parameters() {
    let p = make_program(
        |(a, b): &(Array, Array)| lax::triangular_solve(&lax::cholesky(a), b, true, true, false),
        &(
            Array::zeros_of(&[3, 3], DType::F64),
            Array::zeros_of(&[3, 2], DType::F64),
        ),
    )
    .unwrap();
    let text = p.to_string();
    assert!(text.contains("cholesky"), "{text}");
    assert!(
        text.contains("triangular_solve[lower=true transpose_a=true unit_diagonal=false]"),
        "{text}"
    );
}

fn stack_at(xs: &[Array], axis: usize) -> Array {
    let refs: Vec<&Array> = xs.iter().collect();
    autobatch::stack(&refs, axis as isize)
}

fn assert_close(got: &Array, want: &Array, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    for (i, (a, b)) in vals(got).iter().zip(vals(want)).enumerate() {
        assert!(
            (a - b).abs() <= 1e-12 * (1.0 + b.abs()),
            "{what}[{i}]: {a} vs {b}"
        );
    }
}

#[test]
fn vmap_equals_per_example() {
    let mut rng = Rng(9);
    let n_ex = 3;
    // cholesky, batched at every axis, with and without per-example leading axes.
    for lead in [vec![], vec![2]] {
        let ex: Vec<Array> = (0..n_ex).map(|_| spd(&mut rng, &lead, 3)).collect();
        let want: Vec<Array> = ex.iter().map(lax::cholesky).collect();
        for axis in 0..=ex[0].ndim() {
            let f = vmap_with(
                |a: &Array| lax::cholesky(a),
                VmapOptions::new().in_axes(axis as isize).out_axes(0),
            );
            let got = f(&stack_at(&ex, axis)).unwrap();
            assert_close(&got, &stack_at(&want, 0), &format!("cholesky axis {axis}"));
        }
    }
    // triangular_solve: each operand batched at some axis or shared.
    for flags in FLAGS {
        let (lower, trans, unit) = flags;
        let a_ex: Vec<Array> = (0..n_ex).map(|_| tri_matrix(&mut rng, &[2], 3)).collect();
        let b_ex: Vec<Array> = (0..n_ex)
            .map(|_| rng.array_in(&[2, 3, 2], -1.0, 1.0))
            .collect();
        for (a_axis, b_axis) in [
            (Some(0), Some(0)),
            (Some(2), Some(3)),
            (None, Some(1)),
            (Some(3), None),
        ] {
            let want: Vec<Array> = (0..n_ex)
                .map(|i| {
                    let a = if a_axis.is_some() { &a_ex[i] } else { &a_ex[0] };
                    let b = if b_axis.is_some() { &b_ex[i] } else { &b_ex[0] };
                    lax::triangular_solve(a, b, lower, trans, unit)
                })
                .collect();
            let a_arg = a_axis.map_or(a_ex[0].clone(), |ax| stack_at(&a_ex, ax));
            let b_arg = b_axis.map_or(b_ex[0].clone(), |ax| stack_at(&b_ex, ax));
            let f = vmap_with(
                |xs: &Vec<Array>| lax::triangular_solve(&xs[0], &xs[1], lower, trans, unit),
                VmapOptions::new()
                    .in_axes(Axes::PerLeaf(vec![
                        a_axis.map(|a| a as isize),
                        b_axis.map(|b| b as isize),
                    ]))
                    .out_axes(1),
            );
            let got = f(&vec![a_arg, b_arg]).unwrap();
            assert_close(
                &got,
                &stack_at(&want, 1),
                &format!("solve {flags:?} axes {a_axis:?} {b_axis:?}"),
            );
        }
    }
}

fn dot(a: &[Array], b: &[Array]) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x * y).sum().item::<f64>().unwrap())
        .sum()
}

/// Checks the JVP of `f` against central differences and its VJP against its JVP.
fn check(
    name: &str,
    rng: &mut Rng,
    make: &dyn Fn(&mut Rng) -> Vec<Array>,
    f: &dyn Fn(&Vec<Array>) -> Array,
) {
    for case in 0..6 {
        let x = make(rng);
        let v: Vec<Array> = x
            .iter()
            .map(|a| rng.array_in(a.shape(), -1.0, 1.0))
            .collect();
        let (y, jv) =
            jvp(|xs: &Vec<Array>| f(xs), &x, &v).unwrap_or_else(|e| panic!("{name}: {e}"));
        let h = 1e-6;
        let plus: Vec<Array> = x.iter().zip(&v).map(|(a, d)| a + h * d).collect();
        let minus: Vec<Array> = x.iter().zip(&v).map(|(a, d)| a - h * d).collect();
        let fd = (f(&plus) - f(&minus)) / (2.0 * h);
        let (jv_vals, fd_vals) = (vals(&jv), vals(&fd));
        for (i, (a, b)) in jv_vals.iter().zip(&fd_vals).enumerate() {
            assert!(
                (a - b).abs() <= 1e-5 * (1.0 + b.abs()),
                "{name} case {case}: jvp[{i}] = {a}, finite differences {b}"
            );
        }
        let u = rng.array_in(y.shape(), -1.0, 1.0);
        let (_, pullback) = vjp(|xs: &Vec<Array>| f(xs), &x).unwrap();
        let jtu = pullback.call(&u).unwrap();
        let lhs = dot(&[jv], &[u]);
        let rhs = dot(&v, &jtu);
        assert!(
            (lhs - rhs).abs() <= 1e-10 * (1.0 + lhs.abs()),
            "{name} case {case}: <Jv,u> = {lhs}, <v,J^T u> = {rhs}"
        );
    }
}

/// `(m + mᵀ)/2 + n I`: symmetric and (for entries in [-1, 1)) positive definite.
fn symmetrize(m: &Array) -> Array {
    let n = m.shape()[m.ndim() - 1];
    (m + m.swapaxes(-1, -2)) * 0.5 + Array::eye_of(n as i64, DType::F64) * n as f64
}

#[test]
fn cholesky_derivatives() {
    let mut rng = Rng(21);
    for shape in [vec![1, 1], vec![3, 3], vec![2, 4, 4]] {
        let s = shape.clone();
        check(
            &format!("cholesky {shape:?}"),
            &mut rng,
            &move |r: &mut Rng| vec![r.array_in(&s, -1.0, 1.0)],
            &|xs: &Vec<Array>| lax::cholesky(&symmetrize(&xs[0])),
        );
    }
    // The cotangent is symmetric (JAX's convention).
    let a = spd(&mut rng, &[], 3);
    let (_, pullback) = vjp(|a: &Array| lax::cholesky(a), &a).unwrap();
    let g = pullback.call(&rng.array_in(&[3, 3], -1.0, 1.0)).unwrap();
    assert_close(&g, &g.swapaxes(0, 1), "symmetric cotangent");
}

#[test]
fn triangular_solve_derivatives() {
    let mut rng = Rng(23);
    for flags in FLAGS {
        let (lower, trans, unit) = flags;
        for (batch, n, k) in [(vec![], 1, 1), (vec![], 3, 2), (vec![2], 4, 3)] {
            let bt = batch.clone();
            check(
                &format!("triangular_solve {flags:?} {batch:?} {n} {k}"),
                &mut rng,
                &move |r: &mut Rng| {
                    let mut bs = bt.clone();
                    bs.extend([n, k]);
                    vec![tri_matrix(r, &bt, n), r.array_in(&bs, -1.0, 1.0)]
                },
                &|xs: &Vec<Array>| lax::triangular_solve(&xs[0], &xs[1], lower, trans, unit),
            );
        }
    }
}

#[test]
fn solve_through_cholesky_composes_under_autodiff_and_vmap() {
    // A log-density-like scalar: sum of squares of L⁻¹ b plus sum log diag L.
    let mut rng = Rng(31);
    let f = |xs: &Vec<Array>| {
        let l = lax::cholesky(&symmetrize(&xs[0]));
        let z = lax::triangular_solve(&l, &xs[1], true, false, false);
        (&z * &z).sum().reshape(&[1])
    };
    check(
        "solve through cholesky",
        &mut rng,
        &|r: &mut Rng| {
            vec![
                r.array_in(&[3, 3], -1.0, 1.0),
                r.array_in(&[3, 1], -1.0, 1.0),
            ]
        },
        &f,
    );
    let ms: Vec<Array> = (0..4).map(|_| rng.array_in(&[3, 3], -1.0, 1.0)).collect();
    let bs: Vec<Array> = (0..4).map(|_| rng.array_in(&[3, 1], -1.0, 1.0)).collect();
    let want: Vec<Array> = (0..4)
        .map(|i| f(&vec![ms[i].clone(), bs[i].clone()]))
        .collect();
    let got = vmap_with(f, VmapOptions::new())(&vec![stack_at(&ms, 0), stack_at(&bs, 0)]).unwrap();
    assert_close(&got, &stack_at(&want, 0), "vmap of the composition");
}

#[test]
fn multivariate_normal_differentiates_and_batches_in_the_covariance() {
    use autobatch::{grad, stats::multivariate_normal, vmap};
    let mut rng = Rng(41);
    let x = rng.array_in(&[4, 3], -1.0, 1.0);
    let mean = rng.array_in(&[3], -0.5, 0.5);
    let cov = spd(&mut rng, &[], 3);
    let f = |c: &Array| multivariate_normal::logpdf(&x, &mean, c).sum();
    let g = grad(f)(&cov).unwrap();
    // Along a symmetric direction, <grad, E> matches central differences.
    let v = rng.array_in(&[3, 3], -1.0, 1.0);
    let e = (&v + v.swapaxes(0, 1)) * 0.5;
    let h = 1e-6;
    let fd = (f(&(&cov + &e * h)).item::<f64>().unwrap()
        - f(&(&cov - &e * h)).item::<f64>().unwrap())
        / (2.0 * h);
    let got = (&g * &e).sum().item::<f64>().unwrap();
    assert!((got - fd).abs() <= 1e-6 * (1.0 + fd.abs()), "{got} vs {fd}");
    // vmap over a batch of covariances equals per-example calls.
    let covs: Vec<Array> = (0..3).map(|_| spd(&mut rng, &[], 3)).collect();
    let want: Vec<Array> = covs.iter().map(f).collect();
    let got = vmap(f)(&stack_at(&covs, 0)).unwrap();
    assert_close(&got, &stack_at(&want, 0), "vmap over covariances");
}
