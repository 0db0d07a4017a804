import os
import sys


def solve_series(path):
    with open(path) as handle:
        return [line.strip() for line in handle if line.strip()]


if __name__ == '__main__':
    for item in solve_series(sys.argv[1]):
        print(os.path.basename(item))
