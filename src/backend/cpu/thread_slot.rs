//! A value kept between runs (a kernel's scratch memory, a plan's environment) without
//! a locked instruction on the path of the thread that uses it.
//!
//! A mutex costs two locked instructions per use, and on x86 each is a full barrier: it
//! waits until every store before it has reached the cache. Right after a kernel has
//! written its outputs that wait is long (stores to lines another core holds, or that
//! were evicted): 200 to 700 cycles per kernel in the notebook's step, measured as the
//! time a kernel took to return its scratch registers to their mutex. The thread that
//! first uses a [`ThreadSlot`] becomes its owner and reads and writes its value with
//! plain loads and stores; other threads share a second value behind a mutex.

use std::cell::UnsafeCell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// A number for the calling thread: unique in the process, never 0.
fn thread_number() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    thread_local! {
        static NUMBER: u64 = NEXT.fetch_add(1, Ordering::Relaxed);
    }
    NUMBER.with(|n| *n)
}

/// An optional `T` kept for its owner (the first thread to use it), and another for
/// every other thread, behind a mutex.
///
/// ```ignore
/// let slot: ThreadSlot<Vec<u8>> = ThreadSlot::default();
/// assert_eq!(slot.take(), None);
/// slot.put(vec![1, 2]);
/// assert_eq!(slot.take(), Some(vec![1, 2]));
/// ```
#[derive(Debug)]
pub(crate) struct ThreadSlot<T> {
    /// The owner's [`thread_number`], 0 until a thread claims it; set once.
    owner: AtomicU64,
    /// The owner's value: only the owner reads or writes it.
    owned: UnsafeCell<Option<T>>,
    /// The value of every other thread.
    shared: Mutex<Option<T>>,
}

impl<T> Default for ThreadSlot<T> {
    fn default() -> Self {
        ThreadSlot {
            owner: AtomicU64::new(0),
            owned: UnsafeCell::new(None),
            shared: Mutex::new(None),
        }
    }
}

// SAFETY: `owned` is only ever accessed by the owner thread (whose number `owner` holds
// from the first use on, never changing), so it is never accessed from two threads;
// `shared` is behind a mutex. Values move between threads only as `T: Send` allows.
unsafe impl<T: Send> Sync for ThreadSlot<T> {}

impl<T> ThreadSlot<T> {
    /// Whether the calling thread owns the slot (claiming it if no thread has).
    #[inline]
    fn owned_here(&self) -> bool {
        let me = thread_number();
        match self.owner.load(Ordering::Relaxed) {
            0 => self
                .owner
                .compare_exchange(0, me, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok(),
            owner => owner == me,
        }
    }

    /// The calling thread's value, taken out (`None` if there is none).
    pub(crate) fn take(&self) -> Option<T> {
        if self.owned_here() {
            // SAFETY: only the owner accesses `owned` (see the `Sync` impl), and no
            // reference to it outlives this call.
            unsafe { (*self.owned.get()).take() }
        } else {
            self.shared.lock().ok()?.take()
        }
    }

    /// Keeps `value` as the calling thread's, unless it already has one (then `value`
    /// is dropped).
    pub(crate) fn put(&self, value: T) {
        if self.owned_here() {
            // SAFETY: as in `take`.
            let owned = unsafe { &mut *self.owned.get() };
            if owned.is_none() {
                *owned = Some(value);
            }
        } else if let Ok(mut shared) = self.shared.lock()
            && shared.is_none()
        {
            *shared = Some(value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ThreadSlot;
    use std::sync::Arc;

    #[test]
    fn the_owner_and_other_threads_keep_separate_values() {
        let slot: Arc<ThreadSlot<Vec<u32>>> = Arc::default();
        assert_eq!(slot.take(), None);
        slot.put(vec![1]);
        // A value is kept once: a second put while one is kept is dropped.
        slot.put(vec![2]);
        let other = {
            let slot = slot.clone();
            std::thread::spawn(move || {
                let before = slot.take();
                slot.put(vec![3]);
                (before, slot.take(), slot.take())
            })
            .join()
            .unwrap()
        };
        assert_eq!(other, (None, Some(vec![3]), None));
        assert_eq!(slot.take(), Some(vec![1]));
        assert_eq!(slot.take(), None);
    }

    #[test]
    fn the_owners_value_is_never_touched_by_other_threads() {
        let slot: Arc<ThreadSlot<Vec<usize>>> = Arc::default();
        // This thread claims the slot; the others then share the second value.
        slot.put(Vec::new());
        let push = |slot: &ThreadSlot<Vec<usize>>, tag: usize| {
            for i in 0..2000 {
                let mut v = slot.take().unwrap_or_default();
                v.push(tag + i);
                slot.put(v);
            }
        };
        let threads: Vec<_> = (1..4)
            .map(|t| {
                let slot = slot.clone();
                std::thread::spawn(move || push(&slot, t * 10_000))
            })
            .collect();
        push(&slot, 0);
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(slot.take(), Some((0..2000).collect::<Vec<_>>()));
    }
}
