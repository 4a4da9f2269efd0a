//! Deferred calls of jitted functions, and the fusion of one call into the next.
//!
//! A call of a jitted function on concrete arguments returns at once: its results are
//! concrete arrays whose values are computed when first read (all of a call's results
//! by one run of its plan). Until then the call is a [`DeferredCall`], and a second
//! jitted call that takes one of its results as an argument runs both as one program:
//! the first's program inlined into the second's (an [`Executable`] compiled once per
//! pair of programs), so that, say, a sampler's draws are made inside the next call's
//! kernels, split between the threads with its rows, instead of by a call of their own.
//! The fused program also returns the first call's results, which its arrays then hold.
//!
//! Values never change by this: every compiler pass is exact, so a result is the same
//! whether its call ran alone or inside the next. Chains stay short: a call whose
//! arguments are themselves results of a call that has not run yet runs that call first
//! (at most one call is fused into another). An error running a deferred call is
//! reported by the reads of its results.

use crate::array::{Array, Buffer};
use crate::backend::cpu::{Plan, Recycled, recycle};
use crate::compile::optimize;
use crate::error::{Error, Result};
use crate::ir::{ArrayType, Program};
use crate::trace::trace_with_types;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// A compiled program: what a jitted function runs for one signature.
pub(crate) struct Executable {
    pub(crate) program: Program,
    /// The types of the program's results.
    output_types: Vec<ArrayType>,
    /// Whether calls on concrete arguments run as a plan, deferred: the program does
    /// not close over values of an enclosing trace.
    runs_deferred: bool,
    /// The plan of fused kernels for concrete arguments, made at the first run (a
    /// program only ever run inlined into another's needs none).
    plan: OnceLock<Option<Plan>>,
    /// This program with another call's program inlined before it.
    fused: Mutex<Vec<Fusion>>,
}

/// The most fused pairs an executable keeps (the oldest is dropped first).
const MAX_FUSIONS: usize = 16;

/// A program inlined before this one: its executable (whose address identifies it, held
/// so that the address stays its own), for each argument of this program the inlined
/// program's result it takes (if any), and the fused executable (`None`: the pair does
/// not fuse).
struct Fusion {
    first: Arc<Executable>,
    takes: Vec<Option<usize>>,
    fused: Option<Arc<Executable>>,
}

impl Executable {
    /// The executable of an optimized `program`.
    pub(crate) fn new(program: Program) -> Executable {
        Executable {
            output_types: program.output_types(),
            runs_deferred: program.consts.iter().all(Array::is_concrete),
            program,
            plan: OnceLock::new(),
            fused: Mutex::new(Vec::new()),
        }
    }

    /// Whether calls on concrete arguments run as a plan, deferred: the program does
    /// not close over values of an enclosing trace.
    pub(crate) fn runs_deferred(&self) -> bool {
        self.runs_deferred
    }

    /// The plan, made at the first call.
    fn plan(&self) -> Option<&Plan> {
        self.plan
            .get_or_init(|| Plan::new(self.program.clone()))
            .as_ref()
    }

    /// Runs on `inputs` (of the program's input types), giving one buffer per result.
    fn run(&self, inputs: &[Array]) -> Result<Recycled<Buffer>> {
        match self.plan() {
            Some(plan) => plan.run_arrays(inputs),
            None => self
                .program
                .call(inputs)?
                .iter()
                .map(|a| match a.concrete() {
                    Some(c) => c.value().cloned(),
                    None => Err(Error::new(
                        "jit",
                        "a deferred call's result is not concrete",
                        None,
                    )),
                })
                .collect(),
        }
    }

    /// This program with `first`'s inlined before it, `takes[i]` naming the result of
    /// `first` that argument `i` is (arguments: `first`'s, then this program's others;
    /// results: this program's, then `first`'s). Compiled once per pair; `None` where
    /// the pair cannot be traced together or has no plan.
    fn fused_with(
        &self,
        first: &Arc<Executable>,
        takes: &[Option<usize>],
    ) -> Option<Arc<Executable>> {
        let mut cache = self.fused.lock().ok()?;
        if let Some(f) = cache
            .iter()
            .find(|f| Arc::ptr_eq(&f.first, first) && f.takes == takes)
        {
            return f.fused.clone();
        }
        let fused = self.fuse(first, takes).map(Arc::new);
        // A program meets few others; a caller that makes new jitted functions over and
        // over (each a new program) must not grow this without bound.
        if cache.len() >= MAX_FUSIONS {
            cache.remove(0);
        }
        cache.push(Fusion {
            first: first.clone(),
            takes: takes.to_vec(),
            fused: fused.clone(),
        });
        fused
    }

