//! The gamma family of samplers (`random::gamma`, `loggamma`, `beta`, `dirichlet`,
//! `chisquare`, `t`) and the distribution objects built on them: values from JAX,
//! Kolmogorov–Smirnov tests at fixed keys against exact CDFs (computed here in `f64`),
//! moments of the Dirichlet, `vmap`/`jit`, and error messages.

use autobatch::stats::Distribution;
use autobatch::stats::beta::Beta;
use autobatch::stats::chi2::Chi2;
use autobatch::stats::dirichlet::Dirichlet;
use autobatch::stats::gamma::Gamma;
use autobatch::stats::t::StudentT;
use autobatch::{Array, DType, jit, lax, random, vmap};

// ---------------------------------------------------------------------------------------
// Reference functions in f64.

/// `log Gamma(x)` for `x > 0`: Lanczos (g = 7, 9 terms, relative error ~1e-15), with the
/// reflection formula below 1/2.
fn ln_gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let t = x + 7.5;
    let series = G[1..]
        .iter()
        .enumerate()
        .fold(G[0], |s, (i, g)| s + g / (x + i as f64 + 1.0));
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + series.ln()
}

/// The regularized lower incomplete gamma function `P(a, x)` (the CDF of Gamma(a, 1)):
/// its power series for `x < a + 1`, else `1 - Q` with Lentz's continued fraction.
fn gamma_p(a: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x.is_infinite() {
        return 1.0;
    }
    let log_prefactor = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        let (mut term, mut sum, mut n) = (1.0 / a, 1.0 / a, a);
        while term.abs() > sum.abs() * 1e-17 {
            n += 1.0;
            term *= x / n;
            sum += term;
        }
        (sum * log_prefactor.exp()).min(1.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..10_000 {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            d = if d.abs() < tiny { tiny } else { d };
            c = b + an / c;
            c = if c.abs() < tiny { tiny } else { c };
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        1.0 - (log_prefactor.exp() * h).min(1.0)
    }
}

/// The continued fraction of the incomplete beta function (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    let tiny = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    d = if d.abs() < tiny { tiny } else { d };
    d = 1.0 / d;
    let mut h = d;
    for m in 1..10_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        for aa in [
            m * (b - m) * x / ((qam + m2) * (a + m2)),
            -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)),
        ] {
            d = 1.0 + aa * d;
            d = if d.abs() < tiny { tiny } else { d };
            c = 1.0 + aa / c;
            c = if c.abs() < tiny { tiny } else { c };
            d = 1.0 / d;
            h *= d * c;
        }
        let last = d * c;
        if (last - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// The regularized incomplete beta function `I_x(a, b)` (the CDF of Beta(a, b)).
fn beta_i(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let log_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (-x).ln_1p();
    if x < (a + 1.0) / (a + b + 2.0) {
        log_front.exp() * beta_cf(a, b, x) / a
    } else {
        1.0 - log_front.exp() * beta_cf(b, a, 1.0 - x) / b
    }
}

/// The CDF of Student's t with `df` degrees of freedom.
fn t_cdf(df: f64, t: f64) -> f64 {
    let tail = 0.5 * beta_i(df / 2.0, 0.5, df / (df + t * t));
    if t > 0.0 { 1.0 - tail } else { tail }
}

#[test]
fn reference_cdfs_match_closed_forms() {
    for x in [0.01, 0.3, 1.0, 2.5, 7.0, 30.0] {
        // Gamma(1) is Exp(1); Gamma(1/2) at x is erf(sqrt x); chi-square(2) is Exp(1/2).
        assert!(
            (gamma_p(1.0, x) - (1.0 - (-x).exp())).abs() < 1e-14,
            "P(1, {x})"
        );
        let erf = autobatch::special::erf(Array::scalar(x.sqrt()))
            .item::<f64>()
            .unwrap();
        assert!((gamma_p(0.5, x) - erf).abs() < 1e-14, "P(1/2, {x})");
        // t(1) is Cauchy.
        let cauchy = 0.5 + x.atan() / std::f64::consts::PI;
        assert!((t_cdf(1.0, x) - cauchy).abs() < 1e-14, "t_1({x})");
        assert!((t_cdf(1.0, -x) - (1.0 - cauchy)).abs() < 1e-14, "t_1(-{x})");
    }
    for x in [0.001, 0.2, 0.5, 0.9, 0.999] {
        assert!((beta_i(1.0, 1.0, x) - x).abs() < 1e-14);
        // Beta(2, 3): 6x^2 - 8x^3 + 3x^4; Beta(1/2, 1/2): (2/pi) asin(sqrt x).
        let b23 = 6.0 * x * x - 8.0 * x * x * x + 3.0 * x * x * x * x;
        assert!((beta_i(2.0, 3.0, x) - b23).abs() < 1e-14);
        let arcsine = 2.0 / std::f64::consts::PI * x.sqrt().asin();
        assert!((beta_i(0.5, 0.5, x) - arcsine).abs() < 1e-13);
    }
    // ln Gamma at integers and 1/2.
    assert!((ln_gamma(10.0) - 362_880f64.ln()).abs() < 1e-13);
    assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-14);
}

