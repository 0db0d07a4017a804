# Orders of elements in the symmetric group
G := SymmetricGroup(4);;
Collected(List(Elements(G), Order));
IsSolvable(G);
H := SylowSubgroup(G, 2);;
Size(H);
