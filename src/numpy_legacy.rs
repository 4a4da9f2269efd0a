//! NumPy's legacy global generator (`np.random.seed`, `rand`, `randn`), bit for bit.
//!
//! This is for building data sets exactly as NumPy code does (the notebook's data come
//! from `np.random.seed(10009)`); it is deliberately separate from the JAX-style,
//! splittable PRNG keys used inside models.
//!
//! * `seed(s)`: MT19937 `init_genrand(s)` (NumPy's legacy seeding of an integer seed);
//! * `rand`: 53-bit doubles from two outputs, `((a >> 5) * 2^26 + (b >> 6)) / 2^53`;
//! * `randn`: the legacy polar (Marsaglia) method, which caches its second value until
//!   the next `randn` call (a `rand` call in between does not clear it).

use crate::array::Array;
use crate::error::{Error, Result};

const N: usize = 624;
const M: usize = 397;

/// A NumPy `RandomState` (MT19937 with the legacy `rand`/`randn` algorithms).
///
/// ```
/// use autobatch::numpy_legacy::RandomState;
/// let mut rs = RandomState::seed(0);
/// assert_eq!(rs.next_f64(), 0.5488135039273248); // np.random.seed(0); np.random.rand()
/// ```
#[derive(Clone)]
pub struct RandomState {
    state: Box<[u32; N]>,
    pos: usize,
    cached_gauss: Option<f64>,
}

impl RandomState {
    /// A generator seeded like `np.random.seed(seed)`.
    ///
    /// ```
    /// let mut rs = autobatch::numpy_legacy::RandomState::seed(0);
    /// assert_eq!(rs.next_u32(), 2357136044);
    /// ```
    pub fn seed(seed: u32) -> RandomState {
        let mut state = Box::new([0u32; N]);
        state[0] = seed;
        for i in 1..N {
            let prev = state[i - 1];
            state[i] = 1812433253u32
                .wrapping_mul(prev ^ (prev >> 30))
                .wrapping_add(i as u32);
        }
        RandomState {
            state,
            pos: N,
            cached_gauss: None,
        }
    }

    /// The first words of the internal state and the position (for tests against NumPy's
    /// `get_state()`).
    ///
    /// ```
    /// let rs = autobatch::numpy_legacy::RandomState::seed(0);
    /// assert_eq!(rs.state_head(2), (vec![0, 1], 624));
    /// ```
    pub fn state_head(&self, n: usize) -> (Vec<u32>, usize) {
        (self.state[..n.min(N)].to_vec(), self.pos)
    }

    fn twist(&mut self) {
        let s = &mut self.state;
        for i in 0..N {
            let y = (s[i] & 0x8000_0000) | (s[(i + 1) % N] & 0x7fff_ffff);
            let mut v = s[(i + M) % N] ^ (y >> 1);
            if y & 1 != 0 {
                v ^= 0x9908_b0df;
            }
            s[i] = v;
        }
        self.pos = 0;
    }

    /// The next raw (tempered) 32-bit output.
    ///
    /// ```
    /// let mut rs = autobatch::numpy_legacy::RandomState::seed(1);
    /// let _ = rs.next_u32();
    /// ```
    pub fn next_u32(&mut self) -> u32 {
        if self.pos >= N {
            self.twist();
        }
        let mut y = self.state[self.pos];
        self.pos += 1;
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c_5680;
        y ^= (y << 15) & 0xefc6_0000;
        y ^ (y >> 18)
    }

    /// One uniform double in `[0, 1)` with 53 random bits (`np.random.rand()`).
    ///
    /// ```
    /// let x = autobatch::numpy_legacy::RandomState::seed(3).next_f64();
    /// assert!((0.0..1.0).contains(&x));
    /// ```
    pub fn next_f64(&mut self) -> f64 {
        let a = (self.next_u32() >> 5) as f64;
        let b = (self.next_u32() >> 6) as f64;
        (a * 67108864.0 + b) / 9007199254740992.0
    }

    /// One standard normal double (`np.random.randn()`), by the legacy polar method.
    ///
    /// ```
    /// let mut rs = autobatch::numpy_legacy::RandomState::seed(0);
    /// assert_eq!(rs.next_gauss(), 1.764052345967664);
    /// ```
    pub fn next_gauss(&mut self) -> f64 {
        if let Some(g) = self.cached_gauss.take() {
            return g;
        }
        loop {
            let x1 = 2.0 * self.next_f64() - 1.0;
            let x2 = 2.0 * self.next_f64() - 1.0;
            let r2 = x1 * x1 + x2 * x2;
            if r2 < 1.0 && r2 != 0.0 {
                let f = (-2.0 * r2.ln() / r2).sqrt();
                self.cached_gauss = Some(f * x1);
                return f * x2;
            }
        }
    }

    fn fill(
        &mut self,
        shape: &[usize],
        op: &str,
        mut draw: impl FnMut(&mut Self) -> f64,
    ) -> Result<Array> {
        let n = shape
            .iter()
            .try_fold(1usize, |n, &d| n.checked_mul(d))
            .filter(|&n| n <= crate::ir::shape_rules::MAX_ELEMENTS)
            .ok_or_else(|| Error::new(op, format!("shape {shape:?} is too large"), None))?;
        let mut v = Vec::new();
        v.try_reserve_exact(n)
            .map_err(|_| Error::new(op, format!("cannot allocate shape {shape:?}"), None))?;
        for _ in 0..n {
            v.push(draw(self));
        }
        Ok(Array::from_vec(v, shape))
    }

    /// An `f64` array of uniforms in `[0, 1)`, filled in row-major order (`np.random.rand(*shape)`).
    ///
    /// ```
    /// let mut rs = autobatch::numpy_legacy::RandomState::seed(0);
    /// let u = rs.rand(&[2, 3]).unwrap();
    /// assert_eq!(u.shape(), &[2, 3]);
    /// ```
    pub fn rand(&mut self, shape: &[usize]) -> Result<Array> {
        self.fill(shape, "rand", Self::next_f64)
    }

    /// An `f64` array of standard normals in row-major order (`np.random.randn(*shape)`).
    ///
    /// ```
    /// use autobatch::DType;
    /// let mut rs = autobatch::numpy_legacy::RandomState::seed(10009);
    /// let true_beta = rs.randn(&[10]).unwrap().astype(DType::F32);
    /// assert_eq!(true_beta.dtype(), DType::F32);
    /// ```
    pub fn randn(&mut self, shape: &[usize]) -> Result<Array> {
        self.fill(shape, "randn", Self::next_gauss)
    }
}
