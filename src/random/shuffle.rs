//! Random permutations (`jax.random.permutation`, `jax.random.choice` without replacement).
//!
//! JAX shuffles by sorting with random `u32` sort keys (`bits`), stably, in
//! `ceil(3 ln n / ln(2^32 - 1))` rounds, each with a fresh subkey. There is no sort
//! primitive, so the stable sort is computed as ranks: `rank[i] = #{j : k[j] < k[i]} +
//! #{j < i : k[j] == k[i]}`, then a scatter puts element `i` at `rank[i]`. That uses only
//! primitives (so it traces and batches under `vmap`) but costs `O(n^2)` time and memory;
//! above [`PRIMITIVE_SORT_LIMIT`] elements a concrete key is shuffled by a Rust-side sort of
//! the same sort keys instead (identical result), and a traced one is an error.

use super::keys::{bits, split2};
use super::ops::{and, convert, eq, konst, lt, or};
use super::{error, key_words};
use crate::array::{Array, DType, lax};
use crate::ir::ReduceOp;

/// The largest `n` shuffled with primitives only (an `n x n` comparison).
pub const PRIMITIVE_SORT_LIMIT: usize = 4096;

/// A random permutation of `0..n` as `i32[n]` (`jax.random.permutation(key, n)`), equal to
/// JAX's.
///
/// ```
/// use autobatch::random;
/// let p = random::permutation(&random::key(0), 10).to_vec::<i32>().unwrap();
/// let mut sorted = p.clone();
/// sorted.sort();
/// assert_eq!(sorted, (0..10).collect::<Vec<i32>>());
/// ```
#[track_caller]
pub fn permutation(key: &Array, n: usize) -> Array {
    if let Err(e) = key_words(key, "permutation") {
        return e;
    }
    if n > i32::MAX as usize {
        return error("permutation", format!("n = {n} does not fit i32 indices"));
    }
    let rounds = if n <= 1 {
        0
    } else {
        (3.0 * (n as f64).ln() / f64::from(u32::MAX).ln()).ceil() as usize
    };
    let mut x = lax::iota(DType::I32, &[n], 0);
    let mut key = key.clone();
    for _ in 0..rounds {
        let (next, sub) = split2(&key);
        key = next;
        let sort_keys = bits(&sub, &[n]);
        x = if n <= PRIMITIVE_SORT_LIMIT {
            sort_by_keys(&sort_keys, &x)
        } else {
            match host_sort_by_keys(&sort_keys, &x) {
                Ok(sorted) => sorted,
                Err(e) => return e,
            }
        };
    }
    x
}

/// `k` distinct draws from `0..n` as `i32[k]` (`jax.random.choice(key, n, (k,),
/// replace=False)`): the first `k` entries of `permutation(key, n)`, as in JAX.
///
/// ```
/// use autobatch::random;
/// let c = random::choice(&random::key(1), 10, 3).to_vec::<i32>().unwrap();
/// assert_eq!(c, random::permutation(&random::key(1), 10).to_vec::<i32>().unwrap()[..3]);
/// assert_eq!(random::choice(&random::key(1), 3, 4).check().unwrap_err().op(), "choice");
/// ```
#[track_caller]
pub fn choice(key: &Array, n: usize, k: usize) -> Array {
    if k > n {
        return error(
            "choice",
            format!("cannot take {k} distinct samples from {n} without replacement"),
        );
    }
    let p = permutation(key, n);
    if p.error_value().is_some() {
        return p;
    }
    lax::slice(&p, &[0], &[k], &[1])
}

/// `x` (`i32[n]`) reordered by a stable sort on `keys` (`u32[n]`), with primitives only.
#[track_caller]
fn sort_by_keys(keys: &Array, x: &Array) -> Array {
    let n = keys.shape()[0];
    // Row i compares element i (axis 0) with every j (axis 1).
    let mine = lax::broadcast_in_dim(keys, &[n, n], &[0]);
    let theirs = lax::broadcast_in_dim(keys, &[n, n], &[1]);
    let earlier = lt(
        &lax::iota(DType::I32, &[n, n], 1),
        &lax::iota(DType::I32, &[n, n], 0),
    );
    let before = or(&lt(&theirs, &mine), &and(&eq(&theirs, &mine), &earlier));
    let rank = lax::reduce(ReduceOp::Sum, &convert(&before, DType::I32), &[1]);
    lax::scatter_add(&konst(0.0, DType::I32, &[n]), &rank, x, 0)
}

/// The same stable sort on the host, for concrete keys.
#[track_caller]
fn host_sort_by_keys(keys: &Array, x: &Array) -> Result<Array, Array> {
    let read = |a: &Array| a.to_vec::<u32>().map_err(Array::from_error);
    let (keys, values) = match (read(keys), x.to_vec::<i32>()) {
        (Ok(k), Ok(v)) => (k, v),
        (Err(e), _) => {
            let message = e.error_value().map(|e| e.message().to_string());
            return Err(error(
                "permutation",
                format!(
                    "shuffling more than {PRIMITIVE_SORT_LIMIT} elements needs a concrete key \
                     (there is no sort primitive yet): {}",
                    message.unwrap_or_default()
                ),
            ));
        }
        (_, Err(e)) => return Err(Array::from_error(e)),
    };
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by_key(|&i| keys[i]);
    let sorted: Vec<i32> = order.iter().map(|&i| values[i]).collect();
    Ok(Array::from_vec(sorted, &[keys.len()]))
}
