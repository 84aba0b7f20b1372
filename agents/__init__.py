"""Model logic over plain data: summaries, tasks, chat replies. Imports neither discord nor the database."""
