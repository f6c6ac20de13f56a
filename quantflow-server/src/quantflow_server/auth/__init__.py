"""Users, roles, passwords, JWT access and refresh tokens, login throttling."""
