//! The inverse tangent, from array ops (there is no `atan` primitive).

use super::{floats, in_f64, poly};
use crate::array::{Array, ArrayLike, where_};

/// `atan(x)` elementwise (f32 inputs are computed in f64 and rounded once), by Cephes'
/// rational approximation after reducing `|x|` to `[0, tan(pi/8)]` with `atan(x) = pi/2 -
/// atan(1/x)` and `atan(x) = pi/4 + atan((x-1)/(x+1))`. Max relative error in f64 about
/// 2e-16. Differentiable: each branch is fed only values where it is finite.
///
/// ```
/// use autobatch::{special::arctan, Array};
/// let y = arctan(Array::from_vec(vec![0.0f64, 1.0, -1e10], &[3])).to_vec::<f64>().unwrap();
/// assert_eq!(y[0], 0.0);
/// assert!((y[1] - std::f64::consts::FRAC_PI_4).abs() < 1e-16);
/// assert!((y[2] - (-1e10f64).atan()).abs() < 1e-15);
/// ```
#[track_caller]
pub fn arctan(x: impl ArrayLike) -> Array {
    let [x] = floats([x.into_operand()]);
    in_f64(&x, atan_f64)
}

#[track_caller]
fn atan_f64(x: &Array) -> Array {
    const P: [f64; 5] = [
        -8.750_608_600_031_904e-1,
        -1.615_753_718_733_365e1,
        -7.500_855_792_314_705e1,
        -1.228_866_684_490_136_2e2,
        -6.485_021_904_942_025e1,
    ];
    const Q: [f64; 6] = [
        1.0,
        2.485_846_490_142_306_4e1,
        1.650_270_098_316_988_5e2,
        4.328_810_604_912_903e2,
        4.853_903_996_359_137e2,
        1.945_506_571_482_614e2,
    ];
    const MOREBITS: f64 = 6.123_233_995_736_766e-17;
    let sign = where_(x.lt(0.0), Array::full_like(x, -1.0), 1.0);
    let a = x.abs();
    let big = a.gt(2.414_213_562_373_095); // tan(3 pi / 8)
    let mid = a
        .gt(0.414_213_562_373_095_03)
        .logical_and(big.logical_not()); // tan(pi / 8)
    // Each branch sees only values where it is finite (the double-where pattern).
    let a_big = where_(&big, &a, 1.0);
    let a_mid = where_(&mid, &a, 0.0);
    let reduced = where_(
        &big,
        -1.0 / &a_big,
        where_(&mid, (&a_mid - 1.0) / (&a_mid + 1.0), &a),
    );
    // (Arrays of x's dtype: a `where_` of two bare numbers would be f32.)
    let half_pi = Array::full_like(x, std::f64::consts::FRAC_PI_2 + MOREBITS);
    let quarter_pi = Array::full_like(x, std::f64::consts::FRAC_PI_4 + 0.5 * MOREBITS);
    let offset = where_(&big, &half_pi, where_(&mid, &quarter_pi, 0.0));
    let z = &reduced * &reduced;
    let r = &offset + &reduced + &reduced * &z * poly(&z, &P) / poly(&z, &Q);
    // atan(+-inf) = +-pi/2 comes out of the big branch (1/inf = 0); NaN stays NaN.
    sign * r
}