// ---------------------------------------------------------------------------------------
// Helpers.

fn draws(a: &Array) -> Vec<f64> {
    a.to_vec::<f64>().unwrap_or_else(|e| panic!("{e}"))
}

/// Element `i` along axis 0.
fn row(a: &Array, i: usize) -> Array {
    let mut start = vec![0; a.ndim()];
    let mut limit = a.shape().to_vec();
    start[0] = i;
    limit[0] = i + 1;
    let sliced = lax::slice(a, &start, &limit, &vec![1; a.ndim()]);
    lax::reshape(&sliced, &a.shape()[1..])
}

fn scalar(v: f64, dtype: DType) -> Array {
    Array::scalar(v).astype(dtype)
}

/// The Kolmogorov–Smirnov statistic of `xs` against `cdf`.
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

/// Asserts the KS statistic is below the 0.1% critical value `1.95 / sqrt(n)`, so a
/// correct sampler fails at a given key with probability 1e-3 (and the keys are fixed).
fn assert_ks(name: &str, xs: Vec<f64>, cdf: impl Fn(f64) -> f64) {
    assert!(xs.iter().all(|x| !x.is_nan()), "{name}: NaN draws");
    let n = xs.len();
    let d = ks(xs, cdf);
    let critical = 1.95 / (n as f64).sqrt();
    println!("{name}: KS D = {d:.5} (n = {n}, 0.1% critical value {critical:.5})");
    assert!(
        d < critical,
        "{name}: KS statistic {d} >= {critical} (n = {n})"
    );
}

const N: usize = 4000;

// ---------------------------------------------------------------------------------------
// JAX's values.

#[test]
fn gamma_f32_matches_jax_bit_for_bit() {
    // jax.random.gamma(jax.random.key(0), a, (8,), jnp.float32), JAX 0.10.2 on CPU, as bits.
    let cases: [(f32, [u32; 8]); 4] = [
        (
            0.3,
            [
                0x3f2117d2, 0x3f417972, 0x3bc3bb18, 0x3badc41e, 0x3db30a8d, 0x31ad2936, 0x3e311872,
                0x3e15d8d7,
            ],
        ),
        (
            1.0,
            [
                0x3f1e551e, 0x3f39edcf, 0x3eb3b791, 0x401930d5, 0x3fc9e115, 0x3f5eeb5f, 0x3f0dcd29,
                0x3d750030,
            ],
        ),
        (
            2.5,
            [
                0x40050bbf, 0x40117533, 0x3fc5a32e, 0x4096773a, 0x4066678e, 0x40214862, 0x3ffa99a8,
                0x3f391a08,
            ],
        ),
        (
            10.0,
            [
                0x4117ad50, 0x411e3904, 0x41045fef, 0x4164da60, 0x4146d1b1, 0x41264af7, 0x41137b97,
                0x40c14f50,
            ],
        ),
    ];
    let key = random::key(0);
    for (a, want) in cases {
        let got = random::gamma(&key, &Array::scalar(a), &[8], DType::F32);
        let got: Vec<u32> = got
            .to_vec::<f32>()
            .unwrap()
            .iter()
            .map(|v| v.to_bits())
            .collect();
        assert_eq!(got, want, "gamma(key(0), {a})");
    }
    // One shape per element: jax.random.gamma(key(42), jnp.array([0.3, 1, 2.5, 10], f32)).
    let a = Array::from_vec(vec![0.3f32, 1.0, 2.5, 10.0], &[4]);
    let got = random::gamma(&random::key(42), &a, &[4], DType::F32);
    let want = [
        0.43624743819236755,
        0.33158406615257263,
        4.194111347198486,
        8.321683883666992,
    ];
    assert_eq!(draws(&got), want);
    // jax.random.t(key(0), 4.0, (6,), jnp.float32) (f32 values, printed as f64).
    let got = random::t(&key, &Array::scalar(4.0f32), &[6], DType::F32);
    let want = [
        0.7160012722015381,
        -2.417440891265869,
        -1.414402961730957,
        -1.6585885286331177,
        -0.5337309241294861,
        0.6440130472183228,
    ];
    assert_eq!(draws(&got), want);
}

