//! The notebook's first half, eagerly: the data set, the unbatched log-joint, the error
//! it gives on a batch, the hand-batched version, and the traced program.

mod common;
use autobatch::numpy_legacy::RandomState;
use autobatch::{Array, DType, make_program};
use common::*;

/// `sum_j log N(beta_j; 0, scale)`, written for one beta.
fn normal_logpdf(x: &Array, scale: f64) -> Array {
    let z = x / scale;
    -0.5 * &z * &z - (scale.ln() + 0.5 * (2.0 * std::f64::consts::PI).ln())
}

/// The notebook's `log_joint`, written for ONE beta (no axis arguments).
fn log_joint(beta: &Array, y: &Array, all_x: &Array, scale: f64) -> Array {
    let prior = normal_logpdf(beta, scale).sum();
    let likelihood = (-(1.0 + (-(2 * y - 1) * all_x.dot(beta)).exp()).log()).sum();
    prior + likelihood
}

/// The notebook's hand-batched version: axes and transposes by hand.
fn batched_log_joint(beta: &Array, y: &Array, all_x: &Array, scale: f64) -> Array {
    let prior = normal_logpdf(beta, scale).sum_axis(-1);
    let logits = all_x.dot(&beta.t()).t();
    let likelihood = (-(1.0 + (-(2 * y - 1) * logits).exp()).log()).sum_axis(-1);
    prior + likelihood
}

struct Data {
    y: Array,
    all_x: Array,
}

fn notebook_data() -> Data {
    let mut np = RandomState::seed(10009);
    let true_beta = np.randn(&[10]).unwrap().astype(DType::F32);
    let all_x = np.randn(&[100, 10]).unwrap().astype(DType::F32);
    let u = np.rand(&[100]).unwrap();
    let p = all_x.dot(&true_beta).logistic();
    let y = u.lt(&p).astype(DType::I32);
    Data { y, all_x }
}

#[test]
fn dataset_matches_the_notebook() {
    let golden = load("seed_notebook.json");
    let d = notebook_data();
    assert_eq!(
        d.all_x.to_vec::<f32>().unwrap(),
        f32s(&golden["data"]["all_x"])
    );
    let y: Vec<i64> =
        d.y.to_vec::<i32>()
            .unwrap()
            .into_iter()
            .map(i64::from)
            .collect();
    assert_eq!(y, ints(&golden["data"]["y"]));
}

#[test]
fn unbatched_log_joint_matches_jax() {
    let golden = load("seed_notebook.json");
    let d = notebook_data();
    for case in golden["part_a_log_joint"].as_array().unwrap() {
        let beta = array_f32(&case["beta_f32_as_used"]);
        let got = log_joint(&beta, &d.y, &d.all_x, 1.0).item::<f32>().unwrap();
        let want = f32s(&case["log_joint_scale1_eager"])[0];
        assert_rel(
            &[got as f64],
            &[want as f64],
            1e-5,
            case["name"].as_str().unwrap(),
        );
        let got10 = log_joint(&beta, &d.y, &d.all_x, 10.0)
            .item::<f32>()
            .unwrap();
        let want10 = f32s(&case["log_joint_scale10_jit"])[0];
        assert_rel(&[got10 as f64], &[want10 as f64], 1e-5, "scale 10");
    }
}

#[test]
fn hand_batched_log_joint_matches_jax() {
    let golden = load("seed_notebook.json");
    let part = &golden["part_b_batched"];
    let d = notebook_data();
    let beta = array_f32(&part["batched_test_beta_f32_as_used"]);
    let got = batched_log_joint(&beta, &d.y, &d.all_x, 1.0);
    assert_eq!(got.shape(), &[10]);
    let got: Vec<f64> = got.to_vec::<f64>().unwrap();
    let want: Vec<f64> = f32s(&part["manual_batched_f32"])
        .into_iter()
        .map(f64::from)
        .collect();
    assert_rel(&got, &want, 1e-5, "manual batched");
}

#[test]
fn unbatched_log_joint_on_a_batch_is_an_error_at_the_users_line() {
    let d = notebook_data();
    let batch = Array::zeros(&[10, 10]);
    let err = log_joint(&batch, &d.y, &d.all_x, 1.0).check().unwrap_err();
    assert_eq!(err.op(), "mul");
    assert_eq!(err.message(), "cannot broadcast shapes [100] and [100, 10]");
    let loc = err.location().expect("the error records the user's line");
    assert!(loc.file().ends_with("notebook_eager.rs"), "{}", loc.file());
    let source = include_str!("notebook_eager.rs");
    let line = source
        .lines()
        .position(|l| l.contains("let likelihood = (-(1.0 + (-(2 * y - 1) * all_x.dot(beta))"))
        .unwrap() as u32
        + 1;
    assert_eq!(loc.line(), line);
    let text = err.to_string();
    assert!(
        text.starts_with("mul: cannot broadcast shapes [100] and [100, 10] (at "),
        "{text}"
    );
    assert!(
        text.contains(&format!("notebook_eager.rs:{line}:")),
        "{text}"
    );
}

#[test]
fn traced_log_joint_prints_one_dot_general() {
    let d = notebook_data();
    let program = make_program(
        |beta: &Array| log_joint(beta, &d.y, &d.all_x, 1.0),
        &Array::zeros(&[10]),
    )
    .unwrap();
    assert_eq!(program.count_primitive("dot_general"), 1);
    program.verify().unwrap();
    let expected = "\
{ lambda a:f32[100,10] b:f32[100] ; c:f32[10]. let
    d:f32[10] = broadcast_in_dim[shape=(10,) dims=()] 1.0:f32[]
    e:f32[10] = div c d
    f:f32[10] = broadcast_in_dim[shape=(10,) dims=()] -0.5:f32[]
    g:f32[10] = mul f e
    h:f32[10] = mul g e
    i:f32[10] = broadcast_in_dim[shape=(10,) dims=()] 0.9189385:f32[]
    j:f32[10] = sub h i
    k:f32[] = reduce_sum[axes=(0,)] j
    l:f32[100] = dot_general[contract=((1,), (0,))] a c
    m:f32[100] = mul b l
    n:f32[100] = exp m
    o:f32[100] = broadcast_in_dim[shape=(100,) dims=()] 1.0:f32[]
    p:f32[100] = add o n
    q:f32[100] = log p
    r:f32[100] = neg q
    s:f32[] = reduce_sum[axes=(0,)] r
    t:f32[] = add k s
  in (t) }";
    // `-(2 * y - 1)` involves only the data, so it is computed once, while tracing, and
    // enters the program as the constant `b`.
    assert_eq!(program.to_string(), expected);
    let margin = program.consts.iter().find(|c| c.shape() == [100]).unwrap();
    assert_eq!(margin.to_vec::<f32>().unwrap()[..4], [1.0, 1.0, 1.0, -1.0]);
    // Replaying the program gives the eager value.
    let beta = Array::from_vec((0..10).map(|i| i as f32 * 0.1 - 0.5).collect(), &[10]);
    let replayed = program.call(std::slice::from_ref(&beta)).unwrap()[0]
        .item::<f32>()
        .unwrap();
    let eager = log_joint(&beta, &d.y, &d.all_x, 1.0).item::<f32>().unwrap();
    assert_eq!(replayed, eager);
}
