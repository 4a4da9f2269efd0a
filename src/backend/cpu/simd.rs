//! Runtime choice of the instruction set the kernels' loops are compiled for.
//!
//! A default build targets the baseline of its architecture (SSE2 on x86-64), which
//! leaves most of a modern core's vector width unused. [`vectorized`] runs a closure
//! inside a function compiled for the widest instruction set the CPU reports (AVX-512,
//! else AVX2 with FMA, else the baseline); the closure's loops, inlined there, are
//! vectorized for it by LLVM. The choice never changes results: Rust does not contract
//! `a * b + c` into a fused multiply-add, so every instruction set computes the same
//! IEEE operations in the same order (the tests compare all levels bit for bit).

use std::cell::Cell;
use std::sync::OnceLock;

/// An instruction-set level the kernels can be compiled for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    /// The architecture's baseline (SSE2 on x86-64).
    Baseline,
    /// AVX2 with FMA.
    Avx2,
    /// AVX-512 (F, BW, DQ, VL) on top of AVX2.
    Avx512,
}

thread_local! {
    /// A level forced on this thread (tests compare levels); `None` uses the detected one.
    static FORCED: Cell<Option<Level>> = const { Cell::new(None) };
}

/// The widest level this CPU supports, detected once, and capped by the environment
/// variable `AUTOBATCH_SIMD` (`avx2` or `baseline`; to measure what a CPU without
/// AVX-512 gets).
pub(crate) fn detected() -> Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        let cap = match std::env::var("AUTOBATCH_SIMD").as_deref() {
            Ok("avx2") => Level::Avx2,
            Ok("baseline") => Level::Baseline,
            _ => Level::Avx512,
        };
        capped(widest(), cap)
    })
}

/// `level`, or `cap` where that is narrower.
fn capped(level: Level, cap: Level) -> Level {
    match (level, cap) {
        (_, Level::Baseline) | (Level::Baseline, _) => Level::Baseline,
        (_, Level::Avx2) | (Level::Avx2, _) => Level::Avx2,
        (Level::Avx512, Level::Avx512) => Level::Avx512,
    }
}

/// The widest level this CPU supports.
fn widest() -> Level {
    #[cfg(target_arch = "x86_64")]
    {
        let avx512 = std::is_x86_feature_detected!("avx512f")
            && std::is_x86_feature_detected!("avx512bw")
            && std::is_x86_feature_detected!("avx512dq")
            && std::is_x86_feature_detected!("avx512vl");
        let avx2 = std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma");
        if avx512 && avx2 {
            return Level::Avx512;
        }
        if avx2 {
            return Level::Avx2;
        }
    }
    Level::Baseline
}

/// The level [`vectorized`] uses on this thread.
pub(crate) fn level() -> Level {
    FORCED.with(Cell::get).unwrap_or_else(detected)
}

/// Runs `f` with this thread's kernels compiled for `level` (capped at the detected
/// one), restoring the previous choice afterwards.
#[cfg(test)]
pub(crate) fn with_level<R>(level: Level, f: impl FnOnce() -> R) -> R {
    let previous = FORCED.with(|c| c.replace(Some(capped(level, detected()))));
    let out = f();
    FORCED.with(|c| c.set(previous));
    out
}

/// Runs `f` compiled for the widest instruction set available. Mark the closure
/// `#[inline(always)]` so that its body is compiled inside the dispatching function.
#[inline(always)]
pub(crate) fn vectorized<R>(f: impl FnOnce() -> R) -> R {
    #[cfg(target_arch = "x86_64")]
    {
        match level() {
            // SAFETY: `level` only reports (or, in tests, is capped to) features the CPU
            // was detected to have.
            Level::Avx512 => unsafe { avx512(f) },
            Level::Avx2 => unsafe { avx2(f) },
            Level::Baseline => f(),
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma,avx512f,avx512bw,avx512dq,avx512vl")]
unsafe fn avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(test)]
mod tests {
    use super::{Level, with_level};
    use crate::array::Buffer;
    use crate::backend::cpu::elementwise::{binary, fma, unary};
    use crate::ir::{BinaryOp, UnaryOp};

    /// Values over many binades, both signs, with the special values mixed in.
    fn samples() -> Vec<f32> {
        let mut words = crate::backend::cpu::test_inputs::xorshift32(12345);
        let mut v: Vec<f32> = (0..4093)
            .map(|_| f32::from_bits(words()))
            .filter(|x| x.is_finite())
            .collect();
        v.extend([
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            f32::INFINITY,
            f32::NEG_INFINITY,
            f32::NAN,
        ]);
        v.extend((0..200).map(|i| i as f32 / 100.0 - 1.0));
        v
    }

    /// The bits of each element, all NaNs as one value (their sign and payload are not
    /// specified).
    fn bits(b: &Buffer) -> Vec<u64> {
        match b {
            Buffer::F32(v) => v
                .iter()
                .map(|x| {
                    if x.is_nan() {
                        1
                    } else {
                        u64::from(x.to_bits())
                    }
                })
                .collect(),
            Buffer::F64(v) => v
                .iter()
                .map(|x| if x.is_nan() { 1 } else { x.to_bits() })
                .collect(),
            other => panic!("unexpected {:?}", other.dtype()),
        }
    }

    fn assert_same(a: &Buffer, b: &Buffer, what: &str) {
        let (a, b) = (bits(a), bits(b));
        if let Some(i) = (0..a.len()).find(|&i| a[i] != b[i]) {
            panic!("{what}: element {i} differs: {:#x} vs {:#x}", a[i], b[i]);
        }
    }

    #[test]
    fn every_level_gives_the_same_bits() {
        let x32 = samples();
        let x64: Vec<f64> = x32.iter().map(|&v| f64::from(v)).collect();
        let y32: Vec<f32> = x32.iter().rev().copied().collect();
        for x in [Buffer::F32(x32.clone()), Buffer::F64(x64)] {
            for op in UnaryOp::ALL.into_iter().filter(|&op| op != UnaryOp::Not) {
                let base = with_level(Level::Baseline, || unary(op, &x)).unwrap();
                for level in [Level::Avx2, Level::Avx512] {
                    let fast = with_level(level, || unary(op, &x)).unwrap();
                    assert_same(&base, &fast, &format!("{op:?} at {level:?}"));
                }
            }
        }
        let (x, y) = (Buffer::F32(x32), Buffer::F32(y32));
        for op in [
            BinaryOp::Add,
            BinaryOp::Mul,
            BinaryOp::Div,
            BinaryOp::Max,
            BinaryOp::Pow,
        ] {
            let base = with_level(Level::Baseline, || binary(op, &x, &y)).unwrap();
            let fast = with_level(Level::Avx512, || binary(op, &x, &y)).unwrap();
            assert_same(&base, &fast, &format!("{op:?}"));
        }
        // The fused multiply-add: a library call at the baseline, one instruction above.
        let base = with_level(Level::Baseline, || fma(&x, &y, &x)).unwrap();
        let fast = with_level(Level::Avx512, || fma(&x, &y, &x)).unwrap();
        assert_same(&base, &fast, "fma");
    }
}
