//! Recycled memory: the buffers a compiled plan frees, and the small vectors of its
//! bookkeeping (a kernel's operands, its outputs, its register chunks), go back to a
//! per-thread pool, and the next allocations of a similar size come from it.
//!
//! Without it, every run of a plan allocates and frees the same memory again. Beyond
//! the cost of `malloc` itself, the allocator hands large freed blocks back to the
//! operating system, and unmapping memory in a process with more than one running thread
//! interrupts the other cores to flush their address translations: on a small virtual
//! machine that made a notebook step with a helper thread slower than without. With the
//! pool, and with dropped arrays giving their buffers back ([`recycle`]), a warmed-up
//! call allocates only the handles of its results.
//!
//! Memory is kept by the layout of its elements (their size and alignment), not by
//! their type: a vector of `f32` and one of `u32` share memory, and so do vectors of
//! borrowed views whatever the lifetime of their borrows (a kept vector is empty).

use std::alloc::Layout;
use std::cell::RefCell;
use std::ops::{Deref, DerefMut};
use std::ptr::NonNull;

/// Blocks of at least this many bytes are "large": they are matched to requests more
/// tightly (at most twice the size asked for) and kept in a list of their own.
const LARGE_BYTES: usize = 4096;
/// The most blocks kept per element layout, for small and for large blocks each.
const MAX_KEPT: usize = 64;
/// The most bytes kept per thread.
const MAX_BYTES: usize = 256 << 20;
/// The largest array whose memory goes to the pool when the array is dropped.
const RECYCLED_ARRAY_BYTES: usize = 1 << 20;
/// A small request may take a kept block of up to this many bytes beyond twice its
/// size (so that a vector of three operands can reuse one that held eight).
const SMALL_SLACK_BYTES: usize = 256;

/// An empty block of memory for `cap` elements of its class's layout.
struct Block {
    ptr: NonNull<u8>,
    cap: usize,
}

/// The blocks kept for elements of one size and alignment.
struct Class {
    size: usize,
    align: usize,
    small: Vec<Block>,
    large: Vec<Block>,
}

/// A thread's kept blocks, by element layout.
struct Pool {
    classes: Vec<Class>,
    /// For element sizes below [`DIRECT_SIZES`]: 1 + the index of the first class made
    /// for that size, 0 if none yet (found without a search; a class of the same size
    /// but another alignment is searched for).
    by_size: [u8; DIRECT_SIZES],
    bytes: usize,
}

/// Element sizes below this are looked up directly in [`Pool::by_size`].
const DIRECT_SIZES: usize = 129;

impl Pool {
    /// The index of the class of elements of `size` bytes aligned to `align`.
    #[inline]
    fn class(&self, size: usize, align: usize) -> Option<usize> {
        if let Some(&i) = self.by_size.get(size)
            && i > 0
            && self.classes[usize::from(i) - 1].align == align
        {
            return Some(usize::from(i) - 1);
        }
        self.classes
            .iter()
            .position(|c| c.size == size && c.align == align)
    }

    /// That class's index, made if there is none.
    fn class_or_new(&mut self, size: usize, align: usize) -> usize {
        if let Some(at) = self.class(size, align) {
            return at;
        }
        self.classes.push(Class {
            size,
            align,
            small: Vec::new(),
            large: Vec::new(),
        });
        let at = self.classes.len() - 1;
        if let (Some(slot), Ok(i)) = (self.by_size.get_mut(size), u8::try_from(at + 1))
            && *slot == 0
        {
            *slot = i;
        }
        at
    }
}

impl Default for Pool {
    fn default() -> Self {
        Pool {
            classes: Vec::new(),
            by_size: [0; DIRECT_SIZES],
            bytes: 0,
        }
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        for class in &self.classes {
            for block in class.small.iter().chain(&class.large) {
                // SAFETY: every kept block was a vector's allocation of `cap` elements of
                // this class's size and alignment (see `give`), owned by the pool alone.
                unsafe {
                    let layout =
                        Layout::from_size_align_unchecked(block.cap * class.size, class.align);
                    std::alloc::dealloc(block.ptr.as_ptr(), layout);
                }
            }
        }
    }
}

