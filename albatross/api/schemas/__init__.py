"""JSON Schemas of requests and responses, per resource; they validate input and feed the
OpenAPI document."""
