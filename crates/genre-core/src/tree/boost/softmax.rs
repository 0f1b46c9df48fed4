//! The softmax of the boosting scores, with libm's `exp` without its branches.

/// Softmax of one row of scores, as [`softmax_rows`].
pub(super) fn softmax(raw: &[f64], out: &mut [f64]) {
    out.copy_from_slice(raw);
    softmax_rows(out, raw.len());
}

/// Softmax of each row of `k` scores, in place: `exp(score - max)` (libm's `exp`, see
/// [`exp_in_place`]), each divided by their sum taken in class order.
pub(super) fn softmax_rows(rows: &mut [f64], k: usize) {
    for row in rows.chunks_exact_mut(k) {
        let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        row.iter_mut().for_each(|s| *s -= max);
    }
    exp_in_place(rows);
    for row in rows.chunks_exact_mut(k) {
        let mut sum = 0.0;
        for &e in row.iter() {
            sum += e;
        }
        row.iter_mut().for_each(|e| *e /= sum);
    }
}

// libm's constants, by their bits (as its source gives them beside the decimals).
const LN2HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const INVLN2: f64 = f64::from_bits(0x3ff7_1547_652b_82fe);
/// What libm's `exp` compares the high word of `|x|` with, as doubles (`|x|`'s bits are in the
/// same order as its value): `|x| >= EXP_FAR` is its overflow and underflow range...
const EXP_FAR: f64 = f64::from_bits(0x4086_232b_0000_0000);
/// ... from this on `k` is computed, below it is -1 (x < 0) ...
const EXP_K_FROM_X: f64 = f64::from_bits(0x3ff0_a2b2_0000_0000);
/// ... from this on `k` is not 0 ...
const EXP_K_NOT_0: f64 = f64::from_bits(0x3fd6_2e43_0000_0000);
/// ... and below this `exp(x)` is `1 + x`.
const EXP_TINY: f64 = f64::from_bits(0x3e30_0001_0000_0000);

/// `x = libm::exp(x)` for every `x`, bit for bit, so the same natively and in the browser (see
/// `flat::softmax_in_place`). A softmax's arguments are all `<= 0` and above libm's underflow
/// range: for them [`exp_common`] repeats libm's operations without its branches and calls,
/// which lets the compiler do two at a time. Anything else goes to libm.
fn exp_in_place(xs: &mut [f64]) {
    let common = |x: f64| x <= 0.0 && x > -EXP_FAR;
    if xs.iter().all(|&x| common(x)) {
        xs.iter_mut().for_each(|x| *x = exp_common(*x));
    } else {
        for x in xs.iter_mut() {
            *x = if common(*x) {
                exp_common(*x)
            } else {
                libm::exp(*x)
            };
        }
    }
}

