//! Autodiff: every primitive's JVP against central finite differences (f64), every VJP
//! against its JVP by the dot-product test, compositions, golden cases from JAX, and the
//! notebook's ELBO gradients.

mod common;
use autobatch::ir::{BinaryOp, ReduceOp, UnaryOp};
use autobatch::{
    Array, DType, grad, hessian, jacfwd, jacrev, jvp, lax, make_program, value_and_grad, vjp, vmap,
};
use common::Rng;

fn cases() -> usize {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .map(|n: usize| n.max(1) / 8 + 1)
        .unwrap_or(12)
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
    for case in 0..cases() {
        let x = make(rng);
        let v: Vec<Array> = x
            .iter()
            .map(|a| rng.array_in(a.shape(), -1.0, 1.0))
            .collect();
        let (y, jv) =
            jvp(|xs: &Vec<Array>| f(xs), &x, &v).unwrap_or_else(|e| panic!("{name}: {e}"));
        // Central differences.
        let h = 1e-6;
        let plus: Vec<Array> = x.iter().zip(&v).map(|(a, d)| a + h * d).collect();
        let minus: Vec<Array> = x.iter().zip(&v).map(|(a, d)| a - h * d).collect();
        let fd = (f(&plus) - f(&minus)) / (2.0 * h);
        let (jv_vals, fd_vals) = (jv.to_vec::<f64>().unwrap(), fd.to_vec::<f64>().unwrap());
        for (i, (a, b)) in jv_vals.iter().zip(&fd_vals).enumerate() {
            assert!(
                (a - b).abs() <= 1e-5 * (1.0 + b.abs()),
                "{name} case {case}: jvp[{i}] = {a}, finite differences {b}\n x = {x:?}"
            );
        }
        // Dot-product test: <J v, u> == <v, J^T u>.
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

fn one(shape: &'static [usize], lo: f64, hi: f64) -> impl Fn(&mut Rng) -> Vec<Array> {
    move |r: &mut Rng| vec![r.array_in(shape, lo, hi)]
}

#[test]
fn unary_primitives() {
    let mut rng = Rng(11);
    for op in UnaryOp::ALL {
        let (lo, hi) = match op {
            UnaryOp::Log | UnaryOp::Sqrt | UnaryOp::Rsqrt => (0.5, 3.0),
            UnaryOp::Log1p => (-0.5, 3.0),
            UnaryOp::ErfInv => (-0.9, 0.9),
            UnaryOp::Not => continue,
            // Piecewise constant: derivative zero away from the jumps.
            UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Round | UnaryOp::Sign => (0.1, 0.4),
            _ => (-2.0, 2.0),
        };
        check(
            op.name(),
            &mut rng,
            &move |r: &mut Rng| {
                let shape = r.shape(3);
                vec![r.array_in(&shape, lo, hi)]
            },
            &move |x| lax::unary(op, &x[0]),
        );
    }
}

#[test]
fn binary_primitives() {
    let mut rng = Rng(12);
    for op in [
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::Pow,
        BinaryOp::Max,
        BinaryOp::Min,
        BinaryOp::Rem,
    ] {
        check(
            op.name(),
            &mut rng,
            &|r: &mut Rng| {
                let shape = r.shape(3);
                vec![r.array_in(&shape, 0.5, 2.0), r.array_in(&shape, 0.6, 2.5)]
            },
            &move |x| lax::binary(op, &x[0], &x[1]),
        );
    }
    check(
        "select",
        &mut rng,
        &|r: &mut Rng| vec![r.array_in(&[5], -1.0, 1.0), r.array_in(&[5], -1.0, 1.0)],
        &|x| lax::select(&x[0].gt(0.0), &(&x[0] * &x[1]), &x[1].exp()),
    );
    check(
        "fma",
        &mut rng,
        &|r: &mut Rng| {
            let shape = r.shape(3);
            (0..3).map(|_| r.array_in(&shape, -2.0, 2.0)).collect()
        },
        &|x| lax::fma(&x[0], &x[1], &x[2]),
    );
    check("convert", &mut rng, &one(&[3], -1.0, 1.0), &|x| {
        lax::convert(&x[0], DType::F64)
    });
}

#[test]
fn structural_primitives() {
    let mut rng = Rng(13);
    check(
        "broadcast_in_dim",
        &mut rng,
        &one(&[3, 1], -1.0, 1.0),
        &|x| lax::broadcast_in_dim(&x[0], &[2, 3, 4], &[1, 2]),
    );
    check("reshape", &mut rng, &one(&[2, 3], -1.0, 1.0), &|x| {
        lax::reshape(&x[0], &[3, 2])
    });
    check("transpose", &mut rng, &one(&[2, 3, 4], -1.0, 1.0), &|x| {
        lax::transpose(&x[0], &[2, 0, 1])
    });
    check("slice", &mut rng, &one(&[5, 4], -1.0, 1.0), &|x| {
        lax::slice(&x[0], &[1, 0], &[5, 3], &[2, 2])
    });
    check(
        "pad",
        &mut rng,
        &|r: &mut Rng| vec![r.array_in(&[3, 2], -1.0, 1.0), r.array_in(&[], -1.0, 1.0)],
        &|x| lax::pad(&x[0], &x[1], &[1, -1], &[2, 0], &[1, 0]),
    );
    check(
        "concatenate",
        &mut rng,
        &|r: &mut Rng| {
            vec![
                r.array_in(&[2, 3], -1.0, 1.0),
                r.array_in(&[2, 1], -1.0, 1.0),
            ]
        },
        &|x| lax::concatenate(&[&x[0], &x[1]], 1),
    );
    let idx = Array::from_vec(vec![2i32, 0, 2, 1], &[2, 2]);
    let i2 = idx.clone();
    check("take", &mut rng, &one(&[3, 2], -1.0, 1.0), &move |x| {
        lax::take(&x[0], &i2, 0)
    });
    let i3 = Array::from_vec(vec![1i32, 1, 0], &[3]);
    check(
        "scatter_add",
        &mut rng,
        &|r: &mut Rng| {
            vec![
                r.array_in(&[2, 3], -1.0, 1.0),
                r.array_in(&[2, 3], -1.0, 1.0),
            ]
        },
        &move |x| lax::scatter_add(&x[0], &i3, &x[1], 1),
    );
    for op in [ReduceOp::Sum, ReduceOp::Max, ReduceOp::Min, ReduceOp::Prod] {
        check(op.name(), &mut rng, &one(&[3, 4], -1.0, 1.0), &move |x| {
            lax::reduce(op, &x[0], &[1])
        });
        check(op.name(), &mut rng, &one(&[3, 4], -1.0, 1.0), &move |x| {
            lax::reduce(op, &x[0], &[0, 1])
        });
    }
    check("cumsum", &mut rng, &one(&[3, 4], -1.0, 1.0), &|x| {
        lax::cumsum(&x[0], 1, false)
    });
    check("cumsum reverse", &mut rng, &one(&[3, 4], -1.0, 1.0), &|x| {
        lax::cumsum(&x[0], 0, true)
    });
    type Dims = (
        &'static [usize],
        &'static [usize],
        Vec<usize>,
        Vec<usize>,
        Vec<usize>,
        Vec<usize>,
    );
    let patterns: Vec<Dims> = vec![
        (&[3], &[3], vec![0], vec![0], vec![], vec![]),
        (&[2, 3], &[3, 4], vec![1], vec![0], vec![], vec![]),
        (&[3, 2], &[4, 3], vec![0], vec![1], vec![], vec![]),
        (&[2, 3, 4], &[2, 4, 5], vec![2], vec![1], vec![0], vec![0]),
        (&[4, 2, 3], &[3, 4], vec![2, 0], vec![0, 1], vec![], vec![]),
        (&[3, 2, 4], &[2, 4, 3], vec![2], vec![1], vec![1], vec![0]),
    ];
    for (ls, rs, lc, rc, lb, rb) in patterns {
        check(
            "dot_general",
            &mut rng,
            &move |r: &mut Rng| vec![r.array_in(ls, -1.0, 1.0), r.array_in(rs, -1.0, 1.0)],
            &move |x| lax::dot_general(&x[0], &x[1], &lc, &rc, &lb, &rb),
        );
    }
}

#[test]
fn compositions() {
    let f = |x: &Array| (x.sin() * x * x).sum();
    let x = Array::from_vec(vec![0.3f64, -1.2, 2.0], &[3]);
    // grad of grad of a scalar function of one variable: d2/dx2 sin(x) x^2.
    let s = |x: &Array| (x.sin() * x * x).sum();
    let g1 = grad(s);
    let g2 = grad(move |x: &Array| g1(x).unwrap_or_else(Array::from_error).sum());
    let t = Array::from_vec(vec![0.7f64], &[1]);
    let want = {
        let v = 0.7f64;
        2.0 * v.sin() + 4.0 * v * v.cos() - v * v * v.sin()
    };
    assert!((g2(&t).unwrap().to_vec::<f64>().unwrap()[0] - want).abs() < 1e-12);
    // vmap(grad) equals per-row grads.
    let rows = Array::from_vec((0..6).map(|i| i as f64 * 0.3 - 1.0).collect(), &[2, 3]);
    let per_example = vmap(grad(f))(&rows).unwrap();
    for r in 0..2 {
        let row = rows.index(autobatch::s![r]);
        let g = grad(f)(&row).unwrap().to_vec::<f64>().unwrap();
        assert_eq!(
            per_example.index(autobatch::s![r]).to_vec::<f64>().unwrap(),
            g
        );
    }
    // grad(vmap) of a sum equals the stacked grads.
    let total =
        grad(|m: &Array| vmap(f)(m).unwrap_or_else(Array::from_error).sum())(&rows).unwrap();
    assert_eq!(
        total.to_vec::<f64>().unwrap(),
        per_example.to_vec::<f64>().unwrap()
    );
    // jacfwd(jacrev) equals hessian equals jacrev(jacrev).
    let h1 = hessian(f)(&x).unwrap();
    let jr = jacrev(f);
    let h2 = jacfwd(move |x: &Array| jr(x).unwrap_or_else(Array::from_error))(&x).unwrap();
    let jr2 = jacrev(f);
    let h3 = jacrev(move |x: &Array| jr2(x).unwrap_or_else(Array::from_error))(&x).unwrap();
    let (a, b, c) = (
        h1.to_vec::<f64>().unwrap(),
        h2.to_vec::<f64>().unwrap(),
        h3.to_vec::<f64>().unwrap(),
    );
    for i in 0..9 {
        assert!(
            (a[i] - b[i]).abs() < 1e-12 && (a[i] - c[i]).abs() < 1e-12,
            "{a:?} {b:?} {c:?}"
        );
    }
    // No perturbation confusion: d/dx [x * d/dy (x + y)] = 1.
    let outer = grad(|x: &Array| {
        let inner = grad(|y: &Array| (x + y).sum());
        (x * inner(x).unwrap_or_else(Array::from_error)).sum()
    });
    assert_eq!(
        outer(&Array::from_vec(vec![2.0f64], &[1]))
            .unwrap()
            .to_vec::<f64>()
            .unwrap(),
        vec![1.0]
    );
}

#[test]
fn stable_forms_stay_finite_like_jax() {
    // log-sigmoid in its stable form, -softplus(-z): finite value and gradient at
    // |z| = 100 in f32, matching JAX's `jax.nn.log_sigmoid`.
    let z = Array::from_vec(vec![-100.0f32, -10.0, 0.0, 10.0, 100.0], &[5]);
    let softplus = |x: &Array| x.maximum(0.0) + (-x.abs()).exp().log1p();
    let (v, g) = value_and_grad(|z: &Array| (-softplus(&(-z))).sum())(&z).unwrap();
    assert!(v.item::<f32>().unwrap().is_finite());
    let g = g.to_vec::<f32>().unwrap();
    assert!(g.iter().all(|v| v.is_finite()), "{g:?}");
    assert!((g[0] - 1.0).abs() < 1e-6 && g[4].abs() < 1e-6, "{g:?}");
    // The naive form's gradient is finite wherever exp(-z) does not overflow.
    // logistic and log1p: finite derivatives across the range.
    let g = grad(|z: &Array| z.logistic().sum())(&z)
        .unwrap()
        .to_vec::<f32>()
        .unwrap();
    assert!(g.iter().all(|v| v.is_finite()), "{g:?}");
    let g = grad(|z: &Array| (z * z).log1p().sum())(&z)
        .unwrap()
        .to_vec::<f32>()
        .unwrap();
    assert!(g.iter().all(|v| v.is_finite()), "{g:?}");
    let g = grad(|z: &Array| (-(1.0 + (-z).exp()).log()).sum())(&z)
        .unwrap()
        .to_vec::<f32>()
        .unwrap();
    assert!(g[1..].iter().all(|v| v.is_finite()), "{g:?}");
}

#[test]
fn errors() {
    let err = grad(|x: &Array| x.sum().astype(DType::F32))(&Array::from_vec(vec![1i32], &[1]))
        .unwrap_err();
    assert_eq!(err.op(), "grad");
    assert!(
        err.message()
            .starts_with("input leaf 0 has dtype i32; only float inputs can be differentiated"),
        "{err}"
    );
    let err = grad(|x: &Array| x * 2.0)(&Array::ones(&[3])).unwrap_err();
    assert_eq!(
        err.message(),
        "the function must return a float scalar, got f32[3]"
    );
}

#[test]
fn grad_program_has_no_dead_forward_work() {
    let f = |x: &Array| (x.exp() * 3.0).sum();
    let p = make_program(
        |x: &Array| grad(f)(x).unwrap_or_else(Array::from_error),
        &Array::zeros(&[4]),
    )
    .unwrap();
    // The forward sum is not needed for the gradient.
    assert_eq!(p.count_primitive("reduce_sum"), 0, "{p}");
    assert_eq!(p.count_primitive("exp"), 1, "{p}");
}

fn normal_logpdf(x: &Array, scale: f64) -> Array {
    let z = x / scale;
    -0.5 * &z * &z - (scale.ln() + 0.5 * (2.0 * std::f64::consts::PI).ln())
}

#[test]
fn notebook_elbo_value_and_gradients_at_iteration_0() {
    let golden = common::load("seed_notebook.json");
    let y = common::array_i32(&golden["data"]["y"]);
    let all_x = common::array_f32(&golden["data"]["all_x"]);
    let log_joint = |beta: &Array| {
        normal_logpdf(beta, 10.0).sum()
            + (-(1.0 + (-(2 * &y - 1) * all_x.dot(beta)).exp()).log()).sum()
    };
    let batched_log_joint = vmap(log_joint);
    let elbo = |(beta_loc, beta_log_scale): &(Array, Array), epsilon: &Array| {
        let beta_sample = beta_loc + beta_log_scale.exp() * epsilon;
        batched_log_joint(&beta_sample)
            .unwrap_or_else(Array::from_error)
            .mean_axis(0)
            + (beta_log_scale - 0.5 * (2.0 * std::f64::consts::PI).ln()).sum()
    };
    let part = &golden["part_c_vi"];
    let epsilon = common::array_f32(&part["iteration0_epsilon"]);
    let params = (Array::zeros(&[10]), Array::zeros(&[10]));
    let (value, (g_loc, g_log_scale)) = value_and_grad(elbo)(&params, &epsilon).unwrap();
    let g0 = &part["gradients"][0];
    common::assert_rel(
        &[value.item::<f64>().unwrap()],
        &[common::f32s(&g0["elbo"])[0] as f64],
        1e-5,
        "elbo",
    );
    let close = |got: &Array, want: &serde_json::Value, what: &str| {
        let want: Vec<f64> = common::f32s(want).into_iter().map(f64::from).collect();
        for (a, b) in got.to_vec::<f64>().unwrap().iter().zip(&want) {
            assert!((a - b).abs() <= 1e-5 * b.abs() + 1e-4, "{what}: {a} vs {b}");
        }
    };
    close(&g_loc, &g0["grad_beta_loc"], "grad_beta_loc");
    close(
        &g_log_scale,
        &g0["grad_beta_log_scale"],
        "grad_beta_log_scale",
    );
}
