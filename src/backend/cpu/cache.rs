//! Cache-line placement hints.
//!
//! A value one core read last sits in that core's private caches; the next core to
//! write it (a pooled buffer is rewritten at every call) must first have those copies
//! invalidated, one transfer between the cores per line. `cldemote` moves a line from
//! the private caches to the shared one ahead of time, so the writer finds it there.
//! The other way round, a core about to read several small values the other core has
//! just written asks for all their lines at once (`prefetch`), so that the transfers
//! overlap instead of each waiting for the last.

use std::sync::atomic::{AtomicU8, Ordering};

/// Whether the CPU has `cldemote`: 0 unknown, 1 no, 2 yes.
static HAS_CLDEMOTE: AtomicU8 = AtomicU8::new(0);

/// Whether this CPU has `cldemote` (CPUID leaf 7, ECX bit 25), detected once.
fn has_cldemote() -> bool {
    match HAS_CLDEMOTE.load(Ordering::Relaxed) {
        0 => {
            #[cfg(target_arch = "x86_64")]
            let has = {
                // Leaf 7 (structured extended features) exists where leaf 0 says so.
                let max = std::arch::x86_64::__cpuid(0).eax;
                max >= 7 && std::arch::x86_64::__cpuid_count(7, 0).ecx & (1 << 25) != 0
            };
            #[cfg(not(target_arch = "x86_64"))]
            let has = false;
            HAS_CLDEMOTE.store(if has { 2 } else { 1 }, Ordering::Relaxed);
            has
        }
        known => known == 2,
    }
}

/// Moves the cache lines holding `bytes` from this core's private caches to the shared
/// cache, where the CPU can (nothing elsewhere). A hint: no value changes.
pub(crate) fn demote(bytes: &[u8]) {
    if bytes.is_empty() || !has_cldemote() {
        return;
    }
    #[cfg(target_arch = "x86_64")]
    {
        let start = bytes.as_ptr() as usize & !63;
        let end = bytes.as_ptr() as usize + bytes.len();
        for line in (start..end).step_by(64) {
            // SAFETY: `cldemote` (present, checked above) only moves the line holding
            // `line`, which lies within (or shares a line with) `bytes`; it neither reads
            // nor writes memory as far as the program can tell.
            unsafe {
                std::arch::asm!("cldemote [{0}]", in(reg) line, options(nostack, preserves_flags, readonly));
            }
        }
    }
}

/// Asks for the cache lines holding `bytes` to be brought into this core's first-level
/// cache (nothing where the CPU has no such hint). A hint: no value changes.
pub(crate) fn prefetch(bytes: &[u8]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let start = bytes.as_ptr() as usize & !63;
        let end = bytes.as_ptr() as usize + bytes.len();
        for line in (start..end).step_by(64) {
            // SAFETY: a prefetch never faults and changes no value; `line` lies within
            // (or shares a cache line with) `bytes`.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(line as *const i8) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = bytes;
}

#[cfg(test)]
mod tests {
    use super::{demote, prefetch};

    #[test]
    fn placement_hints_leave_the_values() {
        let v: Vec<f32> = (0..1000).map(|i| i as f32 * 0.5).collect();
        // SAFETY: any initialized memory may be viewed as bytes.
        let bytes = unsafe { std::slice::from_raw_parts(v.as_ptr().cast::<u8>(), v.len() * 4) };
        demote(&bytes[3..2001]);
        demote(&[]);
        prefetch(&bytes[5..3999]);
        prefetch(&[]);
        assert!(v.iter().enumerate().all(|(i, &x)| x == i as f32 * 0.5));
    }
}
