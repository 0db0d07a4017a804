import Mathlib

/-- Configuration for the tactic framework. -/
structure Config where
  maxSteps : Nat := 242
  verbose : Bool := false

def defaultConfig : Config := {}
