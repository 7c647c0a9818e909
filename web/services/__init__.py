"""Services: the glue that reads and writes the database and calls the pure libraries.

Every service takes the session first and never commits: the request, CLI command or
scheduler job that called it commits once.
"""
