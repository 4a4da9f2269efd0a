//! Every sampler at a fixed key, 10^5 draws: a Kolmogorov–Smirnov test against the exact
//! CDF (continuous) or a chi-square test (discrete), and mean and variance within 3 sigma
//! where they exist.

use autobatch::{Array, DType, random, special};

const N: usize = 100_000;

fn draws(a: Array) -> Vec<f64> {
    a.to_vec::<f64>().unwrap_or_else(|e| panic!("{e}"))
}

/// The KS statistic of `xs` against `cdf`.
fn ks(mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    xs.iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).abs().max(((i + 1) as f64 / n - f).abs())
        })
        .fold(0.0, f64::max)
}

/// The 0.1% critical value of the KS statistic for `N` draws.
fn ks_critical() -> f64 {
    1.95 / (N as f64).sqrt()
}

fn check_moments(name: &str, xs: &[f64], mean: f64, var: f64) {
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n;
    assert!(
        (m - mean).abs() <= 3.0 * (var / n).sqrt(),
        "{name}: mean {m} vs {mean}"
    );
    // The variance of the sample variance is about (mu4 - var^2)/n; 3 sigma with mu4 <= 9 var^2.
    assert!(
        (v - var).abs() <= 3.0 * (8.0 * var * var / n).sqrt(),
        "{name}: var {v} vs {var}"
    );
}

fn phi(x: f64) -> f64 {
    special::ndtr(Array::scalar(x)).item::<f64>().unwrap()
}

#[test]
fn continuous_samplers_pass_kolmogorov_smirnov() {
    let key = random::key(2024);
    let k = |i: u32| random::fold_in(&key, i);
    type Case = (
        &'static str,
        Array,
        Box<dyn Fn(f64) -> f64>,
        Option<(f64, f64)>,
    );
    let cases: Vec<Case> = vec![
        (
            "uniform",
            random::uniform(&k(0), &[N], DType::F32),
            Box::new(|x| x.clamp(0.0, 1.0)),
            Some((0.5, 1.0 / 12.0)),
        ),
        (
            "normal f32",
            random::normal(&k(1), &[N], DType::F32),
            Box::new(phi),
            Some((0.0, 1.0)),
        ),
        (
            "normal f64",
            random::normal(&k(2), &[N], DType::F64),
            Box::new(phi),
            Some((0.0, 1.0)),
        ),
        (
            "exponential",
            random::exponential(&k(3), &[N], DType::F32),
            Box::new(|x| 1.0 - (-x).exp()),
            Some((1.0, 1.0)),
        ),
        (
            "cauchy",
            random::cauchy(&k(4), &[N], DType::F32),
            Box::new(|x| 0.5 + x.atan() / std::f64::consts::PI),
            None,
        ),
        (
            "laplace",
            random::laplace(&k(5), &[N], DType::F32),
            Box::new(|x| {
                if x < 0.0 {
                    0.5 * x.exp()
                } else {
                    1.0 - 0.5 * (-x).exp()
                }
            }),
            Some((0.0, 2.0)),
        ),
        (
            "logistic",
            random::logistic(&k(6), &[N], DType::F32),
            Box::new(|x| 1.0 / (1.0 + (-x).exp())),
            Some((0.0, std::f64::consts::PI.powi(2) / 3.0)),
        ),
        (
            "gumbel",
            random::gumbel(&k(7), &[N], DType::F32),
            Box::new(|x| (-(-x).exp()).exp()),
            Some((0.577_215_664_901_532_9, std::f64::consts::PI.powi(2) / 6.0)),
        ),
    ];
    for (name, sample, cdf, moments) in cases {
        let xs = draws(sample);
        assert_eq!(xs.len(), N);
        let d = ks(xs.clone(), cdf);
        assert!(
            d < ks_critical(),
            "{name}: KS statistic {d} >= {}",
            ks_critical()
        );
        if let Some((mean, var)) = moments {
            check_moments(name, &xs, mean, var);
        }
    }
    // Truncated normal on [-1, 2].
    let xs = draws(random::truncated_normal(&k(8), -1.0, 2.0, &[N], DType::F64));
    let (a, b) = (phi(-1.0), phi(2.0));
    let d = ks(xs, |x| ((phi(x) - a) / (b - a)).clamp(0.0, 1.0));
    assert!(d < ks_critical(), "truncated_normal: KS statistic {d}");
}

/// Pearson's chi-square statistic of observed counts against expected probabilities.
fn chi_square(counts: &[usize], probs: &[f64]) -> f64 {
    let n: usize = counts.iter().sum();
    counts
        .iter()
        .zip(probs)
        .map(|(&c, &p)| {
            let e = p * n as f64;
            (c as f64 - e).powi(2) / e
        })
        .sum()
}

fn counts(values: &[i64], k: usize) -> Vec<usize> {
    let mut c = vec![0; k];
    for &v in values {
        c[v as usize] += 1;
    }
    c
}

#[test]
fn discrete_samplers_pass_chi_square() {
    let key = random::key(77);
    // 0.1% critical values of chi-square: 1 dof 10.83, 4 dof 18.47, 6 dof 22.46.
    let b: Vec<i64> = random::bernoulli(&key, 0.3, &[N])
        .to_vec::<bool>()
        .unwrap()
        .into_iter()
        .map(i64::from)
        .collect();
    let x = chi_square(&counts(&b, 2), &[0.7, 0.3]);
    assert!(x < 10.83, "bernoulli chi-square {x}");
    check_moments(
        "bernoulli",
        &b.iter().map(|&v| v as f64).collect::<Vec<_>>(),
        0.3,
        0.21,
    );

    let r: Vec<i64> = random::randint(&random::fold_in(&key, 1), &[N], -3, 4)
        .to_vec::<i32>()
        .unwrap()
        .into_iter()
        .map(|v| i64::from(v) + 3)
        .collect();
    let x = chi_square(&counts(&r, 7), &[1.0 / 7.0; 7]);
    assert!(x < 22.46, "randint chi-square {x}");

    let probs = [0.1, 0.2, 0.3, 0.15, 0.25];
    let logits: Vec<f32> = probs.iter().map(|p: &f64| p.ln() as f32).collect();
    let logits = Array::from_vec(logits, &[1, 5]).broadcast_to(&[N, 5]);
    let c: Vec<i64> = random::categorical(&random::fold_in(&key, 2), &logits, -1)
        .to_vec::<i32>()
        .unwrap()
        .into_iter()
        .map(i64::from)
        .collect();
    let x = chi_square(&counts(&c, 5), &probs);
    assert!(x < 18.47, "categorical chi-square {x}");
}
