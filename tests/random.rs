//! The PRNG against JAX 0.10.2 (CPU, `tests/data/{threefry,prng}.json`): the Threefry
//! primitive; keys, split, fold_in, bits, uniform, normal (f32) and bernoulli bit for bit;
//! x64-mode uniform/normal f64; the notebook's sampling loop; vmap over keys; tracing;
//! and the other samplers by their defining properties.

mod common;
use autobatch::{Array, DType, lax, make_program, random, vmap};
use serde_json::Value;

fn u32s(v: &Value) -> Vec<u32> {
    common::ints(v).into_iter().map(|x| x as u32).collect()
}

fn seed_of(v: &Value) -> i64 {
    v.as_i64()
        .unwrap_or_else(|| v.as_str().unwrap().parse().unwrap())
}

fn shape_of(name: &str) -> Vec<usize> {
    if name == "scalar" {
        return vec![];
    }
    name.split('x').map(|d| d.parse().unwrap()).collect()
}

fn ulps(a: f32, b: f32) -> i64 {
    let key = |x: f32| {
        let i = x.to_bits() as i32 as i64;
        if i < 0 { i64::from(i32::MIN) - i } else { i }
    };
    (key(a) - key(b)).abs()
}

fn bits_of(v: Vec<f32>) -> Vec<u32> {
    v.into_iter().map(f32::to_bits).collect()
}

fn per_seed(data: &Value) -> impl Iterator<Item = (i64, Array, &Value)> {
    data["per_seed"].as_array().unwrap().iter().map(|case| {
        let seed = seed_of(&case["seed"]);
        (seed, random::key(seed), case)
    })
}

#[test]
fn threefry_primitive_matches_block_and_array_cases() {
    let data = common::load("threefry.json");
    for case in data["block_cases"].as_array().unwrap() {
        let (k, x) = (u32s(&case["key"]), u32s(&case["x"]));
        let s = |v: u32| Array::scalar(v);
        let (y0, y1) = lax::threefry2x32(&s(k[0]), &s(k[1]), &s(x[0]), &s(x[1]));
        let got = vec![y0.item::<u32>().unwrap(), y1.item::<u32>().unwrap()];
        assert_eq!(got, u32s(&case["out"]), "{}", case["name"]);
    }
    // JAX's array form: pad the flattened count to even length, pair its halves as
    // (x0, x1), output concat(y0, y1) without the padding, in count's shape.
    for case in data["array_cases"].as_array().unwrap() {
        let k = u32s(&case["key"]);
        let mut count = u32s(&case["count"]);
        let n = count.len();
        if n % 2 == 1 {
            count.push(0);
        }
        let half = count.len() / 2;
        let x0 = Array::from_vec(count[..half].to_vec(), &[half]);
        let x1 = Array::from_vec(count[half..].to_vec(), &[half]);
        let k0 = lax::broadcast_in_dim(&Array::scalar(k[0]), &[half], &[]);
        let k1 = lax::broadcast_in_dim(&Array::scalar(k[1]), &[half], &[]);
        let (y0, y1) = lax::threefry2x32(&k0, &k1, &x0, &x1);
        let mut out = y0.to_vec::<u32>().unwrap();
        out.extend(y1.to_vec::<u32>().unwrap());
        out.truncate(n);
        assert_eq!(out, u32s(&case["out"]), "{}", case["name"]);
        assert_eq!(common::shape(&case["out"]), common::shape(&case["count"]));
    }
}

