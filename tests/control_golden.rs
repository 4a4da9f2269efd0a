//! The control-flow cases of `transforms.json` (JAX 0.10.2, float64): `scan`,
//! `fori_loop` and a batched `while_loop`, with derivatives.

mod common;
use autobatch::control::{fori_loop, scan, while_loop};
use autobatch::{Array, DType, grad, jit, value_and_grad, vmap};
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
        assert!(
            (a - b).abs() <= tol * (1.0 + b.abs()),
            "{what}[{i}]: {a} vs {b}"
        );
    }
}

const TOL: f64 = 1e-12;

/// The running product of `x` and all of its prefixes' products.
fn cumprod(x: &Array) -> autobatch::Result<(Array, Array)> {
    scan(
        |c: &Array, xk: &Array| {
            let p = c * xk;
            (p.clone(), p)
        },
        &Array::scalar(1.0f64),
        x,
    )
}

#[test]
fn scan_cumprod() {
    let c = case("scan_cumprod");
    let (last, ys) = cumprod(&input(&c, "x")).unwrap();
    close(&last, &c["outputs"]["final"], TOL, "final");
    close(&ys, &c["outputs"]["ys"], TOL, "ys");
    // The same under jit.
    let (last, ys) = jit(cumprod)(&input(&c, "x")).unwrap();
    close(&last, &c["outputs"]["final"], TOL, "jit final");
    close(&ys, &c["outputs"]["ys"], TOL, "jit ys");
}

fn sum_of_prefix_products(x: &Array) -> autobatch::Result<Array> {
    cumprod(x).map(|(_, ys)| ys.sum())
}

#[test]
fn grad_scan_cumprod() {
    let c = case("grad_scan_cumprod");
    let x = input(&c, "x");
    let (v, g) = value_and_grad(sum_of_prefix_products)(&x).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "value");
    close(&g, &c["outputs"]["grad"], TOL, "grad");
    let g = jit(grad(sum_of_prefix_products))(&x).unwrap();
    close(&g, &c["outputs"]["grad"], TOL, "jit grad");
}

#[test]
fn vmap_grad_scan_cumprod() {
    let c = case("vmap_grad_scan_cumprod");
    let g = vmap(grad(sum_of_prefix_products))(&input(&c, "X")).unwrap();
    close(&g, &c["outputs"]["out"], TOL, "out");
    let g = jit(vmap(grad(sum_of_prefix_products)))(&input(&c, "X")).unwrap();
    close(&g, &c["outputs"]["out"], TOL, "jit out");
}

/// `c_{i+1} = c_i - a sin(c_i) + 0.01 i`, eight steps.
fn iterate(x: &Array, a: &Array) -> autobatch::Result<Array> {
    fori_loop(
        0,
        8,
        |i: &Array, c: &Array| c - a * c.sin() + 0.01 * i.astype(DType::F64),
        x,
    )
}

#[test]
fn fori_loop_iteration() {
    let c = case("fori_loop_iteration");
    let out = iterate(&input(&c, "x"), &input(&c, "a")).unwrap();
    close(&out, &c["outputs"]["out"], TOL, "out");
}

#[test]
fn grad_fori_loop() {
    let c = case("grad_fori_loop");
    let f = |(x, a): &(Array, Array)| iterate(x, a).map(|c| (&c * &c).sum());
    let args = (input(&c, "x"), input(&c, "a"));
    let (v, (gx, ga)) = value_and_grad(f)(&args).unwrap();
    close(&v, &c["outputs"]["value"], TOL, "value");
    close(&gx, &c["outputs"]["grad_x"], TOL, "grad_x");
    close(&ga, &c["outputs"]["grad_a"], TOL, "grad_a");
}

/// Newton's iteration for `sqrt(a)` until `|x^2 - a| <= tol`; returns `(x, steps)`.
fn newton_sqrt(a: &Array, tol: &Array) -> autobatch::Result<(Array, Array)> {
    while_loop(
        |(x, _k): &(Array, Array)| (x * x - a).abs().gt(tol),
        |(x, k): &(Array, Array)| ((x + a / x) * 0.5, k + 1),
        &(a.clone(), Array::scalar(0i32)),
    )
}

#[test]
fn vmap_while_loop_newton_sqrt() {
    let c = case("vmap_while_loop_newton_sqrt");
    let (a, tol) = (input(&c, "a"), input(&c, "tol"));
    let (x, k) = vmap(newton_sqrt)(&a, &tol).unwrap();
    close(&x, &c["outputs"]["x"], TOL, "x");
    let want: Vec<i32> = common::ints(&c["outputs"]["iterations"])
        .iter()
        .map(|&i| i as i32)
        .collect();
    assert_eq!(k.to_vec::<i32>().unwrap(), want);
    let (x, k) = jit(vmap(newton_sqrt))(&a, &tol).unwrap();
    close(&x, &c["outputs"]["x"], TOL, "jit x");
    assert_eq!(k.to_vec::<i32>().unwrap(), want);
}
