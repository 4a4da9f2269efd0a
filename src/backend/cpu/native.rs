//! Machine code at run time, for x86-64 with AVX-512: an encoder for the instructions
//! that fused kernels' elementwise chains compile to (see `fused::chain`), and memory to
//! run the result from.
//!
//! Only what the chains use is encoded: 512-bit EVEX register and memory forms (with an
//! opmask, zeroing, and the `{1to16}` broadcast left out), `kmovw`, and the few
//! general-purpose instructions of a counted loop. Each encoding is checked against the
//! bytes an assembler gives for it (see the tests).

use std::fmt;

/// A general-purpose register, by its number (`rax` 0, `rcx` 1, `rdx` 2, `rsi` 6,
/// `rdi` 7).
pub(crate) type Gpr = u8;
pub(crate) const RAX: Gpr = 0;
pub(crate) const RCX: Gpr = 1;
pub(crate) const RDX: Gpr = 2;
pub(crate) const RSI: Gpr = 6;
pub(crate) const RDI: Gpr = 7;

/// A vector register `zmm0`..`zmm31`.
pub(crate) type Zmm = u8;

/// An opmask register `k0`..`k7` (`k0` in an instruction's mask field means no mask).
pub(crate) type Kreg = u8;

/// The operand in an instruction's ModRM `rm` field.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Rm {
    /// A vector register (or, for `vpbroadcastd`, a general-purpose one).
    Reg(u8),
    /// Memory at `[base + index]`, or `[base]`. `base` must not be `rsp`, `rbp`, `r12`
    /// or `r13` (whose encodings need a SIB byte or a displacement); `index` not `rsp`.
    Mem { base: Gpr, index: Option<Gpr> },
}

/// The opcode map of an EVEX instruction.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Map {
    /// `0F`
    M0f = 1,
    /// `0F 38`
    M0f38 = 2,
}

/// The implied prefix of an EVEX instruction.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Pp {
    None = 0,
    P66 = 1,
}

/// An EVEX-encoded 512-bit instruction: its map, prefix, `W` bit and opcode.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Op {
    pub map: Map,
    pub pp: Pp,
    pub w: bool,
    pub opcode: u8,
}

const fn op(map: Map, pp: Pp, opcode: u8) -> Op {
    Op {
        map,
        pp,
        w: false,
        opcode,
    }
}

/// `vmovups zmm, m512` (`reg` the destination) and `vmovups m512, zmm` (`reg` the source).
pub(crate) const VMOVUPS_LOAD: Op = op(Map::M0f, Pp::None, 0x10);
pub(crate) const VMOVUPS_STORE: Op = op(Map::M0f, Pp::None, 0x11);
/// `vmovaps zmm, zmm`.
pub(crate) const VMOVAPS: Op = op(Map::M0f, Pp::None, 0x28);
/// `vbroadcastss zmm, m32`.
pub(crate) const VBROADCASTSS: Op = op(Map::M0f38, Pp::P66, 0x18);
/// `vpbroadcastd zmm, r32`.
pub(crate) const VPBROADCASTD_GPR: Op = op(Map::M0f38, Pp::P66, 0x7c);
pub(crate) const VADDPS: Op = op(Map::M0f, Pp::None, 0x58);
pub(crate) const VMULPS: Op = op(Map::M0f, Pp::None, 0x59);
pub(crate) const VSUBPS: Op = op(Map::M0f, Pp::None, 0x5c);
pub(crate) const VMINPS: Op = op(Map::M0f, Pp::None, 0x5d);
pub(crate) const VDIVPS: Op = op(Map::M0f, Pp::None, 0x5e);
pub(crate) const VMAXPS: Op = op(Map::M0f, Pp::None, 0x5f);
/// `vcmpps k, zmm, zmm, imm8`.
pub(crate) const VCMPPS: Op = op(Map::M0f, Pp::None, 0xc2);
/// `vfmadd213ps zmm1, zmm2, zmm3`: `zmm1 = zmm2 * zmm1 + zmm3`.
pub(crate) const VFMADD213PS: Op = op(Map::M0f38, Pp::P66, 0xa8);
pub(crate) const VPADDD: Op = op(Map::M0f, Pp::P66, 0xfe);
pub(crate) const VPSUBD: Op = op(Map::M0f, Pp::P66, 0xfa);
pub(crate) const VPMULLD: Op = op(Map::M0f38, Pp::P66, 0x40);
pub(crate) const VPANDD: Op = op(Map::M0f, Pp::P66, 0xdb);
pub(crate) const VPORD: Op = op(Map::M0f, Pp::P66, 0xeb);
pub(crate) const VPXORD: Op = op(Map::M0f, Pp::P66, 0xef);
/// `vpsllvd` / `vpsrlvd`: shifts by per-lane counts, 0 for counts of 32 or more.
pub(crate) const VPSLLVD: Op = op(Map::M0f38, Pp::P66, 0x47);
pub(crate) const VPSRLVD: Op = op(Map::M0f38, Pp::P66, 0x45);

