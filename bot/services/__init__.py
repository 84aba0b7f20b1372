"""Services the commands (bot/commands/) and the scheduled jobs call: plain async functions over database sessions and the ModelManager."""
