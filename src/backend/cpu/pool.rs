//! Recycled buffers: the intermediates a compiled plan frees go back to a per-thread
//! pool, and the kernels' next allocations of a similar size come from it.
//!
//! Without it, every run of a plan allocates and frees the same buffers again. Beyond
//! the cost of `malloc` itself, the allocator hands large freed blocks back to the
//! operating system, and unmapping memory in a process with more than one running thread
//! interrupts the other cores to flush their address translations: on a small virtual
//! machine that made a notebook step with a helper thread slower than without. With the
//! pool, a warmed-up plan allocates only the buffers it returns.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::HashMap;

/// Buffers smaller than this are left to the allocator (cheap, and never unmapped).
const MIN_BYTES: usize = 4096;
/// The most buffers kept per element type.
const MAX_KEPT: usize = 64;
/// The most bytes kept per thread.
const MAX_BYTES: usize = 256 << 20;

#[derive(Default)]
struct Pool {
    /// `Vec<Vec<T>>` of empty vectors with spare capacity, by `TypeId` of `T`.
    lists: HashMap<TypeId, Box<dyn Any>>,
    bytes: usize,
}

thread_local! {
    static POOL: RefCell<Pool> = RefCell::new(Pool::default());
}

/// An empty vector with room for at least `n` elements (and at most `2n`), if the pool
/// has one.
pub(crate) fn take<T: 'static>(n: usize) -> Option<Vec<T>> {
    let bytes = n.checked_mul(std::mem::size_of::<T>())?;
    if bytes < MIN_BYTES {
        return None;
    }
    POOL.try_with(|p| {
        let mut p = p.try_borrow_mut().ok()?;
        let list = p
            .lists
            .get_mut(&TypeId::of::<T>())?
            .downcast_mut::<Vec<Vec<T>>>()?;
        let best = list
            .iter()
            .enumerate()
            .filter(|(_, v)| v.capacity() >= n && v.capacity() <= 2 * n)
            .min_by_key(|(_, v)| v.capacity())
            .map(|(i, _)| i)?;
        let v = list.swap_remove(best);
        p.bytes -= v.capacity() * std::mem::size_of::<T>();
        Some(v)
    })
    .ok()
    .flatten()
}

/// Keeps `v`'s memory for a later [`take`] (or frees it, when the pool is full).
pub(crate) fn give<T: 'static>(mut v: Vec<T>) {
    let bytes = v.capacity() * std::mem::size_of::<T>();
    if bytes < MIN_BYTES {
        return;
    }
    v.clear();
    let _ = POOL.try_with(|p| {
        let Ok(mut p) = p.try_borrow_mut() else {
            return;
        };
        if p.bytes + bytes > MAX_BYTES {
            return;
        }
        let entry = p
            .lists
            .entry(TypeId::of::<T>())
            .or_insert_with(|| Box::new(Vec::<Vec<T>>::new()));
        let Some(list) = entry.downcast_mut::<Vec<Vec<T>>>() else {
            return;
        };
        if list.len() < MAX_KEPT {
            list.push(v);
            p.bytes += bytes;
        }
    });
}

/// Returns a buffer's memory to the pool.
pub(crate) fn give_buffer(b: crate::array::Buffer) {
    crate::with_buffer!(b, v => give(v))
}

#[cfg(test)]
mod tests {
    use super::{give, take};

    #[test]
    fn buffers_come_back_by_size() {
        assert!(take::<f32>(5000).is_none() || take::<f32>(5000).is_some());
        let v: Vec<f32> = Vec::with_capacity(5000);
        let ptr = v.as_ptr();
        give(v);
        assert!(take::<f32>(20000).is_none(), "too small for 20000");
        assert!(
            take::<f32>(1000).is_none(),
            "small requests use the allocator"
        );
        let w = take::<f32>(4000).expect("a 5000-element buffer fits 4000");
        assert_eq!((w.as_ptr(), w.len()), (ptr, 0));
        assert!(take::<f64>(4000).is_none(), "pools are per type");
    }
}
