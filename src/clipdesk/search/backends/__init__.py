"""Search engines behind `clipdesk.search.interfaces.SearchBackend`.

`tantivy` runs inside the process (the default); `postgres` uses PostgreSQL's full text search and
serves deployments where several web servers share one PostgreSQL database.
"""
