//! The PRNG against JAX 0.10.2: keys, split, fold_in, bits, uniform bit for bit; normals
//! within 3 ulp and at least 99% bit-exact (measured: 10251 of 10325, 99.3%: the rest
//! differ where the platform's f32 `log1p` and XLA's round differently); vmap over keys;
//! traceable.

mod common;
use autobatch::{Array, DType, make_program, random, vmap};
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

#[test]
fn keys_split_fold_in_and_bits_are_bit_exact() {
    let data = common::load("prng.json");
    for case in data["per_seed"].as_array().unwrap() {
        let seed: i64 = seed_of(&case["seed"]);
        let k = random::key(seed);
        assert_eq!(
            k.to_vec::<u32>().unwrap(),
            u32s(&case["key_data"]),
            "seed {seed}"
        );
        assert_eq!(
            random::split(&k, 2).to_vec::<u32>().unwrap(),
            u32s(&case["split_default"])
        );
        for n in [2usize, 3, 5] {
            let want = &case[format!("split_{n}").as_str()];
            assert_eq!(
                random::split(&k, n).to_vec::<u32>().unwrap(),
                u32s(want),
                "split {n}"
            );
        }
        for d in [0u32, 1, 123] {
            let want = &case[format!("fold_in_{d}").as_str()];
            assert_eq!(
                random::fold_in(&k, d).to_vec::<u32>().unwrap(),
                u32s(want),
                "fold_in {d}"
            );
        }
        for (name, want) in case["bits_u32"].as_object().unwrap() {
            let b = random::bits(&k, &shape_of(name));
            assert_eq!(b.shape(), common::shape(want).as_slice());
            assert_eq!(b.to_vec::<u32>().unwrap(), u32s(want), "bits {name}");
        }
    }
    for case in data["seeds"].as_array().unwrap() {
        let seed = case["seed"].as_i64().unwrap();
        assert_eq!(
            random::key(seed).to_vec::<u32>().unwrap(),
            u32s(&case["key_data"]),
            "seed {seed}"
        );
    }
}

#[test]
fn uniforms_are_bit_exact() {
    let data = common::load("prng.json");
    for case in data["per_seed"].as_array().unwrap() {
        let k = random::key(seed_of(&case["seed"]));
        for (name, want) in case["uniform_f32"].as_object().unwrap() {
            let u = random::uniform(&k, &shape_of(name), DType::F32);
            assert_eq!(
                u.to_vec::<f32>().unwrap(),
                common::f32s(want),
                "uniform {name}"
            );
        }
        let u = random::uniform_range(&k, &[6], DType::F32, -2.0, 3.0);
        let want = common::f32s(&case["uniform_f32_minval_-2_maxval_3_shape_6"]);
        assert_eq!(u.to_vec::<f32>().unwrap(), want);
    }
}

#[test]
fn normals_within_3_ulp_and_almost_all_bit_exact() {
    let data = common::load("prng.json");
    let (mut exact, mut total, mut worst) = (0usize, 0usize, 0i64);
    let mut check = |got: Vec<f32>, want: Vec<f32>, what: &str| {
        assert_eq!(got.len(), want.len(), "{what}");
        for (a, b) in got.iter().zip(&want) {
            let d = ulps(*a, *b);
            worst = worst.max(d);
            exact += usize::from(d == 0);
            total += 1;
            assert!(d <= 3, "{what}: {a} vs {b} ({d} ulp)");
        }
    };
    for case in data["per_seed"].as_array().unwrap() {
        let k = random::key(seed_of(&case["seed"]));
        for (name, want) in case["normal_f32"].as_object().unwrap() {
            let z = random::normal(&k, &shape_of(name), DType::F32);
            check(z.to_vec::<f32>().unwrap(), common::f32s(want), name);
        }
    }
    for it in data["notebook_normal_sample_loop"]["iterations"]
        .as_array()
        .unwrap()
    {
        let key_in = Array::from_vec(u32s(&it["key_in"]), &[2]);
        let (new_key, sub_key) = random::split2(&key_in);
        assert_eq!(new_key.to_vec::<u32>().unwrap(), u32s(&it["new_key"]));
        assert_eq!(sub_key.to_vec::<u32>().unwrap(), u32s(&it["sub_key"]));
        let eps = random::normal(&sub_key, &[128, 10], DType::F32);
        check(
            eps.to_vec::<f32>().unwrap(),
            common::f32s(&it["epsilon"]),
            "notebook epsilon",
        );
    }
    eprintln!("normals: {exact} of {total} bit-exact, worst {worst} ulp");
    assert!(exact * 100 >= total * 99, "{exact} of {total} bit-exact");
}

#[test]
fn samplers_batch_over_keys_and_trace() {
    let keys = random::split(&random::key(7), 3);
    let batched = vmap(|k: &Array| random::normal(k, &[4], DType::F32))(&keys).unwrap();
    for i in 0..3 {
        let k = keys.index(autobatch::s![i]);
        let one = random::normal(&k, &[4], DType::F32)
            .to_vec::<f32>()
            .unwrap();
        assert_eq!(
            batched.index(autobatch::s![i]).to_vec::<f32>().unwrap(),
            one
        );
    }
    let p = make_program(|k: &Array| random::split2(k), &random::key(0)).unwrap();
    assert_eq!(p.count_primitive("threefry2x32"), 1);
    let err = random::normal(&Array::zeros(&[2]), &[3], DType::F32)
        .check()
        .unwrap_err();
    assert_eq!(err.op(), "normal");
    let err = random::split(&Array::zeros_of(&[3, 2], DType::U32), 2)
        .check()
        .unwrap_err();
    assert!(
        err.message()
            .starts_with("a key is a u32 array of shape [2], got u32 [3, 2]"),
        "{err}"
    );
}
