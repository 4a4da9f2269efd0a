//! The multivariate normal distribution (`jax.scipy.stats.multivariate_normal`).
//!
//! The covariance is factored by a Cholesky decomposition written with `Array`
//! operations over the static dimension `d` (column by column, `O(d)` matrix-vector
//! products), and the residual is whitened by forward substitution. This is traceable,
//! batchable and differentiable because `d` is known at trace time; it is meant for the
//! small dimensions of the notebook models and will be replaced by the `cholesky` and
//! `triangular_solve` primitives once they land.
//!
//! ```
//! use autobatch::Array;
//! let cov = Array::from_vec(vec![2.0f64, 0.0, 0.0, 2.0], &[2, 2]);
//! let lp = autobatch::stats::multivariate_normal::logpdf(Array::zeros_of(&[5, 2], autobatch::DType::F64), 0.0, &cov);
//! assert_eq!(lp.shape(), &[5]);
//! ```

use crate::array::{Array, ArrayLike, Idx};
use crate::special::floats;
use crate::stack;
use std::f64::consts::PI;

/// The lower Cholesky factor of the symmetric positive definite `cov` (`[d, d]`), with
/// the diagonal returned separately. NaN entries where `cov` is not positive definite.
#[track_caller]
fn cholesky(cov: &Array, d: usize) -> (Array, Vec<Array>) {
    let mut cols: Vec<Array> = Vec::with_capacity(d);
    let mut diag: Vec<Array> = Vec::with_capacity(d);
    for j in 0..d {
        let a_j = cov.index(&[Idx::All, Idx::At(j as isize)]);
        let v = if j == 0 {
            a_j
        } else {
            let refs: Vec<&Array> = cols.iter().collect();
            let l = stack(&refs, 1);
            let row = l.index(&[Idx::At(j as isize)]);
            a_j - l.matmul(&row)
        };
        let pivot = v.index(&[Idx::At(j as isize)]).sqrt();
        let below: Vec<f64> = (0..d).map(|i| if i >= j { 1.0 } else { 0.0 }).collect();
        let mask = Array::from_vec(below, &[d]).astype(cov.dtype());
        cols.push(v / &pivot * mask);
        diag.push(pivot);
    }
    let refs: Vec<&Array> = cols.iter().collect();
    (stack(&refs, 1), diag)
}

/// `log N(x; mean, cov) = -(d log(2 pi) + log det cov + r' cov^-1 r) / 2`, `r = x - mean`,
/// for `x` of shape `[..., d]` (one value per leading index), `mean` broadcastable to
/// `[d]`, and `cov` of shape `[d, d]` (symmetric positive definite; otherwise NaN).
///
/// ```
/// use autobatch::{stats::multivariate_normal, Array};
/// let x = Array::from_vec(vec![0.0f64, 0.0], &[2]);
/// let cov = Array::from_vec(vec![1.0f64, 0.0, 0.0, 1.0], &[2, 2]);
/// let lp = multivariate_normal::logpdf(&x, 0.0, &cov).item::<f64>().unwrap();
/// assert!((lp + (2.0 * std::f64::consts::PI).ln()).abs() < 1e-15);
/// ```
#[track_caller]
pub fn logpdf(x: impl ArrayLike, mean: impl ArrayLike, cov: impl ArrayLike) -> Array {
    let [x, mean, cov] = floats([x.into_operand(), mean.into_operand(), cov.into_operand()]);
    for a in [&x, &mean, &cov] {
        if a.error_value().is_some() {
            return a.clone();
        }
    }
    let shape = cov.shape().to_vec();
    if shape.len() != 2 || shape[0] != shape[1] || shape[0] == 0 {
        return Array::error(
            "multivariate_normal.logpdf",
            format!("the covariance must be a non-empty square matrix, got shape {shape:?}"),
        );
    }
    let d = shape[0];
    let r = x - mean;
    let batch: Vec<isize> = match r.shape().split_last() {
        Some((_, lead)) => lead.iter().map(|&n| n as isize).collect(),
        None => Vec::new(),
    };
    // Flatten the leading axes: rt is [d, n].
    let rt = r.reshape(&[-1, d as isize]).t();
    let (l, diag) = cholesky(&cov, d);
    let mut zs: Vec<Array> = Vec::with_capacity(d);
    for (i, pivot) in diag.iter().enumerate() {
        let ri = rt.index(&[Idx::At(i as isize)]);
        let num = if i == 0 {
            ri
        } else {
            let refs: Vec<&Array> = zs.iter().collect();
            let z = stack(&refs, 0);
            let row = l.index(&[
                Idx::At(i as isize),
                Idx::Range {
                    start: None,
                    stop: Some(i as isize),
                    step: 1,
                },
            ]);
            ri - row.matmul(&z)
        };
        zs.push(num / pivot);
    }
    let refs: Vec<&Array> = zs.iter().collect();
    let z = stack(&refs, 0);
    let maha = (&z * &z).sum_axis(0);
    // `d >= 1` was checked above, so the fold has a first term.
    let half_logdet = diag
        .iter()
        .map(|p| p.log())
        .reduce(|a, b| a + b)
        .unwrap_or_else(|| Array::scalar(0.0f64));
    let lp = maha * -0.5 - half_logdet - 0.5 * d as f64 * (2.0 * PI).ln();
    lp.reshape(&batch)
}
