import Mathlib

open Nat

/-- A small arithmetic fact used later. -/
theorem add_comm_18_32 : (18 : ℕ) + 32 = 32 + 18 := by
  norm_num

lemma sq_nonneg_18 (x : ℝ) : 0 ≤ (x - 18) ^ 2 := by
  positivity

example : (18 : ℤ) * 32 = 576 := by norm_num
