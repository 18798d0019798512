"""Models built from cs231n's layers."""
