"""Admin registrations (filled in by the feature)."""
