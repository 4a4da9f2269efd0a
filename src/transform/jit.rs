//! `jit`: trace a function once per input signature, optimize the program, and run the
//! cached program on every later call — on concrete arguments as a plan of fused,
//! vectorized kernels (see `backend::cpu`), under a trace by replaying it.
//!
//! The cache key is the argument Tree's layout (leaves per argument) and every leaf's
//! dtype and shape; new values with the same signature reuse the program, a new shape or
//! dtype traces again. Under an outer trace the cached program is replayed into it, so
//! `vmap`, `grad` and `jit` of a jitted function work and give the same numbers.
//!
//! Like JAX, values the function closes over are constants of the traced program: a
//! closure must not observe state that changes between calls (pass such values as
//! arguments).
//!
//! On concrete arguments a call returns at once and its results are computed when first
//! read (JAX dispatches asynchronously; here the work waits for its reader). A jitted
//! call that takes results of a call nobody has read runs both as one program, the first
//! inlined (see `deferred`): the notebook's sampler then draws inside the gradient's
//! kernels, split between the threads. Time a call with
//! [`Array::block_until_ready`](crate::Array::block_until_ready) (or another read) on a
//! result inside the timing; an error running a call shows at the reads of its results.

use super::deferred::{DeferredCall, Executable};
use super::tree_fn::TreeFn;
use crate::array::Array;
use crate::backend::cpu::{Recycled, ThreadSlot};
use crate::compile::optimize;
use crate::error::{Error, Result};
use crate::ir::{ArrayType, Program};
use crate::trace::{Tree, TreeResult, trace_with_types};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// What identifies a compiled program: the argument layout and leaf types.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Signature {
    layout: Vec<usize>,
    types: Vec<ArrayType>,
}

/// A traced, optimized program and the structure of its results.
struct Compiled<R> {
    exe: Arc<Executable>,
    template: R,
}

/// Compiled programs by signature.
/// The room a call's argument list starts with (it grows for more leaves).
const LEAVES_ROOM: usize = 8;

type Cache<R> = Mutex<HashMap<Signature, Arc<Compiled<R>>>>;

/// The last call's signature and program.
type Last<R> = ThreadSlot<(Signature, Arc<Compiled<R>>)>;

impl Signature {
    /// Whether `leaves` (laid out as `layout`) have this signature, compared in place
    /// (no key is built).
    fn matches(&self, layout: &[usize], leaves: &[Array]) -> bool {
        self.layout == layout
            && self.types.len() == leaves.len()
            && self
                .types
                .iter()
                .zip(leaves)
                .all(|(t, a)| a.type_ref() == t)
    }
}

/// Compiles `f` for each new input signature and runs the compiled program.
///
/// ```
/// use autobatch::{jit, Array};
/// let f = jit(|x: &Array, y: &Array| (x * y).exp().sum());
/// let a = f(&Array::ones(&[3]), &Array::zeros(&[3])).unwrap();
/// assert_eq!(a.item::<f32>().unwrap(), 3.0);
/// // Same shapes: the cached program runs again, with the new values.
/// let b = f(&Array::ones(&[3]), &Array::ones(&[3])).unwrap();
/// assert!((b.item::<f32>().unwrap() - 3.0 * 1f32.exp()).abs() < 1e-5);
/// ```
pub fn jit<'a, M, F>(f: F) -> F::Spread<Result<<F::Out as TreeResult>::Tree>>
where
    F: TreeFn<'a, M>,
    F::Out: TreeResult,
    <F::Out as TreeResult>::Tree: Clone + 'a,
{
    let cache: Cache<<F::Out as TreeResult>::Tree> = Mutex::new(HashMap::new());
    // The last call's signature and program, for the thread that calls most (a loop
    // calls with one signature): compared with a call's arguments in place, taken and
    // put back without a lock.
    let last: Last<<F::Out as TreeResult>::Tree> = ThreadSlot::default();
    F::spread(move |args: &F::Args| {
        // The argument list of a call goes back to the pool when the call has run.
        let mut leaves = Recycled::with_capacity(LEAVES_ROOM);
        args.flatten_into(&mut leaves);
        if let Some(e) = leaves.iter().find_map(|a| a.error_value()) {
            return Err(e.clone());
        }
        let layout = args.arg_leaf_counts();
        let poisoned = || {
            Error::new(
                "jit",
                "the compilation cache is poisoned by an earlier panic",
                None,
            )
        };
        let recent = last.take().filter(|(s, _)| s.matches(&layout, &leaves));
        let (signature, compiled) = match recent {
            Some(hit) => hit,
            None => {
                let types = leaves.iter().map(|a| a.array_type()).collect();
                let signature = Signature { layout, types };
                // The lock is held only for the lookup.
                let found = cache
                    .lock()
                    .map_err(|_| poisoned())?
                    .get(&signature)
                    .cloned();
                match found {
                    Some(c) => (signature, c),
                    None => {
                        let (program, template) =
                            trace_with_types(|a: &F::Args| f.call_args(a), args, &signature.types)?;
                        let compiled = Arc::new(Compiled {
                            exe: Arc::new(Executable::new(optimize(&program))),
                            template,
                        });
                        // A program that closed over values of an enclosing trace is
                        // valid only inside that trace: use it now, do not cache it.
                        if compiled.exe.program.consts.iter().any(Array::is_traced) {
                            return run(&compiled, leaves);
                        }
                        cache
                            .lock()
                            .map_err(|_| poisoned())?
                            .insert(signature.clone(), compiled.clone());
                        (signature, compiled)
                    }
                }
            }
        };
        let result = run(&compiled, leaves);
        last.put((signature, compiled));
        result
    })
}

/// Runs `compiled` on `leaves`, giving the results' Tree. On concrete arguments the
/// results are computed when first read (and a call whose arguments await another call
/// runs fused with it): see `deferred`.
fn run<R: Tree>(compiled: &Compiled<R>, leaves: Recycled<Array>) -> Result<R> {
    let mut outs = if compiled.exe.runs_deferred() && leaves.iter().all(Array::is_concrete) {
        DeferredCall::call(compiled.exe.clone(), leaves)
    } else {
        compiled.exe.program.call(&leaves)?.into()
    };
    Ok(compiled.template.rebuild(&mut outs.drain(..)))
}

/// The optimized program `jit(f)` runs for arguments shaped like `args` (for inspection).
/// Its fused kernels print with [`schedule`](crate::compile::fusion::schedule).
///
/// ```
/// use autobatch::{compile::fusion::schedule, jit_program, Array};
/// let p = jit_program(|x: &Array| x.exp() + x.exp(), &Array::zeros(&[2])).unwrap();
/// assert_eq!(p.count_primitive("exp"), 1);
/// let kernels = schedule(&p).display(&p).to_string();
/// assert!(kernels.starts_with("kernel 0 over 2 elements (a) -> (c):"), "{kernels}");
/// ```
pub fn jit_program<A: Tree, O: TreeResult>(f: impl FnOnce(&A) -> O, args: &A) -> Result<Program> {
    crate::make_program(f, args).map(|p| optimize(&p))
}
