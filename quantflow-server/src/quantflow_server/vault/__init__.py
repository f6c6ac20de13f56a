"""Broker credentials, encrypted at rest with Fernet; never returned or logged in the clear."""
