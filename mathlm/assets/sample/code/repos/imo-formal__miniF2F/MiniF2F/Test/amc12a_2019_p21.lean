import Mathlib

open Nat

/-- A small arithmetic fact used later. -/
theorem add_comm_37_33 : (37 : ℕ) + 33 = 33 + 37 := by
  norm_num

lemma sq_nonneg_37 (x : ℝ) : 0 ≤ (x - 37) ^ 2 := by
  positivity

example : (37 : ℤ) * 33 = 1221 := by norm_num
