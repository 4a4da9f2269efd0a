//! A compiled loop allocates no array storage per iteration once warmed up: carries and
//! intermediates cycle through the buffer pool. (The step's bookkeeping — small vectors
//! of operands, and scalars below the pool's 4 KiB threshold — still uses the system
//! allocator; the counts are printed.) Counted with a global allocator.

use autobatch::control::{fori_loop, scan};
use autobatch::{Array, jit};
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
}
