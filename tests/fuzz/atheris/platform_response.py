"""atheris target ``platform_response`` (``tests/fuzz/targets.py``).

Usage: python THIS_FILE [libFuzzer flags, e.g. -runs=N]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import main

if __name__ == "__main__":
    main("platform_response")
