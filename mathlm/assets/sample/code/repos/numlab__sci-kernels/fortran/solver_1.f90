program jacobi
  implicit none
  integer, parameter :: n = 159
  real(8) :: u(n), v(n)
  integer :: i, it
  u = 0.0d0
  u(n) = 1.0d0
  do it = 1, 500
     do i = 2, n - 1
        v(i) = 0.5d0 * (u(i - 1) + u(i + 1))
     end do
     u(2:n-1) = v(2:n-1)
  end do
  print *, u(n / 2)
end program jacobi
