//! The autodiff cases of `transforms.json` (JAX 0.10.2, float64).

mod common;
use autobatch::{
    Array, Axes, VmapOptions, grad, hessian, jacfwd, jacrev, jvp, stop_gradient, value_and_grad,
    vjp, vmap, vmap_with, where_,
};
use serde_json::Value;

fn case(name: &str) -> Value {
    let data = common::load("transforms.json");
    data["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
        .clone()
}

fn input(c: &Value, k: &str) -> Array {
    common::array_f64(&c["inputs"][k])
}

/// Compares with rtol and atol `tol`; non-finite entries must match in class.
fn close(got: &Array, want: &Value, tol: f64, what: &str) {
    assert_eq!(got.shape(), common::shape(want).as_slice(), "{what}: shape");
    let expected = common::f64s(want);
    for (i, (a, b)) in got
        .to_vec::<f64>()
        .unwrap()
        .iter()
        .zip(&expected)
        .enumerate()
    {
        if b.is_finite() {
            assert!(
                (a - b).abs() <= tol * (1.0 + b.abs()),
                "{what}[{i}]: {a} vs {b}"
            );
        } else {
            assert!(
                (a.is_nan() && b.is_nan()) || a == b,
                "{what}[{i}]: {a} vs {b}"
            );
        }
    }
}

const TOL: f64 = 1e-12;

fn sin_x_sq(x: &Array) -> Array {
    (x.sin() * x * x).sum()
}

fn or_err(r: autobatch::Result<Array>) -> Array {
    r.unwrap_or_else(Array::from_error)
}

#[test]
fn grad_jvp_vjp_basics() {
    let c = case("grad_sum_sin_x_sq");
    let (v, g) = value_and_grad(sin_x_sq)(&input(&c, "x")).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "value");
    close(&g, &c["outputs"]["grad"], TOL, "grad");

    let c = case("jvp_sum_sin_x_sq");
    let (p, t) = jvp(sin_x_sq, &input(&c, "x"), &input(&c, "v")).unwrap();
    close(&p, &c["outputs"]["primal_out"], TOL, "primal");
    close(&t, &c["outputs"]["tangent_out"], TOL, "tangent");

    let c = case("vmap_grad_sum_sin_x_sq");
    close(
        &vmap(grad(sin_x_sq))(&input(&c, "X")).unwrap(),
        &c["outputs"]["out"],
        TOL,
        "vmap grad",
    );

    let c = case("grad_vmap_sum");
    let (v, g) =
        value_and_grad(|x: &Array| or_err(vmap(sin_x_sq)(x)).sum())(&input(&c, "X")).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "value");
    close(&g, &c["outputs"]["grad"], TOL, "grad vmap");

    let c = case("vjp_vector_fn");
    let g = |x: &Array| {
        let (x0, x1, x2) = (
            x.index(autobatch::s![0]),
            x.index(autobatch::s![1]),
            x.index(autobatch::s![2]),
        );
        autobatch::stack(&[&(&x0 * &x1), &x2.sin(), &(x0.exp() + &x2 * &x2)], 0)
    };
    let (y, pb) = vjp(g, &input(&c, "x")).unwrap();
    close(&y, &c["outputs"]["primal_out"], TOL, "vjp primal");
    close(
        &pb.call(&input(&c, "u")).unwrap(),
        &c["outputs"]["vjp"],
        TOL,
        "vjp",
    );
}

fn h_vec(x: &Array) -> Array {
    let (x0, x1, x2) = (
        x.index(autobatch::s![0]),
        x.index(autobatch::s![1]),
        x.index(autobatch::s![2]),
    );
    autobatch::stack(
        &[
            &(&x0 * &x0 * &x1),
            &(&x1 * x2.sin()),
            &(&x0 - &x2).exp(),
            &(&x0 * &x1 * &x2),
        ],
        0,
    )
}

