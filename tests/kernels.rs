//! The CPU reference kernels, primitive by primitive and dtype by dtype, against
//! hand-computed values, XLA's edge cases, naive reference loops and the Threefry
//! known-answer vectors.

use autobatch::DType;
use autobatch::array::Buffer;
use autobatch::backend::cpu::eval;
use autobatch::ir::{
    ArgOp, ArrayType, BinaryOp, CompareOp, Primitive, ReduceOp, UnaryOp, output_types,
};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

/// Evaluates `prim` on `(buffer, shape)` operands, with output types from the shape rule.
fn try_run(prim: &Primitive, ins: &[(Buffer, &[usize])]) -> Result<Vec<Buffer>, String> {
    let types: Vec<ArrayType> = ins
        .iter()
        .map(|(b, s)| ArrayType::new(b.dtype(), s.to_vec()))
        .collect();
    let refs: Vec<&ArrayType> = types.iter().collect();
    let out_types = output_types(prim, &refs)?;
    let pairs: Vec<(&Buffer, &ArrayType)> = ins.iter().map(|(b, _)| b).zip(&types).collect();
    let out = eval(prim, &pairs, &out_types)?;
    assert_eq!(out.len(), out_types.len(), "{prim}: one buffer per output");
    for (b, t) in out.iter().zip(&out_types) {
        assert_eq!(b.dtype(), t.dtype, "{prim}: output dtype");
        assert_eq!(b.len(), size(&t.shape), "{prim}: output length");
    }
    Ok(out)
}

/// The element count of `shape`, safe for shapes like `[usize::MAX, 2, 0]`.
fn size(shape: &[usize]) -> usize {
    if shape.contains(&0) {
        0
    } else {
        shape.iter().product()
    }
}

/// Like [`try_run`] for a one-output primitive that must succeed.
fn run(prim: &Primitive, ins: &[(Buffer, &[usize])]) -> Buffer {
    let mut out = try_run(prim, ins).unwrap_or_else(|e| panic!("{prim} failed: {e}"));
    assert_eq!(out.len(), 1);
    out.remove(0)
}

fn f32s(v: &[f32]) -> Buffer {
    Buffer::F32(v.to_vec())
}
fn f64s(v: &[f64]) -> Buffer {
    Buffer::F64(v.to_vec())
}
fn i32s(v: &[i32]) -> Buffer {
    Buffer::I32(v.to_vec())
}
fn u32s(v: &[u32]) -> Buffer {
    Buffer::U32(v.to_vec())
}
fn bools(v: &[bool]) -> Buffer {
    Buffer::Bool(v.to_vec())
}

fn un(op: UnaryOp, x: Buffer) -> Buffer {
    let n = x.len();
    run(&Primitive::Unary(op), &[(x, &[n])])
}
fn bin(op: BinaryOp, x: Buffer, y: Buffer) -> Buffer {
    let n = x.len();
    run(&Primitive::Binary(op), &[(x, &[n]), (y, &[n])])
}
fn cmp(op: CompareOp, x: Buffer, y: Buffer) -> Vec<bool> {
    let n = x.len();
    match run(&Primitive::Compare(op), &[(x, &[n]), (y, &[n])]) {
        Buffer::Bool(v) => v,
        other => panic!("compare gave {other:?}"),
    }
}

fn as_f32(b: Buffer) -> Vec<f32> {
    match b {
        Buffer::F32(v) => v,
        other => panic!("expected f32, got {other:?}"),
    }
}
fn as_f64(b: Buffer) -> Vec<f64> {
    match b {
        Buffer::F64(v) => v,
        other => panic!("expected f64, got {other:?}"),
    }
}

/// Bitwise float equality, except that any NaN equals any NaN (so -0.0 != 0.0).
fn same_f64(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}
fn same_f32(a: &[f32], b: &[f32]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()))
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * a.abs().max(b.abs()).max(1e-300)
}

/// A small deterministic generator (xorshift64*) for random test data.
struct Rng(u64);
impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in [-1, 1).
    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

// ---------------------------------------------------------------------------------------
// Unary
// ---------------------------------------------------------------------------------------

#[test]
fn unary_float_values_f64() {
    let x = [0.5f64, 2.0];
    let cases: [(UnaryOp, [f64; 2]); 15] = [
        (UnaryOp::Neg, [-0.5, -2.0]),
        (UnaryOp::Exp, [0.5f64.exp(), 2.0f64.exp()]),
        (UnaryOp::Log, [0.5f64.ln(), 2.0f64.ln()]),
        (UnaryOp::Log1p, [0.5f64.ln_1p(), 2.0f64.ln_1p()]),
        (UnaryOp::Expm1, [0.5f64.exp_m1(), 2.0f64.exp_m1()]),
        (UnaryOp::Sqrt, [0.5f64.sqrt(), 2.0f64.sqrt()]),
        (UnaryOp::Rsqrt, [1.0 / 0.5f64.sqrt(), 1.0 / 2.0f64.sqrt()]),
        (UnaryOp::Abs, [0.5, 2.0]),
        (UnaryOp::Sign, [1.0, 1.0]),
        (UnaryOp::Sin, [0.5f64.sin(), 2.0f64.sin()]),
        (UnaryOp::Cos, [0.5f64.cos(), 2.0f64.cos()]),
        (UnaryOp::Tanh, [0.5f64.tanh(), 2.0f64.tanh()]),
        (
            UnaryOp::Logistic,
            [1.0 / (1.0 + (-0.5f64).exp()), 1.0 / (1.0 + (-2.0f64).exp())],
        ),
        (UnaryOp::Floor, [0.0, 2.0]),
        (UnaryOp::Ceil, [1.0, 2.0]),
    ];
    for (op, want) in cases {
        let got = as_f64(un(op, f64s(&x)));
        // The vectorized transcendentals are within their documented distance from
        // `libm` (`backend::cpu::math_f64`); everything else is exact.
        let bound = match op {
            UnaryOp::Exp | UnaryOp::Log => 1,
            UnaryOp::Log1p | UnaryOp::Expm1 => 2,
            UnaryOp::Tanh => 3,
            UnaryOp::Logistic => 4,
            _ => 0,
        };
        for (g, w) in got.iter().zip(&want) {
            let d = (g.to_bits() as i64 - w.to_bits() as i64).unsigned_abs();
            assert!(d <= bound, "{op:?}: {got:?} != {want:?}");
        }
    }
}

