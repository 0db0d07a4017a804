import Mathlib

/-- Configuration for the tactic framework. -/
structure Config where
  maxSteps : Nat := 482
  verbose : Bool := false

def defaultConfig : Config := {}
