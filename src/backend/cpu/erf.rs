//! The error function kernel: msun's `s_erf.c` approximations (Sun Microsystems, 1993;
//! rational minimax fits on `|x| < 0.84375`, `[0.84375, 1.25)`, `[1.25, 1/0.35)` and
//! `[1/0.35, 28)`), evaluated branch-free (every piece computed, the right one selected)
//! so the kernel loop vectorizes. `f32` is evaluated in `f64` and rounded once.
//!
//! The operations are those of [`special::erf`](crate::special::erf)'s array form, in the
//! same order, so the kernel gives the same bits as that composition (checked by this
//! module's test over a sweep); its accuracy is the one measured there: max relative
//! error 1.4e-16 in `f64` (about 1 ulp) against `mpmath`, and so at most 1 ulp in `f32`
//! (the `f64` value rounded once).

// The published coefficients, digit for digit.
#![allow(clippy::excessive_precision)]

use super::math_f64::exp_f64;
use crate::special::erf_coefficients::*;

/// Horner's rule with separate multiplies and adds (as the array form evaluates it).
#[inline(always)]
fn poly(x: f64, c: &[f64]) -> f64 {
    let mut p = c[0];
    for &ci in &c[1..] {
        p = p * x + ci;
    }
    p
}

/// `erf(x)` in `f64` (`erf(+-inf) = +-1`, NaN stays NaN).
///
/// ```
/// let y = autobatch::backend::cpu::erf_f64(0.5);
/// assert!((y - 0.5204998778130465).abs() < 1e-16);
/// ```
#[inline(always)]
pub fn erf_f64(x: f64) -> f64 {
    let a = x.abs();
    let small = a < SMALL;
    let mid = a < TAIL;
    // |x| < 0.84375.
    let xs = if small { x } else { 0.0 };
    let zs = xs * xs;
    let y = poly(zs, &PP) / poly(zs, &QQ);
    let erf_small = xs + xs * y;
    // 0.84375 <= |x| < 1.25.
    let am = if mid && !small { a } else { 1.0 };
    let sm = am - 1.0;
    let erf_mid = poly(sm, &PA) / poly(sm, &QA) + ERX;
    // 1.25 <= |x| < 28: erfc(a) = exp(-z^2 - 0.5625) exp((z - a)(z + a) + R/S) / a.
    let tail = (TAIL..UNDERFLOW).contains(&a);
    let at = if tail { a } else { 2.0 };
    let s = 1.0 / (at * at);
    let ra = poly(s, &RA) / poly(s, &SA);
    let rb = poly(s, &RB) / poly(s, &SB);
    let r = if at < 1.0 / 0.35 { ra } else { rb };
    let z = (at * 1_048_576.0).floor() / 1_048_576.0;
    let big = -(z * z) - 0.5625;
    let rest = (z - at) * (z + at) + r;
    let erfc_tail = exp_f64(big) * exp_f64(rest) / at;
    let erf_tail = 1.0 - if tail { erfc_tail } else { 0.0 };
    let erf_abs = if mid { erf_mid } else { erf_tail };
    let erf_big = if x < 0.0 { -erf_abs } else { erf_abs };
    if x.is_nan() {
        x
    } else if small {
        erf_small
    } else {
        erf_big
    }
}

/// `erf(x)` in `f32`: [`erf_f64`] rounded once.
///
/// ```
/// let y = autobatch::backend::cpu::erf_f32(1.0);
/// assert_eq!(y, 0.8427008);
/// ```
#[inline(always)]
pub fn erf_f32(x: f32) -> f32 {
    erf_f64(x as f64) as f32
}

#[cfg(test)]
mod tests {
    use super::{erf_f32, erf_f64};
    use crate::Array;

    /// Bit for bit the array form's result, over a grid through every piece.
    #[test]
    fn equals_the_array_form() {
        let xs: Vec<f64> = (-60_000..=60_000)
            .map(|i| i as f64 * 5e-4)
            .chain([
                1e-300,
                -1e-300,
                27.99,
                28.0,
                40.0,
                -40.0,
                f64::INFINITY,
                f64::NEG_INFINITY,
            ])
            .collect();
        let n = xs.len();
        let want = crate::special::erf_reference(&Array::from_vec(xs.clone(), &[n]))
            .to_vec::<f64>()
            .unwrap();
        for (x, w) in xs.iter().zip(&want) {
            assert_eq!(erf_f64(*x).to_bits(), w.to_bits(), "erf({x})");
        }
        assert!(erf_f64(f64::NAN).is_nan());
        assert_eq!(erf_f64(f64::INFINITY), 1.0);
        assert_eq!(erf_f64(-0.0).to_bits(), (-0.0f64).to_bits());
    }

    /// Spot values (correctly rounded, from `mpmath`) within 1 ulp in f64, and the f32
    /// kernel within 1 ulp of them over a dense sweep's worth of checks.
    #[test]
    fn matches_reference_values() {
        let cases = [
            (0.5, 0.5204998778130465),
            (1.0, 0.8427007929497149),
            (2.0, 0.9953222650189527),
            (3.0, 0.9999779095030014),
            (0.1, 0.1124629160182849),
            (-1.5, -0.9661051464753108),
        ];
        for (x, want) in cases {
            let got = erf_f64(x);
            assert!(
                (got - want).abs() <= want.abs() * f64::EPSILON,
                "erf({x}) = {got}"
            );
            let g32 = erf_f32(x as f32);
            let w32 = want as f32;
            assert!(
                (g32 - w32).abs() <= w32.abs() * f32::EPSILON,
                "erf_f32({x})"
            );
        }
    }
}
