"""What every subgraph shares: the database engine and migrations, request context, errors, paging."""
