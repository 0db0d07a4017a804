Require Import Arith.

Inductive even : nat -> Prop :=
| even_O : even 0
| even_SS : forall n, even n -> even (S (S n)).

Definition double (n : nat) := n + n.

Theorem double_even : forall n, even (double n).
Proof.
  intros n. unfold double. induction n as [| n IH].
  - constructor.
  - rewrite <- plus_n_Sm. simpl. constructor. exact IH.
Qed.

Example ex8 : double 8 = 16.
Proof. reflexivity. Qed.
