"""Security group cloning: pure model and plan; I/O lives in regions/ and reconcilers/."""