#[test]
fn unary_float_values_f32() {
    let x = [-1.5f32, 0.25, 3.0];
    let expect = |f: fn(f32) -> f32| x.map(f).to_vec();
    let cases: Vec<(UnaryOp, Vec<f32>)> = vec![
        (UnaryOp::Neg, vec![1.5, -0.25, -3.0]),
        (UnaryOp::Exp, expect(f32::exp)),
        (UnaryOp::Log, expect(f32::ln)),
        (UnaryOp::Sqrt, expect(f32::sqrt)),
        (UnaryOp::Abs, vec![1.5, 0.25, 3.0]),
        (UnaryOp::Sign, vec![-1.0, 1.0, 1.0]),
        (UnaryOp::Sin, expect(f32::sin)),
        (UnaryOp::Cos, expect(f32::cos)),
        (UnaryOp::Floor, vec![-2.0, 0.0, 3.0]),
        (UnaryOp::Ceil, vec![-1.0, 1.0, 3.0]),
        (UnaryOp::Round, vec![-2.0, 0.0, 3.0]),
    ];
    for (op, want) in cases {
        let got = as_f32(un(op, f32s(&x)));
        assert!(same_f32(&got, &want), "{op:?}: {got:?} != {want:?}");
    }
    // The fast kernels, within their documented bounds (backend::cpu::math) of libm.
    let ulps = |a: f32, b: f32| (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs();
    for (op, f, bound) in [
        (UnaryOp::Log1p, f32::ln_1p as fn(f32) -> f32, 2),
        (UnaryOp::Expm1, f32::exp_m1, 2),
        (UnaryOp::Tanh, f32::tanh, 3),
    ] {
        let got = as_f32(un(op, f32s(&x)));
        for (g, w) in got.iter().zip(expect(f)) {
            assert!(
                ulps(*g, w) <= bound || (g.is_nan() && w.is_nan()),
                "{op:?}: {g} vs {w}"
            );
        }
    }
    let r = as_f32(un(UnaryOp::Rsqrt, f32s(&[4.0, 0.0, -1.0])));
    assert_eq!(r[0], 0.5);
    assert_eq!(r[1], f32::INFINITY);
    assert!(r[2].is_nan());
}

#[test]
fn unary_float_edge_cases() {
    // Round half to even.
    let r = as_f64(un(
        UnaryOp::Round,
        f64s(&[0.5, 1.5, 2.5, -0.5, -2.5, 2.4, -0.0]),
    ));
    assert!(same_f64(&r, &[0.0, 2.0, 2.0, -0.0, -2.0, 2.0, -0.0]));
    // Sign keeps -0.0, 0.0 and NaN.
    let s = as_f64(un(
        UnaryOp::Sign,
        f64s(&[-0.0, 0.0, f64::NAN, -3.0, f64::INFINITY]),
    ));
    assert!(same_f64(&s[..2], &[-0.0, 0.0]));
    assert!(s[2].is_nan());
    assert_eq!(&s[3..], &[-1.0, 1.0]);
    let s = as_f32(un(UnaryOp::Sign, f32s(&[-0.0, f32::NAN, -7.0])));
    assert!(same_f32(&[s[0]], &[-0.0]) && s[1].is_nan() && s[2] == -1.0);
    // Logistic is stable at both extremes and exact at 0.
    let l = as_f64(un(
        UnaryOp::Logistic,
        f64s(&[-1000.0, 1000.0, 0.0, -40.0, f64::NAN]),
    ));
    assert_eq!(l[0], 0.0);
    assert_eq!(l[1], 1.0);
    assert_eq!(l[2], 0.5);
    assert!(close(
        l[3],
        (-40.0f64).exp() / (1.0 + (-40.0f64).exp()),
        1e-15
    ));
    assert!(l[4].is_nan());
    let l = as_f32(un(UnaryOp::Logistic, f32s(&[-200.0, 200.0, -20.0])));
    assert_eq!(&l[..2], &[0.0, 1.0]);
    assert!(l[2] > 0.0 && l[2] < 3e-9);
    // Log and sqrt of negatives are NaN, log(0) = -inf, expm1/log1p are accurate near 0.
    let g = as_f64(un(UnaryOp::Log, f64s(&[0.0, -1.0])));
    assert_eq!(g[0], f64::NEG_INFINITY);
    assert!(g[1].is_nan());
    assert!(as_f64(un(UnaryOp::Sqrt, f64s(&[-1.0])))[0].is_nan());
    assert!(close(
        as_f64(un(UnaryOp::Log1p, f64s(&[1e-20])))[0],
        1e-20,
        1e-15
    ));
    assert!(close(
        as_f64(un(UnaryOp::Expm1, f64s(&[1e-20])))[0],
        1e-20,
        1e-15
    ));
    // Neg of 0 is -0; abs of -0 is 0; NaN passes through everything.
    let n = as_f32(un(UnaryOp::Neg, f32s(&[0.0])));
    assert!(same_f32(&n, &[-0.0]));
    let a = as_f32(un(UnaryOp::Abs, f32s(&[-0.0, f32::NEG_INFINITY])));
    assert!(same_f32(&a, &[0.0, f32::INFINITY]));
    for op in UnaryOp::ALL.into_iter().filter(|&op| op != UnaryOp::Not) {
        assert!(as_f64(un(op, f64s(&[f64::NAN])))[0].is_nan(), "{op:?}");
        assert!(as_f32(un(op, f32s(&[f32::NAN])))[0].is_nan(), "{op:?}");
    }
}

#[test]
fn unary_integers_and_bool() {
    assert_eq!(
        un(UnaryOp::Neg, i32s(&[1, -2, 0, i32::MIN, i32::MAX])),
        i32s(&[-1, 2, 0, i32::MIN, -i32::MAX])
    );
    assert_eq!(
        un(UnaryOp::Abs, i32s(&[-3, 3, 0, i32::MIN])),
        i32s(&[3, 3, 0, i32::MIN])
    );
    assert_eq!(
        un(UnaryOp::Sign, i32s(&[-3, 0, 9, i32::MIN])),
        i32s(&[-1, 0, 1, -1])
    );
    assert_eq!(un(UnaryOp::Not, i32s(&[0, -1, 5])), i32s(&[-1, 0, !5]));
    assert_eq!(
        un(UnaryOp::Neg, u32s(&[0, 1, u32::MAX])),
        u32s(&[0, u32::MAX, 1])
    );
    assert_eq!(
        un(UnaryOp::Abs, u32s(&[0, 7, u32::MAX])),
        u32s(&[0, 7, u32::MAX])
    );
    assert_eq!(un(UnaryOp::Sign, u32s(&[0, 7, u32::MAX])), u32s(&[0, 1, 1]));
    assert_eq!(
        un(UnaryOp::Not, u32s(&[0, 0xF0F0_F0F0])),
        u32s(&[u32::MAX, 0x0F0F_0F0F])
    );
    assert_eq!(
        un(UnaryOp::Not, bools(&[true, false])),
        bools(&[false, true])
    );
}

#[test]
fn unary_rejections_are_errors_not_panics() {
    for op in UnaryOp::ALL {
        for dtype in DType::ALL {
            let x = Buffer::zeros(dtype, 2).unwrap();
            let res = try_run(&Primitive::Unary(op), &[(x, &[2])]);
            let accepted = match op {
                UnaryOp::Not => !dtype.is_float(),
                UnaryOp::Neg | UnaryOp::Abs | UnaryOp::Sign => dtype != DType::Bool,
                _ => dtype.is_float(),
            };
            assert_eq!(res.is_ok(), accepted, "{op:?} on {dtype}");
        }
    }
}

// ---------------------------------------------------------------------------------------
// Binary
// ---------------------------------------------------------------------------------------

#[test]
fn binary_floats() {
    let x = [7.0f64, -7.0, 1.5, 2.0];
    let y = [2.0f64, 2.0, -0.5, 10.0];
    let cases: [(BinaryOp, [f64; 4]); 8] = [
        (BinaryOp::Add, [9.0, -5.0, 1.0, 12.0]),
        (BinaryOp::Sub, [5.0, -9.0, 2.0, -8.0]),
        (BinaryOp::Mul, [14.0, -14.0, -0.75, 20.0]),
        (BinaryOp::Div, [3.5, -3.5, -3.0, 0.2]),
        (BinaryOp::Rem, [1.0, -1.0, 0.0, 2.0]),
        (BinaryOp::Pow, [49.0, 49.0, 1.5f64.powf(-0.5), 1024.0]),
        (BinaryOp::Max, [7.0, 2.0, 1.5, 10.0]),
        (BinaryOp::Min, [2.0, -7.0, -0.5, 2.0]),
    ];
    for (op, want) in cases {
        let got = as_f64(bin(op, f64s(&x), f64s(&y)));
        assert!(same_f64(&got, &want), "{op:?}: {got:?}");
        let got = as_f32(bin(
            op,
            f32s(&x.map(|v| v as f32)),
            f32s(&y.map(|v| v as f32)),
        ));
        let want32: Vec<f32> = want.iter().map(|&v| v as f32).collect();
        let tol_ok = got
            .iter()
            .zip(&want32)
            .all(|(a, b)| close(*a as f64, *b as f64, 1e-6));
        assert!(tol_ok, "{op:?} f32: {got:?}");
    }
    // Division by zero and NaN propagation in max/min.
    let d = as_f32(bin(
        BinaryOp::Div,
        f32s(&[1.0, -1.0, 0.0]),
        f32s(&[0.0, 0.0, 0.0]),
    ));
    assert_eq!(&d[..2], &[f32::INFINITY, f32::NEG_INFINITY]);
    assert!(d[2].is_nan());
    let nan = f64::NAN;
    for op in [BinaryOp::Max, BinaryOp::Min] {
        let m = as_f64(bin(op, f64s(&[nan, 1.0, nan]), f64s(&[1.0, nan, nan])));
        assert!(m.iter().all(|v| v.is_nan()), "{op:?} {m:?}");
        let m = as_f32(bin(op, f32s(&[f32::NAN, 1.0]), f32s(&[1.0, f32::NAN])));
        assert!(m.iter().all(|v| v.is_nan()), "{op:?} {m:?}");
    }
    let r = as_f64(bin(BinaryOp::Rem, f64s(&[5.5, 1.0]), f64s(&[-2.0, 0.0])));
    assert_eq!(r[0], 1.5);
    assert!(r[1].is_nan());
}

#[test]
fn binary_i32_wrapping_and_xla_edge_cases() {
    let (min, max) = (i32::MIN, i32::MAX);
    assert_eq!(
        bin(BinaryOp::Add, i32s(&[max, 1, min]), i32s(&[1, 2, -1])),
        i32s(&[min, 3, max])
    );
    assert_eq!(
        bin(BinaryOp::Sub, i32s(&[min, 5]), i32s(&[1, 7])),
        i32s(&[max, -2])
    );
    assert_eq!(
        bin(BinaryOp::Mul, i32s(&[max, -3, 65536]), i32s(&[2, 4, 65536])),
        i32s(&[-2, -12, 0])
    );
    assert_eq!(
        bin(
            BinaryOp::Div,
            i32s(&[7, -7, 7, 0, min, min, -5]),
            i32s(&[2, 2, 0, 0, -1, 1, 0])
        ),
        i32s(&[3, -3, -1, -1, min, min, -1])
    );
    assert_eq!(
        bin(
            BinaryOp::Rem,
            i32s(&[7, -7, 7, -7, min, 9]),
            i32s(&[3, 3, -3, 0, -1, 0])
        ),
        i32s(&[1, -1, 1, -7, 0, 9])
    );
    assert_eq!(
        bin(BinaryOp::Max, i32s(&[1, -5, min]), i32s(&[-1, 3, max])),
        i32s(&[1, 3, max])
    );
    assert_eq!(
        bin(BinaryOp::Min, i32s(&[1, -5, min]), i32s(&[-1, 3, max])),
        i32s(&[-1, -5, min])
    );
    assert_eq!(
        bin(BinaryOp::And, i32s(&[0b1100, -1]), i32s(&[0b1010, 5])),
        i32s(&[0b1000, 5])
    );
    assert_eq!(
        bin(BinaryOp::Or, i32s(&[0b1100, 0]), i32s(&[0b1010, min])),
        i32s(&[0b1110, min])
    );
    assert_eq!(
        bin(BinaryOp::Xor, i32s(&[0b1100, -1]), i32s(&[0b1010, 0])),
        i32s(&[0b0110, -1])
    );
    assert_eq!(
        bin(
            BinaryOp::ShiftLeft,
            i32s(&[1, 1, 3, 1, 1, -1]),
            i32s(&[0, 31, 30, 32, -1, 100])
        ),
        i32s(&[1, min, 0xC000_0000u32 as i32, 0, 0, 0])
    );
    assert_eq!(
        bin(
            BinaryOp::ShiftRightLogical,
            i32s(&[-1, -8, min, 256, -1]),
            i32s(&[28, 1, 31, 32, -3])
        ),
        i32s(&[15, 0x7FFF_FFFC, 1, 0, 0])
    );
}

#[test]
fn binary_u32_wrapping_and_xla_edge_cases() {
    let m = u32::MAX;
    assert_eq!(
        bin(BinaryOp::Add, u32s(&[m, 3]), u32s(&[2, 4])),
        u32s(&[1, 7])
    );
    assert_eq!(
        bin(BinaryOp::Sub, u32s(&[0, 9]), u32s(&[1, 4])),
        u32s(&[m, 5])
    );
    assert_eq!(
        bin(BinaryOp::Mul, u32s(&[m, 65536]), u32s(&[m, 65536])),
        u32s(&[1, 0])
    );
    assert_eq!(
        bin(BinaryOp::Div, u32s(&[7, 7, 0, m]), u32s(&[2, 0, 0, 1])),
        u32s(&[3, m, m, m])
    );
    assert_eq!(
        bin(BinaryOp::Rem, u32s(&[7, 7, m]), u32s(&[3, 0, 10])),
        u32s(&[1, 7, 5])
    );
    assert_eq!(
        bin(BinaryOp::Max, u32s(&[1, m]), u32s(&[2, 0])),
        u32s(&[2, m])
    );
    assert_eq!(
        bin(BinaryOp::Min, u32s(&[1, m]), u32s(&[2, 0])),
        u32s(&[1, 0])
    );
    assert_eq!(
        bin(BinaryOp::And, u32s(&[0xFF00]), u32s(&[0x0FF0])),
        u32s(&[0x0F00])
    );
    assert_eq!(
        bin(BinaryOp::Or, u32s(&[0xFF00]), u32s(&[0x0FF0])),
        u32s(&[0xFFF0])
    );
    assert_eq!(
        bin(BinaryOp::Xor, u32s(&[0xFF00]), u32s(&[0x0FF0])),
        u32s(&[0xF0F0])
    );
    assert_eq!(
        bin(
            BinaryOp::ShiftLeft,
            u32s(&[1, 1, 5, m]),
            u32s(&[31, 32, 1, 40])
        ),
        u32s(&[0x8000_0000, 0, 10, 0])
    );
    assert_eq!(
        bin(
            BinaryOp::ShiftRightLogical,
            u32s(&[m, m, 8]),
            u32s(&[31, 32, 3])
        ),
        u32s(&[1, 0, 1])
    );
}

#[test]
fn binary_bool() {
    let x = bools(&[false, false, true, true]);
    let y = bools(&[false, true, false, true]);
    let t = |v: [bool; 4]| bools(&v);
    assert_eq!(
        bin(BinaryOp::Max, x.clone(), y.clone()),
        t([false, true, true, true])
    );
    assert_eq!(
        bin(BinaryOp::Min, x.clone(), y.clone()),
        t([false, false, false, true])
    );
    assert_eq!(
        bin(BinaryOp::And, x.clone(), y.clone()),
        t([false, false, false, true])
    );
    assert_eq!(
        bin(BinaryOp::Or, x.clone(), y.clone()),
        t([false, true, true, true])
    );
    assert_eq!(bin(BinaryOp::Xor, x, y), t([false, true, true, false]));
}

#[test]
fn binary_rejections_are_errors_not_panics() {
    for op in BinaryOp::ALL {
        for dtype in DType::ALL {
            let x = Buffer::zeros(dtype, 3).unwrap();
            let res = try_run(&Primitive::Binary(op), &[(x.clone(), &[3]), (x, &[3])]);
            assert_eq!(res.is_ok(), op.accepts(dtype), "{op:?} on {dtype}");
        }
    }
    // Mismatched dtypes are rejected too.
    let res = try_run(
        &Primitive::Binary(BinaryOp::Add),
        &[(f32s(&[1.0]), &[1]), (f64s(&[1.0]), &[1])],
    );
    assert!(res.is_err());
}

// ---------------------------------------------------------------------------------------
// Compare, select
// ---------------------------------------------------------------------------------------

#[test]
fn compare_all_dtypes() {
    use CompareOp::*;
    // x vs y: less, equal, greater.
    let expect = [
        (Eq, [false, true, false]),
        (Ne, [true, false, true]),
        (Lt, [true, false, false]),
        (Le, [true, true, false]),
        (Gt, [false, false, true]),
        (Ge, [false, true, true]),
    ];
    let inputs = [
        (f32s(&[1.0, 2.0, 3.0]), f32s(&[2.0, 2.0, -3.0])),
        (f64s(&[-1.0, 0.0, 3.0]), f64s(&[2.0, -0.0, 2.5])),
        (i32s(&[i32::MIN, 5, 0]), i32s(&[i32::MAX, 5, -1])),
        (u32s(&[0, 5, u32::MAX]), u32s(&[u32::MAX, 5, 0])),
        (bools(&[false, true, true]), bools(&[true, true, false])),
    ];
    for (x, y) in &inputs {
        for (op, want) in expect {
            assert_eq!(cmp(op, x.clone(), y.clone()), want, "{op:?} on {x:?}");
        }
    }
    // NaN: everything false but ne.
    for (op, _) in expect {
        let got = cmp(op, f64s(&[f64::NAN, 1.0]), f64s(&[1.0, f64::NAN]));
        assert_eq!(got, [op == Ne; 2], "{op:?} with NaN");
        let got = cmp(op, f32s(&[f32::NAN]), f32s(&[f32::NAN]));
        assert_eq!(got, [op == Ne], "{op:?} with NaN");
    }
}

#[test]
fn select_all_dtypes() {
    let p = || (bools(&[true, false, true]), &[3usize][..]);
    let cases = [
        (
            f32s(&[1.0, 2.0, 3.0]),
            f32s(&[-1.0, -2.0, -3.0]),
            f32s(&[1.0, -2.0, 3.0]),
        ),
        (
            f64s(&[1.0, 2.0, 3.0]),
            f64s(&[-1.0, -2.0, -3.0]),
            f64s(&[1.0, -2.0, 3.0]),
        ),
        (i32s(&[1, 2, 3]), i32s(&[-1, -2, -3]), i32s(&[1, -2, 3])),
        (u32s(&[1, 2, 3]), u32s(&[4, 5, 6]), u32s(&[1, 5, 3])),
        (
            bools(&[true, true, false]),
            bools(&[false, false, true]),
            bools(&[true, false, false]),
        ),
    ];
    for (t, f, want) in cases {
        let got = run(&Primitive::Select, &[p(), (t, &[3]), (f, &[3])]);
        assert_eq!(got, want);
    }
    // 2-d and rank 0.
    let got = run(
        &Primitive::Select,
        &[
            (bools(&[false, true, true, false]), &[2, 2]),
            (i32s(&[1, 2, 3, 4]), &[2, 2]),
            (i32s(&[5, 6, 7, 8]), &[2, 2]),
        ],
    );
    assert_eq!(got, i32s(&[5, 2, 3, 8]));
    let got = run(
        &Primitive::Select,
        &[
            (bools(&[false]), &[]),
            (f32s(&[1.0]), &[]),
            (f32s(&[2.0]), &[]),
        ],
    );
    assert_eq!(got, f32s(&[2.0]));
}

// ---------------------------------------------------------------------------------------
// Convert, bitcast
// ---------------------------------------------------------------------------------------

fn convert(x: Buffer, dtype: DType) -> Buffer {
    let n = x.len();
    run(&Primitive::Convert { dtype }, &[(x, &[n])])
}

#[test]
fn convert_floats_to_integers_truncates_and_saturates() {
    let x = [
        1.7f64,
        -1.7,
        f64::NAN,
        1e10,
        -1e10,
        f64::INFINITY,
        f64::NEG_INFINITY,
        -0.5,
    ];
    assert_eq!(
        convert(f64s(&x), DType::I32),
        i32s(&[1, -1, 0, i32::MAX, i32::MIN, i32::MAX, i32::MIN, 0])
    );
    assert_eq!(
        convert(f64s(&x), DType::U32),
        u32s(&[1, 0, 0, u32::MAX, 0, u32::MAX, 0, 0])
    );
    let x32 = x.map(|v| v as f32);
    assert_eq!(
        convert(f32s(&x32), DType::I32),
        i32s(&[1, -1, 0, i32::MAX, i32::MIN, i32::MAX, i32::MIN, 0])
    );
    assert_eq!(
        convert(f32s(&x32), DType::U32),
        u32s(&[1, 0, 0, u32::MAX, 0, u32::MAX, 0, 0])
    );
    assert_eq!(
        convert(f64s(&[0.0, -0.0, 0.1, f64::NAN, -2.0]), DType::Bool),
        bools(&[false, false, true, true, true])
    );
    assert_eq!(
        convert(f32s(&[0.0, 3.0]), DType::Bool),
        bools(&[false, true])
    );
}

#[test]
fn convert_between_floats_and_from_integers() {
    // f64 -> f32 rounds to nearest (even): 1 + 2^-24 is a tie and rounds down to 1,
    // 1 + 3 * 2^-24 rounds up.
    let t = 2f64.powi(-24);
    let got = as_f32(convert(
        f64s(&[1.0 + t, 1.0 + 3.0 * t, 1e300, 0.1]),
        DType::F32,
    ));
    assert_eq!(got, vec![1.0, 1.0 + 4.0 * t as f32, f32::INFINITY, 0.1f32]);
    let got = as_f64(convert(f32s(&[0.1, f32::NAN, -0.0]), DType::F64));
    assert_eq!(got[0], 0.1f32 as f64);
    assert!(got[1].is_nan());
    assert!(same_f64(&got[2..], &[-0.0]));
    // Integers to floats round to nearest.
    assert_eq!(
        as_f32(convert(i32s(&[16_777_217, -3, i32::MIN]), DType::F32)),
        vec![16_777_216.0, -3.0, -2_147_483_648.0]
    );
    assert_eq!(
        as_f64(convert(u32s(&[u32::MAX, 0]), DType::F64)),
        vec![4_294_967_295.0, 0.0]
    );
    assert_eq!(
        as_f32(convert(u32s(&[u32::MAX]), DType::F32)),
        vec![4_294_967_296.0]
    );
    // Integer to integer wraps (bit-preserving), bool is 0 / 1.
    assert_eq!(
        convert(i32s(&[-1, 5, i32::MIN]), DType::U32),
        u32s(&[u32::MAX, 5, 0x8000_0000])
    );
    assert_eq!(
        convert(u32s(&[u32::MAX, 5, 0x8000_0000]), DType::I32),
        i32s(&[-1, 5, i32::MIN])
    );
    assert_eq!(convert(i32s(&[0, -4]), DType::Bool), bools(&[false, true]));
    assert_eq!(convert(u32s(&[0, 4]), DType::Bool), bools(&[false, true]));
    let b = || bools(&[true, false]);
    assert_eq!(convert(b(), DType::F32), f32s(&[1.0, 0.0]));
    assert_eq!(convert(b(), DType::F64), f64s(&[1.0, 0.0]));
    assert_eq!(convert(b(), DType::I32), i32s(&[1, 0]));
    assert_eq!(convert(b(), DType::U32), u32s(&[1, 0]));
    assert_eq!(convert(b(), DType::Bool), b());
    // Same dtype is the identity (bitwise, NaN payloads aside).
    assert_eq!(convert(i32s(&[7, -7]), DType::I32), i32s(&[7, -7]));
    assert_eq!(convert(u32s(&[7]), DType::U32), u32s(&[7]));
    assert_eq!(convert(f32s(&[1.5]), DType::F32), f32s(&[1.5]));
    assert_eq!(convert(f64s(&[1.5]), DType::F64), f64s(&[1.5]));
    assert_eq!(convert(f32s(&[1.5]), DType::F64), f64s(&[1.5]));
}

#[test]
fn bitcast_between_32_bit_types() {
    let bc = |x: Buffer, dtype: DType| {
        let n = x.len();
        try_run(&Primitive::Bitcast { dtype }, &[(x, &[n])]).map(|mut v| v.remove(0))
    };
    assert_eq!(
        bc(f32s(&[1.0, -0.0]), DType::U32).unwrap(),
        u32s(&[0x3f80_0000, 0x8000_0000])
    );
    assert_eq!(
        bc(f32s(&[-2.0]), DType::I32).unwrap(),
        i32s(&[0xc000_0000u32 as i32])
    );
    assert_eq!(
        bc(u32s(&[0x4049_0fdb]), DType::F32).unwrap(),
        f32s(&[std::f32::consts::PI])
    );
    assert_eq!(bc(u32s(&[u32::MAX]), DType::I32).unwrap(), i32s(&[-1]));
    assert_eq!(bc(i32s(&[-1]), DType::U32).unwrap(), u32s(&[u32::MAX]));
    assert_eq!(bc(i32s(&[0x3f00_0000]), DType::F32).unwrap(), f32s(&[0.5]));
    let nan = as_f32(bc(u32s(&[0x7fc0_0001]), DType::F32).unwrap());
    assert_eq!(nan[0].to_bits(), 0x7fc0_0001);
    assert_eq!(bc(f64s(&[2.5]), DType::F64).unwrap(), f64s(&[2.5]));
    assert_eq!(bc(u32s(&[3]), DType::U32).unwrap(), u32s(&[3]));
    assert_eq!(bc(f32s(&[3.0]), DType::F32).unwrap(), f32s(&[3.0]));
    assert_eq!(bc(i32s(&[3]), DType::I32).unwrap(), i32s(&[3]));
    assert!(bc(f64s(&[1.0]), DType::U32).is_err());
    assert!(bc(bools(&[true]), DType::I32).is_err());
}

// ---------------------------------------------------------------------------------------
// Layout: broadcast, reshape, transpose, slice, pad, concatenate, iota
// ---------------------------------------------------------------------------------------

/// 0, 1, 2, ... as i32 of `n` elements.
fn count(n: usize) -> Buffer {
    Buffer::I32((0..n as i32).collect())
}

/// Every dtype's version of `0, 1, 2, ...` (bool: odd numbers are true).
fn counts_all_dtypes(n: usize) -> Vec<Buffer> {
    vec![
        Buffer::F32((0..n).map(|i| i as f32).collect()),
        Buffer::F64((0..n).map(|i| i as f64).collect()),
        Buffer::I32((0..n).map(|i| i as i32).collect()),
        Buffer::U32((0..n).map(|i| i as u32).collect()),
        Buffer::Bool((0..n).map(|i| i % 2 == 1).collect()),
    ]
}

/// `Buffer` of the dtype of `like` holding `values` (bool: odd is true).
fn like(like: &Buffer, values: &[i64]) -> Buffer {
    match like {
        Buffer::F32(_) => Buffer::F32(values.iter().map(|&v| v as f32).collect()),
        Buffer::F64(_) => Buffer::F64(values.iter().map(|&v| v as f64).collect()),
        Buffer::I32(_) => Buffer::I32(values.iter().map(|&v| v as i32).collect()),
        Buffer::U32(_) => Buffer::U32(values.iter().map(|&v| v as u32).collect()),
        Buffer::Bool(_) => Buffer::Bool(values.iter().map(|&v| v % 2 != 0).collect()),
    }
}

#[test]
fn broadcast_in_dim_3d() {
    // [3] -> [2, 3, 2] along axis 1.
    let got = run(
        &Primitive::BroadcastInDim {
            shape: vec![2, 3, 2],
            dims: vec![1],
        },
        &[(i32s(&[10, 20, 30]), &[3])],
    );
    assert_eq!(got, i32s(&[10, 10, 20, 20, 30, 30, 10, 10, 20, 20, 30, 30]));
    // [2, 1] -> [2, 3, 4] with dims (0, 2): the extent-1 axis repeats.
    let got = run(
        &Primitive::BroadcastInDim {
            shape: vec![2, 3, 4],
            dims: vec![0, 2],
        },
        &[(i32s(&[1, 2]), &[2, 1])],
    );
    let want: Vec<i32> = (0..24).map(|i| if i < 12 { 1 } else { 2 }).collect();
    assert_eq!(got, Buffer::I32(want));
    // [2, 1, 3] -> [2, 4, 3] with identity dims.
    let got = run(
        &Primitive::BroadcastInDim {
            shape: vec![2, 4, 3],
            dims: vec![0, 1, 2],
        },
        &[(count(6), &[2, 1, 3])],
    );
    let want: Vec<i32> = (0..24).map(|i| (i / 12) * 3 + i % 3).collect();
    assert_eq!(got, Buffer::I32(want));
    // Scalar to [2, 2] for every dtype; to an empty shape.
    for x in counts_all_dtypes(2) {
        let scalar = like(&x, &[1]);
        let got = run(
            &Primitive::BroadcastInDim {
                shape: vec![2, 2],
                dims: vec![],
            },
            &[(scalar, &[])],
        );
        assert_eq!(got, like(&x, &[1, 1, 1, 1]));
    }
    let got = run(
        &Primitive::BroadcastInDim {
            shape: vec![3, 0],
            dims: vec![],
        },
        &[(f32s(&[1.0]), &[])],
    );
    assert_eq!(got, f32s(&[]));
}

#[test]
fn reshape_and_stop_gradient_keep_data() {
    for x in counts_all_dtypes(6) {
        let got = run(
            &Primitive::Reshape {
                shape: vec![3, 1, 2],
            },
            &[(x.clone(), &[2, 3])],
        );
        assert_eq!(got, x);
        let got = run(&Primitive::StopGradient, &[(x.clone(), &[6])]);
        assert_eq!(got, x);
    }
    let got = run(
        &Primitive::Reshape { shape: vec![] },
        &[(f64s(&[4.0]), &[1, 1])],
    );
    assert_eq!(got, f64s(&[4.0]));
    let got = run(
        &Primitive::Reshape { shape: vec![0, 5] },
        &[(f64s(&[]), &[5, 0])],
    );
    assert_eq!(got, f64s(&[]));
}

#[test]
fn transpose_3d_all_permutations() {
    let shape = [2usize, 3, 4];
    let perms = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    for perm in perms {
        let out_shape: Vec<usize> = perm.iter().map(|&p| shape[p]).collect();
        let mut want = Vec::new();
        for a in 0..out_shape[0] {
            for b in 0..out_shape[1] {
                for c in 0..out_shape[2] {
                    let mut idx = [0usize; 3];
                    idx[perm[0]] = a;
                    idx[perm[1]] = b;
                    idx[perm[2]] = c;
                    want.push((idx[0] * 12 + idx[1] * 4 + idx[2]) as i64);
                }
            }
        }
        for x in counts_all_dtypes(24) {
            let got = run(
                &Primitive::Transpose {
                    perm: perm.to_vec(),
                },
                &[(x.clone(), &shape)],
            );
            assert_eq!(got, like(&x, &want), "perm {perm:?}");
        }
    }
    // 2-d by hand, rank 0 and zero-size.
    let got = run(
        &Primitive::Transpose { perm: vec![1, 0] },
        &[(i32s(&[1, 2, 3, 4, 5, 6]), &[2, 3])],
    );
    assert_eq!(got, i32s(&[1, 4, 2, 5, 3, 6]));
    let got = run(
        &Primitive::Transpose { perm: vec![] },
        &[(f32s(&[3.0]), &[])],
    );
    assert_eq!(got, f32s(&[3.0]));
    let got = run(
        &Primitive::Transpose { perm: vec![1, 0] },
        &[(f32s(&[]), &[0, 3])],
    );
    assert_eq!(got, f32s(&[]));
}

#[test]
fn slice_3d_with_strides() {
    // x[i, j, k] = 100 i + 10 j + k on [3, 4, 5].
    let vals: Vec<i64> = (0..3)
        .flat_map(|i| (0..4).flat_map(move |j| (0..5).map(move |k| 100 * i + 10 * j + k)))
        .collect();
    for x0 in counts_all_dtypes(1) {
        let x = like(&x0, &vals);
        let got = run(
            &Primitive::Slice {
                start: vec![1, 0, 1],
                limit: vec![3, 4, 5],
                strides: vec![1, 2, 3],
            },
            &[(x.clone(), &[3, 4, 5])],
        );
        // i in {1, 2}, j in {0, 2}, k in {1, 4}.
        let want = [
            101, 104, 121, 124, //
            201, 204, 221, 224,
        ];
        assert_eq!(got, like(&x0, &want));
        // Unit strides.
        let got = run(
            &Primitive::Slice {
                start: vec![2, 1, 3],
                limit: vec![3, 3, 5],
                strides: vec![1, 1, 1],
            },
            &[(x.clone(), &[3, 4, 5])],
        );
        assert_eq!(got, like(&x0, &[213, 214, 223, 224]));
        // Empty slices, including one starting at the end.
        let got = run(
            &Primitive::Slice {
                start: vec![3, 0, 0],
                limit: vec![3, 4, 5],
                strides: vec![1, 1, 1],
            },
            &[(x, &[3, 4, 5])],
        );
        assert_eq!(got, like(&x0, &[]));
    }
    let got = run(
        &Primitive::Slice {
            start: vec![],
            limit: vec![],
            strides: vec![],
        },
        &[(f64s(&[2.0]), &[])],
    );
    assert_eq!(got, f64s(&[2.0]));
    let got = run(
        &Primitive::Slice {
            start: vec![1],
            limit: vec![7],
            strides: vec![4],
        },
        &[(count(7), &[7])],
    );
    assert_eq!(got, i32s(&[1, 5]));
}

fn pad(
    x: Buffer,
    shape: &[usize],
    value: Buffer,
    low: &[i64],
    high: &[i64],
    interior: &[usize],
) -> Buffer {
    run(
        &Primitive::Pad {
            low: low.to_vec(),
            high: high.to_vec(),
            interior: interior.to_vec(),
        },
        &[(x, shape), (value, &[])],
    )
}

#[test]
fn pad_low_high_interior_and_negative() {
    let x = || i32s(&[1, 2, 3]);
    let z = || i32s(&[0]);
    assert_eq!(
        pad(x(), &[3], z(), &[2], &[1], &[0]),
        i32s(&[0, 0, 1, 2, 3, 0])
    );
    assert_eq!(
        pad(x(), &[3], i32s(&[9]), &[1], &[1], &[2]),
        i32s(&[9, 1, 9, 9, 2, 9, 9, 3, 9])
    );
    // Negative low / high crop elements (and interior padding).
    assert_eq!(pad(x(), &[3], z(), &[-1], &[0], &[0]), i32s(&[2, 3]));
    assert_eq!(pad(x(), &[3], z(), &[0], &[-2], &[0]), i32s(&[1]));
    assert_eq!(pad(x(), &[3], z(), &[-2], &[1], &[1]), i32s(&[2, 0, 3, 0]));
    assert_eq!(pad(x(), &[3], z(), &[-1], &[-1], &[1]), i32s(&[0, 2, 0]));
    assert_eq!(pad(x(), &[3], z(), &[-5], &[0], &[1]), i32s(&[]));
    assert_eq!(pad(x(), &[3], z(), &[-3], &[-2], &[1]), i32s(&[]));
    // Empty operand: only padding.
    assert_eq!(
        pad(i32s(&[]), &[0], i32s(&[4]), &[2], &[1], &[5]),
        i32s(&[4, 4, 4])
    );
    // Rank 0: nothing to pad.
    assert_eq!(pad(i32s(&[6]), &[], z(), &[], &[], &[]), i32s(&[6]));
    // 2-d: [[1, 2], [3, 4]] with low (1, -1), high (0, 1), interior (1, 0).
    let got = pad(
        i32s(&[1, 2, 3, 4]),
        &[2, 2],
        i32s(&[-1]),
        &[1, -1],
        &[0, 1],
        &[1, 0],
    );
    // Rows: pad, [1, 2], pad, [3, 4] -> drop first column, add one at the end.
    assert_eq!(got, i32s(&[-1, -1, 2, -1, -1, -1, 4, -1]));
    // Every dtype.
    for x in counts_all_dtypes(2) {
        let v = like(&x, &[7]);
        let got = pad(x.clone(), &[2], v, &[1], &[1], &[1]);
        assert_eq!(got, like(&x, &[7, 0, 7, 1, 7]));
    }
    let got = pad(f32s(&[1.0]), &[1], f32s(&[f32::NAN]), &[1], &[0], &[0]);
    let got = as_f32(got);
    assert!(got[0].is_nan() && got[1] == 1.0);
}

#[test]
fn pad_3d_against_reference() {
    let shape = [2usize, 3, 2];
    let (low, high, interior) = ([1i64, -1, 0], [-1i64, 2, 1], [1usize, 0, 2]);
    let out_shape: Vec<usize> = (0..3)
        .map(|d| {
            let n = shape[d] as i64;
            (low[d] + high[d] + n + (n - 1).max(0) * interior[d] as i64) as usize
        })
        .collect();
    let mut want = vec![-1i32; out_shape.iter().product()];
    for i in 0..2 {
        for j in 0..3 {
            for k in 0..2 {
                let pos = [i, j, k]
                    .iter()
                    .enumerate()
                    .map(|(d, &e)| low[d] + e as i64 * (interior[d] as i64 + 1))
                    .collect::<Vec<_>>();
                if (0..3).all(|d| pos[d] >= 0 && (pos[d] as usize) < out_shape[d]) {
                    let off = (pos[0] as usize * out_shape[1] + pos[1] as usize) * out_shape[2]
                        + pos[2] as usize;
                    want[off] = i * 6 + j * 2 + k;
                }
            }
        }
    }
    let got = pad(count(12), &shape, i32s(&[-1]), &low, &high, &interior);
    assert_eq!(got, Buffer::I32(want));
}

#[test]
fn concatenate_along_each_axis() {
    let a = i32s(&[1, 2, 3, 4]); // [2, 2]
    let b = i32s(&[5, 6]); // [2, 1] or [1, 2]
    let got = run(
        &Primitive::Concatenate { axis: 0 },
        &[(a.clone(), &[2, 2]), (b.clone(), &[1, 2])],
    );
    assert_eq!(got, i32s(&[1, 2, 3, 4, 5, 6]));
    let got = run(
        &Primitive::Concatenate { axis: 1 },
        &[(a.clone(), &[2, 2]), (b.clone(), &[2, 1]), (a, &[2, 2])],
    );
    assert_eq!(got, i32s(&[1, 2, 5, 1, 2, 3, 4, 6, 3, 4]));
    // With an empty part, a single operand, and every dtype.
    let got = run(
        &Primitive::Concatenate { axis: 0 },
        &[(i32s(&[]), &[0]), (b.clone(), &[2]), (i32s(&[]), &[0])],
    );
    assert_eq!(got, b);
    let got = run(&Primitive::Concatenate { axis: 0 }, &[(b.clone(), &[2])]);
    assert_eq!(got, b);
    for x in counts_all_dtypes(3) {
        let got = run(
            &Primitive::Concatenate { axis: 0 },
            &[(x.clone(), &[3]), (like(&x, &[5]), &[1])],
        );
        assert_eq!(got, like(&x, &[0, 1, 2, 5]));
    }
    // Zero-size other axis.
    let got = run(
        &Primitive::Concatenate { axis: 1 },
        &[(f32s(&[]), &[0, 2]), (f32s(&[]), &[0, 3])],
    );
    assert_eq!(got, f32s(&[]));
    // 3-d along the middle axis.
    let got = run(
        &Primitive::Concatenate { axis: 1 },
        &[
            (count(4), &[2, 1, 2]),
            (i32s(&[10, 11, 12, 13]), &[2, 1, 2]),
        ],
    );
    assert_eq!(got, i32s(&[0, 1, 10, 11, 2, 3, 12, 13]));
}

#[test]
fn iota_every_numeric_dtype() {
    let iota = |dtype: DType, shape: &[usize], dim: usize| {
        try_run(
            &Primitive::Iota {
                dtype,
                shape: shape.to_vec(),
                dim,
            },
            &[],
        )
        .map(|mut v| v.remove(0))
    };
    assert_eq!(
        iota(DType::I32, &[2, 3], 1).unwrap(),
        i32s(&[0, 1, 2, 0, 1, 2])
    );
    assert_eq!(
        iota(DType::U32, &[2, 3], 0).unwrap(),
        u32s(&[0, 0, 0, 1, 1, 1])
    );
    assert_eq!(
        iota(DType::F32, &[4], 0).unwrap(),
        f32s(&[0.0, 1.0, 2.0, 3.0])
    );
    assert_eq!(
        iota(DType::F64, &[2, 2, 2], 1).unwrap(),
        f64s(&[0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0])
    );
    assert_eq!(iota(DType::I32, &[0, 3], 1).unwrap(), i32s(&[]));
    // Extents whose product could overflow are rejected even when another axis is empty.
    assert!(iota(DType::I32, &[usize::MAX, 2, 0], 0).is_err());
    assert!(iota(DType::Bool, &[2], 0).is_err());
}

// ---------------------------------------------------------------------------------------
// Take, scatter_add
// ---------------------------------------------------------------------------------------

#[test]
fn take_clamps_indices() {
    let x = i32s(&[10, 20, 30]);
    let got = run(
        &Primitive::Take { axis: 0 },
        &[
            (x.clone(), &[3]),
            (i32s(&[2, 0, -1, 3, 100, i32::MIN, 1]), &[7]),
        ],
    );
    assert_eq!(got, i32s(&[30, 10, 10, 30, 30, 10, 20]));
    // Indices of rank 2 along axis 1 of a [2, 3] operand: output [2, 2, 2].
    let got = run(
        &Primitive::Take { axis: 1 },
        &[(count(6), &[2, 3]), (i32s(&[2, 0, 1, 1]), &[2, 2])],
    );
    assert_eq!(got, i32s(&[2, 0, 1, 1, 5, 3, 4, 4]));
    // Axis 0 of a [3, 2] operand with scalar indices.
    let got = run(
        &Primitive::Take { axis: 0 },
        &[(count(6), &[3, 2]), (i32s(&[1]), &[])],
    );
    assert_eq!(got, i32s(&[2, 3]));
    // Every dtype; empty indices; empty operand axis with empty indices.
    for x in counts_all_dtypes(4) {
        let got = run(
            &Primitive::Take { axis: 0 },
            &[(x.clone(), &[4]), (i32s(&[3, 3, 0]), &[3])],
        );
        assert_eq!(got, like(&x, &[3, 3, 0]));
        let got = run(
            &Primitive::Take { axis: 0 },
            &[(x.clone(), &[4]), (i32s(&[]), &[0])],
        );
        assert_eq!(got, like(&x, &[]));
    }
    let got = run(
        &Primitive::Take { axis: 1 },
        &[(f32s(&[]), &[2, 0]), (i32s(&[]), &[0])],
    );
    assert_eq!(got, f32s(&[]));
    // A non-empty index into an empty axis is a shape error, not a panic.
    let res = try_run(
        &Primitive::Take { axis: 0 },
        &[(f32s(&[]), &[0]), (i32s(&[0]), &[1])],
    );
    assert!(res.is_err());
}

#[test]
fn scatter_add_accumulates_and_clamps() {
    let got = run(
        &Primitive::ScatterAdd { axis: 0 },
        &[
            (f32s(&[0.0, 0.0, 0.0]), &[3]),
            (i32s(&[1, 1, -4, 7]), &[4]),
            (f32s(&[1.0, 2.0, 10.0, 100.0]), &[4]),
        ],
    );
    assert_eq!(got, f32s(&[10.0, 3.0, 100.0]));
    // Along axis 1 of [2, 3] with indices [2, 0]: updates [2, 2].
    for x in counts_all_dtypes(6).into_iter().take(4) {
        let got = run(
            &Primitive::ScatterAdd { axis: 1 },
            &[
                (x.clone(), &[2, 3]),
                (i32s(&[2, 0]), &[2]),
                (like(&x, &[10, 20, 30, 40]), &[2, 2]),
            ],
        );
        assert_eq!(got, like(&x, &[20, 1, 12, 43, 4, 35]));
    }
    // Integers wrap.
    let got = run(
        &Primitive::ScatterAdd { axis: 0 },
        &[
            (i32s(&[i32::MAX]), &[1]),
            (i32s(&[0, 0]), &[2]),
            (i32s(&[1, 1]), &[2]),
        ],
    );
    assert_eq!(got, i32s(&[i32::MIN + 1]));
    let got = run(
        &Primitive::ScatterAdd { axis: 0 },
        &[
            (u32s(&[5]), &[1]),
            (i32s(&[0]), &[1]),
            (u32s(&[u32::MAX]), &[1]),
        ],
    );
    assert_eq!(got, u32s(&[4]));
    // No updates, and bool is rejected.
    let got = run(
        &Primitive::ScatterAdd { axis: 0 },
        &[
            (f64s(&[1.0, 2.0]), &[2]),
            (i32s(&[]), &[0]),
            (f64s(&[]), &[0]),
        ],
    );
    assert_eq!(got, f64s(&[1.0, 2.0]));
    let res = try_run(
        &Primitive::ScatterAdd { axis: 0 },
        &[
            (bools(&[true]), &[1]),
            (i32s(&[0]), &[1]),
            (bools(&[true]), &[1]),
        ],
    );
    assert!(res.is_err());
}

// ---------------------------------------------------------------------------------------
// Reductions
// ---------------------------------------------------------------------------------------

fn reduce(op: ReduceOp, x: Buffer, shape: &[usize], axes: &[usize]) -> Buffer {
    run(
        &Primitive::Reduce {
            op,
            axes: axes.to_vec(),
        },
        &[(x, shape)],
    )
}

#[test]
fn reduce_over_axes_of_a_3d_array() {
    // x[i, j, k] = 12 i + 4 j + k on [2, 3, 4].
    let x = || count(24);
    let s = [2usize, 3, 4];
    assert_eq!(
        reduce(ReduceOp::Sum, x(), &s, &[0, 1, 2]),
        i32s(&[(0..24).sum()])
    );
    assert_eq!(
        reduce(ReduceOp::Sum, x(), &s, &[2]),
        i32s(&[6, 22, 38, 54, 70, 86])
    );
    assert_eq!(
        reduce(ReduceOp::Sum, x(), &s, &[0, 2]),
        i32s(&[6 + 54, 22 + 70, 38 + 86])
    );
    assert_eq!(
        reduce(ReduceOp::Sum, x(), &s, &[1]),
        i32s(&[12, 15, 18, 21, 48, 51, 54, 57])
    );
    assert_eq!(
        reduce(ReduceOp::Max, x(), &s, &[0, 1]),
        i32s(&[20, 21, 22, 23])
    );
    assert_eq!(reduce(ReduceOp::Min, x(), &s, &[0, 2]), i32s(&[0, 4, 8]));
    assert_eq!(
        reduce(ReduceOp::Prod, x(), &s, &[2]),
        i32s(&[
            0,
            4 * 5 * 6 * 7,
            8 * 9 * 10 * 11,
            12 * 13 * 14 * 15,
            16 * 17 * 18 * 19,
            20 * 21 * 22 * 23
        ])
    );
    // No axes is a copy.
    assert_eq!(reduce(ReduceOp::Sum, x(), &s, &[]), x());
    // Every dtype.
    for x in counts_all_dtypes(6) {
        let is_bool = matches!(x, Buffer::Bool(_));
        assert_eq!(
            reduce(ReduceOp::Max, x.clone(), &[2, 3], &[1]),
            like(&x, if is_bool { &[1, 1] } else { &[2, 5] })
        );
        assert_eq!(
            reduce(ReduceOp::Min, x.clone(), &[2, 3], &[0]),
            like(&x, if is_bool { &[0, 0, 0] } else { &[0, 1, 2] })
        );
        if !is_bool {
            assert_eq!(
                reduce(ReduceOp::Sum, x.clone(), &[2, 3], &[0]),
                like(&x, &[3, 5, 7])
            );
            assert_eq!(
                reduce(ReduceOp::Prod, x.clone(), &[3, 2], &[1]),
                like(&x, &[0, 6, 20])
            );
        }
    }
    // Integer sums and products wrap.
    assert_eq!(
        reduce(ReduceOp::Sum, i32s(&[i32::MAX, 1]), &[2], &[0]),
        i32s(&[i32::MIN])
    );
    assert_eq!(
        reduce(ReduceOp::Prod, u32s(&[65536, 65536, 3]), &[3], &[0]),
        u32s(&[0])
    );
    // Bool sum is rejected.
    assert!(
        try_run(
            &Primitive::Reduce {
                op: ReduceOp::Sum,
                axes: vec![0]
            },
            &[(bools(&[true]), &[1])]
        )
        .is_err()
    );
}

#[test]
fn reduce_empty_gives_identities() {
    let e = &[2usize, 0];
    assert_eq!(reduce(ReduceOp::Sum, f32s(&[]), e, &[1]), f32s(&[0.0, 0.0]));
    assert_eq!(
        reduce(ReduceOp::Prod, f64s(&[]), e, &[1]),
        f64s(&[1.0, 1.0])
    );
    assert_eq!(
        reduce(ReduceOp::Max, f32s(&[]), e, &[1]),
        f32s(&[f32::NEG_INFINITY; 2])
    );
    assert_eq!(
        reduce(ReduceOp::Min, f64s(&[]), e, &[1]),
        f64s(&[f64::INFINITY; 2])
    );
    assert_eq!(
        reduce(ReduceOp::Max, i32s(&[]), e, &[1]),
        i32s(&[i32::MIN; 2])
    );
    assert_eq!(
        reduce(ReduceOp::Min, i32s(&[]), e, &[1]),
        i32s(&[i32::MAX; 2])
    );
    assert_eq!(reduce(ReduceOp::Max, u32s(&[]), e, &[1]), u32s(&[0; 2]));
    assert_eq!(
        reduce(ReduceOp::Min, u32s(&[]), e, &[1]),
        u32s(&[u32::MAX; 2])
    );
    assert_eq!(
        reduce(ReduceOp::Max, bools(&[]), e, &[1]),
        bools(&[false; 2])
    );
    assert_eq!(
        reduce(ReduceOp::Min, bools(&[]), e, &[1]),
        bools(&[true; 2])
    );
    assert_eq!(reduce(ReduceOp::Sum, i32s(&[]), &[0], &[0]), i32s(&[0]));
    assert_eq!(reduce(ReduceOp::Prod, u32s(&[]), &[0], &[0]), u32s(&[1]));
    // Reducing the non-empty axis of an empty array gives an empty array.
    assert_eq!(reduce(ReduceOp::Sum, f32s(&[]), e, &[0]), f32s(&[]));
    // Rank 0 with no axes.
    assert_eq!(reduce(ReduceOp::Sum, f32s(&[2.5]), &[], &[]), f32s(&[2.5]));
}

#[test]
fn reduce_float_nan_and_accuracy() {
    let nan = f64::NAN;
    for op in [ReduceOp::Max, ReduceOp::Min, ReduceOp::Sum, ReduceOp::Prod] {
        let got = as_f64(reduce(
            op,
            f64s(&[1.0, nan, 3.0, 0.0, 5.0, 6.0]),
            &[2, 3],
            &[1],
        ));
        assert!(got[0].is_nan(), "{op:?}");
        assert!(!got[1].is_nan(), "{op:?}");
        let got = as_f32(reduce(op, f32s(&[f32::NAN, 1.0]), &[2], &[0]));
        assert!(got[0].is_nan(), "{op:?}");
    }
    assert_eq!(
        reduce(
            ReduceOp::Max,
            f64s(&[f64::NEG_INFINITY, -1e308]),
            &[2],
            &[0]
        ),
        f64s(&[-1e308])
    );
    // Pairwise summation: a million f32 copies of 0.1 sum accurately (naive
    // accumulation in f32 is off by about 1%).
    let n = 1_000_000;
    let got = as_f32(reduce(ReduceOp::Sum, f32s(&vec![0.1; n]), &[n], &[0]))[0];
    let exact = 0.1f32 as f64 * n as f64;
    assert!(close(got as f64, exact, 1e-6), "{got} vs {exact}");
    let got = as_f64(reduce(ReduceOp::Sum, f64s(&vec![0.1; n]), &[n], &[0]))[0];
    assert!(close(got, 0.1 * n as f64, 1e-14), "{got}");
    // Reducing a leading axis (a permuted group) is accurate too.
    let got = as_f32(reduce(
        ReduceOp::Sum,
        f32s(&vec![0.1; n]),
        &[n / 2, 2],
        &[0],
    ));
    for g in got {
        assert!(close(g as f64, exact / 2.0, 1e-6), "{g}");
    }
}

fn arg(op: ArgOp, x: Buffer, shape: &[usize], axis: usize) -> Buffer {
    run(&Primitive::ArgReduce { op, axis }, &[(x, shape)])
}

#[test]
fn arg_reduce_first_extreme_and_nan() {
    let x = f64s(&[1.0, 3.0, 3.0, -2.0, -2.0, 0.0]);
    assert_eq!(arg(ArgOp::Argmax, x.clone(), &[6], 0), i32s(&[1]));
    assert_eq!(arg(ArgOp::Argmin, x.clone(), &[6], 0), i32s(&[3]));
    // [2, 3]: along axis 1 and axis 0.
    assert_eq!(arg(ArgOp::Argmax, x.clone(), &[2, 3], 1), i32s(&[1, 2]));
    assert_eq!(arg(ArgOp::Argmin, x.clone(), &[2, 3], 1), i32s(&[0, 0]));
    assert_eq!(arg(ArgOp::Argmax, x.clone(), &[2, 3], 0), i32s(&[0, 0, 0]));
    assert_eq!(arg(ArgOp::Argmin, x, &[2, 3], 0), i32s(&[1, 1, 1]));
    // The first NaN wins for both.
    let nan = f32::NAN;
    let y = f32s(&[1.0, nan, 5.0, nan, nan, 0.0]);
    assert_eq!(arg(ArgOp::Argmax, y.clone(), &[3, 2], 0), i32s(&[2, 0]));
    assert_eq!(arg(ArgOp::Argmin, y.clone(), &[3, 2], 0), i32s(&[2, 0]));
    assert_eq!(arg(ArgOp::Argmax, y.clone(), &[6], 0), i32s(&[1]));
    assert_eq!(arg(ArgOp::Argmin, y, &[6], 0), i32s(&[1]));
    // Every dtype.
    for x in counts_all_dtypes(4) {
        assert_eq!(
            arg(ArgOp::Argmax, x.clone(), &[4], 0),
            i32s(&[if matches!(x, Buffer::Bool(_)) { 1 } else { 3 }])
        );
        assert_eq!(arg(ArgOp::Argmin, x.clone(), &[4], 0), i32s(&[0]));
    }
    assert_eq!(
        arg(ArgOp::Argmin, i32s(&[5, i32::MIN, i32::MIN]), &[3], 0),
        i32s(&[1])
    );
    assert_eq!(
        arg(ArgOp::Argmax, u32s(&[5, u32::MAX, 7]), &[3], 0),
        i32s(&[1])
    );
    // Empty outer extent, and an empty axis is a shape error.
    assert_eq!(arg(ArgOp::Argmax, f32s(&[]), &[0, 3], 1), i32s(&[]));
    let res = try_run(
        &Primitive::ArgReduce {
            op: ArgOp::Argmax,
            axis: 1,
        },
        &[(f32s(&[]), &[3, 0])],
    );
    assert!(res.is_err());
}

#[test]
fn cumsum_forward_and_reverse() {
    let c = |x: Buffer, shape: &[usize], axis: usize, reverse: bool| {
        run(&Primitive::Cumsum { axis, reverse }, &[(x, shape)])
    };
    assert_eq!(c(i32s(&[1, 2, 3]), &[3], 0, false), i32s(&[1, 3, 6]));
    assert_eq!(c(i32s(&[1, 2, 3]), &[3], 0, true), i32s(&[6, 5, 3]));
    // [2, 3] along each axis.
    let x = || i32s(&[1, 2, 3, 4, 5, 6]);
    assert_eq!(c(x(), &[2, 3], 1, false), i32s(&[1, 3, 6, 4, 9, 15]));
    assert_eq!(c(x(), &[2, 3], 1, true), i32s(&[6, 5, 3, 15, 11, 6]));
    assert_eq!(c(x(), &[2, 3], 0, false), i32s(&[1, 2, 3, 5, 7, 9]));
    assert_eq!(c(x(), &[2, 3], 0, true), i32s(&[5, 7, 9, 4, 5, 6]));
    // 3-d along the middle axis.
    assert_eq!(
        c(count(8), &[2, 2, 2], 1, false),
        i32s(&[0, 1, 2, 4, 4, 5, 10, 12])
    );
    for x in counts_all_dtypes(4).into_iter().take(4) {
        assert_eq!(c(x.clone(), &[4], 0, false), like(&x, &[0, 1, 3, 6]));
        assert_eq!(c(x.clone(), &[4], 0, true), like(&x, &[6, 6, 5, 3]));
    }
    assert_eq!(
        c(u32s(&[u32::MAX, 2]), &[2], 0, false),
        u32s(&[u32::MAX, 1])
    );
    let got = as_f64(c(f64s(&[1.0, f64::NAN, 1.0]), &[3], 0, false));
    assert!(got[0] == 1.0 && got[1].is_nan() && got[2].is_nan());
    assert_eq!(c(f32s(&[]), &[0, 4], 1, true), f32s(&[]));
    assert!(
        try_run(
            &Primitive::Cumsum {
                axis: 0,
                reverse: false
            },
            &[(bools(&[true]), &[1])]
        )
        .is_err()
    );
}

// ---------------------------------------------------------------------------------------
// dot_general
// ---------------------------------------------------------------------------------------

struct DotCase {
    ls: Vec<usize>,
    rs: Vec<usize>,
    lc: Vec<usize>,
    rc: Vec<usize>,
    lb: Vec<usize>,
    rb: Vec<usize>,
}

impl DotCase {
    fn prim(&self) -> Primitive {
        Primitive::DotGeneral {
            lhs_contract: self.lc.clone(),
            rhs_contract: self.rc.clone(),
            lhs_batch: self.lb.clone(),
            rhs_batch: self.rb.clone(),
        }
    }

    /// The contraction by definition, in f64: for every output multi-index and every
    /// contracted multi-index, multiply the addressed elements.
    fn naive(&self, lhs: &[f64], rhs: &[f64]) -> Vec<f64> {
        let free = |rank: usize, b: &[usize], c: &[usize]| -> Vec<usize> {
            (0..rank)
                .filter(|a| !b.contains(a) && !c.contains(a))
                .collect()
        };
        let lf = free(self.ls.len(), &self.lb, &self.lc);
        let rf = free(self.rs.len(), &self.rb, &self.rc);
        let ext = |s: &[usize], ax: &[usize]| ax.iter().map(|&a| s[a]).collect::<Vec<_>>();
        let out_shape: Vec<usize> = [
            ext(&self.ls, &self.lb),
            ext(&self.ls, &lf),
            ext(&self.rs, &rf),
        ]
        .concat();
        let con_shape = ext(&self.ls, &self.lc);
        let multi = |shape: &[usize]| -> Vec<Vec<usize>> {
            let mut all = vec![vec![]];
            for &d in shape {
                all = all
                    .into_iter()
                    .flat_map(|p: Vec<usize>| {
                        (0..d).map(move |i| {
                            let mut q = p.clone();
                            q.push(i);
                            q
                        })
                    })
                    .collect();
            }
            all
        };
        let offset =
            |shape: &[usize], idx: &[usize]| idx.iter().zip(shape).fold(0, |o, (&i, &d)| o * d + i);
        let nb = self.lb.len();
        let mut out = Vec::new();
        for o in multi(&out_shape) {
            let mut sum = 0.0;
            for c in multi(&con_shape) {
                let mut li = vec![0; self.ls.len()];
                let mut ri = vec![0; self.rs.len()];
                for (j, (&a, &b)) in self.lb.iter().zip(&self.rb).enumerate() {
                    li[a] = o[j];
                    ri[b] = o[j];
                }
                for (j, &a) in lf.iter().enumerate() {
                    li[a] = o[nb + j];
                }
                for (j, &a) in rf.iter().enumerate() {
                    ri[a] = o[nb + lf.len() + j];
                }
                for (j, (&a, &b)) in self.lc.iter().zip(&self.rc).enumerate() {
                    li[a] = c[j];
                    ri[b] = c[j];
                }
                sum += lhs[offset(&self.ls, &li)] * rhs[offset(&self.rs, &ri)];
            }
            out.push(sum);
        }
        out
    }
}

fn dot_cases() -> Vec<DotCase> {
    let c = |ls: &[usize], rs: &[usize], lc: &[usize], rc: &[usize], lb: &[usize], rb: &[usize]| {
        DotCase {
            ls: ls.to_vec(),
            rs: rs.to_vec(),
            lc: lc.to_vec(),
            rc: rc.to_vec(),
            lb: lb.to_vec(),
            rb: rb.to_vec(),
        }
    };
    vec![
        // Plain matmul, matrix-vector, vector-vector, outer product.
        c(&[5, 7], &[7, 3], &[1], &[0], &[], &[]),
        c(&[6, 4], &[4], &[1], &[0], &[], &[]),
        c(&[9], &[9], &[0], &[0], &[], &[]),
        c(&[3], &[4], &[], &[], &[], &[]),
        // Transposed contraction axes: lhs^T rhs, lhs rhs^T, lhs^T rhs^T.
        c(&[7, 5], &[7, 3], &[0], &[0], &[], &[]),
        c(&[5, 7], &[3, 7], &[1], &[1], &[], &[]),
        c(&[7, 5], &[3, 7], &[0], &[1], &[], &[]),
        // Batch dims, in front and elsewhere.
        c(&[4, 5, 6], &[4, 6, 3], &[2], &[1], &[0], &[0]),
        c(&[5, 4, 6], &[6, 3, 4], &[2], &[0], &[1], &[2]),
        c(&[2, 3, 5, 4], &[3, 4, 2, 6], &[3], &[1], &[0, 1], &[2, 0]),
        // Several contracting axes, paired out of order, with free axes around them.
        c(&[3, 4, 2, 5], &[5, 6, 4], &[1, 3], &[2, 0], &[], &[]),
        c(
            &[2, 3, 4, 5],
            &[4, 2, 7, 3],
            &[2, 3 - 2],
            &[0, 3],
            &[0],
            &[1],
        ),
        // Larger, to exercise gemm's blocking.
        c(&[70, 130], &[130, 90], &[1], &[0], &[], &[]),
        c(&[3, 40, 65], &[65, 3, 33], &[2], &[0], &[0], &[1]),
        // Rank 0 operands.
        c(&[], &[4], &[], &[], &[], &[]),
    ]
}

#[test]
fn dot_general_f64_and_f32_match_naive_loops() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    for case in dot_cases() {
        let nl: usize = case.ls.iter().product();
        let nr: usize = case.rs.iter().product();
        let l: Vec<f64> = (0..nl).map(|_| rng.unit()).collect();
        let r: Vec<f64> = (0..nr).map(|_| rng.unit()).collect();
        let want = case.naive(&l, &r);
        let got = as_f64(run(
            &case.prim(),
            &[(f64s(&l), &case.ls), (f64s(&r), &case.rs)],
        ));
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert!(
                (g - w).abs() <= 1e-12 * w.abs().max(1.0),
                "{}: {g} vs {w}",
                case.prim()
            );
        }
        // f32: the same data rounded to f32, the reference in f64 on the rounded data.
        let l32: Vec<f32> = l.iter().map(|&v| v as f32).collect();
        let r32: Vec<f32> = r.iter().map(|&v| v as f32).collect();
        let want = case.naive(
            &l32.iter().map(|&v| v as f64).collect::<Vec<_>>(),
            &r32.iter().map(|&v| v as f64).collect::<Vec<_>>(),
        );
        let got = as_f32(run(
            &case.prim(),
            &[(f32s(&l32), &case.ls), (f32s(&r32), &case.rs)],
        ));
        for (g, w) in got.iter().zip(&want) {
            assert!(
                (*g as f64 - w).abs() <= 1e-5 * w.abs().max(1.0),
                "{} f32: {g} vs {w}",
                case.prim()
            );
        }
    }
}

