import os
import sys


def sample_mesh(path):
    with open(path) as handle:
        return [line.strip() for line in handle if line.strip()]


if __name__ == '__main__':
    for item in sample_mesh(sys.argv[1]):
        print(os.path.basename(item))
