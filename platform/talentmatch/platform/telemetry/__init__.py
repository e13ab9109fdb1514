"""What the service tells its operators: Prometheus metrics and structured logs.

Shared by the API processes and ``talentmatch worker`` processes, so it imports neither the web
framework nor the GraphQL schema.
"""
