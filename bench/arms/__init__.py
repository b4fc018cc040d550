"""The three servers compared: raw SQL, stock SQLAdmin and the project's own app."""