/// `got` within `rtol` of `want`, elementwise.
fn assert_close(name: &str, got: &Array, want: &[f64], rtol: f64) {
    let got = draws(got);
    assert_eq!(got.len(), want.len(), "{name}");
    for (g, w) in got.iter().zip(want) {
        assert!(
            (g - w).abs() <= rtol * w.abs(),
            "{name}: {g} vs JAX {w}\n{got:?}"
        );
    }
}

#[test]
fn log_space_samplers_match_jax_to_rounding() {
    // JAX 0.10.2 on CPU, key(0), float32. These go through log/exp, which differ from
    // XLA's by an ulp, so the values agree to a few ulp rather than bit for bit.
    let key = random::key(0);
    let f = |v: f64| Array::scalar(v as f32);
    let rtol = 4e-6;
    assert_close(
        "loggamma",
        &random::loggamma(&key, &f(0.3), &[6], DType::F32),
        &[
            -0.4631953835487366,
            -0.28003233671188354,
            -5.120467185974121,
            -5.239498138427734,
            -2.4370028972625732,
            -19.10593032836914,
        ],
        rtol,
    );
    assert_close(
        "beta",
        &random::beta(&key, &f(2.0), &f(3.0), &[6], DType::F32),
        &[
            0.2362736165523529,
            0.4904596507549286,
            0.6837948560714722,
            0.5423442721366882,
            0.4902370274066925,
            0.3394175171852112,
        ],
        rtol,
    );
    let alpha = Array::from_vec(vec![1.0f32, 2.0, 3.0], &[3]);
    assert_close(
        "dirichlet",
        &random::dirichlet(&key, &alpha, &[2], DType::F32),
        &[
            0.14228561520576477,
            0.40488260984420776,
            0.45283180475234985,
            0.28478530049324036,
            0.351531058549881,
            0.36368367075920105,
        ],
        rtol,
    );
    assert_close(
        "chisquare",
        &random::chisquare(&key, &f(3.0), &[6], DType::F32),
        &[
            2.2050840854644775,
            2.489966869354248,
            1.4557135105133057,
            6.424534797668457,
            4.5717902183532715,
            2.861555337905884,
        ],
        rtol,
    );
}

#[test]
fn f64_samplers_match_jax_x64_to_rounding() {
    // JAX 0.10.2 with jax_enable_x64 on CPU, key(0), float64 (normals in f64 agree with
    // JAX's to a few ulp, so the draws do too).
    let key = random::key(0);
    let f = |v: f64| Array::scalar(v);
    let rtol = 1e-13;
    assert_close(
        "gamma 0.3 f64",
        &random::gamma(&key, &f(0.3), &[4], DType::F64),
        &[
            0.01796465549854392,
            0.0002857351313744683,
            0.15547210617377866,
            3.867942617650118e-06,
        ],
        rtol,
    );
    assert_close(
        "gamma 2.5 f64",
        &random::gamma(&key, &f(2.5), &[4], DType::F64),
        &[
            1.8048802000827677,
            1.5385596967070414,
            4.442491722277749,
            0.38063057275134227,
        ],
        rtol,
    );
    assert_close(
        "beta f64",
        &random::beta(&key, &f(2.0), &f(3.0), &[4], DType::F64),
        &[
            0.3279560651142136,
            0.6138090084766978,
            0.7601342122657357,
            0.017005095087795453,
        ],
        rtol,
    );
    assert_close(
        "t f64",
        &random::t(&key, &f(4.0), &[4], DType::F64),
        &[
            1.4388140107357852,
            -0.5761896547622787,
            0.9048037143742826,
            2.2456968546971896,
        ],
        rtol,
    );
}

// ---------------------------------------------------------------------------------------
// Distributions: Kolmogorov–Smirnov tests at fixed keys.

