"""Entry points. Thin: parse arguments, call one function, print."""