thread_local! {
    static POOL: RefCell<Pool> = RefCell::new(Pool::default());
}

/// An empty vector with room for at least `n` elements, if the pool has one: for a
/// large request at most `2n`, for a small one at most `2n` plus a few hundred bytes.
pub(crate) fn take<T>(n: usize) -> Option<Vec<T>> {
    let (size, align) = (std::mem::size_of::<T>(), std::mem::align_of::<T>());
    let bytes = n.checked_mul(size)?;
    if bytes == 0 {
        return None;
    }
    let large = bytes >= LARGE_BYTES;
    let most = if large {
        2 * n
    } else {
        2 * n + SMALL_SLACK_BYTES / size
    };
    POOL.try_with(|p| {
        let mut p = p.try_borrow_mut().ok()?;
        let at = p.class(size, align)?;
        let class = &mut p.classes[at];
        let list = if large {
            &mut class.large
        } else {
            &mut class.small
        };
        let fits = |b: &Block| b.cap >= n && b.cap <= most;
        let best = if large {
            // The tightest fit: large blocks are few, and their memory matters.
            list.iter()
                .enumerate()
                .filter(|(_, b)| fits(b))
                .min_by_key(|(_, b)| b.cap)
                .map(|(i, _)| i)?
        } else {
            // The last kept that fits: runs free small vectors in the order they take
            // them, so the search mostly stops at the first block it looks at.
            list.iter().rposition(fits)?
        };
        let block = list.swap_remove(best);
        p.bytes -= block.cap * size;
        // SAFETY: the block is a vector's allocation of `cap` elements of `T`'s size and
        // alignment (see `give`), so of `Layout::array::<T>(cap)`; it is empty, and the
        // pool gives up its ownership here.
        Some(unsafe { Vec::from_raw_parts(block.ptr.as_ptr().cast::<T>(), 0, block.cap) })
    })
    .ok()
    .flatten()
}

/// Keeps `v`'s memory for a later [`take`] (or frees it, when the pool is full). Its
/// elements are dropped first.
pub(crate) fn give<T>(mut v: Vec<T>) {
    let (size, align) = (std::mem::size_of::<T>(), std::mem::align_of::<T>());
    let bytes = v.capacity() * size;
    if bytes == 0 {
        return;
    }
    v.clear();
    let mut v = Some(v);
    let _ = POOL.try_with(|p| {
        let Ok(mut p) = p.try_borrow_mut() else {
            return;
        };
        if p.bytes + bytes > MAX_BYTES {
            return;
        }
        let at = p.class_or_new(size, align);
        let class = &mut p.classes[at];
        let list = if bytes >= LARGE_BYTES {
            &mut class.large
        } else {
            &mut class.small
        };
        if list.len() < MAX_KEPT
            && let Some(kept) = v.take()
        {
            let mut kept = std::mem::ManuallyDrop::new(kept);
            let cap = kept.capacity();
            list.push(Block {
                ptr: NonNull::new(kept.as_mut_ptr().cast::<u8>())
                    .expect("a vector with capacity has a non-null pointer"),
                cap,
            });
            p.bytes += bytes;
        }
    });
    // Not kept: `v` (if still here) is freed as it goes out of scope.
}

/// Returns the memory of an array's buffer to the pool when the array goes, if it is
/// at most [`RECYCLED_ARRAY_BYTES`] (the memory of larger arrays goes back to the
/// allocator, and from there to the system).
pub(crate) fn recycle(b: crate::array::Buffer) {
    if b.len() * b.dtype().size_bytes() <= RECYCLED_ARRAY_BYTES {
        give_buffer(b);
    }
}

/// Returns a buffer's memory to the pool.
pub(crate) fn give_buffer(b: crate::array::Buffer) {
    crate::with_buffer!(b, v => give(v))
}

