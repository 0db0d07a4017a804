Require Import List.
Import ListNotations.

Notation "x ++> y" := (app x y) (at level 57).
