"""The HTTP API: WSGI, keystonemiddleware auth_token, oslo.policy, JSON in and out."""
