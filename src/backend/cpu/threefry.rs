//! The Threefry-2x32 block cipher (Random123, 20 rounds), applied elementwise.

use super::{alloc, typed};
use crate::array::Buffer;

/// Rotation constants of the four rounds in even (0, 2, 4) and odd (1, 3) groups.
const ROTATIONS: [[u32; 4]; 2] = [[13, 15, 26, 6], [17, 29, 16, 24]];

/// The Threefry key-schedule parity constant.
const PARITY: u32 = 0x1BD1_1BDA;

/// One Threefry-2x32 block: key `(k0, k1)`, counter `(x0, x1)`.
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
    let mut y0 = alloc(k0.len())?;
    let mut y1 = alloc(k0.len())?;
    for i in 0..k0.len() {
        let (a, b) = block(k0[i], k1[i], x0[i], x1[i]);
        y0.push(a);
        y1.push(b);
    }
    Ok(vec![Buffer::U32(y0), Buffer::U32(y1)])
}
