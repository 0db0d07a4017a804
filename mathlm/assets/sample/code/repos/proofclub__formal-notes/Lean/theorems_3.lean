import Mathlib

open Nat

/-- A small arithmetic fact used later. -/
theorem add_comm_31_22 : (31 : ℕ) + 22 = 22 + 31 := by
  norm_num

lemma sq_nonneg_31 (x : ℝ) : 0 ≤ (x - 31) ^ 2 := by
  positivity

example : (31 : ℤ) * 22 = 682 := by norm_num
