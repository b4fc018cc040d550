"""Staff admin panel over the events database."""
