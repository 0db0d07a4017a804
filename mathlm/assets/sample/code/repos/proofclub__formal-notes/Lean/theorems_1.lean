import Mathlib

open Nat

/-- A small arithmetic fact used later. -/
theorem add_comm_40_33 : (40 : ℕ) + 33 = 33 + 40 := by
  norm_num

lemma sq_nonneg_40 (x : ℝ) : 0 ≤ (x - 40) ^ 2 := by
  positivity

example : (40 : ℤ) * 33 = 1320 := by norm_num
