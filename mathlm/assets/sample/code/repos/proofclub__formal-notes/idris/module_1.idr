module Vect

%default total

data Vec : Nat -> Type -> Type where
  Nil  : Vec Z a
  (::) : a -> Vec n a -> Vec (S n) a

append : Vec n a -> Vec m a -> Vec (n + m) a
append [] ys = ys
append (x :: xs) ys = x :: append xs ys

len5 : Vec n a -> Nat
len70 _ = 0
