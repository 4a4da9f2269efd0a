//! Deferred jit results: computed when first read, a call fused into the next call that
//! takes its results, with the same values however the calls run.

mod common;
use autobatch::{Array, DType, jit, random, value_and_grad};
use common::{Rng, bits};

/// A sampler (key split and normal draws, as in the notebook) and a loss of the draws
/// with its gradient, in the three ways their calls can run: each read before the
/// next call (each alone), the draws only read after the loss (the sampler inlined into
/// the loss's call), and eagerly.
#[test]
fn a_call_fused_into_the_next_gives_the_values_of_each_alone_bit_for_bit() {
    let mut rng = Rng(5);
    for (seed, rows, cols) in [(0i64, 128usize, 10usize), (7, 9, 3), (42, 64, 33)] {
        let sample = |key: &Array| {
            let (next, sub) = random::split2(key);
            (next, random::normal(&sub, &[rows, cols], DType::F32))
        };
        let loss = |w: &Array, eps: &Array| {
            let z = eps.matmul(w);
            (-(z.exp() + 1.0).log()).sum() + (w * w).sum()
        };
        let (jsample, jloss) = (jit(sample), jit(value_and_grad(loss)));
        let w = rng.array(&[cols], DType::F32) * 0.1;
        let key = random::key(seed);
        // Each alone: reading the draws runs the sampler's call by itself.
        let (next_a, eps_a) = jsample(&key).unwrap();
        let eps_a_bits = bits(&eps_a);
        let (value_a, grad_a) = jloss(&w, &eps_a).unwrap();
        // Fused: nothing of the sampler's call is read before the loss's results.
        let (next_b, eps_b) = jsample(&key).unwrap();
        let (value_b, grad_b) = jloss(&w, &eps_b).unwrap();
        assert_eq!(bits(&value_b), bits(&value_a), "{rows}x{cols}");
        assert_eq!(bits(&grad_b), bits(&grad_a), "{rows}x{cols}");
        // The inlined call's own results come out of the fused call.
        assert_eq!(bits(&eps_b), eps_a_bits, "{rows}x{cols}");
        assert_eq!(
            next_b.to_vec::<u32>().unwrap(),
            next_a.to_vec::<u32>().unwrap()
        );
        // And eagerly.
        let (next_e, eps_e) = sample(&key);
        assert_eq!(bits(&eps_e), eps_a_bits);
        assert_eq!(
            next_e.to_vec::<u32>().unwrap(),
            next_a.to_vec::<u32>().unwrap()
        );
        let value_e = loss(&w, &eps_e);
        let scale = value_e.to_vec::<f32>().unwrap()[0].abs().max(1.0);
        let diff =
            (value_e.to_vec::<f32>().unwrap()[0] - value_b.to_vec::<f32>().unwrap()[0]).abs();
        assert!(diff <= 1e-5 * scale, "{diff}");
    }
}

/// A loop of calls that never reads its results until the end runs each call in turn
/// (at most one inlined into the next), with the eager loop's values.
#[test]
fn long_chains_of_unread_calls_run_with_the_eager_values() {
    let step = |x: &Array, y: &Array| ((x * 1.0001).sin() + y * 0.5, y.exp().log1p() - x);
    let jstep = jit(step);
    let mut rng = Rng(9);
    let (x0, y0) = (
        rng.array(&[3, 5], DType::F32),
        rng.array(&[3, 5], DType::F32),
    );
    let (mut x, mut y) = (x0.clone(), y0.clone());
    let (mut ex, mut ey) = (x0, y0);
    for _ in 0..3000 {
        (x, y) = jstep(&x, &y).unwrap();
        (ex, ey) = step(&ex, &ey);
    }
    assert_eq!(bits(&x), bits(&ex));
    assert_eq!(bits(&y), bits(&ey));
}

/// Results read by several threads at once, by eager operations and by another call,
/// in any order: one run of the call, the same values for every reader.
#[test]
fn results_read_from_threads_eager_ops_and_calls_agree() {
    let f = jit(|x: &Array| ((x * 3.0).exp(), x.sum()));
    let g = jit(|a: &Array, s: &Array| a * s);
    let x = Array::from_vec((0..64).map(|i| i as f32 / 64.0).collect(), &[64]);
    let (a, s) = f(&x).unwrap();
    let product = g(&a, &s).unwrap();
    let twice = &a + &a;
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let a = a.clone();
            std::thread::spawn(move || a.to_vec::<f32>().unwrap())
        })
        .collect();
    let want: Vec<f32> = x
        .to_vec::<f32>()
        .unwrap()
        .iter()
        .map(|v| (v * 3.0).exp())
        .collect();
    for t in threads {
        let got = t.join().unwrap();
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() <= 2e-7 * w.abs(), "{g} vs {w}");
        }
    }
    let a_values = a.to_vec::<f32>().unwrap();
    let s_value = s.item::<f32>().unwrap();
    assert_eq!(s_value, 31.5);
    let want_product: Vec<f32> = a_values.iter().map(|v| v * s_value).collect();
    assert_eq!(product.to_vec::<f32>().unwrap(), want_product);
    let want_twice: Vec<f32> = a_values.iter().map(|v| v + v).collect();
    assert_eq!(twice.to_vec::<f32>().unwrap(), want_twice);
    // A call taking results of two calls that have not run: one is inlined, the other
    // runs first.
    let (a1, s1) = f(&x).unwrap();
    let (a2, _) = f(&(&x * 0.5)).unwrap();
    let mixed = jit(|a: &Array, b: &Array, s: &Array| a - b * s)(&a1, &a2, &s1).unwrap();
    let want_mixed: Vec<f32> = {
        let b = (&x * 0.5 * 3.0).exp().to_vec::<f32>().unwrap();
        a_values
            .iter()
            .zip(&b)
            .map(|(a, b)| a - b * s_value)
            .collect()
    };
    let got_mixed = mixed.to_vec::<f32>().unwrap();
    for (g, w) in got_mixed.iter().zip(&want_mixed) {
        assert!((g - w).abs() <= 1e-5 * w.abs().max(1.0), "{g} vs {w}");
    }
}

/// Waiting for a result gives the array back, with its values; an error array's error.
#[test]
fn block_until_ready_waits_and_passes_errors_on() {
    let f = jit(|x: &Array| x.exp().sum());
    let y = f(&Array::zeros(&[4])).unwrap();
    assert_eq!(y.block_until_ready().unwrap().item::<f32>().unwrap(), 4.0);
    let bad = Array::zeros(&[2]).reshape(&[3]);
    let err = bad.block_until_ready().unwrap_err();
    assert_eq!(err.op(), "reshape");
}
