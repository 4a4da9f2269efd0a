//! vmap(log_joint) against the hand-batched log_joint, evaluated eagerly (no jit), at
//! batch sizes 128 and 4096. Run with `cargo bench --bench vmap`.

use autobatch::datasets::logistic_regression;
use autobatch::numpy_legacy::RandomState;
use autobatch::{Array, DType, vmap};
use std::time::Instant;

fn normal_logpdf(x: &Array, scale: f64) -> Array {
    let z = x / scale;
    -0.5 * &z * &z - (scale.ln() + 0.5 * (2.0 * std::f64::consts::PI).ln())
}

/// Median seconds per call of `f` over `reps` calls (after warm-up).
fn time(reps: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..reps.div_ceil(10) {
        f();
    }
    let mut samples: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[samples.len() / 2]
}

fn main() {
    let (data, _) = logistic_regression(10009, 100, 10).expect("the notebook's data set");
    let (y, all_x) = (&data.y, &data.all_x);
    let log_joint = |beta: &Array| {
        normal_logpdf(beta, 10.0).sum()
            + (-(1.0 + (-(2 * y - 1) * all_x.dot(beta)).exp()).log()).sum()
    };
    let batched_log_joint = |beta: &Array| {
        normal_logpdf(beta, 10.0).sum_axis(-1)
            + (-(1.0 + (-(2 * y - 1) * all_x.dot(&beta.t()).t()).exp()).log()).sum_axis(-1)
    };
    let vmapped = vmap(log_joint);
    println!("batch   hand-batched   vmap        vmap/hand");
    for batch in [128usize, 4096] {
        let mut rng = RandomState::seed(0);
        let beta = rng
            .randn(&[batch, 10])
            .expect("a small shape")
            .astype(DType::F32);
        let reps = if batch > 1000 { 200 } else { 2000 };
        let hand = time(reps, || {
            batched_log_joint(&beta).check().expect("valid shapes");
        });
        let auto = time(reps, || {
            vmapped(&beta).expect("valid shapes");
        });
        println!(
            "{batch:5}   {:9.1} us   {:9.1} us   {:.3}",
            hand * 1e6,
            auto * 1e6,
            auto / hand
        );
    }
}
