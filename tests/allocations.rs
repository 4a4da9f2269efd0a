//! Once warmed up, a compiled program allocates only the handles of what it returns:
//! intermediates, the carries of its loops, the bookkeeping of its run (lists of
//! operands and results) and the memory of dropped arrays cycle through the per-thread
//! pool. Counted with a global allocator.

use autobatch::control::{fori_loop, scan};
use autobatch::datasets::logistic_regression;
use autobatch::notebook::{ViConfig, vi_step};
use autobatch::{Array, jit, random};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;
static LARGE: AtomicUsize = AtomicUsize::new(0);
static SMALL: AtomicUsize = AtomicUsize::new(0);
const LARGE_BYTES: usize = 4096;

fn count(layout: &Layout) {
    let counter = if layout.size() >= LARGE_BYTES {
        &LARGE
    } else {
        &SMALL
    };
    counter.fetch_add(1, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(&layout);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(&Layout::from_size_align(new_size, layout.align()).unwrap_or(layout));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// (large, small) allocations made by `f`.
fn allocations(f: impl FnOnce()) -> (usize, usize) {
    let (l, s) = (LARGE.load(Ordering::Relaxed), SMALL.load(Ordering::Relaxed));
    f();
    (
        LARGE.load(Ordering::Relaxed) - l,
        SMALL.load(Ordering::Relaxed) - s,
    )
}

/// The counters see every thread: the tests of this file measure one at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// Allocations per step: the difference between a long and a short run, per extra step.
fn per_step(short: impl Fn(), long: impl Fn(), extra_steps: usize) -> (f64, f64) {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for _ in 0..3 {
        short();
        long();
    }
    let a = allocations(&short);
    let b = allocations(&long);
    let per = |x: usize, y: usize| (y as f64 - x as f64) / extra_steps as f64;
    (per(a.0, b.0), per(a.1, b.1))
}

#[test]
fn fori_loop_iterations_allocate_no_array_storage() {
    let w = Array::full(&[4096], 0.5);
    let make = |steps: i32| {
        let w = w.clone();
        jit(move |x: &Array| {
            fori_loop(
                0,
                steps,
                |_: &Array, c: &Array| (c * &w + 1.0).tanh() * 0.5 + c.sum() * 1e-6,
                x,
            )
        })
    };
    let (short, long) = (make(10), make(1010));
    let x = Array::zeros(&[4096]);
    let (large, small) = per_step(
        || {
            short(&x).unwrap();
        },
        || {
            long(&x).unwrap();
        },
        1000,
    );
    eprintln!("fori_loop: {large} large and {small} small allocations per iteration");
    assert!(large < 0.01, "{large} array allocations per iteration");
    assert!(small < 0.01, "{small} small allocations per iteration");
}

#[test]
fn scan_steps_allocate_no_array_storage() {
    let body = |c: &Array, x: &Array| {
        let c = (c + x).sin();
        (c.clone(), c.sum())
    };
    let f = jit(move |xs: &Array| scan(body, &Array::zeros(&[2048]), xs));
    let (short, long) = (
        Array::full(&[10, 2048], 0.25),
        Array::full(&[510, 2048], 0.25),
    );
    let (large, small) = per_step(
        || {
            f(&short).unwrap();
        },
        || {
            f(&long).unwrap();
        },
        500,
    );
    eprintln!("scan: {large} large and {small} small allocations per step");
    assert!(large < 0.01, "{large} array allocations per step");
    assert!(small < 0.01, "{small} small allocations per step");
}

/// Allocations of a call `f()` (which reads its results, then drops them), after
/// warming up.
fn per_call(f: impl Fn()) -> usize {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    for _ in 0..3 {
        f();
    }
    let (large, small) = allocations(f);
    large + small
}

/// Reads a result (running the call that computes it).
fn read(a: &Array) {
    assert!(
        a.buffer().is_some(),
        "a result failed: {:?}",
        a.check().err()
    );
}

/// A call's allocations: its record (the pending call, its result slots and its
/// signature's leaf counts) and, per result, its array, its shape and its buffer's box.
/// The buffers' memory is the previous call's: a dropped array's goes back to the pool.
fn allowed(results: usize) -> usize {
    3 + 3 * results
}

#[test]
fn warm_calls_allocate_only_their_results_whatever_the_programs_length() {
    // `steps` kernels, each ending in a reduction (so none fuses into the next), with
    // intermediates of 16 floats and of 4000 (below and above the pool's large size).
    let program = |steps: usize| {
        jit(move |x: &Array| {
            let mut y = x.clone();
            for _ in 0..steps {
                y = (&y * 1.5).sin() - y.sum() * 1e-3;
            }
            (y.clone(), y.sum())
        })
    };
    for n in [16, 4000] {
        let x = Array::linspace(0.0, 1.0, n);
        let counts: Vec<usize> = [1, 4, 16]
            .iter()
            .map(|&steps| {
                let f = program(steps);
                per_call(|| {
                    let (a, b) = f(&x).unwrap();
                    read(&a);
                    read(&b);
                })
            })
            .collect();
        eprintln!("{n} elements: {counts:?} allocations per call for 1, 4 and 16 steps");
        assert!(
            counts.iter().all(|&c| c == counts[0] && c <= allowed(2)),
            "{n} elements: {counts:?} allocations per call for 1, 4 and 16 steps (allowed {})",
            allowed(2)
        );
    }
}

#[test]
fn the_notebooks_jitted_step_allocates_only_its_results() {
    let config = ViConfig::default();
    let (data, _) = logistic_regression(config.data_seed, config.num_points, config.num_features)
        .expect("the notebook's data set");
    let step = jit(vi_step(&data, &config));
    let state = (
        random::key(config.key),
        Array::zeros(&[10]),
        Array::zeros(&[10]),
    );
    let count = per_call(|| {
        let ((key, loc, log_scale), elbo) = step(&state).unwrap();
        [key, loc, log_scale, elbo].iter().for_each(read);
    });
    eprintln!("the notebook's jitted step: {count} allocations per call");
    assert!(
        count <= allowed(4),
        "{count} allocations per call (allowed {})",
        allowed(4)
    );
}

/// This process's resident memory in bytes (Linux), if it can be read.
fn resident_bytes() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

#[test]
fn ten_thousand_notebook_steps_keep_resident_memory_flat() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let config = ViConfig::default();
    let (data, _) = logistic_regression(config.data_seed, config.num_points, config.num_features)
        .expect("the notebook's data set");
    let step = jit(vi_step(&data, &config));
    let mut state = (
        random::key(config.key),
        Array::zeros(&[10]),
        Array::zeros(&[10]),
    );
    let mut run = |steps: usize| {
        for _ in 0..steps {
            let (next, elbo) = step(&state).unwrap();
            read(&elbo);
            state = next;
        }
    };
    run(1000);
    let Some(warm) = resident_bytes() else {
        eprintln!("no /proc/self/statm here: resident memory not measured");
        return;
    };
    run(10_000);
    let after = resident_bytes().expect("read once already");
    eprintln!("resident memory after warm-up {warm} bytes, after 10,000 more steps {after}");
    // The tests of this file run one at a time; a leak of 26 bytes a step would show.
    assert!(
        after <= warm + (256 << 10),
        "resident memory grew from {warm} to {after} bytes over 10,000 steps"
    );
}
