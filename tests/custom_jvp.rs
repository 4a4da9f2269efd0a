//! custom_jvp: the user's rule is used by jvp, grad (transposed), under vmap, and in
//! nested derivatives.

use autobatch::{Array, Result, custom_jvp, grad, jvp, make_program, value_and_grad, vmap};

/// The identity with a deliberately "wrong" derivative 2, to see which rule is used.
fn doubled() -> impl Fn(&Array) -> Result<Array> {
    custom_jvp(
        |x: &Array| x.clone(),
        |x: &Array, t: &Array| (x.clone(), 2.0 * t),
    )
}

#[test]
fn forward_and_reverse_mode_use_the_rule() {
    let f = doubled();
    let x = Array::from_vec(vec![1.0f64, -3.0], &[2]);
    let (y, dy) = jvp(&f, &x, &Array::ones_like(&x)).unwrap();
    assert_eq!(y.to_vec::<f64>().unwrap(), vec![1.0, -3.0]);
    assert_eq!(dy.to_vec::<f64>().unwrap(), vec![2.0, 2.0]);
    let g = grad(|x: &Array| f(x).map(|y| (&y * &y).sum()))(&x).unwrap();
    // d/dx y^2 with dy/dx := 2: 2 * y * 2.
    assert_eq!(g.to_vec::<f64>().unwrap(), vec![4.0, -12.0]);
}

#[test]
fn the_rule_survives_vmap() {
    let f = doubled();
    let xs = Array::from_vec(vec![1.0f64, 2.0, 3.0, 4.0], &[2, 2]);
    let batched = vmap(&f)(&xs).unwrap();
    assert_eq!(batched.to_vec::<f64>().unwrap(), vec![1.0, 2.0, 3.0, 4.0]);
    let g = grad(|xs: &Array| vmap(&f)(xs).map(|y| y.sum()))(&xs).unwrap();
    assert_eq!(g.to_vec::<f64>().unwrap(), vec![2.0; 4]);
    let per_row = vmap(grad(|x: &Array| f(x).map(|y| y.sum())))(&xs).unwrap();
    assert_eq!(per_row.to_vec::<f64>().unwrap(), vec![2.0; 4]);
    let p = make_program(|xs: &Array| vmap(&f)(xs), &xs).unwrap();
    assert_eq!(p.count_primitive("custom_jvp_call"), 1, "{p}");
}

#[test]
fn stable_softplus_gradient_in_f32() {
    let sp = |x: &Array| x.maximum(0.0) + (-x.abs()).exp().log1p();
    let softplus = custom_jvp(sp, move |x: &Array, t: &Array| (sp(x), x.logistic() * t));
    let z = Array::from_vec(vec![-100.0f32, -1.0, 0.0, 1.0, 100.0], &[5]);
    let (v, g) = value_and_grad(|z: &Array| softplus(z).map(|y| y.sum()))(&z).unwrap();
    assert!(v.item::<f32>().unwrap().is_finite());
    let g = g.to_vec::<f32>().unwrap();
    let want: Vec<f32> = [-100.0f32, -1.0, 0.0, 1.0, 100.0]
        .iter()
        .map(|&x| 1.0 / (1.0 + (-x).exp()))
        .collect();
    for (a, b) in g.iter().zip(&want) {
        assert!((a - b).abs() < 1e-6, "{g:?}");
    }
}

#[test]
fn second_derivatives_differentiate_the_rule() {
    // exp with its rule written out: the second derivative comes from differentiating
    // the rule itself.
    let e = custom_jvp(
        |x: &Array| x.exp(),
        |x: &Array, t: &Array| (x.exp(), x.exp() * t),
    );
    let g1 = grad(move |x: &Array| e(x).map(|y| y.sum()));
    let g2 = grad(move |x: &Array| g1(x).map(|y| y.sum()));
    let x = Array::from_vec(vec![0.5f64], &[1]);
    assert!((g2(&x).unwrap().to_vec::<f64>().unwrap()[0] - 0.5f64.exp()).abs() < 1e-12);
}

#[test]
fn a_rule_with_the_wrong_shape_is_an_error() {
    let bad = custom_jvp(
        |x: &Array| x.clone(),
        |x: &Array, t: &Array| (x.clone(), t.sum()),
    );
    let err = bad(&Array::ones(&[3])).unwrap_err();
    assert_eq!(err.op(), "custom_jvp");
    assert!(
        err.message().contains("must return (outputs, tangents)"),
        "{err}"
    );
}
