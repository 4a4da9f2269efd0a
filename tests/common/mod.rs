//! Helpers shared by the integration tests: loading golden arrays from `tests/data`.
#![allow(dead_code)]

use autobatch::{Array, DType};
use serde_json::Value;

/// The bits of each element of a float array, as `f64` (exact for `f32`).
pub fn bits(a: &Array) -> Vec<u64> {
    a.astype(DType::F64)
        .to_vec::<f64>()
        .unwrap()
        .iter()
        .map(|v| v.to_bits())
        .collect()
}

/// Parses `tests/data/<name>`.
pub fn load(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {path}: {e}"))
}

/// A float from a JSON number or one of the strings "NaN", "Infinity", "-Infinity".
pub fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().expect("a JSON number fits f64"),
        Value::String(s) if s == "NaN" => f64::NAN,
        Value::String(s) if s == "Infinity" => f64::INFINITY,
        Value::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
        other => panic!("not a number: {other}"),
    }
}

/// The `data` of a golden array as f64.
pub fn f64s(v: &Value) -> Vec<f64> {
    v["data"]
        .as_array()
        .expect("data is a list")
        .iter()
        .map(num)
        .collect()
}

/// The `shape` of a golden array.
pub fn shape(v: &Value) -> Vec<usize> {
    v["shape"]
        .as_array()
        .expect("shape is a list")
        .iter()
        .map(|d| d.as_u64().expect("extent") as usize)
        .collect()
}

/// The exact f32 values of a golden float32 array, from its `bits`.
pub fn f32s(v: &Value) -> Vec<f32> {
    match v.get("bits") {
        Some(bits) => bits
            .as_array()
            .expect("bits is a list")
            .iter()
            .map(|b| {
                let s = b.as_str().expect("bits are strings");
                f32::from_bits(u32::from_str_radix(s.trim_start_matches("0x"), 16).expect("hex"))
            })
            .collect(),
        None => f64s(v).into_iter().map(|x| x as f32).collect(),
    }
}

/// The integers of a golden integer array.
pub fn ints(v: &Value) -> Vec<i64> {
    v["data"]
        .as_array()
        .expect("data is a list")
        .iter()
        .map(|d| d.as_i64().expect("an integer"))
        .collect()
}

/// A golden float32 array as an `Array`.
pub fn array_f32(v: &Value) -> Array {
    Array::from_vec(f32s(v), &shape(v))
}

/// A golden float64 array as an `Array`.
pub fn array_f64(v: &Value) -> Array {
    Array::from_vec(f64s(v), &shape(v))
}

/// A golden int32 array as an `Array`.
pub fn array_i32(v: &Value) -> Array {
    let data: Vec<i32> = ints(v).into_iter().map(|x| x as i32).collect();
    Array::from_vec(data, &shape(v))
}

/// Asserts `|a - b| <= rtol * |b|` elementwise.
pub fn assert_rel(actual: &[f64], expected: &[f64], rtol: f64, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths");
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        assert!(
            (a - e).abs() <= rtol * e.abs(),
            "{what}[{i}]: {a} vs expected {e} (rtol {rtol})"
        );
    }
}

/// A small deterministic generator (xorshift64*), so failures are reproducible by seed.
pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn uniform(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn shape(&mut self, max_rank: usize) -> Vec<usize> {
        let r = self.below(max_rank + 1);
        (0..r).map(|_| 1 + self.below(3)).collect()
    }
    /// An f64 array with elements uniform in `[lo, hi)`.
    pub fn array_in(&mut self, shape: &[usize], lo: f64, hi: f64) -> Array {
        let n: usize = shape.iter().product();
        let data: Vec<f64> = (0..n).map(|_| lo + (hi - lo) * self.uniform()).collect();
        Array::from_vec(data, shape)
    }
    pub fn array(&mut self, shape: &[usize], dtype: DType) -> Array {
        let n: usize = shape.iter().product();
        let data: Vec<f64> = (0..n).map(|_| self.uniform() * 4.0 - 2.0).collect();
        let a = Array::from_vec(data, shape);
        match dtype {
            DType::F64 => a,
            DType::I32 | DType::U32 => (a * 3.0).astype(dtype),
            DType::Bool => a.gt(0.0),
            DType::F32 => a.astype(DType::F32),
        }
    }
}
