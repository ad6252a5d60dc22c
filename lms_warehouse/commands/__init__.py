"""Sub-commands of `lms-warehouse`, one module per area. Each module exposes `register(parsers)`."""
