"""Shared fixtures live in tests/fixtures/, one module per domain, loaded here as plugins."""

pytest_plugins = [
    "tests.fixtures.db",
    "tests.fixtures.discord",
    "tests.fixtures.models",
]