#[test]
fn keys_split_fold_in_and_bits_are_bit_exact() {
    let data = common::load("prng.json");
    for (seed, k, case) in per_seed(&data) {
        assert_eq!(
            k.to_vec::<u32>().unwrap(),
            u32s(&case["key_data"]),
            "{seed}"
        );
        assert_eq!(u32s(&case["PRNGKey"]), u32s(&case["key_data"]));
        let split = random::split(&k, 2);
        assert_eq!(split.to_vec::<u32>().unwrap(), u32s(&case["split_default"]));
        let (a, b) = random::split2(&k);
        let mut pair = a.to_vec::<u32>().unwrap();
        pair.extend(b.to_vec::<u32>().unwrap());
        assert_eq!(pair, u32s(&case["split_default"]));
        for n in [2usize, 3, 5] {
            let want = &case[format!("split_{n}").as_str()];
            let got = random::split(&k, n);
            assert_eq!(got.shape(), common::shape(want).as_slice());
            assert_eq!(got.to_vec::<u32>().unwrap(), u32s(want), "split {n}");
        }
        let want = &case["split_shape_2x3"];
        let got = random::split_shape(&k, &[2, 3]);
        assert_eq!(got.shape(), &[2, 3, 2]);
        assert_eq!(got.shape(), common::shape(want).as_slice());
        assert_eq!(got.to_vec::<u32>().unwrap(), u32s(want));
        for d in [0u32, 1, 123] {
            let want = &case[format!("fold_in_{d}").as_str()];
            let got = random::fold_in(&k, d).to_vec::<u32>().unwrap();
            assert_eq!(got, u32s(want), "fold_in {d}");
        }
        for (name, want) in case["bits_u32"].as_object().unwrap() {
            let b = random::bits(&k, &shape_of(name));
            assert_eq!(b.shape(), common::shape(want).as_slice());
            assert_eq!(b.dtype(), DType::U32);
            assert_eq!(b.to_vec::<u32>().unwrap(), u32s(want), "bits {name}");
        }
    }
    // Seeds wrap modulo 2^32 (x64 off).
    for case in data["seeds"].as_array().unwrap() {
        let seed = seed_of(&case["seed"]);
        let got = random::key(seed).to_vec::<u32>().unwrap();
        assert_eq!(got, u32s(&case["key_data"]), "seed {seed}");
    }
}