/// `vcmpps` predicate: unordered (either operand NaN), quiet.
pub(crate) const CMP_UNORD_Q: u8 = 3;

/// Machine code being written.
#[derive(Default)]
pub(crate) struct Asm {
    code: Vec<u8>,
}

/// A jump whose target is not known yet: the position of its 32-bit displacement.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Fixup(usize);

impl Asm {
    /// The bytes written so far.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.code
    }

    /// The current position, as a jump target.
    pub(crate) fn here(&self) -> usize {
        self.code.len()
    }

    /// An EVEX instruction: `reg` (ModRM reg field: a destination, a store's source or a
    /// mask register), `vvvv` (the first source, 0 where there is none), `rm` (the last
    /// operand), the opmask `mask` (0: none) with zeroing `zero`, then `imm` if any.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn evex(
        &mut self,
        op: Op,
        reg: u8,
        vvvv: u8,
        rm: Rm,
        mask: Kreg,
        zero: bool,
        imm: Option<u8>,
    ) {
        let bit = |v: u8, b: u8| (v >> b) & 1;
        let (x, b) = match rm {
            Rm::Reg(r) => (bit(r, 4), bit(r, 3)),
            Rm::Mem { base, index } => (index.map_or(0, |i| bit(i, 3)), bit(base, 3)),
        };
        let p0 = ((1 - bit(reg, 3)) << 7)
            | ((1 - x) << 6)
            | ((1 - b) << 5)
            | ((1 - bit(reg, 4)) << 4)
            | op.map as u8;
        let p1 = (u8::from(op.w) << 7) | ((!vvvv & 0xf) << 3) | 0b100 | op.pp as u8;
        let p2 = (u8::from(zero) << 7) | (0b10 << 5) | ((1 - bit(vvvv, 4)) << 3) | (mask & 7);
        self.code.extend_from_slice(&[0x62, p0, p1, p2, op.opcode]);
        match rm {
            Rm::Reg(r) => self.code.push(0xc0 | ((reg & 7) << 3) | (r & 7)),
            Rm::Mem { base, index: None } => self.code.push(((reg & 7) << 3) | (base & 7)),
            Rm::Mem {
                base,
                index: Some(i),
            } => {
                self.code.push(((reg & 7) << 3) | 0b100);
                self.code.push(((i & 7) << 3) | (base & 7));
            }
        }
        if let Some(imm) = imm {
            self.code.push(imm);
        }
    }

    /// `op dst, a, b` on vector registers.
    pub(crate) fn vvv(&mut self, op: Op, dst: Zmm, a: Zmm, b: Zmm) {
        self.evex(op, dst, a, Rm::Reg(b), 0, false, None);
    }

    /// `kmovw k, r32`.
    pub(crate) fn kmovw(&mut self, k: Kreg, r: Gpr) {
        // VEX.L0.0F.W0 92 /r (registers below r8 only).
        debug_assert!(r < 8 && k < 8);
        self.code
            .extend_from_slice(&[0xc5, 0xf8, 0x92, 0xc0 | (k << 3) | r]);
    }

    /// `mov r32, imm32` (zero-extended into the 64-bit register; `r` below r8).
    pub(crate) fn mov_imm32(&mut self, r: Gpr, imm: u32) {
        debug_assert!(r < 8);
        self.code.push(0xb8 + r);
        self.code.extend_from_slice(&imm.to_le_bytes());
    }

    /// `mov r64, [base + disp32]` (`r` and `base` below r8, `base` not `rsp`).
    pub(crate) fn load_gpr(&mut self, r: Gpr, base: Gpr, disp: i32) {
        debug_assert!(r < 8 && base < 8 && base != 4);
        self.code
            .extend_from_slice(&[0x48, 0x8b, 0x80 | (r << 3) | base]);
        self.code.extend_from_slice(&disp.to_le_bytes());
    }

    /// `xor r32, r32` (`r` below r8): zeroes the 64-bit register.
    pub(crate) fn zero_gpr(&mut self, r: Gpr) {
        debug_assert!(r < 8);
        self.code.extend_from_slice(&[0x31, 0xc0 | (r << 3) | r]);
    }

    /// `test r64, r64` (`r` below r8).
    pub(crate) fn test_gpr(&mut self, r: Gpr) {
        debug_assert!(r < 8);
        self.code
            .extend_from_slice(&[0x48, 0x85, 0xc0 | (r << 3) | r]);
    }

    /// `add r64, imm8` (`r` below r8).
    pub(crate) fn add_imm8(&mut self, r: Gpr, imm: i8) {
        debug_assert!(r < 8);
        self.code
            .extend_from_slice(&[0x48, 0x83, 0xc0 | r, imm as u8]);
    }

    /// `dec r64` (`r` below r8).
    pub(crate) fn dec(&mut self, r: Gpr) {
        debug_assert!(r < 8);
        self.code.extend_from_slice(&[0x48, 0xff, 0xc8 | r]);
    }

    /// `jz rel32` to a target set later with [`Asm::bind`].
    pub(crate) fn jz_forward(&mut self) -> Fixup {
        self.code.extend_from_slice(&[0x0f, 0x84, 0, 0, 0, 0]);
        Fixup(self.code.len() - 4)
    }

    /// `jnz rel32` back to `target` (from [`Asm::here`]).
    pub(crate) fn jnz_back(&mut self, target: usize) {
        self.code.extend_from_slice(&[0x0f, 0x85]);
        let rel = target as i64 - (self.code.len() as i64 + 4);
        self.code.extend_from_slice(&(rel as i32).to_le_bytes());
    }

    /// Points the jump of `fixup` at the current position.
    pub(crate) fn bind(&mut self, fixup: Fixup) {
        let rel = (self.code.len() - (fixup.0 + 4)) as i32;
        self.code[fixup.0..fixup.0 + 4].copy_from_slice(&rel.to_le_bytes());
    }

    /// `vzeroupper; ret`.
    pub(crate) fn ret(&mut self) {
        self.code.extend_from_slice(&[0xc5, 0xf8, 0x77, 0xc3]);
    }
}

