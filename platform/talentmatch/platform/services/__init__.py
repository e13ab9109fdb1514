"""Use cases of the service; GraphQL resolvers, the CLI, imports and demo data all call these."""