#[test]
fn jacobians_and_hessians() {
    let c = case("jacfwd_vector_fn");
    close(
        &jacfwd(h_vec)(&input(&c, "x")).unwrap(),
        &c["outputs"]["jacobian"],
        TOL,
        "jacfwd",
    );
    let c = case("jacrev_vector_fn");
    close(
        &jacrev(h_vec)(&input(&c, "x")).unwrap(),
        &c["outputs"]["jacobian"],
        TOL,
        "jacrev",
    );
    let c = case("vmap_jacfwd");
    close(
        &vmap(jacfwd(h_vec))(&input(&c, "X")).unwrap(),
        &c["outputs"]["out"],
        TOL,
        "vmap jacfwd",
    );

    let c = case("hessian_logistic_regression");
    let (x, y) = (input(&c, "X"), input(&c, "y"));
    let log_sigmoid = |z: &Array| -((-z).exp() + 1.0).log();
    let l = |w: &Array| {
        let z = x.dot(w);
        (&y * log_sigmoid(&z) + (1.0 - &y) * log_sigmoid(&(-&z))).sum() - 0.5 * (w * w).sum() / 4.0
    };
    let (v, g) = value_and_grad(l)(&input(&c, "w")).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "value");
    close(&g, &c["outputs"]["grad"], TOL, "grad");
    close(
        &hessian(l)(&input(&c, "w")).unwrap(),
        &c["outputs"]["hessian"],
        1e-10,
        "hessian",
    );

    let rosen = |x: &Array| {
        let a = x.index(autobatch::s![..3]);
        let b = x.index(autobatch::s![1..]);
        (100.0 * (&b - &a * &a) * (&b - &a * &a) + (1.0 - &a) * (1.0 - &a)).sum()
    };
    let c = case("hessian_rosenbrock");
    let (v, g) = value_and_grad(rosen)(&input(&c, "x")).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "value");
    close(&g, &c["outputs"]["grad"], TOL, "grad");
    close(
        &hessian(rosen)(&input(&c, "x")).unwrap(),
        &c["outputs"]["hessian"],
        1e-10,
        "rosenbrock hessian",
    );
    let c = case("hvp_forward_over_reverse");
    let g = grad(rosen);
    let (_, hv) = jvp(|x: &Array| or_err(g(x)), &input(&c, "x"), &input(&c, "v")).unwrap();
    close(&hv, &c["outputs"]["hvp"], 1e-10, "hvp");

    let c = case("jacrev_softmax_axis1");
    let softmax = |m: &Array| {
        let e = (m - stop_gradient(&m.max_axes(&[1], true))).exp();
        &e / e.sum_axes(&[1], true)
    };
    close(
        &softmax(&input(&c, "M")),
        &c["outputs"]["value"],
        TOL,
        "softmax",
    );
    close(
        &jacrev(softmax)(&input(&c, "M")).unwrap(),
        &c["outputs"]["jacobian"],
        TOL,
        "jacrev softmax",
    );
}

