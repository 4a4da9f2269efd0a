//! Printing arrays like NumPy and JAX: `Array([1. , 2.5], dtype=f32)`.
//!
//! The rules follow NumPy's `repr` with its defaults: every float is printed with the
//! shortest digits that round-trip in its own precision; floats are aligned on the
//! decimal point (fractions padded with spaces, integral values printed as `1.`);
//! scientific notation is used when the largest magnitude is at least 1e16, the smallest
//! nonzero one below 1e-4, or their ratio above 1e3; rows wrap at 75 columns; arrays of
//! more than 1000 elements are summarized with `...` around 3 edge items per axis.
//! Traced arrays print as `Traced<f32[3]>` and error arrays as `Error(<error>)`.

use super::buffer::Buffer;
use super::core::{Array, Repr};
use std::fmt;

const LINE_WIDTH: usize = 75;
const THRESHOLD: usize = 1000;
const EDGE_ITEMS: usize = 3;

/// Formats every element of a buffer to strings of one common width.
fn format_elements(buffer: &Buffer, shown: &[usize]) -> Vec<String> {
    match buffer {
        Buffer::F32(v) => format_floats(
            &shown.iter().map(|&i| v[i] as f64).collect::<Vec<_>>(),
            |x| (format!("{}", x as f32), format!("{:e}", x as f32)),
        ),
        Buffer::F64(v) => format_floats(&shown.iter().map(|&i| v[i]).collect::<Vec<_>>(), |x| {
            (format!("{x}"), format!("{x:e}"))
        }),
        Buffer::I32(v) => pad_left(shown.iter().map(|&i| v[i].to_string()).collect()),
        Buffer::U32(v) => pad_left(shown.iter().map(|&i| v[i].to_string()).collect()),
        Buffer::Bool(v) => pad_left(
            shown
                .iter()
                .map(|&i| {
                    if v[i] {
                        "True".to_string()
                    } else {
                        "False".to_string()
                    }
                })
                .collect(),
        ),
    }
}

fn pad_left(items: Vec<String>) -> Vec<String> {
    let w = items.iter().map(String::len).max().unwrap_or(0);
    items.into_iter().map(|s| format!("{s:>w$}")).collect()
}

/// NumPy-style float formatting; `digits(x)` gives the shortest positional and
/// scientific representations of `x` in its own precision.
fn format_floats(values: &[f64], digits: impl Fn(f64) -> (String, String)) -> Vec<String> {
    let finite: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let max = finite.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    let min_nonzero = finite
        .iter()
        .filter(|x| **x != 0.0)
        .fold(f64::INFINITY, |m, x| m.min(x.abs()));
    let scientific =
        max >= 1e16 || (min_nonzero.is_finite() && (min_nonzero < 1e-4 || max / min_nonzero > 1e3));
    let special = |x: f64| -> Option<String> {
        if x.is_nan() {
            Some("nan".into())
        } else if x.is_infinite() {
            Some(if x > 0.0 { "inf".into() } else { "-inf".into() })
        } else {
            None
        }
    };
    let items: Vec<String> = if scientific {
        // Mantissas padded with zeros to a common number of digits; exponent e+XX.
        let parts: Vec<Option<(String, String, i32)>> = values
            .iter()
            .map(|&x| {
                if !x.is_finite() {
                    return None;
                }
                let (_, sci) = digits(x);
                let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
                let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
                Some((int.to_string(), frac.to_string(), exp.parse().unwrap_or(0)))
            })
            .collect();
        let frac_len = parts.iter().flatten().map(|p| p.1.len()).max().unwrap_or(0);
        values
            .iter()
            .zip(&parts)
            .map(|(&x, p)| match p {
                None => special(x).unwrap_or_default(),
                Some((int, frac, exp)) => {
                    let sign = if *exp < 0 { '-' } else { '+' };
                    format!("{int}.{frac:0<frac_len$}e{sign}{:02}", exp.abs())
                }
            })
            .collect()
    } else {
        let parts: Vec<Option<(String, String)>> = values
            .iter()
            .map(|&x| {
                if !x.is_finite() {
                    return None;
                }
                let (pos, _) = digits(x);
                let (int, frac) = pos.split_once('.').unwrap_or((&pos, ""));
                Some((int.to_string(), frac.to_string()))
            })
            .collect();
        let int_len = parts.iter().flatten().map(|p| p.0.len()).max().unwrap_or(0);
        let frac_len = parts.iter().flatten().map(|p| p.1.len()).max().unwrap_or(0);
        values
            .iter()
            .zip(&parts)
            .map(|(&x, p)| match p {
                None => {
                    let s = special(x).unwrap_or_default();
                    format!("{s:>w$}", w = int_len + 1 + frac_len)
                }
                Some((int, frac)) => format!("{int:>int_len$}.{frac:<frac_len$}"),
            })
            .collect()
    };
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

/// Writes the nested-bracket body for `shape`, consuming formatted elements in order.
fn write_nested(
    out: &mut String,
    shape: &[usize],
    items: &mut std::slice::Iter<'_, String>,
    summarize: bool,
    indent: usize,
) {
    if shape.len() == 1 {
        out.push('[');
        let mut line_len = indent + 1;
        let mut first = true;
        for idx in shown_indices(shape[0], summarize) {
            let text = match idx {
                Some(_) => items.next().cloned().unwrap_or_default(),
                None => "...".to_string(),
            };
            if !first {
                out.push(',');
                line_len += 1;
                if line_len + 1 + text.len() + 2 > LINE_WIDTH {
                    out.push('\n');
                    out.push_str(&" ".repeat(indent + 1));
                    line_len = indent + 1;
                } else {
                    out.push(' ');
                    line_len += 1;
                }
            }
            out.push_str(&text);
            line_len += text.len();
            first = false;
        }
        out.push(']');
        return;
    }
    out.push('[');
    let blank_lines = shape.len() - 1;
    let mut first = true;
    for idx in shown_indices(shape[0], summarize) {
        if !first {
            out.push(',');
            out.push_str(&"\n".repeat(blank_lines));
            out.push_str(&" ".repeat(indent + 1));
        }
        match idx {
            Some(_) => write_nested(out, &shape[1..], items, summarize, indent + 1),
            None => out.push_str("..."),
        }
        first = false;
    }
    out.push(']');
}

impl fmt::Display for Array {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Traced(t) => write!(f, "Traced<{}>", t.ty),
            Repr::Error(e) => write!(f, "Error({e})"),
            Repr::Concrete(c) => {
                let shape = &c.ty.shape;
                let size = c.ty.size();
                let summarize = size > THRESHOLD;
                let mut shown = Vec::new();
                if shape.contains(&0) {
                    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
                    let shape_text = if dims.len() == 1 {
                        format!("({},)", dims[0])
                    } else {
                        format!("({})", dims.join(", "))
                    };
                    return write!(f, "Array([], shape={shape_text}, dtype={})", c.ty.dtype);
                }
                collect_shown(shape, summarize, 0, &mut shown);
                let items = format_elements(&c.buffer, &shown);
                let mut body = String::new();
                if shape.is_empty() {
                    body.push_str(items[0].trim_start());
                } else {
                    write_nested(
                        &mut body,
                        shape,
                        &mut items.iter(),
                        summarize,
                        "Array(".len(),
                    );
                }
                write!(f, "Array({body}, dtype={})", c.ty.dtype)
            }
        }
    }
}

impl fmt::Debug for Array {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