    /// Traces and compiles the pair (see [`Executable::fused_with`]).
    fn fuse(&self, first: &Executable, takes: &[Option<usize>]) -> Option<Executable> {
        let first_types = first.program.input_types();
        let mut types = first_types.clone();
        let own_types = self.program.input_types();
        types.extend(
            own_types
                .iter()
                .zip(takes)
                .filter(|(_, t)| t.is_none())
                .map(|(ty, _)| ty.clone()),
        );
        let template: Vec<Array> = vec![Array::scalar(0.0f32); types.len()];
        let (program, _) = trace_with_types(
            |all: &Vec<Array>| -> Result<Vec<Array>> {
                let (before, own) = all.split_at(first_types.len());
                let produced = first.program.call(before)?;
                let mut own = own.iter();
                let mut args = Vec::with_capacity(takes.len());
                for t in takes {
                    args.push(
                        match t {
                            Some(i) => produced.get(*i).cloned(),
                            None => own.next().cloned(),
                        }
                        .ok_or_else(|| Error::new("jit", "a fused argument is missing", None))?,
                    );
                }
                let mut outs = self.program.call(&args)?;
                outs.extend(produced);
                Ok(outs)
            },
            &template,
            &types,
        )
        .ok()?;
        let exe = Executable::new(optimize(&program));
        exe.plan().is_some().then_some(exe)
    }
}

/// A call of an executable whose results nobody has read yet.
pub(crate) struct DeferredCall {
    exe: Arc<Executable>,
    /// The arguments, until the call runs (or is run inside another).
    args: Mutex<Option<Recycled<Array>>>,
    /// Whether an argument was, when the call was made, a result of a call that had not
    /// run (which then runs inlined into this one).
    fuses: bool,
    /// Set once the call ran: `Ok`, or the error running it raised.
    ran: OnceLock<Result<()>>,
    /// Each result's buffer (a `Box`) once the call ran: null before, [`released`]
    /// once the result's array is gone. Each result has one array (its clones share it),
    /// which alone reads and frees its buffer, so a result kept long does not keep the
    /// call's other results alive.
    results: Vec<AtomicPtr<Buffer>>,
}

/// The mark of a result whose array is gone (an address no `Box` has).
fn released() -> *mut Buffer {
    static RELEASED: u8 = 0;
    (&raw const RELEASED).cast::<Buffer>().cast_mut()
}

impl DeferredCall {
    /// The results of `exe` on `args` (concrete arrays of its input types), as arrays
    /// computed when first read. An argument that is a result of a call that has not
    /// run and would itself fuse another call runs that call now (chains stay short).
    pub(crate) fn call(exe: Arc<Executable>, args: Recycled<Array>) -> Recycled<Array> {
        let mut fuses = false;
        for a in &args {
            if let Some((call, _)) = a.concrete().and_then(|c| c.pending()) {
                if call.fuses {
                    // Reading it runs it (an error shows when this call's results are
                    // read).
                    let _ = a.buffer();
                } else {
                    fuses = true;
                }
            }
        }
        let n = exe.output_types.len();
        let call = Arc::new(DeferredCall {
            exe,
            args: Mutex::new(Some(args)),
            fuses,
            ran: OnceLock::new(),
            results: (0..n)
                .map(|_| AtomicPtr::new(std::ptr::null_mut()))
                .collect(),
        });
        (call.exe.output_types.iter().enumerate())
            .map(|(i, ty)| Array::deferred(ty.clone(), call.clone(), i))
            .collect()
    }

    /// Whether the call has run (its results are computed, or failed).
    pub(crate) fn has_run(&self) -> bool {
        self.ran.get().is_some()
    }

