//! A small seeded PRNG (SplitMix64) so that every result is reproducible for a seed on every
//! platform, native and wasm alike, without depending on `rand`'s version-to-version streams.

#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// A child generator for sub-task `i` (tree `i` of a forest, say), independent of how many
    /// numbers the parent drew: this is what lets several workers train shares of one forest.
    pub fn derive(seed: u64, i: u64) -> Rng {
        let mut r = Rng::new(seed.wrapping_add(i.wrapping_mul(0xD1B5_4A32_D192_ED03)));
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by Lemire's multiply-shift.
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 32) * n as u64) >> 32) as usize
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Standard normal (Box-Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.unit().max(1e-300);
        let u2 = self.unit();
        (-2.0 * libm::log(u1)).sqrt() * libm::cos(std::f64::consts::TAU * u2)
    }

    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i + 1);
            v.swap(i, j);
        }
    }

    /// `k` distinct indices from `0..n`, by a partial Fisher-Yates over `scratch`.
    pub fn sample_distinct(&mut self, n: usize, k: usize, scratch: &mut Vec<usize>) {
        scratch.clear();
        scratch.extend(0..n);
        for i in 0..k.min(n) {
            let j = i + self.below(n - i);
            scratch.swap(i, j);
        }
        scratch.truncate(k.min(n));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_below_is_in_range() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        for _ in 0..100 {
            let x = a.below(13);
            assert_eq!(x, b.below(13));
            assert!(x < 13);
        }
        assert_ne!(Rng::derive(7, 1).next_u64(), Rng::derive(7, 2).next_u64());
    }

    #[test]
    fn sample_distinct_has_no_repeats() {
        let mut r = Rng::new(1);
        let mut s = Vec::new();
        r.sample_distinct(9, 3, &mut s);
        assert_eq!(s.len(), 3);
        assert!(s[0] != s[1] && s[1] != s[2] && s[0] != s[2]);
    }
}
