//! The Threefry-2x32 block cipher (Random123, 20 rounds), applied elementwise.

use super::elementwise::{Out, Slice};
use super::simd::vectorized;
use super::{filled, typed};
use crate::array::Buffer;

/// Rotation constants of the four rounds in even (0, 2, 4) and odd (1, 3) groups.
const ROTATIONS: [[u32; 4]; 2] = [[13, 15, 26, 6], [17, 29, 16, 24]];

/// The Threefry key-schedule parity constant.
const PARITY: u32 = 0x1BD1_1BDA;

/// One Threefry-2x32 block: key `(k0, k1)`, counter `(x0, x1)`.
#[inline(always)]
pub(crate) fn block(k0: u32, k1: u32, x0: u32, x1: u32) -> (u32, u32) {
    let ks = [k0, k1, k0 ^ k1 ^ PARITY];
    let mut x0 = x0.wrapping_add(ks[0]);
    let mut x1 = x1.wrapping_add(ks[1]);
    for g in 0..5usize {
        for &r in &ROTATIONS[g % 2] {
            x0 = x0.wrapping_add(x1);
            x1 = x1.rotate_left(r) ^ x0;
        }
        let s = g + 1;
        x0 = x0.wrapping_add(ks[s % 3]);
        x1 = x1.wrapping_add(ks[(s + 1) % 3]).wrapping_add(s as u32);
    }
    (x0, x1)
}

/// `(y0, y1)` from `(k0, k1, x0, x1)`, all `u32` of one length, block by block.
pub(crate) fn threefry2x32(
    k0: &Buffer,
    k1: &Buffer,
    x0: &Buffer,
    x1: &Buffer,
) -> Result<Vec<Buffer>, String> {
    let (k0, k1, x0, x1): (&[u32], &[u32], &[u32], &[u32]) =
        (typed(k0)?, typed(k1)?, typed(x0)?, typed(x1)?);
    let n = k0.len();
    if k1.len() != n || x0.len() != n || x1.len() != n {
        return Err("threefry2x32 operands differ in length".into());
    }
    let mut y0: Vec<u32> = filled(n, 0)?;
    let mut y1: Vec<u32> = filled(n, 0)?;
    // Lane-parallel rounds: the loop vectorizes (rotations and adds on u32 lanes).
    vectorized(
        #[inline(always)]
        || {
            let keys = k0.iter().zip(k1).zip(x0.iter().zip(x1));
            for ((o0, o1), ((&a, &b), (&c, &d))) in y0.iter_mut().zip(y1.iter_mut()).zip(keys) {
                (*o0, *o1) = block(a, b, c, d);
            }
        },
    );
    Ok(vec![Buffer::U32(y0), Buffer::U32(y1)])
}

/// [`threefry2x32`] of one chunk, in a fused kernel: `u32` slices of one length in,
/// the two halves of each block written to `y0` and `y1`. The key words (and with them
/// `x0`) may be single elements, used for every block (scalar operands).
pub(crate) fn threefry2x32_into(
    [k0, k1, x0, x1]: [Slice<'_>; 4],
    y0: Out<'_>,
    y1: Out<'_>,
) -> Result<(), String> {
    let (Slice::U32(k0), Slice::U32(k1), Slice::U32(x0), Slice::U32(x1)) = (k0, k1, x0, x1) else {
        return Err("threefry2x32 operands must be u32".into());
    };
    let (Out::U32(y0), Out::U32(y1)) = (y0, y1) else {
        return Err("threefry2x32 results must be u32".into());
    };
    let n = y0.len();
    if y1.len() != n || x1.len() != n {
        return Err("threefry2x32 operands differ in length".into());
    }
    match (k0, k1, x0) {
        (&[a], &[b], &[c]) if n != 1 => vectorized(
            #[inline(always)]
            || {
                for ((o0, o1), &d) in y0.iter_mut().zip(y1.iter_mut()).zip(x1) {
                    let (v0, v1) = block(a, b, c, d);
                    o0.write(v0);
                    o1.write(v1);
                }
            },
        ),
        (&[a], &[b], _) if n != 1 && x0.len() == n => vectorized(
            #[inline(always)]
            || {
                let counters = x0.iter().zip(x1);
                for ((o0, o1), (&c, &d)) in y0.iter_mut().zip(y1.iter_mut()).zip(counters) {
                    let (v0, v1) = block(a, b, c, d);
                    o0.write(v0);
                    o1.write(v1);
                }
            },
        ),
        _ if [k0.len(), k1.len(), x0.len()] == [n; 3] => vectorized(
            #[inline(always)]
            || {
                let keys = k0.iter().zip(k1).zip(x0.iter().zip(x1));
                for ((o0, o1), ((&a, &b), (&c, &d))) in y0.iter_mut().zip(y1.iter_mut()).zip(keys) {
                    let (v0, v1) = block(a, b, c, d);
                    o0.write(v0);
                    o1.write(v1);
                }
            },
        ),
        _ => return Err("threefry2x32 operands differ in length".into()),
    }
    Ok(())
}