/// Machine code in executable memory, run as a function of three integer arguments.
pub(crate) struct ExecCode {
    map: memmap2::Mmap,
}

impl fmt::Debug for ExecCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExecCode({} bytes)", self.map.len())
    }
}

impl ExecCode {
    /// `code` copied into memory that can run, or `None` where the system refuses
    /// executable memory.
    pub(crate) fn new(code: &[u8]) -> Option<ExecCode> {
        let mut map = memmap2::MmapMut::map_anon(code.len().max(1)).ok()?;
        map[..code.len()].copy_from_slice(code);
        let map = map.make_exec().ok()?;
        Some(ExecCode { map })
    }

    /// Calls the code as `extern "sysv64" fn(a, b, c)`.
    ///
    /// # Safety
    /// The code must be a complete function of that signature, valid for these
    /// arguments (it dereferences whatever pointers they carry) on this CPU.
    pub(crate) unsafe fn call(&self, a: *const *mut u8, b: usize, c: usize) {
        // SAFETY: the map holds the code (made executable in `new`); the caller vouches
        // for the code itself.
        #[cfg(target_arch = "x86_64")]
        unsafe {
            let f: unsafe extern "sysv64" fn(*const *mut u8, usize, usize) =
                std::mem::transmute(self.map.as_ptr());
            f(a, b, c)
        }
        // Code is generated for x86-64 only (`fused::chain` forms none elsewhere).
        #[cfg(not(target_arch = "x86_64"))]
        let _ = (a, b, c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(f: impl FnOnce(&mut Asm)) -> Vec<u8> {
        let mut a = Asm::default();
        f(&mut a);
        a.bytes().to_vec()
    }

    /// The encodings agree with GNU as (`as --64`, Intel syntax) on each form used.
    #[test]
    fn encodings_match_the_assembler() {
        // vaddps zmm1, zmm2, zmm3
        assert_eq!(
            bytes(|a| a.vvv(VADDPS, 1, 2, 3)),
            [0x62, 0xf1, 0x6c, 0x48, 0x58, 0xcb]
        );
        // vmulps zmm17, zmm18, zmm25
        assert_eq!(
            bytes(|a| a.vvv(VMULPS, 17, 18, 25)),
            [0x62, 0x81, 0x6c, 0x40, 0x59, 0xc9]
        );
        // vsubps zmm9, zmm30, zmm8
        assert_eq!(
            bytes(|a| a.vvv(VSUBPS, 9, 30, 8)),
            [0x62, 0x51, 0x0c, 0x40, 0x5c, 0xc8]
        );
        // vpxord zmm0, zmm1, zmm2
        assert_eq!(
            bytes(|a| a.vvv(VPXORD, 0, 1, 2)),
            [0x62, 0xf1, 0x75, 0x48, 0xef, 0xc2]
        );
        // vpsrlvd zmm4, zmm5, zmm6
        assert_eq!(
            bytes(|a| a.vvv(VPSRLVD, 4, 5, 6)),
            [0x62, 0xf2, 0x55, 0x48, 0x45, 0xe6]
        );
        // vfmadd213ps zmm1, zmm2, zmm3
        assert_eq!(
            bytes(|a| a.vvv(VFMADD213PS, 1, 2, 3)),
            [0x62, 0xf2, 0x6d, 0x48, 0xa8, 0xcb]
        );
        // vmovups zmm5{k1}{z}, [rax+rcx]
        let load = Rm::Mem {
            base: RAX,
            index: Some(RCX),
        };
        assert_eq!(
            bytes(|a| a.evex(VMOVUPS_LOAD, 5, 0, load, 1, true, None)),
            [0x62, 0xf1, 0x7c, 0xc9, 0x10, 0x2c, 0x08]
        );
        // vmovups [rax+rcx]{k1}, zmm20
        assert_eq!(
            bytes(|a| a.evex(VMOVUPS_STORE, 20, 0, load, 1, false, None)),
            [0x62, 0xe1, 0x7c, 0x49, 0x11, 0x24, 0x08]
        );
        // vbroadcastss zmm3, [rax]
        let at_rax = Rm::Mem {
            base: RAX,
            index: None,
        };
        assert_eq!(
            bytes(|a| a.evex(VBROADCASTSS, 3, 0, at_rax, 0, false, None)),
            [0x62, 0xf2, 0x7d, 0x48, 0x18, 0x18]
        );
        // vpbroadcastd zmm31, eax
        assert_eq!(
            bytes(|a| a.evex(VPBROADCASTD_GPR, 31, 0, Rm::Reg(RAX), 0, false, None)),
            [0x62, 0x62, 0x7d, 0x48, 0x7c, 0xf8]
        );
        // vcmpps k2, zmm1, zmm2, 3
        assert_eq!(
            bytes(|a| a.evex(VCMPPS, 2, 1, Rm::Reg(2), 0, false, Some(CMP_UNORD_Q))),
            [0x62, 0xf1, 0x74, 0x48, 0xc2, 0xd2, 0x03]
        );
        // vmovaps zmm7{k2}, zmm8
        assert_eq!(
            bytes(|a| a.evex(VMOVAPS, 7, 0, Rm::Reg(8), 2, false, None)),
            [0x62, 0xd1, 0x7c, 0x4a, 0x28, 0xf8]
        );
        // kmovw k1, edx; mov eax, 0xffff; mov rax, [rdi+16]; xor ecx, ecx
        assert_eq!(bytes(|a| a.kmovw(1, RDX)), [0xc5, 0xf8, 0x92, 0xca]);
        assert_eq!(
            bytes(|a| a.mov_imm32(RAX, 0xffff)),
            [0xb8, 0xff, 0xff, 0, 0]
        );
        assert_eq!(
            bytes(|a| a.load_gpr(RAX, RDI, 16)),
            [0x48, 0x8b, 0x87, 16, 0, 0, 0]
        );
        assert_eq!(bytes(|a| a.zero_gpr(RCX)), [0x31, 0xc9]);
        // test rsi, rsi; add rcx, 64; dec rsi
        assert_eq!(bytes(|a| a.test_gpr(RSI)), [0x48, 0x85, 0xf6]);
        assert_eq!(bytes(|a| a.add_imm8(RCX, 64)), [0x48, 0x83, 0xc1, 0x40]);
        assert_eq!(bytes(|a| a.dec(RSI)), [0x48, 0xff, 0xce]);
    }
}