#[test]
fn multiple_arguments_and_trees() {
    let f = |(a, b): &(Array, Array)| (a * b.exp()).sum() + (a * a * b).sum() - a.prod();
    let c = case("value_and_grad_two_args");
    let (v, (ga, gb)) = value_and_grad(f)(&(input(&c, "a"), input(&c, "b"))).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "value");
    close(&ga, &c["outputs"]["grad_a"], TOL, "grad_a");
    close(&gb, &c["outputs"]["grad_b"], TOL, "grad_b");
    let c = case("grad_default_argnum");
    let f2 = |a: &Array, b: &Array| (a * b.exp()).sum() + (a * a * b).sum() - a.prod();
    close(
        &grad(f2)(&input(&c, "a"), &input(&c, "b")).unwrap(),
        &c["outputs"]["grad_a"],
        TOL,
        "grad first arg",
    );

    let c = case("grad_pytree_params");
    let (x, y) = (input(&c, "X"), input(&c, "y"));
    let loss = |(w, b): &(Array, Array)| {
        let r = x.dot(w) + b - &y;
        (&r * &r).mean()
    };
    let (v, (gw, gb)) = value_and_grad(loss)(&(input(&c, "w"), input(&c, "b"))).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "value");
    close(&gw, &c["outputs"]["grad_w"], TOL, "grad_w");
    close(&gb, &c["outputs"]["grad_b"], TOL, "grad_b");

    let c = case("per_example_grads");
    let loss = |w: &Array, x: &Array, y: &Array| {
        let r = x.dot(w) - y;
        &r * &r + 0.1 * w.abs().sum()
    };
    let per_example = vmap_with(
        grad(loss),
        VmapOptions::new().in_axes([None, Some(0), Some(0)]),
    );
    let out = per_example(&input(&c, "w"), &input(&c, "X"), &input(&c, "Y")).unwrap();
    close(&out, &c["outputs"]["out"], TOL, "per-example grads");

    let c = case("grad_of_fn_using_vmap");
    let x = input(&c, "X");
    let big_f = |w: &Array| {
        let softplus = |z: &Array| (1.0 + z.exp()).log();
        or_err(vmap(|row: &Array| softplus(&row.dot(w)))(&x)).sum() + 0.5 * (w * w).sum()
    };
    let (v, g) = value_and_grad(big_f)(&input(&c, "w")).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "value");
    close(&g, &c["outputs"]["grad"], TOL, "grad");

    let c = case("grad_through_matmul_chain");
    let f = |(a, b): &(Array, Array), cm: &Array| (a.matmul(b).tanh().matmul(cm)).sum();
    let (v, (ga, gb)) =
        value_and_grad(f)(&(input(&c, "A"), input(&c, "B")), &input(&c, "C")).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "value");
    close(&ga, &c["outputs"]["grad_A"], TOL, "grad_A");
    close(&gb, &c["outputs"]["grad_B"], TOL, "grad_B");

    let c = case("vmap_grad_jit_two_batched");
    let cvec = input(&c, "c");
    let f = |x: &Array, s: &Array| (&cvec * (s * x).exp()).sum();
    let (gx, gs) =
        vmap(grad(|(x, s): &(Array, Array)| f(x, s)))(&(input(&c, "X"), input(&c, "s"))).unwrap();
    close(&gx, &c["outputs"]["grad_x"], TOL, "grad_x");
    close(&gs, &c["outputs"]["grad_s"], TOL, "grad_s");
}