#[test]
fn uniforms_and_bernoulli_are_bit_exact() {
    let data = common::load("prng.json");
    for (seed, k, case) in per_seed(&data) {
        for (name, want) in case["uniform_f32"].as_object().unwrap() {
            let u = random::uniform(&k, &shape_of(name), DType::F32);
            assert_eq!(u.shape(), common::shape(want).as_slice());
            let got = bits_of(u.to_vec::<f32>().unwrap());
            assert_eq!(
                got,
                bits_of(common::f32s(want)),
                "seed {seed} uniform {name}"
            );
        }
        // minval/maxval needs the fused multiply-add: a separate rounding differs here.
        let u = random::uniform_range(&k, &[6], DType::F32, -2.0, 3.0);
        let want = common::f32s(&case["uniform_f32_minval_-2_maxval_3_shape_6"]);
        assert_eq!(bits_of(u.to_vec::<f32>().unwrap()), bits_of(want), "{seed}");
        // The uniform variates inside `normal`.
        for (name, want) in case["normal_f32_intermediate_uniform"].as_object().unwrap() {
            let u = random::uniform_range(&k, &shape_of(name), DType::F32, -0.99999994, 1.0);
            let got = bits_of(u.to_vec::<f32>().unwrap());
            assert_eq!(got, bits_of(common::f32s(want)), "seed {seed} {name}");
        }
        let want = &case["bernoulli_p0.3_shape20"];
        let want: Vec<bool> = want["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_bool().unwrap())
            .collect();
        let got = random::bernoulli(&k, 0.3, &[20]);
        assert_eq!(got.dtype(), DType::Bool);
        assert_eq!(got.to_vec::<bool>().unwrap(), want, "seed {seed} bernoulli");
    }
}

#[test]
fn normals_are_bit_exact() {
    let data = common::load("prng.json");
    let (mut exact, mut total, mut worst) = (0usize, 0usize, 0i64);
    let mut check = |got: &Array, want: Vec<f32>, what: &str| {
        let got = got.to_vec::<f32>().unwrap();
        assert_eq!(got.len(), want.len(), "{what}");
        for (a, b) in got.iter().zip(&want) {
            let d = ulps(*a, *b);
            worst = worst.max(d);
            exact += usize::from(d == 0);
            total += 1;
            assert!(d <= 2, "{what}: {a} vs {b} ({d} ulp)");
        }
    };
    for (seed, k, case) in per_seed(&data) {
        for (name, want) in case["normal_f32"].as_object().unwrap() {
            let z = random::normal(&k, &shape_of(name), DType::F32);
            assert_eq!(z.shape(), common::shape(want).as_slice());
            check(
                &z,
                common::f32s(want),
                &format!("seed {seed} normal {name}"),
            );
        }
    }
    // key, sub = split(key); epsilon = normal(sub, (128, 10)), three times from key(10003).
    let loop_data = &data["notebook_normal_sample_loop"];
    let mut key = random::key(10003);
    for it in loop_data["iterations"].as_array().unwrap() {
        assert_eq!(key.to_vec::<u32>().unwrap(), u32s(&it["key_in"]));
        let (new_key, sub_key) = random::split2(&key);
        assert_eq!(new_key.to_vec::<u32>().unwrap(), u32s(&it["new_key"]));
        assert_eq!(sub_key.to_vec::<u32>().unwrap(), u32s(&it["sub_key"]));
        let eps = random::normal(&sub_key, &[128, 10], DType::F32);
        check(&eps, common::f32s(&it["epsilon"]), "notebook epsilon");
        key = new_key;
    }
    eprintln!("normals: {exact} of {total} bit-exact, worst {worst} ulp");
    assert_eq!(total, 10325);
    assert_eq!(exact, total, "worst {worst} ulp");
}

#[test]
fn x64_mode_uniform_and_normal_f64() {
    let data = common::load("prng.json");
    for case in data["x64_mode"]["per_seed"].as_array().unwrap() {
        let seed = seed_of(&case["seed"]);
        let k = random::key(seed);
        // In x64 mode key(seed) differs only for seeds outside [0, 2^32); these are inside.
        let x64_key = data["x64_mode"]["seeds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| seed_of(&s["seed"]) == seed)
            .map(|s| u32s(&s["key_data"]));
        if let Some(want) = x64_key {
            assert_eq!(k.to_vec::<u32>().unwrap(), want);
        }
        let b = random::bits(&k, &[4]).to_vec::<u32>().unwrap();
        assert_eq!(b, u32s(&case["bits_u32_shape4"]));
        // f64 uniforms carry the top 52 bits of the 64-bit words (y0 << 32) | y1.
        let u = random::uniform(&k, &[5], DType::F64)
            .to_vec::<f64>()
            .unwrap();
        assert_eq!(u, common::f64s(&case["uniform_f64_shape5"]), "seed {seed}");
        let u4 = random::uniform(&k, &[4], DType::F64)
            .to_vec::<f64>()
            .unwrap();
        let words: Vec<u64> = case["bits_u64_shape4"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_u64().unwrap())
            .collect();
        for (u, w) in u4.iter().zip(&words) {
            assert_eq!((u * 2f64.powi(52)) as u64, w >> 12);
        }
        for (name, shape) in [
            ("normal_f64_shape5", vec![5]),
            ("normal_f64_shape3x4", vec![3, 4]),
        ] {
            let z = random::normal(&k, &shape, DType::F64)
                .to_vec::<f64>()
                .unwrap();
            for (a, b) in z.iter().zip(common::f64s(&case[name])) {
                assert!(
                    (a - b).abs() <= 1e-14 * b.abs(),
                    "seed {seed} {name}: {a} vs {b}"
                );
            }
        }
        let z = random::normal(&k, &[5], DType::F32)
            .to_vec::<f32>()
            .unwrap();
        let want = common::f32s(&case["normal_f32_shape5_in_x64_mode"]);
        assert_eq!(bits_of(z), bits_of(want));
    }
}

#[test]
fn samplers_batch_over_keys_and_trace() {
    let keys = random::split(&random::key(7), 3);
    let batched = vmap(|k: &Array| random::normal(k, &[3], DType::F32))(&keys).unwrap();
    assert_eq!(batched.shape(), &[3, 3]);
    let all = batched.to_vec::<f32>().unwrap();
    for i in 0..3 {
        let k = lax::reshape(&lax::slice(&keys, &[i, 0], &[i + 1, 2], &[1, 1]), &[2]);
        let one = random::normal(&k, &[3], DType::F32)
            .to_vec::<f32>()
            .unwrap();
        assert_eq!(bits_of(all[3 * i..3 * i + 3].to_vec()), bits_of(one));
    }
    // Every sampler works on traced keys and replays to the eager values.
    type Sampler = fn(&Array) -> Array;
    let samplers: [(&str, Sampler); 12] = [
        ("split", |k| random::split(k, 3)),
        ("bits", |k| random::bits(k, &[4])),
        ("uniform", |k| {
            random::uniform_range(k, &[4], DType::F32, -1.0, 2.0)
        }),
        ("normal", |k| random::normal(k, &[4], DType::F64)),
        ("bernoulli", |k| random::bernoulli(k, 0.5, &[4])),
        ("randint", |k| random::randint(k, &[4], -5, 5)),
        ("exponential", |k| random::exponential(k, &[4], DType::F32)),
        ("gumbel", |k| random::gumbel(k, &[4], DType::F32)),
        ("truncated", |k| {
            random::truncated_normal(k, -1.0, 1.0, &[4], DType::F32)
        }),
        ("permutation", |k| random::permutation(k, 20)),
        ("choice", |k| random::choice(k, 20, 5)),
        ("categorical", |k| {
            random::categorical(k, &Array::from_vec(vec![0.0f32, 1.0, 2.0], &[3]), 0)
        }),
    ];
    let k = random::key(3);
    for (name, f) in samplers {
        let p = make_program(f, &k).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(p.count_primitive("threefry2x32") >= 1, "{name}");
        let eager = f(&k);
        let replayed = autobatch::jit(f)(&k).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(eager.buffer().is_some(), "{name}");
        assert_eq!(eager.buffer(), replayed.buffer(), "{name}");
    }
    let perms = vmap(|k: &Array| random::permutation(k, 6))(&keys).unwrap();
    for i in 0..3 {
        let k = lax::reshape(&lax::slice(&keys, &[i, 0], &[i + 1, 2], &[1, 1]), &[2]);
        let one = random::permutation(&k, 6).to_vec::<i32>().unwrap();
        assert_eq!(perms.to_vec::<i32>().unwrap()[6 * i..6 * i + 6], one);
    }
}

#[test]
fn bad_arguments_give_error_arrays() {
    let err = random::normal(&Array::zeros(&[2]), &[3], DType::F32)
        .check()
        .unwrap_err();
    assert_eq!(err.op(), "normal");
    assert!(err.message().contains("got f32 [2]"), "{err}");
    let err = random::split(&Array::zeros_of(&[3, 2], DType::U32), 2)
        .check()
        .unwrap_err();
    assert!(
        err.message()
            .starts_with("a key is a u32 array of shape [2], got u32 [3, 2]"),
        "{err}"
    );
    let k = random::key(0);
    let err = random::uniform(&k, &[2], DType::I32).check().unwrap_err();
    assert_eq!(err.op(), "uniform");
    assert!(err.message().contains("got i32"), "{err}");
    assert_eq!(
        random::exponential(&k, &[2], DType::Bool)
            .check()
            .unwrap_err()
            .op(),
        "exponential"
    );
    let err = random::bits(&k, &[1 << 20, 1 << 20]).check().unwrap_err();
    assert!(err.message().contains("too large"), "{err}");
    let err = random::categorical(&k, &Array::zeros(&[2, 3]), 2)
        .check()
        .unwrap_err();
    assert!(err.message().contains("axis 2"), "{err}");
    let ints = Array::from_vec(vec![1i32, 2], &[2]);
    let err = random::categorical(&k, &ints, 0).check().unwrap_err();
    assert!(err.message().contains("float logits"), "{err}");
    let err = random::choice(&k, 3, 4).check().unwrap_err();
    assert!(err.message().contains("cannot take 4"), "{err}");
    let err = random::truncated_normal(&k, 2.0, -2.0, &[1], DType::F64)
        .check()
        .unwrap_err();
    assert!(err.message().contains("lower < upper"), "{err}");
}

fn mean_var(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    (m, x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / n)
}

#[test]
fn continuous_samplers_have_their_distributions() {
    let k = random::key(2024);
    let n = 20000;
    let sample = |x: Array| x.to_vec::<f64>().unwrap();
    // Means and variances within ~5 standard errors.
    let (m, v) = mean_var(&sample(random::normal(&k, &[n], DType::F64)));
    assert!(m.abs() < 0.04 && (v - 1.0).abs() < 0.05, "normal {m} {v}");
    let (m, v) = mean_var(&sample(random::exponential(&k, &[n], DType::F32)));
    assert!(
        (m - 1.0).abs() < 0.04 && (v - 1.0).abs() < 0.15,
        "exponential {m} {v}"
    );
    let (m, v) = mean_var(&sample(random::laplace(&k, &[n], DType::F64)));
    assert!(m.abs() < 0.06 && (v - 2.0).abs() < 0.2, "laplace {m} {v}");
    let (m, v) = mean_var(&sample(random::logistic(&k, &[n], DType::F32)));
    let pi2_3 = std::f64::consts::PI.powi(2) / 3.0;
    assert!(
        m.abs() < 0.08 && (v - pi2_3).abs() < 0.25,
        "logistic {m} {v}"
    );
    let (m, v) = mean_var(&sample(random::gumbel(&k, &[n], DType::F64)));
    let pi2_6 = std::f64::consts::PI.powi(2) / 6.0;
    assert!(
        (m - 0.5772156649).abs() < 0.05 && (v - pi2_6).abs() < 0.12,
        "gumbel {m} {v}"
    );
    // Cauchy has no moments: check the quartiles (-1, 0, 1).
    let mut c = sample(random::cauchy(&k, &[n], DType::F32));
    c.sort_by(f64::total_cmp);
    let q = |p: f64| c[(p * n as f64) as usize];
    assert!((q(0.25) + 1.0).abs() < 0.05 && q(0.5).abs() < 0.03 && (q(0.75) - 1.0).abs() < 0.05);
    // Truncated normal: inside the open interval; the mean of N(0,1) on (0, inf) is sqrt(2/pi).
    for dtype in [DType::F32, DType::F64] {
        let t = sample(random::truncated_normal(&k, -0.5, 1.5, &[n], dtype));
        assert!(t.iter().all(|&v| v > -0.5 && v < 1.5));
        let h = sample(random::truncated_normal(
            &k,
            0.0,
            f64::INFINITY,
            &[n],
            dtype,
        ));
        let (m, _) = mean_var(&h);
        assert!(
            (m - (2.0 / std::f64::consts::PI).sqrt()).abs() < 0.03,
            "{m}"
        );
    }
    let edge = sample(random::truncated_normal(
        &k,
        3.0,
        3.0001,
        &[100],
        DType::F32,
    ));
    assert!(edge.iter().all(|&v| v > 3.0 && v < 3.0001));
}

#[test]
fn discrete_samplers_have_their_distributions() {
    let k = random::key(99);
    let n = 20000;
    // bernoulli(p): frequency p.
    let b = random::bernoulli(&k, 0.3, &[n]).to_vec::<bool>().unwrap();
    let freq = b.iter().filter(|&&x| x).count() as f64 / n as f64;
    assert!((freq - 0.3).abs() < 0.02, "{freq}");
    // randint: every value in range, all roughly equally often.
    let r = random::randint(&k, &[n], -3, 7).to_vec::<i32>().unwrap();
    let mut counts = [0usize; 10];
    for v in &r {
        counts[(v + 3) as usize] += 1;
    }
    assert!(
        counts.iter().all(|&c| (c as f64 - 2000.0).abs() < 250.0),
        "{counts:?}"
    );
    // Edge cases of JAX's randint: an empty range gives minval; clipped bounds.
    let e = random::randint(&k, &[4], 9, 2).to_vec::<i32>().unwrap();
    assert_eq!(e, vec![9; 4]);
    let wide = random::randint(&k, &[1000], i64::MIN, i64::MAX)
        .to_vec::<i32>()
        .unwrap();
    assert!(wide.iter().any(|&v| v < -1_000_000_000) && wide.iter().any(|&v| v > 1_000_000_000));
    let top = random::randint(&k, &[1000], i64::from(i32::MAX) - 1, 1 << 40);
    let top = top.to_vec::<i32>().unwrap();
    assert!(top.contains(&i32::MAX) && top.contains(&(i32::MAX - 1)));
    // categorical: frequencies follow softmax(logits), over axis 1 of [n, 3] logits.
    let logits = [0.0f32, 1.0, 2.0];
    let rows = Array::from_vec(logits.repeat(n), &[n, 3]);
    let c = random::categorical(&k, &rows, 1).to_vec::<i32>().unwrap();
    assert_eq!(c.len(), n);
    let z: f64 = logits.iter().map(|&l| f64::from(l).exp()).sum();
    for (i, &l) in logits.iter().enumerate() {
        let freq = c.iter().filter(|&&x| x == i as i32).count() as f64 / n as f64;
        let p = f64::from(l).exp() / z;
        assert!((freq - p).abs() < 0.02, "category {i}: {freq} vs {p}");
    }
}

#[test]
fn permutations_and_choices() {
    let k = random::key(5);
    for n in [0usize, 1, 2, 10, 300] {
        let p = random::permutation(&k, n).to_vec::<i32>().unwrap();
        let mut sorted = p.clone();
        sorted.sort();
        assert_eq!(sorted, (0..n as i32).collect::<Vec<_>>());
        if n >= 10 {
            assert_ne!(p, sorted, "n = {n} left in order");
        }
    }
    // Above the primitive-sort limit a concrete key is shuffled on the host.
    let n = random::PRIMITIVE_SORT_LIMIT + 10;
    let p = random::permutation(&k, n).to_vec::<i32>().unwrap();
    let mut sorted = p.clone();
    sorted.sort();
    assert_eq!(sorted, (0..n as i32).collect::<Vec<_>>());
    // ... and the primitive sort equals a stable host sort of the same sort keys (one round
    // for n <= 1625: key, sub = split(key); argsort(bits(sub, n))).
    let n = 500;
    let (_, sub) = random::split2(&k);
    let keys = random::bits(&sub, &[n]).to_vec::<u32>().unwrap();
    let mut order: Vec<i32> = (0..n as i32).collect();
    order.sort_by_key(|&i| keys[i as usize]);
    assert_eq!(random::permutation(&k, n).to_vec::<i32>().unwrap(), order);
    // Traced above the limit: an error naming the cause.
    let big = random::PRIMITIVE_SORT_LIMIT + 1;
    let err = make_program(|k: &Array| random::permutation(k, big), &k).unwrap_err();
    assert!(err.message().contains("needs a concrete key"), "{err}");
    // choice without replacement = the head of the permutation.
    let c = random::choice(&k, 50, 7).to_vec::<i32>().unwrap();
    assert_eq!(c, random::permutation(&k, 50).to_vec::<i32>().unwrap()[..7]);
    let mut distinct = c.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 7);
}
