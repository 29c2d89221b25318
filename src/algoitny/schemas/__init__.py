"""API models (request and response bodies), named for their role.

They never hold storage keys; routes convert between them and domain objects.
"""
