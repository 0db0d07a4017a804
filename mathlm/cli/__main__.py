"""``python -m mathlm.cli``: the ``mathlm`` command (torchrun and sbatch scripts launch it this way)."""

from mathlm.cli.root import main

main()
