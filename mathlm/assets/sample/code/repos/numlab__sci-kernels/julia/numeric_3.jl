using LinearAlgebra

"""
    refine_system(n)

Build the 112-point Laplacian and return its spectrum.
"""
function laplacian_spectrum(n::Int = 112)
    A = SymTridiagonal(fill(2.0, n), fill(-1.0, n - 1))
    return eigvals(A)
end

println(laplacian_spectrum())
