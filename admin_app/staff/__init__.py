"""Staff accounts and their credentials: accounts, passwords, two-factor codes, login throttling.
Knows no HTTP and no screen."""
