"""One module per ``safercity`` sub-command; each defines ``register(subparsers)``."""
