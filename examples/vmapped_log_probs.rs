//! The notebook "Autobatching for Bayesian inference", section by section, in Rust.
//!
//! Run with `cargo run --release --example vmapped_log_probs`.

use autobatch::numpy_legacy::RandomState;
use autobatch::{Array, DType, Result, make_program};

/// `log N(x; 0, scale)` elementwise.
fn normal_logpdf(x: &Array, scale: f64) -> Array {
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
    // ### Non-batched: written for ONE beta, no axis arguments.
    let log_joint = |beta: &Array| {
        normal_logpdf(beta, 1.0).sum()
            + (-(1.0 + (-(2 * &y - 1) * all_x.dot(beta)).exp()).log()).sum()
    };
    let test_beta = np.randn(&[num_features])?;
    println!(
        "log_joint(test_beta) = {}",
        log_joint(&test_beta.astype(DType::F32))
    );

    // This doesn't work, because we didn't write `log_joint` to handle batching.
    let batch_size = 10;
    let _ = np.randn(&[batch_size, num_features])?;
    if let Err(e) = log_joint(&np.randn(&[batch_size, num_features])?).check() {
        println!("Caught expected error: {e}");
    }

    // ### Manually batched: axes and transposes by hand.
    let batched_log_joint = |beta: &Array| {
        normal_logpdf(beta, 1.0).sum_axis(-1)
            + (-(1.0 + (-(2 * &y - 1) * all_x.dot(&beta.t()).t()).exp()).log()).sum_axis(-1)
    };
    let batched_test_beta = np.randn(&[batch_size, num_features])?.astype(DType::F32);
    println!(
        "batched_log_joint(batched_test_beta) = {}",
        batched_log_joint(&batched_test_beta)
    );

    // What the unbatched function computes, as a program (like `jax.make_jaxpr`).
    let program = make_program(log_joint, &Array::zeros(&[num_features]))?;
    println!("{program}");
    Ok(())
}