#[test]
fn gamma_passes_kolmogorov_smirnov() {
    let key = random::key(2024);
    for (i, a) in [0.3, 1.0, 2.5, 10.0].into_iter().enumerate() {
        let k = random::fold_in(&key, i as u32);
        let x = random::gamma(&k, &scalar(a, DType::F32), &[N], DType::F32);
        assert_eq!((x.shape(), x.dtype()), (&[N][..], DType::F32));
        let xs = draws(&x);
        assert!(xs.iter().all(|&v| v >= 0.0), "gamma({a}) < 0");
        assert_ks(&format!("gamma({a}) f32"), xs, |v| gamma_p(a, v));
    }
    // f64, and a shape parameter per column: column j is Gamma(a_j).
    let a = [0.3, 4.0];
    let x = random::gamma(
        &random::fold_in(&key, 10),
        &Array::from_vec(a.to_vec(), &[2]),
        &[N, 2],
        DType::F64,
    );
    assert_eq!(x.dtype(), DType::F64);
    let xs = draws(&x);
    for (j, &aj) in a.iter().enumerate() {
        let col: Vec<f64> = xs.iter().skip(j).step_by(2).copied().collect();
        assert_ks(&format!("gamma({aj}) f64 column {j}"), col, |v| {
            gamma_p(aj, v)
        });
    }
}

#[test]
fn loggamma_passes_kolmogorov_smirnov_for_tiny_shapes() {
    // For a = 0.05 most draws of Gamma(a) underflow f32; their logs do not.
    let key = random::key(77);
    for (dtype, a) in [(DType::F32, 0.05), (DType::F64, 0.01), (DType::F32, 3.0)] {
        let x = random::loggamma(&key, &scalar(a, dtype), &[N], dtype);
        let xs = draws(&x);
        assert!(xs.iter().all(|v| v.is_finite()), "loggamma({a}) not finite");
        assert_ks(&format!("loggamma({a}) {dtype}"), xs, |y| {
            gamma_p(a, y.exp())
        });
    }
}

#[test]
fn beta_chisquare_and_t_pass_kolmogorov_smirnov() {
    let key = random::key(31);
    let k = |i: u32| random::fold_in(&key, i);
    for (i, (a, b)) in [(2.0, 3.0), (0.5, 0.5), (0.2, 5.0), (20.0, 7.0)]
        .into_iter()
        .enumerate()
    {
        let x = random::beta(
            &k(i as u32),
            &scalar(a, DType::F32),
            &scalar(b, DType::F32),
            &[N],
            DType::F32,
        );
        let xs = draws(&x);
        assert!(
            xs.iter().all(|v| (0.0..=1.0).contains(v)),
            "beta({a}, {b}) outside [0, 1]"
        );
        assert_ks(&format!("beta({a}, {b})"), xs, |v| beta_i(a, b, v));
    }
    for (i, df) in [1.0, 3.0, 10.0].into_iter().enumerate() {
        let x = random::chisquare(&k(10 + i as u32), &scalar(df, DType::F32), &[N], DType::F32);
        assert_ks(&format!("chisquare({df})"), draws(&x), |v| {
            gamma_p(df / 2.0, v / 2.0)
        });
    }
    for (i, (df, dtype)) in [(1.0, DType::F32), (4.0, DType::F64), (30.0, DType::F32)]
        .into_iter()
        .enumerate()
    {
        let x = random::t(&k(20 + i as u32), &scalar(df, dtype), &[N], dtype);
        assert_eq!(x.dtype(), dtype);
        assert_ks(&format!("t({df}) {dtype}"), draws(&x), |v| t_cdf(df, v));
    }
}