    /// Result `i`, running the call if it has not run.
    ///
    /// # Safety
    /// Only result `i`'s array may ask for it (it frees the buffer when it goes, in
    /// [`DeferredCall::release`]; the reference lives no longer than its borrow).
    pub(crate) unsafe fn result(&self, i: usize) -> Result<&Buffer> {
        if let Err(e) = self.ran.get_or_init(|| self.run()) {
            return Err(e.clone());
        }
        let p = self
            .results
            .get(i)
            .map_or(std::ptr::null_mut(), |r| r.load(Ordering::Acquire));
        if p.is_null() || p == released() {
            return Err(Error::new(
                "jit",
                "a deferred call's result is missing",
                None,
            ));
        }
        // SAFETY: a non-null, unreleased pointer is the `Box` the run stored, which only
        // result `i`'s array frees (as the caller guarantees, that array is reading now).
        Ok(unsafe { &*p })
    }

    /// Frees result `i` (its array is gone), now or, if the call has not run, as soon as
    /// it runs.
    pub(crate) fn release(&self, i: usize) {
        let Some(r) = self.results.get(i) else {
            return;
        };
        if self.has_run() {
            // The run's store is seen (`ran` is set after it), and only this array
            // releases this result: no other thread writes the slot any more.
            let p = r.load(Ordering::Acquire);
            r.store(released(), Ordering::Release);
            if !p.is_null() && p != released() {
                // SAFETY: the run stored a `Box` here, now taken out for good.
                recycle(*unsafe { Box::from_raw(p) });
            }
        } else {
            // A run may be storing now: whichever comes second sees the other's mark.
            let p = r.swap(released(), Ordering::AcqRel);
            if !p.is_null() && p != released() {
                // SAFETY: as above; the swap took it out for good.
                recycle(*unsafe { Box::from_raw(p) });
            }
        }
    }

    /// Records the results (of a run of this call, alone or inlined into another); a
    /// result whose array is gone is freed at once.
    fn store(&self, mut buffers: Recycled<Buffer>) -> Result<()> {
        if buffers.len() != self.results.len() {
            return Err(Error::new(
                "jit",
                "a deferred call ran with the wrong number of results",
                None,
            ));
        }
        // Plain loads and stores, no locked instruction (which would wait here for the
        // run's last stores to reach the cache). An array released between the load
        // and the store leaves its buffer to the call's own drop.
        for (slot, b) in self.results.iter().zip(buffers.drain(..)) {
            if slot.load(Ordering::Acquire) != released() {
                slot.store(Box::into_raw(Box::new(b)), Ordering::Release);
            }
        }
        Ok(())
    }

    /// The arguments, taken out to run the call (`None` once it ran or is running).
    fn take_args(&self) -> Option<Recycled<Array>> {
        self.args.lock().ok()?.take()
    }

    /// Runs the call, with the call its arguments await inlined where it has one.
    fn run(&self) -> Result<()> {
        let args = self
            .take_args()
            .ok_or_else(|| Error::new("jit", "a deferred call ran twice", None))?;
        if self.fuses
            && let Some(out) = self.run_fused(&args)
        {
            return out.and_then(|buffers| self.store(buffers));
        }
        self.store(self.exe.run(&args)?)
    }

    /// Runs the call with the pending call of its first awaiting argument inlined, as
    /// that call's run (its results recorded in it), if the pair fuses; `None` (run
    /// alone) where it does not, or where that call ran meanwhile.
    fn run_fused(&self, args: &[Array]) -> Option<Result<Recycled<Buffer>>> {
        let first = args
            .iter()
            .find_map(|a| a.concrete()?.pending().map(|(call, _)| call.clone()))?;
        let takes: Vec<Option<usize>> = args
            .iter()
            .map(|a| {
                let (call, i) = a.concrete()?.pending()?;
                Arc::ptr_eq(call, &first).then_some(i)
            })
            .collect();
        let fused = self.exe.fused_with(&first.exe, &takes)?;
        let own = self.exe.output_types.len();
        let mut ours = None;
        first.ran.get_or_init(|| {
            let mut inputs = first
                .take_args()
                .ok_or_else(|| Error::new("jit", "a deferred call ran twice", None))?;
            inputs.extend(
                args.iter()
                    .zip(&takes)
                    .filter(|(_, t)| t.is_none())
                    .map(|(a, _)| a.clone()),
            );
            let mut outs = fused.run(&inputs).and_then(|outs| {
                if outs.len() < own {
                    Err(Error::new(
                        "jit",
                        "a fused call returned too few results",
                        None,
                    ))
                } else {
                    Ok(outs)
                }
            });
            let theirs = match &mut outs {
                Ok(outs) => first.store(outs.drain(own..).collect()),
                Err(e) => Err(e.clone()),
            };
            ours = Some(outs);
            theirs
        });
        ours
    }
}

