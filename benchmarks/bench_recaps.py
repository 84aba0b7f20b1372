"""Recap quality on tests/data/recaps (key-point recall, invented facts, length, speed); see bot/cli/_recap_bench.py.

python benchmarks/bench_recaps.py [--models extractive old-extractive smollm2-135m] [--split dev]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.cli._recap_bench import main

if __name__ == "__main__":
    sys.exit(main())
