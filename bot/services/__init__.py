"""Services the command cogs call: plain async functions over database sessions and the ModelManager."""
