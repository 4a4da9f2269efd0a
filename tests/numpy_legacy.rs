//! The NumPy-legacy generator against NumPy's own streams, bit for bit.

mod common;
use autobatch::DType;
use autobatch::numpy_legacy::RandomState;
use common::*;

#[test]
fn streams_match_numpy_exactly() {
    let data = load("numpy_legacy.json");
    for stream in data["streams"].as_array().unwrap() {
        let seed: u32 = stream["seed"].as_str().map_or_else(
            || stream["seed"].as_u64().unwrap() as u32,
            |s| s.parse().unwrap(),
        );
        let rs = RandomState::seed(seed);
        let (head, pos) = rs.state_head(8);
        let want: Vec<u32> = ints(&stream["mt_state_after_seeding_first8"])
            .into_iter()
            .map(|x| x as u32)
            .collect();
        assert_eq!(head, want, "seed {seed} state");
        assert_eq!(pos, 624);

        let mut rs = RandomState::seed(seed);
        let raw: Vec<u32> = (0..20).map(|_| rs.next_u32()).collect();
        let want: Vec<u32> = ints(&stream["raw_u32_first20"])
            .into_iter()
            .map(|x| x as u32)
            .collect();
        assert_eq!(raw, want, "seed {seed} raw");

        let mut rs = RandomState::seed(seed);
        let u: Vec<f64> = (0..20).map(|_| rs.next_f64()).collect();
        assert_eq!(u, f64s(&stream["rand_f64_first20"]), "seed {seed} rand");

        let mut rs = RandomState::seed(seed);
        let n = rs.randn(&[21]).unwrap().to_vec::<f64>().unwrap();
        assert_eq!(n, f64s(&stream["randn_f64_first21"]), "seed {seed} randn");
    }
}

#[test]
fn cached_normal_survives_rand_calls() {
    let data = load("numpy_legacy.json");
    let case = &data["interleaving"];
    let mut rs = RandomState::seed(10009);
    assert_eq!(
        rs.randn(&[3]).unwrap().to_vec::<f64>().unwrap(),
        f64s(&case["randn3"])
    );
    assert_eq!(
        rs.rand(&[2]).unwrap().to_vec::<f64>().unwrap(),
        f64s(&case["rand2"])
    );
    assert_eq!(
        rs.randn(&[1]).unwrap().to_vec::<f64>().unwrap(),
        f64s(&case["randn1"])
    );
}

#[test]
fn notebook_dataset_is_reproduced_bit_for_bit() {
    let data = load("numpy_legacy.json");
    let nb = &data["notebook_dataset"];
    let mut rs = RandomState::seed(10009);
    let true_beta = rs.randn(&[10]).unwrap().astype(DType::F32);
    let all_x = rs.randn(&[100, 10]).unwrap().astype(DType::F32);
    let u = rs.rand(&[100]).unwrap();
    assert_eq!(true_beta.to_vec::<f32>().unwrap(), f32s(&nb["true_beta"]));
    assert_eq!(all_x.to_vec::<f32>().unwrap(), f32s(&nb["all_x"]));
    assert_eq!(u.to_vec::<f64>().unwrap(), f64s(&nb["u_rand_f64"]));

    let follow = &data["notebook_followup_draws"];
    assert_eq!(
        rs.randn(&[10]).unwrap().to_vec::<f64>().unwrap(),
        f64s(&follow["test_beta_f64"])
    );
    let _first = rs.randn(&[10, 10]).unwrap();
    let _second = rs.randn(&[10, 10]).unwrap();
    let third = rs.randn(&[10, 10]).unwrap();
    assert_eq!(
        third.to_vec::<f64>().unwrap(),
        f64s(&follow["batched_test_beta_f64"])
    );
}

#[test]
fn absurd_shapes_are_errors_not_aborts() {
    let mut rs = RandomState::seed(0);
    let err = rs.randn(&[1 << 40, 1 << 40]).unwrap_err();
    assert_eq!(err.op(), "randn");
    assert!(err.message().contains("too large"), "{err}");
}
