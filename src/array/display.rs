//! Printing arrays like NumPy's `repr` (and JAX's): `Array([1. , 2.5], dtype=f32)`.
//!
//! The rules are NumPy's defaults (`np.set_printoptions()` untouched), ported from
//! `numpy/_core/arrayprint.py`:
//!
//! * **floats** are printed with the shortest digits that round-trip in their own
//!   precision (`f32` values as `f32`), at most 8 digits after the point (rounded, then
//!   trailing zeros dropped). All elements share one layout: integer parts right-aligned,
//!   fractions left-aligned and padded with spaces, integral values printed with a
//!   trailing point (`[1.  , 2.5 ]`);
//! * **scientific notation** is used when the largest finite magnitude is at least 1e6
//!   for `f32` or 1e8 for `f64` (NumPy 2.3+: `10^min(8, decimal precision)`), or the
//!   smallest nonzero one is below 1e-4, or their ratio is above 1e3. Mantissas are
//!   then padded with zeros to a common number of digits and exponents to a common width
//!   of at least two digits (`[1.0e-05, 1.5e+00]`);
//! * `nan`, `inf` and `-inf` are right-aligned to the common width;
//! * **integers** are right-aligned to the widest; **bools** print as `True`/`False`,
//!   padded to five characters in arrays of rank 1 or more (`[ True, False]`);
//! * **layout**: rows wrap at 75 columns with the continuation aligned after the opening
//!   bracket; each nesting level adds one space of indent and sub-arrays of rank `r` are
//!   separated by `r - 1` blank lines; `dtype=...` moves to its own line when it does not
//!   fit on the last one;
//! * **summarization**: arrays of more than 1000 elements show 3 items at each end of every
//!   axis around `...` (the float layout is chosen from the shown items only).
//!
//! Differences from NumPy, following JAX: the prefix is `Array(`, the dtype is always
//! shown with its short name (`dtype=f32`), and summarized arrays do not add
//! `shape=(...)` (NumPy 2.2+ does). Empty arrays print as `Array([], shape=(0, 3),
//! dtype=f32)`. Traced arrays print as `Traced<f32[3]>` and error arrays as
//! `Error(<the error>)`. `Debug` prints the same as `Display`.
//!
//! ```
//! use autobatch::Array;
//! let m = Array::from_vec(vec![1i32, 2, 3, 4], &[2, 2]);
//! assert_eq!(m.to_string(), "Array([[1, 2],\n       [3, 4]], dtype=i32)");
//! let x = Array::from_vec(vec![1.0f32, 2.5], &[2]);
//! assert_eq!(format!("{x:?}"), "Array([1. , 2.5], dtype=f32)");
//! ```

use super::buffer::Buffer;
use super::core::{Array, Repr};
use std::fmt;

/// NumPy's default `linewidth`.
const LINE_WIDTH: usize = 75;
/// NumPy's default `threshold`: more elements than this are summarized.
const THRESHOLD: usize = 1000;
/// NumPy's default `edgeitems`.
const EDGE_ITEMS: usize = 3;
/// NumPy's default `precision` (fraction digits at most).
const PRECISION: usize = 8;
const PREFIX: &str = "Array(";

/// Formats the shown elements of a buffer to strings of one common width.
fn format_elements(buffer: &Buffer, shown: &[usize], zero_dim: bool) -> Vec<String> {
    match buffer {
        Buffer::F32(v) => format_floats(shown.iter().map(|&i| v[i] as f64).collect(), true),
        Buffer::F64(v) => format_floats(shown.iter().map(|&i| v[i]).collect(), false),
        Buffer::I32(v) => pad_left(shown.iter().map(|&i| v[i].to_string()).collect()),
        Buffer::U32(v) => pad_left(shown.iter().map(|&i| v[i].to_string()).collect()),
        Buffer::Bool(v) => shown
            .iter()
            .map(|&i| match (v[i], zero_dim) {
                (true, true) => "True".to_string(),
                (true, false) => " True".to_string(),
                (false, _) => "False".to_string(),
            })
            .collect(),
    }
}

/// Right-aligns strings to the longest.
fn pad_left(items: Vec<String>) -> Vec<String> {
    let w = items.iter().map(String::len).max().unwrap_or(0);
    items.into_iter().map(|s| format!("{s:>w$}")).collect()
}

/// Drops trailing zeros of a digit string.
fn trim_zeros(s: &str) -> &str {
    s.trim_end_matches('0')
}

