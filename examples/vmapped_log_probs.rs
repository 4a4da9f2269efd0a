//! The notebook "Autobatching for Bayesian inference", cell by cell, in Rust.
//!
//! Run with `cargo run --release --example vmapped_log_probs`.

use autobatch::numpy_legacy::RandomState;
use autobatch::{Array, DType, Result, jit, random, value_and_grad, vmap};

/// `jax.scipy.stats.norm.logpdf(x, loc=0, scale=scale)`.
fn norm_logpdf(x: &Array, scale: f64) -> Array {
    let z = x / scale;
    -0.5 * &z * &z - (scale.ln() + 0.5 * (2.0 * std::f64::consts::PI).ln())
}

fn main() -> Result<()> {
    // ## Generate a fake binary classification dataset
    let mut np = RandomState::seed(10009);
    let (num_features, num_points) = (10, 100);
    let true_beta = np.randn(&[num_features])?.astype(DType::F32);
    let all_x = np.randn(&[num_points, num_features])?.astype(DType::F32);
    let y = np
        .rand(&[num_points])?
        .lt(all_x.dot(&true_beta).logistic())
        .astype(DType::I32);
    println!("y = {y}");

    // ## Write the log-joint function for the model
    // ### Non-batched: note that no axis argument is given to `sum`.
    let log_joint = |beta: &Array| {
        norm_logpdf(beta, 1.0).sum()
            + (-(1.0 + (-(2 * &y - 1) * all_x.dot(beta)).exp()).log()).sum()
    };
    println!(
        "log_joint = {}",
        log_joint(&np.randn(&[num_features])?.astype(DType::F32))
    );

    // This doesn't work, because we didn't write `log_prob()` to handle batching.
    let batch_size = 10;
    let _batched_test_beta = np.randn(&[batch_size, num_features])?;
    if let Err(e) = log_joint(&np.randn(&[batch_size, num_features])?).check() {
        println!("Caught expected error: {e}");
    }

    // ### Manually batched: `sum` needs an axis, and the transposes are by hand.
    let batched_log_joint = |beta: &Array| {
        norm_logpdf(beta, 1.0).sum_axis(-1)
            + (-(1.0 + (-(2 * &y - 1) * all_x.dot(&beta.t()).t()).exp()).log()).sum_axis(-1)
    };
    let batched_test_beta = np.randn(&[batch_size, num_features])?.astype(DType::F32);
    println!(
        "batched_log_joint = {}",
        batched_log_joint(&batched_test_beta)
    );

    // ### Autobatched with vmap: it just works.
    let vmap_batched_log_joint = vmap(log_joint);
    println!(
        "vmap(log_joint) = {}",
        vmap_batched_log_joint(&batched_test_beta)?
    );

    // ## Self-contained variational inference example
    // ### Set up the (batched) log-joint function
    let log_joint = |beta: &Array| {
        norm_logpdf(beta, 10.0).sum()
            + (-(1.0 + (-(2 * &y - 1) * all_x.dot(beta)).exp()).log()).sum()
    };
    let batched_log_joint = jit(vmap(log_joint));

    // ### Define the ELBO and its gradient
    let elbo = |(beta_loc, beta_log_scale): &(Array, Array), epsilon: &Array| {
        let beta_sample = beta_loc + beta_log_scale.exp() * epsilon;
        batched_log_joint(&beta_sample).map(|lj| {
            lj.mean_axis(0) + (beta_log_scale - 0.5 * (2.0 * std::f64::consts::PI).ln()).sum()
        })
    };
    // Gradients with respect to the first argument's Tree: Rust's `argnums=(0, 1)`.
    let elbo_val_and_grad = jit(value_and_grad(elbo));

    // ### Optimize the ELBO using SGD
    let epsilon_shape = [128, num_features];
    let normal_sample = jit(|key: &Array| {
        let (new_key, sub_key) = random::split2(key);
        (
            new_key,
            random::normal(&sub_key, &epsilon_shape, DType::F32),
        )
    });
    let mut key = random::key(10003);
    let mut params = (Array::zeros(&[num_features]), Array::zeros(&[num_features]));
    let step_size = 0.01;
    for i in 0..1000 {
        let (new_key, epsilon) = normal_sample(&key)?;
        key = new_key;
        let (elbo_val, (g_loc, g_log_scale)) = elbo_val_and_grad(&params, &epsilon)?;
        params = (
            &params.0 + step_size * g_loc,
            &params.1 + step_size * g_log_scale,
        );
        if i % 10 == 0 {
            println!("{i}\t{}", elbo_val.item::<f32>()?);
        }
    }

    // ### Display the results
    let (beta_loc, beta_log_scale) = params;
    autobatch::plot::posterior_vs_truth(
        &true_beta,
        &beta_loc,
        &beta_log_scale.exp(),
        "posterior.png",
    )?;
    println!("plot written to posterior.png");
    Ok(())
}
