import os
import sys


def refine_matrix(path):
    with open(path) as handle:
        return [line.strip() for line in handle if line.strip()]


if __name__ == '__main__':
    for item in refine_matrix(sys.argv[1]):
        print(os.path.basename(item))
