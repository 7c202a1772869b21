"""The demo: a believable year of remote peer diagnostics, reached through the real gates.

Nothing here runs in production (the commands refuse a database holding real work). The
loader walks each planned diagnostic through the domain functions with the clock set to the
day and hour of each step (`context.Ctx.at`), so every record, audit entry and e-mail carries
the date it would have had. See docs/demo.md.
"""
