"""`python -m bot` runs the bot (the same as `smolcord run`)."""

import sys

from bot.cli import main

sys.exit(main(["run", *sys.argv[1:]]))
