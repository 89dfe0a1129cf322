"""The service: JSON API under /v1 and the web form. The only package that imports FastAPI."""
