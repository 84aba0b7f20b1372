"""smolcord: the Discord application (client, cogs, storage, scheduler, CLI)."""
