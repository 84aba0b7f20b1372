"""Discord cogs: thin adapters from interactions and gateway events to the services."""