#[test]
fn dirichlet_moments_and_beta_marginals() {
    let alpha = [0.3, 1.0, 2.5, 6.0];
    let total: f64 = alpha.iter().sum();
    let k = alpha.len();
    let x = random::dirichlet(
        &random::key(5),
        &Array::from_vec(alpha.to_vec(), &[k]),
        &[N],
        DType::F64,
    );
    assert_eq!(x.shape(), &[N, k]);
    let xs = draws(&x);
    for row in xs.chunks(k) {
        assert!(row.iter().all(|&v| (0.0..=1.0).contains(&v)));
        assert!((row.iter().sum::<f64>() - 1.0).abs() < 1e-12);
    }
    for (i, &ai) in alpha.iter().enumerate() {
        let col: Vec<f64> = xs.iter().skip(i).step_by(k).copied().collect();
        // Mean a_i / A, within 4 standard errors (variance a_i (A - a_i) / (A^2 (A + 1))).
        let mean = col.iter().sum::<f64>() / N as f64;
        let want = ai / total;
        let var = ai * (total - ai) / (total * total * (total + 1.0));
        let se = (var / N as f64).sqrt();
        println!("dirichlet component {i}: mean {mean:.5} vs {want:.5} (se {se:.5})");
        assert!(
            (mean - want).abs() < 4.0 * se,
            "component {i}: mean {mean} vs {want}"
        );
        // Each marginal is Beta(a_i, A - a_i).
        assert_ks(&format!("dirichlet marginal {i}"), col, |v| {
            beta_i(ai, total - ai, v)
        });
    }
    // f32, a batch of concentration vectors: row j of alpha drives column j of the draws.
    let alpha = Array::from_vec(vec![1.0f32, 1.0, 50.0, 1.0], &[2, 2]);
    let x = random::dirichlet(&random::key(6), &alpha, &[500, 2], DType::F32);
    assert_eq!(x.shape(), &[500, 2, 2]);
    let first = draws(&x.mean_axes(&[0], false));
    assert!(
        (first[0] - 0.5).abs() < 0.05 && (first[2] - 50.0 / 51.0).abs() < 0.01,
        "{first:?}"
    );
}

// ---------------------------------------------------------------------------------------
// Keys, broadcasting, transforms.

#[test]
fn parameters_broadcast_like_jax() {
    let key = random::key(9);
    // An array of equal shape parameters gives the same draws as the scalar: element i
    // always uses key i of split(key, size).
    let scalar_a = random::gamma(&key, &Array::scalar(2.5f32), &[2, 3], DType::F32);
    let full_a = random::gamma(
        &key,
        &Array::full_of(&[2, 3], 2.5, DType::F32),
        &[2, 3],
        DType::F32,
    );
    let row_a = random::gamma(
        &key,
        &Array::full_of(&[1, 3], 2.5, DType::F32),
        &[2, 3],
        DType::F32,
    );
    let want = draws(&scalar_a);
    assert_eq!(draws(&full_a), want);
    assert_eq!(draws(&row_a), want);
    assert_eq!(scalar_a.shape(), &[2, 3]);
    // Integer parameters are converted, as in JAX.
    let int_a = random::gamma(&key, &Array::scalar(2i32), &[3], DType::F32);
    assert_eq!(
        draws(&int_a),
        draws(&random::gamma(
            &key,
            &Array::scalar(2.0f32),
            &[3],
            DType::F32
        ))
    );
    // A scalar result, and an empty one.
    assert_eq!(
        random::beta(
            &key,
            &Array::scalar(1.0f32),
            &Array::scalar(1.0f32),
            &[],
            DType::F32
        )
        .shape(),
        &[] as &[usize]
    );
    assert_eq!(
        random::chisquare(&key, &Array::scalar(1.0f32), &[0, 3], DType::F32).shape(),
        &[0, 3]
    );
}

#[test]
fn vmap_over_keys_equals_per_key_calls() {
    let keys = random::split(&random::key(11), 16);
    let a = Array::scalar(2.5f32);
    let batched = vmap(|k: &Array| random::gamma(k, &a, &[], DType::F32))(&keys).unwrap();
    assert_eq!(batched.shape(), &[16]);
    let per_key: Vec<f64> = (0..16)
        .map(|i| {
            let k = row(&keys, i);
            random::gamma(&k, &a, &[], DType::F32)
                .item::<f32>()
                .unwrap() as f64
        })
        .collect();
    assert_eq!(draws(&batched), per_key);

    // Keys and shape parameters batched together, small a included.
    let alphas = Array::from_vec((0..16).map(|i| 0.1 + i as f32).collect(), &[16]);
    let f = |k: &Array, a: &Array| random::gamma(k, a, &[3], DType::F32);
    let batched = vmap(f)(&keys, &alphas).unwrap();
    assert_eq!(batched.shape(), &[16, 3]);
    for i in [0usize, 7, 15] {
        let k = row(&keys, i);
        let a = row(&alphas, i);
        let row = row(&batched, i);
        assert_eq!(draws(&row), draws(&f(&k, &a)), "example {i}");
    }

    // The family under vmap and jit.
    let t_draws =
        vmap(|k: &Array| random::t(k, &Array::scalar(3.0f64), &[2], DType::F64))(&keys).unwrap();
    assert_eq!(t_draws.shape(), &[16, 2]);
    let k0 = row(&keys, 0);
    let beta = |k: &Array| {
        random::beta(
            k,
            &Array::scalar(0.5f32),
            &Array::scalar(2.0f32),
            &[5],
            DType::F32,
        )
    };
    assert_eq!(draws(&jit(beta)(&k0).unwrap()), draws(&beta(&k0)));
    let dir = |k: &Array| {
        random::dirichlet(
            k,
            &Array::from_vec(vec![0.5f32, 1.0, 2.0], &[3]),
            &[4],
            DType::F32,
        )
    };
    let sums = draws(&vmap(dir)(&keys).unwrap().sum_axis(-1));
    assert_eq!(sums.len(), 16 * 4);
    assert!(sums.iter().all(|s| (s - 1.0).abs() < 1e-6));
}

