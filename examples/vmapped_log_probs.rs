//! The notebook "Autobatching for Bayesian inference", cell by cell, in Rust.
//!
//! The model code lives once, in `autobatch::notebook` (src/notebook.rs): the log-joint
//! written for one beta, the hand-batched version, the ELBO and the sampler. This example
//! walks through the notebook's cells with it; `autobatch demo` runs the same code.
//!
//! Run with `cargo run --release --example vmapped_log_probs`.

use autobatch::datasets::logistic_regression;
use autobatch::notebook::{ViConfig, batched_log_joint, log_joint, run_vi};
use autobatch::{DType, Result, vmap};

fn main() -> Result<()> {
    // ## Generate a fake binary classification dataset
    // np.random.seed(10009); true_beta = randn(10); all_x = randn(100, 10);
    // y = rand(100) < expit(all_x @ true_beta)
    let (data, mut np) = logistic_regression(10009, 100, 10)?;
    println!("y = {}", data.y);

    // ## Write the log-joint function for the model
    // ### Non-batched: no axis argument is given to `sum`.
    let log_joint = log_joint(&data, 1.0);
    println!(
        "log_joint(beta) = {}",
        log_joint(&np.randn(&[10])?.astype(DType::F32))
    );

    // This doesn't work, because we didn't write `log_prob()` to handle batching.
    let _batched_test_beta = np.randn(&[10, 10])?;
    if let Err(e) = log_joint(&np.randn(&[10, 10])?.astype(DType::F32)).check() {
        println!("Caught expected error: {e}");
    }

    // ### Manually batched: `sum` needs an axis, the transposes are by hand.
    let batched_test_beta = np.randn(&[10, 10])?.astype(DType::F32);
    println!(
        "batched_log_joint = {}",
        batched_log_joint(&data, 1.0)(&batched_test_beta)
    );

    // ### Autobatched with vmap: it just works.
    let vmap_batched_log_joint = vmap(&log_joint);
    println!(
        "vmap(log_joint) = {}",
        vmap_batched_log_joint(&batched_test_beta)?
    );

    // ## Self-contained variational inference example
    // jit(vmap(log_joint)) with a Normal(0, 10) prior, the ELBO, jit(value_and_grad(elbo)),
    // the split-then-normal sampler, 1000 SGD steps of size 0.01 (src/notebook.rs).
    let run = run_vi(&ViConfig::default(), |i, elbo| {
        if i % 10 == 0 {
            println!("{i}\t{elbo}");
        }
    })?;

    // ### Display the results
    let scale = run.beta_log_scale.exp();
    autobatch::plot::posterior_vs_truth(
        &run.data.true_beta,
        &run.beta_loc,
        &scale,
        "posterior.png",
    )?;
    println!(
        "posterior means {}\nplot written to posterior.png",
        run.beta_loc
    );
    Ok(())
}
