//! The notebook's variational inference, all 1000 steps, against JAX's run.

mod common;
use autobatch::notebook::{ViConfig, run_vi, run_vi_jitted_step, run_vi_scan};

#[test]
fn vi_run_matches_jax_at_every_step() {
    let golden = common::load("seed_notebook.json");
    let part = &golden["part_c_vi"];
    let mut printed = Vec::new();
    let run = run_vi(&ViConfig::default(), |i, elbo| {
        if i % 10 == 0 {
            printed.push((i, elbo));
        }
    })
    .unwrap();
    assert_eq!(printed.len(), 100);
    let want = common::f32s(&part["elbo_every_iteration"]);
    assert_eq!(run.elbo.len(), want.len());
    let worst = run
        .elbo
        .iter()
        .zip(&want)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0f32, f32::max);
    assert!(worst <= 5e-4, "max |elbo - jax| = {worst}");
    let last = part["states_after_n_updates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["n_updates"] == 1000)
        .unwrap();
    let close = |got: Vec<f32>, want: Vec<f32>, what: &str| {
        for (a, b) in got.iter().zip(&want) {
            assert!((a - b).abs() <= 2e-5, "{what}: {a} vs {b}");
        }
    };
    close(
        run.beta_loc.to_vec::<f32>().unwrap(),
        common::f32s(&last["beta_loc"]),
        "beta_loc",
    );
    close(
        run.beta_log_scale.to_vec::<f32>().unwrap(),
        common::f32s(&last["beta_log_scale"]),
        "beta_log_scale",
    );
    assert_eq!(
        run.data.true_beta.to_vec::<f32>().unwrap(),
        common::f32s(&golden["data"]["true_beta"])
    );
    eprintln!("max |elbo - jax| over 1000 steps: {worst}");
}

/// The whole loop as one jitted `scan` gives the step-by-step loop's parameters and
/// ELBOs exactly (and so JAX's).
#[test]
fn vi_as_one_scan_equals_the_step_loop() {
    let config = ViConfig::default();
    let stepped = run_vi(&config, |_, _| {}).unwrap();
    let looped = run_vi_scan(&config).unwrap();
    assert_eq!(looped.elbo.len(), 1000);
    let worst = |a: &[f32], b: &[f32]| {
        a.iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0f32, f32::max)
    };
    let elbo_gap = worst(&looped.elbo, &stepped.elbo);
    let loc_gap = worst(
        &looped.beta_loc.to_vec::<f32>().unwrap(),
        &stepped.beta_loc.to_vec::<f32>().unwrap(),
    );
    let scale_gap = worst(
        &looped.beta_log_scale.to_vec::<f32>().unwrap(),
        &stepped.beta_log_scale.to_vec::<f32>().unwrap(),
    );
    eprintln!("scan vs steps: elbo {elbo_gap}, loc {loc_gap}, log scale {scale_gap}");
    // The loop body runs the same kernels as the separately jitted step: bit for bit.
    assert_eq!((elbo_gap, loc_gap, scale_gap), (0.0, 0.0, 0.0));
}

/// The whole step as one jitted function, called from a loop, gives the step-by-step
/// loop's parameters and ELBOs exactly too.
#[test]
fn vi_with_one_jitted_step_equals_the_step_loop() {
    let config = ViConfig {
        steps: 300,
        ..ViConfig::default()
    };
    let stepped = run_vi(&config, |_, _| {}).unwrap();
    let jitted = run_vi_jitted_step(&config).unwrap();
    assert_eq!(jitted.elbo, stepped.elbo);
    assert_eq!(
        jitted.beta_loc.to_vec::<f32>().unwrap(),
        stepped.beta_loc.to_vec::<f32>().unwrap()
    );
    assert_eq!(
        jitted.beta_log_scale.to_vec::<f32>().unwrap(),
        stepped.beta_log_scale.to_vec::<f32>().unwrap()
    );
    assert_eq!(jitted.timed_steps, 299);
}