/// A vector whose memory comes from the pool when it can and goes back to it when the
/// vector is dropped: for the short-lived lists a run builds at every call.
pub(crate) struct Recycled<T>(Vec<T>);

impl<T> Recycled<T> {
    /// An empty vector with room for `n` elements.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Recycled(take(n).unwrap_or_else(|| Vec::with_capacity(n)))
    }

    /// The vector, whose memory then leaves the pool's cycle.
    pub(crate) fn into_vec(mut self) -> Vec<T> {
        std::mem::take(&mut self.0)
    }

    /// A vector of `n` copies of `value`.
    pub(crate) fn filled(n: usize, value: T) -> Self
    where
        T: Clone,
    {
        let mut v = Self::with_capacity(n);
        v.resize(n, value);
        v
    }
}

impl<T> Deref for Recycled<T> {
    type Target = Vec<T>;
    fn deref(&self) -> &Vec<T> {
        &self.0
    }
}

impl<T> DerefMut for Recycled<T> {
    fn deref_mut(&mut self) -> &mut Vec<T> {
        &mut self.0
    }
}

impl<T> Drop for Recycled<T> {
    fn drop(&mut self) {
        give(std::mem::take(&mut self.0));
    }
}

impl<'a, T> IntoIterator for &'a Recycled<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'a, T> IntoIterator for &'a mut Recycled<T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter_mut()
    }
}

impl<T> From<Vec<T>> for Recycled<T> {
    /// The vector, whose memory goes to the pool when it is dropped.
    fn from(v: Vec<T>) -> Self {
        Recycled(v)
    }
}

impl<T> FromIterator<T> for Recycled<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let iter = iter.into_iter();
        // Room for the most it may give, when that is known and small (a filter's).
        let (least, most) = iter.size_hint();
        let n = most.filter(|&m| m <= least.max(64)).unwrap_or(least);
        let mut v = Self::with_capacity(n);
        v.extend(iter);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::{Recycled, give, take};

    #[test]
    fn buffers_come_back_by_size() {
        let v: Vec<f32> = Vec::with_capacity(5000);
        let ptr = v.as_ptr();
        give(v);
        assert!(take::<f32>(20000).is_none(), "too small for 20000");
        assert!(
            take::<f32>(1000).is_none(),
            "small requests take small blocks"
        );
        let w = take::<f32>(4000).expect("a 5000-element buffer fits 4000");
        assert_eq!((w.as_ptr(), w.len()), (ptr, 0));
        give(w);
        assert!(take::<f64>(4000).is_none(), "kept by element size");
        let u = take::<u32>(4000).expect("u32 shares f32's layout");
        assert_eq!((u.as_ptr().cast::<f32>(), u.capacity()), (ptr, 5000));
    }

    #[test]
    fn small_vectors_are_reused_whatever_their_borrows() {
        let x = [1.0f32, 2.0];
        let first = {
            let mut views: Recycled<&[f32]> = Recycled::with_capacity(3);
            views.push(&x);
            views.as_ptr() as usize
        };
        let y = [3.0f32];
        let mut again: Recycled<&[f32]> = Recycled::with_capacity(2);
        assert_eq!(again.as_ptr() as usize, first, "the same memory");
        assert!(again.is_empty());
        again.push(&y);
        assert_eq!(again[0], [3.0]);
        let filled = Recycled::filled(4, 7u8);
        assert_eq!(filled[..], [7, 7, 7, 7]);
    }

    #[test]
    fn elements_are_dropped_when_kept() {
        let counted = std::rc::Rc::new(());
        let mut v = Vec::with_capacity(4);
        v.push(counted.clone());
        give(v);
        assert_eq!(std::rc::Rc::strong_count(&counted), 1);
        let w: Recycled<std::rc::Rc<()>> = Recycled::with_capacity(4);
        assert!(w.is_empty());
    }
}