impl Drop for DeferredCall {
    fn drop(&mut self) {
        for r in &mut self.results {
            let p = *r.get_mut();
            if !p.is_null() && p != released() {
                // SAFETY: a stored `Box` nobody released: this call owns it.
                drop(unsafe { Box::from_raw(p) });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::released;
    use crate::{Array, DType, jit, random};
    use std::sync::atomic::Ordering;

    /// A result's buffer goes with its array, whether it went before the call ran or
    /// after it was read, while the call's other results live on.
    #[test]
    fn a_result_kept_does_not_keep_the_others() {
        let f = jit(|x: &Array| (x.exp(), x.sum()));
        for read_first in [false, true] {
            let (big, small) = f(&Array::zeros(&[1000])).unwrap();
            let call = small.concrete().unwrap().pending().unwrap().0.clone();
            if read_first {
                assert_eq!(big.to_vec::<f32>().unwrap()[999], 1.0);
            }
            drop(big);
            assert_eq!(small.item::<f32>().unwrap(), 0.0);
            assert_eq!(call.results[0].load(Ordering::Acquire), released());
            assert_ne!(call.results[1].load(Ordering::Acquire), released());
        }
    }

    /// The call awaiting another is the one that runs, with the other inlined: the
    /// awaited call's results come from it, and neither keeps its arguments.
    #[test]
    fn the_awaited_call_runs_inlined_into_the_next() {
        let sample = jit(|key: &Array| {
            let (next, sub) = random::split2(key);
            (next, random::normal(&sub, &[16, 4], DType::F32))
        });
        let loss = jit(|eps: &Array| (eps * eps).sum());
        let (next, eps) = sample(&random::key(3)).unwrap();
        let first = eps.concrete().unwrap().pending().unwrap().0.clone();
        let value = loss(&eps).unwrap();
        let second = value.concrete().unwrap().pending().unwrap().0.clone();
        assert!(second.fuses && !first.fuses);
        value.block_until_ready().unwrap();
        assert!(first.has_run() && second.has_run());
        let fusions = second.exe.fused.lock().unwrap();
        assert_eq!(fusions.len(), 1);
        assert!(fusions[0].fused.is_some() && fusions[0].takes == [Some(1)]);
        assert!(first.args.lock().unwrap().is_none());
        assert!(second.args.lock().unwrap().is_none());
        // The inlined call's results were filled in by the fused run.
        assert_eq!(eps.shape(), &[16, 4]);
        assert!(eps.concrete().unwrap().pending().is_none());
        assert_eq!(next.to_vec::<u32>().unwrap().len(), 2);
    }

    /// A call whose argument awaits a call that itself awaits another runs that call
    /// first: no call ever waits on a chain of two.
    #[test]
    fn a_call_awaiting_a_call_that_awaits_another_runs_it_first() {
        let f = jit(|x: &Array| x + 1.0);
        let a = f(&Array::zeros(&[2])).unwrap();
        let b = f(&a).unwrap();
        let (b_call, _) = b
            .concrete()
            .unwrap()
            .pending()
            .map(|(c, i)| (c.clone(), i))
            .unwrap();
        assert!(b_call.fuses);
        let c = f(&b).unwrap();
        // `b`'s call ran (with `a`'s inlined) when `c`'s was made.
        assert!(b_call.has_run());
        assert!(!c.concrete().unwrap().pending().unwrap().0.fuses);
        assert_eq!(c.to_vec::<f32>().unwrap(), vec![3.0, 3.0]);
    }
}
