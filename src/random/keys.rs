//! Keys and the raw generator: `key`, `split`, `fold_in`, `bits` (JAX's partitionable
//! Threefry scheme: element `i` of anything comes from the block `B(key, (hi(i), lo(i)))`).

use super::ops::{konst_u32, xor};
use super::{error, key_words};
use crate::array::{Array, DType, lax};
use crate::ir::shape_str;

/// A key from a seed, as `jax.random.key(seed)` with 64-bit mode off: `[0, seed mod 2^32]`.
///
/// ```
/// let k = autobatch::random::key(10003);
/// assert_eq!(k.to_vec::<u32>().unwrap(), vec![0, 10003]);
/// assert_eq!(autobatch::random::key(-1).to_vec::<u32>().unwrap(), vec![0, u32::MAX]);
/// assert_eq!(autobatch::random::key((1 << 40) + 7).to_vec::<u32>().unwrap(), vec![0, 7]);
/// ```
pub fn key(seed: i64) -> Array {
    // Truncation to the low 32 bits is the documented wrap-around.
    Array::from_vec(vec![0u32, seed as u32], &[2])
}

/// The element count of `shape` if the counter fits 32 bits.
fn count(shape: &[usize]) -> Option<usize> {
    shape
        .iter()
        .try_fold(1usize, |n, &d| n.checked_mul(d))
        .filter(|&n| n <= u32::MAX as usize)
}

/// Threefry blocks `B(key, (0, i))` for `i = 0..n`: the words `(y0, y1)`, each `u32[n]`.
#[track_caller]
fn blocks(k0: &Array, k1: &Array, n: usize) -> (Array, Array) {
    let k0 = lax::broadcast_in_dim(k0, &[n], &[]);
    let k1 = lax::broadcast_in_dim(k1, &[n], &[]);
    let hi = konst_u32(0, &[n]);
    let lo = lax::iota(DType::U32, &[n], 0);
    lax::threefry2x32(&k0, &k1, &hi, &lo)
}

/// The two block words `(y0, y1)` behind every element of `shape`, each `u32[shape]` (the
/// material of `bits`, and of 64-bit bits as `(y0 << 32) | y1`).
#[track_caller]
pub(super) fn words(key: &Array, shape: &[usize], op: &str) -> Result<(Array, Array), Array> {
    let (k0, k1) = key_words(key, op)?;
    let Some(n) = count(shape) else {
        return Err(error(
            op,
            format!("shape {} is too large", shape_str(shape)),
        ));
    };
    let (y0, y1) = blocks(&k0, &k1, n);
    Ok((lax::reshape(&y0, shape), lax::reshape(&y1, shape)))
}

/// New keys for every element of `shape`, shape `[*shape, 2]` (`jax.random.split(key,
/// shape)`): key `i` (row-major) is the block `B(key, (0, i))`.
///
/// ```
/// use autobatch::random::{key, split, split_shape};
/// let keys = split_shape(&key(42), &[2, 3]);
/// assert_eq!(keys.shape(), &[2, 3, 2]);
/// assert_eq!(keys.to_vec::<u32>().unwrap(), split(&key(42), 6).to_vec::<u32>().unwrap());
/// ```
#[track_caller]
pub fn split_shape(key: &Array, shape: &[usize]) -> Array {
    let (y0, y1) = match words(key, shape, "split") {
        Ok(w) => w,
        Err(e) => return e,
    };
    let mut out_shape = shape.to_vec();
    out_shape.push(1);
    let y0 = lax::reshape(&y0, &out_shape);
    let y1 = lax::reshape(&y1, &out_shape);
    lax::concatenate(&[&y0, &y1], shape.len())
}

/// `n` new keys from `key`, shape `[n, 2]` (`jax.random.split(key, n)`).
///
/// ```
/// let keys = autobatch::random::split(&autobatch::random::key(0), 2);
/// assert_eq!(keys.to_vec::<u32>().unwrap(), vec![0x6b20_0159, 0x99ba_4efe, 0x375f_238f, 0xcddb_151d]);
/// ```
#[track_caller]
pub fn split(key: &Array, n: usize) -> Array {
    split_shape(key, &[n])
}

/// The two keys of `split(key)`, as a pair (the notebook's `new_key, sub_key = split(key)`).
///
/// ```
/// let (new_key, sub_key) = autobatch::random::split2(&autobatch::random::key(10003));
/// assert_eq!(new_key.to_vec::<u32>().unwrap(), vec![1915285593, 458554340]);
/// # let _ = sub_key;
/// ```
#[track_caller]
pub fn split2(key: &Array) -> (Array, Array) {
    let keys = split(key, 2);
    if keys.error_value().is_some() {
        return (keys.clone(), keys);
    }
    let first = lax::reshape(&lax::slice(&keys, &[0, 0], &[1, 2], &[1, 1]), &[2]);
    let second = lax::reshape(&lax::slice(&keys, &[1, 0], &[2, 2], &[1, 1]), &[2]);
    (first, second)
}

/// A new key for `data` (`jax.random.fold_in`): the block `B(key, (0, data))`, so
/// `fold_in(key, i) == split(key, n)[i]` for `i < n`.
///
/// ```
/// use autobatch::random::{fold_in, key, split};
/// let k = key(42);
/// assert_eq!(fold_in(&k, 1).to_vec::<u32>().unwrap(), split(&k, 2).to_vec::<u32>().unwrap()[2..]);
/// ```
#[track_caller]
pub fn fold_in(key: &Array, data: u32) -> Array {
    let (k0, k1) = match key_words(key, "fold_in") {
        Ok(w) => w,
        Err(e) => return e,
    };
    let (y0, y1) = lax::threefry2x32(&k0, &k1, &Array::scalar(0u32), &Array::scalar(data));
    lax::concatenate(&[&lax::reshape(&y0, &[1]), &lax::reshape(&y1, &[1])], 0)
}

/// Random `u32` words of `shape` (`jax.random.bits`): element `i` is `y0 ^ y1` of the
/// block `B(key, (0, i))`.
///
/// ```
/// let b = autobatch::random::bits(&autobatch::random::key(0), &[]);
/// assert_eq!(b.item::<u32>().unwrap(), 0xf29a_4fa7);
/// ```
#[track_caller]
pub fn bits(key: &Array, shape: &[usize]) -> Array {
    match words(key, shape, "bits") {
        Ok((y0, y1)) => xor(&y0, &y1),
        Err(e) => e,
    }
}