#[test]
fn dot_general_integers_match_naive_loops() {
    let mut rng = Rng(42);
    for case in dot_cases() {
        let nl: usize = case.ls.iter().product();
        let nr: usize = case.rs.iter().product();
        let l: Vec<i32> = (0..nl).map(|_| rng.below(21) as i32 - 10).collect();
        let r: Vec<i32> = (0..nr).map(|_| rng.below(21) as i32 - 10).collect();
        let to64 = |v: &[i32]| v.iter().map(|&x| x as f64).collect::<Vec<_>>();
        let want: Vec<i32> = case
            .naive(&to64(&l), &to64(&r))
            .iter()
            .map(|&v| v as i32)
            .collect();
        let got = run(&case.prim(), &[(i32s(&l), &case.ls), (i32s(&r), &case.rs)]);
        assert_eq!(got, Buffer::I32(want.clone()), "{}", case.prim());
        let lu: Vec<u32> = l.iter().map(|&v| v.unsigned_abs()).collect();
        let ru: Vec<u32> = r.iter().map(|&v| v.unsigned_abs()).collect();
        let to64 = |v: &[u32]| v.iter().map(|&x| x as f64).collect::<Vec<_>>();
        let want: Vec<u32> = case
            .naive(&to64(&lu), &to64(&ru))
            .iter()
            .map(|&v| v as u32)
            .collect();
        let got = run(
            &case.prim(),
            &[(u32s(&lu), &case.ls), (u32s(&ru), &case.rs)],
        );
        assert_eq!(got, Buffer::U32(want), "{}", case.prim());
    }
    // Integer products and sums wrap.
    let prim = Primitive::DotGeneral {
        lhs_contract: vec![0],
        rhs_contract: vec![0],
        lhs_batch: vec![],
        rhs_batch: vec![],
    };
    let got = run(
        &prim,
        &[(i32s(&[65536, i32::MAX]), &[2]), (i32s(&[65536, 2]), &[2])],
    );
    assert_eq!(got, i32s(&[-2]));
}