/// libm's `exp` (FreeBSD's `e_exp.c`) for `-708.39 < x <= 0`: the same operations in the same
/// order, so the same rounding, with its branches turned into selects. Wrong elsewhere.
#[inline(always)]
fn exp_common(x: f64) -> f64 {
    const P1: f64 = f64::from_bits(0x3fc5_5555_5555_553e);
    const P2: f64 = f64::from_bits(0xbf66_c16c_16be_bd93);
    const P3: f64 = f64::from_bits(0x3f11_566a_af25_de2c);
    const P4: f64 = f64::from_bits(0xbebb_bd41_c5d2_6bf1);
    const P5: f64 = f64::from_bits(0x3e66_3769_72be_a4d0);
    /// Adding and subtracting it rounds a double below 2^51 to an integer.
    const ROUND: f64 = 6_755_399_441_055_744.0;
    let ax = x.abs();
    // x = k ln2 + r, |r| <= ln2 / 2. libm: k = (INVLN2 * x - 0.5) as i32, a truncation,
    // which for this negative value is the ceiling.
    let t = INVLN2 * x - 0.5;
    let nearest = (t + ROUND) - ROUND;
    let k_from_x = if nearest < t { nearest + 1.0 } else { nearest };
    let k_near = if ax >= EXP_K_NOT_0 { -1.0 } else { 0.0 };
    let k = if ax >= EXP_K_FROM_X { k_from_x } else { k_near };
    // k = 0 leaves x as it is: x - 0 * LN2HI - 0 is x, as libm's k = 0 branch has it.
    let hi = x - k * LN2HI;
    let lo = k * LN2LO;
    let r = hi - lo;
    let rr = r * r;
    let c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))));
    let y = 1.0 + (r * c / (2.0 - c) - lo + hi);
    // scalbn(y, k) is y * 2^k here (2^k is normal: k >= -1022 above the underflow range);
    // 2^k's bits from k + 1023 + 2^52, whose low bits are k + 1023.
    let biased = (k + 4_503_599_627_371_519.0).to_bits();
    let e = y * f64::from_bits(biased << 52);
    if ax < EXP_TINY {
        1.0 + x
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// Arguments where libm's `exp` changes branch, a few ulps either side.
    fn exp_edges() -> Vec<f64> {
        let mut xs = vec![0.0, -0.0, -1e-300, -f64::MIN_POSITIVE, -1.0, -700.0, -708.0];
        for edge in [EXP_FAR, EXP_K_FROM_X, EXP_K_NOT_0, EXP_TINY] {
            for ulps in -3i64..=3 {
                xs.push(-f64::from_bits((edge.to_bits() as i64 + ulps) as u64));
            }
        }
        // Where k steps: x = (k + 0.5) ln2, and around each half-integer of x / ln2.
        for k in 0..1030 {
            let at = -(k as f64 + 0.5) / INVLN2;
            for ulps in -2i64..=2 {
                xs.push(f64::from_bits((at.to_bits() as i64 + ulps) as u64));
            }
        }
        xs
    }

    #[test]
    fn exp_in_place_is_libm_exp_bit_for_bit() {
        let mut rng = Rng::new(11);
        let mut xs = exp_edges();
        // Every range a softmax meets, and the ones it does not (positive, underflow, NaN).
        xs.extend((0..200_000).map(|_| -rng.unit() * 20.0));
        xs.extend((0..200_000).map(|_| -rng.unit() * 760.0));
        xs.extend((0..50_000).map(|_| -rng.unit() * 1e-6));
        xs.extend([
            1.0,
            0.5,
            710.0,
            -746.0,
            f64::NAN,
            f64::NEG_INFINITY,
            f64::INFINITY,
        ]);
        let expected: Vec<u64> = xs.iter().map(|&x| libm::exp(x).to_bits()).collect();
        // A slice with an argument outside the common range goes the scalar way: check both.
        let mut common: Vec<f64> = xs
            .iter()
            .copied()
            .filter(|&x| x <= 0.0 && x > -EXP_FAR)
            .collect();
        let common_expected: Vec<u64> = common.iter().map(|&x| libm::exp(x).to_bits()).collect();
        exp_in_place(&mut common);
        assert_eq!(common.len(), common_expected.len());
        for (got, want) in common.iter().zip(&common_expected) {
            assert_eq!(got.to_bits(), *want);
        }
        let mut all = xs.clone();
        exp_in_place(&mut all);
        for ((x, got), want) in xs.iter().zip(&all).zip(&expected) {
            assert_eq!(got.to_bits(), *want, "exp({x:e})");
        }
    }

    #[test]
    fn softmax_rows_is_the_row_by_row_softmax() {
        let mut rng = Rng::new(12);
        let k = 5;
        let scores: Vec<f64> = (0..k * 40).map(|_| (rng.unit() - 0.5) * 30.0).collect();
        let mut rows = scores.clone();
        softmax_rows(&mut rows, k);
        for (row, got) in scores.chunks_exact(k).zip(rows.chunks_exact(k)) {
            let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let e: Vec<f64> = row.iter().map(|&r| libm::exp(r - max)).collect();
            let mut sum = 0.0;
            for v in &e {
                sum += v;
            }
            for (g, v) in got.iter().zip(&e) {
                assert_eq!(g.to_bits(), (v / sum).to_bits());
            }
        }
    }
}
