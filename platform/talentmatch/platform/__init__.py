"""TalentMatch service: the GraphQL API through which all five kinds of party work together."""
