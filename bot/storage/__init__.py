"""Storage: the database schema, engine and the queries the bot runs."""
