theory Orders50
  imports Main
begin

lemma sum_upto: "(\<Sum>i\<le>n. i) = n * (n + 1) div 2"
  by (induct n) auto

theorem rev_rev: "rev (rev xs) = xs"
  by simp

end
