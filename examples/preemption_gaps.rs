//! How often this machine takes the CPU away from a busy thread, and for how long.
//!
//! A thread spins on the clock for one second and records every jump of more than half a
//! microsecond between two readings: time the operating system or, on a virtual machine,
//! the host spent elsewhere. The benchmark's per-step figures include these gaps, and a
//! step split between two cores waits at its join for whichever core lost time.
//!
//! Run with `cargo run --release --example preemption_gaps`.

use std::time::{Duration, Instant};

fn main() {
    let threshold = Duration::from_nanos(500);
    let start = Instant::now();
    let mut previous = start;
    // (when, how long) of each gap.
    let mut gaps: Vec<(Duration, Duration)> = Vec::new();
    while previous - start < Duration::from_secs(1) {
        let now = Instant::now();
        if now - previous > threshold {
            gaps.push((previous - start, now - previous));
        }
        previous = now;
    }
    let total = previous - start;
    let lost: Duration = gaps.iter().map(|&(_, d)| d).sum();
    println!(
        "{} gaps over 0.5 µs in {:.2} s: {:.2}% of the time",
        gaps.len(),
        total.as_secs_f64(),
        100.0 * lost.as_secs_f64() / total.as_secs_f64()
    );
    let micros = |d: Duration| d.as_secs_f64() * 1e6;
    let mut intervals: Vec<f64> = gaps.windows(2).map(|w| micros(w[1].0 - w[0].0)).collect();
    let mut lengths: Vec<f64> = gaps.iter().map(|&(_, d)| micros(d)).collect();
    for (name, values) in [
        ("between gaps", &mut intervals),
        ("gap length", &mut lengths),
    ] {
        if values.is_empty() {
            continue;
        }
        values.sort_by(f64::total_cmp);
        let at = |q: f64| values[((values.len() - 1) as f64 * q) as usize];
        println!(
            "{name}: 10th percentile {:.1} µs, median {:.1} µs, 90th percentile {:.1} µs",
            at(0.1),
            at(0.5),
            at(0.9)
        );
    }
}
