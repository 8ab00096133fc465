"""What the command lines share: one error type, one way to fail in Vietnamese."""
