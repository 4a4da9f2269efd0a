//! A persistent helper thread that runs half of a large kernel while the calling thread
//! runs the other half.
//!
//! A general thread pool wakes a sleeping thread through the operating system, which
//! costs tens of microseconds on small virtual machines: more than a whole notebook step
//! should take. The helper here instead keeps spinning for [`SPIN`] after each job, so a
//! program that runs kernels back to back hands work over in well under a microsecond;
//! when idle longer, it parks and costs nothing. One caller uses it at a time; a second
//! caller meanwhile (another thread) runs both halves itself. On a machine with one core
//! [`join`] never uses it.
//!
//! A newly started helper often shares the caller's core at first, until the operating
//! system moves it: two threads spinning on one core then wait on each other for a
//! scheduler tick, which cost a third of a millisecond to a millisecond per call in a
//! program's first calls. So a caller that has waited [`WAIT_SPINS`] checks yields its
//! core at every further check, and the spinning helper yields its own every
//! [`YIELD_EVERY`] (never between seeing a job and taking it): about 0.2 ms per call
//! while they share a core, nothing measurable once they do not.
//!
//! While it spins, the helper also runs one 512-bit multiply-add per check (where the
//! kernels use AVX-512). A core that has run no wide floating-point work for a few
//! microseconds runs its next such work slowly for a while: in the notebook's step the
//! helper's normal draw (its first wide arithmetic of the step, after spinning through
//! the calling thread's 4-5 µs between regions) took its `erf_inv` about 3x as long in
//! 5-20% of steps (1.4k -> 4.4k cycles), and the calling thread waited for it; with the
//! multiply-adds, in 2%. `autobatch bench`, 12 alternating pairs: notebook loop
//! 15.15 -> 14.62 µs, jitted step 13.89 -> 13.29, scan 12.68 -> 12.39.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::thread::Thread;
use std::time::{Duration, Instant};

/// How long the helper waits for the next job before parking.
const SPIN: Duration = Duration::from_micros(300);

/// How often the helper yields its core while it spins.
const YIELD_EVERY: Duration = Duration::from_micros(50);

/// How many checks (a pause apart: 10 to 40 ns) a waiting caller makes before it
/// yields its core at every further check.
const WAIT_SPINS: u32 = 1 << 13;

const IDLE: u8 = 0;
const POSTED: u8 = 1;
const DONE: u8 = 2;

/// The helper's state, all in one cache line: posting a job and reporting it done each
/// move that one line between the cores (a mutex beside it cost two more transfers,
/// about a third of a microsecond each here).
#[repr(align(64))]
struct Helper {
    /// Whether a caller holds the helper.
    busy: AtomicBool,
    /// IDLE, POSTED (a job waits in `data` and `run`) or DONE (the helper finished it).
    state: AtomicU8,
    /// Whether the helper is parked (or about to park).
    sleeping: AtomicBool,
    /// The job: `run(data)` calls the closure stored at `data` (both written before
    /// `state` becomes POSTED, read after it is seen).
    data: AtomicUsize,
    run: AtomicUsize,
    thread: Thread,
}

/// This thread's id (read once per thread: `std::thread::current` clones the thread's
/// handle, a reference-count round trip per call).
pub(crate) fn current_thread() -> std::thread::ThreadId {
    thread_local! {
        static ID: std::thread::ThreadId = std::thread::current().id();
    }
    ID.with(|id| *id)
}

thread_local! {
    /// Whether this thread is the helper.
    static ON_HELPER: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Whether the calling thread is the helper.
pub(crate) fn on_helper() -> bool {
    ON_HELPER.with(std::cell::Cell::get)
}

/// One `T` for the helper thread and one for every other thread, on separate cache
/// lines: state that each side of a [`join`] keeps between runs (its scratch memory)
/// without the two cores contending for one lock or one line.
#[derive(Debug, Default)]
pub(crate) struct BySide<T> {
    sides: [Padded<T>; 2],
}

#[derive(Debug, Default)]
#[repr(align(64))]
struct Padded<T>(T);

impl<T> BySide<T> {
    /// The calling thread's side.
    pub(crate) fn mine(&self) -> &T {
        &self.sides[usize::from(on_helper())].0
    }

    /// Side `i` (0 or 1), for state kept by part rather than by thread.
    pub(crate) fn side(&self, i: usize) -> &T {
        &self.sides[i.min(1)].0
    }
}

/// How many threads can run at once here (the helper helps when at least 2).
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// The helper, started on first use; `None` where a second thread does not help.
fn helper() -> Option<&'static Helper> {
    static HELPER: OnceLock<Option<&'static Helper>> = OnceLock::new();
    *HELPER.get_or_init(|| {
        if threads() < 2 {
            return None;
        }
        let (tx, rx) = std::sync::mpsc::channel::<&'static Helper>();
        let spawned = std::thread::Builder::new()
            .name("autobatch-helper".into())
            .spawn(move || {
                if let Ok(h) = rx.recv() {
                    ON_HELPER.with(|c| c.set(true));
                    serve(h);
                }
            })
            .ok()?;
        let h: &'static Helper = Box::leak(Box::new(Helper {
            busy: AtomicBool::new(false),
            state: AtomicU8::new(IDLE),
            sleeping: AtomicBool::new(false),
            data: AtomicUsize::new(0),
            run: AtomicUsize::new(0),
            thread: spawned.thread().clone(),
        }));
        tx.send(h).ok()?;
        Some(h)
    })
}

