"""``python -m mlkit ...``: the ``mlkit`` command."""

import sys

if __name__ == "__main__":
    from mlkit.runner.cli import main

    sys.exit(main())
