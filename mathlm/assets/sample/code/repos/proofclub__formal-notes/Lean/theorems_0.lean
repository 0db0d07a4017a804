import Mathlib

open Nat

/-- A small arithmetic fact used later. -/
theorem add_comm_19_30 : (19 : ℕ) + 30 = 30 + 19 := by
  norm_num

lemma sq_nonneg_19 (x : ℝ) : 0 ≤ (x - 19) ^ 2 := by
  positivity

example : (19 : ℤ) * 30 = 570 := by norm_num
