import Mathlib

namespace Bounds

theorem pow_two_le_2 (n : ℕ) (h : 2 ≤ n) : 2 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_3 (n : ℕ) (h : 3 ≤ n) : 3 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_4 (n : ℕ) (h : 4 ≤ n) : 4 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_5 (n : ℕ) (h : 5 ≤ n) : 5 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_6 (n : ℕ) (h : 6 ≤ n) : 6 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_7 (n : ℕ) (h : 7 ≤ n) : 7 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_8 (n : ℕ) (h : 8 ≤ n) : 8 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_9 (n : ℕ) (h : 9 ≤ n) : 9 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_10 (n : ℕ) (h : 10 ≤ n) : 10 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_11 (n : ℕ) (h : 11 ≤ n) : 11 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_12 (n : ℕ) (h : 12 ≤ n) : 12 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_13 (n : ℕ) (h : 13 ≤ n) : 13 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_14 (n : ℕ) (h : 14 ≤ n) : 14 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_15 (n : ℕ) (h : 15 ≤ n) : 15 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_16 (n : ℕ) (h : 16 ≤ n) : 16 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_17 (n : ℕ) (h : 17 ≤ n) : 17 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_18 (n : ℕ) (h : 18 ≤ n) : 18 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_19 (n : ℕ) (h : 19 ≤ n) : 19 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_20 (n : ℕ) (h : 20 ≤ n) : 20 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_21 (n : ℕ) (h : 21 ≤ n) : 21 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_22 (n : ℕ) (h : 22 ≤ n) : 22 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_23 (n : ℕ) (h : 23 ≤ n) : 23 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_24 (n : ℕ) (h : 24 ≤ n) : 24 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_25 (n : ℕ) (h : 25 ≤ n) : 25 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_26 (n : ℕ) (h : 26 ≤ n) : 26 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_27 (n : ℕ) (h : 27 ≤ n) : 27 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_28 (n : ℕ) (h : 28 ≤ n) : 28 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_29 (n : ℕ) (h : 29 ≤ n) : 29 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_30 (n : ℕ) (h : 30 ≤ n) : 30 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_31 (n : ℕ) (h : 31 ≤ n) : 31 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_32 (n : ℕ) (h : 32 ≤ n) : 32 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_33 (n : ℕ) (h : 33 ≤ n) : 33 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_34 (n : ℕ) (h : 34 ≤ n) : 34 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_35 (n : ℕ) (h : 35 ≤ n) : 35 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_36 (n : ℕ) (h : 36 ≤ n) : 36 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_37 (n : ℕ) (h : 37 ≤ n) : 37 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_38 (n : ℕ) (h : 38 ≤ n) : 38 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

theorem pow_two_le_39 (n : ℕ) (h : 39 ≤ n) : 39 * n ≤ n * n := by
  exact Nat.mul_le_mul_right n h

end Bounds