// ---------------------------------------------------------------------------------------
// Distribution objects.

#[test]
fn distribution_objects_sample_from_their_laws() {
    let key = random::key(123);
    let k = |i: u32| random::fold_in(&key, i);
    // Gamma(2, rate 4): X * 4 ~ Gamma(2).
    let x = Gamma::new(2.0, 4.0).sample(&k(0), &[N]);
    assert_eq!(x.dtype(), DType::F32);
    assert_ks("Gamma(2, rate 4)", draws(&x), |v| gamma_p(2.0, 4.0 * v));
    // Beta with a batch of parameters.
    let d = Beta::new(Array::from_vec(vec![0.5f64, 3.0], &[2]), 2.0);
    let x = d.sample(&k(1), &[N]);
    assert_eq!((x.shape(), x.dtype()), (&[N, 2][..], DType::F64));
    let xs = draws(&x);
    let col1: Vec<f64> = xs.iter().skip(1).step_by(2).copied().collect();
    assert_ks("Beta(3, 2) column", col1, |v| beta_i(3.0, 2.0, v));
    // StudentT(5, loc 1, scale 2).
    let x = StudentT::new(5.0, 1.0, 2.0).sample(&k(2), &[N]);
    assert_ks("StudentT(5, 1, 2)", draws(&x), |v| {
        t_cdf(5.0, (v - 1.0) / 2.0)
    });
    // Dirichlet: event axis last.
    let d = Dirichlet::new(Array::from_vec(
        vec![1.0f32, 2.0, 3.0, 1.0, 1.0, 1.0],
        &[2, 3],
    ));
    assert_eq!(d.batch_shape(), vec![2]);
    let x = d.sample(&k(3), &[7]);
    assert_eq!(x.shape(), &[7, 2, 3]);
    assert_eq!(d.log_prob(&x).shape(), &[7, 2]);
    // Chi2(3) = 2 Gamma(3/2), and the same draws as `random::chisquare`.
    let d = Chi2::new(3.0);
    let x = d.sample(&k(5), &[N]);
    assert_ks("Chi2(3)", draws(&x), |v| gamma_p(1.5, v / 2.0));
    let direct = random::chisquare(&k(5), &Array::scalar(3.0f32), &[N], DType::F32);
    assert_eq!(draws(&x), draws(&direct));
    // Its density: df = 4 gives x e^(-x/2) / 4.
    let lp = d_log_prob_chi2(4.0, 3.0);
    assert!((lp - (3.0f64.ln() - 1.5 - 4f64.ln())).abs() < 1e-14, "{lp}");
    // Through the trait.
    let dists: Vec<Box<dyn Distribution>> = vec![
        Box::new(Chi2::new(Array::ones(&[3]))),
        Box::new(Gamma::new(Array::ones(&[3]), 1.0)),
        Box::new(Beta::new(1.0, 1.0)),
        Box::new(StudentT::new(3.0, Array::zeros(&[3]), 1.0)),
    ];
    for d in &dists {
        let x = d.sample(&k(4), &[5]);
        let lp = d.log_prob(&x);
        assert_eq!(x.shape()[0], 5);
        assert!(draws(&lp).iter().all(|v| v.is_finite()));
    }
    // log_prob against the reference density: Gamma(2, rate 4) at 0.5 is 16 * 0.5 * e^-2.
    let lp = Gamma::new(2.0, 4.0)
        .log_prob(Array::scalar(0.5f64))
        .item::<f64>()
        .unwrap();
    assert!((lp - (8.0f64.ln() - 2.0)).abs() < 1e-14);
}

