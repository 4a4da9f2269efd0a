//! The two contractions of the notebook's step at 100,000 points and 100 features (batch
//! 128), through autobatch (`jit` of `dot_general`, as in the ELBO's program) against the
//! `gemm` crate called directly on the same buffers and strides, all cores. Run with
//! `cargo bench --bench gemm`.

use autobatch::{Array, DType, jit, lax, random};
use std::time::Instant;

/// Median seconds per call of `f` over `reps` calls (after one warm-up call).
fn time(reps: usize, mut f: impl FnMut()) -> f64 {
    f();
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

/// `dst (m x n) = a (m x k) b (k x n)` by `gemm`, with (row, column) strides for a and b.
fn direct(m: usize, k: usize, n: usize, a: (&[f32], usize, usize), b: (&[f32], usize, usize)) {
    let mut dst = vec![0f32; m * n];
    // SAFETY: `a` and `b` hold m*k and k*n elements laid out with the strides given, and
    // `dst` holds m*n row-major elements, so every access is in bounds; no aliasing.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            false,
            a.0.as_ptr(),
            a.2 as isize,
            a.1 as isize,
            b.0.as_ptr(),
            b.2 as isize,
            b.1 as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::Rayon(0),
        );
    }
    std::hint::black_box(&dst);
}

fn main() {
    let (batch, points, features) = (128, 100_000, 100);
    let key = random::key(0);
    let beta = random::normal(&key, &[batch, features], DType::F32);
    let x = random::normal(&random::fold_in(&key, 1), &[points, features], DType::F32);
    let g = random::normal(&random::fold_in(&key, 2), &[batch, points], DType::F32);
    let (beta_v, x_v, g_v): (Vec<f32>, Vec<f32>, Vec<f32>) = (
        beta.to_vec().expect("concrete"),
        x.to_vec().expect("concrete"),
        g.to_vec().expect("concrete"),
    );
    // Forward: [batch, features] . [points, features]^T (x read transposed, in place).
    let forward = jit(|b: &Array, x: &Array| lax::dot_general(b, x, &[1], &[1], &[], &[]));
    let ours_f = time(10, || {
        std::hint::black_box(forward(&beta, &x).expect("runs"));
    });
    let gemm_f = time(10, || {
        direct(
            batch,
            features,
            points,
            (&beta_v, features, 1),
            (&x_v, 1, features),
        )
    });
    // Backward: [batch, points] . [points, features].
    let backward = jit(|g: &Array, x: &Array| lax::dot_general(g, x, &[1], &[0], &[], &[]));
    let ours_b = time(10, || {
        std::hint::black_box(backward(&g, &x).expect("runs"));
    });
    let gemm_b = time(10, || {
        direct(
            batch,
            points,
            features,
            (&g_v, points, 1),
            (&x_v, features, 1),
        )
    });
    println!("contraction                          autobatch      gemm    gemm/autobatch");
    for (name, ours, theirs) in [
        ("[128,100] . [100000,100]^T", ours_f, gemm_f),
        ("[128,100000] . [100000,100]", ours_b, gemm_b),
    ] {
        println!(
            "{name:32} {:9.2} ms {:7.2} ms {:8.2}",
            ours * 1e3,
            theirs * 1e3,
            theirs / ours
        );
    }
}