/// The positional digits of a finite `x` (in `f32` when `single`): shortest round-trip,
/// or rounded to [`PRECISION`] fraction digits when that is longer. Split at the point.
fn positional(x: f64, single: bool) -> (String, String) {
    let s = if single {
        format!("{}", x as f32)
    } else {
        format!("{x}")
    };
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    if frac.len() <= PRECISION {
        return (int.to_string(), frac.to_string());
    }
    let s = if single {
        format!("{:.*}", PRECISION, x as f32)
    } else {
        format!("{x:.PRECISION$}")
    };
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    (int.to_string(), trim_zeros(frac).to_string())
}

/// The scientific digits of a finite `x`: (integer digit with sign, fraction, exponent).
fn scientific(x: f64, single: bool) -> (String, String, i32) {
    let split = |s: &str, trim: bool| {
        let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let frac = if trim { trim_zeros(frac) } else { frac };
        (int.to_string(), frac.to_string(), exp.parse().unwrap_or(0))
    };
    let s = if single {
        format!("{:e}", x as f32)
    } else {
        format!("{x:e}")
    };
    let parts = split(&s, false);
    if parts.1.len() <= PRECISION {
        return parts;
    }
    let s = if single {
        format!("{:.*e}", PRECISION, x as f32)
    } else {
        format!("{x:.PRECISION$e}")
    };
    split(&s, true)
}

/// `nan`, `inf` or `-inf` for a non-finite `x`.
fn special(x: f64) -> String {
    if x.is_nan() {
        "nan".into()
    } else if x > 0.0 {
        "inf".into()
    } else {
        "-inf".into()
    }
}

/// NumPy's `FloatingFormat`: one layout for all `values` (see the module docs).
fn format_floats(values: Vec<f64>, single: bool) -> Vec<String> {
    let finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let nonzero = finite.iter().filter(|x| **x != 0.0).map(|x| x.abs());
    let (min, max) = nonzero.fold((f64::INFINITY, 0.0f64), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    });
    // NumPy 2.3+: 10^min(8, decimal precision of the dtype), i.e. 1e6 for f32, 1e8 for f64.
    let cutoff = if single { 1e6 } else { 1e8 };
    let exp_format = min.is_finite() && (max >= cutoff || min < 1e-4 || max / min > 1e3);
    let items: Vec<String> = if exp_format {
        let parts: Vec<Option<(String, String, i32)>> = values
            .iter()
            .map(|&x| x.is_finite().then(|| scientific(x, single)))
            .collect();
        let frac_len = parts.iter().flatten().map(|p| p.1.len()).max().unwrap_or(0);
        let exp_len = parts
            .iter()
            .flatten()
            .map(|p| p.2.unsigned_abs().to_string().len())
            .max()
            .unwrap_or(0)
            .max(2);
        values
            .iter()
            .zip(&parts)
            .map(|(&x, p)| match p {
                None => special(x),
                Some((int, frac, exp)) => {
                    let sign = if *exp < 0 { '-' } else { '+' };
                    let e = exp.unsigned_abs();
                    format!("{int}.{frac:0<frac_len$}e{sign}{e:0>exp_len$}")
                }
            })
            .collect()
    } else {
        let parts: Vec<Option<(String, String)>> = values
            .iter()
            .map(|&x| x.is_finite().then(|| positional(x, single)))
            .collect();
        let int_len = parts.iter().flatten().map(|p| p.0.len()).max().unwrap_or(0);
        let frac_len = parts.iter().flatten().map(|p| p.1.len()).max().unwrap_or(0);
        values
            .iter()
            .zip(&parts)
            .map(|(&x, p)| match p {
                None => special(x),
                Some((int, frac)) => format!("{int:>int_len$}.{frac:<frac_len$}"),
            })
            .collect()
    };
    // Non-finite values are right-aligned to the finite ones' width (or widen them all).
    pad_left(items)
}

/// The indices shown along an axis of extent `n` (all, or the edges when summarizing),
/// with `None` marking the `...`.
fn shown_indices(n: usize, summarize: bool) -> Vec<Option<usize>> {
    if summarize && n > 2 * EDGE_ITEMS {
        let mut v: Vec<Option<usize>> = (0..EDGE_ITEMS).map(Some).collect();
        v.push(None);
        v.extend((n - EDGE_ITEMS..n).map(Some));
        v
    } else {
        (0..n).map(Some).collect()
    }
}

/// The flat indices of the shown elements, in printing order.
fn collect_shown(shape: &[usize], summarize: bool, base: usize, out: &mut Vec<usize>) {
    if shape.is_empty() {
        out.push(base);
        return;
    }
    let inner: usize = shape[1..].iter().product();
    for i in shown_indices(shape[0], summarize).into_iter().flatten() {
        collect_shown(&shape[1..], summarize, base + i * inner, out);
    }
}

