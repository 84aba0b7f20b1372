"""Every user command as one plain async function: who asks, where and the options in; a result dataclass out.

Each takes `services` (anything with the bot's shared parts, `bot.commands.context.Services`; the running
`Smolcord` is one) and a `CommandContext` (`bot.commands.context`: the asking user, guild, channel, whether
they hold Manage Server, and the guild's channels as they see them), then the command's options as the slash
command takes them (channel ids, window and time strings). The permission checks (Manage Server) and the
channel-access checks (the member may read the channel, the bot may read it) are inside each function, so
every caller gets the same refusals: a `bot.services.errors.UserFacingError` whose text is the one line to
show. The slash cogs in `bot/cogs/` only build the context, call the function and render its result; a
`render`-style function (`*_text`, `*_pages`, `*_embed`) beside each command gives that rendering.

- `summaries.summarize`
- `tasks.list_tasks`, `tasks.scan_tasks`
- `digest.set_digest`, `digest.digest_off`, `digest.preview_digest` (Manage Server)
- `models.switch_model`, `models.list_models`, `models.model_status` (Manage Server)
- `settings.show_settings`, `settings.set_timezone`, `settings.set_retention`, `settings.set_chat_prompt` (Manage Server)
- `privacy.opt_out`, `privacy.opt_in`, `privacy.forget`

Slow commands take `accepted`, an async callback run once every check has passed and before the slow part
(the slash cogs defer the interaction there, so a refusal is still a private, immediate reply).
"""