#[test]
fn jax_conventions_at_kinks() {
    let c = case("grad_through_where");
    let f = |x: &Array| where_(x.gt(0.0), &(x * x), &(-3.0 * x)).sum();
    let (v, g) = value_and_grad(f)(&input(&c, "x")).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "value");
    close(&g, &c["outputs"]["grad"], TOL, "where");

    let c = case("grad_through_double_where");
    let f = |x: &Array| {
        let pos = x.gt(0.0);
        let safe = where_(&pos, x, 1.0);
        where_(&pos, safe.log(), 0.0).sum()
    };
    close(
        &grad(f)(&input(&c, "x")).unwrap(),
        &c["outputs"]["grad"],
        TOL,
        "double where",
    );

    let c = case("grad_through_max_reduction_ties");
    let (v, g) = value_and_grad(|x: &Array| x.max())(&input(&c, "x")).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "value");
    close(&g, &c["outputs"]["grad"], TOL, "max ties");
    let c = case("grad_through_max_reduction");
    close(
        &grad(|x: &Array| x.max())(&input(&c, "x")).unwrap(),
        &c["outputs"]["grad"],
        TOL,
        "max",
    );

    let c = case("grad_through_elementwise_maximum");
    let f = |(x, y): &(Array, Array)| {
        let m = x.maximum(y);
        (&m * &m).sum()
    };
    let (v, (gx, gy)) = value_and_grad(f)(&(input(&c, "x"), input(&c, "y"))).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "value");
    close(&gx, &c["outputs"]["grad_x"], TOL, "grad_x");
    close(&gy, &c["outputs"]["grad_y"], TOL, "grad_y");

    let c = case("grad_relu_abs_maximum_at_zero");
    let x = input(&c, "x");
    let relu = |x: &Array| where_(x.gt(0.0), x, 0.0).sum();
    close(
        &grad(relu)(&x).unwrap(),
        &c["outputs"]["grad_relu"],
        TOL,
        "relu",
    );
    close(
        &grad(|x: &Array| x.abs().sum())(&x).unwrap(),
        &c["outputs"]["grad_abs"],
        TOL,
        "abs",
    );
    close(
        &grad(|x: &Array| x.maximum(0.0).sum())(&x).unwrap(),
        &c["outputs"]["grad_maximum0"],
        TOL,
        "maximum0",
    );

    let logsumexp = |x: &Array| {
        let m = stop_gradient(&x.max());
        (x - &m).exp().sum().log() + m
    };
    let c = case("grad_through_logsumexp");
    let (v, g) = value_and_grad(logsumexp)(&input(&c, "x")).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "value");
    close(&g, &c["outputs"]["grad"], TOL, "logsumexp");
    let c = case("grad_through_logsumexp_axis1");
    let f = |m: &Array| {
        let mx = stop_gradient(&m.max_axes(&[1], true));
        let lse = ((m - &mx).exp().sum_axes(&[1], true).log() + mx).reshape(&[-1]);
        (lse * Array::from_vec(vec![1.0f64, -2.0], &[2])).sum()
    };
    let (v, g) = value_and_grad(f)(&input(&c, "M")).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "value");
    close(&g, &c["outputs"]["grad"], TOL, "logsumexp axis 1");

    let c = case("grad_stop_gradient");
    let f = |x: &Array| (x * stop_gradient(x) + stop_gradient(x).sin() * x * x).sum();
    let (v, g) = value_and_grad(f)(&input(&c, "x")).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "value");
    close(&g, &c["outputs"]["grad"], TOL, "stop_gradient");

    let c = case("grad_gather_duplicate_indices");
    let idx = common::array_i32(&c["inputs"]["idx"]);
    let f = |x: &Array| {
        let picked = x.cumsum(0).take(&idx, 0);
        (&picked * &picked).sum() + x.index(autobatch::s![1]) * x.index(autobatch::s![3])
    };
    let (v, g) = value_and_grad(f)(&input(&c, "x")).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "value");
    close(&g, &c["outputs"]["grad"], TOL, "gather");

    let c = case("grad_log_sigmoid_extremes");
    let z = input(&c, "z");
    // log sigmoid(z) by branch, each branch fed only values where it is stable (the
    // double-where pattern), so its derivative is exact everywhere, 0.5 at z = 0 included.
    let stable = |z: &Array| {
        let pos = z.ge(0.0);
        let zp = where_(&pos, z, 0.0);
        let zn = where_(&pos, 0.0, z);
        where_(&pos, &(-(-&zp).exp().log1p()), &(&zn - zn.exp().log1p())).sum()
    };
    let naive = |z: &Array| (-(1.0 + (-z).exp()).log()).sum();
    let (v, g) = value_and_grad(stable)(&z).unwrap();
    close(&v, &c["outputs"]["value_log_sigmoid"], TOL, "stable value");
    close(&g, &c["outputs"]["grad_log_sigmoid"], TOL, "stable grad");
    let (v, g) = value_and_grad(naive)(&z).unwrap();
    close(&v, &c["outputs"]["value_naive"], TOL, "naive value");
    close(&g, &c["outputs"]["grad_naive"], TOL, "naive grad");
}

#[test]
fn small_elbo_in_f64() {
    let c = case("elbo_value_and_grad_small");
    let (x, y) = (input(&c, "X"), input(&c, "y"));
    let log_joint = |b: &Array| {
        let z = b / 10.0;
        (-0.5 * &z * &z - (10f64.ln() + 0.5 * (2.0 * std::f64::consts::PI).ln())).sum()
            + (-(1.0 + (-(2.0 * &y - 1.0) * x.dot(b)).exp()).log()).sum()
    };
    let elbo = |(m, s): &(Array, Array), eps: &Array| {
        or_err(vmap(log_joint)(&(m + s.exp() * eps))).mean_axis(0)
            + (s - 0.5 * (2.0 * std::f64::consts::PI).ln()).sum()
    };
    let eps = input(&c, "epsilon");
    let (v, (gm, gs)) =
        value_and_grad(elbo)(&(input(&c, "beta_loc"), input(&c, "beta_log_scale")), &eps).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "elbo");
    close(&gm, &c["outputs"]["grad_beta_loc"], TOL, "grad loc");
    close(
        &gs,
        &c["outputs"]["grad_beta_log_scale"],
        TOL,
        "grad log scale",
    );
    let _ = Axes::All(None);
}
