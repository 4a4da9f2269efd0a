//! Normal variates (`jax.random.normal`, `jax.random.truncated_normal`): inverse-CDF
//! sampling through XLA's `erfinv`.

use super::ops::{konst, max, min, mul};
use super::uniform::scaled;
use super::{error, float_dtype};
use crate::array::lax::erf_inv as erfinv;
use crate::array::{Array, DType};

/// Standard normal values of `shape` and float `dtype` (`jax.random.normal`):
/// `sqrt(2) * erfinv(u)` with `u` uniform in `(nextafter(-1, 0), 1)`.
///
/// `f32` reproduces JAX (CPU) bit for bit, XLA's `erfinv` and `log1p` included (all 10325
/// reference variates); `f64` follows JAX's x64 mode (Giles' double-precision `erfinv`),
/// within a few ulp.
///
/// ```
/// use autobatch::{random, DType};
/// let z = random::normal(&random::key(0), &[5], DType::F32);
/// assert_eq!(z.to_vec::<f32>().unwrap()[0], 1.6226422);
/// let z = random::normal(&random::key(0), &[5], DType::F64);
/// assert!((z.to_vec::<f64>().unwrap()[0] + 0.2058421394796434).abs() < 1e-14);
/// ```
#[track_caller]
pub fn normal(key: &Array, shape: &[usize], dtype: DType) -> Array {
    if let Err(e) = float_dtype("normal", dtype) {
        return e;
    }
    let lo = match dtype {
        DType::F32 => f64::from(f32::from_bits((-1.0f32).to_bits() - 1)),
        _ => f64::from_bits((-1.0f64).to_bits() - 1),
    };
    let u = scaled(key, shape, dtype, (lo, 1.0), "normal");
    if u.error_value().is_some() {
        return u;
    }
    mul(&konst(std::f64::consts::SQRT_2, dtype, shape), &erfinv(&u))
}

/// Normal values truncated to `(lower, upper)` (`jax.random.truncated_normal`): `u`
/// uniform between `erf(lower / sqrt 2)` and `erf(upper / sqrt 2)`, then `sqrt(2) *
/// erfinv(u)`, clipped into the open interval. The bounds may be infinite.
///
/// JAX evaluates the two `erf` values with XLA's `erf` in `dtype`; here they are computed
/// in `f64` and rounded to `dtype`, which may differ from JAX's in the last bit (and then
/// shift samples by about an ulp).
///
/// ```
/// use autobatch::{random, DType};
/// let z = random::truncated_normal(&random::key(0), -1.0, 2.0, &[1000], DType::F32);
/// assert!(z.to_vec::<f32>().unwrap().iter().all(|&v| v > -1.0 && v < 2.0));
/// let bad = random::truncated_normal(&random::key(0), 1.0, 1.0, &[3], DType::F32);
/// assert_eq!(bad.check().unwrap_err().op(), "truncated_normal");
/// ```
#[track_caller]
pub fn truncated_normal(
    key: &Array,
    lower: f64,
    upper: f64,
    shape: &[usize],
    dtype: DType,
) -> Array {
    if let Err(e) = float_dtype("truncated_normal", dtype) {
        return e;
    }
    let (lower, upper) = match dtype {
        DType::F32 => (f64::from(lower as f32), f64::from(upper as f32)),
        _ => (lower, upper),
    };
    if lower.is_nan() || upper.is_nan() || lower >= upper {
        return error(
            "truncated_normal",
            format!("needs lower < upper (in {dtype}), got {lower} and {upper}"),
        );
    }
    // In dtype arithmetic: erf(bound / sqrt 2), the quotient rounded to dtype first.
    let in_dtype = |v: f64| match dtype {
        DType::F32 => f64::from(v as f32),
        _ => v,
    };
    let sqrt2 = in_dtype(std::f64::consts::SQRT_2);
    let a = in_dtype(erf(in_dtype(lower / sqrt2)));
    let b = in_dtype(erf(in_dtype(upper / sqrt2)));
    let u = scaled(key, shape, dtype, (a, b), "truncated_normal");
    if u.error_value().is_some() {
        return u;
    }
    let z = mul(&konst(sqrt2, dtype, shape), &erfinv(&u));
    let (lo, hi) = (
        next_toward(lower, dtype, 1.0),
        next_toward(upper, dtype, -1.0),
    );
    min(&max(&z, &konst(lo, dtype, shape)), &konst(hi, dtype, shape))
}

/// The neighbour of `v` (a `dtype` value) toward `+inf` (`dir > 0`) or `-inf`.
fn next_toward(v: f64, dtype: DType, dir: f64) -> f64 {
    if v.is_infinite() && v.signum() != dir {
        return match dtype {
            DType::F32 => f64::from(f32::MAX) * v.signum(),
            _ => f64::MAX * v.signum(),
        };
    }
    match dtype {
        DType::F32 => {
            let x = v as f32;
            f64::from(if dir > 0.0 {
                x.next_up()
            } else {
                x.next_down()
            })
        }
        _ => {
            if dir > 0.0 {
                v.next_up()
            } else {
                v.next_down()
            }
        }
    }
}

/// The error function in `f64` (for the truncation bounds, which are plain numbers):
/// `2/sqrt(pi) * exp(-x^2) * sum 2^n x^(2n+1) / (1*3*...*(2n+1))` (a series of positive
/// terms, so no cancellation) for `|x| <= 3`; above, `1 - erfc(x)` with Lentz's continued
/// fraction for `erfc`; `+-1` beyond 6, where `erfc < 2^-53`.
fn erf(x: f64) -> f64 {
    let ax = x.abs();
    if x.is_nan() {
        return x;
    }
    let value = if ax <= 3.0 {
        let (mut term, mut sum, mut n) = (ax, ax, 0.0);
        while term > sum * 1e-17 {
            n += 1.0;
            term *= 2.0 * ax * ax / (2.0 * n + 1.0);
            sum += term;
        }
        std::f64::consts::FRAC_2_SQRT_PI * (-ax * ax).exp() * sum
    } else if ax < 6.0 {
        // erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))).
        let tiny = 1e-300;
        let (mut f, mut c, mut d) = (ax, ax, 0.0);
        for k in 1..200 {
            let a = f64::from(k) / 2.0;
            d = ax + a * d;
            d = if d.abs() < tiny { tiny } else { d };
            c = ax + a / c;
            c = if c.abs() < tiny { tiny } else { c };
            d = 1.0 / d;
            let delta = c * d;
            f *= delta;
            if (delta - 1.0).abs() < 1e-16 {
                break;
            }
        }
        1.0 - (-ax * ax).exp() / std::f64::consts::PI.sqrt() / f
    } else {
        1.0
    };
    value.copysign(x)
}

#[cfg(test)]
mod tests {
    #[test]
    fn erf_matches_known_values() {
        // Values of erf from tables (Abramowitz & Stegun / mpmath).
        let cases = [
            (0.5, 0.5204998778130465),
            (1.0, 0.8427007929497149),
            (2.0, 0.9953222650189527),
            (3.0, 0.9999779095030014),
            (3.5, 0.9999992569016276),
            (-4.0, -0.9999999845827421),
            (0.01, 0.011283415555849618),
        ];
        for (x, want) in cases {
            let got = super::erf(x);
            assert!(
                (got - want).abs() <= 1e-15 * want.abs(),
                "erf({x}) = {got}, want {want}"
            );
        }
        assert_eq!(super::erf(f64::INFINITY), 1.0);
        assert_eq!(super::erf(f64::NEG_INFINITY), -1.0);
    }
}
