"""The API\x27s endpoints, one module per subject."""