/// NumPy's `_extendLine`: appends `word` to `line`, first wrapping the line into `s` if
/// it would pass `width` (unless the line holds nothing but the indent).
fn extend_line(s: &mut String, line: &mut String, word: &str, width: usize, hanging: &str) {
    if line.len() + word.len() > width && line.len() > hanging.len() {
        s.push_str(line.trim_end());
        s.push('\n');
        line.clear();
        line.push_str(hanging);
    }
    line.push_str(word);
}

/// NumPy's `_formatArray` recursion: the bracketed text of a (non-empty, rank >= 1)
/// block of `shape`, consuming formatted elements in order. `hanging` is the indent of
/// continuation lines and `width` the columns available before the closing brackets.
fn format_block(
    shape: &[usize],
    items: &mut std::slice::Iter<'_, String>,
    summarize: bool,
    hanging: &str,
    width: usize,
) -> String {
    let shown = shown_indices(shape[0], summarize);
    let last = shown.len() - 1;
    let mut s = String::new();
    if shape.len() == 1 {
        let elem_width = width.saturating_sub(1); // room for the `,` or `]` after a word
        let mut line = hanging.to_string();
        for (k, idx) in shown.iter().enumerate() {
            let word = match idx {
                Some(_) => items.next().map_or("", String::as_str),
                None => "...",
            };
            extend_line(&mut s, &mut line, word, elem_width, hanging);
            if k != last {
                line.push_str(", ");
            }
        }
        s.push_str(&line);
    } else {
        let next_hanging = format!("{hanging} ");
        let line_sep = format!(",{}", "\n".repeat(shape.len() - 1));
        for (k, idx) in shown.iter().enumerate() {
            s.push_str(hanging);
            match idx {
                Some(_) => s.push_str(&format_block(
                    &shape[1..],
                    items,
                    summarize,
                    &next_hanging,
                    width.saturating_sub(1),
                )),
                None => s.push_str("..."),
            }
            if k != last {
                s.push_str(&line_sep);
            }
        }
    }
    format!("[{}]", &s[hanging.len()..])
}

/// The `repr` of a concrete array (see the module docs).
fn repr(ty: &crate::ir::ArrayType, buffer: &Buffer) -> String {
    let shape = &ty.shape;
    let dtype_text = format!("dtype={})", ty.dtype);
    let body = if shape.contains(&0) {
        let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
        match dims.len() {
            1 => format!("[], shape=({},)", dims[0]),
            _ => format!("[], shape=({})", dims.join(", ")),
        }
    } else {
        let summarize = ty.size() > THRESHOLD;
        let mut shown = Vec::new();
        collect_shown(shape, summarize, 0, &mut shown);
        let items = format_elements(buffer, &shown, shape.is_empty());
        if shape.is_empty() {
            items[0].trim_start().to_string()
        } else {
            let hanging = " ".repeat(PREFIX.len() + 1);
            // NumPy reserves room for the `,` that follows the array text.
            let width = LINE_WIDTH - 1;
            format_block(shape, &mut items.iter(), summarize, &hanging, width)
        }
    };
    let text = format!("{PREFIX}{body},");
    let last_line = text.len() - text.rfind('\n').map_or(0, |i| i + 1);
    let spacer = if last_line + dtype_text.len() + 1 > LINE_WIDTH {
        format!("\n{}", " ".repeat(PREFIX.len()))
    } else {
        " ".to_string()
    };
    format!("{text}{spacer}{dtype_text}")
}

/// NumPy-style `repr` (see the module docs).
///
/// ```
/// use autobatch::Array;
/// assert_eq!(Array::scalar(2.5f32).to_string(), "Array(2.5, dtype=f32)");
/// let x = Array::from_vec(vec![f32::NAN, 1.0, f32::NEG_INFINITY], &[3]);
/// assert_eq!(x.to_string(), "Array([ nan,   1., -inf], dtype=f32)");
/// ```
impl fmt::Display for Array {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Traced(t) => write!(f, "Traced<{}>", t.ty),
            Repr::Error(e) => write!(f, "Error({e})"),
            Repr::Concrete(c) => match c.value() {
                Ok(buffer) => f.write_str(&repr(&c.ty, buffer)),
                Err(e) => write!(f, "Array(error: {e})"),
            },
        }
    }
}

/// The same text as [`Display`](fmt::Display).
///
/// ```
/// let x = autobatch::Array::from_vec(vec![true, false], &[2]);
/// assert_eq!(format!("{x:?}"), "Array([ True, False], dtype=bool)");
/// ```
impl fmt::Debug for Array {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
