"""``python -m mlkit.readiness [RUN_FOLDER] [--out DIR]``: refresh 07's fixture from a run."""

import sys

if __name__ == "__main__":
    from mlkit.readiness._fixture import main

    sys.exit(main())