#[test]
fn dot_general_hand_values_and_zero_sizes() {
    let mm = Primitive::DotGeneral {
        lhs_contract: vec![1],
        rhs_contract: vec![0],
        lhs_batch: vec![],
        rhs_batch: vec![],
    };
    // [[1, 2], [3, 4]] @ [[5, 6], [7, 8]].
    let got = run(
        &mm,
        &[
            (f64s(&[1.0, 2.0, 3.0, 4.0]), &[2, 2]),
            (f64s(&[5.0, 6.0, 7.0, 8.0]), &[2, 2]),
        ],
    );
    assert_eq!(got, f64s(&[19.0, 22.0, 43.0, 50.0]));
    let got = run(
        &mm,
        &[
            (f32s(&[1.0, 2.0, 3.0, 4.0]), &[2, 2]),
            (f32s(&[5.0, 6.0, 7.0, 8.0]), &[2, 2]),
        ],
    );
    assert_eq!(got, f32s(&[19.0, 22.0, 43.0, 50.0]));
    // k = 0 gives zeros; m = 0 or n = 0 gives empty outputs.
    let got = run(&mm, &[(f32s(&[]), &[2, 0]), (f32s(&[]), &[0, 3])]);
    assert_eq!(got, f32s(&[0.0; 6]));
    let got = run(&mm, &[(f64s(&[]), &[3, 0]), (f64s(&[]), &[0, 1])]);
    assert_eq!(got, f64s(&[0.0; 3]));
    let got = run(&mm, &[(i32s(&[]), &[2, 0]), (i32s(&[]), &[0, 2])]);
    assert_eq!(got, i32s(&[0; 4]));
    let got = run(&mm, &[(f64s(&[]), &[0, 4]), (f64s(&[1.0; 12]), &[4, 3])]);
    assert_eq!(got, f64s(&[]));
    let got = run(&mm, &[(f32s(&[1.0; 8]), &[2, 4]), (f32s(&[]), &[4, 0])]);
    assert_eq!(got, f32s(&[]));
    // An empty batch.
    let bmm = Primitive::DotGeneral {
        lhs_contract: vec![2],
        rhs_contract: vec![1],
        lhs_batch: vec![0],
        rhs_batch: vec![0],
    };
    let got = run(&bmm, &[(f64s(&[]), &[0, 2, 3]), (f64s(&[]), &[0, 3, 2])]);
    assert_eq!(got, f64s(&[]));
    // NaN and inf propagate through gemm.
    let got = as_f64(run(
        &mm,
        &[
            (f64s(&[f64::NAN, 1.0]), &[1, 2]),
            (f64s(&[1.0, 2.0]), &[2, 1]),
        ],
    ));
    assert!(got[0].is_nan());
    // Bool is rejected.
    assert!(try_run(&mm, &[(bools(&[true]), &[1, 1]), (bools(&[true]), &[1, 1])]).is_err());
}

