"""Web pages of the reception workflow (Django templates, the same permission layer as the API)."""
