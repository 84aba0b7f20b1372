"""Discord cogs: thin adapters from interactions and gateway events to the commands (bot/commands/) and services."""
