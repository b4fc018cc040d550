"""Tests of admin_app/staff/: accounts, passwords, two-factor codes, throttling."""
