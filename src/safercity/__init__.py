"""SaferCity: an open-source platform for Community Safety Partnerships."""

__version__ = "0.1.0"