/// The helper's loop: run posted tasks; spin between them, park when idle for long.
fn serve(h: &'static Helper) {
    #[cfg(target_arch = "x86_64")]
    let wide = super::simd::level() == super::simd::Level::Avx512;
    let mut last = Instant::now();
    let mut yielded = last;
    loop {
        if h.state.load(Ordering::Acquire) == POSTED {
            let (data, run) = (
                h.data.load(Ordering::Relaxed),
                h.run.load(Ordering::Relaxed),
            );
            // SAFETY: `join` stored in `run` a `unsafe fn(usize)` (as usize) and in `data`
            // the closure it runs, before POSTED (acquired above), and keeps the closure
            // alive and unmoved until it sees DONE.
            unsafe {
                let run = std::mem::transmute::<usize, unsafe fn(usize)>(run);
                run(data)
            };
            h.state.store(DONE, Ordering::Release);
            last = Instant::now();
            yielded = last;
            continue;
        }
        if last.elapsed() < SPIN {
            let posted = (0..64).any(|_| {
                #[cfg(target_arch = "x86_64")]
                if wide {
                    // SAFETY: the kernels' level is AVX-512 only where the CPU has it.
                    unsafe { keep_wide_units_busy() };
                }
                std::hint::spin_loop();
                h.state.load(Ordering::Relaxed) == POSTED
            });
            if !posted && yielded.elapsed() >= YIELD_EVERY {
                std::thread::yield_now();
                yielded = Instant::now();
            }
            continue;
        }
        h.sleeping.store(true, Ordering::SeqCst);
        if h.state.load(Ordering::SeqCst) != POSTED {
            std::thread::park();
        }
        h.sleeping.store(false, Ordering::SeqCst);
        last = Instant::now();
    }
}

/// One 512-bit multiply-add, its result discarded: what the spinning helper runs at each
/// check on a CPU whose kernels use AVX-512 (see the module documentation).
///
/// # Safety
/// The CPU must have AVX-512F.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn keep_wide_units_busy() {
    use std::arch::x86_64::*;
    let v = std::hint::black_box(_mm512_set1_ps(1.0));
    std::hint::black_box(_mm512_fmadd_ps(v, v, v));
}

/// A job and the slot for its result, on the poster's stack.
struct Slot<F, R> {
    f: Option<F>,
    result: Option<Result<R, Box<dyn Any + Send>>>,
}

/// Runs the closure of the `Slot<F, R>` at `data`.
///
/// # Safety
/// `data` must point to a live `Slot<F, R>` that nothing else accesses meanwhile.
unsafe fn run_slot<F: FnOnce() -> R, R>(data: usize) {
    // SAFETY: as required of the caller.
    let slot = unsafe { &mut *(data as *mut Slot<F, R>) };
    if let Some(f) = slot.f.take() {
        slot.result = Some(catch_unwind(AssertUnwindSafe(f)));
    }
}

/// Runs `a` on this thread and `b` on the helper (or on this thread too, when the helper
/// is unavailable), returning both results.
pub(crate) fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA,
    B: FnOnce() -> RB + Send,
    RB: Send,
{
    let Some(h) = helper() else {
        return (a(), b());
    };
    if h.busy
        .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        return (a(), b());
    }
    let mut slot: Slot<B, RB> = Slot {
        f: Some(b),
        result: None,
    };
    let run: unsafe fn(usize) = run_slot::<B, RB>;
    h.data
        .store(&mut slot as *mut Slot<B, RB> as usize, Ordering::Relaxed);
    h.run.store(run as usize, Ordering::Relaxed);
    h.state.store(POSTED, Ordering::SeqCst);
    if h.sleeping.load(Ordering::SeqCst) {
        h.thread.unpark();
    }
    let ra = catch_unwind(AssertUnwindSafe(a));
    // Wait for the helper to finish with `slot` before it goes out of scope.
    let mut spins = 0u32;
    while h.state.load(Ordering::Acquire) != DONE {
        spins = spins.saturating_add(1);
        if spins < WAIT_SPINS {
            std::hint::spin_loop();
        } else {
            std::thread::yield_now();
        }
    }
    h.state.store(IDLE, Ordering::Relaxed);
    h.busy.store(false, Ordering::Release);
    let rb = match slot.result.take() {
        Some(Ok(r)) => r,
        Some(Err(panic)) => resume_unwind(panic),
        None => unreachable_job(),
    };
    match ra {
        Ok(ra) => (ra, rb),
        Err(panic) => resume_unwind(panic),
    }
}

#[cold]
fn unreachable_job() -> ! {
    // The helper sets DONE only after running the task it took, and `join` posts the
    // task before POSTED: a missing result means the invariant above was broken.
    panic!("the helper thread finished without running its job")
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn both_halves_run_and_return() {
        for i in 0..2000u64 {
            let v: Vec<u64> = (0..100).map(|x| x * i).collect();
            let (a, b) = join(
                || v[..50].iter().sum::<u64>(),
                || v[50..].iter().sum::<u64>(),
            );
            assert_eq!(a + b, 4950 * i);
        }
    }

    #[test]
    fn concurrent_callers_fall_back_to_running_both() {
        let threads: Vec<_> = (0..4)
            .map(|t| {
                std::thread::spawn(move || {
                    for i in 0..500u64 {
                        let (a, b) = join(|| i * t, || i + t);
                        assert_eq!((a, b), (i * t, i + t));
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }

    #[test]
    fn a_panic_on_the_helper_reaches_the_caller() {
        let r = std::panic::catch_unwind(|| join(|| 1, || -> i32 { panic!("boom") }));
        assert!(r.is_err());
        // The helper is still usable.
        assert_eq!(join(|| 2, || 3), (2, 3));
    }
}
