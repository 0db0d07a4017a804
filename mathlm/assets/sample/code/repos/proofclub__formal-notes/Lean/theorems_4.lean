import Mathlib

open Nat

/-- A small arithmetic fact used later. -/
theorem add_comm_6_27 : (6 : ℕ) + 27 = 27 + 6 := by
  norm_num

lemma sq_nonneg_6 (x : ℝ) : 0 ≤ (x - 6) ^ 2 := by
  positivity

example : (6 : ℤ) * 27 = 162 := by norm_num
