"""The GraphQL schema: types, resolvers and dataloaders over the store interface."""
