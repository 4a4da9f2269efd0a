//! `special::arctan` and `stats::cauchy::cdf`: values against `f64::atan`, derivatives
//! by finite differences, batching.

use autobatch::{Array, grad, special::arctan, stats::cauchy, vmap};

#[test]
fn arctan_matches_std_to_the_last_bits() {
    let xs: Vec<f64> = (-4000..=4000)
        .map(|i| (i as f64 * 0.0137).powi(3))
        .chain([0.0, -0.0, 1e-300, 1e300, f64::INFINITY, f64::NEG_INFINITY])
        .collect();
    let got = arctan(Array::from_slice(&xs, &[xs.len()]))
        .to_vec::<f64>()
        .unwrap();
    for (x, g) in xs.iter().zip(&got) {
        let want = x.atan();
        assert!(
            (g - want).abs() <= 4e-16 * want.abs().max(1e-300),
            "atan({x}) = {g}, want {want}"
        );
    }
    assert!(
        arctan(Array::scalar(f64::NAN))
            .item::<f64>()
            .unwrap()
            .is_nan()
    );
    let f32s = arctan(Array::from_vec(vec![0.5f32, -3.0], &[2]));
    assert_eq!(
        f32s.to_vec::<f32>().unwrap(),
        vec![0.5f32.atan(), (-3.0f32).atan()]
    );
}

#[test]
fn arctan_derivative_is_one_over_one_plus_x_squared() {
    let xs = Array::from_vec(vec![-30.0f64, -2.0, -0.5, 0.0, 0.3, 1.0, 5.0], &[7]);
    let g = grad(|x: &Array| arctan(x).sum())(&xs)
        .unwrap()
        .to_vec::<f64>()
        .unwrap();
    for (x, d) in xs.to_vec::<f64>().unwrap().iter().zip(&g) {
        let want = 1.0 / (1.0 + x * x);
        assert!(
            (d - want).abs() <= 1e-14 * want.max(1e-3),
            "d/dx atan at {x}: {d} vs {want}"
        );
    }
}

#[test]
fn cauchy_cdf() {
    let x = Array::from_vec(vec![-10.0f64, -1.0, 0.0, 2.0, 50.0], &[5]);
    let got = cauchy::cdf(&x, 1.0, 2.0).to_vec::<f64>().unwrap();
    for (xv, c) in x.to_vec::<f64>().unwrap().iter().zip(&got) {
        let want = 0.5 + ((xv - 1.0) / 2.0).atan() / std::f64::consts::PI;
        assert!((c - want).abs() < 1e-15, "{c} vs {want}");
    }
    let batched =
        vmap(|l: &Array| cauchy::cdf(0.0, l, 1.0))(&Array::from_vec(vec![-1.0f64, 1.0], &[2]))
            .unwrap();
    let b = batched.to_vec::<f64>().unwrap();
    assert!((b[0] - 0.75).abs() < 1e-16 && (b[1] - 0.25).abs() < 1e-16);
    // The density is the derivative of the cdf.
    let d = grad(|x: &Array| cauchy::cdf(x, 0.0, 1.0).sum())(&Array::from_vec(vec![0.7f64], &[1]))
        .unwrap();
    let p = cauchy::pdf(Array::scalar(0.7f64), 0.0, 1.0)
        .item::<f64>()
        .unwrap();
    assert!((d.to_vec::<f64>().unwrap()[0] - p).abs() < 1e-15);
}
