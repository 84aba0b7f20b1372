"""The swarm: small specialised roles that turn a member's words into one of the bot's commands, or chat.

Pure over plain data (no discord, no database): `Orchestrator.route(turn)` returns a `Route`.
"""
