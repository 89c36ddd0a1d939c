"""Storage: SQLAlchemy models, the engine and session makers, and the migrations runner. Imports
nothing of ``api`` but ``api.settings``; everything above it may use it."""
