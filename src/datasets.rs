//! Data sets built exactly as NumPy code builds them.

use crate::array::{Array, DType};
use crate::error::Result;
use crate::numpy_legacy::RandomState;

/// The notebook's fake binary classification data set.
///
/// ```
/// let (data, _rng) = autobatch::datasets::logistic_regression(10009, 100, 10).unwrap();
/// assert_eq!(data.all_x.shape(), &[100, 10]);
/// assert_eq!(data.y.to_vec::<i32>().unwrap().iter().sum::<i32>(), 43);
/// ```
#[derive(Clone, Debug)]
pub struct LogisticRegressionData {
    /// The coefficients the labels were drawn with, `f32[num_features]`.
    pub true_beta: Array,
    /// The features, `f32[num_points, num_features]`.
    pub all_x: Array,
    /// The labels, `i32[num_points]` of 0 and 1.
    pub y: Array,
}

/// Generates the notebook's data set with NumPy's legacy generator:
///
/// ```python
/// np.random.seed(seed)
/// true_beta = np.random.randn(num_features).astype(np.float32)
/// all_x = np.random.randn(num_points, num_features).astype(np.float32)
/// y = (np.random.rand(num_points) < sp.special.expit(all_x.dot(true_beta))).astype(np.int32)
/// ```
///
/// Returns the data and the generator in the state NumPy's global generator would be in
/// afterwards (the notebook keeps drawing from it).
///
/// ```
/// let (data, mut rng) = autobatch::datasets::logistic_regression(0, 5, 2).unwrap();
/// assert_eq!(data.true_beta.shape(), &[2]);
/// let _next = rng.randn(&[2]).unwrap();
/// ```
pub fn logistic_regression(
    seed: u32,
    num_points: usize,
    num_features: usize,
) -> Result<(LogisticRegressionData, RandomState)> {
    let mut np = RandomState::seed(seed);
    let true_beta = np.randn(&[num_features])?.astype(DType::F32);
    let all_x = np.randn(&[num_points, num_features])?.astype(DType::F32);
    let u = np.rand(&[num_points])?;
    let y = u
        .lt(all_x.dot(&true_beta).logistic())
        .astype(DType::I32)
        .check()?;
    Ok((
        LogisticRegressionData {
            true_beta,
            all_x,
            y,
        },
        np,
    ))
}