// ---------------------------------------------------------------------------------------
// Threefry
// ---------------------------------------------------------------------------------------

#[test]
fn threefry_known_answers() {
    let path = format!("{}/tests/data/threefry.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("tests/data/threefry.json is present");
    let json: serde_json::Value = serde_json::from_str(&text).expect("threefry.json parses");
    let cases = json["block_cases"]
        .as_array()
        .expect("block_cases is a list");
    assert!(cases.len() >= 3);
    let words = |v: &serde_json::Value| -> Vec<u32> {
        v["data"]
            .as_array()
            .expect("data is a list")
            .iter()
            .map(|w| w.as_u64().expect("u32 word") as u32)
            .collect()
    };
    let (mut k0, mut k1, mut x0, mut x1, mut y0, mut y1) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for case in cases {
        let (k, x, y) = (words(&case["key"]), words(&case["x"]), words(&case["out"]));
        k0.push(k[0]);
        k1.push(k[1]);
        x0.push(x[0]);
        x1.push(x[1]);
        y0.push(y[0]);
        y1.push(y[1]);
        // One block at a time (rank 0).
        let out = try_run(
            &Primitive::Threefry2x32,
            &[
                (u32s(&k[..1]), &[]),
                (u32s(&k[1..]), &[]),
                (u32s(&x[..1]), &[]),
                (u32s(&x[1..]), &[]),
            ],
        )
        .expect("threefry runs");
        assert_eq!(out, vec![u32s(&y[..1]), u32s(&y[1..])], "{}", case["name"]);
    }
    // All blocks at once, as a [n] and an [n/2, 2]-shaped array when n is even.
    let n = k0.len();
    let shape: Vec<usize> = if n % 2 == 0 { vec![n / 2, 2] } else { vec![n] };
    let out = try_run(
        &Primitive::Threefry2x32,
        &[
            (u32s(&k0), &shape),
            (u32s(&k1), &shape),
            (u32s(&x0), &shape),
            (u32s(&x1), &shape),
        ],
    )
    .expect("threefry runs");
    assert_eq!(out, vec![u32s(&y0), u32s(&y1)]);
    // The Random123 vectors, spelled out.
    assert_eq!((y0[0], y1[0]), (0x6b20_0159, 0x99ba_4efe));
    assert_eq!((y0[1], y1[1]), (0x1cb9_96fc, 0xbb00_2be7));
    assert_eq!((y0[2], y1[2]), (0xc492_3a9c, 0x483d_f7a0));
    // Empty arrays.
    let e = || (u32s(&[]), &[0usize][..]);
    let out = try_run(&Primitive::Threefry2x32, &[e(), e(), e(), e()]).expect("runs");
    assert_eq!(out, vec![u32s(&[]), u32s(&[])]);
}

// ---------------------------------------------------------------------------------------
// Robustness: inconsistent calls are errors, never panics
// ---------------------------------------------------------------------------------------

#[test]
fn inconsistent_calls_are_errors() {
    let t = ArrayType::new(DType::F32, vec![2]);
    let x = f32s(&[1.0]);
    // Buffer length disagrees with its type.
    let res = eval(
        &Primitive::Unary(UnaryOp::Exp),
        &[(&x, &t)],
        std::slice::from_ref(&t),
    );
    assert!(res.is_err());
    // Buffer dtype disagrees with its type.
    let y = f64s(&[1.0, 2.0]);
    let res = eval(
        &Primitive::Unary(UnaryOp::Exp),
        &[(&y, &t)],
        std::slice::from_ref(&t),
    );
    assert!(res.is_err());
    // Wrong output types, wrong arity, invalid parameters.
    let z = f32s(&[1.0, 2.0]);
    let wrong = ArrayType::new(DType::F64, vec![2]);
    assert!(eval(&Primitive::Unary(UnaryOp::Exp), &[(&z, &t)], &[wrong]).is_err());
    assert!(eval(&Primitive::Unary(UnaryOp::Exp), &[(&z, &t)], &[]).is_err());
    assert!(
        eval(
            &Primitive::Binary(BinaryOp::Add),
            &[(&z, &t)],
            std::slice::from_ref(&t)
        )
        .is_err()
    );
    assert!(
        eval(
            &Primitive::Transpose { perm: vec![1] },
            &[(&z, &t)],
            std::slice::from_ref(&t)
        )
        .is_err()
    );
    assert!(
        eval(
            &Primitive::Concatenate { axis: 0 },
            &[],
            std::slice::from_ref(&t)
        )
        .is_err()
    );
}

/// The fused multiply-add rounds once: the double-rounding case `(1 + 2^-23)(1 - 2^-23) +
/// (2^24 + 2) = 2^24 + 3 - 2^-46`, whose `f64` sum lands on the `f32` midpoint `2^24 + 3`,
/// must round down; and it matches `f64::mul_add`, rejects integers, and vmaps.
#[test]
fn fma_rounds_once() {
    use autobatch::{Array, lax};
    let e = f32::EPSILON;
    let a = Array::from_vec(vec![1.0 + e, 2.0], &[2]);
    let b = Array::from_vec(vec![1.0 - e, 3.0], &[2]);
    let c = Array::from_vec(vec![16_777_218.0f32, 0.5], &[2]);
    assert_eq!(
        lax::fma(&a, &b, &c).to_vec::<f32>().unwrap(),
        vec![16_777_218.0, 6.5]
    );
    let x = Array::from_vec(vec![0.1f64, -3.0], &[2]);
    let got = lax::fma(&x, &x, &x).to_vec::<f64>().unwrap();
    assert_eq!(got, vec![0.1f64.mul_add(0.1, 0.1), 6.0]);
    let i = Array::from_vec(vec![1i32], &[1]);
    let err = lax::fma(&i, &i, &i).check().unwrap_err();
    assert_eq!(err.op(), "fma");
    assert!(
        err.to_string().contains("does not accept dtype i32"),
        "{err}"
    );
}
