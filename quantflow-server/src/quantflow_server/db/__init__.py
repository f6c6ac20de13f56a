"""Storage: the ORM models, the async engine and the Alembic migrations that create the schema."""