fn d_log_prob_chi2(df: f64, x: f64) -> f64 {
    Chi2::new(df)
        .log_prob(Array::scalar(x))
        .item::<f64>()
        .unwrap()
}

// ---------------------------------------------------------------------------------------
// Errors.

fn message(a: &Array) -> (String, String) {
    let e = a.check().expect_err("expected an error array");
    (e.op().to_string(), e.to_string())
}

#[test]
fn bad_input_gives_clear_errors() {
    let key = random::key(0);
    let a = Array::from_vec(vec![1.0f32, 2.0], &[2]);

    let (op, msg) = message(&random::gamma(&key, &a, &[3], DType::F32));
    assert_eq!(op, "gamma");
    assert!(
        msg.contains("parameter `a` of shape [2] does not broadcast to shape [3]"),
        "{msg}"
    );
    // Broadcasting must give `shape` itself (the parameter cannot add axes).
    let (_, msg) = message(&random::gamma(
        &key,
        &Array::ones(&[2, 2]),
        &[2],
        DType::F32,
    ));
    assert!(
        msg.contains("[2, 2] does not broadcast to shape [2]"),
        "{msg}"
    );

    let (op, msg) = message(&random::gamma(&key, &a, &[2], DType::I32));
    assert_eq!(op, "gamma");
    assert!(msg.contains("float dtype") && msg.contains("i32"), "{msg}");

    let (op, msg) = message(&random::gamma(&Array::zeros(&[3]), &a, &[2], DType::F32));
    assert_eq!(op, "gamma");
    assert!(
        msg.contains("a key is a u32 array of shape [2]") && msg.contains("f32 [3]"),
        "{msg}"
    );

    let (op, msg) = message(&random::loggamma(
        &key,
        &Array::scalar(true),
        &[2],
        DType::F32,
    ));
    assert_eq!(op, "loggamma");
    assert!(msg.contains("must be numeric, got bool"), "{msg}");

    let (op, msg) = message(&random::beta(
        &key,
        &Array::scalar(1.0f32),
        &a,
        &[4],
        DType::F32,
    ));
    assert_eq!(op, "beta");
    assert!(
        msg.contains("parameter `b` of shape [2] does not broadcast to shape [4]"),
        "{msg}"
    );

    let (op, msg) = message(&random::chisquare(&key, &a, &[5], DType::F64));
    assert_eq!(op, "chisquare");
    assert!(msg.contains("parameter `df`"), "{msg}");

    let (op, msg) = message(&random::t(&key, &a, &[2], DType::Bool));
    assert_eq!(op, "t");
    assert!(msg.contains("float dtype"), "{msg}");

    let (op, msg) = message(&random::dirichlet(
        &key,
        &Array::scalar(1.0f32),
        &[],
        DType::F32,
    ));
    assert_eq!(op, "dirichlet");
    assert!(msg.contains("at least one axis"), "{msg}");
    let (op, msg) = message(&random::dirichlet(
        &key,
        &Array::ones(&[4, 3]),
        &[5],
        DType::F32,
    ));
    assert_eq!(op, "dirichlet");
    assert!(
        msg.contains("batch shape [4] of alpha [4, 3] does not broadcast to shape [5]"),
        "{msg}"
    );

    // An error parameter propagates unchanged.
    let bad = Array::from_vec(vec![1.0f32], &[2]);
    let want = bad.check().unwrap_err();
    assert_eq!(
        random::gamma(&key, &bad, &[2], DType::F32)
            .check()
            .unwrap_err(),
        want
    );

    // Distribution objects name themselves.
    let (op, msg) = message(&Gamma::new(Array::ones(&[2]), Array::ones(&[3])).sample(&key, &[4]));
    assert_eq!(op, "Gamma.sample");
    assert!(msg.contains("do not broadcast"), "{msg}");
    let (op, _) = message(&Dirichlet::new(2.0).sample(&key, &[4]));
    assert_eq!(op, "Dirichlet.sample");
    let (op, _) =
        message(&StudentT::new(Array::ones(&[2]), Array::ones(&[3]), 1.0).sample(&key, &[1]));
    assert_eq!(op, "StudentT.sample");
}
