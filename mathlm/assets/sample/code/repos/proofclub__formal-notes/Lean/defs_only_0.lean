import Mathlib

/-- Configuration for the tactic framework. -/
structure Config where
  maxSteps : Nat := 513
  verbose : Bool := false

def defaultConfig : Config := {}
