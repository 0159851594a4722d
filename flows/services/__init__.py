"""Handlers behind the town's services. Importing this package registers them."""
